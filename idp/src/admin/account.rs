//! Accounts seen from the admin module: search over a million accounts (exact NIP or NIK, or a
//! name prefix), and the agency (OPD) and roles of an account.

use gerbang_core::store::{AccountKind, AccountStore, now_unix};
use serde::Deserialize;

use super::stewardship::{STEWARD_ROLE, account_error};
use super::{Admin, AdminError, PAGE, Principal, Role, finish};
use crate::accounts::{AccountListItem, AccountView, ROLES};

/// Roles an administrator grants by hand (stewardship follows appointments).
pub fn grantable_roles() -> impl Iterator<Item = &'static str> {
    ROLES.iter().copied().filter(|r| *r != STEWARD_ROLE)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccountInput {
    /// Empty: no OPD. Required, like `roles`: a PUT replaces both, and a field left out by
    /// mistake must not silently remove an OPD or every role.
    pub opd_id: String,
    pub roles: Vec<String>,
}

impl Admin {
    pub async fn search_accounts(
        &self,
        who: &Principal,
        q: &str,
        after_key: &str,
        after_id: &str,
    ) -> Result<Vec<AccountListItem>, AdminError> {
        who.require_reader()?;
        self.accounts.search(q, after_key, after_id, PAGE).await.map_err(account_error)
    }

    pub async fn account(&self, who: &Principal, id: &str) -> Result<AccountView, AdminError> {
        who.require_reader()?;
        match self.accounts.view(id).await {
            Ok(v) => Ok(v),
            Err(crate::accounts::AccountError::NotFound) => Err(AdminError::NotFound),
            Err(e) => Err(account_error(e)),
        }
    }

    /// Sets the OPD (ASN only) and the hand-granted roles of an account.
    pub async fn update_account(&self, who: &Principal, id: &str, input: &AccountInput) -> Result<(), AdminError> {
        who.require(Role::Admin)?;
        let opd = match input.opd_id.trim() {
            "" => None,
            opd => Some(self.active_opd("opd_id", opd).await?),
        };
        let mut wanted: Vec<String> = Vec::new();
        for r in &input.roles {
            if !grantable_roles().any(|g| g == r) {
                return Err(AdminError::invalid(
                    "roles",
                    format!("Peran tidak dikenal: {r}"),
                    format!("Unknown role: {r}"),
                ));
            }
            if !wanted.contains(r) {
                wanted.push(r.clone());
            }
        }
        if id == who.id() && !wanted.iter().any(|r| r == Role::Admin.as_str()) {
            return Err(AdminError::invalid(
                "roles",
                "Anda tidak dapat mencabut peran admin Anda sendiri.",
                "You cannot remove your own admin role.",
            ));
        }
        let now = now_unix();
        let mut tx = self.begin().await?;
        let account = tx.account(id).await?.ok_or(AdminError::NotFound)?;
        if opd.is_some() && account.kind != AccountKind::Asn {
            return Err(AdminError::invalid(
                "opd_id",
                "Hanya akun ASN yang memiliki OPD.",
                "Only ASN accounts belong to an OPD.",
            ));
        }
        let before_roles = tx.roles(id).await?;
        for r in grantable_roles() {
            let has = before_roles.iter().any(|b| b == r);
            let want = wanted.iter().any(|w| w == r);
            if want && !has {
                tx.add_role(id, r).await?;
            } else if has && !want {
                tx.remove_role(id, r).await?;
            }
        }
        tx.set_account_opd(id, opd.as_deref(), now).await?;
        let detail = serde_json::json!({ "before": { "opd": account.opd_id, "roles": before_roles },
            "after": { "opd": opd, "roles": wanted } });
        // Account records are audited under the bare account id, like the account service's own.
        finish(tx, who, "account.admin_update", id, detail).await
    }
}
