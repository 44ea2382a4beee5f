//! Following the changes other replicas (and the command line) announce on PostgreSQL: an OIDC
//! client's copy is dropped, the signing keys are re-read. After the listening connection was
//! lost, every copy is dropped. On SQLite there is nothing to follow.

use gerbang_core::store::Change;

use crate::state::AppState;

/// Starts following changes; `None` on SQLite.
pub fn spawn(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let mut changes = state.store.changes()?;
    Some(tokio::spawn(async move {
        while let Some(change) = changes.recv().await {
            match change {
                Change::Client(id) => state.clients.drop_copy(&id),
                Change::SigningKeys => reload_keys(&state).await,
                Change::Everything => {
                    state.clients.drop_all();
                    reload_keys(&state).await;
                }
            }
        }
    }))
}

async fn reload_keys(state: &AppState) {
    if let Err(e) = state.issuer.keys.reload().await {
        tracing::warn!(error = %e, "signing keys not reloaded after a change");
    }
}
