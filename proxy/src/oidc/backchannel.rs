//! Back-channel logout receiver (OpenID Connect Back-Channel Logout 1.0 §2.6): a logout token
//! from the provider ends the matching gateway sessions on every replica.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::provider::ProviderError;
use crate::state::Gateway;

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

#[derive(Debug, Deserialize)]
struct LogoutClaims {
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    sid: Option<String>,
    #[serde(default)]
    events: Option<Map<String, Value>>,
    #[serde(default)]
    nonce: Option<Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum LogoutError {
    #[error(transparent)]
    Token(#[from] ProviderError),
    #[error("logout token: {0}")]
    Invalid(&'static str),
    #[error("could not record the logout: {0}")]
    Store(#[from] gerbang_core::store::StoreError),
}

pub async fn receive(gw: &Gateway, logout_token: &str) -> Result<(), LogoutError> {
    let aud = [gw.provider.client_id.as_str()];
    let c: LogoutClaims = gw.provider.verify(logout_token, &aud, None, &["iss", "aud", "iat", "exp"]).await?;
    // §2.4: the events claim names the back-channel logout event; a nonce is forbidden (it
    // would make an ID token usable as a logout token); sid or sub must be present.
    if !c.events.as_ref().is_some_and(|e| e.get(EVENT).is_some_and(Value::is_object)) {
        return Err(LogoutError::Invalid("events claim missing the back-channel logout event"));
    }
    if c.nonce.is_some() {
        return Err(LogoutError::Invalid("a logout token must not carry a nonce"));
    }
    if c.sid.is_none() && c.sub.is_none() {
        return Err(LogoutError::Invalid("neither sid nor sub"));
    }
    gw.revocations.record(c.sid.as_deref(), c.sub.as_deref()).await?;
    tracing::info!(sid = c.sid.is_some(), "gateway sessions ended by back-channel logout");
    Ok(())
}
