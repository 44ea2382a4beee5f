//! Cryptography of Gerbang, all through RustCrypto crates: the master key, the data keys derived
//! from the generations of the keyring (sealing, blind indexes), password hashing, and random tokens.

pub mod blind_index;
pub mod master_key;
pub mod password;
pub mod random;
pub mod sealed;
pub mod versions;

use aes_gcm::Aes256Gcm;
use zeroize::Zeroizing;

pub use blind_index::BlindIndex;
pub use master_key::{KeyError, MasterKey};
pub use password::{PasswordHasher, Verification};
pub use sealed::{SealError, Sealer};

use blind_index::Hmac256;
use versions::{Slot, Version, Versions};

/// How long a retired generation still opens what others sent us sealed or signed with it
/// (gateway cookies, registration challenges, one-time codes) after a master-key rotation
/// finished: a day, the longest a gateway session lives without signing in again.
pub const TRANSIENT_GRACE_SECS: i64 = 24 * 3600;

/// One generation of the data keys: 32 random bytes (or, for generation 0 of an installation
/// older than the keyring, its first master key), from which every purpose's key is derived.
pub struct Root {
    pub generation: u32,
    pub state: RootState,
    pub retired_at: Option<i64>,
    pub bytes: Zeroizing<[u8; 32]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootState {
    /// Known to every replica, used by none yet (a rotation in progress).
    Next,
    /// Seals and indexes new values.
    Current,
    /// Opens what it sealed; for values sent back to us, only for [`TRANSIENT_GRACE_SECS`].
    Retired,
}

impl RootState {
    pub fn as_str(self) -> &'static str {
        match self {
            RootState::Next => "next",
            RootState::Current => "current",
            RootState::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<RootState> {
        match s {
            "next" => Some(RootState::Next),
            "current" => Some(RootState::Current),
            "retired" => Some(RootState::Retired),
            _ => None,
        }
    }
}

/// The keys of every purpose, so that no key is used twice. Each is a shared handle: when the
/// keyring is reloaded (after a master-key rotation), every service holding a clone sees it.
#[derive(Clone)]
pub struct Keys {
    /// Encrypts NIKs at rest (Pasal 12(9), UU PDP).
    pub nik_sealer: Sealer,
    /// Looks NIKs up without decrypting them.
    pub nik_index: BlindIndex,
    /// Encrypts the IdP's private signing keys at rest.
    pub signing_key_sealer: Sealer,
    /// Derives citizens' pairwise subjects per sector (OIDC Core §8.1). Always generation 0:
    /// an app knows its users by these, so they never change.
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
    /// Seeds of the gateway's ES256 keys for identity assertions (the same on every replica):
    /// the current one signs; the others are published so upstreams know them.
    pub gateway_assertion: Slot<Zeroizing<[u8; 32]>>,
    slots: Slots,
}

/// The slots behind the handles of [`Keys`], refilled together on reload.
#[derive(Clone)]
struct Slots {
    nik_sealer: Slot<Aes256Gcm>,
    signing_key_sealer: Slot<Aes256Gcm>,
    totp_sealer: Slot<Aes256Gcm>,
    gateway_cookie: Slot<Aes256Gcm>,
    nik_index: Slot<Hmac256>,
    pairwise: Slot<Hmac256>,
    throttle: Slot<Hmac256>,
    codes: Slot<Hmac256>,
    challenges: Slot<Hmac256>,
    gateway_assertion: Slot<Zeroizing<[u8; 32]>>,
}

/// Which generations a purpose uses.
#[derive(Clone, Copy)]
enum Reach {
    /// Data we stored: every known generation opens, always.
    Stored,
    /// Values sent back to us: retired generations only within the grace period.
    Transient,
    /// Only the current generation (counters that may simply start again).
    CurrentOnly,
    /// Only generation 0 (identifiers that must never change).
    First,
}

fn versions<T>(roots: &[Root], purpose: &str, reach: Reach, make: impl Fn(&[u8; 32]) -> T) -> Versions<T> {
    let key = |r: &Root| make(&master_key::derive(&r.bytes, purpose));
    let mut list = Vec::new();
    if let Reach::First = reach {
        if let Some(r) = roots.iter().find(|r| r.generation == 0) {
            list.push(Version { generation: 0, key: key(r), accept_until: None });
        }
        return Versions { list };
    }
    // The current generation first, then the next, then the retired ones, newest first.
    let rank = |r: &Root| match r.state {
        RootState::Current => 0,
        RootState::Next => 1,
        RootState::Retired => 2,
    };
    let mut ordered: Vec<&Root> = roots.iter().collect();
    ordered.sort_by_key(|r| (rank(r), std::cmp::Reverse(r.generation)));
    for r in ordered {
        let accept_until = match (r.state, reach) {
            (RootState::Current, _) => None,
            (_, Reach::CurrentOnly) => continue,
            (RootState::Retired, Reach::Transient) => Some(r.retired_at.unwrap_or(0) + TRANSIENT_GRACE_SECS),
            _ => None,
        };
        list.push(Version { generation: r.generation, key: key(r), accept_until });
    }
    Versions { list }
}

impl Slots {
    fn fill(roots: &[Root]) -> SlotContents {
        let seal = |p, reach| versions(roots, p, reach, sealed::cipher);
        let mac = |p, reach| versions(roots, p, reach, blind_index::mac);
        SlotContents {
            nik_sealer: seal("gerbang/v1/seal/nik", Reach::Stored),
            signing_key_sealer: seal("gerbang/v1/seal/signing-key", Reach::Stored),
            totp_sealer: seal("gerbang/v1/seal/totp", Reach::Stored),
            gateway_cookie: seal("gerbang/v1/seal/gateway-cookie", Reach::Transient),
            nik_index: mac("gerbang/v1/index/nik", Reach::Stored),
            pairwise: mac("gerbang/v1/pairwise-subject", Reach::First),
            throttle: mac("gerbang/v1/index/throttle", Reach::CurrentOnly),
            codes: mac("gerbang/v1/index/one-time-code", Reach::Transient),
            challenges: mac("gerbang/v1/mac/challenge", Reach::Transient),
            gateway_assertion: versions(roots, "gerbang/v1/gateway/assertion-key", Reach::Transient, |k| {
                Zeroizing::new(*k)
            }),
        }
    }

