//! `AccountStore`: accounts, their NIP and NIK records, roles and password credentials.

use sqlx::FromRow;

use super::sql::account as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// Aparatur Sipil Negara, keyed on NIP.
    Asn,
    /// Citizen, keyed on NIK.
    Warga,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Asn => "asn",
            AccountKind::Warga => "warga",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "asn" => Ok(AccountKind::Asn),
            "warga" => Ok(AccountKind::Warga),
            other => Err(StoreError::Corrupt(format!("account kind {other:?}"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    Disabled,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Disabled => "disabled",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "active" => Ok(AccountStatus::Active),
            "disabled" => Ok(AccountStatus::Disabled),
            other => Err(StoreError::Corrupt(format!("account status {other:?}"))),
        }
    }
}

/// How well an account's identity is proven (the `identity_assurance` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Assurance {
    /// Claimed by its owner, not proven (self-registration).
    Terdaftar,
    /// Proven: the KTP-el checked in person, or made by an administrator or the HR system.
    Terverifikasi,
}

impl Assurance {
    pub fn as_str(self) -> &'static str {
        match self {
            Assurance::Terdaftar => "terdaftar",
            Assurance::Terverifikasi => "terverifikasi",
        }
    }

    pub fn parse(s: &str) -> Option<Assurance> {
        match s {
            "terdaftar" => Some(Assurance::Terdaftar),
            "terverifikasi" => Some(Assurance::Terverifikasi),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub kind: AccountKind,
    pub display_name: String,
    pub status: AccountStatus,
    pub assurance: Assurance,
    /// The agency (OPD) of an ASN.
    pub opd_id: Option<String>,
    /// Who disabled it (`hr`, `inactivity`, `admin`); `None` while active.
    pub disabled_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub kind: AccountKind,
    pub display_name: &'a str,
    pub opd_id: Option<&'a str>,
    pub assurance: Assurance,
    pub now: i64,
}

/// The search key of a name: trimmed and lower-case, compared bytewise (see migration 0006).
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The exclusive upper bound of the keys that start with `prefix`, for a range scan.
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// The keyset cursor `(key, id)` of a prefix search, moved up to the prefix when it lies before
/// it (the first page's empty cursor). Both bounds of the range then start at the prefix, so
/// whichever the query planner picks to seek the `(name_key, id)` index with, it seeks to the
/// prefix: with the empty cursor, SQLite seeked to the start and read every key below the
/// prefix (a first page cost 12 ms at 200 k accounts instead of 0.5 ms).
pub fn seek_cursor<'a>(prefix: &'a str, key: &'a str, id: &'a str) -> (&'a str, &'a str) {
    if key < prefix { (prefix, "") } else { (key, id) }
}

/// One row of an account listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub id: String,
    pub kind: AccountKind,
    pub display_name: String,
    pub status: AccountStatus,
    /// The current NIP of an ASN.
    pub nip: Option<String>,
    /// The sealed NIK of a citizen (open it with the NIK sealer, show it masked).
    pub nik_sealed: Option<Vec<u8>>,
    pub opd_id: Option<String>,
    /// The paging key of a name search.
    pub name_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct NipRecord {
    pub nip: String,
    pub jenis_pegawai: String,
    pub valid_from: i64,
    pub valid_to: Option<i64>,
}

