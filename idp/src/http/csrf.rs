//! CSRF protection for every form: a random token in a `SameSite=Strict` cookie that the form
//! must echo (double submit). The `__Host-` prefix over https stops sibling subdomains from
//! planting the cookie.

use axum::http::{HeaderMap, HeaderValue};
use cookie::SameSite;
use gerbang_core::crypto::random;
use subtle::ConstantTimeEq;

use super::cookies;

/// The token to put in the form, and the `Set-Cookie` to send when it is new.
pub fn ensure(headers: &HeaderMap, secure: bool) -> (String, Option<HeaderValue>) {
    match cookies::get(headers, cookies::CSRF, secure).filter(|t| t.len() == 43) {
        Some(token) => (token, None),
        None => {
            let token = random::token(32);
            let cookie = cookies::set(cookies::CSRF, &token, secure, SameSite::Strict, None);
            (token, Some(cookie))
        }
    }
}

/// For page forms: a missing or wrong token is `PageError::CsrfFailed` (403 page).
pub fn require(headers: &HeaderMap, submitted: &str, secure: bool) -> Result<(), super::error::PageError> {
    if verify(headers, submitted, secure) { Ok(()) } else { Err(super::error::PageError::CsrfFailed) }
}

/// True when the submitted token matches the cookie (compared in constant time).
pub fn verify(headers: &HeaderMap, submitted: &str, secure: bool) -> bool {
    match cookies::get(headers, cookies::CSRF, secure) {
        Some(cookie) if cookie.len() == 43 => bool::from(cookie.as_bytes().ct_eq(submitted.as_bytes())),
        _ => false,
    }
}
