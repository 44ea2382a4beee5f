//! `AuthorizationStore`: pending /authorize requests, authorization codes and consents.

use sqlx::FromRow;

use super::sql::authorization as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AuthzRequestRecord {
    pub id: String,
    pub client_id: String,
    /// The validated request (JSON), owned by the IdP's authorize module.
    pub params: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AuthCodeRecord {
    pub code_hash: Vec<u8>,
    pub client_id: String,
    pub account_id: String,
    /// What the code stands for (JSON): redirect URI, scope, nonce, PKCE challenge, session.
    pub details: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub grant_id: Option<String>,
}

#[allow(async_fn_in_trait)]
pub trait AuthorizationStore {
    async fn insert_authz_request(&mut self, r: &AuthzRequestRecord) -> Result<(), StoreError>;
    async fn authz_request(&mut self, id: &str, now: i64) -> Result<Option<AuthzRequestRecord>, StoreError>;
    async fn delete_authz_request(&mut self, id: &str) -> Result<(), StoreError>;

    async fn insert_code(&mut self, c: &AuthCodeRecord) -> Result<(), StoreError>;
    async fn code(&mut self, code_hash: &[u8]) -> Result<Option<AuthCodeRecord>, StoreError>;
    /// Marks the code used; false when it was already used (a replay).
    async fn use_code(&mut self, code_hash: &[u8], now: i64) -> Result<bool, StoreError>;
    async fn set_code_grant(&mut self, code_hash: &[u8], grant_id: &str) -> Result<(), StoreError>;

    async fn upsert_consent(
        &mut self,
        account_id: &str,
        client_id: &str,
        scope: &str,
        now: i64,
    ) -> Result<(), StoreError>;
    async fn consent(&mut self, account_id: &str, client_id: &str) -> Result<Option<String>, StoreError>;

    /// Removes expired requests and codes; returns how many rows went.
    async fn purge_expired_authorizations(&mut self, now: i64) -> Result<u64, StoreError>;
}

impl<T: Db> AuthorizationStore for T {
    async fn insert_authz_request(&mut self, r: &AuthzRequestRecord) -> Result<(), StoreError> {
        on_conn!(self, x => sqlx::query(sql::INSERT_REQUEST)
            .bind(&r.id).bind(&r.client_id).bind(&r.params).bind(r.created_at).bind(r.expires_at)
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn authz_request(&mut self, id: &str, now: i64) -> Result<Option<AuthzRequestRecord>, StoreError> {
        Ok(on_conn!(self, x => sqlx::query_as(sql::SELECT_REQUEST).bind(id).bind(now).fetch_optional(&mut *x).await)?)
    }

    async fn delete_authz_request(&mut self, id: &str) -> Result<(), StoreError> {
        on_conn!(self, x => sqlx::query(sql::DELETE_REQUEST).bind(id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn insert_code(&mut self, c: &AuthCodeRecord) -> Result<(), StoreError> {
        on_conn!(self, x => sqlx::query(sql::INSERT_CODE)
            .bind(&c.code_hash).bind(&c.client_id).bind(&c.account_id).bind(&c.details).bind(c.created_at)
            .bind(c.expires_at).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn code(&mut self, code_hash: &[u8]) -> Result<Option<AuthCodeRecord>, StoreError> {
        Ok(on_conn!(self, x => sqlx::query_as(sql::SELECT_CODE).bind(code_hash).fetch_optional(&mut *x).await)?)
    }

    async fn use_code(&mut self, code_hash: &[u8], now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, x => sqlx::query(sql::USE_CODE)
            .bind(code_hash).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn set_code_grant(&mut self, code_hash: &[u8], grant_id: &str) -> Result<(), StoreError> {
        on_conn!(self, x => sqlx::query(sql::SET_CODE_GRANT)
            .bind(code_hash).bind(grant_id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn upsert_consent(
        &mut self,
        account_id: &str,
        client_id: &str,
        scope: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        on_conn!(self, x => sqlx::query(sql::UPSERT_CONSENT)
            .bind(account_id).bind(client_id).bind(scope).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn consent(&mut self, account_id: &str, client_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_conn!(self, x => sqlx::query_as(sql::SELECT_CONSENT)
            .bind(account_id).bind(client_id).fetch_optional(&mut *x).await)?;
        Ok(row.map(|(s,)| s))
    }

    async fn purge_expired_authorizations(&mut self, now: i64) -> Result<u64, StoreError> {
        let a = on_conn!(self, x => sqlx::query(sql::DELETE_EXPIRED_REQUESTS)
            .bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        let b = on_conn!(self, x => sqlx::query(sql::DELETE_EXPIRED_CODES)
            .bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(a + b)
    }
}
