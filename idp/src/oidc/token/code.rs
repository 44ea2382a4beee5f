//! `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6): single-use codes; a
//! replayed code revokes what its first exchange issued (RFC 6749 §4.1.2).

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gerbang_core::audit::{self, AuditEvent};
use gerbang_core::crypto::random;
use gerbang_core::store::{AuthorizationStore, GrantRecord, GrantStore, RefreshTokenRecord, now_unix};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::super::authorize::CodeDetails;
use super::super::client::{Client, GrantType};
use super::super::tokens::token_hash;
use super::{PersonGrant, TokenResponse, active_account, person_tokens};
use crate::http::error::ProtocolError;
use crate::state::AppState;

pub async fn exchange(
    state: &AppState,
    client: &Client,
    form: &HashMap<String, String>,
) -> Result<TokenResponse, ProtocolError> {
    let code = form.get("code").ok_or_else(|| ProtocolError::InvalidRequest("code is required".into()))?;
    let redirect_uri =
        form.get("redirect_uri").ok_or_else(|| ProtocolError::InvalidRequest("redirect_uri is required".into()))?;
    let hash = token_hash(code);
    let now = now_unix();
    let record = state.store.conn().await?.code(&hash).await?.ok_or(ProtocolError::InvalidGrant("unknown code"))?;
    if record.client_id != client.id {
        return Err(ProtocolError::InvalidGrant("the code was issued to another client"));
    }
    if record.used_at.is_some() {
        return Err(replayed(state, &record.code_hash, record.grant_id.as_deref(), &client.id).await);
    }
    if record.expires_at <= now {
        return Err(ProtocolError::InvalidGrant("the code has expired"));
    }
    let details: CodeDetails =
        serde_json::from_str(&record.details).map_err(|e| ProtocolError::Server(e.to_string()))?;
    if details.redirect_uri != *redirect_uri {
        return Err(ProtocolError::InvalidGrant("redirect_uri does not match the authorization request"));
    }
    check_pkce(details.code_challenge.as_deref(), form.get("code_verifier").map(String::as_str))?;
    let account = active_account(state, &record.account_id).await?;

    let grant_id = random::token(16);
    let auth = details.auth;
    let refresh = (auth.scope.iter().any(|s| s == "offline_access") && client.allows_grant(GrantType::RefreshToken))
        .then(|| random::token(32));
    let mut tx = state.store.begin().await?;
    if !tx.use_code(&hash, now).await? {
        drop(tx);
        return Err(replayed(state, &hash, None, &client.id).await);
    }
    tx.insert_grant(&GrantRecord {
        id: grant_id.clone(),
        client_id: client.id.clone(),
        account_id: Some(account.id.clone()),
        session_sid: auth.sid.clone(),
        details: serde_json::to_string(&auth).map_err(|e| ProtocolError::Server(e.to_string()))?,
        created_at: now,
        expires_at: now + state.issuer.config.refresh_token_ttl_secs,
        revoked_at: None,
    })
    .await?;
    tx.set_code_grant(&hash, &grant_id).await?;
    if let Some(rt) = &refresh {
        tx.insert_refresh_token(&RefreshTokenRecord {
            token_hash: token_hash(rt),
            grant_id: grant_id.clone(),
            created_at: now,
            expires_at: now + state.issuer.config.refresh_token_ttl_secs,
            used_at: None,
        })
        .await?;
    }
    tx.commit().await?;
    let grant = PersonGrant {
        account: &account,
        auth: &auth,
        scope: &auth.scope,
        grant_id: &grant_id,
        with_nonce: true,
        refresh_token: refresh,
    };
    person_tokens(state, client, grant).await
}

/// RFC 7636 §4.6: BASE64URL(SHA256(verifier)) == challenge. A verifier without a challenge is
/// refused too, so a downgrade cannot go unnoticed.
fn check_pkce(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), ProtocolError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (Some(_), None) => Err(ProtocolError::InvalidGrant("code_verifier is missing")),
        (None, Some(_)) => Err(ProtocolError::InvalidGrant("code_verifier sent but no code_challenge was")),
        (Some(challenge), Some(verifier)) => {
            let well_formed = (43..=128).contains(&verifier.len())
                && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if well_formed && bool::from(computed.as_bytes().ct_eq(challenge.as_bytes())) {
                Ok(())
            } else {
                Err(ProtocolError::InvalidGrant("code_verifier does not match the code_challenge"))
            }
        }
    }
}

/// A code used twice: revoke the grant its first use created (the tokens of a possibly stolen
/// code), audit it, and refuse.
async fn replayed(state: &AppState, hash: &[u8], grant_id: Option<&str>, client_id: &str) -> ProtocolError {
    let result: Result<(), gerbang_core::store::StoreError> = async {
        let mut tx = state.store.begin().await?;
        let grant = match grant_id {
            Some(g) => Some(g.to_string()),
            None => tx.code(hash).await?.and_then(|c| c.grant_id),
        };
        if let Some(g) = &grant {
            tx.revoke_grant(g, now_unix()).await?;
        }
        let detail = json!({ "grant_revoked": grant });
        audit::append(
            &mut tx,
            &AuditEvent { actor: client_id, action: "token.code_replay", target: client_id, detail },
            now_unix(),
        )
        .await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "could not revoke the grant of a replayed code");
    }
    tracing::warn!(client = client_id, "authorization code replayed; its grant is revoked");
    ProtocolError::InvalidGrant("the code was already used")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_rfc7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(check_pkce(Some(challenge), Some(verifier)).is_ok());
        assert!(check_pkce(Some(challenge), Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX")).is_err());
        assert!(check_pkce(Some(challenge), None).is_err());
        assert!(check_pkce(None, Some(verifier)).is_err());
        assert!(check_pkce(Some(challenge), Some("short")).is_err());
        assert!(check_pkce(None, None).is_ok());
    }
}
