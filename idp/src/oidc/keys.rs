//! The IdP's signing keys: one active ES256 key (the default) and one active RS256 key (for
//! clients that ask for it), private parts sealed at rest. `gerbang keys rotate` makes a new
//! active key; the old one stays in the JWKS until every token it signed has expired.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gerbang_core::crypto::{Sealer, random};
use gerbang_core::store::{SigningKeyRecord, SigningKeyStore, Store, StoreError, now_unix};
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The algorithms Gerbang signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigningAlg {
    Es256,
    Rs256,
}

impl SigningAlg {
    pub const ALL: [SigningAlg; 2] = [SigningAlg::Es256, SigningAlg::Rs256];

    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::Es256 => "ES256",
            SigningAlg::Rs256 => "RS256",
        }
    }

    pub fn parse(s: &str) -> Option<SigningAlg> {
        match s {
            "ES256" => Some(SigningAlg::Es256),
            "RS256" => Some(SigningAlg::Rs256),
            _ => None,
        }
    }

    fn jwt(self) -> Algorithm {
        match self {
            SigningAlg::Es256 => Algorithm::ES256,
            SigningAlg::Rs256 => Algorithm::RS256,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("signing key {kid}: {reason}")]
    Broken { kid: String, reason: String },
    #[error("no active {0} signing key")]
    NoActiveKey(&'static str),
    #[error("token: {0}")]
    Jwt(#[from] jsonwebtoken::errors::Error),
}

impl From<jsonwebtoken::errors::ErrorKind> for KeyError {
    fn from(kind: jsonwebtoken::errors::ErrorKind) -> Self {
        KeyError::Jwt(kind.into())
    }
}

struct ActiveKey {
    kid: String,
    encoding: EncodingKey,
    /// ES256 keys sign through ring with the key parsed once (jsonwebtoken's RustCrypto backend
    /// parses the PKCS#8 document at every signature: ~450 µs against ~25 µs).
    ecdsa: Option<Arc<EcdsaKeyPair>>,
}

#[derive(Default)]
struct Loaded {
    active: HashMap<SigningAlg, ActiveKey>,
    verifying: HashMap<String, (SigningAlg, DecodingKey)>,
    jwks: serde_json::Value,
}

/// The keys in memory; cheap to clone. Reloaded from the database after a rotation.
#[derive(Clone)]
pub struct KeyRing {
    store: Store,
    sealer: Sealer,
    loaded: Arc<RwLock<Loaded>>,
}

impl KeyRing {
    /// Loads the published keys, creating an active key for each algorithm that has none.
    pub async fn open(store: Store, sealer: Sealer) -> Result<KeyRing, KeyError> {
        super::jwt_crypto::install();
        let ring = KeyRing { store, sealer, loaded: Arc::new(RwLock::new(Loaded::default())) };
        ring.reload().await?;
        let missing: Vec<SigningAlg> = {
            let loaded = ring.read();
            SigningAlg::ALL.into_iter().filter(|a| !loaded.active.contains_key(a)).collect()
        };
        if !missing.is_empty() {
            let mut tx = ring.store.begin().await?;
            for alg in missing {
                tx.insert_signing_key(&ring.generate(alg)?).await?;
                tracing::info!(alg = alg.as_str(), "created signing key");
            }
            tx.commit().await?;
            ring.reload().await?;
        }
        Ok(ring)
    }

    /// Makes a new active key of `alg`; the previous one is published for `keep_secs` more.
    pub async fn rotate(&self, alg: SigningAlg, keep_secs: i64) -> Result<String, KeyError> {
        let record = self.generate(alg)?;
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        tx.retire_signing_keys(alg.as_str(), now, now + keep_secs).await?;
        tx.insert_signing_key(&record).await?;
        // The other replicas reload at once (else within a minute).
        gerbang_core::store::changes::announce(&mut tx, &gerbang_core::store::Change::SigningKeys).await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(record.kid)
    }

    /// Re-reads the published keys (after a rotation here or by another replica).
    pub async fn reload(&self) -> Result<(), KeyError> {
        let records = self.store.conn().await?.published_signing_keys(now_unix()).await?;
        let mut next = Loaded::default();
        let mut jwks = JwkSet { keys: vec![] };
        for r in records {
            let alg = SigningAlg::parse(&r.alg)
                .ok_or_else(|| KeyError::Broken { kid: r.kid.clone(), reason: format!("unknown alg {}", r.alg) })?;
            let der = self
                .sealer
                .open(&r.private_sealed, r.kid.as_bytes())
                .map_err(|e| KeyError::Broken { kid: r.kid.clone(), reason: e.to_string() })?;
            let encoding = match alg {
                SigningAlg::Es256 => EncodingKey::from_ec_der(&der),
                SigningAlg::Rs256 => EncodingKey::from_rsa_der(&der),
            };
            let jwk: Jwk = serde_json::from_str(&r.public_jwk)
                .map_err(|e| KeyError::Broken { kid: r.kid.clone(), reason: e.to_string() })?;
            next.verifying.insert(r.kid.clone(), (alg, DecodingKey::from_jwk(&jwk)?));
            jwks.keys.push(jwk);
            if r.retired_at.is_none() && !next.active.contains_key(&alg) {
                let ecdsa = match alg {
                    SigningAlg::Es256 => Some(Arc::new(
                        ecdsa_key_pair(&der).map_err(|reason| KeyError::Broken { kid: r.kid.clone(), reason })?,
                    )),
                    SigningAlg::Rs256 => None,
                };
                next.active.insert(alg, ActiveKey { kid: r.kid.clone(), encoding, ecdsa });
            }
        }
        next.jwks = serde_json::to_value(&jwks).unwrap_or_default();
        *self.loaded.write().unwrap_or_else(PoisonError::into_inner) = next;
        Ok(())
    }

    /// The published keys as a JWK set (RFC 7517).
    pub fn jwks(&self) -> serde_json::Value {
        self.read().jwks.clone()
    }

    /// Signs `claims` as a JWT with the active key of `alg`, with `typ` in the header.
    pub fn sign<T: Serialize>(&self, alg: SigningAlg, typ: &str, claims: &T) -> Result<String, KeyError> {
        let loaded = self.read();
        let key = loaded.active.get(&alg).ok_or(KeyError::NoActiveKey(alg.as_str()))?;
        if let Some(pair) = &key.ecdsa {
            return sign_es256(pair, &key.kid, typ, claims);
        }
        let mut header = Header::new(alg.jwt());
        header.kid = Some(key.kid.clone());
        header.typ = Some(typ.into());
        Ok(jsonwebtoken::encode(&header, claims, &key.encoding)?)
    }

    /// Verifies a JWT signed by one of our published keys; `validation` sets issuer, audience.
    pub fn verify<T: DeserializeOwned>(&self, token: &str, mut validation: Validation) -> Result<T, KeyError> {
        let header = jsonwebtoken::decode_header(token)?;
        let kid = header.kid.ok_or(jsonwebtoken::errors::ErrorKind::InvalidToken)?;
        let loaded = self.read();
        let (alg, key) = loaded.verifying.get(&kid).ok_or(jsonwebtoken::errors::ErrorKind::InvalidToken)?;
        validation.algorithms = vec![alg.jwt()];
        Ok(jsonwebtoken::decode::<T>(token, key, &validation)?.claims)
    }

    /// The loaded keys. A panic elsewhere while holding the lock leaves valid data behind (every
    /// write replaces the whole value), so a poisoned lock is used as it is, not turned into
    /// panics on every later request.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Loaded> {
        self.loaded.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn generate(&self, alg: SigningAlg) -> Result<SigningKeyRecord, KeyError> {
        let kid = random::token(12);
        let broken = |reason: String| KeyError::Broken { kid: kid.clone(), reason };
        let der: Vec<u8> = match alg {
            SigningAlg::Es256 => {
                use p256::pkcs8::EncodePrivateKey;
                let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
                secret.to_pkcs8_der().map_err(|e| broken(e.to_string()))?.as_bytes().to_vec()
            }
            SigningAlg::Rs256 => {
                use rsa::pkcs1::EncodeRsaPrivateKey;
                let secret =
                    rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).map_err(|e| broken(e.to_string()))?;
                secret.to_pkcs1_der().map_err(|e| broken(e.to_string()))?.as_bytes().to_vec()
            }
        };
        let encoding = match alg {
            SigningAlg::Es256 => EncodingKey::from_ec_der(&der),
            SigningAlg::Rs256 => EncodingKey::from_rsa_der(&der),
        };
        let mut jwk = Jwk::from_encoding_key(&encoding, alg.jwt())?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let public_jwk = serde_json::to_string(&jwk).map_err(|e| broken(e.to_string()))?;
        Ok(SigningKeyRecord {
            private_sealed: self.sealer.seal(&der, kid.as_bytes()),
            kid,
            alg: alg.as_str().into(),
            public_jwk,
            created_at: now_unix(),
            retired_at: None,
            remove_after: None,
        })
    }
}

/// A ring key pair from the PKCS#8 document `generate` stores (the scalar and the public point
/// are handed over explicitly, whatever optional fields the document carries).
fn ecdsa_key_pair(der: &[u8]) -> Result<EcdsaKeyPair, String> {
    use p256::pkcs8::DecodePrivateKey;
    let secret = p256::SecretKey::from_pkcs8_der(der).map_err(|e| e.to_string())?;
    let public = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&secret.public_key(), false);
    EcdsaKeyPair::from_private_key_and_public_key(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        &secret.to_bytes(),
        public.as_bytes(),
        &ring::rand::SystemRandom::new(),
    )
    .map_err(|e| e.to_string())
}

