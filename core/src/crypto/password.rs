//! Password hashing with argon2id (RFC 9106; OWASP parameters by default), with transparent
//! re-hashing when the configured parameters change.
//!
//! argon2's work memory (19 MiB with the defaults) is kept between hashes and reused. Allocated
//! afresh for every hash on whichever blocking thread runs it, those blocks end up retained by
//! the C allocator in one arena per thread: hundreds of MiB after a burst of sign-ins. Reused,
//! the footprint stays at (hashes running at once × memory cost).

use std::sync::{Arc, Mutex};

use argon2::password_hash::PasswordHash;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use subtle::ConstantTimeEq;

use crate::config::PasswordConfig;

/// Work memories kept for reuse; more hashes at once than this allocate (and free) their own.
const KEPT_MEMORIES: usize = 8;

#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    /// Correct; `needs_rehash` when the stored hash used other parameters or another algorithm.
    Match {
        needs_rehash: bool,
    },
    Mismatch,
}

#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    params: Params,
    memories: Arc<Mutex<Vec<Vec<Block>>>>,
    /// A hash of a random password, verified against when the account does not exist, so that
    /// an unknown NIP/NIK costs the same time as a wrong password (no account enumeration).
    dummy: String,
}

impl PasswordHasher {
    pub fn new(config: &PasswordConfig) -> Result<PasswordHasher, argon2::Error> {
        let params = Params::new(config.memory_kib, config.iterations, config.parallelism, None)?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let mut hasher = PasswordHasher { argon, params, memories: Arc::default(), dummy: String::new() };
        hasher.dummy = hasher.hash(&crate::crypto::random::token(24));
        // Idle, nothing is kept: the first sign-ins set aside the memories they use.
        if let Ok(mut kept) = hasher.memories.lock() {
            kept.clear();
        }
        Ok(hasher)
    }

    /// A PHC string (`$argon2id$v=19$m=…`) with a fresh random salt. CPU- and memory-heavy:
    /// call from a blocking thread in request paths.
    pub fn hash(&self, password: &str) -> String {
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let mut out = [0u8; 32];
        self.with_memory(self.params.block_count(), |memory| {
            self.argon.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory)
        })
        .expect("argon2 hashing with validated parameters and a 16-byte salt cannot fail");
        format!(
            "$argon2id$v=19$m={},t={},p={}${}${}",
            self.params.m_cost(),
            self.params.t_cost(),
            self.params.p_cost(),
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(out)
        )
    }

    /// Verifies with the parameters recorded in the hash itself (constant-time comparison),
    /// then says whether they differ from the configured ones.
    pub fn verify(&self, password: &str, phc: &str) -> Verification {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return Verification::Mismatch;
        };
        let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
            return Verification::Mismatch;
        };
        let mut salt_buf = [0u8; 64];
        let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
            return Verification::Mismatch;
        };
        let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
            return Verification::Mismatch;
        };
        let version = match parsed.version.map(Version::try_from) {
            None => Version::V0x13,
            Some(Ok(v)) => v,
            Some(Err(_)) => return Verification::Mismatch,
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return Verification::Mismatch;
        };
        let argon = Argon2::new(algorithm, version, params.clone());
        let mut out = vec![0u8; expected.len()];
        let hashed = self.with_memory(params.block_count(), |memory| {
            argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, memory)
        });
        if hashed.is_err() || !bool::from(out.as_slice().ct_eq(expected.as_bytes())) {
            return Verification::Mismatch;
        }
        let same_params = params.m_cost() == self.params.m_cost()
            && params.t_cost() == self.params.t_cost()
            && params.p_cost() == self.params.p_cost();
        let same_algorithm = algorithm == Algorithm::Argon2id && version == Version::V0x13;
        Verification::Match { needs_rehash: !(same_params && same_algorithm) }
    }

    /// Runs `work` with a work memory of `blocks` blocks, taken from (and given back to) the
    /// kept ones. Every block is overwritten by argon2 before it is read.
    fn with_memory<T>(&self, blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
        let mut memory = self.memories.lock().ok().and_then(|mut kept| kept.pop()).unwrap_or_default();
        memory.resize(blocks, Block::default());
        let result = work(&mut memory[..blocks]);
        // Only memories of the configured size are kept: an old hash with a larger memory cost
        // must not leave its larger block behind.
        if blocks == self.params.block_count()
            && let Ok(mut kept) = self.memories.lock()
            && kept.len() < KEPT_MEMORIES
        {
            memory.truncate(blocks);
            memory.shrink_to_fit();
            kept.push(memory);
        }
        result
    }

    /// Spends the time of one verification and always fails.
    pub fn verify_dummy(&self, password: &str) -> Verification {
        let _ = self.verify(password, &self.dummy);
        Verification::Mismatch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> PasswordConfig {
        PasswordConfig { memory_kib: 8 * 1024, iterations: 1, parallelism: 1, min_length: 8 }
    }

    #[test]
    fn owasp_defaults_in_hash() {
        let h = PasswordHasher::new(&PasswordConfig::default()).unwrap();
        let phc = h.hash("kata sandi panjang");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(h.verify("kata sandi panjang", &phc), Verification::Match { needs_rehash: false });
        assert_eq!(h.verify("kata sandi salah", &phc), Verification::Mismatch);
    }

    #[test]
    fn parameter_change_asks_for_rehash() {
        let old = PasswordHasher::new(&small()).unwrap();
        let phc = old.hash("rahasia-lama-123");
        let new = PasswordHasher::new(&PasswordConfig::default()).unwrap();
        assert_eq!(new.verify("rahasia-lama-123", &phc), Verification::Match { needs_rehash: true });
        assert_eq!(new.verify("salah", &phc), Verification::Mismatch);
        assert_eq!(new.verify("x", "not a phc string"), Verification::Mismatch);
        // Hashes made by the argon2 crate's own encoder (earlier versions of Gerbang) verify too.
        use argon2::PasswordHasher as _;
        let salt = argon2::password_hash::SaltString::generate(&mut OsRng);
        let crate_phc = Argon2::default().hash_password(b"rahasia-lama-123", &salt).unwrap().to_string();
        assert_eq!(new.verify("rahasia-lama-123", &crate_phc), Verification::Match { needs_rehash: false });
        assert_eq!(new.verify("rahasia-lama-124", &crate_phc), Verification::Mismatch);
        // And ours verify with the crate's verifier (the PHC string is standard).
        use argon2::PasswordVerifier as _;
        let ours = new.hash("kata-sandi-baru");
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"kata-sandi-baru", &parsed).is_ok());
        assert_eq!(new.verify_dummy("x"), Verification::Mismatch);
    }
}
