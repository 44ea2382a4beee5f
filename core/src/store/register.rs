//! `RegisterStore`: the city's registers (Pasal 5, 7-12): OPDs, applications with their
//! documentation, domains, networks, data groups with their stewards, and which group owns which
//! claim. Rules (what is valid, who may change what) live in the IdP's admin service.

use sqlx::FromRow;

use super::account::{prefix_end, seek_cursor};
use super::sql::register as sql;
use super::{Db, StoreError, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, FromRow, serde::Serialize)]
pub struct OpdRecord {
    pub id: String,
    pub name: String,
    /// `sekretariat`, `dinas`, `badan`, `kecamatan`, `kelurahan`, `rsud`, `uptd` or `lainnya`.
    pub kind: String,
    /// `active` or `retired`.
    pub status: String,
    #[serde(skip)]
    pub name_key: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, serde::Serialize)]
pub struct ApplicationRecord {
    pub id: String,
    pub name: String,
    /// `umum` or `khusus` (Pasal 7(1)).
    pub kind: String,
    pub opd_id: String,
    /// `apbd`, `apbd_provinsi`, `apbn`, `hibah`, `pinjaman_daerah` or `lainnya`.
    pub funding: String,
    pub funding_note: String,
    /// Pasal 8(3): the copyright belongs to the city.
    pub city_copyright: bool,
    /// Pasal 7(5): `planned`, `integrating`, `live` or `retired`.
    pub onboarding: String,
    pub url: String,
    pub description: String,
    #[serde(skip)]
    pub name_key: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One item of the documentation checklist (Pasal 8(2)); the file body is read separately.
#[derive(Debug, Clone, PartialEq, Eq, FromRow, serde::Serialize)]
pub struct AppDocRecord {
    pub application_id: String,
    pub item: String,
    pub link: Option<String>,
    pub file_name: Option<String>,
    #[serde(serialize_with = "hex_opt")]
    pub file_sha256: Option<Vec<u8>>,
    pub checked_by: Option<String>,
    pub checked_at: Option<i64>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, serde::Serialize)]
pub struct DomainRecord {
    pub name: String,
    pub opd_id: Option<String>,
    pub decree_number: String,
    /// `YYYY-MM-DD`.
    pub decree_date: String,
    /// `active` or `retired`.
    pub status: String,
    pub note: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, serde::Serialize)]
pub struct NetworkRecord {
    pub id: String,
    pub name: String,
    pub opd_id: String,
    /// One CIDR range per line.
    pub cidrs: String,
    /// Counts as a registered city network for levels with `city_network = true`.
    pub city: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, serde::Serialize)]
pub struct DataGroupRecord {
    pub id: String,
    /// The letter of Pasal 12(4).
    pub letter: String,
    pub name: String,
    pub steward_id: Option<String>,
    pub decree_ref: String,
    pub appointed_at: Option<i64>,
    pub updated_at: i64,
}

/// Where a listing resumes: the last row seen, by its sort key and id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub id: String,
}

#[allow(async_fn_in_trait)]
pub trait RegisterStore {
    async fn insert_opd(&mut self, r: &OpdRecord) -> Result<(), StoreError>;
    async fn update_opd(&mut self, r: &OpdRecord) -> Result<bool, StoreError>;
    async fn opd(&mut self, id: &str) -> Result<Option<OpdRecord>, StoreError>;
    async fn search_opds(&mut self, prefix: &str, after: &Cursor, limit: i64) -> Result<Vec<OpdRecord>, StoreError>;

    async fn insert_application(&mut self, r: &ApplicationRecord) -> Result<(), StoreError>;
    async fn update_application(&mut self, r: &ApplicationRecord) -> Result<bool, StoreError>;
    async fn application(&mut self, id: &str) -> Result<Option<ApplicationRecord>, StoreError>;
    /// `opd` empty means every OPD.
    async fn search_applications(
        &mut self,
        prefix: &str,
        opd: &str,
        after: &Cursor,
        limit: i64,
    ) -> Result<Vec<ApplicationRecord>, StoreError>;
    async fn application_docs(&mut self, app: &str) -> Result<Vec<AppDocRecord>, StoreError>;
    /// Sets an item to a link (clearing any file and its check).
    async fn set_doc_link(&mut self, app: &str, item: &str, link: &str, now: i64) -> Result<(), StoreError>;
    /// Sets an item to an uploaded file (clearing any link and its check).
    async fn set_doc_file(
        &mut self,
        app: &str,
        item: &str,
        name: &str,
        sha256: &[u8],
        data: &[u8],
        now: i64,
    ) -> Result<(), StoreError>;
    async fn check_doc(&mut self, app: &str, item: &str, by: &str, now: i64) -> Result<bool, StoreError>;
    async fn doc_file(&mut self, app: &str, item: &str) -> Result<Option<(String, Vec<u8>)>, StoreError>;

