//! Keyed hashes (HMAC-SHA256) that let us find a row by a secret value without storing it.
//!
//! New indexes are made with the current data key. Lookups and checks try every accepted
//! generation ([`BlindIndex::candidates`]), so a value indexed before a master-key rotation is
//! still found while it is being re-indexed.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::versions::{Slot, Versions, now};

pub(crate) type Hmac256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct BlindIndex {
    slot: Slot<Hmac256>,
}

impl BlindIndex {
    /// An index with one fixed key (generation 0).
    pub fn new(key: &[u8; 32]) -> BlindIndex {
        BlindIndex { slot: Slot::new(Versions::single(mac(key))) }
    }

    pub(crate) fn from_slot(slot: Slot<Hmac256>) -> BlindIndex {
        BlindIndex { slot }
    }

    /// Deterministic for one key, so equal values give equal indexes (a unique column).
    pub fn index(&self, value: &[u8]) -> Vec<u8> {
        compute(&self.slot.get().current().key, value)
    }

    /// The index of `value` under every accepted generation, the current one first.
    pub fn candidates(&self, value: &[u8]) -> Vec<Vec<u8>> {
        self.slot.get().all_accepted(now()).map(|v| compute(&v.key, value)).collect()
    }

    /// Whether `expected` is the index of `value` under an accepted generation, truncated to
    /// its first `len` bytes (16 to 32), compared in constant time. An `expected` of another
    /// length is refused, so a shortened guess never passes.
    pub fn verify(&self, value: &[u8], expected: &[u8], len: usize) -> bool {
        (16..=32).contains(&len)
            && expected.len() == len
            && self.candidates(value).iter().any(|c| bool::from(c[..len].ct_eq(expected)))
    }
}

pub(crate) fn mac(key: &[u8; 32]) -> Hmac256 {
    Hmac::new_from_slice(key).expect("HMAC takes keys of any length")
}

fn compute(mac: &Hmac256, value: &[u8]) -> Vec<u8> {
    let mut mac = mac.clone();
    mac.update(value);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::versions::Version;

    #[test]
    fn deterministic_and_keyed() {
        let a = BlindIndex::new(&[1u8; 32]);
        let b = BlindIndex::new(&[2u8; 32]);
        assert_eq!(a.index(b"x"), a.index(b"x"));
        assert_ne!(a.index(b"x"), a.index(b"y"));
        assert_ne!(a.index(b"x"), b.index(b"x"));
        assert_eq!(a.index(b"x").len(), 32);
    }

    #[test]
    fn older_generations_are_candidates_until_their_time() {
        let old = BlindIndex::new(&[1u8; 32]);
        let slot = Slot::new(Versions {
            list: vec![
                Version { generation: 1, key: mac(&[2u8; 32]), accept_until: None },
                Version { generation: 0, key: mac(&[1u8; 32]), accept_until: Some(now() + 60) },
            ],
        });
        let both = BlindIndex::from_slot(slot.clone());
        assert_eq!(both.candidates(b"x"), vec![both.index(b"x"), old.index(b"x")]);
        assert!(both.verify(b"x", &old.index(b"x")[..16], 16));
        assert!(both.verify(b"x", &old.index(b"x"), 32));
        assert!(!both.verify(b"y", &old.index(b"x")[..16], 16));
        assert!(!both.verify(b"x", &old.index(b"x")[..1], 16), "a shortened guess is refused");
        assert!(!both.verify(b"x", &old.index(b"x")[..1], 1));
        slot.set(Versions {
            list: vec![
                Version { generation: 1, key: mac(&[2u8; 32]), accept_until: None },
                Version { generation: 0, key: mac(&[1u8; 32]), accept_until: Some(now() - 1) },
            ],
        });
        assert_eq!(both.candidates(b"x"), vec![both.index(b"x")]);
        assert!(!both.verify(b"x", &old.index(b"x"), 32));
    }
}
