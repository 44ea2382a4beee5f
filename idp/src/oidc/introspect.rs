//! `/introspect` (RFC 7662): whether a token is active, for authenticated clients.

use axum::Json;
use axum::extract::rejection::RawFormRejection;
use axum::extract::{RawForm, State};
use axum::http::HeaderMap;
use gerbang_core::store::{GrantStore, now_unix};
use serde_json::{Value, json};

use super::access::{self, Checked};
use super::token::{client_auth, read_form};
use super::tokens::token_hash;
use crate::http::error::ProtocolError;
use crate::state::AppState;

pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<RawForm, RawFormRejection>,
) -> Result<Json<Value>, ProtocolError> {
    let form = read_form(form)?;
    client_auth::authenticate(&state, &headers, &form).await?;
    let token = form.get("token").ok_or_else(|| ProtocolError::InvalidRequest("token is required".into()))?;
    if let Checked::Active(c, _) = access::check(&state, token).await? {
        return Ok(Json(json!({
            "active": true, "token_type": "Bearer", "scope": c.scope, "client_id": c.client_id, "sub": c.sub,
            "aud": c.aud, "iss": c.iss, "exp": c.exp, "iat": c.iat, "jti": c.jti,
            "auth_time": c.auth_time, "acr": c.acr, "act": c.act,
        })));
    }
    // A refresh token: active while unused, unexpired and its family alive.
    let mut db = state.store.conn().await?;
    if let Some(rt) = db.refresh_token(&token_hash(token)).await?
        && rt.used_at.is_none()
        && rt.expires_at > now_unix()
        && let Some(grant) = db.grant(&rt.grant_id).await?
        && grant.revoked_at.is_none()
    {
        let scope = serde_json::from_str::<super::tokens::AuthContext>(&grant.details)
            .map(|a| a.scope.join(" "))
            .unwrap_or_default();
        return Ok(Json(json!({
            "active": true, "token_type": "refresh_token", "client_id": grant.client_id, "scope": scope,
            "exp": rt.expires_at, "iat": rt.created_at, "iss": state.issuer.url,
        })));
    }
    Ok(Json(json!({ "active": false })))
}
