//! Token exchange (RFC 8693): a gateway or service trades a person's access token for one of
//! its own, acting on the person's behalf (`act` claim); the person's grant still governs it.

use std::collections::HashMap;

use gerbang_core::audit::AuditEvent;
use gerbang_core::store::{GrantStore, now_unix};
use serde_json::json;

use super::super::claims;
use super::super::client::Client;
use super::super::scope;
use super::super::tokens::{AccessInput, AuthContext};
use super::{TokenResponse, active_account};
use crate::http::error::ProtocolError;
use crate::state::AppState;

const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

pub async fn exchange(
    state: &AppState,
    client: &Client,
    form: &HashMap<String, String>,
) -> Result<TokenResponse, ProtocolError> {
    let subject_token =
        form.get("subject_token").ok_or_else(|| ProtocolError::InvalidRequest("subject_token is required".into()))?;
    if form.get("subject_token_type").map(String::as_str) != Some(ACCESS_TOKEN_TYPE) {
        return Err(ProtocolError::InvalidRequest("subject_token_type must be an access token type".into()));
    }
    if form.get("requested_token_type").is_some_and(|t| t != ACCESS_TOKEN_TYPE) {
        return Err(ProtocolError::InvalidRequest("only access tokens can be requested".into()));
    }
    if form.contains_key("actor_token") {
        return Err(ProtocolError::InvalidRequest("actor_token is not supported; the client is the actor".into()));
    }
    let subject = state
        .issuer
        .verify_access(subject_token)
        .map_err(|_| ProtocolError::InvalidGrant("subject_token is not valid"))?;
    let grant_id =
        subject.gid.clone().ok_or(ProtocolError::InvalidGrant("subject_token does not stand for a person"))?;
    let mut db = state.store.conn().await?;
    if db.jti_revoked(&subject.jti).await? {
        return Err(ProtocolError::InvalidGrant("subject_token was revoked"));
    }
    let grant = db.grant(&grant_id).await?.ok_or(ProtocolError::InvalidGrant("subject_token is not valid"))?;
    drop(db);
    if grant.revoked_at.is_some() || grant.expires_at <= now_unix() {
        return Err(ProtocolError::InvalidGrant("the grant behind subject_token was revoked"));
    }
    let auth: AuthContext = serde_json::from_str(&grant.details).map_err(|e| ProtocolError::Server(e.to_string()))?;
    let account_id = grant.account_id.clone().ok_or(ProtocolError::InvalidGrant("not a person's grant"))?;
    let account = active_account(state, &account_id).await?;
    // The new token carries no more than the subject token had and the client may hold.
    let held: Vec<String> = subject.scope.split(' ').filter(|s| !s.is_empty()).map(String::from).collect();
    let scope = match form.get("scope") {
        None => held.iter().filter(|s| client.scopes.contains(s)).cloned().collect::<Vec<_>>(),
        Some(s) => {
            let asked = scope::parse(s).ok_or_else(|| ProtocolError::InvalidScope("malformed scope".into()))?;
            if let Some(bad) = asked.iter().find(|s| !held.contains(s) || !client.scopes.contains(s)) {
                return Err(ProtocolError::InvalidScope(format!("scope {bad} cannot be delegated")));
            }
            asked
        }
    };
    let audience = match form.get("audience") {
        None => client.id.clone(),
        Some(a) if state.clients.get(a).await?.is_some_and(|c| c.active) => a.clone(),
        Some(_) => return Err(ProtocolError::InvalidTarget("audience is not a registered client")),
    };
    // The subject as the acting client sees it (pairwise for citizens).
    let sub = claims::subject(&state.keys, &account, client);
    let (access_token, issued) = state
        .issuer
        .access_token(AccessInput {
            sub: &sub,
            audience: &audience,
            client_id: &client.id,
            scope: &scope,
            auth: Some(&auth),
            grant_id: Some(&grant.id),
            act: Some(json!({ "sub": client.id })),
        })
        .map_err(|e| ProtocolError::Server(e.to_string()))?;
    let detail = json!({ "grant": grant.id, "audience": audience, "scope": scope, "jti": issued.jti });
    let event = AuditEvent { actor: &client.id, action: "token.exchange", target: &account.id, detail };
    state.audit.record(&event, now_unix()).await?;
    let mut response = TokenResponse::bearer(access_token, state.issuer.config.access_token_ttl_secs, &scope);
    response.issued_token_type = Some(ACCESS_TOKEN_TYPE);
    Ok(response)
}
