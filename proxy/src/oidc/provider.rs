//! The OpenID provider as the gateway sees it: its discovery document and signing keys (fetched
//! lazily, refreshed when an unknown `kid` appears), the token endpoint, and JWT verification.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Keys are re-fetched at most this often when a token names an unknown `kid`.
const JWKS_MIN_REFRESH: Duration = Duration::from_secs(10);
/// And at least this often, so retired keys drop out.
const JWKS_MAX_AGE: Duration = Duration::from_secs(600);
/// The discovery document is read again after this long (endpoints may move).
const METADATA_MAX_AGE: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider could not be reached or answered nonsense: retry later.
    #[error("OpenID provider unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the code (expired, replayed, wrong redirect URI…).
    #[error("the provider refused the code: {0}")]
    Refused(String),
    /// A token that does not verify.
    #[error("token invalid: {0}")]
    InvalidToken(String),
}

#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    pub id_token: Option<String>,
    #[allow(dead_code)]
    pub access_token: String,
}

struct Jwks {
    set: JwkSet,
    fetched: Instant,
}

pub struct Provider {
    pub issuer: String,
    pub client_id: String,
    secret: SecretString,
    http: reqwest::Client,
    metadata: RwLock<Option<(Arc<Metadata>, Instant)>>,
    jwks: RwLock<Option<Arc<Jwks>>>,
    /// One fetch of each at a time; others wait and then reuse its result.
    metadata_fetch: tokio::sync::Mutex<()>,
    jwks_fetch: tokio::sync::Mutex<()>,
}

impl Provider {
    pub fn new(issuer: &str, client_id: &str, secret: SecretString) -> Provider {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with rustls builds");
        Provider {
            issuer: issuer.trim_end_matches('/').to_string(),
            client_id: client_id.to_string(),
            secret,
            http,
            metadata: RwLock::new(None),
            jwks: RwLock::new(None),
            metadata_fetch: tokio::sync::Mutex::new(()),
            jwks_fetch: tokio::sync::Mutex::new(()),
        }
    }

    pub async fn metadata(&self) -> Result<Arc<Metadata>, ProviderError> {
        let fresh = |m: &Option<(Arc<Metadata>, Instant)>| {
            m.as_ref().filter(|(_, at)| at.elapsed() < METADATA_MAX_AGE).map(|(m, _)| m.clone())
        };
        if let Some(m) = fresh(&self.metadata.read().unwrap_or_else(|p| p.into_inner())) {
            return Ok(m);
        }
        let _one = self.metadata_fetch.lock().await;
        if let Some(m) = fresh(&self.metadata.read().unwrap_or_else(|p| p.into_inner())) {
            return Ok(m);
        }
        match self.fetch_metadata().await {
            Ok(m) => {
                let m = Arc::new(m);
                *self.metadata.write().unwrap_or_else(|p| p.into_inner()) = Some((m.clone(), Instant::now()));
                Ok(m)
            }
            Err(e) => {
                // A stale document beats none while the provider is briefly unreachable.
                let stale = self.metadata.read().unwrap_or_else(|p| p.into_inner()).as_ref().map(|(m, _)| m.clone());
                stale.ok_or(e)
            }
        }
    }

    async fn fetch_metadata(&self) -> Result<Metadata, ProviderError> {
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        let m: Metadata = self.get_json(&url).await?;
        // OIDC Discovery §4.3: the issuer in the document must be the one we asked.
        if m.issuer.trim_end_matches('/') != self.issuer {
            return Err(ProviderError::Unavailable(format!("discovery names issuer {:?}", m.issuer)));
        }
        Ok(m)
    }

    /// Exchanges a code at the token endpoint (`client_secret_basic`, PKCE verifier).
    pub async fn exchange(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<TokenResponse, ProviderError> {
        let m = self.metadata().await?;
        let response = self
            .http
            .post(&m.token_endpoint)
            // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
            .basic_auth(form_encode(&self.client_id), Some(form_encode(self.secret.expose_secret())))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(ProviderError::Unavailable(format!("token endpoint answered {status}")));
        }
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(ProviderError::Refused(format!("{status}: {}", body.chars().take(300).collect::<String>())));
        }
        response.json().await.map_err(|e| ProviderError::Unavailable(format!("token response: {e}")))
    }

    /// Verifies a JWT signed by the provider: signature (ES256 or RS256, key by `kid`), issuer,
    /// expiry, and audience (one of `audiences`). `typ` is checked when given.
    pub async fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        audiences: &[&str],
        typ: Option<&str>,
        required: &[&str],
    ) -> Result<T, ProviderError> {
        let invalid = |e: String| ProviderError::InvalidToken(e);
        let header = jsonwebtoken::decode_header(token).map_err(|e| invalid(e.to_string()))?;
        if !matches!(header.alg, Algorithm::ES256 | Algorithm::RS256) {
            return Err(invalid(format!("algorithm {:?} not accepted", header.alg)));
        }
        if let Some(t) = typ
            && !header
                .typ
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(t) || h.eq_ignore_ascii_case(&format!("application/{t}")))
        {
            return Err(invalid(format!("typ must be {t}")));
        }
        let kid = header.kid.clone().ok_or_else(|| invalid("no kid".into()))?;
        let key = self.key(&kid).await?;
        let mut v = Validation::new(header.alg);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(audiences);
        v.set_required_spec_claims(required);
        v.leeway = 30;
        jsonwebtoken::decode::<T>(token, &key, &v).map(|d| d.claims).map_err(|e| invalid(e.to_string()))
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, ProviderError> {
        let cached = self.jwks.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(j) = &cached
            && j.fetched.elapsed() < JWKS_MAX_AGE
            && let Some(k) = find(&j.set, kid)
        {
            return k;
        }
        let _one = self.jwks_fetch.lock().await;
        let cached = self.jwks.read().unwrap_or_else(|p| p.into_inner()).clone();
        let jwks = if let Some(j) = cached.filter(|j| j.fetched.elapsed() < JWKS_MIN_REFRESH) {
            j
        } else {
            let m = self.metadata().await?;
            let set: JwkSet = self.get_json(&m.jwks_uri).await?;
            let j = Arc::new(Jwks { set, fetched: Instant::now() });
            *self.jwks.write().unwrap_or_else(|p| p.into_inner()) = Some(j.clone());
            j
        };
        find(&jwks.set, kid).unwrap_or_else(|| Err(ProviderError::InvalidToken(format!("unknown kid {kid:?}"))))
    }

    async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, ProviderError> {
        let r = self.http.get(url).send().await.map_err(|e| ProviderError::Unavailable(format!("{url}: {e}")))?;
        if !r.status().is_success() {
            return Err(ProviderError::Unavailable(format!("{url}: {}", r.status())));
        }
        r.json().await.map_err(|e| ProviderError::Unavailable(format!("{url}: {e}")))
    }
}

fn find(set: &JwkSet, kid: &str) -> Option<Result<DecodingKey, ProviderError>> {
    set.find(kid).map(|jwk| DecodingKey::from_jwk(jwk).map_err(|e| ProviderError::InvalidToken(e.to_string())))
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
