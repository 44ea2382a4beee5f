//! Citizens' self-registration pages: the form (`/daftar`), the codes sent to the contacts
//! (`/daftar/verifikasi`) and a new code (`/daftar/kirim-ulang`). The pending registration is
//! named by an HttpOnly cookie, never by the URL.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::SameSite;
use gerbang_core::lang::{Lang, Localized};
use minijinja::context;
use serde::Deserialize;

use super::admin::{FormData, Q};
use super::error::PageError;
use super::lang::UiLang;
use super::login::{safe_return_to, start_session};
use super::{cookies, csrf, page};
use crate::lifecycle::LifecycleError;
use crate::lifecycle::registration::{Registered, RegistrationInput};
use crate::notify::Channel;
use crate::state::AppState;

/// The cookie naming the registration waiting for its codes.
const PENDING: &str = "gerbang_reg";
const PENDING_COOKIE_SECS: i64 = 3600;

type Page = Result<Response, PageError>;

#[derive(Debug, Default, Deserialize)]
pub struct ReturnTo {
    #[serde(default)]
    return_to: String,
}

pub async fn show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(query): Q<ReturnTo>) -> Page {
    let return_to = query.return_to;
    let form = RegistrationInput::default();
    render_form(&state, ui, &headers, StatusCode::OK, &form, safe_return_to(&return_to), None)
}

pub async fn submit(
    State(state): State<AppState>,
    ui: UiLang,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    f: FormData,
) -> Page {
    csrf::require(&headers, f.get("csrf"), state.secure_cookies)?;
    let return_to = safe_return_to(f.get("return_to")).to_string();
    let input: RegistrationInput = serde_json::from_value(f.json()).map_err(|_| PageError::BadForm)?;
    match state.lifecycle.start_registration(&input, peer.ip(), ui.lang).await {
        Ok(started) => {
            let mut response =
                Redirect::to(&format!("/daftar/verifikasi?return_to={}", enc(&return_to))).into_response();
            let cookie = cookies::set(
                PENDING,
                &started.pending_id,
                state.secure_cookies,
                SameSite::Lax,
                Some(PENDING_COOKIE_SECS),
            );
            response.headers_mut().append(header::SET_COOKIE, cookie);
            Ok(response)
        }
        Err(e) => {
            let (status, message) = refused(e, ui.lang)?;
            render_form(&state, ui, &headers, status, &input, &return_to, Some(message))
        }
    }
}

pub async fn codes_page(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(query): Q<ReturnTo>) -> Page {
    let return_to = query.return_to;
    render_codes(&state, ui, &headers, StatusCode::OK, safe_return_to(&return_to), None, None).await
}

pub async fn codes_submit(
    State(state): State<AppState>,
    ui: UiLang,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    f: FormData,
) -> Page {
    csrf::require(&headers, f.get("csrf"), state.secure_cookies)?;
    let return_to = safe_return_to(f.get("return_to")).to_string();
    let Some(pending) = cookies::get(&headers, PENDING, state.secure_cookies) else {
        return render_codes(&state, ui, &headers, StatusCode::BAD_REQUEST, &return_to, None, None).await;
    };
    let typed: Vec<(Channel, String)> =
        Channel::ALL.into_iter().map(|c| (c, f.get(&format!("code_{}", c.as_str())).to_string())).collect();
    let registered = match state.lifecycle.complete_registration(&pending, &typed).await {
        Ok(r) => r,
        Err(e) => {
            let (status, message) = refused(e, ui.lang)?;
            return render_codes(&state, ui, &headers, status, &return_to, None, Some(message)).await;
        }
    };
    let clear = cookies::clear(PENDING, state.secure_cookies);
    match registered {
        Registered::Account(account) => {
            let user_agent: String =
                headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").chars().take(200).collect();
            let session = start_session(&state, &headers, &account, "pwd", &peer.ip().to_string(), &user_agent).await?;
            let mut response = Redirect::to(&return_to).into_response();
            response.headers_mut().append(header::SET_COOKIE, session);
            response.headers_mut().append(header::SET_COOKIE, clear);
            Ok(response)
        }
        Registered::NikTaken => {
            let mut response = page::notice(
                &state,
                &ui,
                StatusCode::CONFLICT,
                "register_taken_title",
                "register_taken",
                "/lupa-sandi",
            )?;
            response.headers_mut().append(header::SET_COOKIE, clear);
            Ok(response)
        }
    }
}

