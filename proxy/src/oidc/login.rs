//! Signing in through the provider: the authorization request (code flow with PKCE, state and
//! nonce, `acr_values`/`max_age` for step-up) and the callback that turns the answer into a
//! gateway session on the host the person is visiting.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gerbang_core::crypto::random;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::provider::ProviderError;
use crate::decision::StepUp;
use crate::session::{GatewaySession, LOGIN_TTL_SECS, LoginState};
use crate::state::Gateway;

pub const CALLBACK_PATH: &str = "/.gerbang/callback";

/// The scheme and host a browser used, e.g. `https` + `e-office.padangpanjang.go.id`.
#[derive(Debug, Clone)]
pub struct Origin {
    pub scheme: &'static str,
    pub host: String,
}

impl Origin {
    pub fn secure(&self) -> bool {
        self.scheme == "https"
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme, self.host)
    }

    /// One redirect URI per host, registered at the provider.
    pub fn redirect_uri(&self) -> String {
        self.url(CALLBACK_PATH)
    }
}

/// Where the browser goes to sign in, and the login-state cookie to set on this host.
pub async fn begin(
    gw: &Gateway,
    origin: &Origin,
    return_to: &str,
    step: Option<&StepUp>,
    now: i64,
) -> Result<(String, http::HeaderValue), ProviderError> {
    let m = gw.provider.metadata().await?;
    let state = LoginState {
        state: random::token(24),
        nonce: random::token(24),
        verifier: random::token(32),
        return_to: safe_return(return_to).to_string(),
        level: step.map(|s| s.level.clone()),
        exp: now + LOGIN_TTL_SECS,
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(state.verifier.as_bytes()));
    let mut url = url::Url::parse(&m.authorization_endpoint)
        .map_err(|e| ProviderError::Unavailable(format!("authorization_endpoint: {e}")))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &gw.provider.client_id)
            .append_pair("redirect_uri", &origin.redirect_uri())
            .append_pair("scope", &gw.settings.scopes)
            .append_pair("state", &state.state)
            .append_pair("nonce", &state.nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        if let Some(step) = step {
            q.append_pair("acr_values", &step.level);
            if let Some(max_age) = step.max_age {
                q.append_pair("max_age", &max_age.to_string());
            }
        }
    }
    let cookie = gw.jar.set_login(&state, &origin.host, origin.secure());
    Ok((url.to_string(), cookie))
}

#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// No (or an expired) login in progress on this host, or a state that does not match.
    #[error("no matching sign-in in progress")]
    NoLogin,
    /// The provider answered with an error (e.g. `access_denied` when the person declined).
    #[error("the provider answered {0}")]
    Provider(String),
    #[error(transparent)]
    Exchange(#[from] ProviderError),
    #[error("the ID token does not belong to this sign-in: {0}")]
    BadIdToken(&'static str),
}

/// The ID token claims the gateway keeps.
#[derive(Debug, Deserialize)]
struct IdClaims {
    sub: String,
    iat: i64,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    nip: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    opd: Option<String>,
    #[serde(default)]
    acr: Option<String>,
    #[serde(default)]
    amr: Vec<String>,
    #[serde(default)]
    identity_assurance: Option<String>,
    #[serde(default)]
    auth_time: Option<i64>,
    #[serde(default)]
    sid: Option<String>,
}

pub struct Completed {
    pub session: GatewaySession,
    pub return_to: String,
    /// The level the sign-in was asked to reach.
    pub level: Option<String>,
}

pub async fn complete(
    gw: &Gateway,
    origin: &Origin,
    login: Option<LoginState>,
    params: &CallbackParams,
    now: i64,
) -> Result<Completed, CallbackError> {
    let login = login.ok_or(CallbackError::NoLogin)?;
    // RFC 6749 §10.12: the state binds the answer to the browser that started the sign-in.
    let state_ok = params.state.as_deref().is_some_and(|s| constant_eq(s, &login.state));
    if !state_ok {
        return Err(CallbackError::NoLogin);
    }
    if let Some(error) = &params.error {
        let described = params.error_description.as_deref().map(|d| format!("{error}: {d}")).unwrap_or(error.clone());
        return Err(CallbackError::Provider(described.chars().take(200).collect()));
    }
    let code = params.code.as_deref().ok_or(CallbackError::Provider("no code".into()))?;
    let tokens = gw.provider.exchange(code, &origin.redirect_uri(), &login.verifier).await?;
    let id_token = tokens.id_token.ok_or(CallbackError::BadIdToken("no id_token in the token response"))?;
    let claims: IdClaims =
        gw.provider.verify(&id_token, &[gw.provider.client_id.as_str()], None, &["iss", "sub", "aud", "exp"]).await?;
    if !claims.nonce.as_deref().is_some_and(|n| constant_eq(n, &login.nonce)) {
        return Err(CallbackError::BadIdToken("nonce"));
    }
    let session = GatewaySession {
        id: random::token(16),
        sub: claims.sub,
        name: claims.name,
        nip: claims.nip,
        roles: claims.roles,
        opd: claims.opd,
        acr: claims.acr,
        amr: claims.amr,
        identity_assurance: claims.identity_assurance,
        auth_time: claims.auth_time.unwrap_or(claims.iat),
        sid: claims.sid,
        iat: now,
        exp: now + gw.settings.session_ttl_secs,
    };
    Ok(Completed { session, return_to: login.return_to, level: login.level })
}

/// A path on this host: starts with one `/`, never `//` or `/\` (which browsers read as another
/// host). Anything else returns to `/`.
pub fn safe_return(r: &str) -> &str {
    let ok = r.starts_with('/') && !r.starts_with("//") && !r.starts_with("/\\") && !r.chars().any(char::is_control);
    if ok { r } else { "/" }
}

fn constant_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_return("/e-office/a?b=1"), "/e-office/a?b=1");
        for bad in ["//evil.test/", "/\\evil.test", "https://evil.test/", "", "/a\nb"] {
            assert_eq!(safe_return(bad), "/", "{bad:?}");
        }
    }
}
