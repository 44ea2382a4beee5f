//! The application register (Pasal 7-10): kind, owning OPD, funding source, the city's copyright
//! (Pasal 8(3)), SSO onboarding (Pasal 7(5)) and the documentation checklist of Pasal 8(2).

use gerbang_core::store::{AppDocRecord, ApplicationRecord, Cursor, RegisterStore, name_key, now_unix};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{Admin, AdminError, PAGE, Principal, Role, change, finish, target, validate};

pub const KINDS: &[&str] = &["umum", "khusus"];
pub const FUNDING: &[&str] = &["apbd", "apbd_provinsi", "apbn", "hibah", "pinjaman_daerah", "lainnya"];
pub const ONBOARDING: &[&str] = &["planned", "integrating", "live", "retired"];
/// Pasal 8(2): what a developer hands over with an application.
pub const DOC_ITEMS: &[&str] = &[
    "source_code",
    "user_requirements",
    "design",
    "testing",
    "installation_manual",
    "user_manual",
    "admin_manual",
    "metadata",
    "troubleshooting",
];
/// Largest uploaded document.
pub const MAX_DOC_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApplicationInput {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub opd_id: String,
    #[serde(default)]
    pub funding: String,
    #[serde(default)]
    pub funding_note: String,
    #[serde(default, deserialize_with = "super::validate::flag")]
    pub city_copyright: bool,
    #[serde(default)]
    pub onboarding: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub description: String,
}

/// A change to one documentation item (see `Admin::update_doc`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DocUpdate {
    #[serde(default)]
    pub link: String,
    /// (file name, bytes) of an upload; the API takes links only.
    #[serde(skip)]
    pub file: Option<(String, Vec<u8>)>,
    #[serde(default, deserialize_with = "super::validate::flag")]
    pub checked: bool,
}

impl Admin {
    pub async fn applications(
        &self,
        who: &Principal,
        q: &str,
        opd: &str,
        after: &Cursor,
    ) -> Result<Vec<ApplicationRecord>, AdminError> {
        // Developers read the register too: they register clients for these applications.
        if !who.has(Role::Developer) {
            who.require_reader()?;
        }
        Ok(self.store.conn().await?.search_applications(&name_key(q), opd, after, PAGE).await?)
    }

    /// Every application not retired, for the portal's chooser (any developer may see them).
    pub async fn open_applications(&self, who: &Principal) -> Result<Vec<ApplicationRecord>, AdminError> {
        if !(who.has(Role::Developer) || who.has(Role::Admin) || who.has(Role::Auditor)) {
            return Err(AdminError::Forbidden);
        }
        let mut db = self.store.conn().await?;
        let (mut out, mut after) = (Vec::new(), Cursor::default());
        loop {
            let page = db.search_applications("", "", &after, 500).await?;
            let Some(last) = page.last() else { break };
            after = Cursor { key: last.name_key.clone(), id: last.id.clone() };
            out.extend(page.into_iter().filter(|a| a.onboarding != "retired"));
        }
        Ok(out)
    }

    pub async fn application(&self, who: &Principal, id: &str) -> Result<ApplicationRecord, AdminError> {
        if !who.has(Role::Developer) {
            who.require_reader()?;
        }
        self.store.conn().await?.application(id).await?.ok_or(AdminError::NotFound)
    }

    pub async fn create_application(
        &self,
        who: &Principal,
        input: &ApplicationInput,
    ) -> Result<ApplicationRecord, AdminError> {
        who.require(Role::Admin)?;
        let record = self.application_record(validate::id("id", &input.id)?, input, now_unix()).await?;
        let mut tx = self.begin().await?;
        tx.insert_application(&record).await.map_err(|e| {
            if e.is_conflict() {
                AdminError::conflict("id", "Kode aplikasi ini sudah dipakai.", "This application code is taken.")
            } else {
                e.into()
            }
        })?;
        let detail = serde_json::json!({ "after": record });
        finish(tx, who, "register.application.create", &target("application", &record.id), detail).await?;
        Ok(record)
    }

    pub async fn update_application(
        &self,
        who: &Principal,
        id: &str,
        input: &ApplicationInput,
    ) -> Result<ApplicationRecord, AdminError> {
        who.require(Role::Admin)?;
        let mut after = self.application_record(id.to_string(), input, now_unix()).await?;
        let mut tx = self.begin().await?;
        let before = tx.application(id).await?.ok_or(AdminError::NotFound)?;
        after.created_at = before.created_at;
        tx.update_application(&after).await?;
        finish(tx, who, "register.application.update", &target("application", id), change(&before, &after)).await?;
        Ok(after)
    }

    pub async fn application_docs(&self, who: &Principal, id: &str) -> Result<Vec<AppDocRecord>, AdminError> {
        who.require_reader()?;
        let mut db = self.store.conn().await?;
        db.application(id).await?.ok_or(AdminError::NotFound)?;
        Ok(db.application_docs(id).await?)
    }

