//! The gateway session: who signed in, how and when, sealed (AES-256-GCM) into a host-only
//! cookie bound to its host, so a cookie of one routed domain is worthless on another.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie::SameSite;
use gerbang_core::crypto::Sealer;
use gerbang_core::http::cookies;
use gerbang_core::policy::route::host_without_port;
use http::{HeaderMap, HeaderValue};
use moka::sync::Cache;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Cookie of the session (`__Host-` prefixed over https).
pub const SESSION_COOKIE: &str = "gerbang_gw";
/// Cookie of a login in progress (state, nonce, PKCE verifier, where to go back).
pub const LOGIN_COOKIE: &str = "gerbang_gw_login";
/// A login must come back within this many seconds.
pub const LOGIN_TTL_SECS: i64 = 600;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GatewaySession {
    /// Random id of this gateway session (keys the assertion cache).
    pub id: String,
    pub sub: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub nip: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub opd: Option<String>,
    #[serde(default)]
    pub acr: Option<String>,
    #[serde(default)]
    pub amr: Vec<String>,
    /// The provider's `identity_assurance` claim (`terdaftar` or `terverifikasi`).
    #[serde(default)]
    pub identity_assurance: Option<String>,
    pub auth_time: i64,
    /// The provider's session id (`sid`), which a back-channel logout names.
    #[serde(default)]
    pub sid: Option<String>,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginState {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    /// Path and query on this host to return to.
    pub return_to: String,
    /// The level asked for with `acr_values`, if any.
    pub level: Option<String>,
    pub exp: i64,
}

/// How many opened session cookies are kept, and for how long: a busy session is opened (base64,
/// AES-GCM, JSON) once a minute instead of at every request.
const OPENED_CAPACITY: u64 = 10_000;
const OPENED_TTL: Duration = Duration::from_secs(60);

/// Seals and opens the gateway's cookies.
#[derive(Clone)]
pub struct CookieJar {
    sealer: Sealer,
    /// Session cookies already opened, by (host, sealed value). A hit is the same bytes that
    /// opened before under the same host, so it is as good as opening them again, provided the
    /// key that sealed them is still accepted (checked at every hit: a retired data key ends
    /// its cookies at once, cached or not).
    opened: Cache<(String, String), Arc<Opened>>,
}

struct Opened {
    generation: u32,
    session: Arc<GatewaySession>,
}

impl CookieJar {
    pub fn new(sealer: Sealer) -> CookieJar {
        let opened = Cache::builder().max_capacity(OPENED_CAPACITY).time_to_live(OPENED_TTL).build();
        CookieJar { sealer, opened }
    }

    /// The unexpired session of this request's cookie on `host`, if it opens.
    pub fn session(&self, headers: &HeaderMap, host: &str, secure: bool, now: i64) -> Option<Arc<GatewaySession>> {
        let raw = cookies::get(headers, SESSION_COOKIE, secure)?;
        let key = (host_key(host), raw);
        let opened = match self.opened.get(&key) {
            Some(hit) if self.sealer.accepts(hit.generation) => hit,
            Some(_) => {
                self.opened.invalidate(&key);
                return None;
            }
            None => {
                let sealed = URL_SAFE_NO_PAD.decode(key.1.as_bytes()).ok()?;
                let generation = Sealer::generation_of(&sealed)?;
                let json = self.sealer.open(&sealed, &aad(SESSION_COOKIE, &key.0)).ok()?;
                let session = Arc::new(serde_json::from_slice::<GatewaySession>(&json).ok()?);
                let opened = Arc::new(Opened { generation, session });
                self.opened.insert(key, opened.clone());
                opened
            }
        };
        (opened.session.exp > now).then(|| opened.session.clone())
    }

    pub fn login(&self, headers: &HeaderMap, host: &str, secure: bool, now: i64) -> Option<LoginState> {
        let s: LoginState = self.open(headers, LOGIN_COOKIE, host, secure)?;
        (s.exp > now).then_some(s)
    }

    pub fn set_session(&self, s: &GatewaySession, host: &str, secure: bool, now: i64) -> HeaderValue {
        let value = self.seal(s, SESSION_COOKIE, host);
        // Lax: the session must come along when someone follows a link to the application.
        cookies::set(SESSION_COOKIE, &value, secure, SameSite::Lax, Some(s.exp - now))
    }

    pub fn set_login(&self, s: &LoginState, host: &str, secure: bool) -> HeaderValue {
        let value = self.seal(s, LOGIN_COOKIE, host);
        // Lax: it must come back on the provider's top-level redirect to the callback.
        cookies::set(LOGIN_COOKIE, &value, secure, SameSite::Lax, Some(LOGIN_TTL_SECS))
    }

    pub fn clear(name: &str, secure: bool) -> HeaderValue {
        cookies::clear(name, secure)
    }

    fn seal<T: Serialize>(&self, value: &T, name: &str, host: &str) -> String {
        let json = serde_json::to_vec(value).expect("cookie contents serialise");
        URL_SAFE_NO_PAD.encode(self.sealer.seal(&json, &aad(name, host)))
    }

    fn open<T: DeserializeOwned>(&self, headers: &HeaderMap, name: &str, host: &str, secure: bool) -> Option<T> {
        let raw = cookies::get(headers, name, secure)?;
        let sealed = URL_SAFE_NO_PAD.decode(raw.as_bytes()).ok()?;
        let json = self.sealer.open(&sealed, &aad(name, host)).ok()?;
        serde_json::from_slice(&json).ok()
    }
}

/// Associated data: the cookie's name and host, so a value cannot move between them.
fn aad(name: &str, host: &str) -> Vec<u8> {
    let mut aad = format!("gerbang-gateway/{name}/").into_bytes();
    aad.extend_from_slice(host_key(host).as_bytes());
    aad
}

/// The host a cookie is bound to: without the port, lowercased.
fn host_key(host: &str) -> String {
    host_without_port(host).to_ascii_lowercase()
}

/// The `Cookie` header without the gateway's own cookies, for the upstream: an application
/// never sees (and so can never leak) the gateway session.
pub fn strip_gateway_cookies(headers: &mut HeaderMap) {
    let kept: Vec<String> = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|c| {
            let name = c.split('=').next().unwrap_or("").trim_start_matches("__Host-");
            !c.is_empty() && name != SESSION_COOKIE && name != LOGIN_COOKIE
        })
        .map(String::from)
        .collect();
    headers.remove(http::header::COOKIE);
    if !kept.is_empty()
        && let Ok(v) = HeaderValue::from_str(&kept.join("; "))
    {
        headers.insert(http::header::COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use gerbang_core::crypto::{Keys, Root, RootState};
    use zeroize::Zeroizing;

    use super::*;

    fn session(exp: i64) -> GatewaySession {
        GatewaySession {
            id: "g1".into(),
            sub: "s".into(),
            name: Some("Nama".into()),
            nip: None,
            roles: vec![],
            opd: None,
            acr: Some("warga".into()),
            amr: vec!["pwd".into()],
            identity_assurance: None,
            auth_time: 1,
            sid: Some("sid".into()),
            iat: 1,
            exp,
        }
    }

    fn request_with(set_cookie: &HeaderValue) -> HeaderMap {
        let pair = set_cookie.to_str().unwrap().split(';').next().unwrap().to_string();
        let mut h = HeaderMap::new();
        h.insert(http::header::COOKIE, HeaderValue::from_str(&format!("other=1; {pair}")).unwrap());
        h
    }

    #[test]
    fn sealed_to_its_host_and_expires() {
        let jar = CookieJar::new(Sealer::new(&[7; 32]));
        let set = jar.set_session(&session(100), "a.test:8080", false, 10);
        let h = request_with(&set);
        assert_eq!(jar.session(&h, "A.test", false, 10).unwrap().sub, "s");
        assert!(jar.session(&h, "b.test", false, 10).is_none(), "bound to its host");
        assert!(jar.session(&h, "a.test", false, 100).is_none(), "expired");
        let other = CookieJar::new(Sealer::new(&[8; 32]));
        assert!(other.session(&h, "a.test", false, 10).is_none(), "another key cannot open it");
        let mut h = h;
        strip_gateway_cookies(&mut h);
        assert_eq!(h.get(http::header::COOKIE).unwrap(), "other=1");
    }

    fn root(generation: u32, state: RootState, retired_at: Option<i64>) -> Root {
        Root { generation, state, retired_at, bytes: Zeroizing::new([generation as u8 + 1; 32]) }
    }

    #[test]
    fn an_opened_cookie_is_cached_but_not_past_its_key() {
        let keys = Keys::from_roots(&[root(0, RootState::Current, None)]).unwrap();
        let jar = CookieJar::new(keys.gateway_cookie.clone());
        let h = request_with(&jar.set_session(&session(i64::MAX), "a.test", false, 10));
        let first = jar.session(&h, "a.test", false, 10).unwrap();
        let again = jar.session(&h, "a.test:443", false, 10).unwrap();
        assert!(Arc::ptr_eq(&first, &again), "the second look is served from the cache");
        assert!(jar.session(&h, "b.test", false, 10).is_none(), "the cache is per host");
        assert!(jar.session(&h, "a.test", false, i64::MAX).is_none(), "expiry is checked at every hit");

        // A rotation: generation 0 retired past the grace for values sent back to us.
        let long_ago = gerbang_core::crypto::versions::now() - gerbang_core::crypto::TRANSIENT_GRACE_SECS - 10;
        keys.replace_roots(&[root(1, RootState::Current, None), root(0, RootState::Retired, Some(long_ago))]).unwrap();
        assert!(jar.session(&h, "a.test", false, 10).is_none(), "a cached cookie of a retired key is refused");
        let fresh = request_with(&jar.set_session(&session(i64::MAX), "a.test", false, 10));
        assert!(jar.session(&fresh, "a.test", false, 10).is_some(), "the new key's cookies open");
    }
}
