//! `grant_type=refresh_token` (RFC 6749 §6): rotation on every use; presenting a used refresh
//! token again revokes the whole family (OAuth 2.0 Security BCP §4.14.2).

use std::collections::HashMap;

use gerbang_core::audit::{self, AuditEvent};
use gerbang_core::crypto::random;
use gerbang_core::store::{GrantStore, RefreshTokenRecord, now_unix};
use serde_json::json;

use super::super::client::Client;
use super::super::scope;
use super::super::tokens::{AuthContext, token_hash};
use super::{PersonGrant, TokenResponse, active_account, person_tokens};
use crate::http::error::ProtocolError;
use crate::state::AppState;

pub async fn exchange(
    state: &AppState,
    client: &Client,
    form: &HashMap<String, String>,
) -> Result<TokenResponse, ProtocolError> {
    let presented =
        form.get("refresh_token").ok_or_else(|| ProtocolError::InvalidRequest("refresh_token is required".into()))?;
    let hash = token_hash(presented);
    let now = now_unix();
    let mut db = state.store.conn().await?;
    let record = db.refresh_token(&hash).await?.ok_or(ProtocolError::InvalidGrant("unknown refresh token"))?;
    let grant = db.grant(&record.grant_id).await?.ok_or(ProtocolError::InvalidGrant("unknown refresh token"))?;
    drop(db);
    if grant.client_id != client.id {
        return Err(ProtocolError::InvalidGrant("the refresh token was issued to another client"));
    }
    if record.used_at.is_some() {
        return Err(reused(state, &grant.id, &client.id).await);
    }
    if grant.revoked_at.is_some() {
        return Err(ProtocolError::InvalidGrant("the grant was revoked"));
    }
    if record.expires_at <= now || grant.expires_at <= now {
        return Err(ProtocolError::InvalidGrant("the refresh token has expired"));
    }
    let auth: AuthContext = serde_json::from_str(&grant.details).map_err(|e| ProtocolError::Server(e.to_string()))?;
    // RFC 6749 §6: a narrower scope may be asked for, never a wider one.
    let scope = match form.get("scope") {
        None => auth.scope.clone(),
        Some(s) => {
            let asked = scope::parse(s).ok_or_else(|| ProtocolError::InvalidScope("malformed scope".into()))?;
            if let Some(extra) = asked.iter().find(|s| !auth.scope.contains(s)) {
                return Err(ProtocolError::InvalidScope(format!("scope {extra} was not granted")));
            }
            asked
        }
    };
    let account_id = grant.account_id.clone().ok_or(ProtocolError::InvalidGrant("not a person's grant"))?;
    let account = active_account(state, &account_id).await?;
    let next = random::token(32);
    let mut tx = state.store.begin().await?;
    if !tx.use_refresh_token(&hash, now).await? {
        drop(tx);
        return Err(reused(state, &grant.id, &client.id).await);
    }
    tx.insert_refresh_token(&RefreshTokenRecord {
        token_hash: token_hash(&next),
        grant_id: grant.id.clone(),
        created_at: now,
        expires_at: grant.expires_at,
        used_at: None,
    })
    .await?;
    tx.commit().await?;
    let tokens = PersonGrant {
        account: &account,
        auth: &auth,
        scope: &scope,
        grant_id: &grant.id,
        with_nonce: false,
        refresh_token: Some(next),
    };
    person_tokens(state, client, tokens).await
}

/// Reuse means the token leaked, or the client is confused: end the whole family.
async fn reused(state: &AppState, grant_id: &str, client_id: &str) -> ProtocolError {
    let result: Result<(), gerbang_core::store::StoreError> = async {
        let mut tx = state.store.begin().await?;
        tx.revoke_grant(grant_id, now_unix()).await?;
        let event = AuditEvent { actor: client_id, action: "token.refresh_reuse", target: grant_id, detail: json!({}) };
        audit::append(&mut tx, &event, now_unix()).await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "could not revoke a reused refresh token's family");
    }
    tracing::warn!(client = client_id, grant = grant_id, "refresh token reused; family revoked");
    ProtocolError::InvalidGrant("the refresh token was already used; its family is revoked")
}
