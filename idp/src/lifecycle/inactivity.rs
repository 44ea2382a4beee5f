//! Unused accounts: after `accounts.disable_inactive_after_days` without a sign-in, the proven
//! contacts get a notice; `inactivity_notice_days` later, if nobody signed in, the account is
//! disabled (its sessions and tokens end). Run by the IdP's upkeep task.

use gerbang_core::store::{AccountStatus, LifecycleStore};

use super::{Lifecycle, LifecycleError};
use crate::accounts::{Actor, DisabledBy};
use crate::notify::text;

/// Accounts handled per sweep; the next sweep takes the rest.
const BATCH: i64 = 200;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sweep {
    pub noticed: usize,
    pub disabled: usize,
}

impl Lifecycle {
    /// One pass at time `now` (Unix seconds).
    pub async fn sweep_inactive(&self, now: i64) -> Result<Sweep, LifecycleError> {
        let days = self.inactivity.disable_inactive_after_days;
        if days == 0 {
            return Ok(Sweep::default());
        }
        let notice_days = self.inactivity.inactivity_notice_days;
        let mut sweep = Sweep::default();
        let mut tx = self.store.begin().await?;
        tx.clear_answered_notices().await?;
        let to_notice = tx.inactive_accounts(now - i64::from(days) * 86_400, BATCH).await?;
        for id in &to_notice {
            tx.set_inactivity_notice(id, Some(now)).await?;
        }
        let to_disable = tx.notice_expired_accounts(now - i64::from(notice_days) * 86_400, BATCH).await?;
        tx.commit().await?;
        let until = crate::wib::date(now + i64::from(notice_days) * 86_400);
        for id in &to_notice {
            self.tell_account(id, || text::inactivity_notice(Self::default_lang(), days, &until)).await?;
            sweep.noticed += 1;
        }
        for id in &to_disable {
            if self
                .accounts
                .change_status(id, AccountStatus::Disabled, DisabledBy::Inactivity, Actor("inactivity"))
                .await?
            {
                sweep.disabled += 1;
            }
        }
        if sweep != Sweep::default() {
            tracing::info!(noticed = sweep.noticed, disabled = sweep.disabled, "inactive accounts swept");
        }
        Ok(sweep)
    }
}
