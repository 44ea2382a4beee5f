//! `/revoke` (RFC 7009): a client ends one of its tokens. A refresh token takes its whole
//! family with it; an access token is listed as revoked until it expires. Unknown tokens get
//! 200 too (§2.2), so the endpoint tells nothing about tokens.

use axum::extract::rejection::RawFormRejection;
use axum::extract::{RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use gerbang_core::store::{GrantStore, now_unix};

use super::token::{client_auth, read_form};
use super::tokens::token_hash;
use crate::http::error::ProtocolError;
use crate::state::AppState;

pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<RawForm, RawFormRejection>,
) -> Result<StatusCode, ProtocolError> {
    let form = read_form(form)?;
    let client = client_auth::authenticate(&state, &headers, &form).await?;
    let token = form.get("token").ok_or_else(|| ProtocolError::InvalidRequest("token is required".into()))?;
    let now = now_unix();
    if let Ok(claims) = state.issuer.verify_access(token) {
        if claims.client_id == client.id {
            let mut tx = state.store.begin().await?;
            tx.revoke_jti(&claims.jti, claims.exp, now).await?;
            tx.commit().await?;
            // Refused here at once; by the other replicas at their next look (about a second).
            state.revoked.add(&claims.jti, claims.exp);
        }
        return Ok(StatusCode::OK);
    }
    let mut tx = state.store.begin().await?;
    if let Some(rt) = tx.refresh_token(&token_hash(token)).await?
        && let Some(grant) = tx.grant(&rt.grant_id).await?
        && grant.client_id == client.id
    {
        tx.revoke_grant(&grant.id, now).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::OK)
}
