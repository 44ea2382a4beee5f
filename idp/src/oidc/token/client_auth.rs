//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3,
//! OIDC Core §9): `client_secret_basic`, `client_secret_post`, `private_key_jwt`, `none`.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use gerbang_core::store::{GrantStore, now_unix};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde::Deserialize;

use super::super::client::{AuthMethod, Client};
use crate::http::error::ProtocolError;
use crate::state::AppState;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Authenticates the client of a back-channel request; the registered method must be used.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<Client, ProtocolError> {
    let basic = basic_credentials(headers)?;
    let used_basic = basic.is_some();
    let fail = |reason: &'static str| ProtocolError::InvalidClient { basic: used_basic, reason };
    let assertion = form.get("client_assertion");
    let (client_id, method) = match (&basic, form.get("client_secret"), assertion) {
        (Some((id, _)), None, None) => (id.clone(), AuthMethod::ClientSecretBasic),
        (None, Some(_), None) => {
            (form.get("client_id").cloned().ok_or(fail("client_id is missing"))?, AuthMethod::ClientSecretPost)
        }
        (None, None, Some(jwt)) => {
            if form.get("client_assertion_type").map(String::as_str) != Some(JWT_BEARER) {
                return Err(ProtocolError::InvalidRequest("client_assertion_type must be jwt-bearer".into()));
            }
            (assertion_subject(jwt).ok_or(fail("client_assertion is malformed"))?, AuthMethod::PrivateKeyJwt)
        }
        (None, None, None) => {
            (form.get("client_id").cloned().ok_or(fail("client authentication is missing"))?, AuthMethod::None)
        }
        _ => return Err(ProtocolError::InvalidRequest("use exactly one client authentication method".into())),
    };
    if form.get("client_id").is_some_and(|id| *id != client_id) {
        return Err(fail("client_id does not match the authenticated client"));
    }
    if client_id.len() > 128 {
        return Err(fail("unknown client"));
    }
    let client = state.clients.get(&client_id).await?.filter(|c| c.active).ok_or(fail("unknown or disabled client"))?;
    if client.auth_method != method {
        return Err(fail("the client must use its registered authentication method"));
    }
    match method {
        AuthMethod::ClientSecretBasic => {
            let secret = basic.map(|(_, s)| s).unwrap_or_default();
            client.secret_matches(&secret).then_some(()).ok_or(fail("wrong client secret"))?;
        }
        AuthMethod::ClientSecretPost => {
            let secret = form.get("client_secret").map(String::as_str).unwrap_or_default();
            client.secret_matches(secret).then_some(()).ok_or(fail("wrong client secret"))?;
        }
        AuthMethod::PrivateKeyJwt => {
            verify_assertion(state, &client, assertion.map(String::as_str).unwrap_or("")).await?
        }
        AuthMethod::None => {}
    }
    Ok(client)
}

/// `Authorization: Basic` with the form-urlencoded id and secret of RFC 6749 §2.3.1.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, ProtocolError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let bad = || ProtocolError::InvalidClient { basic: true, reason: "malformed Basic credentials" };
    let text = value.to_str().map_err(|_| bad())?;
    let Some(encoded) = text.strip_prefix("Basic ").or_else(|| text.strip_prefix("basic ")) else {
        return Err(bad());
    };
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

#[derive(Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    jti: String,
    exp: i64,
}

/// The `sub` of an unverified assertion, to find the client whose keys verify it.
fn assertion_subject(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("sub")?.as_str().map(String::from)
}

/// RFC 7523 §3: signed by a registered key, `iss` = `sub` = client id, `aud` names us, not
/// expired, and a `jti` never seen before (replays are refused).
async fn verify_assertion(state: &AppState, client: &Client, jwt: &str) -> Result<(), ProtocolError> {
    let fail = |reason| ProtocolError::InvalidClient { basic: false, reason };
    let set: JwkSet =
        client.jwks.as_deref().and_then(|j| serde_json::from_str(j).ok()).ok_or(fail("client has no keys"))?;
    let header = jsonwebtoken::decode_header(jwt).map_err(|_| fail("client_assertion is malformed"))?;
    let jwk = match &header.kid {
        Some(kid) => set.find(kid),
        None => set.keys.first(),
    }
    .ok_or(fail("client_assertion signed with an unknown key"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| fail("client key is unusable"))?;
    if !matches!(
        header.alg,
        jsonwebtoken::Algorithm::ES256 | jsonwebtoken::Algorithm::RS256 | jsonwebtoken::Algorithm::PS256
    ) {
        return Err(fail("client_assertion algorithm not allowed"));
    }
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[state.issuer.url.clone(), state.issuer.endpoint("/token")]);
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud", "jti"]);
    let claims: AssertionClaims =
        jsonwebtoken::decode(jwt, &key, &validation).map_err(|_| fail("client_assertion does not verify"))?.claims;
    if claims.iss != client.id || claims.sub != client.id {
        return Err(fail("client_assertion iss and sub must be the client id"));
    }
    if claims.exp > now_unix() + 600 {
        return Err(fail("client_assertion lives too long"));
    }
    // Remember the jti until the assertion expires; a second use is a replay.
    let jti = format!("assertion:{}:{}", client.id, claims.jti);
    let mut tx = state.store.begin().await?;
    if tx.jti_revoked(&jti).await? {
        return Err(fail("client_assertion was already used"));
    }
    tx.revoke_jti(&jti, claims.exp, now_unix()).await?;
    tx.commit().await?;
    Ok(())
}
