//! `AccountError`: what the account service refuses, in both languages.

use gerbang_core::crypto::SealError;
use gerbang_core::ids::{NikError, NipError};
use gerbang_core::lang::{Lang, Localized};
use gerbang_core::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{}", .0.message(Lang::Id))]
    InvalidNip(NipError),
    #[error("{}", .0.message(Lang::Id))]
    InvalidNik(NikError),
    #[error("NIP sudah terdaftar.")]
    NipTaken,
    #[error("NIK sudah terdaftar.")]
    NikTaken,
    #[error("NIP ini pernah dipakai akun lain dan tidak dapat diberikan ke akun ini.")]
    NipBelongsToAnother,
    #[error("Akun tidak ditemukan.")]
    NotFound,
    #[error("Akun ini bukan akun ASN.")]
    NotAsn,
    #[error("Nama tidak boleh kosong.")]
    EmptyName,
    #[error("Nama terlalu panjang (maksimal {max} karakter) atau berisi karakter kendali.")]
    BadName { max: usize },
    #[error("Kata sandi minimal {min} karakter.")]
    PasswordTooShort { min: usize },
    #[error("Kata sandi maksimal {max} karakter.")]
    PasswordTooLong { max: usize },
    #[error("Peran tidak dikenal: {0}")]
    UnknownRole(String),
    /// Too many sign-ins are being checked at once; try again shortly.
    #[error("Server sedang sibuk. Silakan coba lagi sebentar lagi.")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("data terenkripsi tidak dapat dibuka: {0}")]
    Seal(#[from] SealError),
}

impl Localized for AccountError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::Id {
            return match self {
                AccountError::InvalidNip(e) => e.message(lang),
                AccountError::InvalidNik(e) => e.message(lang),
                other => other.to_string(),
            };
        }
        match self {
            AccountError::InvalidNip(e) => e.message(lang),
            AccountError::InvalidNik(e) => e.message(lang),
            AccountError::NipTaken => "This NIP is already registered.".into(),
            AccountError::NikTaken => "This NIK is already registered.".into(),
            AccountError::NipBelongsToAnother => {
                "This NIP was used by another account and cannot be given to this one.".into()
            }
            AccountError::NotFound => "Account not found.".into(),
            AccountError::NotAsn => "This is not an ASN account.".into(),
            AccountError::EmptyName => "The name must not be empty.".into(),
            AccountError::BadName { max } => {
                format!("The name is too long (at most {max} characters) or contains control characters.")
            }
            AccountError::PasswordTooShort { min } => format!("The password must have at least {min} characters."),
            AccountError::PasswordTooLong { max } => format!("The password must have at most {max} characters."),
            AccountError::UnknownRole(r) => format!("Unknown role: {r}"),
            AccountError::Busy => "The server is busy. Please try again in a moment.".into(),
            AccountError::Store(e) => format!("Storage error: {e}"),
            AccountError::Seal(e) => format!("Encrypted data cannot be opened: {e}"),
        }
    }
}
