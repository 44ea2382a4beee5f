//! Ending a sign-in session: RP-initiated logout (`/logout`, OIDC RP-Initiated Logout 1.0) and
//! back-channel logout tokens to every client that received tokens from the session (OIDC
//! Back-Channel Logout 1.0). `/keluar` on the account page ends sessions the same way.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use gerbang_core::lang::Lang;
use gerbang_core::store::{GrantStore, LogoutOutbox, Session, SessionStore, StoreError, now_unix};
use minijinja::context;
use serde::Deserialize;

use super::authorize::see_other;
use super::client::Client;
use crate::http::error::PageError;
use crate::http::lang::UiLang;
use crate::http::params::RawParams;
use crate::http::{cookies, csrf, page};
use crate::state::AppState;

/// `/logout`, GET or POST.
pub async fn logout(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    RawParams(raw): RawParams,
) -> Result<Response, PageError> {
    begin(&state, ui, &headers, &raw).await
}

/// Validates the request; ends the session at once when the client proves it (an ID token of
/// this very session), otherwise asks the person to confirm (no logout by a forged link).
async fn begin(state: &AppState, ui: UiLang, headers: &HeaderMap, raw: &str) -> Result<Response, PageError> {
    let (params, duplicates) = super::authorize::request::collect(raw);
    if !duplicates.is_empty() {
        return Err(PageError::BadRequest(msg(
            ui.lang,
            "Permintaan keluar tidak valid.",
            "The sign-out request is not valid.",
        )));
    }
    let hint = match params.get("id_token_hint") {
        Some(h) => Some(state.issuer.verify_id_token_hint(h).map_err(|_| {
            PageError::BadRequest(msg(ui.lang, "id_token_hint tidak valid.", "id_token_hint is not valid."))
        })?),
        None => None,
    };
    let hint_client = hint.as_ref().and_then(|h| h.get("aud")).and_then(|a| a.as_str()).map(String::from);
    let client_id = match (params.get("client_id"), hint_client) {
        (Some(a), Some(b)) if *a != b => {
            return Err(PageError::BadRequest(msg(
                ui.lang,
                "client_id tidak cocok dengan id_token_hint.",
                "client_id does not match id_token_hint.",
            )));
        }
        (Some(a), _) => Some(a.clone()),
        (None, b) => b,
    };
    let client = match &client_id {
        Some(id) if id.len() <= 128 => state.clients.get(id).await?,
        _ => None,
    };
    let redirect = params.get("post_logout_redirect_uri").cloned();
    check_redirect(redirect.as_deref(), client.as_ref(), ui.lang)?;
    let current = state.signed_in(headers).await?;
    let Some((session, _)) = current else {
        return finish(state, ui, redirect.as_deref(), params.get("state").map(String::as_str));
    };
    let proven = hint.as_ref().and_then(|h| h.get("sid")).and_then(|s| s.as_str()) == Some(session.sid.as_str());
    if proven {
        end_session(state, &session).await?;
        let mut response = finish(state, ui, redirect.as_deref(), params.get("state").map(String::as_str))?;
        response.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::SESSION, state.secure_cookies));
        return Ok(response);
    }
    let (token, csrf_cookie) = csrf::ensure(headers, state.secure_cookies);
    let html = state
        .theme
        .page(
            "logout.html",
            &ui,
            context! {
                csrf => token,
                client_id => client.as_ref().map(|c| c.id.clone()).unwrap_or_default(),
                client_name => client.as_ref().map(|c| c.name.clone()),
                post_logout_redirect_uri => redirect.unwrap_or_default(),
                state => params.get("state").cloned().unwrap_or_default(),
            },
        )
        .map_err(|e| PageError::Server(e.to_string()))?;
    Ok(page::respond(StatusCode::OK, html, csrf_cookie, &ui, state.secure_cookies))
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    post_logout_redirect_uri: String,
    #[serde(default)]
    state: String,
}

pub async fn logout_confirm(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    form: Result<Form<ConfirmForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::BadForm)?;
    csrf::require(&headers, &form.csrf, state.secure_cookies)?;
    let client = match form.client_id.as_str() {
        "" => None,
        id if id.len() <= 128 => state.clients.get(id).await?,
        _ => None,
    };
    let redirect = Some(form.post_logout_redirect_uri.as_str()).filter(|r| !r.is_empty());
    check_redirect(redirect, client.as_ref(), ui.lang)?;
    if let Some((session, _)) = state.signed_in(&headers).await? {
        end_session(&state, &session).await?;
    }
    let mut response = finish(&state, ui, redirect, Some(form.state.as_str()).filter(|s| !s.is_empty()))?;
    response.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::SESSION, state.secure_cookies));
    Ok(response)
}

/// A `post_logout_redirect_uri` must be registered, exactly, for a known client.
fn check_redirect(redirect: Option<&str>, client: Option<&Client>, lang: Lang) -> Result<(), PageError> {
    match (redirect, client) {
        (None, _) => Ok(()),
        (Some(uri), Some(c)) if c.post_logout_uri_registered(uri) => Ok(()),
        _ => Err(PageError::BadRequest(msg(
            lang,
            "Alamat kembali setelah keluar (post_logout_redirect_uri) tidak terdaftar untuk aplikasi ini.",
            "The post-logout return address (post_logout_redirect_uri) is not registered for this application.",
        ))),
    }
}

fn finish(state: &AppState, ui: UiLang, redirect: Option<&str>, st: Option<&str>) -> Result<Response, PageError> {
    if let Some(uri) = redirect {
        let mut url = url::Url::parse(uri).map_err(|e| PageError::Server(e.to_string()))?;
        if let Some(s) = st {
            url.query_pairs_mut().append_pair("state", s);
        }
        return Ok(see_other(url.as_str()));
    }
    let html = state.theme.page("logged_out.html", &ui, context! {}).map_err(|e| PageError::Server(e.to_string()))?;
    Ok(Html(html).into_response())
}

/// Ends the session: removes it, revokes every grant made from it, owes a logout token to each
/// of its clients that registered a back-channel logout URI, and sends them (waiting a few
/// seconds at most; a client that does not answer is retried by the outbox).
pub async fn end_session(state: &AppState, session: &Session) -> Result<(), StoreError> {
    let now = now_unix();
    let mut tx = state.store.begin().await?;
    tx.enqueue_session_logouts(&session.sid, now).await?;
    tx.delete_session(&session.id_hash).await?;
    tx.revoke_session_grants(&session.sid, now).await?;
    tx.commit().await?;
    super::backchannel::deliver(state, Some(&session.sid)).await?;
    Ok(())
}

fn msg(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.into(),
        Lang::En => en.into(),
    }
}
