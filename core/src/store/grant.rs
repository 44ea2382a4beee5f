//! `GrantStore`: grants (token families), refresh tokens and revoked access tokens.

use sqlx::FromRow;

use super::sql::grant as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct GrantRecord {
    pub id: String,
    pub client_id: String,
    /// None for a machine client's own grant.
    pub account_id: Option<String>,
    /// The login session it came from (for logout).
    pub session_sid: Option<String>,
    /// Scope, acr, amr, auth_time, nonce (JSON), owned by the IdP's token module.
    pub details: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RefreshTokenRecord {
    pub token_hash: Vec<u8>,
    pub grant_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

#[allow(async_fn_in_trait)]
pub trait GrantStore {
    async fn insert_grant(&mut self, g: &GrantRecord) -> Result<(), StoreError>;
    async fn grant(&mut self, id: &str) -> Result<Option<GrantRecord>, StoreError>;
    async fn revoke_grant(&mut self, id: &str, now: i64) -> Result<bool, StoreError>;
    async fn revoke_session_grants(&mut self, sid: &str, now: i64) -> Result<u64, StoreError>;
    async fn revoke_account_grants(&mut self, account_id: &str, now: i64) -> Result<u64, StoreError>;
    /// The clients that received tokens from a login session (for back-channel logout).
    async fn session_clients(&mut self, sid: &str) -> Result<Vec<String>, StoreError>;

    async fn insert_refresh_token(&mut self, r: &RefreshTokenRecord) -> Result<(), StoreError>;
    async fn refresh_token(&mut self, token_hash: &[u8]) -> Result<Option<RefreshTokenRecord>, StoreError>;
    /// Marks the token used; false when it was already used (a replay).
    async fn use_refresh_token(&mut self, token_hash: &[u8], now: i64) -> Result<bool, StoreError>;

    async fn revoke_jti(&mut self, jti: &str, expires_at: i64, now: i64) -> Result<(), StoreError>;
    /// Revoked access-token jtis (with their expiry) listed at or after `since`, unexpired at `now`.
    async fn revoked_jtis_since(&mut self, since: i64, now: i64) -> Result<Vec<(String, i64)>, StoreError>;
    async fn jti_revoked(&mut self, jti: &str) -> Result<bool, StoreError>;
    /// Forgets revocations of tokens that have expired anyway.
    async fn purge_expired_revocations(&mut self, now: i64) -> Result<u64, StoreError>;
}

impl<T: Db> GrantStore for T {
    async fn insert_grant(&mut self, g: &GrantRecord) -> Result<(), StoreError> {
        on_conn!(self, x => sqlx::query(sql::INSERT_GRANT)
            .bind(&g.id).bind(&g.client_id).bind(&g.account_id).bind(&g.session_sid).bind(&g.details)
            .bind(g.created_at).bind(g.expires_at).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn grant(&mut self, id: &str) -> Result<Option<GrantRecord>, StoreError> {
        Ok(on_conn!(self, x => sqlx::query_as(sql::SELECT_GRANT).bind(id).fetch_optional(&mut *x).await)?)
    }

    async fn revoke_grant(&mut self, id: &str, now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, x => sqlx::query(sql::REVOKE_GRANT)
            .bind(id).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn revoke_session_grants(&mut self, sid: &str, now: i64) -> Result<u64, StoreError> {
        Ok(on_conn!(self, x => sqlx::query(sql::REVOKE_SESSION_GRANTS)
            .bind(sid).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?)
    }

    async fn revoke_account_grants(&mut self, account_id: &str, now: i64) -> Result<u64, StoreError> {
        Ok(on_conn!(self, x => sqlx::query(sql::REVOKE_ACCOUNT_GRANTS)
            .bind(account_id).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?)
    }

    async fn session_clients(&mut self, sid: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_conn!(self, x => sqlx::query_as(sql::SELECT_SESSION_CLIENTS)
            .bind(sid).fetch_all(&mut *x).await)?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }

    async fn insert_refresh_token(&mut self, r: &RefreshTokenRecord) -> Result<(), StoreError> {
        on_conn!(self, x => sqlx::query(sql::INSERT_REFRESH)
            .bind(&r.token_hash).bind(&r.grant_id).bind(r.created_at).bind(r.expires_at)
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn refresh_token(&mut self, token_hash: &[u8]) -> Result<Option<RefreshTokenRecord>, StoreError> {
        Ok(on_conn!(self, x => sqlx::query_as(sql::SELECT_REFRESH).bind(token_hash).fetch_optional(&mut *x).await)?)
    }

    async fn use_refresh_token(&mut self, token_hash: &[u8], now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, x => sqlx::query(sql::USE_REFRESH)
            .bind(token_hash).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn revoke_jti(&mut self, jti: &str, expires_at: i64, now: i64) -> Result<(), StoreError> {
        on_conn!(self, x => sqlx::query(sql::INSERT_REVOKED)
            .bind(jti).bind(expires_at).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn revoked_jtis_since(&mut self, since: i64, now: i64) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(on_conn!(self, x => sqlx::query_as(sql::SELECT_REVOKED_SINCE)
            .bind(since).bind(now).fetch_all(&mut *x).await)?)
    }

    async fn jti_revoked(&mut self, jti: &str) -> Result<bool, StoreError> {
        let row: Option<(i32,)> = on_conn!(self, x => sqlx::query_as(sql::SELECT_REVOKED)
            .bind(jti).fetch_optional(&mut *x).await)?;
        Ok(row.is_some())
    }

    async fn purge_expired_revocations(&mut self, now: i64) -> Result<u64, StoreError> {
        Ok(on_conn!(self, x => sqlx::query(sql::DELETE_EXPIRED_REVOKED)
            .bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?)
    }
}
