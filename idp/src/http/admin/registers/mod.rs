//! Register pages: the overview, OPDs, applications (with the documentation checklist),
//! domains, networks, data groups with their stewards, and accounts.

mod account;
mod application;
mod domain;
mod group;
mod network;
mod opd;

pub use account::*;
pub use application::*;
pub use domain::*;
pub use group::*;
pub use network::*;
pub use opd::*;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{AdminPage, FormData, Who, facts, see, text};
use crate::admin::Role;
use crate::http::error::PageError;
use crate::http::lang::UiLang;
use crate::state::AppState;

pub(super) type Page = Result<Response, PageError>;

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    after_key: String,
}

pub(super) fn input<T: serde::de::DeserializeOwned>(f: &FormData) -> Result<T, PageError> {
    serde_json::from_value(f.json()).map_err(|_| PageError::BadForm)
}

pub async fn overview(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Page {
    let who = who!(state, headers, ui, "/admin");
    if !(who.principal.has(Role::Admin) || who.principal.has(Role::Auditor)) {
        // Developers and stewards have their own start pages.
        if who.principal.has(Role::Developer) {
            return Ok(see("/portal"));
        }
        if who.principal.is_steward() {
            return Ok(see("/wali-data"));
        }
        return Err(PageError::Forbidden);
    }
    let pending = state.admin.registrations(&who.principal, "pending", None).await.map_err(|e| who.err(e))?;
    let verified = state.admin.verify_audit(&who.principal).await.map_err(|e| who.err(e))?;
    let chain = match verified {
        Ok(n) => format!("{} ({n})", who.tr("utuh", "intact")),
        Err(seq) => format!("{} #{seq}", who.tr("RUSAK pada catatan", "BROKEN at record")),
    };
    let items = vec![
        (who.tr("Permintaan klien menunggu", "Client requests waiting").to_string(), pending.len().to_string()),
        (who.tr("Rantai log audit", "Audit log chain").to_string(), chain),
        (who.tr("Peran Anda", "Your roles").to_string(), who.principal.roles.join(", ")),
    ];
    AdminPage::new("admin-home", "home", who.tr("Modul admin Gerbang", "Gerbang admin module"))
        .push(facts("summary", "", items))
        .push(text(who.tr(
            "Register kota menurut Perwako 18/2018: OPD, aplikasi (Pasal 7-10), domain (Pasal 11), jaringan (Pasal 5), kelompok data dan Wali Data (Pasal 12), serta laporan (Pasal 24).",
            "The city's registers under Perwako 18/2018: OPDs, applications (Art. 7-10), domains (Art. 11), networks (Art. 5), data groups and stewards (Art. 12), and reports (Art. 24).",
        )))
        .render(&state, &who, StatusCode::OK)
}

pub(super) async fn opd_options(state: &AppState, who: &Who, empty: bool) -> Result<Vec<(String, String)>, PageError> {
    let mut out: Vec<(String, String)> = if empty { vec![(String::new(), "—".into())] } else { vec![] };
    out.extend(
        state
            .admin
            .all_opds()
            .await
            .map_err(|e| who.err(e))?
            .into_iter()
            .filter(|o| o.status == "active")
            .map(|o| (o.id, o.name)),
    );
    Ok(out)
}

pub(super) fn opts(values: &[&str]) -> Vec<(String, String)> {
    values.iter().map(|v| (v.to_string(), v.replace('_', " "))).collect()
}
