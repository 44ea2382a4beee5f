//! Second factors: TOTP (RFC 6238) and recovery codes. Passkeys come next to them.

pub mod passkey;
pub mod recovery;
pub mod totp;

use gerbang_core::store::{FactorStore, Session, Store, StoreError, now_unix};

/// Adding a factor needs a sign-in this recent (seconds): a borrowed or stolen session alone must
/// not be able to plant a passkey or an authenticator of its own.
pub const RECENT_SIGN_IN_SECS: i64 = 600;

pub fn recently_signed_in(session: &Session) -> bool {
    now_unix() - session.auth_time <= RECENT_SIGN_IN_SECS
}

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
