//! Hot reload of `policies/`: the files are checked every few seconds; a valid change replaces
//! the live set at once, an invalid one is refused with a logged error and the last good set
//! keeps serving.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use sha2::{Digest, Sha256};

use super::error::PolicyError;
use super::set::{FILES, PolicySet, Registered};

#[derive(Clone)]
pub struct PolicyWatch {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    current: ArcSwap<PolicySet>,
    /// Digest of the files behind `current` (or of the last refused version).
    seen: Mutex<[u8; 32]>,
    /// Why the files on disk are not the live policy, if they are not.
    refused: Mutex<Option<String>>,
    /// The admin registers' part (networks, domains), refreshed from the database.
    registered: Mutex<Registered>,
}

impl PolicyWatch {
    /// Loads `dir`; an invalid policy at start is an error (nothing good to keep serving).
    pub fn load(dir: &Path) -> Result<PolicyWatch, PolicyError> {
        PolicyWatch::load_with(dir, Registered::default())
    }

    /// Loads `dir` with the admin registers' networks and domains.
    pub fn load_with(dir: &Path, registered: Registered) -> Result<PolicyWatch, PolicyError> {
        let digest = digest(dir, &registered);
        let set = PolicySet::load_with(dir, &registered)?;
        Ok(PolicyWatch {
            inner: Arc::new(Inner {
                dir: dir.to_path_buf(),
                current: ArcSwap::from_pointee(set),
                seen: Mutex::new(digest),
                refused: Mutex::new(None),
                registered: Mutex::new(registered),
            }),
        })
    }

    /// Replaces the registers' part; the next `check` reloads if it changed.
    pub fn set_registered(&self, registered: Registered) {
        *self.inner.registered.lock().unwrap_or_else(|p| p.into_inner()) = registered;
    }

    /// A fixed set, never reloaded (tests, tools).
    pub fn fixed(set: PolicySet) -> PolicyWatch {
        PolicyWatch {
            inner: Arc::new(Inner {
                dir: PathBuf::new(),
                current: ArcSwap::from_pointee(set),
                seen: Mutex::new([0; 32]),
                refused: Mutex::new(None),
                registered: Mutex::new(Registered::default()),
            }),
        }
    }

    /// The live set; cheap, lock-free.
    pub fn current(&self) -> Arc<PolicySet> {
        self.inner.current.load_full()
    }

    /// The error that keeps the files on disk from being the live policy, if any.
    pub fn refused(&self) -> Option<String> {
        self.inner.refused.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Reloads if the files changed since the last look. Returns whether the live set changed.
    pub fn check(&self) -> bool {
        if self.inner.dir.as_os_str().is_empty() {
            return false;
        }
        let registered = self.inner.registered.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let now = digest(&self.inner.dir, &registered);
        {
            let mut seen = self.inner.seen.lock().unwrap_or_else(|p| p.into_inner());
            if *seen == now {
                return false;
            }
            *seen = now;
        }
        let mut refused = self.inner.refused.lock().unwrap_or_else(|p| p.into_inner());
        match PolicySet::load_with(&self.inner.dir, &registered) {
            Ok(set) => {
                tracing::info!(dir = %self.inner.dir.display(), routes = set.routes.all().len(), "policies reloaded");
                self.inner.current.store(Arc::new(set));
                *refused = None;
                true
            }
            Err(e) => {
                tracing::error!(error = %e, "policy change refused; the last good policy keeps serving");
                *refused = Some(e.to_string());
                false
            }
        }
    }

    /// Checks for changes every `every` until the runtime stops.
    pub fn spawn(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let watch = self.clone();
        crate::every::every(every, move || {
            let w = watch.clone();
            // File reads and TOML parsing are blocking work.
            async move {
                let _ = tokio::task::spawn_blocking(move || w.check()).await;
            }
        })
    }
}

/// Content digest of the policy files (absent files count as empty) and the registers' part: a change of any byte is
/// seen, whatever the file system's timestamp resolution.
fn digest(dir: &Path, registered: &Registered) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(format!("{registered:?}").as_bytes());
    for name in FILES {
        let content = std::fs::read(dir.join(name)).unwrap_or_default();
        h.update((content.len() as u64).to_le_bytes());
        h.update(&content);
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: &str =
        "[[route]]\nid = \"a\"\nhost = \"a.test\"\nupstream = \"http://127.0.0.1:9/\"\nlevel = \"warga\"\n";

    #[test]
    fn reloads_good_changes_and_keeps_the_last_good_set() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("routes.toml"), ROUTE).unwrap();
        let w = PolicyWatch::load(dir.path()).unwrap();
        assert!(!w.check(), "nothing changed");
        std::fs::write(dir.path().join("routes.toml"), ROUTE.replace("warga", "asn")).unwrap();
        assert!(w.check());
        assert_eq!(w.current().routes.get("a").unwrap().level, "asn");
        std::fs::write(dir.path().join("routes.toml"), ROUTE.replace("warga", "nope")).unwrap();
        assert!(!w.check());
        assert_eq!(w.current().routes.get("a").unwrap().level, "asn", "last good policy kept");
        assert!(w.refused().unwrap().contains("unknown level \"nope\""));
        std::fs::write(dir.path().join("routes.toml"), ROUTE).unwrap();
        assert!(w.check());
        assert!(w.refused().is_none());
    }
}
