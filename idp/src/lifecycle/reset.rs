//! Forgotten password (and first activation of an account without one): a code goes to a proven
//! contact of the account; with it the person sets a new password. Every session and refresh
//! token of the account then ends, and every proven contact is told. Asking for a code answers
//! the same whether or not the NIP/NIK has an account with that contact.

use std::net::IpAddr;

use gerbang_core::lang::Lang;
use gerbang_core::store::{AccountStatus, LifecycleStore, SessionStore, now_unix};

use super::{Lifecycle, LifecycleError};
use crate::accounts::{Actor, Identity};
use crate::notify::{Channel, text};

const PURPOSE: &str = "reset";

/// A finished reset: the account, and how many sessions ended (their applications get
/// back-channel logouts from the outbox).
pub struct ResetDone {
    pub account_id: String,
    pub ended_sessions: u64,
}

impl Lifecycle {
    /// Sends a reset code to the account's proven contact on `channel`, if there is one; returns
    /// the request id either way (a decoy's when nothing was sent: it refuses every code alike).
    pub async fn start_reset(
        &self,
        identifier: &str,
        channel: &str,
        address: IpAddr,
        lang: Lang,
    ) -> Result<String, LifecycleError> {
        let identity = Identity::parse(identifier).map_err(LifecycleError::Identifier)?;
        let channel = Channel::parse(channel).filter(|c| self.messenger.offers(*c)).ok_or(LifecycleError::NoChannel)?;
        self.admit("reset", address).await?;
        let now = now_unix();
        let account = self.accounts.find(&identity).await?.filter(|a| a.status == AccountStatus::Active);
        let contact = match &account {
            Some(a) => self.proven_contacts(&a.id).await?.into_iter().find(|c| c.channel == channel.as_str()),
            None => None,
        };
        let mut tx = self.store.begin().await?;
        let (Some(account), Some(contact)) = (account, contact) else {
            // Nothing to send: a request that behaves like a real one, so nothing tells them apart.
            let decoy = self.codes.issue_decoy(&mut tx, PURPOSE, channel, now).await?;
            tx.commit().await?;
            return Ok(decoy);
        };
        if self.codes.may_resend(&mut tx, &account.id, PURPOSE, now).await.is_err() {
            // Too many codes for this account: the answer stays the same, nothing more is sent.
            let decoy = self.codes.issue_decoy(&mut tx, PURPOSE, channel, now).await?;
            tx.commit().await?;
            return Ok(decoy);
        }
        tx.retire_codes(&account.id, PURPOSE, now).await?;
        let code = self.codes.issue(&mut tx, PURPOSE, &account.id, channel, &contact.address, now).await?;
        tx.commit().await?;
        tracing::info!(account = %account.id, channel = channel.as_str(), "password reset code sent");
        self.send_later(channel, contact.address, text::reset_code(lang, &code.code, self.codes.ttl_minutes()));
        Ok(code.id)
    }

    /// Checks the code of reset request `request_id`; when right, sets the new password, ends
    /// every session and grant of the account, and tells every proven contact.
    pub async fn complete_reset(
        &self,
        request_id: &str,
        code: &str,
        password: &str,
        password_again: &str,
    ) -> Result<ResetDone, LifecycleError> {
        if password != password_again {
            return Err(LifecycleError::PasswordsDiffer);
        }
        if code.trim().is_empty() {
            return Err(LifecycleError::NoCode);
        }
        // A request that cannot succeed is refused before any hashing work.
        let now = now_unix();
        let live = self.store.conn().await?.code(request_id).await?.filter(|r| r.purpose == PURPOSE);
        match live {
            None => return Err(LifecycleError::RequestGone),
            Some(r) if r.used_at.is_some() || r.expires_at <= now => return Err(LifecycleError::CodeSpent),
            Some(_) => {}
        }
        // Hash (slow, outside the transaction); the code's tries bound how often this runs.
        let phc = self.accounts.hash_password(password).await?;
        let mut tx = self.store.begin().await?;
        let record = tx.code(request_id).await?.filter(|r| r.purpose == PURPOSE).ok_or(LifecycleError::RequestGone)?;
        if let Err(e) = self.codes.check(&mut tx, &record, code, now).await {
            tx.commit().await?;
            return Err(e);
        }
        let account_id = record.subject.clone();
        let sessions = tx.account_sessions(&account_id, now).await?.len() as u64;
        self.accounts.set_password_in(&mut tx, &account_id, &phc, Actor(&account_id), "account.reset_password").await?;
        // The contact that received the code is proven by its use.
        tx.retire_codes(&account_id, PURPOSE, now).await?;
        tx.commit().await?;
        self.accounts.logout_signal().owed();
        tracing::info!(account = %account_id, "password reset");
        let when = crate::wib::date_time(now);
        self.tell_account(&account_id, || text::password_changed(Self::default_lang(), &when)).await?;
        Ok(ResetDone { account_id, ended_sessions: sessions })
    }
}
