//! Authenticated encryption of values at rest (AES-256-GCM), bound to what they belong to.
//!
//! A sealed value names the generation of the data key that sealed it, so values sealed before a
//! master-key rotation still open while they are rewritten: format 1 is generation 0
//! (`1 ‖ nonce ‖ ciphertext`, the format of every value sealed before generations existed),
//! format 2 any generation (`2 ‖ generation, 4 bytes big-endian ‖ nonce ‖ ciphertext`).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use zeroize::Zeroizing;

use super::versions::{Slot, Versions, now};

const V1: u8 = 1;
const V2: u8 = 2;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed value does not open with this key (wrong master key or tampered data)")]
    Open,
}

/// Seals with the current data key; opens with whichever accepted generation sealed the value.
#[derive(Clone)]
pub struct Sealer {
    slot: Slot<Aes256Gcm>,
}

impl Sealer {
    /// A sealer with one fixed key (generation 0).
    pub fn new(key: &[u8; 32]) -> Sealer {
        Sealer { slot: Slot::new(Versions::single(cipher(key))) }
    }

    pub(crate) fn from_slot(slot: Slot<Aes256Gcm>) -> Sealer {
        Sealer { slot }
    }

    /// `aad` binds the ciphertext to its owner (e.g. the account id), so a sealed value
    /// copied onto another row does not open.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let versions = self.slot.get();
        let current = versions.current();
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = current
            .key
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad })
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(5 + NONCE_LEN + ciphertext.len());
        if current.generation == 0 {
            out.push(V1);
        } else {
            out.push(V2);
            out.extend_from_slice(&current.generation.to_be_bytes());
        }
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let (generation, body) = split(sealed).ok_or(SealError::Malformed)?;
        let versions = self.slot.get();
        let key = versions.accepted(generation, now()).ok_or(SealError::Open)?;
        let (nonce, ciphertext) = body.split_at(NONCE_LEN);
        key.decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad })
            .map(Zeroizing::new)
            .map_err(|_| SealError::Open)
    }

    /// The generation that sealed `sealed`, if it is well formed.
    pub fn generation_of(sealed: &[u8]) -> Option<u32> {
        split(sealed).map(|(g, _)| g)
    }

    /// Whether a value sealed by `generation` would still open (its key is accepted now).
    pub fn accepts(&self, generation: u32) -> bool {
        self.slot.get().accepted(generation, now()).is_some()
    }

    /// The generation new values are sealed with.
    pub fn current_generation(&self) -> u32 {
        self.slot.get().current().generation
    }
}

pub(crate) fn cipher(key: &[u8; 32]) -> Aes256Gcm {
    Aes256Gcm::new(key.into())
}

/// (generation, nonce ‖ ciphertext) of a well-formed sealed value.
fn split(sealed: &[u8]) -> Option<(u32, &[u8])> {
    let (generation, body) = match *sealed.first()? {
        V1 => (0, &sealed[1..]),
        V2 if sealed.len() >= 5 => (u32::from_be_bytes(sealed[1..5].try_into().ok()?), &sealed[5..]),
        _ => return None,
    };
    (body.len() >= NONCE_LEN + TAG_LEN).then_some((generation, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::versions::Version;

    #[test]
    fn round_trip_and_binding() {
        let s = Sealer::new(&[7u8; 32]);
        let sealed = s.seal(b"1374014101900001", b"acct-1");
        assert_eq!(sealed[0], V1, "generation 0 keeps the first format");
        assert!(!sealed.windows(16).any(|w| w == b"1374014101900001"));
        assert_eq!(&*s.open(&sealed, b"acct-1").unwrap(), b"1374014101900001");
        assert_eq!(s.open(&sealed, b"acct-2"), Err(SealError::Open));
        assert_eq!(Sealer::new(&[8u8; 32]).open(&sealed, b"acct-1"), Err(SealError::Open));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(s.open(&tampered, b"acct-1"), Err(SealError::Open));
        assert_eq!(s.open(&sealed[..10], b"acct-1"), Err(SealError::Malformed));
        assert_eq!(s.open(&[9, 0, 0], b"acct-1"), Err(SealError::Malformed));
        assert_ne!(s.seal(b"x", b""), s.seal(b"x", b""), "nonces are random");
    }

    #[test]
    fn generations_open_their_own_values_until_their_time() {
        let old = Sealer::new(&[1u8; 32]);
        let before = old.seal(b"secret", b"a");
        let slot = Slot::new(Versions {
            list: vec![
                Version { generation: 3, key: cipher(&[3u8; 32]), accept_until: None },
                Version { generation: 0, key: cipher(&[1u8; 32]), accept_until: None },
            ],
        });
        let s = Sealer::from_slot(slot.clone());
        let after = s.seal(b"secret", b"a");
        assert_eq!(Sealer::generation_of(&after), Some(3));
        assert_eq!(Sealer::generation_of(&before), Some(0));
        assert_eq!(&*s.open(&before, b"a").unwrap(), b"secret");
        assert_eq!(&*s.open(&after, b"a").unwrap(), b"secret");
        assert_eq!(old.open(&after, b"a"), Err(SealError::Open), "an unknown generation does not open");
        // A retired generation past its time opens nothing; the holders see the change at once.
        slot.set(Versions {
            list: vec![
                Version { generation: 3, key: cipher(&[3u8; 32]), accept_until: None },
                Version { generation: 0, key: cipher(&[1u8; 32]), accept_until: Some(now() - 1) },
            ],
        });
        assert_eq!(s.open(&before, b"a"), Err(SealError::Open));
        assert_eq!(&*s.open(&after, b"a").unwrap(), b"secret");
        // The generation is authenticated: relabelling a value does not open it with another key.
        let mut relabelled = after.clone();
        relabelled[4] = 0;
        assert_eq!(s.open(&relabelled, b"a"), Err(SealError::Open));
    }
}
