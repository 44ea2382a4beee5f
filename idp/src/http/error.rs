//! The IdP's human-facing error: `PageError`, rendered as a themed page in the user's language.
//! (Protocol endpoints get `ProtocolError` with the OIDC provider.) Handlers return the enum;
//! `render_page_errors` turns it into HTML once the request's language is known.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use gerbang_core::lang::{Lang, Localized};
use gerbang_core::store::StoreError;
use minijinja::context;

use super::lang::UiLang;
use crate::accounts::AccountError;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub enum PageError {
    NotFound,
    MethodNotAllowed,
    /// The signed-in person lacks the role this page needs.
    Forbidden,
    /// The form's CSRF token was missing or wrong.
    CsrfFailed,
    /// The form could not be read at all.
    BadForm,
    /// A clear message for the person, already localised.
    BadRequest(String),
    /// The database cannot be reached.
    Unavailable,
    /// Too much work at once (a sign-in flood): try again shortly.
    Busy,
    /// Anything else; the cause is logged with the request id, never shown.
    Server(String),
}

impl PageError {
    fn status(&self) -> StatusCode {
        match self {
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            PageError::CsrfFailed | PageError::Forbidden => StatusCode::FORBIDDEN,
            PageError::BadForm | PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Unavailable | PageError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Server(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The key of the message in the theme's string table, or the message itself.
    fn message(&self) -> Message<'_> {
        match self {
            PageError::NotFound => Message::Key("error_not_found"),
            PageError::MethodNotAllowed => Message::Key("error_method"),
            PageError::CsrfFailed => Message::Key("error_csrf"),
            PageError::Forbidden => Message::Key("error_forbidden"),
            PageError::BadForm => Message::Key("error_bad_form"),
            PageError::BadRequest(text) => Message::Text(text),
            PageError::Unavailable => Message::Key("error_unavailable"),
            PageError::Busy => Message::Key("error_busy"),
            PageError::Server(_) => Message::Key("error_server"),
        }
    }

    pub fn from_store(e: StoreError) -> PageError {
        match e {
            StoreError::Unavailable(_) => PageError::Unavailable,
            other => PageError::Server(other.to_string()),
        }
    }

    /// A lifecycle error that is not shown next to its form: the server's own failures.
    pub fn from_lifecycle(e: crate::lifecycle::LifecycleError) -> PageError {
        use crate::lifecycle::LifecycleError as L;
        match e {
            L::Store(s) | L::Account(AccountError::Store(s)) => PageError::from_store(s),
            L::Account(AccountError::Busy) => PageError::Busy,
            L::Delivery(_) => PageError::Unavailable,
            other => PageError::Server(other.to_string()),
        }
    }

    pub fn from_account(e: AccountError, lang: Lang) -> PageError {
        match e {
            AccountError::Store(s) => PageError::from_store(s),
            AccountError::Busy => PageError::Busy,
            AccountError::Seal(s) => PageError::Server(s.to_string()),
            other => PageError::BadRequest(other.message(lang)),
        }
    }
}

enum Message<'a> {
    Key(&'static str),
    Text(&'a str),
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        PageError::from_store(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Middleware: renders any `PageError` left in a response as the themed error page.
pub async fn render_page_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let ui = UiLang::detect(request.uri(), request.headers());
    let lang = ui.lang;
    let request_id =
        request.headers().get(gerbang_core::http::REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_string();
    let mut response = next.run(request).await;
    let Some(error) = response.extensions_mut().remove::<PageError>() else {
        return response;
    };
    match &error {
        PageError::Server(cause) => {
            tracing::error!(request_id = %request_id, cause = %cause, "server error")
        }
        PageError::Unavailable => tracing::warn!(request_id = %request_id, "database unavailable"),
        _ => {}
    }
    let status = error.status();
    let message = match error.message() {
        Message::Key(key) => state.theme.string(lang, key),
        Message::Text(text) => text.to_string(),
    };
    let title = state.theme.string(lang, &format!("error_title_{}", status.as_u16()));
    let ctx = context! { status => status.as_u16(), title => title, message => message, request_id => request_id };
    let mut page = match state.theme.page("error.html", &ui, ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (status, "Terjadi kesalahan / Something went wrong").into_response()
        }
    };
    page.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        page.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    page
}

/// The error of protocol endpoints (`/token`, `/userinfo`, `/introspect`, `/revoke`): OAuth2
/// error JSON (RFC 6749 §5.2, RFC 6750 §3), never cached.
#[derive(Debug, Clone)]
pub enum ProtocolError {
    InvalidRequest(String),
    /// Client authentication failed; `basic` when it came in an `Authorization: Basic` header.
    InvalidClient {
        basic: bool,
        reason: &'static str,
    },
    InvalidGrant(&'static str),
    UnauthorizedClient(&'static str),
    UnsupportedGrantType,
    InvalidScope(String),
    /// A bearer token that is missing, malformed, expired or revoked (RFC 6750 §3.1).
    InvalidToken(&'static str),
    InvalidTarget(&'static str),
    TemporarilyUnavailable,
    Server(String),
}

impl ProtocolError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ProtocolError::InvalidRequest(d) => (StatusCode::BAD_REQUEST, "invalid_request", d.clone()),
            ProtocolError::InvalidClient { reason, .. } => {
                (StatusCode::UNAUTHORIZED, "invalid_client", (*reason).to_string())
            }
            ProtocolError::InvalidGrant(d) => (StatusCode::BAD_REQUEST, "invalid_grant", (*d).to_string()),
            ProtocolError::UnauthorizedClient(d) => (StatusCode::BAD_REQUEST, "unauthorized_client", (*d).to_string()),
            ProtocolError::UnsupportedGrantType => {
                (StatusCode::BAD_REQUEST, "unsupported_grant_type", "grant_type is not supported".into())
            }
            ProtocolError::InvalidScope(d) => (StatusCode::BAD_REQUEST, "invalid_scope", d.clone()),
            ProtocolError::InvalidToken(d) => (StatusCode::UNAUTHORIZED, "invalid_token", (*d).to_string()),
            ProtocolError::InvalidTarget(d) => (StatusCode::BAD_REQUEST, "invalid_target", (*d).to_string()),
            ProtocolError::TemporarilyUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "the service is temporarily unavailable (database unreachable or busy); try again shortly".into(),
            ),
            ProtocolError::Server(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "server_error", "internal error; see the server log".into())
            }
        }
    }
}

impl From<StoreError> for ProtocolError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => ProtocolError::TemporarilyUnavailable,
            other => ProtocolError::Server(other.to_string()),
        }
    }
}

