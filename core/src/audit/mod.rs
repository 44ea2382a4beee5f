//! The hash-chained audit log (Pasal 21-22: integrity): each record's hash covers the previous
//! record's hash, so deleting or editing a past record breaks the chain where it happened.

mod writer;

pub use writer::AuditWriter;

use sha2::{Digest, Sha256};

use crate::store::{AuditRow, AuditStore, Db, StoreError, Tx};

/// What happened, by whom, to what. `detail` must never hold a clear NIK or a secret.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    /// `cli`, `system`, or an account id.
    pub actor: &'a str,
    /// A dotted verb, e.g. `account.create`, `account.disable`, `account.nip_rekey`.
    pub action: &'a str,
    /// Usually an account id.
    pub target: &'a str,
    pub detail: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditChainError {
    #[error("audit log broken at record {seq}")]
    Broken { seq: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Appends inside the caller's transaction, so the record commits or rolls back with the change
/// it describes.
pub async fn append(tx: &mut Tx, event: &AuditEvent<'_>, at: i64) -> Result<AuditRow, StoreError> {
    let mut rows = append_all(tx, std::slice::from_ref(&(event.clone(), at))).await?;
    rows.pop().ok_or_else(|| StoreError::Database("no audit record written".into()))
}

/// Appends several records in order, taking the chain's lock, reading its head once, and
/// writing them with as few statements as possible.
pub async fn append_all(tx: &mut Tx, events: &[(AuditEvent<'_>, i64)]) -> Result<Vec<AuditRow>, StoreError> {
    tx.lock_audit_chain().await?;
    let (mut seq, mut prev_hash) = match tx.last_audit().await? {
        Some(last) => (last.seq, last.hash),
        None => (0, vec![0u8; 32]),
    };
    let mut rows = Vec::with_capacity(events.len());
    for (event, at) in events {
        seq += 1;
        let detail = event.detail.to_string();
        let hash = record_hash(&prev_hash, seq, *at, event.actor, event.action, event.target, &detail);
        let row = AuditRow {
            seq,
            at: *at,
            actor: event.actor.into(),
            action: event.action.into(),
            target: event.target.into(),
            detail,
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        };
        rows.push(row);
    }
    tx.insert_audit_rows(&rows).await?;
    Ok(rows)
}

/// Walks the whole chain; returns the number of records checked.
pub async fn verify_chain(db: &mut impl Db) -> Result<u64, AuditChainError> {
    let mut prev = vec![0u8; 32];
    let mut last_seq = 0i64;
    let mut count = 0u64;
    loop {
        let rows = db.audit_after(last_seq, 1000).await?;
        if rows.is_empty() {
            return Ok(count);
        }
        for r in rows {
            let expected = record_hash(&prev, r.seq, r.at, &r.actor, &r.action, &r.target, &r.detail);
            if r.seq != last_seq + 1 || r.prev_hash != prev || r.hash != expected {
                return Err(AuditChainError::Broken { seq: r.seq });
            }
            prev = r.hash;
            last_seq = r.seq;
            count += 1;
        }
    }
}

/// SHA-256 over length-prefixed fields, so no two different records share an encoding.
fn record_hash(prev: &[u8], seq: i64, at: i64, actor: &str, action: &str, target: &str, detail: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(at.to_be_bytes());
    for field in [actor, action, target, detail] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().to_vec()
}
