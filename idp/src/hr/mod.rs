//! Civil servants (ASN) from the HR system (SIMPEG/BKPSDM). Records arrive as a CSV file (the
//! admin upload and `gerbang asn import`) or one by one over SCIM; each is checked
//! ([`record`]), compared with the account of its NIP and applied ([`sync`]). A person who left
//! is deprovisioned at once: the account is disabled, every session and token ends, and every
//! application and the gateway get a back-channel logout (through the outbox).

pub mod import;
pub mod record;
pub mod sync;

use std::collections::HashSet;

use gerbang_core::lang::{Lang, Localized};
use gerbang_core::store::{Store, StoreError};

use crate::accounts::{AccountError, AccountService};
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
    pub async fn sync_one(
        &self,
        input: &StaffInput,
        actor: crate::accounts::Actor<'_>,
    ) -> Result<(String, Plan), HrError> {
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
}
