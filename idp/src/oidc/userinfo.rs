//! `/userinfo` (OIDC Core §5.3): the claims of the person behind a bearer access token.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use gerbang_core::store::AccountStatus;
use serde_json::{Value, json};

use super::access::{self, Checked};
use super::claims;
use crate::http::error::ProtocolError;
use crate::state::AppState;

pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ProtocolError> {
    let token = bearer(&headers).ok_or(ProtocolError::InvalidToken("a bearer access token is required"))?;
    let Checked::Active(at, Some(grant)) = access::check(&state, token).await? else {
        return Err(ProtocolError::InvalidToken("the access token is not valid"));
    };
    let scope: Vec<String> = at.scope.split(' ').filter(|s| !s.is_empty()).map(String::from).collect();
    if !scope.iter().any(|s| s == "openid") {
        return Err(ProtocolError::InvalidToken("the access token lacks the openid scope"));
    }
    let client = state.clients.get(&grant.client_id).await?.ok_or(ProtocolError::InvalidToken("the client is gone"))?;
    let account_id = grant.account_id.ok_or(ProtocolError::InvalidToken("not a person's token"))?;
    let account = match state.accounts.by_id(&account_id).await {
        Ok(Some(a)) if a.status == AccountStatus::Active => a,
        Ok(_) => return Err(ProtocolError::InvalidToken("the account is disabled")),
        Err(e) => return Err(ProtocolError::Server(e.to_string())),
    };
    let mut body = claims::user_claims(&state.accounts, &account, &client, &scope, "userinfo")
        .await
        .map_err(|e| ProtocolError::Server(e.to_string()))?;
    // The sub of the token (as the acting client sees the person).
    body.insert("sub".into(), json!(at.sub));
    Ok(Json(Value::Object(body)))
}

/// RFC 6750 §2.1: `Authorization: Bearer <token>`.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}
