//! `RegistrationStore`: the developer portal's client registrations (a new client, or a change
//! that widens a live one) and the claim decisions of the Wali Data (Pasal 12(6)).

use sqlx::FromRow;

use super::sql::registration as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RegistrationRecord {
    pub id: String,
    /// The client this registration creates (`new`) or changes (`change`).
    pub client_id: String,
    /// `new` or `change`.
    pub purpose: String,
    pub application_id: String,
    pub developer_id: String,
    pub name: String,
    /// `confidential` or `public`.
    pub kind: String,
    /// One URI per line.
    pub redirect_uris: String,
    pub backchannel_logout_uri: Option<String>,
    /// Space-separated.
    pub scopes: String,
    /// SHA-256 of the secret shown once at registration (confidential, `new` only).
    pub secret_hash: Option<Vec<u8>>,
    pub logo_type: Option<String>,
    /// `pending`, `approved`, `rejected` or `withdrawn`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub reason: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ClaimRequestRecord {
    pub registration_id: String,
    pub claim: String,
    /// Why the application needs it, in the developer's words.
    pub purpose: String,
    pub data_group_id: String,
    /// `pending`, `approved` or `rejected`.
    pub decision: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub reason: String,
}

#[allow(async_fn_in_trait)]
pub trait RegistrationStore {
    async fn insert_registration(&mut self, r: &RegistrationRecord, logo: Option<&[u8]>) -> Result<(), StoreError>;
    async fn registration(&mut self, id: &str) -> Result<Option<RegistrationRecord>, StoreError>;
    /// Newest first, before (`before_at`, `before_id`); empty `status`/`developer` match any.
    async fn list_registrations(
        &mut self,
        status: &str,
        developer: &str,
        before_at: i64,
        before_id: &str,
        limit: i64,
    ) -> Result<Vec<RegistrationRecord>, StoreError>;
    async fn registrations_for_client(&mut self, client_id: &str) -> Result<Vec<RegistrationRecord>, StoreError>;
    /// Decides a pending registration; false when it was not pending (decided already).
    async fn decide_registration(
        &mut self,
        id: &str,
        status: &str,
        by: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
    async fn registration_logo(&mut self, id: &str) -> Result<Option<(String, Vec<u8>)>, StoreError>;

    async fn insert_claim_request(&mut self, c: &ClaimRequestRecord) -> Result<(), StoreError>;
    async fn claim_requests(&mut self, registration: &str) -> Result<Vec<ClaimRequestRecord>, StoreError>;
    async fn pending_claims_for_steward(&mut self, account: &str) -> Result<Vec<ClaimRequestRecord>, StoreError>;
    /// Decides a pending claim; false when it was not pending.
    async fn decide_claim(
        &mut self,
        registration: &str,
        claim: &str,
        decision: &str,
        by: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
}

impl<T: Db> RegistrationStore for T {
    async fn insert_registration(&mut self, r: &RegistrationRecord, logo: Option<&[u8]>) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT)
            .bind(&r.id).bind(&r.client_id).bind(&r.purpose).bind(&r.application_id).bind(&r.developer_id)
            .bind(&r.name).bind(&r.kind).bind(&r.redirect_uris).bind(&r.backchannel_logout_uri).bind(&r.scopes)
            .bind(&r.secret_hash).bind(&r.logo_type).bind(&r.status).bind(&r.decided_by).bind(r.decided_at)
            .bind(&r.reason).bind(r.created_at).bind(logo)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn registration(&mut self, id: &str) -> Result<Option<RegistrationRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_ONE).bind(id).fetch_optional(&mut *c).await)?)
    }

    async fn list_registrations(
        &mut self,
        status: &str,
        developer: &str,
        before_at: i64,
        before_id: &str,
        limit: i64,
    ) -> Result<Vec<RegistrationRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::LIST)
            .bind(status).bind(developer).bind(before_at).bind(before_id).bind(limit).fetch_all(&mut *c).await)?)
    }

    async fn registrations_for_client(&mut self, client_id: &str) -> Result<Vec<RegistrationRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::FOR_CLIENT).bind(client_id).fetch_all(&mut *c).await)?)
    }

    async fn decide_registration(
        &mut self,
        id: &str,
        status: &str,
        by: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::DECIDE).bind(id).bind(status).bind(by).bind(reason).bind(now)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn registration_logo(&mut self, id: &str) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_LOGO).bind(id).fetch_optional(&mut *c).await)?)
    }

    async fn insert_claim_request(&mut self, r: &ClaimRequestRecord) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_CLAIM)
            .bind(&r.registration_id).bind(&r.claim).bind(&r.purpose).bind(&r.data_group_id)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn claim_requests(&mut self, registration: &str) -> Result<Vec<ClaimRequestRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::CLAIMS_OF).bind(registration).fetch_all(&mut *c).await)?)
    }

    async fn pending_claims_for_steward(&mut self, account: &str) -> Result<Vec<ClaimRequestRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::PENDING_FOR_STEWARD).bind(account).fetch_all(&mut *c).await)?)
    }

    async fn decide_claim(
        &mut self,
        registration: &str,
        claim: &str,
        decision: &str,
        by: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::DECIDE_CLAIM)
            .bind(registration).bind(claim).bind(decision).bind(by).bind(reason).bind(now)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
