//! `ReportStore`: the aggregates behind the reports of Pasal 24 (sign-ins, users, failures,
//! second-factor adoption, onboarding and documentation of applications).

use sqlx::FromRow;

use super::sql::report as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OpdSignIns {
    pub opd_id: String,
    pub ok: i64,
    pub failed: i64,
    pub users: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AppSignIns {
    pub application_id: String,
    pub sign_ins: i64,
    pub users: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OpdFactors {
    pub opd_id: String,
    pub accounts: i64,
    pub mfa: i64,
    pub passkey: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AppStatus {
    pub id: String,
    pub name: String,
    pub opd_id: String,
    pub onboarding: String,
    pub docs_given: i64,
    pub docs_checked: i64,
}

#[allow(async_fn_in_trait)]
pub trait ReportStore {
    /// Sign-ins in [`from`, `to`) by OPD.
    async fn sign_ins_by_opd(&mut self, from: i64, to: i64) -> Result<Vec<OpdSignIns>, StoreError>;
    async fn sign_ins_by_application(&mut self, from: i64, to: i64) -> Result<Vec<AppSignIns>, StoreError>;
    /// Active accounts now, and how many have a second factor or a passkey.
    async fn factors_by_opd(&mut self) -> Result<Vec<OpdFactors>, StoreError>;
    async fn application_status(&mut self) -> Result<Vec<AppStatus>, StoreError>;
}

impl<T: Db> ReportStore for T {
    async fn sign_ins_by_opd(&mut self, from: i64, to: i64) -> Result<Vec<OpdSignIns>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SIGN_INS_BY_OPD).bind(from).bind(to).fetch_all(&mut *c).await)?)
    }

    async fn sign_ins_by_application(&mut self, from: i64, to: i64) -> Result<Vec<AppSignIns>, StoreError> {
        Ok(
            on_conn!(self, c => sqlx::query_as(sql::SIGN_INS_BY_APPLICATION).bind(from).bind(to).fetch_all(&mut *c).await)?,
        )
    }

    async fn factors_by_opd(&mut self) -> Result<Vec<OpdFactors>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::FACTORS_BY_OPD).fetch_all(&mut *c).await)?)
    }

    async fn application_status(&mut self) -> Result<Vec<AppStatus>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::APPLICATIONS).fetch_all(&mut *c).await)?)
    }
}
