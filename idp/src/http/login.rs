//! The sign-in form (`/masuk`) and sign-out (`/keluar`).

use std::net::SocketAddr;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::SameSite;
use gerbang_core::lang::{Lang, Localized};
use gerbang_core::store::{FactorStore, SessionStore, SignIn, now_unix};
use minijinja::context;
use serde::Deserialize;

use super::error::PageError;
use super::lang::UiLang;
use super::{cookies, csrf, page};
use crate::accounts::Identity;
use crate::login::password::{self, LoginError};
use crate::state::AppState;
use crate::wib;

#[derive(Debug, Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    return_to: String,
    /// From an OIDC `login_hint`: pre-fills the identifier.
    #[serde(default)]
    login_hint: String,
    /// Set by `/authorize` when a fresh sign-in is required even with a session.
    #[serde(default)]
    force: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    return_to: String,
}

pub async fn show(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    query: Result<Query<LoginQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    // Already signed in: go on without asking again.
    if query.force.is_none() && state.signed_in(&headers).await?.is_some() {
        return Ok(Redirect::to(safe_return_to(&query.return_to)).into_response());
    }
    let hint: String =
        query.login_hint.chars().filter(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-')).take(32).collect();
    render_form(&state, ui, &headers, StatusCode::OK, &query.return_to, &hint, None).await
}

pub async fn submit(
    State(state): State<AppState>,
    ui: UiLang,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::BadForm)?;
    csrf::require(&headers, &form.csrf, state.secure_cookies)?;
    let address = peer.ip();
    let lang = ui.lang;
    let locked_msg = move |until: i64| match lang {
        Lang::Id => {
            format!("Terlalu banyak percobaan masuk. Silakan coba lagi setelah pukul {}.", wib::time_of_day(until))
        }
        Lang::En => format!("Too many sign-in attempts. Please try again after {}.", wib::time_of_day(until)),
    };
    if !state.throttle.admit(address) {
        let msg = locked_msg(now_unix() + 60);
        return render_form(
            &state,
            ui,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            &form.return_to,
            &form.identifier,
            Some(msg),
        )
        .await;
    }
    let parsed = Identity::parse(&form.identifier);
    let keys = state.throttle.keys(parsed.as_ref().ok().map(Identity::digits), address);
    if let Some(until) = state.throttle.locked_until(&keys).await? {
        let msg = locked_msg(until);
        return render_form(
            &state,
            ui,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            &form.return_to,
            &form.identifier,
            Some(msg),
        )
        .await;
    }
    let identity = match parsed {
        Ok(identity) => identity,
        Err(e) => {
            state.throttle.failed(&keys).await?;
            let msg = e.message(ui.lang);
            return render_form(
                &state,
                ui,
                &headers,
                StatusCode::BAD_REQUEST,
                &form.return_to,
                &form.identifier,
                Some(msg),
            )
            .await;
        }
    };
    let user_agent: String =
        headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").chars().take(200).collect();
    let account = match password::verify(&state.accounts, &identity, &form.password).await {
        Ok(account) => account,
        Err(LoginError::Account(e)) => return Err(PageError::from_account(e, ui.lang)),
        Err(e) => {
            tracing::info!(identity = %identity.display(), result = "refused", "password sign-in");
            let locked = state.throttle.failed(&keys).await?;
            let account = match &e {
                LoginError::InvalidCredentials { account } => account.clone(),
                LoginError::Disabled { account } => Some(account.clone()),
                LoginError::Account(_) => None,
            };
            if let Some(id) = account {
                let result = if matches!(e, LoginError::Disabled { .. }) { "disabled" } else { "wrong_credentials" };
                record(&state, &id, "pwd", result, &address.to_string(), &user_agent).await?;
            }
            let (status, msg) = match locked {
                Some(until) => (StatusCode::TOO_MANY_REQUESTS, locked_msg(until)),
                None => (StatusCode::UNAUTHORIZED, e.message(ui.lang)),
            };
            return render_form(&state, ui, &headers, status, &form.return_to, &form.identifier, Some(msg)).await;
        }
    };
    state.throttle.succeeded(&keys).await?;
    let cookie = start_session(&state, &headers, &account, "pwd", &address.to_string(), &user_agent).await?;
    tracing::info!(account = %account.id, result = "ok", "password sign-in");
    let mut response = Redirect::to(safe_return_to(&form.return_to)).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

/// After a verified first sign-in (password or passkey): ends the browser's previous session (a
/// new id at every sign-in: no session fixation), starts a new one, records it, and returns the
/// session cookie to set.
pub async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    account: &gerbang_core::store::Account,
    method: &str,
    address: &str,
    user_agent: &str,
) -> Result<axum::http::HeaderValue, gerbang_core::store::StoreError> {
    if let Some(old) = cookies::get(headers, cookies::SESSION, state.secure_cookies) {
        state.sessions.end(&old).await?;
    }
    let new = state.sessions.create(account, method, user_agent, address).await?;
    record(state, &account.id, method, "ok", address, user_agent).await?;
    Ok(cookies::set(
        cookies::SESSION,
        &new.cookie_value,
        state.secure_cookies,
        SameSite::Lax,
        Some(state.sessions.ttl_secs()),
    ))
}

