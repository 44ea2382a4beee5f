//! The OPD register's pages: list and search, create, one OPD with its history, edit.

use axum::extract::State;
use axum::http::HeaderMap;
use gerbang_core::store::Cursor;
use serde_json::Value;

use super::super::{AdminPage, Field, FormData, P, Q, Who, cell, enc, facts, form, history, link, search, see, table};
use crate::admin::opd::{KINDS as OPD_KINDS, OpdInput};
use crate::admin::{Role, target};
use crate::http::lang::UiLang;
use crate::state::AppState;

use super::{ListQuery, Page, input, opts};

fn opd_fields(who: &Who, v: &Value, create: bool) -> Vec<Field> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut f = Vec::new();
    if create {
        f.push(
            Field::text("id", who.tr("Kode", "Code"), &s("id"))
                .required()
                .help(who.tr("mis. disdukcapil", "e.g. disdukcapil")),
        );
    }
    f.push(Field::text("name", who.tr("Nama", "Name"), &s("name")).required());
    f.push(Field::select("kind", who.tr("Jenis", "Kind"), &s("kind"), opts(OPD_KINDS)));
    f.push(Field::select("status", "Status", &s("status"), opts(&["active", "retired"])));
    f
}

pub async fn opd_list(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(q): Q<ListQuery>) -> Page {
    let who = who!(state, headers, ui, "/admin/opd");
    opd_list_page(&state, &who, &q, None, &serde_json::json!({})).await
}

async fn opd_list_page(state: &AppState, who: &Who, q: &ListQuery, error: Option<String>, values: &Value) -> Page {
    let cursor = Cursor { key: q.after_key.clone(), id: q.after.clone() };
    let items = state.admin.opds(&who.principal, &q.q, &cursor).await.map_err(|e| who.err(e))?;
    let next = (items.len() as i64 >= crate::admin::PAGE).then(|| {
        let l = items.last().map(|o| (o.name_key.clone(), o.id.clone())).unwrap_or_default();
        format!("/admin/opd?q={}&after_key={}&after={}", enc(&q.q), enc(&l.0), enc(&l.1))
    });
    let rows = items
        .iter()
        .map(|o| {
            vec![
                link(o.id.clone(), format!("/admin/opd/{}", enc(&o.id))),
                cell(o.name.clone()),
                cell(o.kind.clone()),
                cell(o.status.clone()),
            ]
        })
        .collect();
    let mut page = AdminPage::new("admin-opd", "opd", "OPD")
        .push(search("/admin/opd", who.tr("Cari nama OPD", "Search OPD name"), &q.q, "dinas …"))
        .push(table(
            "opds",
            "",
            &[who.tr("Kode", "Code"), who.tr("Nama", "Name"), who.tr("Jenis", "Kind"), "Status"],
            rows,
            next,
        ));
    if who.principal.has(Role::Admin) {
        page = page.push(form(
            "opd-new",
            who.tr("Tambah OPD", "Add an OPD"),
            "/admin/opd",
            opd_fields(who, values, true),
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.answer(state, who, error.is_some())
}

pub async fn opd_create(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    let who = who!(state, headers, ui, "/admin/opd");
    who.check(&headers, &f, state.secure_cookies)?;
    let input: OpdInput = input(&f)?;
    match state.admin.create_opd(&who.principal, &input).await {
        Ok(o) => Ok(see(&format!("/admin/opd/{}", enc(&o.id)))),
        Err(e) => opd_list_page(&state, &who, &ListQuery::default(), Some(who.form_error(e)?), &f.json()).await,
    }
}

pub async fn opd_show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, P(id): P<String>) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/opd/{}", enc(&id)));
    opd_show_page(&state, &who, &id, None, None).await
}

async fn opd_show_page(state: &AppState, who: &Who, id: &str, error: Option<String>, values: Option<Value>) -> Page {
    let o = state.admin.opd(&who.principal, id).await.map_err(|e| who.err(e))?;
    let values = values.unwrap_or_else(|| serde_json::json!(o));
    let hist = state.admin.history(&who.principal, &target("opd", id)).await.map_err(|e| who.err(e))?;
    let mut page = AdminPage::new("admin-opd-record", "opd", format!("OPD: {}", o.name)).push(facts(
        "record",
        "",
        vec![(who.tr("Kode", "Code").into(), o.id.clone()), (who.tr("Nama", "Name").into(), o.name.clone())],
    ));
    if who.principal.has(Role::Admin) {
        page = page.push(form(
            "opd-edit",
            who.tr("Ubah", "Edit"),
            &format!("/admin/opd/{}", enc(id)),
            opd_fields(who, &values, false),
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.push(history(who, &hist)).answer(state, who, error.is_some())
}

pub async fn opd_update(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(id): P<String>,
    f: FormData,
) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/opd/{}", enc(&id)));
    who.check(&headers, &f, state.secure_cookies)?;
    match state.admin.update_opd(&who.principal, &id, &input(&f)?).await {
        Ok(_) => Ok(see(&format!("/admin/opd/{}", enc(&id)))),
        Err(e) => opd_show_page(&state, &who, &id, Some(who.form_error(e)?), Some(f.json())).await,
    }
}
