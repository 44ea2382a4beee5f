//! `KeyringStore`: the data keys (wrapped by the master key), and the sealed values a master-key
//! rotation rewrites under the new data key.

use sqlx::FromRow;

use super::sql::keyring as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DataKeyRow {
    pub generation: i64,
    /// `next`, `current` or `retired`.
    pub state: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
    /// For the `next` generation: the check value of the master key the rotation goes to.
    pub rotate_to: Option<String>,
}

/// The kinds of sealed values stored, each with its owner as associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedKind {
    /// A citizen's NIK (sealed and blind-indexed), by account id.
    Nik,
    /// The NIK of a registration waiting for its code (sealed and blind-indexed), by its id.
    PendingNik,
    /// A TOTP secret, by account id.
    Totp,
    /// An IdP signing key's private part, by kid.
    SigningKey,
}

impl SealedKind {
    pub const ALL: [SealedKind; 4] =
        [SealedKind::Nik, SealedKind::PendingNik, SealedKind::Totp, SealedKind::SigningKey];

    /// Whether a blind index is stored beside the sealed value.
    pub fn indexed(self) -> bool {
        matches!(self, SealedKind::Nik | SealedKind::PendingNik)
    }

    fn sql(self) -> (&'static str, &'static str) {
        match self {
            SealedKind::Nik => (sql::PAGE_NIKS, sql::REPLACE_NIK),
            SealedKind::PendingNik => (sql::PAGE_PENDING_NIKS, sql::REPLACE_PENDING_NIK),
            SealedKind::Totp => (sql::PAGE_TOTP, sql::REPLACE_TOTP),
            SealedKind::SigningKey => (sql::PAGE_SIGNING_KEYS, sql::REPLACE_SIGNING_KEY),
        }
    }
}

/// One stored sealed value; `index` is empty for kinds without a blind index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedRow {
    pub owner: String,
    pub index: Vec<u8>,
    pub sealed: Vec<u8>,
}

#[allow(async_fn_in_trait)]
pub trait KeyringStore {
    /// Every generation, oldest first.
    async fn data_keys(&mut self) -> Result<Vec<DataKeyRow>, StoreError>;
    /// The generations wrapped by the master key identified by `master_check`.
    async fn data_key_wraps(&mut self, master_check: &str) -> Result<Vec<(i64, Vec<u8>)>, StoreError>;
    /// Adds a generation; false if it exists already.
    async fn insert_data_key(
        &mut self,
        generation: i64,
        state: &str,
        now: i64,
        rotate_to: Option<&str>,
    ) -> Result<bool, StoreError>;
    async fn insert_data_key_wrap(
        &mut self,
        generation: i64,
        master_check: &str,
        wrapped: &[u8],
    ) -> Result<(), StoreError>;
    async fn set_data_key_state(
        &mut self,
        generation: i64,
        state: &str,
        retired_at: Option<i64>,
    ) -> Result<(), StoreError>;
    /// Forgets every wrapping by another master key than `master_check`.
    async fn delete_other_data_key_wraps(&mut self, master_check: &str) -> Result<u64, StoreError>;
    /// Up to `limit` sealed values of `kind` whose owner sorts after `after`.
    async fn sealed_page(&mut self, kind: SealedKind, after: &str, limit: i64) -> Result<Vec<SealedRow>, StoreError>;
    /// Replaces a sealed value (and its index) if it is still `old`; false if it changed meanwhile.
    async fn replace_sealed(
        &mut self,
        kind: SealedKind,
        owner: &str,
        old: &[u8],
        index: &[u8],
        sealed: &[u8],
    ) -> Result<bool, StoreError>;
}

impl<T: Db> KeyringStore for T {
    async fn data_keys(&mut self) -> Result<Vec<DataKeyRow>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_KEYS).fetch_all(&mut *c).await)?)
    }

    async fn data_key_wraps(&mut self, master_check: &str) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_WRAPS).bind(master_check).fetch_all(&mut *c).await)?)
    }

    async fn insert_data_key(
        &mut self,
        generation: i64,
        state: &str,
        now: i64,
        rotate_to: Option<&str>,
    ) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::INSERT_KEY).bind(generation).bind(state).bind(now).bind(rotate_to)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn insert_data_key_wrap(
        &mut self,
        generation: i64,
        master_check: &str,
        wrapped: &[u8],
    ) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_WRAP).bind(generation).bind(master_check).bind(wrapped)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn set_data_key_state(
        &mut self,
        generation: i64,
        state: &str,
        retired_at: Option<i64>,
    ) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::SET_STATE).bind(generation).bind(state).bind(retired_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn delete_other_data_key_wraps(&mut self, master_check: &str) -> Result<u64, StoreError> {
        Ok(on_conn!(self, c => sqlx::query(sql::DELETE_OTHER_WRAPS).bind(master_check)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?)
    }

    async fn sealed_page(&mut self, kind: SealedKind, after: &str, limit: i64) -> Result<Vec<SealedRow>, StoreError> {
        let (page, _) = kind.sql();
        if kind.indexed() {
            let rows: Vec<(String, Vec<u8>, Vec<u8>)> =
                on_conn!(self, c => sqlx::query_as(page).bind(after).bind(limit).fetch_all(&mut *c).await)?;
            Ok(rows.into_iter().map(|(owner, index, sealed)| SealedRow { owner, index, sealed }).collect())
        } else {
            let rows: Vec<(String, Vec<u8>)> =
                on_conn!(self, c => sqlx::query_as(page).bind(after).bind(limit).fetch_all(&mut *c).await)?;
            Ok(rows.into_iter().map(|(owner, sealed)| SealedRow { owner, index: Vec::new(), sealed }).collect())
        }
    }

    async fn replace_sealed(
        &mut self,
        kind: SealedKind,
        owner: &str,
        old: &[u8],
        index: &[u8],
        sealed: &[u8],
    ) -> Result<bool, StoreError> {
        let (_, replace) = kind.sql();
        let n = if kind.indexed() {
            on_conn!(self, c => sqlx::query(replace).bind(owner).bind(old).bind(index).bind(sealed)
                .execute(&mut *c).await.map(|r| r.rows_affected()))?
        } else {
            on_conn!(self, c => sqlx::query(replace).bind(owner).bind(old).bind(sealed)
                .execute(&mut *c).await.map(|r| r.rows_affected()))?
        };
        Ok(n == 1)
    }
}
