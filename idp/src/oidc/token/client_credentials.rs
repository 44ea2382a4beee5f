//! `grant_type=client_credentials` (RFC 6749 §4.4): machine clients of OPD systems and third
//! parties (Pasal 19-20), limited to their registered scopes, every issuance audited (in
//! batches, see `gerbang_core::audit::AuditWriter`).

use std::collections::HashMap;

use gerbang_core::audit::AuditEvent;
use gerbang_core::store::now_unix;
use serde_json::json;

use super::super::client::{Client, ClientKind};
use super::super::scope;
use super::super::tokens::AccessInput;
use super::TokenResponse;
use crate::http::error::ProtocolError;
use crate::state::AppState;

pub async fn issue(
    state: &AppState,
    client: &Client,
    form: &HashMap<String, String>,
) -> Result<TokenResponse, ProtocolError> {
    if client.kind != ClientKind::Confidential {
        return Err(ProtocolError::UnauthorizedClient("only confidential clients may use client_credentials"));
    }
    // Scopes about a person make no sense without one.
    let machine: Vec<String> = client.scopes.iter().filter(|s| !scope::is_known(s)).cloned().collect();
    let scope = match form.get("scope") {
        None => machine,
        Some(s) => {
            let asked = scope::parse(s).ok_or_else(|| ProtocolError::InvalidScope("malformed scope".into()))?;
            if let Some(bad) = asked.iter().find(|s| !machine.contains(s)) {
                return Err(ProtocolError::InvalidScope(format!("scope {bad} is not allowed for this client")));
            }
            asked
        }
    };
    let (access_token, claims) = state
        .issuer
        .access_token(AccessInput {
            sub: &client.id,
            audience: &client.id,
            client_id: &client.id,
            scope: &scope,
            auth: None,
            grant_id: None,
            act: None,
        })
        .map_err(|e| ProtocolError::Server(e.to_string()))?;
    // Queued for the audit log's next group commit: the token is a stateless JWT, so issuing
    // one costs a signature, not a disk flush (see `gerbang_core::audit::AuditWriter`).
    let detail = json!({ "scope": scope, "jti": claims.jti, "exp": claims.exp });
    let event = AuditEvent { actor: &client.id, action: "token.client_credentials", target: &client.id, detail };
    state.audit.submit(&event, now_unix()).await?;
    Ok(TokenResponse::bearer(access_token, state.issuer.config.access_token_ttl_secs, &scope))
}
