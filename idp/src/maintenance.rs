//! Background upkeep of a running IdP: re-reading signing keys (so a `gerbang keys rotate` run
//! elsewhere reaches this process within a minute), purging expired rows, and
//! noticing then disabling unused accounts (hourly).

use std::time::Duration;

use gerbang_core::store::{AuthorizationStore, GrantStore, LifecycleStore, SessionStore, StoreError, now_unix};

use crate::state::AppState;

const KEY_RELOAD: Duration = Duration::from_secs(60);
const PURGE_EVERY: u32 = 10; // key-reload ticks
const SWEEP_EVERY: u32 = 60; // key-reload ticks: hourly

/// Runs until the process ends; errors are logged and retried on the next tick.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(KEY_RELOAD);
        tick.tick().await;
        let mut n: u32 = 0;
        loop {
            tick.tick().await;
            n = n.wrapping_add(1);
            if let Err(e) = state.issuer.keys.reload().await {
                tracing::warn!(error = %e, "signing keys not reloaded");
            }
            if n.is_multiple_of(SWEEP_EVERY)
                && let Err(e) = state.lifecycle.sweep_inactive(now_unix()).await
            {
                tracing::warn!(error = %e, "inactive accounts not swept");
            }
            if n.is_multiple_of(PURGE_EVERY) {
                match purge(&state).await {
                    Ok(rows) if rows > 0 => tracing::info!(rows, "expired rows purged"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "purge failed"),
                }
            }
        }
    })
}

/// Deletes expired sessions, pending authorizations, codes and revocation entries.
pub async fn purge(state: &AppState) -> Result<u64, StoreError> {
    let now = now_unix();
    let mut tx = state.store.begin().await?;
    let n = tx.delete_expired_sessions(now).await?
        + tx.purge_expired_authorizations(now).await?
        + tx.purge_expired_revocations(now).await?
        + tx.purge_lifecycle(now).await?;
    tx.commit().await?;
    Ok(n)
}
