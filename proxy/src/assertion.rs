//! The signed identity assertion (`X-Gerbang-Assertion`): a short-lived ES256 JWT naming the
//! person, their level and the route, which an upstream verifies with the gateway's JWKS
//! (`/.gerbang/jwks.json`). Signatures are cached per session and route for half their life, so
//! a busy session costs one signature per half-life, not one per request.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use moka::sync::Cache;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::EncodePrivateKey;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use gerbang_core::crypto::versions::{Slot, Versions, now};
use zeroize::Zeroizing;

use crate::identity::Identity;

pub struct AssertionSigner {
    issuer: String,
    ttl_secs: i64,
    /// The seeds by data-key generation (the current one signs); replaced after a master-key
    /// rotation, when the keys below are made again.
    seeds: Slot<Zeroizing<[u8; 32]>>,
    keys: RwLock<Arc<SigningKeys>>,
    cache: Cache<(String, String, String), (String, i64)>,
}

/// The keys made from one set of seeds.
struct SigningKeys {
    made_from: Arc<Versions<Zeroizing<[u8; 32]>>>,
    kid: String,
    key: EncodingKey,
    /// Every accepted generation's public key: the next one is known to upstreams before it
    /// signs, a retired one until its assertions have expired.
    jwks: Value,
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    /// The route id: an upstream accepts only assertions made for it.
    aud: &'a str,
    sub: &'a str,
    iat: i64,
    exp: i64,
    jti: String,
    /// The level this request met at the gateway.
    level: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    acr: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    amr: &'a [String],
    auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nip: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    roles: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    opd: Option<&'a str>,
}

impl AssertionSigner {
    /// One fixed seed (tests, benchmarks).
    pub fn new(seed: &[u8; 32], issuer: &str, ttl_secs: u64) -> AssertionSigner {
        AssertionSigner::from_seeds(Slot::new(Versions::single(Zeroizing::new(*seed))), issuer, ttl_secs)
    }

    /// `seeds`: derived from the data keys, so every replica signs with the same key.
    pub fn from_seeds(seeds: Slot<Zeroizing<[u8; 32]>>, issuer: &str, ttl_secs: u64) -> AssertionSigner {
        let keys = RwLock::new(Arc::new(SigningKeys::new(seeds.get())));
        let ttl = Duration::from_secs((ttl_secs / 2).max(1));
        AssertionSigner {
            issuer: issuer.trim_end_matches('/').to_string(),
            ttl_secs: ttl_secs as i64,
            seeds,
            keys,
            cache: Cache::builder().max_capacity(100_000).time_to_live(ttl).build(),
        }
    }

    /// The keys of the present seeds, made again (and the cache emptied) when they changed.
    fn keys(&self) -> Arc<SigningKeys> {
        let seeds = self.seeds.get();
        let held = self.keys.read().unwrap_or_else(|p| p.into_inner()).clone();
        if Arc::ptr_eq(&held.made_from, &seeds) {
            return held;
        }
        let fresh = Arc::new(SigningKeys::new(seeds));
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = fresh.clone();
        self.cache.invalidate_all();
        fresh
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn jwks(&self) -> Value {
        self.keys().jwks.clone()
    }

    /// The assertion for `who` on `route` at `level`, from the cache when one is fresh. `None`
    /// (logged) if signing fails: the request goes on without an assertion rather than failing.
    pub fn assertion(&self, who: &Identity, route: &str, level: &str, now: i64) -> Option<String> {
        let keys = self.keys();
        let key = (who.key.clone(), route.to_string(), level.to_string());
        if let Some((jwt, exp)) = self.cache.get(&key)
            && exp - now > self.ttl_secs / 2 - 1
        {
            return Some(jwt);
        }
        let exp = now + self.ttl_secs;
        let claims = AssertionClaims {
            iss: &self.issuer,
            aud: route,
            sub: &who.sub,
            iat: now,
            exp,
            jti: gerbang_core::crypto::random::token(12),
            level,
            acr: who.acr.as_deref(),
            amr: &who.amr,
            auth_time: who.auth_time,
            name: who.name.as_deref(),
            nip: who.nip.as_deref(),
            roles: &who.roles,
            opd: who.opd.as_deref(),
        };
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(keys.kid.clone());
        header.typ = Some("gerbang-assertion+jwt".into());
        match jsonwebtoken::encode(&header, &claims, &keys.key) {
            Ok(jwt) => {
                self.cache.insert(key, (jwt.clone(), exp));
                Some(jwt)
            }
            Err(e) => {
                tracing::error!(error = %e, "could not sign an identity assertion");
                None
            }
        }
    }
}

impl SigningKeys {
    fn new(seeds: Arc<Versions<Zeroizing<[u8; 32]>>>) -> SigningKeys {
        let (kid, key, _) = key_of(&seeds.current().key);
        let jwks = seeds.all_accepted(now()).map(|v| key_of(&v.key).2).collect::<Vec<_>>();
        SigningKeys { kid, key, jwks: json!({ "keys": jwks }), made_from: seeds }
    }
}

/// The kid, private key and public JWK of a seed.
fn key_of(seed: &[u8; 32]) -> (String, EncodingKey, Value) {
    let secret = secret_from_seed(seed);
    let der = secret.to_pkcs8_der().expect("a P-256 key encodes as PKCS#8");
    let key = EncodingKey::from_ec_der(der.as_bytes());
    let point = secret.public_key().to_encoded_point(false);
    let x = URL_SAFE_NO_PAD.encode(point.x().expect("uncompressed point"));
    let y = URL_SAFE_NO_PAD.encode(point.y().expect("uncompressed point"));
    // RFC 7638 thumbprint: members in lexicographic order, no whitespace.
    let thumb = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumb.as_bytes()));
    let jwk = json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": kid, "use": "sig", "alg": "ES256" });
    (kid, key, jwk)
}

