//! The data groups of Pasal 12(4) and the appointment of their stewards (Wali Data).

use axum::extract::State;
use axum::http::HeaderMap;

use super::super::{AdminPage, Field, FormData, Who, cell, form, see, table};
use crate::admin::Role;
use crate::admin::stewardship::StewardInput;
use crate::http::lang::UiLang;
use crate::state::AppState;

use super::Page;

pub async fn groups(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Page {
    let who = who!(state, headers, ui, "/admin/kelompok-data");
    groups_page(&state, &who, None).await
}

async fn groups_page(state: &AppState, who: &Who, error: Option<String>) -> Page {
    who.principal.require_reader().map_err(|e| who.err(e))?;
    let groups = state.admin.data_groups(&who.principal).await.map_err(|e| who.err(e))?;
    let claims = state.admin.claim_groups().await.map_err(|e| who.err(e))?;
    let rows = groups
        .iter()
        .map(|g| {
            let owned: Vec<&str> = claims.iter().filter(|(_, gid)| *gid == g.id).map(|(c, _)| c.as_str()).collect();
            vec![
                cell(g.letter.clone()),
                cell(g.name.clone()),
                cell(owned.join(", ")),
                cell(g.steward_id.clone().unwrap_or_else(|| "—".into())),
                cell(g.decree_ref.clone()),
            ]
        })
        .collect();
    let mut page = AdminPage::new(
        "admin-groups",
        "kelompok-data",
        who.tr("Kelompok data dan Wali Data (Pasal 12)", "Data groups and stewards (Art. 12)"),
    )
    .push(table(
        "groups",
        "",
        &[
            who.tr("Huruf", "Letter"),
            who.tr("Kelompok", "Group"),
            who.tr("Klaim", "Claims"),
            "Wali Data",
            who.tr("Keputusan", "Decree"),
        ],
        rows,
        None,
    ));
    if who.principal.has(Role::Admin) {
        let options = groups.iter().map(|g| (g.id.clone(), format!("{}. {}", g.letter, g.name))).collect();
        page = page.push(form(
            "steward-appoint",
            who.tr("Tetapkan Wali Data", "Appoint a steward"),
            "/admin/kelompok-data",
            vec![
                Field::select("group", who.tr("Kelompok data", "Data group"), "", options),
                Field::text(
                    "steward_nip",
                    who.tr("NIP Wali Data (kosongkan untuk mencabut)", "Steward's NIP (empty to remove)"),
                    "",
                ),
                Field::text("decree_ref", who.tr("Keputusan Walikota", "Mayoral decree"), ""),
            ],
            who.tr("Tetapkan", "Appoint"),
            error.clone(),
        ));
    }
    page.answer(state, who, error.is_some())
}

pub async fn appoint(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    let who = who!(state, headers, ui, "/admin/kelompok-data");
    who.check(&headers, &f, state.secure_cookies)?;
    let input = StewardInput { steward_nip: f.get("steward_nip").into(), decree_ref: f.get("decree_ref").into() };
    match state.admin.appoint_steward(&who.principal, f.get("group"), &input).await {
        Ok(_) => Ok(see("/admin/kelompok-data")),
        Err(e) => groups_page(&state, &who, Some(who.form_error(e)?)).await,
    }
}
