//! What every gateway handler shares: the live policies, the provider, cookies, signer,
//! logouts, the upstream client and the settings from the configuration.

use std::sync::Arc;

use gerbang_core::config::Config;
use gerbang_core::crypto::Keys;
use gerbang_core::policy::{PolicyWatch, Registered};
use gerbang_core::store::Store;

use crate::assertion::AssertionSigner;
use crate::client_addr::TrustedProxies;
use crate::forward::{self, HttpClient};
use crate::oidc::Provider;
use crate::revocation::Revocations;
use crate::session::CookieJar;

/// Cheap to clone (one reference count): axum clones the state for every request.
#[derive(Clone)]
pub struct Gateway(Arc<Shared>);

impl std::ops::Deref for Gateway {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub policies: PolicyWatch,
    pub provider: Arc<Provider>,
    pub jar: CookieJar,
    pub signer: Arc<AssertionSigner>,
    pub revocations: Revocations,
    pub upstream: HttpClient,
    pub trusted: Arc<TrustedProxies>,
    pub settings: Arc<Settings>,
    /// Where the admin registers (networks, domains) are read from.
    store: Store,
    /// Demo mode: local host names count as registered domains.
    allow_local_hosts: bool,
}

pub struct Settings {
    /// The gateway's own URL (assertion issuer, back-channel logout URI).
    pub public_url: String,
    pub session_ttl_secs: i64,
    /// This listener speaks HTTPS itself.
    pub tls: bool,
    /// Scopes asked of the provider.
    pub scopes: String,
    /// Who may read `/.gerbang/metrics`.
    pub metrics_allow: Vec<ipnet::IpNet>,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewaySetupError {
    #[error(transparent)]
    Config(#[from] gerbang_core::config::ConfigError),
}

impl Gateway {
    pub fn new(
        config: &Config,
        policies: PolicyWatch,
        store: Store,
        keys: &Keys,
    ) -> Result<Gateway, GatewaySetupError> {
        let p = &config.proxy;
        let provider = Provider::new(&config.gateway_issuer(), &p.client_id, config.gateway_client_secret()?);
        Ok(Gateway(Arc::new(Shared {
            policies,
            provider: Arc::new(provider),
            jar: CookieJar::new(keys.gateway_cookie.clone()),
            signer: Arc::new(AssertionSigner::from_seeds(
                keys.gateway_assertion.clone(),
                &p.public_url,
                p.assertion_ttl_secs,
            )),
            revocations: Revocations::new(store.clone(), p.session_ttl_secs),
            store,
            allow_local_hosts: config.demo,
            upstream: forward::client(),
            trusted: Arc::new(TrustedProxies::new(&p.trusted_proxies)),
            settings: Arc::new(Settings {
                public_url: p.public_url.trim_end_matches('/').to_string(),
                session_ttl_secs: p.session_ttl_secs as i64,
                tls: p.tls.enabled(),
                scopes: "openid profile nip roles".into(),
                metrics_allow: config.metrics.networks(),
            }),
        })))
    }

    /// The database the gateway reads (for the pool gauges of `/.gerbang/metrics`).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Starts the background work: policy reload (files and the admin registers of networks and
    /// domains) and logout polling.
    pub fn spawn_background(&self, policy_reload: std::time::Duration) {
        self.policies.spawn(policy_reload);
        self.revocations.spawn();
        let (policies, store, allow_local) = (self.policies.clone(), self.store.clone(), self.allow_local_hosts);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(policy_reload);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match Registered::read(&store, allow_local).await {
                    Ok(registered) => policies.set_registered(registered),
                    // The last registers read keep applying until the database answers again.
                    Err(e) => tracing::warn!(error = %e, "admin registers unreadable; policy unchanged"),
                }
            }
        });
    }
}
