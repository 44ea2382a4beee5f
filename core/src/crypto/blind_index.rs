//! Keyed hashes (HMAC-SHA256) that let us find a row by a secret value without storing it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Clone)]
pub struct BlindIndex {
    mac: Hmac<Sha256>,
}

impl BlindIndex {
    pub fn new(key: &[u8; 32]) -> BlindIndex {
        BlindIndex { mac: Hmac::new_from_slice(key).expect("HMAC takes keys of any length") }
    }

    /// Deterministic for one key, so equal values give equal indexes (a unique column).
    pub fn index(&self, value: &[u8]) -> Vec<u8> {
        let mut mac = self.mac.clone();
        mac.update(value);
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_keyed() {
        let a = BlindIndex::new(&[1u8; 32]);
        let b = BlindIndex::new(&[2u8; 32]);
        assert_eq!(a.index(b"x"), a.index(b"x"));
        assert_ne!(a.index(b"x"), a.index(b"y"));
        assert_ne!(a.index(b"x"), b.index(b"x"));
        assert_eq!(a.index(b"x").len(), 32);
    }
}
