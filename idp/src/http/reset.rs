//! Forgotten password: ask for a code by NIP/NIK and channel (`/lupa-sandi`), then enter it with
//! a new password (`/lupa-sandi/kode`). The request is named by an HttpOnly cookie. Afterwards
//! every session of the account has ended, and its applications get back-channel logouts.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::SameSite;
use minijinja::context;

use super::admin::FormData;
use super::error::PageError;
use super::lang::UiLang;
use super::register::refused;
use super::{cookies, csrf, page};
use crate::state::AppState;

/// The cookie naming the reset request in progress.
const REQUEST: &str = "gerbang_reset";

type Page = Result<Response, PageError>;

pub async fn show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Page {
    render_request(&state, ui, &headers, StatusCode::OK, "", None)
}

/// `/aktivasi`: the same flow, worded for a civil servant whose account came from SIMPEG and
/// who has no password yet (the code goes to the contact the HR system holds).
pub async fn activation(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Page {
    render(&state, ui, &headers, StatusCode::OK, "", None, true)
}

pub async fn submit(
    State(state): State<AppState>,
    ui: UiLang,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    f: FormData,
) -> Page {
    csrf::require(&headers, f.get("csrf"), state.secure_cookies)?;
    let identifier = f.get("identifier");
    match state.lifecycle.start_reset(identifier, f.get("channel"), peer.ip(), ui.lang).await {
        Ok(request) => {
            let mut response = Redirect::to("/lupa-sandi/kode").into_response();
            let ttl = Some(state.lifecycle.code_ttl_secs());
            let cookie = cookies::set(REQUEST, &request, state.secure_cookies, SameSite::Lax, ttl);
            response.headers_mut().append(header::SET_COOKIE, cookie);
            Ok(response)
        }
        Err(e) => {
            let (status, message) = refused(e, ui.lang)?;
            render_request(&state, ui, &headers, status, identifier, Some(message))
        }
    }
}

pub async fn codes_page(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Page {
    if cookies::get(&headers, REQUEST, state.secure_cookies).is_none() {
        return Ok(Redirect::to("/lupa-sandi").into_response());
    }
    render_code(&state, ui, &headers, StatusCode::OK, None)
}

pub async fn codes_submit(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    csrf::require(&headers, f.get("csrf"), state.secure_cookies)?;
    let Some(request) = cookies::get(&headers, REQUEST, state.secure_cookies) else {
        return Ok(Redirect::to("/lupa-sandi").into_response());
    };
    // The sessions end in the same transaction; their applications hear of it from the outbox.
    if let Err(e) =
        state.lifecycle.complete_reset(&request, f.get("code"), f.get("password"), f.get("password_again")).await
    {
        let (status, message) = refused(e, ui.lang)?;
        return render_code(&state, ui, &headers, status, Some(message));
    }
    let mut response = page::notice(&state, &ui, StatusCode::OK, "reset_done_title", "reset_done", "/masuk")?;
    response.headers_mut().append(header::SET_COOKIE, cookies::clear(REQUEST, state.secure_cookies));
    response.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::SESSION, state.secure_cookies));
    Ok(response)
}

fn render_request(
    state: &AppState,
    ui: UiLang,
    headers: &HeaderMap,
    status: StatusCode,
    identifier: &str,
    error: Option<String>,
) -> Page {
    render(state, ui, headers, status, identifier, error, false)
}

fn render(
    state: &AppState,
    ui: UiLang,
    headers: &HeaderMap,
    status: StatusCode,
    identifier: &str,
    error: Option<String>,
    activation: bool,
) -> Page {
    let (token, csrf_cookie) = csrf::ensure(headers, state.secure_cookies);
    let channels: Vec<minijinja::Value> = state
        .lifecycle
        .channels()
        .into_iter()
        .map(|c| context! { value => c.as_str(), label => state.theme.string(ui.lang, &format!("channel_{}", c.as_str())) })
        .collect();
    let identifier: String = identifier.chars().take(40).collect();
    let html = state
        .theme
        .page(
            "reset.html",
            &ui,
            context! { csrf => token, channels => channels, identifier => identifier, error => error,
            activation => activation },
        )
        .map_err(|e| PageError::Server(e.to_string()))?;
    Ok(page::respond(status, html, csrf_cookie, &ui, state.secure_cookies))
}

fn render_code(state: &AppState, ui: UiLang, headers: &HeaderMap, status: StatusCode, error: Option<String>) -> Page {
    let t = |key: &str| state.theme.string(ui.lang, key);
    let (token, csrf_cookie) = csrf::ensure(headers, state.secure_cookies);
    let codes = vec![context! { name => "code", label => t("reset_code_label") }];
    let html = state
        .theme
        .page(
            "code.html",
            &ui,
            context! { csrf => token, return_to => "/akun", title => t("reset_title"), lead => t("reset_code_lead"),
            codes => codes, new_password => true, notice => None::<String>, error => error,
            action => "/lupa-sandi/kode", resend => None::<String>, button => t("reset_code_button"),
            restart => "/lupa-sandi", min_password => state.accounts.min_password_len() },
        )
        .map_err(|e| PageError::Server(e.to_string()))?;
    Ok(page::respond(status, html, csrf_cookie, &ui, state.secure_cookies))
}