    fn new(c: SlotContents) -> Slots {
        Slots {
            nik_sealer: Slot::new(c.nik_sealer),
            signing_key_sealer: Slot::new(c.signing_key_sealer),
            totp_sealer: Slot::new(c.totp_sealer),
            gateway_cookie: Slot::new(c.gateway_cookie),
            nik_index: Slot::new(c.nik_index),
            pairwise: Slot::new(c.pairwise),
            throttle: Slot::new(c.throttle),
            codes: Slot::new(c.codes),
            challenges: Slot::new(c.challenges),
            gateway_assertion: Slot::new(c.gateway_assertion),
        }
    }

    fn set(&self, c: SlotContents) {
        self.nik_sealer.set(c.nik_sealer);
        self.signing_key_sealer.set(c.signing_key_sealer);
        self.totp_sealer.set(c.totp_sealer);
        self.gateway_cookie.set(c.gateway_cookie);
        self.nik_index.set(c.nik_index);
        self.pairwise.set(c.pairwise);
        self.throttle.set(c.throttle);
        self.codes.set(c.codes);
        self.challenges.set(c.challenges);
        self.gateway_assertion.set(c.gateway_assertion);
    }
}

struct SlotContents {
    nik_sealer: Versions<Aes256Gcm>,
    signing_key_sealer: Versions<Aes256Gcm>,
    totp_sealer: Versions<Aes256Gcm>,
    gateway_cookie: Versions<Aes256Gcm>,
    nik_index: Versions<Hmac256>,
    pairwise: Versions<Hmac256>,
    throttle: Versions<Hmac256>,
    codes: Versions<Hmac256>,
    challenges: Versions<Hmac256>,
    gateway_assertion: Versions<Zeroizing<[u8; 32]>>,
}

/// Why a set of roots cannot make keys.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RootsError {
    #[error("the keyring has no current generation")]
    NoCurrent,
    #[error("the keyring has no generation 0 (it keys the pairwise subjects)")]
    NoFirst,
}

fn check_roots(roots: &[Root]) -> Result<(), RootsError> {
    if !roots.iter().any(|r| r.state == RootState::Current) {
        return Err(RootsError::NoCurrent);
    }
    if !roots.iter().any(|r| r.generation == 0) {
        return Err(RootsError::NoFirst);
    }
    Ok(())
}

impl Keys {
    /// The keys of these generations (one must be current, and generation 0 must be there).
    pub fn from_roots(roots: &[Root]) -> Result<Keys, RootsError> {
        check_roots(roots)?;
        let slots = Slots::new(Slots::fill(roots));
        Ok(Keys {
            nik_sealer: Sealer::from_slot(slots.nik_sealer.clone()),
            nik_index: BlindIndex::from_slot(slots.nik_index.clone()),
            signing_key_sealer: Sealer::from_slot(slots.signing_key_sealer.clone()),
            pairwise: BlindIndex::from_slot(slots.pairwise.clone()),
            totp_sealer: Sealer::from_slot(slots.totp_sealer.clone()),
            throttle: BlindIndex::from_slot(slots.throttle.clone()),
            codes: BlindIndex::from_slot(slots.codes.clone()),
            challenges: BlindIndex::from_slot(slots.challenges.clone()),
            gateway_cookie: Sealer::from_slot(slots.gateway_cookie.clone()),
            gateway_assertion: slots.gateway_assertion.clone(),
            slots,
        })
    }