    /// Updates one checklist item in one transaction: a link or an uploaded file (one replaces
    /// the other), and/or the mark that `who` checked what was handed over. At least one of
    /// the three is needed; nothing is saved when any part is refused.
    pub async fn update_doc(
        &self,
        who: &Principal,
        app: &str,
        item: &str,
        change: &DocUpdate,
    ) -> Result<(), AdminError> {
        who.require(Role::Admin)?;
        let item = validate::choice("item", item, DOC_ITEMS)?;
        let link = validate::optional_url("link", &change.link)?;
        let file = match &change.file {
            Some((name, data)) => {
                let name = validate::name("file", name.rsplit(['/', '\\']).next().unwrap_or(name))?;
                if data.is_empty() || data.len() > MAX_DOC_BYTES {
                    return Err(AdminError::invalid(
                        "file",
                        format!("Berkas harus berisi dan paling besar {} MiB.", MAX_DOC_BYTES >> 20),
                        format!("The file must not be empty and at most {} MiB.", MAX_DOC_BYTES >> 20),
                    ));
                }
                Some((name, data))
            }
            None => None,
        };
        if !link.is_empty() && file.is_some() {
            return Err(AdminError::invalid(
                "link",
                "Isi tautan atau unggah berkas, bukan keduanya.",
                "Give a link or upload a file, not both.",
            ));
        }
        if link.is_empty() && file.is_none() && !change.checked {
            return Err(AdminError::invalid(
                "link",
                "Isi tautan, unggah berkas, atau tandai sudah diperiksa.",
                "Give a link, upload a file or mark the item as checked.",
            ));
        }
        let now = now_unix();
        let mut tx = self.begin().await?;
        tx.application(app).await?.ok_or(AdminError::NotFound)?;
        let mut detail = serde_json::json!({ "item": item });
        if !link.is_empty() {
            tx.set_doc_link(app, &item, &link, now).await?;
            detail["link"] = serde_json::json!(link);
        }
        if let Some((name, data)) = file {
            let sha = Sha256::digest(data).to_vec();
            tx.set_doc_file(app, &item, &name, &sha, data, now).await?;
            detail["file"] = serde_json::json!(name);
            detail["sha256"] = serde_json::json!(hex::encode(&sha));
            detail["bytes"] = serde_json::json!(data.len());
        }
        if change.checked {
            if !tx.check_doc(app, &item, who.id(), now).await? {
                return Err(AdminError::invalid(
                    "checked",
                    "Isi tautan atau unggah berkas dulu sebelum diperiksa.",
                    "Give a link or upload a file before checking the item.",
                ));
            }
            detail["checked"] = serde_json::json!(true);
        }
        finish(tx, who, "register.application.doc", &target("application", app), detail).await
    }

    pub async fn doc_file(&self, who: &Principal, app: &str, item: &str) -> Result<(String, Vec<u8>), AdminError> {
        who.require_reader()?;
        self.store.conn().await?.doc_file(app, item).await?.ok_or(AdminError::NotFound)
    }

    async fn application_record(
        &self,
        id: String,
        input: &ApplicationInput,
        now: i64,
    ) -> Result<ApplicationRecord, AdminError> {
        let name = validate::name("name", &input.name)?;
        let opd_id = self.active_opd("opd_id", &input.opd_id).await?;
        let funding = validate::choice("funding", &input.funding, FUNDING)?;
        let funding_note = validate::text("funding_note", &input.funding_note, validate::MAX_NAME)?;
        if funding == "lainnya" && funding_note.is_empty() {
            return Err(AdminError::invalid(
                "funding_note",
                "Sebutkan sumber dana lainnya.",
                "Name the other funding source.",
            ));
        }
        Ok(ApplicationRecord {
            id,
            name_key: name_key(&name),
            name,
            kind: validate::choice("kind", &input.kind, KINDS)?,
            opd_id,
            funding,
            funding_note,
            city_copyright: input.city_copyright,
            onboarding: if input.onboarding.is_empty() {
                "planned".into()
            } else {
                validate::choice("onboarding", &input.onboarding, ONBOARDING)?
            },
            url: validate::optional_url("url", &input.url)?,
            description: validate::text("description", &input.description, validate::MAX_TEXT)?,
            created_at: now,
            updated_at: now,
        })
    }

    /// An OPD that exists and is not retired.
    pub(super) async fn active_opd(&self, field: &'static str, id: &str) -> Result<String, AdminError> {
        match self.store.conn().await?.opd(id.trim()).await? {
            Some(o) if o.status == "active" => Ok(o.id),
            _ => {
                Err(AdminError::invalid(field, "OPD tidak dikenal atau sudah tidak aktif.", "Unknown or retired OPD."))
            }
        }
    }
}
