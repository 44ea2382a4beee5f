//! `StaffStore`: civil servants found by what an HR system filters on (NIP, status, OPD, name),
//! paged by position as SCIM asks (RFC 7644 §3.4.2.4).

use super::account::{AccountStatus, name_key, prefix_end};
use super::sql::staff as sql;
use super::{Db, StoreError, on_conn};

/// Criteria that must all hold; `None` matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffFilter {
    pub nip: Option<String>,
    pub status: Option<AccountStatus>,
    pub opd: Option<String>,
    /// The name starts with this (compared as a [`name_key`]).
    pub name_prefix: Option<String>,
    /// The name is this (compared as a [`name_key`]).
    pub name: Option<String>,
    pub id: Option<String>,
}

#[allow(async_fn_in_trait)]
pub trait StaffStore {
    /// Account ids in id order, `offset` rows in.
    async fn find_staff(&mut self, f: &StaffFilter, limit: i64, offset: i64) -> Result<Vec<String>, StoreError>;
    async fn count_staff(&mut self, f: &StaffFilter) -> Result<i64, StoreError>;
    async fn current_nip(&mut self, id: &str) -> Result<Option<String>, StoreError>;
}

struct Binds {
    nip: Option<String>,
    status: Option<&'static str>,
    opd: Option<String>,
    prefix: Option<String>,
    prefix_end: Option<String>,
    name: Option<String>,
    id: Option<String>,
}

fn binds(f: &StaffFilter) -> Binds {
    let prefix = f.name_prefix.as_deref().map(name_key);
    Binds {
        nip: f.nip.clone(),
        status: f.status.map(AccountStatus::as_str),
        opd: f.opd.clone(),
        prefix_end: prefix.as_deref().map(prefix_end),
        prefix,
        name: f.name.as_deref().map(name_key),
        id: f.id.clone(),
    }
}

impl<T: Db> StaffStore for T {
    async fn find_staff(&mut self, f: &StaffFilter, limit: i64, offset: i64) -> Result<Vec<String>, StoreError> {
        let b = binds(f);
        let query = sql::find_staff();
        let rows: Vec<(String,)> = on_conn!(self, c => sqlx::query_as(&query)
            .bind(&b.nip).bind(b.status).bind(&b.opd).bind(&b.prefix).bind(&b.prefix_end).bind(&b.name).bind(&b.id)
            .bind(limit).bind(offset).fetch_all(&mut *c).await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn count_staff(&mut self, f: &StaffFilter) -> Result<i64, StoreError> {
        let b = binds(f);
        let query = sql::count_staff();
        let (n,): (i64,) = on_conn!(self, c => sqlx::query_as(&query)
            .bind(&b.nip).bind(b.status).bind(&b.opd).bind(&b.prefix).bind(&b.prefix_end).bind(&b.name).bind(&b.id)
            .fetch_one(&mut *c).await)?;
        Ok(n)
    }

    async fn current_nip(&mut self, id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            on_conn!(self, c => sqlx::query_as(sql::CURRENT_NIP).bind(id).fetch_optional(&mut *c).await)?;
        Ok(row.map(|(n,)| n))
    }
}
