//! The account page (`/akun`): who is signed in, with which identifier and session.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::error::PageError;
use super::lang::UiLang;
use super::{csrf, page};
use crate::state::AppState;

pub async fn show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Result<Response, PageError> {
    let Some((session, account)) = state.signed_in(&headers).await? else {
        return Ok(Redirect::to("/masuk?return_to=/akun").into_response());
    };
    let view = state.accounts.view(&account.id).await.map_err(|e| PageError::from_account(e, ui.lang))?;
    let (token, csrf_cookie) = csrf::ensure(&headers, state.secure_cookies);
    let html = state
        .theme
        .page(
            "account.html",
            &ui,
            context! {
                csrf => token,
                name => view.account.display_name,
                kind => view.account.kind.as_str(),
                nip => view.nip,
                jenis_pegawai => view.jenis_pegawai,
                nik_masked => view.nik_masked,
                roles => view.roles,
                auth_time => crate::wib::date_time(session.auth_time),
                expires_at => crate::wib::date_time(session.expires_at),
            },
        )
        .map_err(|e| PageError::Server(e.to_string()))?;
    Ok(page::respond(StatusCode::OK, html, csrf_cookie, &ui, state.secure_cookies))
}
