//! Step-up (`/masuk/langkah-2`): a signed-in person whose session is below the level an
//! application asked for gives only what is missing — today a TOTP code (or a recovery code) on
//! top of a password session. Attempts are throttled like passwords.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::error::PageError;
use super::lang::UiLang;
use super::login::{add_factor, record};
use super::{csrf, page};
use crate::oidc::authorize::load_pending;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct StepUpQuery {
    req: String,
}

#[derive(Debug, Deserialize)]
pub struct StepUpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    req: String,
    #[serde(default)]
    code: String,
}

pub async fn show(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    query: Result<Query<StepUpQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(q) = query.map_err(|_| PageError::BadForm)?;
    render(&state, ui, &headers, &q.req, StatusCode::OK, None).await
}

async fn render(
    state: &AppState,
    ui: UiLang,
    headers: &HeaderMap,
    req: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (_, _, client) = load_pending(state, req, ui.lang).await?;
    let Some((_, account)) = state.signed_in(headers).await? else {
        return Ok(Redirect::to(&format!("/authorize/lanjut?req={req}")).into_response());
    };
    let has_passkey = state.passkeys.enabled() && !state.passkeys.list(&account.id).await?.is_empty();
    let has_totp = crate::factors::status(&state.store, &account.id).await?.totp;
    let (token, csrf_cookie) = csrf::ensure(headers, state.secure_cookies);
    let html = state
        .theme
        .page(
            "step_up.html",
            &ui,
            context! { csrf => token, req => req, client_name => client.name, error => error, has_passkey => has_passkey,
                       has_totp => has_totp },
        )
        .map_err(|e| PageError::Server(e.to_string()))?;
    Ok(page::respond(status, html, csrf_cookie, &ui, state.secure_cookies))
}

pub async fn submit(
    State(state): State<AppState>,
    ui: UiLang,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<StepUpForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::BadForm)?;
    csrf::require(&headers, &form.csrf, state.secure_cookies)?;
    load_pending(&state, &form.req, ui.lang).await?;
    let Some((session, account)) = state.signed_in(&headers).await? else {
        return Ok(Redirect::to(&format!("/authorize/lanjut?req={}", form.req)).into_response());
    };
    let next = format!("/authorize/lanjut?req={}", form.req);
    let keys = state.throttle.keys(Some(&format!("otp:{}", account.id)), peer.ip());
    if let Some(until) = state.throttle.locked_until(&keys).await? {
        let msg = match ui.lang {
            gerbang_core::lang::Lang::Id => {
                format!("Terlalu banyak kode salah. Coba lagi setelah pukul {}.", crate::wib::time_of_day(until))
            }
            gerbang_core::lang::Lang::En => {
                format!("Too many wrong codes. Try again after {}.", crate::wib::time_of_day(until))
            }
        };
        return render(&state, ui, &headers, &form.req, StatusCode::TOO_MANY_REQUESTS, Some(msg)).await;
    }
    let user_agent: String =
        headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").chars().take(200).collect();
    let address = peer.ip().to_string();
    let server = |e: crate::factors::totp::TotpError| PageError::Server(e.to_string());
    let digits: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    let (method, recovery_left) = if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
        if state.totp.verify(&account.id, &digits).await.map_err(server)? { ("otp", None) } else { ("", None) }
    } else {
        match state.totp.use_recovery_code(&account.id, &form.code).await.map_err(server)? {
            Some(left) => ("recovery", Some(left)),
            None => ("", None),
        }
    };
    if method.is_empty() {
        state.throttle.failed(&keys).await?;
        record(&state, &account.id, "otp", "wrong_code", &address, &user_agent).await?;
        let msg = state.theme.string(ui.lang, "step_up_wrong");
        return render(&state, ui, &headers, &form.req, StatusCode::UNAUTHORIZED, Some(msg)).await;
    }
    state.throttle.succeeded(&keys).await?;
    // A recovery code stands in for the TOTP device: the session gains `otp` either way.
    add_factor(&state, &session, "otp", method, &address, &user_agent).await?;
    match recovery_left {
        None => Ok(Redirect::to(&next).into_response()),
        Some(left) => {
            let message = format!("{} {left}", state.theme.string(ui.lang, "recovery_used_message"));
            let title = state.theme.string(ui.lang, "recovery_used_title");
            let html = state
                .theme
                .page("notice.html", &ui, context! { title => title, message => message, next => next })
                .map_err(|e| PageError::Server(e.to_string()))?;
            Ok(page::respond(StatusCode::OK, html, None, &ui, state.secure_cookies))
        }
    }
}
