//! Following the changes other replicas (and the command line) make: revoked access tokens are
//! read every second (`oidc::revoked`); on PostgreSQL, announced changes drop an OIDC client's
//! copy or re-read the signing keys, and after the listening connection was lost every copy is
//! dropped.

use gerbang_core::store::Change;

use crate::state::AppState;

/// Starts following changes: revoked tokens on every backend, then the announcements (`None`
/// on SQLite, where there are none).
pub fn spawn(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    state.revoked.spawn();
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
