//! Civil servants (ASN) from the HR system (SIMPEG/BKPSDM). Records arrive as a CSV file (the
//! admin upload and `gerbang asn import`) or one by one over SCIM; each is checked
//! ([`record`]), compared with the account of its NIP and applied ([`sync`]). A person who left
//! is deprovisioned at once: the account is disabled, every session and token ends, and every
//! application and the gateway get a back-channel logout (through the outbox).

pub mod import;
pub mod record;
pub mod sync;

use std::collections::HashSet;

use gerbang_core::audit::{self, AuditEvent};
use gerbang_core::lang::{Lang, Localized};
use gerbang_core::store::{
    Account, AccountKind, AccountStatus, AccountStore, LifecycleStore, StaffFilter, StaffStore, Store, StoreError,
    now_unix,
};

use crate::accounts::{AccountError, AccountService, Actor};
pub use record::{RowError, StaffInput, StaffRecord};
pub use sync::{Note, Plan, Step};

#[derive(Clone)]
pub struct Hr {
    store: Store,
    accounts: AccountService,
}

#[derive(Debug, thiserror::Error)]
pub enum HrError {
    /// This record is refused; others go on.
    #[error("{}", .0.message(Lang::Id))]
    Row(RowError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl HrError {
    /// The refusal of one record, when this error is about the record (not the database).
    pub fn as_row(&self) -> Option<RowError> {
        match self {
            HrError::Row(r) => Some(r.clone()),
            HrError::Account(AccountError::NipTaken) => Some(RowError::Refused(AccountError::NipTaken.to_string())),
            HrError::Account(e @ (AccountError::EmptyName | AccountError::BadName { .. })) => {
                Some(RowError::Refused(e.to_string()))
            }
            _ => None,
        }
    }
}

impl Hr {
    pub fn new(store: Store, accounts: AccountService) -> Hr {
        Hr { store, accounts }
    }

    /// The codes of the active OPDs (what a record's OPD must be one of).
    pub async fn active_opds(&self) -> Result<HashSet<String>, StoreError> {
        let all = gerbang_core::store::all_opds(&mut self.store.conn().await?).await?;
        Ok(all.into_iter().filter(|o| o.status == "active").map(|o| o.id).collect())
    }

    /// Checks, plans and applies one record in its own transaction (SCIM). Returns the account
    /// id and what changed.
    pub async fn sync_one(&self, input: &StaffInput, actor: Actor<'_>) -> Result<(String, Plan), HrError> {
        let opds = self.active_opds().await?;
        let record = input.check(&opds).map_err(HrError::Row)?;
        let mut tx = self.store.begin().await?;
        let plan = self.plan(&mut tx, record).await?;
        let id = self.apply_in(&mut tx, &plan, actor).await?;
        tx.commit().await?;
        if plan.steps.contains(&Step::Disable) {
            self.accounts.logout_signal().owed();
        }
        Ok((id, plan))
    }

    /// A civil servant as the HR system sees them; `None` for a citizen or an unknown id.
    pub async fn staff(&self, id: &str) -> Result<Option<StaffView>, HrError> {
        let mut db = self.store.conn().await?;
        let Some(account) = db.account(id).await?.filter(|a| a.kind == AccountKind::Asn) else { return Ok(None) };
        let Some(nip) = db.current_nip(id).await? else { return Ok(None) };
        let contacts = db.contacts(id).await?;
        let contact = |ch: &str| contacts.iter().find(|c| c.channel == ch).map(|c| c.address.clone());
        Ok(Some(StaffView { email: contact("email"), phone: contact("sms"), account, nip }))
    }

    /// The civil servants matching `filter`: how many in all, and the page asked for.
    pub async fn find(&self, filter: &StaffFilter, limit: i64, offset: i64) -> Result<(i64, Vec<StaffView>), HrError> {
        let (total, ids) = {
            let mut db = self.store.conn().await?;
            (db.count_staff(filter).await?, db.find_staff(filter, limit, offset).await?)
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.staff(&id).await?);
        }
        Ok((total, out))
    }

    /// Moves a civil servant to an OPD (or out of any); returns false when nothing changed.
    pub async fn set_opd(&self, id: &str, opd: Option<&str>, actor: Actor<'_>) -> Result<bool, HrError> {
        if let Some(code) = opd
            && !self.active_opds().await?.contains(code)
        {
            return Err(HrError::Row(RowError::UnknownOpd(code.to_string())));
        }
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        let account = tx.account(id).await?.filter(|a| a.kind == AccountKind::Asn);
        let account = account.ok_or(HrError::Account(AccountError::NotFound))?;
        if account.opd_id.as_deref() == opd {
            return Ok(false);
        }
        tx.set_account_opd(id, opd, now).await?;
        let detail =
            serde_json::json!({ "source": "scim", "changed": { "opd_id": { "old": account.opd_id, "new": opd } } });
        audit::append(&mut tx, &AuditEvent { actor: actor.0, action: "account.hr_update", target: id, detail }, now)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// A civil servant: the account, the current NIP and the contacts.
#[derive(Debug, Clone)]
pub struct StaffView {
    pub account: Account,
    pub nip: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl StaffView {
    /// The record as input again, to change a field and sync it (SCIM PATCH).
    pub fn to_input(&self) -> StaffInput {
        StaffInput {
            nip: self.nip.clone(),
            name: self.account.display_name.clone(),
            opd: self.account.opd_id.clone().unwrap_or_default(),
            status: if self.account.status == AccountStatus::Active { "aktif" } else { "keluar" }.into(),
            email: self.email.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
        }
    }
}
