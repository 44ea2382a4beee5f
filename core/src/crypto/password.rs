//! Password hashing with argon2id (RFC 9106; OWASP parameters by default), with transparent
//! re-hashing when the configured parameters change.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier, Version};

use crate::config::PasswordConfig;

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
    /// A hash of a random password, verified against when the account does not exist, so that
    /// an unknown NIP/NIK costs the same time as a wrong password (no account enumeration).
    dummy: String,
}

impl PasswordHasher {
    pub fn new(config: &PasswordConfig) -> Result<PasswordHasher, argon2::Error> {
        let params = Params::new(config.memory_kib, config.iterations, config.parallelism, None)?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let mut hasher = PasswordHasher { argon, params, dummy: String::new() };
        hasher.dummy = hasher.hash(&crate::crypto::random::token(24));
        Ok(hasher)
    }

    /// A PHC string (`$argon2id$v=19$m=…`) with a fresh random salt. CPU- and memory-heavy:
    /// call from a blocking thread in request paths.
    pub fn hash(&self, password: &str) -> String {
        let salt = SaltString::generate(&mut OsRng);
        self.argon
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2 hashing with validated parameters cannot fail")
            .to_string()
    }

    /// Constant-time comparison is done inside the argon2 crate.
    pub fn verify(&self, password: &str, phc: &str) -> Verification {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return Verification::Mismatch;
        };
        // Verify with the parameters recorded in the hash itself, then compare with ours.
        if Argon2::default().verify_password(password.as_bytes(), &parsed).is_err() {
            return Verification::Mismatch;
        }
        let same_params = Params::try_from(&parsed).is_ok_and(|p| {
            p.m_cost() == self.params.m_cost()
                && p.t_cost() == self.params.t_cost()
                && p.p_cost() == self.params.p_cost()
        });
        let same_algorithm = parsed.algorithm.as_str() == "argon2id" && parsed.version == Some(0x13);
        Verification::Match { needs_rehash: !(same_params && same_algorithm) }
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
        assert_eq!(new.verify_dummy("x"), Verification::Mismatch);
    }
}
