//! Minting and checking what the provider signs: JWT access tokens (RFC 9068), ID tokens
//! (OIDC Core §2) and logout tokens (OIDC Back-Channel Logout §2.4).

use gerbang_core::config::OidcConfig;
use gerbang_core::crypto::random;
use gerbang_core::store::now_unix;
use jsonwebtoken::Validation;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::keys::{KeyError, KeyRing, SigningAlg};

/// How a person signed in, carried from the session into codes, grants and tokens.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuthContext {
    pub scope: Vec<String>,
    pub nonce: Option<String>,
    pub auth_time: i64,
    pub amr: Vec<String>,
    pub acr: String,
    /// The public id of the login session.
    pub sid: Option<String>,
}

/// Claims of a Gerbang access token (RFC 9068 §2.2), also what introspection reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The grant (token family) behind a person's token; revoking it revokes the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
    /// RFC 8693 §4.1: the party acting on behalf of the subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Value>,
}

/// What goes into a new access token.
pub struct AccessInput<'a> {
    pub sub: &'a str,
    pub audience: &'a str,
    pub client_id: &'a str,
    pub scope: &'a [String],
    pub auth: Option<&'a AuthContext>,
    pub grant_id: Option<&'a str>,
    pub act: Option<Value>,
}

/// What goes into a new ID token.
pub struct IdTokenInput<'a> {
    pub alg: SigningAlg,
    pub sub: &'a str,
    pub aud: &'a str,
    pub auth: &'a AuthContext,
    /// The nonce belongs in the ID token of the code exchange only (OIDC Core §12.2).
    pub with_nonce: bool,
    pub access_token: Option<&'a str>,
    pub user_claims: &'a Map<String, Value>,
}

#[derive(Clone)]
pub struct Issuer {
    pub url: String,
    pub keys: KeyRing,
    pub config: OidcConfig,
    /// Access tokens whose signature was checked, by SHA-256 of the token: a resource server
    /// presents the same token many times, and a signature check costs more than the rest of
    /// an introspection. Expiry is checked at every use; revocation by the caller.
    verified: moka::sync::Cache<[u8; 32], AccessClaims>,
}

/// How many checked access tokens are remembered, and for how long at most.
const VERIFIED_CAPACITY: u64 = 10_000;
const VERIFIED_FOR: std::time::Duration = std::time::Duration::from_secs(60);

impl Issuer {
    pub fn new(url: &str, keys: KeyRing, config: OidcConfig) -> Issuer {
        let verified = moka::sync::Cache::builder().max_capacity(VERIFIED_CAPACITY).time_to_live(VERIFIED_FOR).build();
        Issuer { url: url.trim_end_matches('/').to_string(), keys, config, verified }
    }

    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Access tokens are always ES256: resource servers verify one algorithm.
    pub fn access_token(&self, input: AccessInput<'_>) -> Result<(String, AccessClaims), KeyError> {
        let now = now_unix();
        let claims = AccessClaims {
            iss: self.url.clone(),
            sub: input.sub.into(),
            aud: input.audience.into(),
            client_id: input.client_id.into(),
            exp: now + self.config.access_token_ttl_secs,
            iat: now,
            jti: random::token(16),
            scope: input.scope.join(" "),
            auth_time: input.auth.map(|a| a.auth_time),
            acr: input.auth.map(|a| a.acr.clone()),
            amr: input.auth.map(|a| a.amr.clone()),
            sid: input.auth.and_then(|a| a.sid.clone()),
            gid: input.grant_id.map(String::from),
            act: input.act,
        };
        Ok((self.keys.sign(SigningAlg::Es256, "at+jwt", &claims)?, claims))
    }

    /// An ID token for `aud`, with `at_hash` when an access token goes with it.
    pub fn id_token(&self, input: IdTokenInput<'_>) -> Result<String, KeyError> {
        let IdTokenInput { alg, sub, aud, auth, with_nonce, access_token, user_claims } = input;
        let now = now_unix();
        let mut claims = user_claims.clone();
        let mut set = |k: &str, v: Value| {
            claims.insert(k.into(), v);
        };
        set("iss", self.url.clone().into());
        set("sub", sub.into());
        set("aud", aud.into());
        set("azp", aud.into());
        set("exp", (now + self.config.id_token_ttl_secs).into());
        set("iat", now.into());
        set("auth_time", auth.auth_time.into());
        set("acr", auth.acr.clone().into());
        set("amr", auth.amr.clone().into());
        if let Some(sid) = &auth.sid {
            set("sid", sid.clone().into());
        }
        if with_nonce && let Some(nonce) = &auth.nonce {
            set("nonce", nonce.clone().into());
        }
        if let Some(at) = access_token {
            set("at_hash", left_half_hash(at).into());
        }
        self.keys.sign(alg, "JWT", &claims)
    }

    /// A logout token for one client (Back-Channel Logout §2.4); never carries a nonce.
    pub fn logout_token(&self, alg: SigningAlg, aud: &str, sub: &str, sid: &str) -> Result<String, KeyError> {
        let now = now_unix();
        let claims = serde_json::json!({
            "iss": self.url, "aud": aud, "iat": now, "exp": now + 120, "jti": random::token(16),
            "sub": sub, "sid": sid,
            "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
        });
        self.keys.sign(alg, "logout+jwt", &claims)
    }

    /// Checks signature, issuer and expiry of one of our access tokens (not revocation).
    pub fn verify_access(&self, token: &str) -> Result<AccessClaims, KeyError> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(claims) = self.verified.get(&key) {
            // The same rule as the full check (leeway 0): valid up to and including `exp`.
            if claims.exp < now_unix() {
                return Err(jsonwebtoken::errors::ErrorKind::ExpiredSignature.into());
            }
            return Ok(claims);
        }
        let claims = self.verify_access_signature(token)?;
        self.verified.insert(key, claims.clone());
        Ok(claims)
    }

    fn verify_access_signature(&self, token: &str) -> Result<AccessClaims, KeyError> {
        let mut validation = Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.set_issuer(&[&self.url]);
        validation.validate_aud = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iss", "sub", "iat"]);
        let header = jsonwebtoken::decode_header(token)?;
        if header.typ.as_deref() != Some("at+jwt") {
            return Err(jsonwebtoken::errors::ErrorKind::InvalidToken.into());
        }
        self.keys.verify(token, validation)
    }

    /// Checks an ID token we issued (for `id_token_hint`), accepting expired ones (OIDC
    /// RP-Initiated Logout §2: the hint may have expired).
    pub fn verify_id_token_hint(&self, token: &str) -> Result<Map<String, Value>, KeyError> {
        let mut validation = Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.set_issuer(&[&self.url]);
        validation.validate_aud = false;
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["iss", "sub", "aud"]);
        self.keys.verify(token, validation)
    }
}

/// OIDC Core §3.1.3.6: base64url of the left half of SHA-256 of the ASCII value.
fn left_half_hash(value: &str) -> String {
    use base64::Engine;
    let digest = Sha256::digest(value.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// SHA-256 of an opaque token or code, as stored.
pub fn token_hash(value: &str) -> Vec<u8> {
    Sha256::digest(value.as_bytes()).to_vec()
}
