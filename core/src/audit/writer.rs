//! Group commit for audit records that stand alone (nothing else changes in their transaction):
//! a token issued to a machine client, a token exchange. Records that arrive together share one
//! transaction (one chain lock, one fsync), so the log does not cap the token endpoint at one
//! commit per request.
//!
//! `record` waits until its record is committed: nothing is acknowledged before it is durable.
//! `submit` only queues it (waiting for room when the queue is full, never dropping): used where
//! the thing recorded is not itself stored (a stateless JWT for a machine client), so that a
//! token costs a signature and not a disk flush. A crash can lose the records of the last batch
//! in flight (a few milliseconds of issuances); a failed batch is logged as an error.

use tokio::sync::{mpsc, oneshot};

use super::{AuditEvent, append_all};
use crate::store::{Store, StoreError};

/// The most records one transaction takes.
const MAX_BATCH: usize = 512;
/// Records waiting for a transaction; senders wait (backpressure) beyond this.
const QUEUE: usize = 4096;

#[derive(Clone)]
pub struct AuditWriter {
    queue: mpsc::Sender<Pending>,
}

struct Pending {
    actor: String,
    action: String,
    target: String,
    detail: serde_json::Value,
    at: i64,
    done: oneshot::Sender<Result<(), StoreError>>,
}

impl AuditWriter {
    /// Starts the writer task; it ends when the last `AuditWriter` clone is dropped.
    pub fn start(store: Store) -> AuditWriter {
        let (queue, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(store, rx));
        AuditWriter { queue }
    }

    /// Appends one record; returns once it is committed.
    pub async fn record(&self, event: &AuditEvent<'_>, at: i64) -> Result<(), StoreError> {
        let committed = self.enqueue(event, at).await?;
        committed.await.map_err(|_| stopped())?
    }

    /// Queues one record for the next batch; returns once it is queued (see the module note).
    pub async fn submit(&self, event: &AuditEvent<'_>, at: i64) -> Result<(), StoreError> {
        self.enqueue(event, at).await.map(drop)
    }

    async fn enqueue(
        &self,
        event: &AuditEvent<'_>,
        at: i64,
    ) -> Result<oneshot::Receiver<Result<(), StoreError>>, StoreError> {
        let (done, committed) = oneshot::channel();
        let pending = Pending {
            actor: event.actor.into(),
            action: event.action.into(),
            target: event.target.into(),
            detail: event.detail.clone(),
            at,
            done,
        };
        self.queue.send(pending).await.map_err(|_| stopped())?;
        Ok(committed)
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the audit writer has stopped".into())
}

async fn run(store: Store, mut rx: mpsc::Receiver<Pending>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let result = write(&store, &batch).await;
        if let Err(e) = &result {
            tracing::error!(error = %e, records = batch.len(), "audit batch not written");
        }
        for p in batch {
            let answer = match &result {
                Ok(()) => Ok(()),
                Err(StoreError::Unavailable(m)) => Err(StoreError::Unavailable(m.clone())),
                Err(e) => Err(StoreError::Database(e.to_string())),
            };
            let _ = p.done.send(answer);
        }
    }
}

async fn write(store: &Store, batch: &[Pending]) -> Result<(), StoreError> {
    let events: Vec<(AuditEvent<'_>, i64)> = batch
        .iter()
        .map(|p| (AuditEvent { actor: &p.actor, action: &p.action, target: &p.target, detail: p.detail.clone() }, p.at))
        .collect();
    let mut tx = store.begin().await?;
    append_all(&mut tx, &events).await?;
    tx.commit().await
}
