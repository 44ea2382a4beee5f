//! Ended sessions: back-channel logouts received by any replica, recorded in the database and
//! polled every second by every replica into a local set, so checking a session on each request
//! costs a hash lookup and a logout takes effect everywhere within about a second.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use gerbang_core::store::{GatewayStore, Store, StoreError, now_unix};

use crate::session::GatewaySession;

/// Rows are read again this many seconds back, so a row committed late (its time stamp older
/// than the last poll) is still seen.
const OVERLAP_SECS: i64 = 10;

#[derive(Clone)]
pub struct Revocations {
    store: Store,
    /// Longest a gateway session lives: older logouts can end nothing.
    keep_secs: i64,
    inner: Arc<RwLock<Ended>>,
}

#[derive(Default)]
struct Ended {
    /// Provider session id → when it ended.
    sids: HashMap<String, i64>,
    /// Subject → latest logout naming the subject only: sessions begun before it end.
    subs: HashMap<String, i64>,
    polled_at: Option<i64>,
}

impl Revocations {
    pub fn new(store: Store, keep_secs: u64) -> Revocations {
        Revocations { store, keep_secs: keep_secs as i64, inner: Arc::default() }
    }

    pub fn is_ended(&self, s: &GatewaySession) -> bool {
        let e = self.inner.read().unwrap_or_else(|p| p.into_inner());
        s.sid.as_ref().is_some_and(|sid| e.sids.contains_key(sid)) || e.subs.get(&s.sub).is_some_and(|at| s.iat <= *at)
    }

    /// Records a logout for all replicas, and applies it here at once.
    pub async fn record(&self, sid: Option<&str>, sub: Option<&str>) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        tx.insert_gateway_logout(sid, sub, now, now + self.keep_secs).await?;
        tx.commit().await?;
        self.apply(sid, sub, now);
        Ok(())
    }

    /// Reads logouts recorded since the last poll (by any replica).
    pub async fn poll(&self) -> Result<(), StoreError> {
        let now = now_unix();
        let since = self.inner.read().unwrap_or_else(|p| p.into_inner()).polled_at.map_or(0, |t| t - OVERLAP_SECS);
        let rows = self.store.conn().await?.gateway_logouts_since(since, now).await?;
        for r in &rows {
            self.apply(r.idp_sid.as_deref(), r.sub.as_deref(), r.logged_out_at);
        }
        let mut e = self.inner.write().unwrap_or_else(|p| p.into_inner());
        e.polled_at = Some(now);
        let oldest = now - self.keep_secs;
        e.sids.retain(|_, at| *at > oldest);
        e.subs.retain(|_, at| *at > oldest);
        Ok(())
    }

    fn apply(&self, sid: Option<&str>, sub: Option<&str>, at: i64) {
        let mut e = self.inner.write().unwrap_or_else(|p| p.into_inner());
        match (sid, sub) {
            (Some(sid), _) => {
                e.sids.insert(sid.to_string(), at);
            }
            (None, Some(sub)) => {
                let latest = e.subs.entry(sub.to_string()).or_insert(at);
                *latest = (*latest).max(at);
            }
            (None, None) => {}
        }
    }

    /// Polls every second, and purges expired rows every ten minutes.
    pub fn spawn(&self) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        let ticks = Arc::new(std::sync::atomic::AtomicU64::new(0));
        gerbang_core::every::every(Duration::from_secs(1), move || {
            let (me, n) = (me.clone(), ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            async move {
                if let Err(e) = me.poll().await {
                    tracing::warn!(error = %e, "could not read gateway logouts; retrying");
                }
                if n.is_multiple_of(600)
                    && let Ok(mut c) = me.store.conn().await
                    && let Err(e) = c.purge_gateway_logouts(now_unix()).await
                {
                    tracing::warn!(error = %e, "could not purge old gateway logouts");
                }
            }
        })
    }
}
