//! SCIM 2.0 (RFC 7643/7644) for the HR system: `/scim/v2/Users` are the civil servants (ASN),
//! keyed on NIP (`userName`); `/scim/v2/Groups` are the OPDs, whose members are the civil
//! servants working there. Changes go through the same HR service as the CSV import, so a
//! user set `active: false` is deprovisioned at once. The caller is a machine client with a
//! client-credentials access token carrying the `scim:write` scope.

mod discovery;
mod error;
mod filter;
mod groups;
mod users;

use axum::Router;
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gerbang_core::lang::Lang;
use serde_json::Value;

pub use error::ScimError;

use crate::oidc::access::{self, Checked};
use crate::oidc::userinfo::bearer;
use crate::state::AppState;

/// The scope a machine client needs for SCIM.
pub const SCOPE: &str = "scim:write";
pub const CONTENT_TYPE: &str = "application/scim+json";
/// Page size when the caller gives none, and the most one page may hold.
pub const DEFAULT_COUNT: i64 = 100;
pub const MAX_COUNT: i64 = 500;

pub fn routes() -> Router<AppState> {
    let scim = Router::new()
        .route("/ServiceProviderConfig", get(discovery::service_provider_config))
        .route("/ResourceTypes", get(discovery::resource_types))
        .route("/ResourceTypes/{id}", get(discovery::resource_type))
        .route("/Schemas", get(discovery::schemas))
        .route("/Schemas/{id}", get(discovery::schema))
        .route("/Users", get(users::list).post(users::create))
        .route("/Users/{id}", get(users::get).put(users::replace).patch(users::patch).delete(users::delete))
        .route("/Groups", get(groups::list).post(groups::not_offered))
        .route(
            "/Groups/{id}",
            get(groups::get).patch(groups::patch).put(groups::not_offered).delete(groups::not_offered),
        )
        .route("/Bulk", axum::routing::post(|| async { ScimError::NotImplemented("bulk is not supported") }))
        .route("/Me", axum::routing::any(|| async { ScimError::NotImplemented("/Me is not supported") }))
        .fallback(|| async { ScimError::NotFound })
        .method_not_allowed_fallback(|| async { ScimError::MethodNotAllowed });
    Router::new()
        .nest("/scim/v2", scim)
        .layer(middleware::from_fn(|r, n| gerbang_core::http::text_guard::refuse_nul(r, n, error::refuse_bad_text)))
}

/// A SCIM JSON response.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The machine client calling, and the language of its error details.
pub struct ScimCaller {
    pub client_id: String,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for ScimCaller {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ScimCaller, ScimError> {
        let lang = language(&parts.headers);
        let token = bearer(&parts.headers).ok_or(ScimError::Unauthorized("a bearer access token is required"))?;
        let Checked::Active(claims, grant) = access::check(state, token).await? else {
            return Err(ScimError::Unauthorized("the access token is not valid"));
        };
        if grant.as_ref().is_some_and(|g| g.account_id.is_some()) {
            return Err(ScimError::Forbidden("SCIM takes a machine client's token, not a person's"));
        }
        if !claims.scope.split(' ').any(|s| s == SCOPE) {
            return Err(ScimError::Forbidden("the access token lacks the scim:write scope"));
        }
        Ok(ScimCaller { client_id: claims.client_id.clone(), lang })
    }
}

fn language(headers: &HeaderMap) -> Lang {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::negotiate).unwrap_or_default()
}

/// A request body as JSON (SCIM's or plain JSON); anything else is `invalidSyntax`.
pub fn json_body(bytes: &Bytes) -> Result<Value, ScimError> {
    serde_json::from_slice(bytes).map_err(|e| ScimError::InvalidSyntax(format!("the body is not JSON: {e}")))
}

pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// True when the body's `schemas` lists `schema`.
pub fn has_schema(body: &Value, schema: &str) -> bool {
    body.get("schemas").and_then(Value::as_array).is_some_and(|s| s.iter().any(|x| x.as_str() == Some(schema)))
}

/// The operations of a PATCH body (RFC 7644 §3.5.2): it names the PatchOp schema and holds a
/// non-empty `Operations` array.
pub fn patch_operations(bytes: &Bytes) -> Result<Vec<Value>, ScimError> {
    let body = json_body(bytes)?;
    if !has_schema(&body, PATCH_SCHEMA) {
        return Err(ScimError::InvalidSyntax(format!("a PATCH body must name the schema {PATCH_SCHEMA}")));
    }
    match body.get("Operations") {
        Some(Value::Array(ops)) if !ops.is_empty() => Ok(ops.clone()),
        _ => Err(ScimError::InvalidSyntax("Operations must be a non-empty array".into())),
    }
}

/// The paging of a list request (RFC 7644 §3.4.2.4): `startIndex` is 1-based (less than 1 is 1),
/// `count` at most [`MAX_COUNT`] (negative is 0).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    pub filter: Option<String>,
    pub start_index: Option<String>,
    pub count: Option<String>,
    pub excluded_attributes: Option<String>,
}

impl ListQuery {
    pub fn start_index(&self) -> Result<i64, ScimError> {
        match &self.start_index {
            None => Ok(1),
            Some(s) => s
                .trim()
                .parse::<i64>()
                .map(|n| n.max(1))
                .map_err(|_| ScimError::InvalidValue("startIndex must be an integer".into())),
        }
    }

    pub fn count(&self) -> Result<i64, ScimError> {
        match &self.count {
            None => Ok(DEFAULT_COUNT),
            Some(s) => s
                .trim()
                .parse::<i64>()
                .map(|n| n.clamp(0, MAX_COUNT))
                .map_err(|_| ScimError::InvalidValue("count must be an integer".into())),
        }
    }

    pub fn excludes(&self, attribute: &str) -> bool {
        self.excluded_attributes
            .as_deref()
            .is_some_and(|a| a.split(',').any(|x| x.trim().eq_ignore_ascii_case(attribute)))
    }
}

/// A query string whose rejection is a SCIM error.
pub struct Q(pub ListQuery);

impl<S: Send + Sync> FromRequestParts<S> for Q {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Q, ScimError> {
        axum::extract::Query::<ListQuery>::from_request_parts(parts, state)
            .await
            .map(|q| Q(q.0))
            .map_err(|_| ScimError::InvalidSyntax("the query string cannot be read".into()))
    }
}

/// A `ListResponse` (RFC 7644 §3.4.2).
pub fn list_response(total: i64, start: i64, resources: Vec<Value>) -> Response {
    let body = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    });
    scim_json(StatusCode::OK, &body)
}

/// RFC 3339 time of a unix timestamp (for `meta.created` and `meta.lastModified`).
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}