    async fn insert_domain(&mut self, r: &DomainRecord) -> Result<(), StoreError>;
    async fn update_domain(&mut self, r: &DomainRecord) -> Result<bool, StoreError>;
    async fn domain(&mut self, name: &str) -> Result<Option<DomainRecord>, StoreError>;
    async fn search_domains(&mut self, prefix: &str, after: &str, limit: i64) -> Result<Vec<DomainRecord>, StoreError>;
    async fn active_domain_names(&mut self) -> Result<Vec<String>, StoreError>;

    async fn insert_network(&mut self, r: &NetworkRecord) -> Result<(), StoreError>;
    async fn update_network(&mut self, r: &NetworkRecord) -> Result<bool, StoreError>;
    async fn delete_network(&mut self, id: &str) -> Result<bool, StoreError>;
    async fn network(&mut self, id: &str) -> Result<Option<NetworkRecord>, StoreError>;
    async fn list_networks(&mut self, after: &str, limit: i64) -> Result<Vec<NetworkRecord>, StoreError>;

    async fn data_groups(&mut self) -> Result<Vec<DataGroupRecord>, StoreError>;
    async fn data_group(&mut self, id: &str) -> Result<Option<DataGroupRecord>, StoreError>;
    async fn set_steward(
        &mut self,
        group: &str,
        steward: Option<&str>,
        decree_ref: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
    async fn groups_of_steward(&mut self, account: &str) -> Result<Vec<DataGroupRecord>, StoreError>;
    /// (claim, data group) pairs.
    async fn claim_groups(&mut self) -> Result<Vec<(String, String)>, StoreError>;
}

impl<T: Db> RegisterStore for T {
    async fn insert_opd(&mut self, r: &OpdRecord) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_OPD)
            .bind(&r.id).bind(&r.name).bind(&r.kind).bind(&r.status).bind(&r.name_key).bind(r.created_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn update_opd(&mut self, r: &OpdRecord) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::UPDATE_OPD)
            .bind(&r.id).bind(&r.name).bind(&r.kind).bind(&r.status).bind(&r.name_key).bind(r.updated_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn opd(&mut self, id: &str) -> Result<Option<OpdRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_OPD).bind(id).fetch_optional(&mut *c).await)?)
    }

    async fn search_opds(&mut self, prefix: &str, after: &Cursor, limit: i64) -> Result<Vec<OpdRecord>, StoreError> {
        let (after_key, after_id) = seek_cursor(prefix, &after.key, &after.id);
        Ok(on_conn!(self, c => sqlx::query_as(sql::SEARCH_OPDS)
            .bind(prefix).bind(prefix_end(prefix)).bind(after_key).bind(after_id).bind(limit)
            .fetch_all(&mut *c).await)?)
    }

    async fn insert_application(&mut self, r: &ApplicationRecord) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_APPLICATION)
            .bind(&r.id).bind(&r.name).bind(&r.kind).bind(&r.opd_id).bind(&r.funding).bind(&r.funding_note)
            .bind(r.city_copyright).bind(&r.onboarding).bind(&r.url).bind(&r.description).bind(&r.name_key)
            .bind(r.created_at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn update_application(&mut self, r: &ApplicationRecord) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::UPDATE_APPLICATION)
            .bind(&r.id).bind(&r.name).bind(&r.kind).bind(&r.opd_id).bind(&r.funding).bind(&r.funding_note)
            .bind(r.city_copyright).bind(&r.onboarding).bind(&r.url).bind(&r.description).bind(&r.name_key)
            .bind(r.updated_at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn application(&mut self, id: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_APPLICATION).bind(id).fetch_optional(&mut *c).await)?)
    }

    async fn search_applications(
        &mut self,
        prefix: &str,
        opd: &str,
        after: &Cursor,
        limit: i64,
    ) -> Result<Vec<ApplicationRecord>, StoreError> {
        let (after_key, after_id) = seek_cursor(prefix, &after.key, &after.id);
        Ok(on_conn!(self, c => sqlx::query_as(sql::SEARCH_APPLICATIONS)
            .bind(prefix).bind(prefix_end(prefix)).bind(after_key).bind(after_id).bind(limit).bind(opd)
            .fetch_all(&mut *c).await)?)
    }

    async fn application_docs(&mut self, app: &str) -> Result<Vec<AppDocRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_DOCS).bind(app).fetch_all(&mut *c).await)?)
    }

    async fn set_doc_link(&mut self, app: &str, item: &str, link: &str, now: i64) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::UPSERT_DOC_LINK).bind(app).bind(item).bind(link).bind(now)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn set_doc_file(
        &mut self,
        app: &str,
        item: &str,
        name: &str,
        sha256: &[u8],
        data: &[u8],
        now: i64,
    ) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::UPSERT_DOC_FILE).bind(app).bind(item).bind(name).bind(sha256)
            .bind(data).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn check_doc(&mut self, app: &str, item: &str, by: &str, now: i64) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::CHECK_DOC).bind(app).bind(item).bind(by).bind(now)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn doc_file(&mut self, app: &str, item: &str) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        Ok(
            on_conn!(self, c => sqlx::query_as(sql::SELECT_DOC_FILE).bind(app).bind(item).fetch_optional(&mut *c).await)?,
        )
    }

    async fn insert_domain(&mut self, r: &DomainRecord) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_DOMAIN)
            .bind(&r.name).bind(&r.opd_id).bind(&r.decree_number).bind(&r.decree_date).bind(&r.status)
            .bind(&r.note).bind(r.created_at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn update_domain(&mut self, r: &DomainRecord) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::UPDATE_DOMAIN)
            .bind(&r.name).bind(&r.opd_id).bind(&r.decree_number).bind(&r.decree_date).bind(&r.status)
            .bind(&r.note).bind(r.updated_at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn domain(&mut self, name: &str) -> Result<Option<DomainRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_DOMAIN).bind(name).fetch_optional(&mut *c).await)?)
    }

    async fn search_domains(&mut self, prefix: &str, after: &str, limit: i64) -> Result<Vec<DomainRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SEARCH_DOMAINS)
            .bind(prefix).bind(prefix_end(prefix)).bind(after).bind(limit).fetch_all(&mut *c).await)?)
    }

    async fn active_domain_names(&mut self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            on_conn!(self, c => sqlx::query_as(sql::ACTIVE_DOMAIN_NAMES).fetch_all(&mut *c).await)?;
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }

    async fn insert_network(&mut self, r: &NetworkRecord) -> Result<(), StoreError> {
        on_conn!(self, c => sqlx::query(sql::INSERT_NETWORK)
            .bind(&r.id).bind(&r.name).bind(&r.opd_id).bind(&r.cidrs).bind(r.city).bind(r.created_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn update_network(&mut self, r: &NetworkRecord) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::UPDATE_NETWORK)
            .bind(&r.id).bind(&r.name).bind(&r.opd_id).bind(&r.cidrs).bind(r.city).bind(r.updated_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn delete_network(&mut self, id: &str) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::DELETE_NETWORK).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn network(&mut self, id: &str) -> Result<Option<NetworkRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_NETWORK).bind(id).fetch_optional(&mut *c).await)?)
    }

    async fn list_networks(&mut self, after: &str, limit: i64) -> Result<Vec<NetworkRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::LIST_NETWORKS).bind(after).bind(limit).fetch_all(&mut *c).await)?)
    }

    async fn data_groups(&mut self) -> Result<Vec<DataGroupRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::LIST_GROUPS).fetch_all(&mut *c).await)?)
    }

    async fn data_group(&mut self, id: &str) -> Result<Option<DataGroupRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::SELECT_GROUP).bind(id).fetch_optional(&mut *c).await)?)
    }

    async fn set_steward(
        &mut self,
        group: &str,
        steward: Option<&str>,
        decree_ref: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let n = on_conn!(self, c => sqlx::query(sql::SET_STEWARD).bind(group).bind(steward).bind(decree_ref).bind(now)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn groups_of_steward(&mut self, account: &str) -> Result<Vec<DataGroupRecord>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::GROUPS_OF_STEWARD).bind(account).fetch_all(&mut *c).await)?)
    }

    async fn claim_groups(&mut self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_conn!(self, c => sqlx::query_as(sql::LIST_CLAIM_GROUPS).fetch_all(&mut *c).await)?)
    }
}

fn hex_opt<S: serde::Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_some(&b.iter().map(|x| format!("{x:02x}")).collect::<String>()),
        None => s.serialize_none(),
    }
}

/// Every OPD, in name order, read page by page.
pub async fn all_opds(db: &mut impl Db) -> Result<Vec<OpdRecord>, StoreError> {
    let (mut out, mut after) = (Vec::new(), Cursor::default());
    loop {
        let page = db.search_opds("", &after, 500).await?;
        let Some(last) = page.last() else { return Ok(out) };
        after = Cursor { key: last.name_key.clone(), id: last.id.clone() };
        out.extend(page);
    }
}
