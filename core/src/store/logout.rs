//! `LogoutOutbox`: back-channel logouts owed to clients for ended sessions. They are written in
//! the transaction that ends the sessions and delivered afterwards (by any replica), so a logout
//! decided is never lost to a crash or to a client that is down for a while.

use sqlx::FromRow;

use super::sql::logout as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OwedLogout {
    pub sid: String,
    pub client_id: String,
    pub account_id: String,
    /// Tries made so far.
    pub attempts: i64,
}

#[allow(async_fn_in_trait)]
pub trait LogoutOutbox {
    /// Owes a logout to every client of session `sid` that has a back-channel URI.
    async fn enqueue_session_logouts(&mut self, sid: &str, now: i64) -> Result<u64, StoreError>;
    /// Owes a logout for every live session of the account; call before deleting them.
    async fn enqueue_account_logouts(&mut self, account_id: &str, now: i64) -> Result<u64, StoreError>;
    /// Rows due at `now`, oldest first; only those of `sid` when given.
    async fn due_logouts(&mut self, sid: Option<&str>, now: i64, limit: i64) -> Result<Vec<OwedLogout>, StoreError>;
    /// Takes `row` for one try, moving its next try to `retry_at`; false if another took it.
    async fn claim_logout(&mut self, row: &OwedLogout, retry_at: i64) -> Result<bool, StoreError>;
    async fn delete_logout(&mut self, sid: &str, client_id: &str) -> Result<(), StoreError>;
    async fn count_owed_logouts(&mut self) -> Result<i64, StoreError>;
}

impl<T: Db> LogoutOutbox for T {
    async fn enqueue_session_logouts(&mut self, sid: &str, now: i64) -> Result<u64, StoreError> {
        Ok(on_conn!(self, c => sqlx::query(sql::ENQUEUE_SESSION)
            .bind(sid).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?)
    }

    async fn enqueue_account_logouts(&mut self, account_id: &str, now: i64) -> Result<u64, StoreError> {
        Ok(on_conn!(self, c => sqlx::query(sql::ENQUEUE_ACCOUNT)
            .bind(account_id).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?)
    }

    async fn due_logouts(&mut self, sid: Option<&str>, now: i64, limit: i64) -> Result<Vec<OwedLogout>, StoreError> {
        Ok(match sid {
            Some(sid) => on_conn!(self, c => sqlx::query_as(sql::SELECT_DUE_FOR_SID)
                .bind(sid).bind(now).fetch_all(&mut *c).await)?,
            None => on_conn!(self, c => sqlx::query_as(sql::SELECT_DUE)
                .bind(now).bind(limit).fetch_all(&mut *c).await)?,
        })
    }

    async fn claim_logout(&mut self, row: &OwedLogout, retry_at: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::CLAIM)
            .bind(&row.sid).bind(&row.client_id).bind(row.attempts).bind(retry_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn delete_logout(&mut self, sid: &str, client_id: &str) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::DELETE)
            .bind(sid).bind(client_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn count_owed_logouts(&mut self) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_conn!(self, c => sqlx::query_as(sql::COUNT).fetch_one(&mut *c).await)?;
        Ok(n)
    }
}
