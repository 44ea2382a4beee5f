//! `PasskeyStore`: passkeys, WebAuthn user handles, and the server-side ceremony state.

use sqlx::FromRow;

use super::sql::passkey as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PasskeyRecord {
    pub cred_id: Vec<u8>,
    pub account_id: String,
    pub name: String,
    /// The webauthn-rs `Passkey` (public key, counter), as JSON.
    pub passkey: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CeremonyRecord {
    pub id: String,
    /// `register`, `login` or `step_up`.
    pub kind: String,
    pub account_id: Option<String>,
    /// The webauthn-rs ceremony state, as JSON.
    pub state: String,
    pub expires_at: i64,
}

#[allow(async_fn_in_trait)]
pub trait PasskeyStore {
    async fn webauthn_user(&mut self, account_id: &str) -> Result<Option<String>, StoreError>;
    /// Sets the account's user handle if it has none; returns the one stored.
    async fn ensure_webauthn_user(&mut self, account_id: &str, uuid: &str) -> Result<String, StoreError>;
    async fn account_by_webauthn_user(&mut self, uuid: &str) -> Result<Option<String>, StoreError>;

    async fn insert_passkey(&mut self, p: &PasskeyRecord) -> Result<(), StoreError>;
    async fn account_passkeys(&mut self, account_id: &str) -> Result<Vec<PasskeyRecord>, StoreError>;
    async fn passkey(&mut self, cred_id: &[u8]) -> Result<Option<PasskeyRecord>, StoreError>;
    async fn record_passkey_use(&mut self, cred_id: &[u8], passkey: &str, now: i64) -> Result<(), StoreError>;
    async fn rename_passkey(&mut self, cred_id: &[u8], account_id: &str, name: &str) -> Result<bool, StoreError>;
    async fn delete_passkey(&mut self, cred_id: &[u8], account_id: &str) -> Result<bool, StoreError>;

    async fn insert_ceremony(&mut self, c: &CeremonyRecord) -> Result<(), StoreError>;
    /// Removes and returns a live ceremony: each can be finished once, by any replica.
    async fn take_ceremony(&mut self, id: &str, now: i64) -> Result<Option<CeremonyRecord>, StoreError>;
    async fn purge_expired_ceremonies(&mut self, now: i64) -> Result<u64, StoreError>;
}

impl<T: Db> PasskeyStore for T {
    async fn webauthn_user(&mut self, account_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            on_conn!(self, c => sqlx::query_as(sql::SELECT_USER_UUID).bind(account_id).fetch_optional(&mut *c).await)?;
        Ok(row.map(|(u,)| u))
    }

    async fn ensure_webauthn_user(&mut self, account_id: &str, uuid: &str) -> Result<String, StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_USER_UUID)
            .bind(account_id).bind(uuid).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        self.webauthn_user(account_id).await?.ok_or_else(|| StoreError::Corrupt("webauthn user vanished".into()))
    }

    async fn account_by_webauthn_user(&mut self, uuid: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            on_conn!(self, c => sqlx::query_as(sql::SELECT_ACCOUNT_BY_UUID).bind(uuid).fetch_optional(&mut *c).await)?;
        Ok(row.map(|(a,)| a))
    }

    async fn insert_passkey(&mut self, p: &PasskeyRecord) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_PASSKEY)
            .bind(&p.cred_id).bind(&p.account_id).bind(&p.name).bind(&p.passkey).bind(p.created_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn account_passkeys(&mut self, account_id: &str) -> Result<Vec<PasskeyRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_ACCOUNT_PASSKEYS).bind(account_id).fetch_all(&mut *c).await)?)
    }

    async fn passkey(&mut self, cred_id: &[u8]) -> Result<Option<PasskeyRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_PASSKEY).bind(cred_id).fetch_optional(&mut *c).await)?)
    }

    async fn record_passkey_use(&mut self, cred_id: &[u8], passkey: &str, now: i64) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::UPDATE_PASSKEY_USE)
            .bind(cred_id).bind(passkey).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn rename_passkey(&mut self, cred_id: &[u8], account_id: &str, name: &str) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::RENAME_PASSKEY)
            .bind(cred_id).bind(account_id).bind(name).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn delete_passkey(&mut self, cred_id: &[u8], account_id: &str) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::DELETE_PASSKEY)
            .bind(cred_id).bind(account_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn insert_ceremony(&mut self, x: &CeremonyRecord) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_CEREMONY)
            .bind(&x.id).bind(&x.kind).bind(&x.account_id).bind(&x.state).bind(x.expires_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn take_ceremony(&mut self, id: &str, now: i64) -> Result<Option<CeremonyRecord>, StoreError> {
        let row: Option<CeremonyRecord> =
            on_conn!(self, c => sqlx::query_as(sql::SELECT_CEREMONY).bind(id).bind(now).fetch_optional(&mut *c).await)?;
        if row.is_some() {
            let n = on_conn!(self, c => sqlx::query(sql::DELETE_CEREMONY)
                .bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            // Another replica took it between our read and delete.
            if n == 0 {
                return Ok(None);
            }
        }
        Ok(row)
    }

    async fn purge_expired_ceremonies(&mut self, now: i64) -> Result<u64, StoreError> {
        Ok(on_conn!(self, c => sqlx::query(sql::DELETE_EXPIRED_CEREMONIES)
            .bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?)
    }
}