impl IntoResponse for ProtocolError {
    fn into_response(self) -> Response {
        let (status, error, description) = self.parts();
        match &self {
            ProtocolError::Server(cause) => tracing::error!(cause = %cause, "protocol endpoint failed"),
            ProtocolError::TemporarilyUnavailable => tracing::warn!("database unavailable"),
            _ => tracing::debug!(error, description = %description, "protocol error"),
        }
        let body = serde_json::json!({ "error": error, "error_description": description });
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        match &self {
            ProtocolError::InvalidClient { basic: true, .. } => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"gerbang\""));
            }
            ProtocolError::InvalidToken(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"gerbang\", error=\"invalid_token\""),
                );
            }
            _ => {}
        }
        response
    }
}

impl PageError {
    /// The admin service's refusals on a page: 403, 404, or 400 with the message.
    pub fn from_admin(e: crate::admin::AdminError, lang: Lang) -> PageError {
        use crate::admin::AdminError;
        match e {
            AdminError::Forbidden => PageError::Forbidden,
            AdminError::NotFound => PageError::NotFound,
            AdminError::Store(s) => PageError::from_store(s),
            other => PageError::BadRequest(other.message(lang)),
        }
    }
}

/// The error of the admin and portal JSON API (`/api/v1/…`): `{"error", "error_description",
/// "field"}`, never cached; 401 carries `WWW-Authenticate: Bearer` (RFC 6750 §3).
#[derive(Debug)]
pub enum ApiError {
    /// No bearer token, or one that is not valid, or lacks the `gerbang` scope.
    Unauthorized(&'static str),
    /// The request could not be read (malformed JSON, wrong content type, bad query).
    Malformed(String),
    Admin(crate::admin::AdminError, Lang),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        use crate::admin::AdminError;
        let (status, error, description, field) = match &self {
            ApiError::Unauthorized(d) => (StatusCode::UNAUTHORIZED, "invalid_token", (*d).to_string(), None),
            ApiError::Malformed(d) => (StatusCode::BAD_REQUEST, "invalid_request", d.clone(), None),
            ApiError::Admin(e, lang) => match e {
                AdminError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", e.message(*lang), None),
                AdminError::NotFound => (StatusCode::NOT_FOUND, "not_found", e.message(*lang), None),
                AdminError::Invalid { field, .. } => {
                    (StatusCode::BAD_REQUEST, "invalid_request", e.message(*lang), Some(*field))
                }
                AdminError::Conflict { field, .. } => {
                    (StatusCode::CONFLICT, "conflict", e.message(*lang), Some(*field))
                }
                AdminError::Store(StoreError::Unavailable(_)) => {
                    tracing::warn!("database unavailable");
                    (StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", "try again shortly".into(), None)
                }
                AdminError::Store(s) => {
                    tracing::error!(cause = %s, "admin API failed");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "server_error",
                        "internal error; see the server log".into(),
                        None,
                    )
                }
            },
        };
        let mut body = serde_json::json!({ "error": error, "error_description": description });
        if let Some(f) = field {
            body["field"] = serde_json::json!(f);
        }
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"gerbang\", error=\"invalid_token\", scope=\"gerbang\""),
            );
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

/// The answer of a human page to a request carrying a NUL character (see `text_guard`).
pub fn refuse_bad_text_page(_: gerbang_core::http::text_guard::BadText) -> Response {
    PageError::BadForm.into_response()
}

/// The answer of a protocol or API endpoint to a request carrying a NUL character or an
/// oversized body: OAuth2-style error JSON.
pub fn refuse_bad_text_json(bad: gerbang_core::http::text_guard::BadText) -> Response {
    use gerbang_core::http::text_guard::BadText;
    let status = match bad {
        BadText::Nul => StatusCode::BAD_REQUEST,
        BadText::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
    };
    let body = serde_json::json!({ "error": "invalid_request", "error_description": bad.describe() });
    (status, [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], axum::Json(body)).into_response()
}
