//! Revoked access tokens, known to each replica without asking the database at every check.
//!
//! Every replica reads the revocations listed since its last look once a second
//! ([`RevokedTokens::spawn`]); a revocation made here is applied at once ([`RevokedTokens::add`]).
//! So `/introspect`, `/userinfo` and the admin API refuse a revoked token here at once, and on
//! every other replica within about a second. If the set has not been refreshed for
//! [`FRESH_FOR`] (the database is away, or the poller has not run yet), the answer is "ask the
//! database" and the check reads the row as before.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use gerbang_core::store::{GrantStore, Store, StoreError, now_unix};

/// Rows are read again this many seconds back, so a revocation committed late (its time older
/// than the last look) is still seen.
const OVERLAP_SECS: i64 = 10;
/// How often the set is refreshed.
const EVERY: Duration = Duration::from_secs(1);
/// How long after its last refresh the set is trusted.
pub const FRESH_FOR: Duration = Duration::from_secs(3);

#[derive(Clone)]
pub struct RevokedTokens {
    store: Store,
    inner: Arc<RwLock<Known>>,
}

#[derive(Default)]
struct Known {
    /// jti → when the token expires (then it can be forgotten).
    jtis: HashMap<String, i64>,
    /// Unix time of the last successful look, and when it happened.
    looked: Option<(i64, Instant)>,
}

impl RevokedTokens {
    pub fn new(store: Store) -> RevokedTokens {
        RevokedTokens { store, inner: Arc::default() }
    }

    /// `Some(revoked?)` while the set is fresh; `None`: ask the database.
    pub fn is_revoked(&self, jti: &str) -> Option<bool> {
        let k = self.inner.read().unwrap_or_else(|p| p.into_inner());
        let (_, at) = k.looked?;
        (at.elapsed() < FRESH_FOR).then(|| k.jtis.contains_key(jti))
    }

    /// A revocation committed by this replica.
    pub fn add(&self, jti: &str, expires_at: i64) {
        self.inner.write().unwrap_or_else(|p| p.into_inner()).jtis.insert(jti.to_string(), expires_at);
    }

    /// Reads the revocations listed since the last look, and forgets expired ones.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let now = now_unix();
        let since = self.inner.read().unwrap_or_else(|p| p.into_inner()).looked.map_or(0, |(t, _)| t - OVERLAP_SECS);
        let rows = self.store.conn().await?.revoked_jtis_since(since, now).await?;
        let mut k = self.inner.write().unwrap_or_else(|p| p.into_inner());
        k.jtis.extend(rows);
        k.jtis.retain(|_, exp| *exp > now);
        k.looked = Some((now, Instant::now()));
        Ok(())
    }

    /// Refreshes every second while the IdP runs.
    pub fn spawn(&self) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        gerbang_core::every::every(EVERY, move || {
            let me = me.clone();
            async move {
                if let Err(e) = me.refresh().await {
                    tracing::warn!(error = %e, "revoked tokens not refreshed; checks ask the database meanwhile");
                }
            }
        })
    }
}
