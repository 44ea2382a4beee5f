//! Random identifiers and tokens from the operating system's CSPRNG.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

/// `bytes` random bytes as base64url without padding (e.g. 32 bytes → 43 characters).
pub fn token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A new internal subject id: 128 random bits; immutable, never derived from NIP or NIK.
pub fn subject_id() -> String {
    token(16)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_distinct_and_sized() {
        let a = super::token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, super::token(32));
        assert_eq!(super::subject_id().len(), 22);
    }
}
