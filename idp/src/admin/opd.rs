//! The OPD register: the city's agencies, to which accounts and applications belong.

use gerbang_core::store::{Cursor, OpdRecord, RegisterStore, name_key, now_unix};
use serde::Deserialize;

use super::{Admin, AdminError, PAGE, Principal, Role, change, finish, target, validate};

pub const KINDS: &[&str] = &["sekretariat", "dinas", "badan", "kecamatan", "kelurahan", "rsud", "uptd", "lainnya"];
pub const STATUSES: &[&str] = &["active", "retired"];

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OpdInput {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub status: String,
}

impl Admin {
    pub async fn opds(&self, who: &Principal, q: &str, after: &Cursor) -> Result<Vec<OpdRecord>, AdminError> {
        who.require_reader()?;
        Ok(self.store.conn().await?.search_opds(&name_key(q), after, PAGE).await?)
    }

    /// Every OPD, for choosers (any signed-in role may see the names).
    pub async fn all_opds(&self) -> Result<Vec<OpdRecord>, AdminError> {
        Ok(gerbang_core::store::all_opds(&mut self.store.conn().await?).await?)
    }

    pub async fn opd(&self, who: &Principal, id: &str) -> Result<OpdRecord, AdminError> {
        who.require_reader()?;
        self.store.conn().await?.opd(id).await?.ok_or(AdminError::NotFound)
    }

    pub async fn create_opd(&self, who: &Principal, input: &OpdInput) -> Result<OpdRecord, AdminError> {
        who.require(Role::Admin)?;
        let now = now_unix();
        let record = opd_record(validate::id("id", &input.id)?, input, now)?;
        let mut tx = self.begin().await?;
        tx.insert_opd(&record).await.map_err(|e| {
            if e.is_conflict() {
                AdminError::conflict("id", "Kode OPD ini sudah dipakai.", "This OPD code is taken.")
            } else {
                e.into()
            }
        })?;
        finish(tx, who, "register.opd.create", &target("opd", &record.id), serde_json::json!({ "after": record }))
            .await?;
        Ok(record)
    }

    pub async fn update_opd(&self, who: &Principal, id: &str, input: &OpdInput) -> Result<OpdRecord, AdminError> {
        who.require(Role::Admin)?;
        let mut tx = self.begin().await?;
        let before = tx.opd(id).await?.ok_or(AdminError::NotFound)?;
        let mut after = opd_record(before.id.clone(), input, now_unix())?;
        after.created_at = before.created_at;
        tx.update_opd(&after).await?;
        finish(tx, who, "register.opd.update", &target("opd", id), change(&before, &after)).await?;
        Ok(after)
    }
}

fn opd_record(id: String, input: &OpdInput, now: i64) -> Result<OpdRecord, AdminError> {
    let name = validate::name("name", &input.name)?;
    let status =
        if input.status.is_empty() { "active".into() } else { validate::choice("status", &input.status, STATUSES)? };
    Ok(OpdRecord {
        id,
        name_key: name_key(&name),
        name,
        kind: validate::choice("kind", &input.kind, KINDS)?,
        status,
        created_at: now,
        updated_at: now,
    })
}
