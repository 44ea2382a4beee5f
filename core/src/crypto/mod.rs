//! Cryptography of Gerbang, all through RustCrypto crates: the master key and what is derived
//! from it (sealing, blind indexes), password hashing, and random tokens.

pub mod blind_index;
pub mod master_key;
pub mod password;
pub mod random;
pub mod sealed;

pub use blind_index::BlindIndex;
pub use master_key::{KeyError, MasterKey};
pub use password::{PasswordHasher, Verification};
pub use sealed::{SealError, Sealer};

/// The keys derived from the master key, one per purpose, so that no key is used twice.
#[derive(Clone)]
pub struct Keys {
    /// Encrypts NIKs at rest (Pasal 12(9), UU PDP).
    pub nik_sealer: Sealer,
    /// Looks NIKs up without decrypting them.
    pub nik_index: BlindIndex,
    /// Encrypts the IdP's private signing keys at rest.
    pub signing_key_sealer: Sealer,
    /// Derives citizens' pairwise subjects per sector (OIDC Core §8.1).
    pub pairwise: BlindIndex,
    /// Encrypts TOTP secrets at rest.
    pub totp_sealer: Sealer,
    /// Keys the login throttle by what was typed without storing a NIK or NIP in clear.
    pub throttle: BlindIndex,
    /// Hashes one-time codes (sent by email or SMS) before they are stored.
    pub codes: BlindIndex,
    /// Signs the proof-of-work challenges of self-registration.
    pub challenges: BlindIndex,
    /// Seals the gateway's session and login-state cookies.
    pub gateway_cookie: Sealer,
    /// Seed of the gateway's ES256 key for identity assertions (the same on every replica).
    pub gateway_assertion_seed: zeroize::Zeroizing<[u8; 32]>,
    /// Recorded in the database so that a wrong master key is refused at start.
    pub check: [u8; 32],
}

impl Keys {
    pub fn derive(master: &MasterKey) -> Keys {
        Keys {
            nik_sealer: Sealer::new(&master.derive("gerbang/v1/seal/nik")),
            nik_index: BlindIndex::new(&master.derive("gerbang/v1/index/nik")),
            signing_key_sealer: Sealer::new(&master.derive("gerbang/v1/seal/signing-key")),
            pairwise: BlindIndex::new(&master.derive("gerbang/v1/pairwise-subject")),
            totp_sealer: Sealer::new(&master.derive("gerbang/v1/seal/totp")),
            throttle: BlindIndex::new(&master.derive("gerbang/v1/index/throttle")),
            codes: BlindIndex::new(&master.derive("gerbang/v1/index/one-time-code")),
            challenges: BlindIndex::new(&master.derive("gerbang/v1/mac/challenge")),
            gateway_cookie: Sealer::new(&master.derive("gerbang/v1/seal/gateway-cookie")),
            gateway_assertion_seed: master.derive("gerbang/v1/gateway/assertion-key"),
            check: *master.derive("gerbang/v1/check"),
        }
    }
}
