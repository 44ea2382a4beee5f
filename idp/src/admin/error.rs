//! `AdminError`: what the admin module and the developer portal refuse, in both languages. The
//! HTTP edge maps it once (`http/error.rs`): pages and the JSON API.

use gerbang_core::lang::{Lang, Localized};
use gerbang_core::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The person lacks the role (or the stewardship) this needs.
    #[error("Anda tidak berwenang untuk tindakan ini.")]
    Forbidden,
    #[error("Data tidak ditemukan.")]
    NotFound,
    /// A field breaks a rule; the message says which and why.
    #[error("{field}: {id}")]
    Invalid { field: &'static str, id: String, en: String },
    /// The change clashes with what is stored (a taken id, an overlapping range, a decided request).
    #[error("{field}: {id}")]
    Conflict { field: &'static str, id: String, en: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AdminError {
    pub fn invalid(field: &'static str, id: impl Into<String>, en: impl Into<String>) -> AdminError {
        AdminError::Invalid { field, id: id.into(), en: en.into() }
    }

    pub fn conflict(field: &'static str, id: impl Into<String>, en: impl Into<String>) -> AdminError {
        AdminError::Conflict { field, id: id.into(), en: en.into() }
    }

    /// The field at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            AdminError::Invalid { field, .. } | AdminError::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl Localized for AdminError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (AdminError::Invalid { id, .. } | AdminError::Conflict { id, .. }, Lang::Id) => id.clone(),
            (AdminError::Invalid { en, .. } | AdminError::Conflict { en, .. }, Lang::En) => en.clone(),
            (AdminError::Forbidden, Lang::En) => "You are not allowed to do this.".into(),
            (AdminError::NotFound, Lang::En) => "Not found.".into(),
            (AdminError::Store(e), _) => e.to_string(),
            (other, Lang::Id) => other.to_string(),
        }
    }
}
