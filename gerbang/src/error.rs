//! `CliError`: everything a command can fail with, as one line in the chosen language.

use gerbang_core::bootstrap::BootstrapError;
use gerbang_core::config::ConfigError;
use gerbang_core::lang::{Lang, Localized};
use gerbang_idp::accounts::{AccountError, IdentityError};

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Bootstrap(#[from] BootstrapError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error("basis data / database: {0}")]
    Store(#[from] gerbang_core::store::StoreError),
    /// A message already in the user's language.
    #[error("{0}")]
    Message(String),
    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },
}

impl CliError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            CliError::Account(e) => e.message(lang),
            CliError::Identity(e) => e.message(lang),
            other => match lang {
                Lang::Id => format!("galat: {other}"),
                Lang::En => format!("error: {other}"),
            },
        }
    }

    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> CliError {
        let what = what.into();
        move |source| CliError::Io { what, source }
    }
}
