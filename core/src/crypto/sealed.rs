//! Authenticated encryption of values at rest (AES-256-GCM), bound to what they belong to.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use zeroize::Zeroizing;

/// Format version byte; a later master-key rotation adds versions without breaking old rows.
const V1: u8 = 1;
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed value does not open with this key (wrong master key or tampered data)")]
    Open,
}

#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Sealer {
        Sealer { cipher: Aes256Gcm::new(key.into()) }
    }

    /// `aad` binds the ciphertext to its owner (e.g. the account id), so a sealed value
    /// copied onto another row does not open.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad })
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        out.push(V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != V1 {
            return Err(SealError::Malformed);
        }
        let (nonce, ciphertext) = sealed[1..].split_at(NONCE_LEN);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad })
            .map(Zeroizing::new)
            .map_err(|_| SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let s = Sealer::new(&[7u8; 32]);
        let sealed = s.seal(b"1374014101900001", b"acct-1");
        assert!(!sealed.windows(16).any(|w| w == b"1374014101900001"));
        assert_eq!(&*s.open(&sealed, b"acct-1").unwrap(), b"1374014101900001");
        assert_eq!(s.open(&sealed, b"acct-2"), Err(SealError::Open));
        assert_eq!(Sealer::new(&[8u8; 32]).open(&sealed, b"acct-1"), Err(SealError::Open));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(s.open(&tampered, b"acct-1"), Err(SealError::Open));
        assert_eq!(s.open(&sealed[..10], b"acct-1"), Err(SealError::Malformed));
        assert_ne!(s.seal(b"x", b""), s.seal(b"x", b""), "nonces are random");
    }
}