/// A valid P-256 scalar from the seed (a seed at or above the group order, probability about
/// 2^-32, is hashed again).
fn secret_from_seed(seed: &[u8; 32]) -> p256::SecretKey {
    let mut bytes = *seed;
    loop {
        if let Ok(k) = p256::SecretKey::from_slice(&bytes) {
            return k;
        }
        bytes = Sha256::digest(bytes).into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation, jwk::JwkSet};

    #[test]
    fn verifies_with_the_published_key_and_is_cached() {
        let s = AssertionSigner::new(&[3; 32], "http://gw.test/", 60);
        let who = Identity {
            key: "g1".into(),
            sub: "sub".into(),
            name: Some("Nama".into()),
            nip: Some("199001012020121001".into()),
            roles: vec!["r".into()],
            opd: None,
            acr: Some("asn".into()),
            amr: vec!["pwd".into()],
            verified: true,
            auth_time: 5,
            bearer_client: None,
        };
        let now = gerbang_core::store::now_unix();
        let jwt = s.assertion(&who, "e-office", "asn", now).unwrap();
        assert_eq!(s.assertion(&who, "e-office", "asn", now + 1).unwrap(), jwt, "cached");
        assert_ne!(s.assertion(&who, "simpeg", "asn", now).unwrap(), jwt, "per route");
        let set: JwkSet = serde_json::from_value(s.jwks()).unwrap();
        let key = DecodingKey::from_jwk(&set.keys[0]).unwrap();
        let mut v = Validation::new(Algorithm::ES256);
        v.set_audience(&["e-office"]);
        v.set_issuer(&["http://gw.test"]);
        let claims = jsonwebtoken::decode::<Value>(&jwt, &key, &v).unwrap().claims;
        assert_eq!((claims["sub"].as_str(), claims["level"].as_str()), (Some("sub"), Some("asn")));
        assert_eq!(claims["nip"], "199001012020121001");
        v.set_audience(&["simpeg"]);
        assert!(jsonwebtoken::decode::<Value>(&jwt, &key, &v).is_err(), "not for another route");
        assert_eq!(AssertionSigner::new(&[3; 32], "x", 60).jwks(), s.jwks(), "same seed, same key on every replica");
    }

    #[test]
    fn a_new_generation_signs_and_the_old_key_stays_published() {
        use gerbang_core::crypto::versions::Version;
        let seeds = Slot::new(Versions::single(Zeroizing::new([3u8; 32])));
        let s = AssertionSigner::from_seeds(seeds.clone(), "http://gw.test", 60);
        let old_kid = s.jwks()["keys"][0]["kid"].clone();
        seeds.set(Versions {
            list: vec![
                Version { generation: 1, key: Zeroizing::new([4u8; 32]), accept_until: None },
                Version { generation: 0, key: Zeroizing::new([3u8; 32]), accept_until: Some(now() + 60) },
            ],
        });
        let jwks = s.jwks();
        let kids: Vec<_> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].clone()).collect();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[1], old_kid);
        assert_ne!(kids[0], old_kid);
    }
}
