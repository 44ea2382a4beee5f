//! What every IdP handler can reach: the services, the theme and the cookie settings.

use gerbang_core::config::Config;
use gerbang_core::crypto::{Keys, PasswordHasher};
use gerbang_core::store::Store;

use crate::accounts::AccountService;
use crate::login::session::SessionService;
use crate::theme::{Theme, ThemeError};

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub accounts: AccountService,
    pub sessions: SessionService,
    pub theme: Theme,
    /// Cookies get `Secure` and the `__Host-` prefix when the public URL is https.
    pub secure_cookies: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Theme(#[from] ThemeError),
    #[error("password parameters: {0}")]
    Password(String),
}

impl AppState {
    pub fn new(config: &Config, store: Store, keys: Keys) -> Result<AppState, StateError> {
        let hasher = PasswordHasher::new(&config.password).map_err(|e| StateError::Password(e.to_string()))?;
        Ok(AppState {
            accounts: AccountService::new(store.clone(), keys, hasher, config.password.min_length),
            sessions: SessionService::new(store.clone(), config.session.ttl_secs),
            theme: Theme::load(&config.idp.themes_dir)?,
            secure_cookies: config.idp.public_url.starts_with("https://"),
            store,
        })
    }
}
