//! Bearer access tokens on API routes: JWTs of the provider (RFC 9068, `typ` `at+jwt`), checked
//! for signature, issuer, expiry and an audience the route accepts.

use serde::Deserialize;

use super::provider::ProviderError;
use crate::identity::Identity;
use crate::state::Gateway;

#[derive(Debug, Deserialize)]
struct AccessClaims {
    sub: String,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    jti: Option<String>,
    #[serde(default)]
    acr: Option<String>,
    #[serde(default)]
    amr: Vec<String>,
    #[serde(default)]
    auth_time: Option<i64>,
    iat: Option<i64>,
}

/// The bearer token of an `Authorization` header value, if it is one.
pub fn token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

pub async fn identity(gw: &Gateway, token: &str, audiences: &[String]) -> Result<Identity, ProviderError> {
    let own = [gw.provider.client_id.clone()];
    let accepted: Vec<&str> =
        if audiences.is_empty() { &own[..] } else { audiences }.iter().map(String::as_str).collect();
    let c: AccessClaims = gw.provider.verify(token, &accepted, Some("at+jwt"), &["iss", "sub", "aud", "exp"]).await?;
    Ok(Identity {
        key: c.jti.unwrap_or_else(|| token.get(token.len().saturating_sub(16)..).unwrap_or("").to_string()),
        sub: c.sub,
        name: None,
        nip: None,
        roles: Vec::new(),
        opd: None,
        acr: c.acr,
        amr: c.amr,
        verified: false,
        auth_time: c.auth_time.or(c.iat).unwrap_or(0),
        bearer_client: Some(c.client_id.unwrap_or_default()),
    })
}
