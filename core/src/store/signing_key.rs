//! `SigningKeyStore`: the IdP's token signing keys (private part sealed).

use sqlx::FromRow;

use super::sql::signing_key as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SigningKeyRecord {
    pub kid: String,
    /// `ES256` or `RS256`.
    pub alg: String,
    /// PKCS#8 DER, sealed with the master-derived key (associated data: the kid).
    pub private_sealed: Vec<u8>,
    /// The public JWK (JSON).
    pub public_jwk: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
    pub remove_after: Option<i64>,
}

#[allow(async_fn_in_trait)]
pub trait SigningKeyStore {
    async fn insert_signing_key(&mut self, k: &SigningKeyRecord) -> Result<(), StoreError>;
    /// Keys to publish at `now`, newest first.
    async fn published_signing_keys(&mut self, now: i64) -> Result<Vec<SigningKeyRecord>, StoreError>;
    /// Retires the active key of `alg`, keeping it published until `remove_after`.
    async fn retire_signing_keys(&mut self, alg: &str, now: i64, remove_after: i64) -> Result<u64, StoreError>;
}

impl<T: Db> SigningKeyStore for T {
    async fn insert_signing_key(&mut self, k: &SigningKeyRecord) -> Result<(), StoreError> {
        on_conn!(self, x => sqlx::query(sql::INSERT)
            .bind(&k.kid).bind(&k.alg).bind(&k.private_sealed).bind(&k.public_jwk).bind(k.created_at)
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn published_signing_keys(&mut self, now: i64) -> Result<Vec<SigningKeyRecord>, StoreError> {
        Ok(on_conn!(self, x => sqlx::query_as(sql::SELECT_PUBLISHED).bind(now).fetch_all(&mut *x).await)?)
    }

    async fn retire_signing_keys(&mut self, alg: &str, now: i64, remove_after: i64) -> Result<u64, StoreError> {
        Ok(on_conn!(self, x => sqlx::query(sql::RETIRE_ACTIVE)
            .bind(alg).bind(now).bind(remove_after).execute(&mut *x).await.map(|r| r.rows_affected()))?)
    }
}
