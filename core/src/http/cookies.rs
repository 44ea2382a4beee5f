//! Reading and writing cookies, with the `__Host-` prefix over https so that no other subdomain
//! of the city can plant or overwrite them. Cookies are host-only (no `Domain`).

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};

pub const SESSION: &str = "gerbang_sid";
pub const CSRF: &str = "gerbang_csrf";
pub const LANG: &str = "gerbang_lang";

pub fn name(base: &str, secure: bool) -> String {
    if secure { format!("__Host-{base}") } else { base.to_string() }
}

/// The value of cookie `base` (prefixed as configured) from the request.
pub fn get(headers: &HeaderMap, base: &str, secure: bool) -> Option<String> {
    let wanted = name(base, secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_string()))
        .filter_map(Result::ok)
        .find(|c| c.name() == wanted)
        .map(|c| c.value().to_string())
}

/// A `Set-Cookie` value: `HttpOnly`, `Path=/`, `SameSite` as given; `Max-Age` when `max_age` is set.
pub fn set(base: &str, value: &str, secure: bool, same_site: SameSite, max_age: Option<i64>) -> HeaderValue {
    let mut c = Cookie::build((name(base, secure), value.to_string()))
        .http_only(true)
        .secure(secure)
        .path("/")
        .same_site(same_site);
    if let Some(secs) = max_age {
        c = c.max_age(cookie::time::Duration::seconds(secs));
    }
    HeaderValue::from_str(&c.build().to_string()).expect("cookie values are base64url or fixed text")
}

pub fn clear(base: &str, secure: bool) -> HeaderValue {
    set(base, "", secure, SameSite::Lax, Some(0))
}
