//! `FactorStore`: second factors (TOTP, recovery codes), login throttling and sign-in history.

use sqlx::FromRow;

use super::sql::factor as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TotpRecord {
    pub account_id: String,
    pub secret_sealed: Vec<u8>,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub last_step: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SignIn {
    pub at: i64,
    /// e.g. `pwd`, `otp`, `recovery`.
    pub method: String,
    /// `ok`, `wrong_credentials`, `locked`, `disabled`.
    pub result: String,
    pub source_ip: String,
    pub user_agent: String,
}

#[allow(async_fn_in_trait)]
pub trait FactorStore {
    /// Starts (or restarts) a TOTP enrolment with a new sealed secret.
    async fn put_pending_totp(&mut self, account_id: &str, sealed: &[u8], now: i64) -> Result<(), StoreError>;
    async fn totp(&mut self, account_id: &str) -> Result<Option<TotpRecord>, StoreError>;
    async fn confirm_totp(&mut self, account_id: &str, now: i64) -> Result<bool, StoreError>;
    /// Accepts `step` only if it is above the last step used; false means a replay.
    async fn use_totp_step(&mut self, account_id: &str, step: i64) -> Result<bool, StoreError>;
    async fn delete_totp(&mut self, account_id: &str) -> Result<(), StoreError>;

    /// Replaces the account's recovery codes.
    async fn replace_recovery_codes(
        &mut self,
        account_id: &str,
        hashes: &[Vec<u8>],
        now: i64,
    ) -> Result<(), StoreError>;
    async fn use_recovery_code(&mut self, account_id: &str, hash: &[u8], now: i64) -> Result<bool, StoreError>;
    async fn recovery_codes_left(&mut self, account_id: &str) -> Result<i64, StoreError>;

    /// Counts a failure for `key` in a window that starts anew after `window_secs`; returns the count.
    async fn record_failure(&mut self, key: &str, now: i64, window_secs: i64) -> Result<i64, StoreError>;
    /// Locks `key` until `until` and restarts its count at `now`.
    async fn lock(&mut self, key: &str, until: i64, now: i64) -> Result<(), StoreError>;
    async fn locked_until(&mut self, key: &str) -> Result<Option<i64>, StoreError>;
    async fn clear_throttle(&mut self, key: &str) -> Result<bool, StoreError>;

    async fn record_sign_in(&mut self, account_id: &str, at: i64, e: &SignIn) -> Result<(), StoreError>;
    async fn recent_sign_ins(&mut self, account_id: &str, limit: i64) -> Result<Vec<SignIn>, StoreError>;
}

impl<T: Db> FactorStore for T {
    async fn put_pending_totp(&mut self, account_id: &str, sealed: &[u8], now: i64) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::UPSERT_PENDING_TOTP)
            .bind(account_id).bind(sealed).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn totp(&mut self, account_id: &str) -> Result<Option<TotpRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_TOTP).bind(account_id).fetch_optional(&mut *c).await)?)
    }

    async fn confirm_totp(&mut self, account_id: &str, now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::CONFIRM_TOTP)
            .bind(account_id).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn use_totp_step(&mut self, account_id: &str, step: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::USE_TOTP_STEP)
            .bind(account_id).bind(step).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn delete_totp(&mut self, account_id: &str) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::DELETE_TOTP).bind(account_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn replace_recovery_codes(
        &mut self,
        account_id: &str,
        hashes: &[Vec<u8>],
        now: i64,
    ) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::DELETE_RECOVERY_CODES)
            .bind(account_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        for hash in hashes {
            on_conn!(self, c => sqlx::query(sql::INSERT_RECOVERY_CODE)
                .bind(account_id).bind(hash).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    async fn use_recovery_code(&mut self, account_id: &str, hash: &[u8], now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::USE_RECOVERY_CODE)
            .bind(account_id).bind(hash).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn recovery_codes_left(&mut self, account_id: &str) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_conn!(self, c => sqlx::query_as(sql::COUNT_RECOVERY_CODES)
            .bind(account_id).fetch_one(&mut *c).await)?;
        Ok(n)
    }

    async fn record_failure(&mut self, key: &str, now: i64, window_secs: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_conn!(self, c => sqlx::query_as(sql::RECORD_FAILURE)
            .bind(key).bind(now).bind(now - window_secs).fetch_one(&mut *c).await)?;
        Ok(n)
    }

    async fn lock(&mut self, key: &str, until: i64, now: i64) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::LOCK).bind(key).bind(until).bind(now)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn locked_until(&mut self, key: &str) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> =
            on_conn!(self, c => sqlx::query_as(sql::SELECT_LOCKED_UNTIL).bind(key).fetch_optional(&mut *c).await)?;
        Ok(row.map(|(t,)| t))
    }

    async fn clear_throttle(&mut self, key: &str) -> Result<bool, StoreError> {
        let n =
            on_conn!(self, c => sqlx::query(sql::CLEAR).bind(key).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    async fn record_sign_in(&mut self, account_id: &str, at: i64, e: &SignIn) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_SIGN_IN)
            .bind(account_id).bind(at).bind(&e.method).bind(&e.result).bind(&e.source_ip).bind(&e.user_agent)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn recent_sign_ins(&mut self, account_id: &str, limit: i64) -> Result<Vec<SignIn>, StoreError> {
        Ok(
            on_conn!(self, c => sqlx::query_as(sql::RECENT_SIGN_INS).bind(account_id).bind(limit).fetch_all(&mut *c).await)?,
        )
    }
}
