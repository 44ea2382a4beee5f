//! The admin and portal JSON API (`/api/v1/…`, described in `docs/openapi.yaml`): the same
//! service calls as the pages, for automation. A caller presents a bearer access token issued
//! by this provider with the `gerbang` scope; it acts as the person the token was issued for,
//! with that person's roles.

pub mod audit;
pub mod portal;
pub mod registers;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Json, Query};
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gerbang_core::lang::Lang;
use gerbang_core::store::Cursor;

use super::error::ApiError;
use crate::admin::{AdminError, Principal};
use crate::oidc::access::{self, Checked};
use crate::oidc::userinfo::bearer;
use crate::state::AppState;

/// The person behind the bearer token, and the language of their messages.
pub struct Caller {
    pub principal: Principal,
    pub lang: Lang,
}

impl Caller {
    pub fn err(&self, e: AdminError) -> ApiError {
        ApiError::Admin(e, self.lang)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let lang = parts
            .headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::negotiate)
            .unwrap_or_default();
        let token = bearer(&parts.headers).ok_or(ApiError::Unauthorized("a bearer access token is required"))?;
        let store_err = |e| ApiError::Admin(AdminError::Store(e), lang);
        let Checked::Active(claims, Some(grant)) = access::check(state, token).await.map_err(store_err)? else {
            return Err(ApiError::Unauthorized("the access token is not valid"));
        };
        if !claims.scope.split(' ').any(|s| s == "gerbang") {
            return Err(ApiError::Unauthorized("the access token lacks the gerbang scope"));
        }
        let account = grant.account_id.ok_or(ApiError::Unauthorized("not a person's token"))?;
        let principal = Principal::load(&state.store, &account)
            .await
            .map_err(store_err)?
            .ok_or(ApiError::Unauthorized("the account is disabled"))?;
        Ok(Caller { principal, lang })
    }
}

/// A JSON body whose rejection is an `ApiError` (never axum's plain text).
pub fn body<T>(json: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    json.map(|Json(v)| v).map_err(|e| ApiError::Malformed(e.body_text()))
}

pub fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(v)| v).map_err(|e| ApiError::Malformed(e.body_text()))
}

/// Listing parameters: a search prefix and the opaque cursor of the last page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub opd: String,
    #[serde(default)]
    pub status: String,
}

/// The cursor of a listing ordered by (key, id), as an opaque URL-safe string.
pub fn encode_cursor(key: &str, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::json!([key, id]).to_string())
}

pub fn decode_cursor(s: &str) -> Result<Cursor, ApiError> {
    if s.is_empty() {
        return Ok(Cursor::default());
    }
    let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| ApiError::Malformed("after: not a cursor of this API".into()))?;
    let (key, id): (String, String) =
        serde_json::from_slice(&bytes).map_err(|_| ApiError::Malformed("after: not a cursor of this API".into()))?;
    Ok(Cursor { key, id })
}

/// `{"items": [...], "next": cursor or null}`.
pub fn page<T: serde::Serialize>(items: Vec<T>, next: Option<String>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "items": items, "next": next }))
}

/// The next cursor when a page is full.
pub fn next_of<T>(items: &[T], key: impl Fn(&T) -> String) -> Option<String> {
    (items.len() as i64 >= crate::admin::PAGE).then(|| items.last().map(key)).flatten()
}
