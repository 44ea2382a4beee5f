//! What every IdP handler can reach: the services, the theme and the cookie settings.

use std::sync::Arc;

use axum::http::HeaderMap;
use gerbang_core::config::Config;
use gerbang_core::crypto::{Keys, PasswordHasher};
use gerbang_core::policy::{Levels, PolicyError};
use gerbang_core::store::{Account, Session, Store, StoreError};

use crate::accounts::AccountService;
use crate::admin::Admin;
use crate::factors::passkey::PasskeyService;
use crate::factors::totp::TotpService;
use crate::lifecycle::Lifecycle;
use crate::login::session::SessionService;
use crate::login::throttle::Throttle;
use crate::notify::{Messenger, NotifyError};
use crate::oidc::client::ClientService;
use crate::oidc::keys::{KeyError, KeyRing};
use crate::oidc::tokens::Issuer;
use crate::theme::{Theme, ThemeError};

/// Cheap to clone (one reference count): axum clones the state for every request, and a deep
/// clone of every service was a tenth of a token request.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

pub struct Services {
    pub store: Store,
    /// Group commit for audit records that stand alone (tokens issued to machine clients).
    pub audit: gerbang_core::audit::AuditWriter,
    pub keys: Keys,
    pub accounts: AccountService,
    pub sessions: SessionService,
    pub throttle: Throttle,
    pub totp: TotpService,
    pub passkeys: PasskeyService,
    pub clients: ClientService,
    pub admin: Admin,
    /// Self-registration, contact codes, password reset, identity assurance, inactivity.
    pub lifecycle: Lifecycle,
    pub hr: crate::hr::Hr,
    /// Who may read `/metrics`.
    pub metrics_allow: Arc<Vec<ipnet::IpNet>>,
    pub issuer: Issuer,
    /// Revoked access tokens, refreshed every second from the database.
    pub revoked: crate::oidc::revoked::RevokedTokens,
    pub levels: Arc<Levels>,
    pub theme: Theme,
    /// Outgoing HTTP (back-channel logout).
    pub http: reqwest::Client,
    /// Cookies get `Secure` and the `__Host-` prefix when the public URL is https.
    pub secure_cookies: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Theme(#[from] ThemeError),
    #[error("password parameters: {0}")]
    Password(String),
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("HTTP client: {0}")]
    Http(String),
    #[error(transparent)]
    Notify(#[from] NotifyError),
}

impl AppState {
    /// The live session named by the request's cookie, and its (active) account.
    pub async fn signed_in(&self, headers: &HeaderMap) -> Result<Option<(Session, Account)>, StoreError> {
        match crate::http::cookies::get(headers, crate::http::cookies::SESSION, self.secure_cookies) {
            Some(sid) => self.sessions.current(&sid).await,
            None => Ok(None),
        }
    }

    pub async fn new(config: &Config, store: Store, keys: Keys) -> Result<AppState, StateError> {
        let passkeys = PasskeyService::new(store.clone(), config);
        let hasher = PasswordHasher::new(&config.password).map_err(|e| StateError::Password(e.to_string()))?;
        let ring = KeyRing::open(store.clone(), keys.signing_key_sealer.clone()).await?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("gerbang/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| StateError::Http(e.to_string()))?;
        let accounts = AccountService::new(store.clone(), keys.clone(), hasher, config.password.min_length);
        let clients = ClientService::new(store.clone(), config.demo);
        let messenger = Messenger::from_config(config, http.clone())?;
        let lifecycle = Lifecycle::new(
            store.clone(),
            accounts.clone(),
            messenger,
            config.registration.clone(),
            config.accounts.clone(),
        );
        Ok(AppState(Arc::new(Services {
            lifecycle,
            hr: crate::hr::Hr::new(store.clone(), accounts.clone()),
            metrics_allow: Arc::new(config.metrics.networks()),
            audit: gerbang_core::audit::AuditWriter::start(store.clone()),
            admin: Admin::new(store.clone(), accounts.clone(), clients.clone(), Some(config.policies_dir.clone())),
            accounts,
            sessions: SessionService::new(store.clone(), config.session.ttl_secs),
            throttle: Throttle::new(store.clone(), keys.throttle.clone(), config.throttle.clone()),
            totp: TotpService::new(store.clone(), keys.totp_sealer.clone()),
            theme: Theme::load(&config.idp.themes_dir)?.with_passkeys(passkeys.enabled()),
            passkeys,
            clients,
            issuer: Issuer::new(&config.idp.public_url, ring, config.oidc.clone()),
            revoked: crate::oidc::revoked::RevokedTokens::new(store.clone()),
            levels: Arc::new(Levels::load(&config.policies_dir)?),
            secure_cookies: config.idp.public_url.starts_with("https://"),
            http,
            keys,
            store,
        })))
    }
}
