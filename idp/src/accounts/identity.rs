//! What a person types to identify themselves: an 18-digit NIP (ASN) or a 16-digit NIK (warga).

use gerbang_core::ids::{Nik, NikError, Nip, NipError};
use gerbang_core::lang::{Lang, Localized};

/// The key of an account as typed by a person.
#[derive(Debug, Clone)]
pub enum Identity {
    Nip(Nip),
    Nik(Nik),
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("{}", .0.message(Lang::Id))]
    Nip(NipError),
    #[error("{}", .0.message(Lang::Id))]
    Nik(NikError),
    /// Neither 18 nor 16 digits: we cannot tell which number was meant.
    #[error("Masukkan NIP (18 digit) atau NIK (16 digit).")]
    Unrecognised,
}

impl Localized for IdentityError {
    fn message(&self, lang: Lang) -> String {
        match self {
            IdentityError::Nip(e) => e.message(lang),
            IdentityError::Nik(e) => e.message(lang),
            IdentityError::Unrecognised => match lang {
                Lang::Id => "Masukkan NIP (18 digit) atau NIK (16 digit).".into(),
                Lang::En => "Enter a NIP (18 digits) or a NIK (16 digits).".into(),
            },
        }
    }
}

impl Identity {
    /// Decides by the number of digits once separators are removed, then validates fully.
    pub fn parse(input: &str) -> Result<Identity, IdentityError> {
        let digits = input.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).count();
        match digits {
            18 => Nip::parse(input).map(Identity::Nip).map_err(IdentityError::Nip),
            16 => Nik::parse(input).map(Identity::Nik).map_err(IdentityError::Nik),
            _ => Err(IdentityError::Unrecognised),
        }
    }

    /// The normalised digits (a secret for a NIK: hash it, never log or store it in clear).
    pub fn digits(&self) -> &str {
        match self {
            Identity::Nip(n) => n.as_str(),
            Identity::Nik(n) => n.expose(),
        }
    }

    /// Safe to log and show: the NIP in full, the NIK masked.
    pub fn display(&self) -> String {
        match self {
            Identity::Nip(n) => format!("NIP {}", n.as_str()),
            Identity::Nik(n) => format!("NIK {}", n.masked()),
        }
    }
}
