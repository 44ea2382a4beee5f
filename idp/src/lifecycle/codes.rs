//! One-time codes sent by email or SMS: six random digits, stored only as a keyed hash, valid for
//! a configured time, a few wrong tries, used once.

use gerbang_core::crypto::{BlindIndex, random};
use gerbang_core::store::{CodeRecord, LifecycleStore, Tx};

use super::LifecycleError;
use crate::notify::Channel;

pub const CODE_DIGITS: usize = 6;
/// At most this many codes per subject and purpose per hour, and one a minute.
const CODES_PER_HOUR: i64 = 5;
const RESEND_AFTER_SECS: i64 = 60;

#[derive(Clone)]
pub struct Codes {
    index: BlindIndex,
    ttl_secs: i64,
    attempts: i64,
}

/// A code just made: its row id and the digits to send (never stored).
pub struct NewCode {
    pub id: String,
    pub code: String,
}

impl Codes {
    pub fn new(index: BlindIndex, ttl_secs: i64, attempts: i64) -> Codes {
        Codes { index, ttl_secs, attempts }
    }

    pub fn ttl_minutes(&self) -> i64 {
        (self.ttl_secs + 59) / 60
    }

    fn hash(&self, id: &str, code: &str) -> Vec<u8> {
        self.index.index(format!("{id}:{code}").as_bytes())
    }

    /// Stores a new code for `subject` (a pending registration or an account).
    pub async fn issue(
        &self,
        tx: &mut Tx,
        purpose: &str,
        subject: &str,
        channel: Channel,
        address: &str,
        now: i64,
    ) -> Result<NewCode, LifecycleError> {
        let id = random::token(16);
        let code = random::digits(CODE_DIGITS);
        let record = CodeRecord {
            id: id.clone(),
            purpose: purpose.into(),
            subject: subject.into(),
            channel: channel.as_str().into(),
            address: address.into(),
            code_hash: self.hash(&id, &code),
            attempts: 0,
            created_at: now,
            expires_at: now + self.ttl_secs,
            used_at: None,
        };
        tx.insert_code(&record).await?;
        Ok(NewCode { id, code })
    }

    /// Stores a code nobody can know, for a request that must look like a real one (a reset asked
    /// for a NIP/NIK without an account): it expires, counts wrong tries and refuses like any other.
    pub async fn issue_decoy(
        &self,
        tx: &mut Tx,
        purpose: &str,
        channel: Channel,
        now: i64,
    ) -> Result<String, LifecycleError> {
        let id = random::token(16);
        let record = CodeRecord {
            id: id.clone(),
            purpose: purpose.into(),
            subject: String::new(),
            channel: channel.as_str().into(),
            address: String::new(),
            code_hash: self.index.index(random::token(32).as_bytes()),
            attempts: 0,
            created_at: now,
            expires_at: now + self.ttl_secs,
            used_at: None,
        };
        tx.insert_code(&record).await?;
        Ok(id)
    }

    /// Refuses a new code when one went out less than a minute ago or five in the last hour.
    pub async fn may_resend(&self, tx: &mut Tx, subject: &str, purpose: &str, now: i64) -> Result<(), LifecycleError> {
        let recent = tx.count_codes_since(subject, purpose, now - RESEND_AFTER_SECS).await?;
        let hour = tx.count_codes_since(subject, purpose, now - 3600).await?;
        if recent > 0 || hour >= CODES_PER_HOUR { Err(LifecycleError::ResendTooSoon) } else { Ok(()) }
    }

    /// Checks what was typed against a stored code and uses it up when right. A wrong code counts
    /// against the code's tries; the counting is committed by the caller even when refused.
    pub async fn check(&self, tx: &mut Tx, record: &CodeRecord, typed: &str, now: i64) -> Result<(), LifecycleError> {
        let typed: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if typed.is_empty() {
            return Err(LifecycleError::NoCode);
        }
        if record.used_at.is_some() || record.expires_at <= now || record.attempts >= self.attempts {
            return Err(LifecycleError::CodeSpent);
        }
        // Any accepted data-key generation: a code sent just before a master-key rotation holds.
        let right = self.index.verify(format!("{}:{typed}", record.id).as_bytes(), &record.code_hash, 32);
        if !right {
            let tries = tx.bump_code_attempts(&record.id).await?.ok_or(LifecycleError::CodeSpent)?;
            let left = self.attempts - tries;
            return Err(if left > 0 { LifecycleError::WrongCode { left } } else { LifecycleError::CodeSpent });
        }
        if !tx.use_code(&record.id, now).await? {
            return Err(LifecycleError::CodeSpent);
        }
        Ok(())
    }
}
