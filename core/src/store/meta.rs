//! `MetaStore`: small facts about the installation (e.g. the master-key check value).

use super::sql::meta as sql;
use super::{Db, StoreError, on_conn};

#[allow(async_fn_in_trait)]
pub trait MetaStore {
    async fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError>;
    /// Sets the value only if the key is absent; returns the value now stored.
    async fn meta_init(&mut self, key: &str, value: &str) -> Result<String, StoreError>;
}

impl<T: Db> MetaStore for T {
    async fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            on_conn!(self, c => sqlx::query_as(sql::SELECT).bind(key).fetch_optional(&mut *c).await)?;
        Ok(row.map(|(v,)| v))
    }

    async fn meta_init(&mut self, key: &str, value: &str) -> Result<String, StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_IF_ABSENT).bind(key).bind(value).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        self.meta(key).await?.ok_or_else(|| StoreError::Corrupt(format!("meta key {key} vanished")))
    }
}
