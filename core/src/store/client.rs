//! `ClientStore`: registered OIDC clients (relying parties and machine clients).

use sqlx::FromRow;

use super::sql::client as sql;
use super::{Db, StoreError, on_conn};

/// A client as stored. Lists are kept as text (space- or newline-separated); the IdP's
/// client model parses and validates them.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ClientRecord {
    pub id: String,
    pub name: String,
    /// `confidential` or `public`.
    pub kind: String,
    /// SHA-256 of the secret (secrets are 256-bit random, so a fast hash suffices).
    pub secret_hash: Option<Vec<u8>>,
    pub auth_method: String,
    /// One URI per line.
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    /// Space-separated.
    pub grant_types: String,
    pub scopes: String,
    /// Claims beyond the scope defaults that this client was approved to receive (e.g. `nik`).
    pub approved_claims: String,
    pub id_token_alg: String,
    /// Sector for pairwise subjects of citizens.
    pub sector: String,
    /// JWK set (JSON) for `private_key_jwt`.
    pub jwks: Option<String>,
    pub backchannel_logout_uri: Option<String>,
    pub skip_consent: bool,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[allow(async_fn_in_trait)]
pub trait ClientStore {
    async fn insert_client(&mut self, c: &ClientRecord) -> Result<(), StoreError>;
    async fn client(&mut self, id: &str) -> Result<Option<ClientRecord>, StoreError>;
    async fn list_clients(&mut self, after: &str, limit: i64) -> Result<Vec<ClientRecord>, StoreError>;
    async fn set_client_status(&mut self, id: &str, status: &str, now: i64) -> Result<bool, StoreError>;
    async fn set_client_secret(&mut self, id: &str, secret_hash: &[u8], now: i64) -> Result<bool, StoreError>;
    /// Redirect URIs (one per line) and back-channel logout URI.
    async fn set_client_uris(
        &mut self,
        id: &str,
        redirect_uris: &str,
        backchannel: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError>;
    /// The application (register) this client serves.
    async fn set_client_application(&mut self, id: &str, application: &str, now: i64) -> Result<bool, StoreError>;
    async fn client_application(&mut self, id: &str) -> Result<Option<String>, StoreError>;
    /// Scopes (space-separated) and approved claims (space-separated) after an approval.
    async fn set_client_grants(&mut self, id: &str, scopes: &str, claims: &str, now: i64) -> Result<bool, StoreError>;
}

impl<T: Db> ClientStore for T {
    async fn insert_client(&mut self, c: &ClientRecord) -> Result<(), StoreError> {
        on_conn!(self, x => sqlx::query(sql::INSERT)
            .bind(&c.id).bind(&c.name).bind(&c.kind).bind(&c.secret_hash).bind(&c.auth_method)
            .bind(&c.redirect_uris).bind(&c.post_logout_redirect_uris).bind(&c.grant_types).bind(&c.scopes)
            .bind(&c.approved_claims).bind(&c.id_token_alg).bind(&c.sector).bind(&c.jwks)
            .bind(&c.backchannel_logout_uri).bind(c.skip_consent).bind(&c.status).bind(c.created_at)
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn client(&mut self, id: &str) -> Result<Option<ClientRecord>, StoreError> {
        Ok(on_conn!(self, x => sqlx::query_as(sql::SELECT_ONE).bind(id).fetch_optional(&mut *x).await)?)
    }

    async fn list_clients(&mut self, after: &str, limit: i64) -> Result<Vec<ClientRecord>, StoreError> {
        Ok(on_conn!(self, x => sqlx::query_as(sql::LIST).bind(after).bind(limit).fetch_all(&mut *x).await)?)
    }

    async fn set_client_status(&mut self, id: &str, status: &str, now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, x => sqlx::query(sql::UPDATE_STATUS)
            .bind(id).bind(status).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn set_client_secret(&mut self, id: &str, secret_hash: &[u8], now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, x => sqlx::query(sql::UPDATE_SECRET)
            .bind(id).bind(secret_hash).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn set_client_uris(
        &mut self,
        id: &str,
        redirect_uris: &str,
        backchannel: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let n = on_conn!(self, x => sqlx::query(sql::UPDATE_URIS)
            .bind(id).bind(redirect_uris).bind(backchannel).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn set_client_application(&mut self, id: &str, application: &str, now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, x => sqlx::query(sql::UPDATE_APPLICATION)
            .bind(id).bind(application).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn client_application(&mut self, id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> =
            on_conn!(self, x => sqlx::query_as(sql::SELECT_APPLICATION).bind(id).fetch_optional(&mut *x).await)?;
        Ok(row.and_then(|(a,)| a))
    }

    async fn set_client_grants(&mut self, id: &str, scopes: &str, claims: &str, now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, x => sqlx::query(sql::UPDATE_GRANTS)
            .bind(id).bind(scopes).bind(claims).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
