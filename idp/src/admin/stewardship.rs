//! Data groups and their stewards (Pasal 12(4)-(7)): the twenty database groups, the Wali Data the
//! mayor appoints to each (an ASN account, with the decree), and which claims belong to which
//! group, so each steward decides the release of their group's claims.

use gerbang_core::store::{AccountStore, DataGroupRecord, RegisterStore, now_unix};
use serde::Deserialize;

use super::{Admin, AdminError, Principal, Role, finish, target, validate};
use crate::accounts::Identity;

/// The account role that marks a steward (kept in step with the appointments).
pub const STEWARD_ROLE: &str = "wali_data";

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StewardInput {
    /// NIP of the ASN appointed; empty ends the appointment.
    #[serde(default)]
    pub steward_nip: String,
    /// The mayoral decree (Keputusan Walikota) of the appointment.
    #[serde(default)]
    pub decree_ref: String,
}

impl Admin {
    /// The groups, for the register and for stewards (each sees the list).
    pub async fn data_groups(&self, who: &Principal) -> Result<Vec<DataGroupRecord>, AdminError> {
        if !who.is_steward() {
            who.require_reader()?;
        }
        Ok(self.store.conn().await?.data_groups().await?)
    }

    pub async fn data_group(&self, who: &Principal, id: &str) -> Result<DataGroupRecord, AdminError> {
        if !who.stewards_group(id) {
            who.require_reader()?;
        }
        self.store.conn().await?.data_group(id).await?.ok_or(AdminError::NotFound)
    }

    /// (claim, group) pairs: which steward decides which claim.
    pub async fn claim_groups(&self) -> Result<Vec<(String, String)>, AdminError> {
        Ok(self.store.conn().await?.claim_groups().await?)
    }

    /// Appoints (or, with an empty NIP, removes) the steward of a group.
    pub async fn appoint_steward(
        &self,
        who: &Principal,
        group: &str,
        input: &StewardInput,
    ) -> Result<DataGroupRecord, AdminError> {
        who.require(Role::Admin)?;
        let steward = match input.steward_nip.trim() {
            "" => None,
            nip => {
                let identity = match Identity::parse(nip) {
                    Ok(i @ Identity::Nip(_)) => i,
                    _ => {
                        return Err(AdminError::invalid(
                            "steward_nip",
                            "Wali Data harus ASN: isi NIP 18 digit.",
                            "A steward must be an ASN: give an 18-digit NIP.",
                        ));
                    }
                };
                let account = self.accounts.find(&identity).await.map_err(account_error)?;
                match account {
                    Some(a) if a.status == gerbang_core::store::AccountStatus::Active => Some(a.id),
                    _ => {
                        return Err(AdminError::invalid(
                            "steward_nip",
                            "Tidak ada akun ASN aktif dengan NIP ini.",
                            "No active ASN account has this NIP.",
                        ));
                    }
                }
            }
        };
        let decree_ref = if steward.is_some() {
            validate::name("decree_ref", &input.decree_ref)?
        } else {
            validate::text("decree_ref", &input.decree_ref, validate::MAX_NAME)?
        };
        let now = now_unix();
        let mut tx = self.begin().await?;
        let before = tx.data_group(group).await?.ok_or(AdminError::NotFound)?;
        tx.set_steward(group, steward.as_deref(), &decree_ref, now).await?;
        if let Some(id) = &steward {
            tx.add_role(id, STEWARD_ROLE).await?;
        }
        // The previous steward keeps the role only while stewarding another group.
        if let Some(old) = before.steward_id.as_deref().filter(|o| Some(*o) != steward.as_deref())
            && tx.groups_of_steward(old).await?.is_empty()
        {
            tx.remove_role(old, STEWARD_ROLE).await?;
        }
        let after = tx.data_group(group).await?.ok_or(AdminError::NotFound)?;
        let detail = serde_json::json!({ "before": { "steward": before.steward_id, "decree_ref": before.decree_ref },
            "after": { "steward": after.steward_id, "decree_ref": after.decree_ref } });
        finish(tx, who, "register.data_group.steward", &target("data_group", group), detail).await?;
        Ok(after)
    }
}

pub(super) fn account_error(e: crate::accounts::AccountError) -> AdminError {
    match e {
        crate::accounts::AccountError::Store(s) => AdminError::Store(s),
        other => AdminError::invalid(
            "account",
            other.to_string(),
            gerbang_core::lang::Localized::message(&other, gerbang_core::lang::Lang::En),
        ),
    }
}
