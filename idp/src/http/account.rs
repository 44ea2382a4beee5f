//! The account page (`/akun`): who is signed in, with which identifier and session.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use gerbang_core::store::{FactorStore, SessionStore, now_unix};
use minijinja::context;

use super::error::PageError;
use super::lang::UiLang;
use super::{csrf, page};
use crate::state::AppState;
use crate::wib;

pub async fn show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Result<Response, PageError> {
    let Some((session, account)) = state.signed_in(&headers).await? else {
        return Ok(Redirect::to("/masuk?return_to=/akun").into_response());
    };
    let view = state.accounts.view(&account.id).await.map_err(|e| PageError::from_account(e, ui.lang))?;
    let factors = crate::factors::status(&state.store, &account.id).await?;
    let mut db = state.store.conn().await?;
    let sessions: Vec<minijinja::Value> = db
        .account_sessions(&account.id, now_unix())
        .await?
        .into_iter()
        .map(|s| {
            context! {
                sid => s.sid.clone(), current => s.sid == session.sid, since => wib::date_time(s.created_at),
                device => s.user_agent, address => s.source_ip,
            }
        })
        .collect();
    let sign_ins: Vec<minijinja::Value> = db
        .recent_sign_ins(&account.id, 10)
        .await?
        .into_iter()
        .map(|e| {
            let result = state.theme.string(ui.lang, &format!("result_{}", e.result));
            context! { at => wib::date_time(e.at), method => e.method, result => result, ok => e.result == "ok", address => e.source_ip }
        })
        .collect();
    drop(db);
    let passkeys: Vec<minijinja::Value> = state
        .passkeys
        .list(&account.id)
        .await?
        .into_iter()
        .map(|p| {
            context! {
                id => base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &p.cred_id),
                name => p.name, created => wib::date_time(p.created_at), used => p.last_used_at.map(wib::date_time),
            }
        })
        .collect();
    let contacts: Vec<String> = state
        .lifecycle
        .proven_contacts(&account.id)
        .await
        .map_err(PageError::from_lifecycle)?
        .into_iter()
        .filter_map(|c| crate::notify::Channel::parse(&c.channel).map(|ch| ch.mask(&c.address)))
        .collect();
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
                assurance => view.account.assurance.as_str(),
                contacts => contacts,
                auth_time => wib::date_time(session.auth_time),
                expires_at => wib::date_time(session.expires_at),
                amr => session.amr,
                totp => factors.totp,
                recovery_left => factors.recovery_codes_left,
                sessions => sessions,
                passkeys => passkeys,
                sign_ins => sign_ins,
            },
        )
        .map_err(|e| PageError::Server(e.to_string()))?;
    Ok(page::respond(StatusCode::OK, html, csrf_cookie, &ui, state.secure_cookies))
}
