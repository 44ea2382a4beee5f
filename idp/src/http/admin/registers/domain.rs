//! The domain register's pages (Pasal 11): list, create, one domain with its history, edit.

use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::Value;

use super::super::{AdminPage, Field, FormData, P, Q, Who, cell, enc, facts, form, history, link, search, see, table};
use crate::admin::domain::DomainInput;
use crate::admin::{Role, target};
use crate::http::lang::UiLang;
use crate::state::AppState;

use super::{ListQuery, Page, input, opd_options, opts};

fn domain_fields(who: &Who, v: &Value, opds: Vec<(String, String)>, create: bool) -> Vec<Field> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut f = Vec::new();
    if create {
        f.push(
            Field::text("name", who.tr("Nama domain", "Domain name"), &s("name"))
                .required()
                .help("dukcapil.padangpanjang.go.id"),
        );
    }
    f.push(Field::select("opd_id", "OPD", &s("opd_id"), opds));
    f.push(
        Field::text("decree_number", who.tr("Nomor Keputusan Walikota", "Mayoral decree number"), &s("decree_number"))
            .required(),
    );
    f.push(
        Field::text("decree_date", who.tr("Tanggal keputusan", "Decree date"), &s("decree_date"))
            .kind("date")
            .required(),
    );
    f.push(Field::select("status", "Status", &s("status"), opts(&["active", "retired"])));
    f.push(Field::text("note", who.tr("Catatan", "Note"), &s("note")));
    f
}

pub async fn domain_list(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(q): Q<ListQuery>) -> Page {
    let who = who!(state, headers, ui, "/admin/domain");
    domain_list_page(&state, &who, &q, None, &serde_json::json!({})).await
}

async fn domain_list_page(state: &AppState, who: &Who, q: &ListQuery, error: Option<String>, values: &Value) -> Page {
    let items = state.admin.domains(&who.principal, &q.q, &q.after).await.map_err(|e| who.err(e))?;
    let next = (items.len() as i64 >= crate::admin::PAGE).then(|| {
        format!(
            "/admin/domain?q={}&after={}",
            enc(&q.q),
            enc(&items.last().map(|d| d.name.clone()).unwrap_or_default())
        )
    });
    let rows = items
        .iter()
        .map(|d| {
            vec![
                link(d.name.clone(), format!("/admin/domain/{}", enc(&d.name))),
                cell(d.opd_id.clone().unwrap_or_default()),
                cell(d.decree_number.clone()),
                cell(d.decree_date.clone()),
                cell(d.status.clone()),
            ]
        })
        .collect();
    let mut page = AdminPage::new("admin-domains", "domain", who.tr("Domain (Pasal 11)", "Domains (Art. 11)"))
        .push(search("/admin/domain", who.tr("Cari domain", "Search domains"), &q.q, "padangpanjang.go.id"))
        .push(table(
            "domains",
            "",
            &[who.tr("Domain", "Domain"), "OPD", who.tr("Keputusan", "Decree"), who.tr("Tanggal", "Date"), "Status"],
            rows,
            next,
        ));
    if who.principal.has(Role::Admin) {
        let opds = opd_options(state, who, true).await?;
        page = page.push(form(
            "domain-new",
            who.tr("Daftarkan domain", "Register a domain"),
            "/admin/domain",
            domain_fields(who, values, opds, true),
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.answer(state, who, error.is_some())
}

pub async fn domain_create(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    let who = who!(state, headers, ui, "/admin/domain");
    who.check(&headers, &f, state.secure_cookies)?;
    match state.admin.create_domain(&who.principal, &input::<DomainInput>(&f)?).await {
        Ok(d) => Ok(see(&format!("/admin/domain/{}", enc(&d.name)))),
        Err(e) => domain_list_page(&state, &who, &ListQuery::default(), Some(who.form_error(e)?), &f.json()).await,
    }
}

pub async fn domain_show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, P(name): P<String>) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/domain/{}", enc(&name)));
    domain_show_page(&state, &who, &name, None, None).await
}

async fn domain_show_page(
    state: &AppState,
    who: &Who,
    name: &str,
    error: Option<String>,
    values: Option<Value>,
) -> Page {
    let d = state.admin.domain(&who.principal, name).await.map_err(|e| who.err(e))?;
    let values = values.unwrap_or_else(|| serde_json::json!(d));
    let hist = state.admin.history(&who.principal, &target("domain", name)).await.map_err(|e| who.err(e))?;
    let mut page = AdminPage::new("admin-domain-record", "domain", format!("Domain: {}", d.name));
    if who.principal.has(Role::Admin) {
        let opds = opd_options(state, who, true).await?;
        page = page.push(form(
            "domain-edit",
            who.tr("Ubah", "Edit"),
            &format!("/admin/domain/{}", enc(name)),
            domain_fields(who, &values, opds, false),
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    } else {
        page = page.push(facts(
            "record",
            "",
            vec![
                ("OPD".into(), d.opd_id.clone().unwrap_or_default()),
                (who.tr("Keputusan", "Decree").into(), format!("{} ({})", d.decree_number, d.decree_date)),
            ],
        ));
    }
    page.push(history(who, &hist)).answer(state, who, error.is_some())
}

pub async fn domain_update(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(name): P<String>,
    f: FormData,
) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/domain/{}", enc(&name)));
    who.check(&headers, &f, state.secure_cookies)?;
    match state.admin.update_domain(&who.principal, &name, &input::<DomainInput>(&f)?).await {
        Ok(_) => Ok(see(&format!("/admin/domain/{}", enc(&name)))),
        Err(e) => domain_show_page(&state, &who, &name, Some(who.form_error(e)?), Some(f.json())).await,
    }
}