/// After a verified second factor: `amr` gains the method and the authentication time moves on
/// (the session is now as strong and as fresh as that step).
pub async fn add_factor(
    state: &AppState,
    session: &gerbang_core::store::Session,
    amr: &str,
    recorded_as: &str,
    address: &str,
    user_agent: &str,
) -> Result<(), gerbang_core::store::StoreError> {
    let mut methods: Vec<&str> = session.amr.split(' ').filter(|m| !m.is_empty()).collect();
    if !methods.contains(&amr) {
        methods.push(amr);
    }
    let mut tx = state.store.begin().await?;
    tx.update_session_auth(&session.id_hash, &methods.join(" "), now_unix()).await?;
    tx.commit().await?;
    record(state, &session.account_id, recorded_as, "ok", address, user_agent).await
}

/// Adds a line to the account's sign-in history (shown on the account page).
pub async fn record(
    state: &AppState,
    account_id: &str,
    method: &str,
    result: &str,
    address: &str,
    user_agent: &str,
) -> Result<(), gerbang_core::store::StoreError> {
    let event = SignIn {
        at: now_unix(),
        method: method.into(),
        result: result.into(),
        source_ip: address.into(),
        user_agent: user_agent.into(),
    };
    let mut tx = state.store.begin().await?;
    tx.record_sign_in(account_id, event.at, &event).await?;
    tx.commit().await
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::BadForm)?;
    csrf::require(&headers, &form.csrf, state.secure_cookies)?;
    if let Some((session, _)) = state.signed_in(&headers).await? {
        crate::oidc::logout::end_session(&state, &session).await?;
    }
    let mut response = Redirect::to("/masuk").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::SESSION, state.secure_cookies));
    Ok(response)
}

async fn render_form(
    state: &AppState,
    ui: UiLang,
    headers: &HeaderMap,
    status: StatusCode,
    return_to: &str,
    identifier: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (token, csrf_cookie) = csrf::ensure(headers, state.secure_cookies);
    let client_name = crate::oidc::authorize::pending_client_name(state, return_to).await;
    let register_href = state.lifecycle.registration_open().then(|| {
        let back: String = url::form_urlencoded::byte_serialize(safe_return_to(return_to).as_bytes()).collect();
        format!("/daftar?return_to={back}")
    });
    let html = state
        .theme
        .page(
            "login.html",
            &ui,
            context! { csrf => token, return_to => safe_return_to(return_to), identifier => identifier, error => error,
            client_name => client_name, register_href => register_href },
        )
        .map_err(|e| PageError::Server(e.to_string()))?;
    Ok(page::respond(status, html, csrf_cookie, &ui, state.secure_cookies))
}

/// Only a local path may be a return target: never another origin (open redirect), never
/// `//host` or `/\host`, which browsers treat as another origin.
pub fn safe_return_to(target: &str) -> &str {
    let ok = target.starts_with('/')
        && !target.starts_with("//")
        && !target.starts_with("/\\")
        && !target.chars().any(|c| c.is_control());
    if ok { target } else { "/akun" }
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn return_to_stays_local() {
        assert_eq!(safe_return_to("/akun?x=1"), "/akun?x=1");
        for bad in ["https://evil.example/", "//evil.example", "/\\evil.example", "", "akun", "/a\nb"] {
            assert_eq!(safe_return_to(bad), "/akun", "{bad:?}");
        }
    }
}
