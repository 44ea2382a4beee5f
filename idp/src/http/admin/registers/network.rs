//! The network register's pages (Pasal 5): list, create (overlaps refused), one network, edit.

use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::Value;

use super::super::{AdminPage, Field, FormData, P, Q, Who, cell, enc, facts, form, history, link, see, table};
use crate::admin::network::NetworkInput;
use crate::admin::{Role, target};
use crate::http::lang::UiLang;
use crate::state::AppState;

use super::{ListQuery, Page, input, opd_options};

fn network_fields(who: &Who, v: &Value, opds: Vec<(String, String)>, create: bool) -> Vec<Field> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut f = Vec::new();
    if create {
        f.push(
            Field::text("id", who.tr("Kode", "Code"), &s("id"))
                .required()
                .help(who.tr("dipakai di routes.toml (networks = [...])", "used in routes.toml (networks = [...])")),
        );
    }
    f.push(Field::text("name", who.tr("Nama", "Name"), &s("name")).required());
    f.push(Field::select("opd_id", "OPD", &s("opd_id"), opds));
    f.push(
        Field::text("cidrs", who.tr("Rentang CIDR (satu per baris)", "CIDR ranges (one per line)"), &s("cidrs"))
            .kind("textarea")
            .required(),
    );
    let city = matches!(v.get("city"), Some(Value::Bool(true))) || s("city") == "on";
    f.push(Field::checkbox(
        "city",
        who.tr("Bagian jaringan kota (untuk tingkat rahasia)", "Part of the city network (for level rahasia)"),
        city,
    ));
    f
}

pub async fn network_list(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(q): Q<ListQuery>) -> Page {
    let who = who!(state, headers, ui, "/admin/jaringan");
    network_list_page(&state, &who, &q, None, &serde_json::json!({ "city": true })).await
}

async fn network_list_page(state: &AppState, who: &Who, q: &ListQuery, error: Option<String>, values: &Value) -> Page {
    let items = state.admin.networks(&who.principal, &q.after).await.map_err(|e| who.err(e))?;
    let next = (items.len() as i64 >= crate::admin::PAGE)
        .then(|| format!("/admin/jaringan?after={}", enc(&items.last().map(|d| d.id.clone()).unwrap_or_default())));
    let rows = items
        .iter()
        .map(|n| {
            vec![
                link(n.id.clone(), format!("/admin/jaringan/{}", enc(&n.id))),
                cell(n.name.clone()),
                cell(n.opd_id.clone()),
                cell(n.cidrs.replace('\n', ", ")),
                cell(if n.city { "✓" } else { "—" }),
            ]
        })
        .collect();
    let mut page = AdminPage::new("admin-networks", "jaringan", who.tr("Jaringan (Pasal 5)", "Networks (Art. 5)"))
        .push(table(
            "networks",
            "",
            &[who.tr("Kode", "Code"), who.tr("Nama", "Name"), "OPD", "CIDR", who.tr("Kota", "City")],
            rows,
            next,
        ));
    if who.principal.has(Role::Admin) {
        let opds = opd_options(state, who, false).await?;
        page = page.push(form(
            "network-new",
            who.tr("Daftarkan jaringan", "Register a network"),
            "/admin/jaringan",
            network_fields(who, values, opds, true),
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.answer(state, who, error.is_some())
}

pub async fn network_create(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    let who = who!(state, headers, ui, "/admin/jaringan");
    who.check(&headers, &f, state.secure_cookies)?;
    match state.admin.create_network(&who.principal, &input::<NetworkInput>(&f)?).await {
        Ok(n) => Ok(see(&format!("/admin/jaringan/{}", enc(&n.id)))),
        Err(e) => network_list_page(&state, &who, &ListQuery::default(), Some(who.form_error(e)?), &f.json()).await,
    }
}

pub async fn network_show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, P(id): P<String>) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/jaringan/{}", enc(&id)));
    network_show_page(&state, &who, &id, None, None).await
}

async fn network_show_page(
    state: &AppState,
    who: &Who,
    id: &str,
    error: Option<String>,
    values: Option<Value>,
) -> Page {
    let n = state.admin.network(&who.principal, id).await.map_err(|e| who.err(e))?;
    let values = values.unwrap_or_else(|| serde_json::json!(n));
    let hist = state.admin.history(&who.principal, &target("network", id)).await.map_err(|e| who.err(e))?;
    let mut page =
        AdminPage::new("admin-network-record", "jaringan", format!("{}: {}", who.tr("Jaringan", "Network"), n.name))
            .push(facts(
                "record",
                "",
                vec![("CIDR".into(), n.cidrs.replace('\n', ", ")), ("OPD".into(), n.opd_id.clone())],
            ));
    if who.principal.has(Role::Admin) {
        let opds = opd_options(state, who, false).await?;
        page = page.push(form(
            "network-edit",
            who.tr("Ubah", "Edit"),
            &format!("/admin/jaringan/{}", enc(id)),
            network_fields(who, &values, opds, false),
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.push(history(who, &hist)).answer(state, who, error.is_some())
}

pub async fn network_update(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(id): P<String>,
    f: FormData,
) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/jaringan/{}", enc(&id)));
    who.check(&headers, &f, state.secure_cookies)?;
    match state.admin.update_network(&who.principal, &id, &input::<NetworkInput>(&f)?).await {
        Ok(_) => Ok(see(&format!("/admin/jaringan/{}", enc(&id)))),
        Err(e) => network_show_page(&state, &who, &id, Some(who.form_error(e)?), Some(f.json())).await,
    }
}
