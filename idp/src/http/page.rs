//! The tail every HTML page shares: the CSRF cookie when it is new, the language cookie when the
//! language was just chosen, and `no-store` (pages show personal data).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use cookie::SameSite;

use super::cookies;
use super::lang::UiLang;

pub fn respond(
    status: StatusCode,
    html: String,
    csrf_cookie: Option<HeaderValue>,
    ui: &UiLang,
    secure: bool,
) -> Response {
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    if let Some(c) = csrf_cookie {
        headers.append(header::SET_COOKIE, c);
    }
    if ui.chosen_now {
        let c = cookies::set(cookies::LANG, ui.lang.tag(), secure, SameSite::Lax, Some(365 * 86400));
        headers.append(header::SET_COOKIE, c);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A short page of one message and a link on (`notice.html`), from the theme's strings `title`
/// and `message`.
pub fn notice(
    state: &crate::state::AppState,
    ui: &UiLang,
    status: StatusCode,
    title: &str,
    message: &str,
    next: &str,
) -> Result<Response, super::error::PageError> {
    let t = |key: &str| state.theme.string(ui.lang, key);
    let ctx = minijinja::context! { title => t(title), message => t(message), next => next };
    let html = state.theme.page("notice.html", ui, ctx).map_err(|e| super::error::PageError::Server(e.to_string()))?;
    Ok(respond(status, html, None, ui, state.secure_cookies))
}
