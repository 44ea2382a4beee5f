//! Client registrations for administrators: the queue, one request with its claims, and the
//! decision (with a reason).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::{AdminPage, Field, FormData, P, Q, Who, cell, enc, facts, form, history, link, table};
use crate::admin::registration::{Decision, RegistrationView};
use crate::admin::{Role, target};
use crate::http::error::PageError;
use crate::http::lang::UiLang;
use crate::state::AppState;

type Page = Result<Response, PageError>;

#[derive(serde::Deserialize, Default)]
pub struct StatusQuery {
    #[serde(default)]
    status: String,
}

/// The table of registrations (shared with the portal).
pub fn registrations_table(who: &Who, items: &[RegistrationView], base: &str) -> Value {
    let rows = items
        .iter()
        .map(|v| {
            let r = &v.record;
            vec![
                link(r.name.clone(), format!("{base}/{}", enc(&r.id))),
                cell(v.application_name.clone()),
                cell(who.code(&r.purpose)),
                cell(who.code(&r.status)),
                cell(
                    v.claims
                        .iter()
                        .map(|c| format!("{} ({})", c.claim, who.code(&c.decision)))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                cell(crate::wib::date_time(r.created_at)),
            ]
        })
        .collect();
    table(
        "registrations",
        "",
        &[
            who.tr("Klien", "Client"),
            who.tr("Aplikasi", "Application"),
            who.tr("Jenis", "Purpose"),
            "Status",
            who.tr("Klaim", "Claims"),
            who.tr("Diajukan", "Submitted"),
        ],
        rows,
        None,
    )
}

/// The facts of one registration (shared with the portal and the stewards' page).
pub fn registration_facts(who: &Who, v: &RegistrationView) -> Vec<Value> {
    let r = &v.record;
    let mut items = vec![
        ("client_id".to_string(), r.client_id.clone()),
        (who.tr("Aplikasi", "Application").into(), v.application_name.clone()),
        (who.tr("Jenis klien", "Client kind").into(), who.code(&r.kind)),
        ("Redirect URI".into(), r.redirect_uris.replace('\n', ", ")),
        ("Scope".into(), r.scopes.clone()),
        ("Status".into(), who.code(&r.status)),
        (who.tr("Klien aktif", "Client live").into(), who.code(&v.client_status)),
    ];
    if !r.reason.is_empty() {
        items.push((who.tr("Alasan keputusan admin", "Administrator's reason").into(), r.reason.clone()));
    }
    let claim_rows = v
        .claims
        .iter()
        .map(|c| {
            vec![
                cell(c.claim.clone()),
                cell(c.data_group_id.clone()),
                cell(c.purpose.clone()),
                cell(who.code(&c.decision)),
                cell(c.reason.clone()),
            ]
        })
        .collect();
    let logo = r.logo_type.as_ref().map(|_| {
        serde_json::json!({ "kind": "image", "id": "client-logo", "src": format!("/portal/{}/logo", enc(&r.id)),
            "alt": format!("Logo {}", r.name) })
    });
    let mut blocks = vec![facts("registration", "", items)];
    blocks.extend(logo);
    blocks.extend([table(
        "claims",
        who.tr("Klaim yang diminta", "Claims requested"),
        &[
            who.tr("Klaim", "Claim"),
            who.tr("Kelompok data", "Data group"),
            who.tr("Tujuan", "Purpose"),
            who.tr("Keputusan", "Decision"),
            who.tr("Alasan", "Reason"),
        ],
        claim_rows,
        None,
    )]);
    blocks
}

pub async fn list(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(q): Q<StatusQuery>) -> Page {
    let who = who!(state, headers, ui, "/admin/klien");
    who.principal.require_reader().map_err(|e| who.err(e))?;
    let status = if q.status.is_empty() { "pending" } else { q.status.as_str() };
    let items = state
        .admin
        .registrations(&who.principal, if status == "all" { "" } else { status }, None)
        .await
        .map_err(|e| who.err(e))?;
    AdminPage::new("admin-clients", "klien", who.tr("Permintaan klien OIDC", "OIDC client requests"))
        .push(serde_json::json!({ "kind": "links", "title": "", "items": [
            { "href": "/admin/klien?status=pending", "label": who.tr("Menunggu", "Waiting"), "id": "filter-pending" },
            { "href": "/admin/klien?status=approved", "label": who.tr("Disetujui", "Approved"), "id": "filter-approved" },
            { "href": "/admin/klien?status=rejected", "label": who.tr("Ditolak", "Rejected"), "id": "filter-rejected" },
            { "href": "/admin/klien?status=all", "label": who.tr("Semua", "All"), "id": "filter-all" } ] }))
        .push(registrations_table(&who, &items, "/admin/klien"))
        .render(&state, &who, StatusCode::OK)
}

pub async fn show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, P(id): P<String>) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/klien/{}", enc(&id)));
    show_page(&state, &who, &id, None).await
}

async fn show_page(state: &AppState, who: &Who, id: &str, error: Option<String>) -> Page {
    who.principal.require_reader().map_err(|e| who.err(e))?;
    let v = state.admin.registration(&who.principal, id).await.map_err(|e| who.err(e))?;
    let hist = state.admin.history(&who.principal, &target("registration", id)).await.map_err(|e| who.err(e))?;
    let mut page = AdminPage::new(
        "admin-client-record",
        "klien",
        format!("{}: {}", who.tr("Permintaan", "Request"), v.record.name),
    );
    for b in registration_facts(who, &v) {
        page = page.push(b);
    }
    if who.principal.has(Role::Admin) && v.record.status == "pending" {
        let mut f = form(
            "decision",
            who.tr("Keputusan admin", "Administrator's decision"),
            &format!("/admin/klien/{}", enc(id)),
            vec![Field::text("reason", who.tr("Alasan (wajib)", "Reason (required)"), "").kind("textarea").required()],
            "",
            error.clone(),
        );
        f["submits"] = serde_json::json!([
            { "name": "approve", "value": "on", "label": who.tr("Setujui", "Approve"), "secondary": false },
            { "name": "approve", "value": "off", "label": who.tr("Tolak", "Reject"), "secondary": true } ]);
        page = page.push(f);
    }
    page.push(history(who, &hist)).answer(state, who, error.is_some())
}

pub async fn decide(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(id): P<String>,
    f: FormData,
) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/klien/{}", enc(&id)));
    who.check(&headers, &f, state.secure_cookies)?;
    let decision = Decision { approve: f.get("approve") == "on", reason: f.get("reason").into() };
    match state.admin.decide_registration(&who.principal, &id, &decision).await {
        Ok(_) => Ok(super::see(&format!("/admin/klien/{}", enc(&id)))),
        Err(e) => show_page(&state, &who, &id, Some(who.form_error(e)?)).await,
    }
}
