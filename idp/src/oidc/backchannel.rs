//! Delivering back-channel logout tokens (OIDC Back-Channel Logout 1.0) from the outbox.
//!
//! Whatever ends sessions (sign-out, a password reset, disabling or deprovisioning an account)
//! writes the logouts it owes into `logout_outbox` in the same transaction. This module sends
//! them: at once for a sign-out (which waits a few seconds for its own), and otherwise from a
//! background loop that any replica runs, woken when this process owes logouts and every few
//! seconds for those written elsewhere (the command line, another replica). A client that does
//! not answer is tried again with growing delays, then given up on.

use std::sync::Arc;
use std::time::Duration;

use gerbang_core::store::{LogoutOutbox, OwedLogout, StoreError, now_unix};
use tokio::sync::Notify;
use tokio::task::JoinSet;

use super::claims;
use crate::state::AppState;

/// How often the loop looks for logouts written by another process.
const POLL: Duration = Duration::from_secs(2);
/// How long one client gets to acknowledge a logout token.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);
/// Tries before giving up on a client (the delays between them add up to about an hour).
const MAX_TRIES: i64 = 8;
/// Rows taken per pass of the loop.
const BATCH: i64 = 200;

/// Wakes the delivery loop of this process: there are logouts to send.
#[derive(Clone, Default)]
pub struct LogoutSignal(Arc<Notify>);

impl LogoutSignal {
    pub fn owed(&self) {
        self.0.notify_one();
    }

    async fn wait(&self) {
        self.0.notified().await;
    }
}

/// Seconds before the next try after `attempts` tries: 30 s, 1 min, 2 min, … (capped at 1 h).
fn backoff(attempts: i64) -> i64 {
    (30_i64 << attempts.clamp(0, 7)).min(3600)
}

/// Sends the logouts due now (only session `sid`'s when given), waiting for their answers.
/// Returns how many clients acknowledged.
pub async fn deliver(state: &AppState, sid: Option<&str>) -> Result<usize, StoreError> {
    let now = now_unix();
    let mut db = state.store.conn().await?;
    let rows = db.due_logouts(sid, now, BATCH).await?;
    let mut sends = JoinSet::new();
    for row in rows {
        // Claimed before sending, so two replicas never send the same row at the same time.
        if !db.claim_logout(&row, now + backoff(row.attempts)).await? {
            continue;
        }
        let state = state.clone();
        sends.spawn(async move { send(&state, row).await });
    }
    drop(db);
    let mut delivered = 0;
    while let Some(done) = sends.join_next().await {
        match done {
            Ok(Ok(true)) => delivered += 1,
            Ok(Ok(false)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "back-channel logout not settled"),
            Err(e) => tracing::error!(error = %e, "back-channel logout task failed"),
        }
    }
    Ok(delivered)
}

/// One logout token to one client. The row is deleted when the client acknowledged it, when
/// there is nothing to send (client or URI gone), or after the last try.
async fn send(state: &AppState, row: OwedLogout) -> Result<bool, StoreError> {
    let client = state.clients.get(&row.client_id).await?;
    let uri = client.as_ref().and_then(|c| c.backchannel_logout_uri.clone());
    let account = match state.accounts.by_id(&row.account_id).await {
        Ok(a) => a,
        // The database is down: keep the row for the next pass.
        Err(crate::accounts::AccountError::Store(e)) => return Err(e),
        Err(_) => None,
    };
    let (Some(client), Some(uri), Some(account)) = (client, uri, account) else {
        state.store.conn().await?.delete_logout(&row.sid, &row.client_id).await?;
        return Ok(false);
    };
    let sub = claims::subject(&state.keys, &account, &client);
    let refused = match state.issuer.logout_token(client.id_token_alg, &client.id, &sub, &row.sid) {
        Ok(token) => {
            let sent = state.http.post(&uri).form(&[("logout_token", token)]).timeout(SEND_TIMEOUT).send().await;
            match sent {
                Ok(r) if r.status().is_success() => None,
                Ok(r) => Some(format!("status {}", r.status())),
                Err(e) => Some(e.to_string()),
            }
        }
        Err(e) => Some(format!("the logout token could not be signed: {e}")),
    };
    let tries = row.attempts + 1;
    match refused {
        None => {
            tracing::info!(client = %client.id, "back-channel logout delivered");
            metrics::counter!("gerbang_backchannel_logouts_total", "result" => "delivered").increment(1);
            state.store.conn().await?.delete_logout(&row.sid, &row.client_id).await?;
            Ok(true)
        }
        Some(why) if tries >= MAX_TRIES => {
            tracing::error!(client = %client.id, tries, error = %why, "back-channel logout given up");
            metrics::counter!("gerbang_backchannel_logouts_total", "result" => "given_up").increment(1);
            state.store.conn().await?.delete_logout(&row.sid, &row.client_id).await?;
            Ok(false)
        }
        Some(why) => {
            tracing::warn!(client = %client.id, tries, error = %why, "back-channel logout failed; will retry");
            metrics::counter!("gerbang_backchannel_logouts_total", "result" => "retry").increment(1);
            Ok(false)
        }
    }
}

/// Runs the delivery loop until the process ends.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let signal = state.accounts.logout_signal().clone();
        loop {
            tokio::select! {
                _ = signal.wait() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            if let Err(e) = deliver(&state, None).await {
                tracing::warn!(error = %e, "back-channel logouts not delivered");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn retries_slow_down_and_are_capped() {
        assert_eq!((backoff(0), backoff(1), backoff(2)), (30, 60, 120));
        assert_eq!(backoff(7), 3600);
        assert_eq!(backoff(40), 3600);
    }
}
