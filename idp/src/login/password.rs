//! Password sign-in with the same answer and similar cost for an unknown account and a wrong
//! password, so the login form does not reveal which NIP/NIK are registered.

use gerbang_core::crypto::Verification;
use gerbang_core::lang::{Lang, Localized};
use gerbang_core::store::{Account, AccountStatus, AccountStore};

use crate::accounts::{AccountError, AccountService, Identity};

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// `account` is for the sign-in history only; the answer never says whether it exists.
    #[error("NIP/NIK atau kata sandi salah.")]
    InvalidCredentials { account: Option<String> },
    /// Only said after the right password, so it reveals nothing to a guesser.
    #[error("Akun dinonaktifkan, hubungi administrator.")]
    Disabled { account: String },
    #[error(transparent)]
    Account(#[from] AccountError),
}

impl Localized for LoginError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (LoginError::InvalidCredentials { .. }, Lang::En) => "Wrong NIP/NIK or password.".into(),
            (LoginError::Disabled { .. }, Lang::En) => "This account is disabled; contact the administrator.".into(),
            (LoginError::Account(e), _) => e.message(lang),
            (other, _) => other.to_string(),
        }
    }
}

/// Verifies `password` for the account keyed on `identity`; upgrades an outdated hash.
pub async fn verify(accounts: &AccountService, identity: &Identity, password: &str) -> Result<Account, LoginError> {
    let found = accounts.find(identity).await?;
    let phc = match &found {
        Some(account) => accounts.stored_password(&account.id).await?,
        None => None,
    };
    let hasher = accounts.hasher().clone();
    let pw = password.to_owned();
    let verdict = accounts
        .hashing(move || match phc {
            Some(phc) => hasher.verify(&pw, &phc),
            None => hasher.verify_dummy(&pw),
        })
        .await?;
    let (Some(account), Verification::Match { needs_rehash }) = (&found, verdict) else {
        metrics::counter!("gerbang_sign_ins_total", "result" => "wrong_credentials", "method" => "pwd").increment(1);
        return Err(LoginError::InvalidCredentials { account: found.map(|a| a.id) });
    };
    let account = account.clone();
    if account.status != AccountStatus::Active {
        metrics::counter!("gerbang_sign_ins_total", "result" => "disabled", "method" => "pwd").increment(1);
        return Err(LoginError::Disabled { account: account.id });
    }
    if needs_rehash {
        // A failed upgrade must not fail the login; the old hash still works.
        if let Err(e) = accounts.upgrade_password_hash(&account.id, password).await {
            tracing::warn!(account = %account.id, error = %e, "password hash upgrade failed");
        }
    }
    Ok(account)
}

impl AccountService {
    pub(crate) async fn stored_password(&self, id: &str) -> Result<Option<String>, AccountError> {
        Ok(self.store().conn().await?.password(id).await?)
    }
}
