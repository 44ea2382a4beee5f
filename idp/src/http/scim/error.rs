//! `ScimError`: every refusal of the SCIM endpoints, mapped in one place to the SCIM error
//! response (RFC 7644 §3.12): an HTTP status, a `scimType` where the RFC defines one, a detail.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gerbang_core::lang::{Lang, Localized};
use gerbang_core::store::StoreError;
use serde_json::json;

use crate::hr::HrError;

pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

#[derive(Debug)]
pub enum ScimError {
    /// No bearer token, or one that is not valid.
    Unauthorized(&'static str),
    /// A valid token without the SCIM scope, or a person's token.
    Forbidden(&'static str),
    NotFound,
    /// The request body is not JSON, or not the shape the RFC asks.
    InvalidSyntax(String),
    InvalidFilter(String),
    InvalidPath(String),
    InvalidValue(String),
    /// An attribute that cannot be changed this way (e.g. the NIP).
    Mutability(String),
    /// The NIP already has an account.
    Uniqueness(String),
    /// An operation this server does not offer.
    NotImplemented(&'static str),
    MethodNotAllowed,
    Unavailable(String),
}

impl ScimError {
    /// The refusal of a record by the HR service, in the caller's language.
    pub fn from_hr(e: HrError, lang: Lang) -> ScimError {
        if let Some(row) = e.as_row() {
            return ScimError::InvalidValue(row.message(lang));
        }
        match e {
            HrError::Account(crate::accounts::AccountError::NotFound) => ScimError::NotFound,
            HrError::Store(s) | HrError::Account(crate::accounts::AccountError::Store(s)) => s.into(),
            other => ScimError::Unavailable(other.to_string()),
        }
    }
}

impl From<StoreError> for ScimError {
    fn from(e: StoreError) -> ScimError {
        tracing::error!(error = %e, "SCIM request failed on the store");
        ScimError::Unavailable("the database is not available; try again shortly".into())
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let (status, scim_type, detail) = match self {
            ScimError::Unauthorized(d) => (StatusCode::UNAUTHORIZED, None, d.to_string()),
            ScimError::Forbidden(d) => (StatusCode::FORBIDDEN, None, d.to_string()),
            ScimError::NotFound => (StatusCode::NOT_FOUND, None, "no such resource".to_string()),
            ScimError::InvalidSyntax(d) => (StatusCode::BAD_REQUEST, Some("invalidSyntax"), d),
            ScimError::InvalidFilter(d) => (StatusCode::BAD_REQUEST, Some("invalidFilter"), d),
            ScimError::InvalidPath(d) => (StatusCode::BAD_REQUEST, Some("invalidPath"), d),
            ScimError::InvalidValue(d) => (StatusCode::BAD_REQUEST, Some("invalidValue"), d),
            ScimError::Mutability(d) => (StatusCode::BAD_REQUEST, Some("mutability"), d),
            ScimError::Uniqueness(d) => (StatusCode::CONFLICT, Some("uniqueness"), d),
            ScimError::NotImplemented(d) => (StatusCode::NOT_IMPLEMENTED, None, d.to_string()),
            ScimError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, None, "method not allowed".to_string()),
            ScimError::Unavailable(d) => (StatusCode::SERVICE_UNAVAILABLE, None, d),
        };
        let mut body = json!({ "schemas": [ERROR_SCHEMA], "status": status.as_u16().to_string(), "detail": detail });
        if let Some(t) = scim_type {
            body["scimType"] = json!(t);
        }
        let mut response = super::scim_json(status, &body);
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"scim\""));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

/// The answer to a request carrying a NUL character or an oversized body.
pub fn refuse_bad_text(bad: gerbang_core::http::text_guard::BadText) -> Response {
    ScimError::InvalidSyntax(bad.describe().into()).into_response()
}
