//! `AuditStore`: rows of the append-only audit log. The chaining itself is in `crate::audit`.

use sqlx::FromRow;

use super::sql::{audit as sql, dialect};
use super::{Db, StoreError, Tx, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// JSON object with details; never holds a clear NIK or a secret.
    pub detail: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

#[allow(async_fn_in_trait)]
pub trait AuditStore {
    async fn last_audit(&mut self) -> Result<Option<AuditRow>, StoreError>;
    /// Several records, in order, with one statement per [`sql::ROWS_PER_INSERT`] rows.
    async fn insert_audit_rows(&mut self, rows: &[AuditRow]) -> Result<(), StoreError>;
    async fn audit_after(&mut self, after_seq: i64, limit: i64) -> Result<Vec<AuditRow>, StoreError>;
    async fn audit_for_target(&mut self, target: &str, limit: i64) -> Result<Vec<AuditRow>, StoreError>;
    async fn search_audit(
        &mut self,
        filter: &AuditFilter,
        before_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError>;
}

/// What the auditor searches for; empty strings match anything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: String,
    /// A prefix such as `client.` or `account.create`.
    pub action: String,
    pub target: String,
    /// Unix seconds, inclusive.
    pub from: i64,
    /// Unix seconds, exclusive.
    pub to: i64,
}

impl<T: Db> AuditStore for T {
    async fn last_audit(&mut self) -> Result<Option<AuditRow>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_LAST).fetch_optional(&mut *c).await)?)
    }

    async fn insert_audit_rows(&mut self, rows: &[AuditRow]) -> Result<(), StoreError> {
        for chunk in rows.chunks(sql::ROWS_PER_INSERT) {
            let text = sql::insert_many(chunk.len());
            on_conn!(self, c => {
                let mut q = sqlx::query(&text);
                for r in chunk {
                    q = q.bind(r.seq).bind(r.at).bind(&r.actor).bind(&r.action).bind(&r.target).bind(&r.detail)
                        .bind(&r.prev_hash).bind(&r.hash);
                }
                q.execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    async fn audit_after(&mut self, after_seq: i64, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_RANGE).bind(after_seq).bind(limit).fetch_all(&mut *c).await)?)
    }

    async fn audit_for_target(&mut self, target: &str, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        Ok(
            on_conn!(self, c => sqlx::query_as(sql::SELECT_FOR_TARGET).bind(target).bind(limit).fetch_all(&mut *c).await)?,
        )
    }

    async fn search_audit(
        &mut self,
        f: &AuditFilter,
        before_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SEARCH)
            .bind(before_seq).bind(&f.actor).bind(&f.action).bind(super::account::prefix_end(&f.action))
            .bind(f.from).bind(f.to).bind(&f.target).bind(limit).fetch_all(&mut *c).await)?)
    }
}

impl Tx {
    /// Holds the audit chain for the rest of this transaction (see `sql::dialect`).
    pub async fn lock_audit_chain(&mut self) -> Result<(), StoreError> {
        if let Some(stmt) = dialect::lock_audit_chain(self.backend()) {
            on_conn!(self, c => sqlx::query(stmt).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }
}
