//! jsonwebtoken's signature check for ES256 through ring, which this build already carries for
//! rustls: the crate's RustCrypto backend verifies a P-256 signature several times slower, and
//! every introspection, userinfo call and bearer-token check verifies one. Other algorithms keep
//! the crate's own backend. Signing ES256 goes through ring too (`keys::sign_es256`).

use std::sync::Once;

use jsonwebtoken::crypto::{JwtVerifier, rust_crypto};
use jsonwebtoken::signature::{Error as SignatureError, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind};
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

/// An uncompressed P-256 point (0x04 || x || y).
struct RingEs256(Vec<u8>);

impl Verifier<Vec<u8>> for RingEs256 {
    fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), SignatureError> {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &self.0)
            .verify(msg, signature)
            .map_err(|_| SignatureError::new())
    }
}

impl JwtVerifier for RingEs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::ES256
    }
}

fn verifier(alg: &Algorithm, key: &DecodingKey) -> jsonwebtoken::errors::Result<Box<dyn JwtVerifier>> {
    if *alg == Algorithm::ES256
        && key.family() == AlgorithmFamily::Ec
        && let DecodingKeyKind::SecretOrDer(point) = key.kind()
        && point.len() == 65
        && point[0] == 4
    {
        return Ok(Box::new(RingEs256(point.clone())));
    }
    (rust_crypto::DEFAULT_PROVIDER.verifier_factory)(alg, key)
}

/// Installs the provider for the process (once; later calls do nothing).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let mut provider = rust_crypto::DEFAULT_PROVIDER.clone();
        provider.verifier_factory = verifier;
        // Fails only when a provider is installed already; jsonwebtoken then keeps that one.
        let _ = Box::leak(Box::new(provider)).install_default();
    });
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{EncodingKey, Header, Validation};

    /// Tokens signed by either backend verify through ring; a tampered one does not.
    #[test]
    fn es256_verification_through_ring() {
        super::install();
        use p256::pkcs8::EncodePrivateKey;
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let der = secret.to_pkcs8_der().unwrap().as_bytes().to_vec();
        let encoding = EncodingKey::from_ec_der(&der);
        let jwk = Jwk::from_encoding_key(&encoding, jsonwebtoken::Algorithm::ES256).unwrap();
        let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
        let claims = serde_json::json!({ "sub": "x", "exp": gerbang_core::store::now_unix() + 60 });
        let token = jsonwebtoken::encode(&Header::new(jsonwebtoken::Algorithm::ES256), &claims, &encoding).unwrap();
        let validation = Validation::new(jsonwebtoken::Algorithm::ES256);
        assert!(jsonwebtoken::decode::<serde_json::Value>(&token, &decoding, &validation).is_ok());
        let mut parts: Vec<String> = token.split('.').map(String::from).collect();
        parts[1] = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            serde_json::json!({ "sub": "y", "exp": gerbang_core::store::now_unix() + 60 }).to_string(),
        );
        let forged = parts.join(".");
        assert!(jsonwebtoken::decode::<serde_json::Value>(&forged, &decoding, &validation).is_err());
    }
}