#[derive(FromRow)]
struct AccountRow {
    id: String,
    kind: String,
    display_name: String,
    status: String,
    assurance: String,
    opd_id: Option<String>,
    disabled_by: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;
    fn try_from(r: AccountRow) -> Result<Self, StoreError> {
        Ok(Account {
            kind: AccountKind::parse(&r.kind)?,
            status: AccountStatus::parse(&r.status)?,
            assurance: Assurance::parse(&r.assurance)
                .ok_or_else(|| StoreError::Corrupt(format!("account assurance {:?}", r.assurance)))?,
            id: r.id,
            display_name: r.display_name,
            opd_id: r.opd_id,
            disabled_by: r.disabled_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(FromRow)]
struct SummaryRow {
    id: String,
    kind: String,
    display_name: String,
    status: String,
    nip: Option<String>,
    nik_sealed: Option<Vec<u8>>,
    opd_id: Option<String>,
    name_key: String,
}

#[allow(async_fn_in_trait)]
pub trait AccountStore {
    async fn insert_account(&mut self, account: &NewAccount<'_>) -> Result<(), StoreError>;
    async fn account(&mut self, id: &str) -> Result<Option<Account>, StoreError>;
    /// Returns false when no such account exists. `disabled_by` says why (kept while disabled).
    async fn set_status(
        &mut self,
        id: &str,
        status: AccountStatus,
        disabled_by: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError>;
    async fn set_display_name(&mut self, id: &str, name: &str, now: i64) -> Result<bool, StoreError>;
    /// Accounts with an id greater than `after`, in id order.
    async fn list_accounts(&mut self, after: &str, limit: i64) -> Result<Vec<AccountSummary>, StoreError>;
    /// Accounts whose name starts with `prefix` (a [`name_key`]), after the row (`after_key`,
    /// `after_id`), in name order.
    async fn search_accounts_by_name(
        &mut self,
        prefix: &str,
        after_key: &str,
        after_id: &str,
        limit: i64,
    ) -> Result<Vec<AccountSummary>, StoreError>;
    async fn set_account_opd(&mut self, id: &str, opd_id: Option<&str>, now: i64) -> Result<bool, StoreError>;
    async fn count_accounts(&mut self) -> Result<i64, StoreError>;

    async fn add_role(&mut self, id: &str, role: &str) -> Result<(), StoreError>;
    async fn remove_role(&mut self, id: &str, role: &str) -> Result<bool, StoreError>;
    async fn roles(&mut self, id: &str) -> Result<Vec<String>, StoreError>;

    async fn insert_nip(&mut self, id: &str, nip: &str, jenis: &str, now: i64) -> Result<(), StoreError>;
    /// Closes the account's current NIP record; returns how many were closed (0 or 1).
    async fn end_current_nip(&mut self, id: &str, now: i64) -> Result<u64, StoreError>;
    async fn account_by_nip(&mut self, nip: &str) -> Result<Option<String>, StoreError>;
    async fn nip_owners_ever(&mut self, nip: &str) -> Result<Vec<String>, StoreError>;
    /// Newest first; the current record has `valid_to = None`.
    async fn nip_history(&mut self, id: &str) -> Result<Vec<NipRecord>, StoreError>;

    async fn insert_nik(&mut self, id: &str, index: &[u8], sealed: &[u8]) -> Result<(), StoreError>;
    async fn account_by_nik_index(&mut self, index: &[u8]) -> Result<Option<String>, StoreError>;
    async fn nik_sealed(&mut self, id: &str) -> Result<Option<Vec<u8>>, StoreError>;

    async fn set_password(&mut self, id: &str, phc: &str, now: i64) -> Result<(), StoreError>;
    async fn password(&mut self, id: &str) -> Result<Option<String>, StoreError>;
}

impl<T: Db> AccountStore for T {
    async fn insert_account(&mut self, a: &NewAccount<'_>) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_ACCOUNT)
            .bind(a.id).bind(a.kind.as_str()).bind(a.display_name).bind("active").bind(a.now)
            .bind(name_key(a.display_name)).bind(a.opd_id).bind(a.assurance.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn account(&mut self, id: &str) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> =
            on_conn!(self, c => sqlx::query_as(sql::SELECT_ACCOUNT).bind(id).fetch_optional(&mut *c).await)?;
        row.map(Account::try_from).transpose()
    }

    async fn set_status(
        &mut self,
        id: &str,
        status: AccountStatus,
        disabled_by: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let disabled_by = disabled_by.filter(|_| status == AccountStatus::Disabled);
        let n = on_conn!(self, c => sqlx::query(sql::UPDATE_STATUS)
            .bind(id).bind(status.as_str()).bind(now).bind(disabled_by).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn set_display_name(&mut self, id: &str, name: &str, now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::UPDATE_NAME)
            .bind(id).bind(name).bind(now).bind(name_key(name)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn search_accounts_by_name(
        &mut self,
        prefix: &str,
        after_key: &str,
        after_id: &str,
        limit: i64,
    ) -> Result<Vec<AccountSummary>, StoreError> {
        let (after_key, after_id) = seek_cursor(prefix, after_key, after_id);
        let rows: Vec<SummaryRow> = on_conn!(self, c => sqlx::query_as(sql::SEARCH_BY_NAME)
            .bind(prefix).bind(prefix_end(prefix)).bind(after_key).bind(after_id).bind(limit)
            .fetch_all(&mut *c).await)?;
        rows.into_iter().map(summary).collect()
    }

    async fn set_account_opd(&mut self, id: &str, opd_id: Option<&str>, now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::UPDATE_OPD)
            .bind(id).bind(opd_id).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn list_accounts(&mut self, after: &str, limit: i64) -> Result<Vec<AccountSummary>, StoreError> {
        let rows: Vec<SummaryRow> = on_conn!(self, c => sqlx::query_as(sql::LIST_ACCOUNTS)
            .bind(after).bind(limit).fetch_all(&mut *c).await)?;
        rows.into_iter().map(summary).collect()
    }

    async fn count_accounts(&mut self) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_conn!(self, c => sqlx::query_as(sql::COUNT_ACCOUNTS).fetch_one(&mut *c).await)?;
        Ok(n)
    }

    async fn add_role(&mut self, id: &str, role: &str) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_ROLE).bind(id).bind(role).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn remove_role(&mut self, id: &str, role: &str) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::DELETE_ROLE).bind(id).bind(role).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn roles(&mut self, id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            on_conn!(self, c => sqlx::query_as(sql::SELECT_ROLES).bind(id).fetch_all(&mut *c).await)?;
        Ok(rows.into_iter().map(|(r,)| r).collect())
    }

    async fn insert_nip(&mut self, id: &str, nip: &str, jenis: &str, now: i64) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_NIP)
            .bind(id).bind(nip).bind(jenis).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn end_current_nip(&mut self, id: &str, now: i64) -> Result<u64, StoreError> {
        Ok(on_conn!(self, c => sqlx::query(sql::END_CURRENT_NIP)
            .bind(id).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?)
    }

    async fn account_by_nip(&mut self, nip: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_conn!(self, c => sqlx::query_as(sql::SELECT_CURRENT_NIP_OWNER)
            .bind(nip).fetch_optional(&mut *c).await)?;
        Ok(row.map(|(id,)| id))
    }

    async fn nip_owners_ever(&mut self, nip: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_conn!(self, c => sqlx::query_as(sql::SELECT_NIP_OWNERS_EVER)
            .bind(nip).fetch_all(&mut *c).await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn nip_history(&mut self, id: &str) -> Result<Vec<NipRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_NIP_HISTORY).bind(id).fetch_all(&mut *c).await)?)
    }

    async fn insert_nik(&mut self, id: &str, index: &[u8], sealed: &[u8]) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_NIK)
            .bind(id).bind(index).bind(sealed).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn account_by_nik_index(&mut self, index: &[u8]) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_conn!(self, c => sqlx::query_as(sql::SELECT_NIK_OWNER)
            .bind(index).fetch_optional(&mut *c).await)?;
        Ok(row.map(|(id,)| id))
    }

    async fn nik_sealed(&mut self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(Vec<u8>,)> = on_conn!(self, c => sqlx::query_as(sql::SELECT_NIK_SEALED)
            .bind(id).fetch_optional(&mut *c).await)?;
        Ok(row.map(|(b,)| b))
    }

    async fn set_password(&mut self, id: &str, phc: &str, now: i64) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::UPSERT_PASSWORD)
            .bind(id).bind(phc).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn password(&mut self, id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_conn!(self, c => sqlx::query_as(sql::SELECT_PASSWORD)
            .bind(id).fetch_optional(&mut *c).await)?;
        Ok(row.map(|(p,)| p))
    }
}

fn summary(r: SummaryRow) -> Result<AccountSummary, StoreError> {
    Ok(AccountSummary {
        kind: AccountKind::parse(&r.kind)?,
        status: AccountStatus::parse(&r.status)?,
        id: r.id,
        display_name: r.display_name,
        nip: r.nip,
        nik_sealed: r.nik_sealed,
        opd_id: r.opd_id,
        name_key: r.name_key,
    })
}

#[cfg(test)]
mod seek_tests {
    use super::seek_cursor;

    #[test]
    fn the_first_page_seeks_to_the_prefix_and_later_pages_to_their_cursor() {
        assert_eq!(seek_cursor("nur", "", ""), ("nur", ""), "an empty cursor starts at the prefix");
        assert_eq!(seek_cursor("nur", "ahmad", "x"), ("nur", ""), "a cursor before the prefix too");
        assert_eq!(seek_cursor("nur", "nur", "id9"), ("nur", "id9"), "a name equal to the prefix keeps its id");
        assert_eq!(seek_cursor("nur", "nur saputra", "id1"), ("nur saputra", "id1"));
    }
}