/// A compact JWS (RFC 7515) with ES256: the signature is R || S, 64 bytes (RFC 7518 §3.4).
fn sign_es256<T: Serialize>(pair: &EcdsaKeyPair, kid: &str, typ: &str, claims: &T) -> Result<String, KeyError> {
    let header = serde_json::json!({ "typ": typ, "alg": "ES256", "kid": kid });
    let broken = |reason: String| KeyError::Broken { kid: kid.to_string(), reason };
    let header = serde_json::to_vec(&header).map_err(|e| broken(e.to_string()))?;
    let payload = serde_json::to_vec(claims).map_err(|e| broken(e.to_string()))?;
    let mut jws = URL_SAFE_NO_PAD.encode(header);
    jws.push('.');
    jws.push_str(&URL_SAFE_NO_PAD.encode(payload));
    let signature = pair
        .sign(&ring::rand::SystemRandom::new(), jws.as_bytes())
        .map_err(|_| broken("ECDSA signing failed".into()))?;
    jws.push('.');
    jws.push_str(&URL_SAFE_NO_PAD.encode(signature.as_ref()));
    Ok(jws)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token signed by the ring path verifies with jsonwebtoken against the published JWK.
    #[test]
    fn ring_es256_tokens_verify_with_the_published_key() {
        use p256::pkcs8::EncodePrivateKey;
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let der = secret.to_pkcs8_der().unwrap().as_bytes().to_vec();
        let pair = ecdsa_key_pair(&der).unwrap();
        let claims = serde_json::json!({ "sub": "layanan", "exp": now_unix() + 60 });
        let jws = sign_es256(&pair, "k1", "at+jwt", &claims).unwrap();
        let jwk = Jwk::from_encoding_key(&EncodingKey::from_ec_der(&der), Algorithm::ES256).unwrap();
        let mut validation = Validation::new(Algorithm::ES256);
        validation.required_spec_claims.clear();
        let back = jsonwebtoken::decode::<serde_json::Value>(&jws, &DecodingKey::from_jwk(&jwk).unwrap(), &validation)
            .expect("verifies");
        assert_eq!(back.claims["sub"], "layanan");
        assert_eq!(back.header.kid.as_deref(), Some("k1"));
        assert_eq!(back.header.typ.as_deref(), Some("at+jwt"));
        // A flipped bit in the payload breaks it.
        let mut bad = jws.clone().into_bytes();
        let dot = jws.find('.').unwrap() + 3;
        bad[dot] = if bad[dot] == b'A' { b'B' } else { b'A' };
        let bad = String::from_utf8(bad).unwrap();
        assert!(
            jsonwebtoken::decode::<serde_json::Value>(&bad, &DecodingKey::from_jwk(&jwk).unwrap(), &validation)
                .is_err()
        );
    }
}
