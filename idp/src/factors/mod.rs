//! Second factors: TOTP (RFC 6238) and recovery codes. Passkeys come next to them.

pub mod passkey;
pub mod recovery;
pub mod totp;

use gerbang_core::store::{FactorStore, Store, StoreError};

/// What an account has enrolled, for the account page and step-up.
#[derive(Debug, Clone, Default)]
pub struct FactorStatus {
    pub totp: bool,
    pub recovery_codes_left: i64,
}

pub async fn status(store: &Store, account_id: &str) -> Result<FactorStatus, StoreError> {
    let mut db = store.conn().await?;
    let totp = db.totp(account_id).await?.is_some_and(|t| t.confirmed_at.is_some());
    let recovery_codes_left = if totp { db.recovery_codes_left(account_id).await? } else { 0 };
    Ok(FactorStatus { totp, recovery_codes_left })
}
