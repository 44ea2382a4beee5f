//! Recovery codes: ten single-use codes, shown once at TOTP enrolment, stored as SHA-256 hashes
//! (they are random, 50 bits each, so a fast hash suffices).

use gerbang_core::crypto::random;
use sha2::{Digest, Sha256};

pub const COUNT: usize = 10;

/// Ten new codes like `k3m9-x2pq-7a`, easy to read aloud and type.
pub fn generate() -> Vec<String> {
    (0..COUNT)
        .map(|_| {
            // Random characters without the ones people confuse; 10 of them ≈ 50 bits.
            let mut raw = String::new();
            while raw.len() < 10 {
                raw.extend(
                    random::token(16)
                        .chars()
                        .map(|c| c.to_ascii_lowercase())
                        .filter(|c| c.is_ascii_alphanumeric() && !"0o1li".contains(*c))
                        .take(10 - raw.len()),
                );
            }
            format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..10])
        })
        .collect()
}

/// What is stored: the hash of the code without separators or case.
pub fn hash(code: &str) -> Vec<u8> {
    let normal: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase();
    Sha256::digest(normal.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_readable_codes() {
        let codes = generate();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 12 && c.matches('-').count() == 2));
        assert_eq!(hash(&codes[0]), hash(&codes[0].to_uppercase().replace('-', " ")));
    }
}
