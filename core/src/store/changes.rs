//! Telling the other replicas that something they may keep in memory changed.
//!
//! Replicas share one PostgreSQL and keep short-lived copies of a few rows (OIDC clients, the
//! signing keys). A change is announced in the transaction that makes it (`pg_notify`, sent by
//! PostgreSQL only when the transaction commits), and every replica listening drops its copy at
//! once. If the listening connection is lost, the replica drops every copy when it is back
//! (nothing missed meanwhile stays stale), and each copy also expires on its own. SQLite is one
//! process: announcing does nothing, and there is nobody to listen.

use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::mpsc;

use super::{Conn, Db, Pool, Store, StoreError};

/// The PostgreSQL channel of these announcements.
pub const CHANNEL: &str = "gerbang_changes";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The OIDC client with this id changed (or was disabled).
    Client(String),
    /// The signing keys changed (rotation).
    SigningKeys,
    /// Anything may have changed (the listening connection was lost for a while).
    Everything,
}

impl Change {
    fn payload(&self) -> String {
        match self {
            Change::Client(id) => format!("client:{id}"),
            Change::SigningKeys => "keys".into(),
            Change::Everything => "all".into(),
        }
    }

    fn parse(payload: &str) -> Change {
        match payload.split_once(':') {
            Some(("client", id)) => Change::Client(id.to_string()),
            _ if payload == "keys" => Change::SigningKeys,
            // Unknown (a newer replica's announcement): drop everything to be safe.
            _ => Change::Everything,
        }
    }
}

/// Announces `change` inside the caller's transaction (sent when it commits).
pub async fn announce(db: &mut impl Db, change: &Change) -> Result<(), StoreError> {
    if let Conn::Postgres(c) = db.conn() {
        sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(change.payload()).execute(&mut *c).await?;
    }
    Ok(())
}

impl Store {
    /// The changes announced by any process on this database, for as long as the receiver is
    /// kept; `None` on SQLite. After a lost connection, [`Change::Everything`] is sent.
    pub fn changes(&self) -> Option<mpsc::Receiver<Change>> {
        let Pool::Postgres(pool) = &self.pool else { return None };
        let pool = pool.clone();
        let (tx, rx) = mpsc::channel(256);
        tokio::spawn(async move {
            loop {
                let mut listener = match PgListener::connect_with(&pool).await {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for changes; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "cannot listen for changes; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                // Whatever happened while not listening is unknown.
                if tx.send(Change::Everything).await.is_err() {
                    return;
                }
                loop {
                    let change = match listener.try_recv().await {
                        Ok(Some(n)) => Change::parse(n.payload()),
                        // The connection was lost; sqlx reconnects on the next call.
                        Ok(None) => {
                            tracing::warn!("change notifications interrupted; dropping every kept copy");
                            Change::Everything
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "change notifications failed; listening again");
                            break;
                        }
                    };
                    if tx.send(change).await.is_err() {
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        Some(rx)
    }
}

#[cfg(test)]
mod tests {
    use super::Change;

    #[test]
    fn payloads_round_trip() {
        for c in [Change::Client("rp:1".into()), Change::SigningKeys, Change::Everything] {
            assert_eq!(Change::parse(&c.payload()), c);
        }
        assert_eq!(Change::parse("newer:thing"), Change::Everything);
    }
}
