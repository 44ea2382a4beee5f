//! `SessionStore`: IdP login sessions, stored by the hash of their id.

use sqlx::FromRow;

use super::sql::session as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Session {
    /// SHA-256 of the random session id held in the browser's cookie.
    pub id_hash: Vec<u8>,
    pub account_id: String,
    /// Authentication methods used (RFC 8176 values, space separated), e.g. `pwd`.
    pub amr: String,
    pub auth_time: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub user_agent: String,
    pub source_ip: String,
    /// Public id of the session (`sid` claim in ID and logout tokens).
    pub sid: String,
}

#[allow(async_fn_in_trait)]
pub trait SessionStore {
    async fn insert_session(&mut self, s: &Session) -> Result<(), StoreError>;
    /// The session if it exists and has not expired at `now`.
    async fn live_session(&mut self, id_hash: &[u8], now: i64) -> Result<Option<Session>, StoreError>;
    async fn delete_session(&mut self, id_hash: &[u8]) -> Result<bool, StoreError>;
    async fn delete_account_sessions(&mut self, account_id: &str) -> Result<u64, StoreError>;
    async fn delete_expired_sessions(&mut self, now: i64) -> Result<u64, StoreError>;
    /// Live sessions of an account, newest first.
    async fn account_sessions(&mut self, account_id: &str, now: i64) -> Result<Vec<Session>, StoreError>;
    /// Records a step-up: the methods used so far and the time of the latest authentication.
    async fn update_session_auth(&mut self, id_hash: &[u8], amr: &str, auth_time: i64) -> Result<(), StoreError>;
}

impl<T: Db> SessionStore for T {
    async fn insert_session(&mut self, s: &Session) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_SESSION)
            .bind(&s.id_hash).bind(&s.account_id).bind(&s.amr).bind(s.auth_time).bind(s.created_at)
            .bind(s.expires_at).bind(&s.user_agent).bind(&s.source_ip).bind(&s.sid)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn live_session(&mut self, id_hash: &[u8], now: i64) -> Result<Option<Session>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_LIVE_SESSION)
            .bind(id_hash).bind(now).fetch_optional(&mut *c).await)?)
    }

    async fn delete_session(&mut self, id_hash: &[u8]) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::DELETE_SESSION)
            .bind(id_hash).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    async fn delete_account_sessions(&mut self, account_id: &str) -> Result<u64, StoreError> {
        Ok(on_conn!(self, c => sqlx::query(sql::DELETE_ACCOUNT_SESSIONS)
            .bind(account_id).execute(&mut *c).await.map(|r| r.rows_affected()))?)
    }

    async fn delete_expired_sessions(&mut self, now: i64) -> Result<u64, StoreError> {
        Ok(on_conn!(self, c => sqlx::query(sql::DELETE_EXPIRED_SESSIONS)
            .bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?)
    }

    async fn account_sessions(&mut self, account_id: &str, now: i64) -> Result<Vec<Session>, StoreError> {
        Ok(
            on_conn!(self, c => sqlx::query_as(sql::ACCOUNT_SESSIONS).bind(account_id).bind(now).fetch_all(&mut *c).await)?,
        )
    }

    async fn update_session_auth(&mut self, id_hash: &[u8], amr: &str, auth_time: i64) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::UPDATE_SESSION_AUTH)
            .bind(id_hash).bind(amr).bind(auth_time).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