    /// Puts these generations in place of the present ones, for every holder of these keys.
    pub fn replace_roots(&self, roots: &[Root]) -> Result<(), RootsError> {
        check_roots(roots)?;
        self.slots.set(Slots::fill(roots));
        Ok(())
    }

    /// The keys of one generation equal to `master` itself, without a database: tests and
    /// benchmarks (and, as generation 0, what every installation before the keyring used).
    pub fn derive(master: &MasterKey) -> Keys {
        let root =
            Root { generation: 0, state: RootState::Current, retired_at: None, bytes: Zeroizing::new(*master.bytes()) };
        Keys::from_roots(&[root]).expect("one current generation 0 makes keys")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(generation: u32, state: RootState, byte: u8) -> Root {
        Root { generation, state, retired_at: Some(versions::now()), bytes: Zeroizing::new([byte; 32]) }
    }

    #[test]
    fn pairwise_subjects_stay_on_generation_0_and_the_rest_moves() {
        let before = Keys::from_roots(&[root(0, RootState::Current, 1)]).unwrap();
        let sealed = before.totp_sealer.seal(b"secret", b"a");
        let cookie = before.gateway_cookie.seal(b"session", b"c");
        let after = Keys::from_roots(&[root(0, RootState::Retired, 1), root(1, RootState::Current, 2)]).unwrap();
        assert_eq!(after.pairwise.index(b"sub"), before.pairwise.index(b"sub"));
        assert_ne!(after.nik_index.index(b"nik"), before.nik_index.index(b"nik"));
        assert_eq!(after.nik_index.candidates(b"nik")[1], before.nik_index.index(b"nik"));
        assert_eq!(after.throttle.candidates(b"x").len(), 1, "the throttle only counts under the current key");
        assert_eq!(&*after.totp_sealer.open(&sealed, b"a").unwrap(), b"secret");
        assert_eq!(&*after.gateway_cookie.open(&cookie, b"c").unwrap(), b"session", "within the grace period");
        assert_eq!(Sealer::generation_of(&after.totp_sealer.seal(b"s", b"a")), Some(1));
        assert!(matches!(Keys::from_roots(&[root(1, RootState::Current, 2)]), Err(RootsError::NoFirst)));
        assert!(matches!(Keys::from_roots(&[root(0, RootState::Retired, 2)]), Err(RootsError::NoCurrent)));
    }

    #[test]
    fn replacing_roots_reaches_every_clone() {
        let keys = Keys::from_roots(&[root(0, RootState::Current, 1)]).unwrap();
        let held = keys.totp_sealer.clone();
        keys.replace_roots(&[root(0, RootState::Retired, 1), root(7, RootState::Current, 3)]).unwrap();
        assert_eq!(held.current_generation(), 7);
    }

    #[test]
    fn generation_0_from_the_master_key_is_what_was_derived_before() {
        let master = MasterKey::generate();
        let keys = Keys::derive(&master);
        let old = Sealer::new(&master.derive("gerbang/v1/seal/nik"));
        assert_eq!(&*keys.nik_sealer.open(&old.seal(b"n", b"a"), b"a").unwrap(), b"n");
        assert_eq!(
            keys.pairwise.index(b"s"),
            BlindIndex::new(&master.derive("gerbang/v1/pairwise-subject")).index(b"s")
        );
    }
}
