//! Anti-automation for self-registration without any third-party service: the page carries a
//! signed challenge, and the browser must find a number `n` such that SHA-256(`challenge:n`)
//! starts with `bits` zero bits (hashcash). A challenge is signed by the server (so it cannot be
//! made up), expires, and is spent once.

use gerbang_core::crypto::{BlindIndex, random};
use sha2::{Digest, Sha256};

const VERSION: &str = "g1";
/// How long a page's challenge may be worked on and submitted.
pub const CHALLENGE_TTL_SECS: i64 = 1800;

#[derive(Clone)]
pub struct ProofOfWork {
    mac: BlindIndex,
    bits: u8,
}

/// A verified solution: spend `hash` (until `expires_at`) in the transaction that uses it.
#[derive(Debug)]
pub struct Solved {
    pub hash: Vec<u8>,
    pub expires_at: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Unsolved;

impl ProofOfWork {
    pub fn new(mac: BlindIndex, bits: u8) -> ProofOfWork {
        ProofOfWork { mac, bits }
    }

    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// A fresh challenge: `g1.<bits>.<expires>.<random>.<mac>`.
    pub fn challenge(&self, now: i64) -> String {
        let body = format!("{VERSION}.{}.{}.{}", self.bits, now + CHALLENGE_TTL_SECS, random::token(12));
        let mac = hex::encode(&self.mac.index(body.as_bytes())[..16]);
        format!("{body}.{mac}")
    }

    /// Checks the server's signature, the expiry, the difficulty and the work.
    pub fn verify(&self, challenge: &str, nonce: &str, now: i64) -> Result<Solved, Unsolved> {
        if challenge.len() > 200 || nonce.is_empty() || nonce.len() > 20 || !nonce.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Unsolved);
        }
        let (body, mac) = challenge.rsplit_once('.').ok_or(Unsolved)?;
        let mac = hex::decode(mac).map_err(|_| Unsolved)?;
        if !self.mac.verify(body.as_bytes(), &mac, 16) {
            return Err(Unsolved);
        }
        let mut parts = body.split('.');
        let (Some(VERSION), Some(bits), Some(expires), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Unsolved);
        };
        let bits: u8 = bits.parse().map_err(|_| Unsolved)?;
        let expires_at: i64 = expires.parse().map_err(|_| Unsolved)?;
        // A challenge made before the operator raised the difficulty is still worth its own bits
        // only if they reach today's.
        if expires_at <= now || bits < self.bits {
            return Err(Unsolved);
        }
        let digest = Sha256::digest(format!("{challenge}:{nonce}").as_bytes());
        if leading_zero_bits(&digest) < u32::from(bits) {
            return Err(Unsolved);
        }
        Ok(Solved { hash: Sha256::digest(challenge.as_bytes()).to_vec(), expires_at })
    }
}

fn leading_zero_bits(bytes: &[u8]) -> u32 {
    let mut n = 0;
    for b in bytes {
        if *b == 0 {
            n += 8;
        } else {
            return n + b.leading_zeros();
        }
    }
    n
}

/// Finds a solution the way the page's script does (for tests and tools).
pub fn solve(challenge: &str) -> String {
    let bits: u32 = challenge.split('.').nth(1).and_then(|b| b.parse().ok()).unwrap_or(0);
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| leading_zero_bits(&Sha256::digest(format!("{challenge}:{n}").as_bytes())) >= bits)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pow(bits: u8) -> ProofOfWork {
        ProofOfWork::new(BlindIndex::new(&[7; 32]), bits)
    }

    #[test]
    fn a_solution_verifies_and_tampering_does_not() {
        let p = pow(8);
        let c = p.challenge(1000);
        let n = solve(&c);
        let solved = p.verify(&c, &n, 1001).unwrap();
        assert_eq!(solved.expires_at, 1000 + CHALLENGE_TTL_SECS);
        assert!(p.verify(&c, &n, 1000 + CHALLENGE_TTL_SECS).is_err(), "expired");
        // A lower difficulty written into the challenge breaks the signature.
        let easier = c.replacen(".8.", ".0.", 1);
        assert!(p.verify(&easier, "0", 1001).is_err());
        // Another server's challenge (another key) is refused.
        let other = ProofOfWork::new(BlindIndex::new(&[8; 32]), 8).challenge(1000);
        assert!(p.verify(&other, &solve(&other), 1001).is_err());
        // A wrong nonce fails (almost surely, at 8 bits: try a few).
        let wrong = (0..50u32).map(|i| i.to_string()).filter(|x| *x != n).find(|x| p.verify(&c, x, 1001).is_err());
        assert!(wrong.is_some());
        for bad in ["", "12a", "-1", "123456789012345678901"] {
            assert!(p.verify(&c, bad, 1001).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn zero_bits() {
        assert_eq!(leading_zero_bits(&[0, 0x0f, 0xff]), 12);
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0, 0]), 16);
    }
}
