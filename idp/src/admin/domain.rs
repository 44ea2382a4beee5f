//! The domain register (Pasal 11): the city's domain and the OPD subdomains set by mayoral
//! decree. Client redirect URIs and gateway route hosts must lie on an active entry.

use gerbang_core::store::{DomainRecord, RegisterStore, now_unix};
use serde::Deserialize;

use super::{Admin, AdminError, PAGE, Principal, Role, change, finish, target, validate};

pub const STATUSES: &[&str] = &["active", "retired"];

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DomainInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub opd_id: String,
    #[serde(default)]
    pub decree_number: String,
    #[serde(default)]
    pub decree_date: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub note: String,
}

impl Admin {
    pub async fn domains(&self, who: &Principal, q: &str, after: &str) -> Result<Vec<DomainRecord>, AdminError> {
        who.require_reader()?;
        let prefix = q.trim().to_ascii_lowercase();
        Ok(self.store.conn().await?.search_domains(&prefix, after, PAGE).await?)
    }

    pub async fn domain(&self, who: &Principal, name: &str) -> Result<DomainRecord, AdminError> {
        who.require_reader()?;
        self.store.conn().await?.domain(name).await?.ok_or(AdminError::NotFound)
    }

    pub async fn create_domain(&self, who: &Principal, input: &DomainInput) -> Result<DomainRecord, AdminError> {
        who.require(Role::Admin)?;
        let name = validate::domain_name("name", &input.name)?;
        let record = self.domain_record(name, input, now_unix()).await?;
        let mut tx = self.begin().await?;
        tx.insert_domain(&record).await.map_err(|e| {
            if e.is_conflict() {
                AdminError::conflict("name", "Domain ini sudah terdaftar.", "This domain is registered already.")
            } else {
                e.into()
            }
        })?;
        let detail = serde_json::json!({ "after": record });
        finish(tx, who, "register.domain.create", &target("domain", &record.name), detail).await?;
        Ok(record)
    }

    pub async fn update_domain(
        &self,
        who: &Principal,
        name: &str,
        input: &DomainInput,
    ) -> Result<DomainRecord, AdminError> {
        who.require(Role::Admin)?;
        let mut after = self.domain_record(name.to_string(), input, now_unix()).await?;
        let mut tx = self.begin().await?;
        let before = tx.domain(name).await?.ok_or(AdminError::NotFound)?;
        after.created_at = before.created_at;
        tx.update_domain(&after).await?;
        finish(tx, who, "register.domain.update", &target("domain", name), change(&before, &after)).await?;
        Ok(after)
    }

    async fn domain_record(&self, name: String, input: &DomainInput, now: i64) -> Result<DomainRecord, AdminError> {
        let opd_id = match input.opd_id.trim() {
            "" => None,
            id => Some(self.active_opd("opd_id", id).await?),
        };
        Ok(DomainRecord {
            name,
            opd_id,
            decree_number: validate::name("decree_number", &input.decree_number)?,
            decree_date: validate::date("decree_date", &input.decree_date)?,
            status: if input.status.is_empty() {
                "active".into()
            } else {
                validate::choice("status", &input.status, STATUSES)?
            },
            note: validate::text("note", &input.note, validate::MAX_TEXT)?,
            created_at: now,
            updated_at: now,
        })
    }
}
