//! `LifecycleStore`: how accounts arrive, are proven and leave — identity assurance and its
//! events, contacts, pending self-registrations, one-time codes, spent proof-of-work challenges
//! and inactivity notices.

use sqlx::FromRow;

use super::account::Assurance;
use super::sql::lifecycle as sql;
use super::{Db, StoreError, on_conn};

/// Who set an account's assurance, how, where and when.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AssuranceEvent {
    pub assurance: String,
    /// `loket` (KTP-el checked in person), `admin`, `simpeg` (HR import), `registrasi`.
    pub method: String,
    pub actor: String,
    pub place: String,
    pub note: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ContactRecord {
    /// `email` or `sms`.
    pub channel: String,
    pub address: String,
    pub verified_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PendingRegistration {
    pub id: String,
    pub nik_index: Vec<u8>,
    pub nik_sealed: Vec<u8>,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub phc: String,
    pub source_ip: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CodeRecord {
    pub id: String,
    /// `register`, `reset`, `activate`, `contact`.
    pub purpose: String,
    /// A pending registration's or an account's id.
    pub subject: String,
    pub channel: String,
    pub address: String,
    pub code_hash: Vec<u8>,
    pub attempts: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

#[allow(async_fn_in_trait)]
pub trait LifecycleStore {
    async fn set_assurance(&mut self, id: &str, assurance: Assurance, now: i64) -> Result<bool, StoreError>;
    async fn insert_assurance_event(&mut self, id: &str, event: &AssuranceEvent) -> Result<(), StoreError>;
    /// Newest first.
    async fn assurance_events(&mut self, id: &str) -> Result<Vec<AssuranceEvent>, StoreError>;

    async fn put_contact(&mut self, id: &str, contact: &ContactRecord) -> Result<(), StoreError>;
    async fn delete_contact(&mut self, id: &str, channel: &str) -> Result<(), StoreError>;
    async fn contacts(&mut self, id: &str) -> Result<Vec<ContactRecord>, StoreError>;

    async fn insert_pending(&mut self, p: &PendingRegistration) -> Result<(), StoreError>;
    /// The pending registration, unless it expired.
    async fn pending(&mut self, id: &str, now: i64) -> Result<Option<PendingRegistration>, StoreError>;
    async fn delete_pending(&mut self, id: &str) -> Result<(), StoreError>;

    async fn insert_code(&mut self, c: &CodeRecord) -> Result<(), StoreError>;
    async fn code(&mut self, id: &str) -> Result<Option<CodeRecord>, StoreError>;
    async fn latest_code(
        &mut self,
        subject: &str,
        purpose: &str,
        channel: &str,
    ) -> Result<Option<CodeRecord>, StoreError>;
    async fn count_codes_since(&mut self, subject: &str, purpose: &str, since: i64) -> Result<i64, StoreError>;
    /// Counts a wrong attempt; returns the attempts so far (None if the code is used or gone).
    async fn bump_code_attempts(&mut self, id: &str) -> Result<Option<i64>, StoreError>;
    /// Marks a code used; false when it was used already.
    async fn use_code(&mut self, id: &str, now: i64) -> Result<bool, StoreError>;
    async fn retire_codes(&mut self, subject: &str, purpose: &str, now: i64) -> Result<u64, StoreError>;

    /// Records a proof-of-work challenge as spent; false when it was spent already.
    async fn spend_challenge(&mut self, hash: &[u8], expires_at: i64) -> Result<bool, StoreError>;

    async fn inactive_accounts(&mut self, since: i64, limit: i64) -> Result<Vec<String>, StoreError>;
    async fn notice_expired_accounts(&mut self, noticed_before: i64, limit: i64) -> Result<Vec<String>, StoreError>;
    async fn set_inactivity_notice(&mut self, id: &str, at: Option<i64>) -> Result<(), StoreError>;
    async fn clear_answered_notices(&mut self) -> Result<u64, StoreError>;

    /// Removes expired pending registrations, codes and challenges.
    async fn purge_lifecycle(&mut self, now: i64) -> Result<u64, StoreError>;
}

impl<T: Db> LifecycleStore for T {
    async fn set_assurance(&mut self, id: &str, assurance: Assurance, now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::UPDATE_ASSURANCE)
            .bind(id).bind(assurance.as_str()).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn insert_assurance_event(&mut self, id: &str, e: &AssuranceEvent) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_ASSURANCE_EVENT)
            .bind(id).bind(&e.assurance).bind(&e.method).bind(&e.actor).bind(&e.place).bind(&e.note).bind(e.at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn assurance_events(&mut self, id: &str) -> Result<Vec<AssuranceEvent>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_ASSURANCE_EVENTS).bind(id).fetch_all(&mut *c).await)?)
    }

    async fn put_contact(&mut self, id: &str, contact: &ContactRecord) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::UPSERT_CONTACT)
            .bind(id).bind(&contact.channel).bind(&contact.address).bind(contact.verified_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn delete_contact(&mut self, id: &str, channel: &str) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::DELETE_CONTACT).bind(id).bind(channel)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn contacts(&mut self, id: &str) -> Result<Vec<ContactRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_CONTACTS).bind(id).fetch_all(&mut *c).await)?)
    }

    async fn insert_pending(&mut self, p: &PendingRegistration) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_PENDING)
            .bind(&p.id).bind(&p.nik_index).bind(&p.nik_sealed).bind(&p.display_name).bind(&p.email)
            .bind(&p.phone).bind(&p.phc).bind(&p.source_ip).bind(p.created_at).bind(p.expires_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn pending(&mut self, id: &str, now: i64) -> Result<Option<PendingRegistration>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_PENDING).bind(id).bind(now).fetch_optional(&mut *c).await)?)
    }

    async fn delete_pending(&mut self, id: &str) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::DELETE_PENDING).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn insert_code(&mut self, r: &CodeRecord) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_CODE)
            .bind(&r.id).bind(&r.purpose).bind(&r.subject).bind(&r.channel).bind(&r.address).bind(&r.code_hash)
            .bind(r.created_at).bind(r.expires_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn code(&mut self, id: &str) -> Result<Option<CodeRecord>, StoreError> {
        let q = sql::select_code();
        Ok(on_conn!(self, c => sqlx::query_as(&q).bind(id).fetch_optional(&mut *c).await)?)
    }

    async fn latest_code(
        &mut self,
        subject: &str,
        purpose: &str,
        channel: &str,
    ) -> Result<Option<CodeRecord>, StoreError> {
        let q = sql::select_latest_code();
        Ok(on_conn!(self, c => sqlx::query_as(&q).bind(subject).bind(purpose).bind(channel)
            .fetch_optional(&mut *c).await)?)
    }

    async fn count_codes_since(&mut self, subject: &str, purpose: &str, since: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_conn!(self, c => sqlx::query_as(sql::COUNT_CODES_SINCE)
            .bind(subject).bind(purpose).bind(since).fetch_one(&mut *c).await)?;
        Ok(n)
    }

    async fn bump_code_attempts(&mut self, id: &str) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> =
            on_conn!(self, c => sqlx::query_as(sql::BUMP_CODE_ATTEMPTS).bind(id).fetch_optional(&mut *c).await)?;
        Ok(row.map(|(n,)| n))
    }

    async fn use_code(&mut self, id: &str, now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::USE_CODE).bind(id).bind(now)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn retire_codes(&mut self, subject: &str, purpose: &str, now: i64) -> Result<u64, StoreError> {
        Ok(on_conn!(self, c => sqlx::query(sql::RETIRE_CODES).bind(subject).bind(purpose).bind(now)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?)
    }

    async fn spend_challenge(&mut self, hash: &[u8], expires_at: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::SPEND_CHALLENGE).bind(hash).bind(expires_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn inactive_accounts(&mut self, since: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_conn!(self, c => sqlx::query_as(sql::SELECT_INACTIVE)
            .bind(since).bind(limit).fetch_all(&mut *c).await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn notice_expired_accounts(&mut self, noticed_before: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_conn!(self, c => sqlx::query_as(sql::SELECT_NOTICE_EXPIRED)
            .bind(noticed_before).bind(limit).fetch_all(&mut *c).await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn set_inactivity_notice(&mut self, id: &str, at: Option<i64>) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::SET_INACTIVITY_NOTICE).bind(id).bind(at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn clear_answered_notices(&mut self) -> Result<u64, StoreError> {
        Ok(
            on_conn!(self, c => sqlx::query(sql::CLEAR_ANSWERED_NOTICES).execute(&mut *c).await.map(|r| r.rows_affected()))?,
        )
    }

    async fn purge_lifecycle(&mut self, now: i64) -> Result<u64, StoreError> {
        let mut n = 0;
        for (q, at) in [(sql::PURGE_PENDING, now), (sql::PURGE_CODES, now - 86_400), (sql::PURGE_CHALLENGES, now)] {
            n += on_conn!(self, c => sqlx::query(q).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Ok(n)
    }
}
