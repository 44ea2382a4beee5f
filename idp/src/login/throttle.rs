//! Brute-force protection of sign-in. Failures are counted in the database per identifier typed
//! (a keyed hash of the NIP/NIK, whether or not an account has it, so a lock reveals nothing) and
//! per source address, and hold for every replica; a flood from one address is also cut per
//! replica by a GCRA rate limiter (governor) before any database work.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use gerbang_core::config::ThrottleConfig;
use gerbang_core::crypto::BlindIndex;
use gerbang_core::store::{FactorStore, Store, StoreError, now_unix};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

#[derive(Clone)]
pub struct Throttle {
    store: Store,
    index: BlindIndex,
    config: ThrottleConfig,
    flood: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

/// The keys a sign-in attempt is counted under.
pub struct AttemptKeys {
    identifier: Option<String>,
    address: String,
}

impl Throttle {
    pub fn new(store: Store, index: BlindIndex, config: ThrottleConfig) -> Throttle {
        let per_minute = NonZeroU32::new(config.address_attempts_per_minute).unwrap_or(NonZeroU32::MIN);
        let flood = Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute)));
        Throttle { store, index, config, flood }
    }

    /// `identifier` is the normalised NIP/NIK typed, when it parsed.
    pub fn keys(&self, identifier: Option<&str>, address: IpAddr) -> AttemptKeys {
        AttemptKeys {
            identifier: identifier.map(|i| format!("id:{}", hex::encode(self.index.index(i.as_bytes())))),
            address: format!("ip:{address}"),
        }
    }

    /// False when this address sends attempts faster than the flood limit (this replica).
    pub fn admit(&self, address: IpAddr) -> bool {
        self.flood.check_key(&address).is_ok()
    }

    /// When the identifier or the address is locked, until when.
    pub async fn locked_until(&self, keys: &AttemptKeys) -> Result<Option<i64>, StoreError> {
        let now = now_unix();
        let mut db = self.store.conn().await?;
        let mut until = None;
        for key in keys.identifier.iter().chain(std::iter::once(&keys.address)) {
            if let Some(t) = db.locked_until(key).await?.filter(|t| *t > now) {
                until = Some(until.map_or(t, |u: i64| u.max(t)));
            }
        }
        Ok(until)
    }

    /// Counts a failure; returns the lock's end when this failure locked a key.
    pub async fn failed(&self, keys: &AttemptKeys) -> Result<Option<i64>, StoreError> {
        let now = now_unix();
        let c = &self.config;
        let mut tx = self.store.begin().await?;
        let mut locked = None;
        let counted =
            keys.identifier.iter().map(|k| (k, c.account_failures)).chain([(&keys.address, c.address_failures)]);
        for (key, max) in counted {
            if tx.record_failure(key, now, c.window_secs).await? >= max {
                tx.lock(key, now + c.lock_secs, now).await?;
                locked = Some(now + c.lock_secs);
            }
        }
        tx.commit().await?;
        Ok(locked)
    }

    /// A successful sign-in forgets the identifier's failures (not the address's).
    pub async fn succeeded(&self, keys: &AttemptKeys) -> Result<(), StoreError> {
        if let Some(key) = &keys.identifier {
            let mut tx = self.store.begin().await?;
            tx.clear_throttle(key).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Lifts the lock of an identifier (administrator); true when there was one.
    pub async fn unlock(&self, identifier: &str) -> Result<bool, StoreError> {
        let key = format!("id:{}", hex::encode(self.index.index(identifier.as_bytes())));
        let mut tx = self.store.begin().await?;
        let cleared = tx.clear_throttle(&key).await?;
        tx.commit().await?;
        Ok(cleared)
    }
}
