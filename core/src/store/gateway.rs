//! `GatewayStore`: back-channel logouts the gateway received, shared by all its replicas.

use sqlx::FromRow;

use super::sql::gateway as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct GatewayLogout {
    pub seq: i64,
    pub idp_sid: Option<String>,
    pub sub: Option<String>,
    pub logged_out_at: i64,
}

#[allow(async_fn_in_trait)]
pub trait GatewayStore {
    async fn insert_gateway_logout(
        &mut self,
        idp_sid: Option<&str>,
        sub: Option<&str>,
        at: i64,
        expires_at: i64,
    ) -> Result<(), StoreError>;
    /// Logouts recorded at or after `since` that have not expired at `now`, oldest first.
    async fn gateway_logouts_since(&mut self, since: i64, now: i64) -> Result<Vec<GatewayLogout>, StoreError>;
    async fn purge_gateway_logouts(&mut self, now: i64) -> Result<u64, StoreError>;
}

impl<T: Db> GatewayStore for T {
    async fn insert_gateway_logout(
        &mut self,
        idp_sid: Option<&str>,
        sub: Option<&str>,
        at: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        on_conn!(self, x => sqlx::query(sql::INSERT_LOGOUT)
            .bind(idp_sid).bind(sub).bind(at).bind(expires_at).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn gateway_logouts_since(&mut self, since: i64, now: i64) -> Result<Vec<GatewayLogout>, StoreError> {
        Ok(
            on_conn!(self, x => sqlx::query_as(sql::SELECT_LOGOUTS_SINCE).bind(since).bind(now).fetch_all(&mut *x).await)?,
        )
    }

    async fn purge_gateway_logouts(&mut self, now: i64) -> Result<u64, StoreError> {
        Ok(
            on_conn!(self, x => sqlx::query(sql::DELETE_EXPIRED_LOGOUTS).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?,
        )
    }
}