pub async fn resend(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    csrf::require(&headers, f.get("csrf"), state.secure_cookies)?;
    let return_to = safe_return_to(f.get("return_to")).to_string();
    let Some(pending) = cookies::get(&headers, PENDING, state.secure_cookies) else {
        return render_codes(&state, ui, &headers, StatusCode::BAD_REQUEST, &return_to, None, None).await;
    };
    match state.lifecycle.resend_registration_codes(&pending, ui.lang).await {
        Ok(()) => {
            let notice = state.theme.string(ui.lang, "code_resent");
            render_codes(&state, ui, &headers, StatusCode::OK, &return_to, Some(notice), None).await
        }
        Err(e) => {
            let (status, message) = refused(e, ui.lang)?;
            render_codes(&state, ui, &headers, status, &return_to, None, Some(message)).await
        }
    }
}

/// A refusal to show with its form (status and message), or the error page for the server's
/// own failures.
pub(super) fn refused(e: LifecycleError, lang: Lang) -> Result<(StatusCode, String), PageError> {
    let status = match &e {
        LifecycleError::TooMany => Some(StatusCode::TOO_MANY_REQUESTS),
        LifecycleError::Delivery(_) => Some(StatusCode::SERVICE_UNAVAILABLE),
        LifecycleError::RegistrationClosed => Some(StatusCode::FORBIDDEN),
        e if e.is_refusal() => Some(StatusCode::BAD_REQUEST),
        _ => None,
    };
    match status {
        Some(status) => Ok((status, e.message(lang))),
        None => Err(PageError::from_lifecycle(e)),
    }
}

fn render_form(
    state: &AppState,
    ui: UiLang,
    headers: &HeaderMap,
    status: StatusCode,
    form: &RegistrationInput,
    return_to: &str,
    error: Option<String>,
) -> Page {
    let lifecycle = &state.lifecycle;
    if !lifecycle.registration_open() {
        return page::notice(state, &ui, StatusCode::FORBIDDEN, "register_title", "register_closed", "/masuk");
    }
    let (token, csrf_cookie) = csrf::ensure(headers, state.secure_cookies);
    let channels = lifecycle.channels();
    // Values typed come back, except the passwords.
    let shown = context! { nik => form.nik, name => form.name, birth_date => form.birth_date, sex => form.sex,
    email => form.email, phone => form.phone };
    let html = state
        .theme
        .page(
            "register.html",
            &ui,
            context! { csrf => token, return_to => return_to, error => error, form => shown,
            login_href => format!("/masuk?return_to={}", enc(return_to)),
            challenge => lifecycle.challenge(), min_password => state.accounts.min_password_len(),
            offers_email => channels.contains(&Channel::Email), offers_sms => channels.contains(&Channel::Sms) },
        )
        .map_err(|e| PageError::Server(e.to_string()))?;
    Ok(page::respond(status, html, csrf_cookie, &ui, state.secure_cookies))
}

async fn render_codes(
    state: &AppState,
    ui: UiLang,
    headers: &HeaderMap,
    status: StatusCode,
    return_to: &str,
    notice: Option<String>,
    error: Option<String>,
) -> Page {
    let t = |key: &str| state.theme.string(ui.lang, key);
    let pending = cookies::get(headers, PENDING, state.secure_cookies);
    let sent_to = match &pending {
        Some(id) => state.lifecycle.pending_contacts(id).await.map_err(PageError::from_lifecycle)?,
        None => None,
    };
    let Some(sent_to) = sent_to else {
        let status = if status == StatusCode::OK { StatusCode::NOT_FOUND } else { status };
        return page::notice(state, &ui, status, "register_title", "register_gone", "/daftar");
    };
    let (token, csrf_cookie) = csrf::ensure(headers, state.secure_cookies);
    let codes: Vec<minijinja::Value> = sent_to
        .iter()
        .map(|(channel, masked)| {
            let label = t(&format!("code_label_{}", channel.as_str())).replace("{to}", masked);
            context! { name => format!("code_{}", channel.as_str()), label => label }
        })
        .collect();
    let html = state
        .theme
        .page(
            "code.html",
            &ui,
            context! { csrf => token, return_to => return_to, title => t("register_codes_title"),
            lead => t("register_codes_lead"), codes => codes, new_password => false, notice => notice,
            error => error, action => "/daftar/verifikasi", resend => "/daftar/kirim-ulang",
            button => t("register_codes_button"), restart => "/daftar", min_password => 0 },
        )
        .map_err(|e| PageError::Server(e.to_string()))?;
    Ok(page::respond(status, html, csrf_cookie, &ui, state.secure_cookies))
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
