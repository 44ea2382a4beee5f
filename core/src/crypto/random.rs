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

/// A code of `len` decimal digits, uniform (no modulo bias), e.g. a one-time code sent by SMS.
pub fn digits(len: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    (0..len).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_distinct_and_sized() {
        let a = super::token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, super::token(32));
        assert_eq!(super::subject_id().len(), 22);
        let code = super::digits(6);
        assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    }
}
