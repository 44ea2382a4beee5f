//! Keys by generation: the one that makes new values and the older ones still accepted.
//!
//! A [`Slot`] is shared by every clone of a handle ([`super::Sealer`], [`super::BlindIndex`]), so
//! when the data keys are reloaded after a master-key rotation, every service sees the new
//! generation at once without being rebuilt.

use std::sync::{Arc, RwLock};

/// One generation of a key.
pub struct Version<T> {
    pub generation: u32,
    pub key: T,
    /// After this time (Unix seconds) the key no longer opens or verifies anything; `None`: always.
    pub accept_until: Option<i64>,
}

/// The generations of one key: `list[0]` is the current one, which makes new values.
pub struct Versions<T> {
    pub list: Vec<Version<T>>,
}

impl<T> Versions<T> {
    /// Only `key`, as generation 0, accepted always.
    pub fn single(key: T) -> Versions<T> {
        Versions { list: vec![Version { generation: 0, key, accept_until: None }] }
    }

    pub fn current(&self) -> &Version<T> {
        // Built with at least one version (see `Slot::new` and the keyring's loader).
        &self.list[0]
    }

    /// The version of `generation`, if it is still accepted at `now`.
    pub fn accepted(&self, generation: u32, now: i64) -> Option<&T> {
        self.list.iter().find(|v| v.generation == generation && v.accept_until.is_none_or(|t| now <= t)).map(|v| &v.key)
    }

    /// Every version accepted at `now`, the current one first.
    pub fn all_accepted(&self, now: i64) -> impl Iterator<Item = &Version<T>> {
        self.list.iter().filter(move |v| v.accept_until.is_none_or(|t| now <= t))
    }
}

/// A shared, replaceable [`Versions`].
pub struct Slot<T> {
    inner: Arc<RwLock<Arc<Versions<T>>>>,
}

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Slot { inner: self.inner.clone() }
    }
}

impl<T> Slot<T> {
    /// Panics on an empty list: a slot always has a current key.
    pub fn new(versions: Versions<T>) -> Slot<T> {
        assert!(!versions.list.is_empty(), "a key slot needs a current key");
        Slot { inner: Arc::new(RwLock::new(Arc::new(versions))) }
    }

    pub fn get(&self) -> Arc<Versions<T>> {
        self.inner.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the versions for every holder; an empty list is ignored.
    pub fn set(&self, versions: Versions<T>) {
        if versions.list.is_empty() {
            return;
        }
        *self.inner.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(versions);
    }
}

/// Now, in Unix seconds, for acceptance windows.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}
