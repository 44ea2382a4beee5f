//! `gerbang serve`: the IdP and the gateway on their listeners until Ctrl-C or SIGTERM.

use std::net::SocketAddr;

use axum::Router;
use gerbang_core::bootstrap::Installation;
use gerbang_core::config::{Config, TlsConfig};
use gerbang_core::crypto::master_key::KeySource;
use gerbang_core::http::tls::{self, TlsServer};
use gerbang_core::policy::{PolicyWatch, Registered};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::cli::{Part, ServeArgs};
use crate::error::CliError;

pub async fn run(mut config: Config, args: ServeArgs) -> Result<(), CliError> {
    gerbang_core::telemetry::init(&config.log);
    if let Some(addr) = args.idp_listen {
        config.idp.listen = addr;
    }
    if let Some(addr) = args.proxy_listen {
        config.proxy.listen = addr;
    }
    let install = open(&config).await?;
    let mut servers = Servers::new();
    if args.only != Some(Part::Proxy) {
        let app = idp_router(&config, &install).await?;
        let (tls, url) = (&config.idp.tls, &config.idp.public_url);
        servers.start_with_tls("idp", bind(config.idp.listen).await?, app, tls, url).await?;
    }
    if args.only != Some(Part::Idp) {
        let app = gateway_router(&config, &install).await?;
        let (tls, url) = (&config.proxy.tls, &config.proxy.public_url);
        servers.start_with_tls("proxy", bind(config.proxy.listen).await?, app, tls, url).await?;
    }
    servers.run_until_signal().await
}

/// Opens the database (migrating it) and the master key.
pub async fn open(config: &Config) -> Result<Installation, CliError> {
    let install = gerbang_core::bootstrap::open(config).await?;
    match &install.key_source {
        KeySource::Generated(path) => tracing::warn!(
            path = %path.display(),
            "generated a new master key; back it up apart from the database (without it the NIKs cannot be read)"
        ),
        KeySource::File(path) => {
            tracing::info!(path = %path.display(), "master key loaded from file")
        }
        KeySource::Config => tracing::info!("master key loaded from configuration"),
    }
    tracing::info!(database = %config.database_display(), "{}", crate::cmd::migrate::progress(&install.migrations));
    // A master-key rotation finished elsewhere is taken up while this process runs.
    install.ring.follow(install.store.clone());
    Ok(install)
}

/// The IdP's router and its background maintenance.
pub async fn idp_router(config: &Config, install: &Installation) -> Result<Router, CliError> {
    let state = gerbang_idp::AppState::new(config, install.store.clone(), install.keys.clone())
        .await
        .map_err(|e| CliError::Message(e.to_string()))?;
    gerbang_idp::maintenance::spawn(state.clone());
    gerbang_idp::oidc::backchannel::spawn(state.clone());
    gerbang_idp::replicas::spawn(state.clone());
    Ok(gerbang_idp::router(state))
}

/// The gateway's router, with policy reload and logout polling started.
pub async fn gateway_router(config: &Config, install: &Installation) -> Result<Router, CliError> {
    // Route hosts must be on a registered domain; registered networks join networks.toml.
    let registered =
        Registered::read(&install.store, config.demo).await.map_err(|e| CliError::Message(e.to_string()))?;
    let policies =
        PolicyWatch::load_with(&config.policies_dir, registered).map_err(|e| CliError::Message(e.to_string()))?;
    let current = policies.current();
    tracing::info!(
        dir = %config.policies_dir.display(),
        routes = current.routes.all().len(),
        networks = current.networks.all().len(),
        "gateway policies loaded"
    );
    if let Some(secret_missing) = config.gateway_client_secret().ok().filter(|s| s.expose_secret().is_empty()) {
        drop(secret_missing);
        tracing::warn!("proxy.client_secret is empty: the gateway cannot sign anyone in until it is set");
    }
    let gateway = gerbang_proxy::Gateway::new(config, policies, install.store.clone(), &install.keys)
        .map_err(|e| CliError::Message(e.to_string()))?;
    gateway.spawn_background(std::time::Duration::from_secs(config.proxy.policy_reload_secs));
    Ok(gerbang_proxy::router(gateway))
}

pub async fn bind(addr: SocketAddr) -> Result<TcpListener, CliError> {
    gerbang_core::http::bind(addr).await.map_err(CliError::io(format!("listen on {addr}")))
}

/// The port browsers reach HTTPS on: public_url's when it is https (the listener may sit behind
/// a port mapping, 443 → 8443), else the listener's own.
fn https_port(public_url: &str, listener: &TcpListener) -> u16 {
    match public_url.parse::<axum::http::Uri>() {
        Ok(url) if url.scheme_str() == Some("https") => url.port_u16().unwrap_or(443),
        _ => listener.local_addr().map_or(443, |a| a.port()),
    }
}

/// Servers sharing one shutdown signal.
pub struct Servers {
    tasks: JoinSet<(String, std::io::Result<()>)>,
    stop: watch::Sender<bool>,
}

impl Servers {
    pub fn new() -> Servers {
        Servers { tasks: JoinSet::new(), stop: watch::channel(false).0 }
    }

    pub fn start(&mut self, name: &str, listener: TcpListener, app: Router) {
        self.launch(name, listener, app, None);
    }

    /// Like `start`, but over HTTPS when `tls_config` names a certificate, with HSTS and, if
    /// `redirect_listen` is set, a plain-HTTP listener redirecting to it.
    pub async fn start_with_tls(
        &mut self,
        name: &str,
        listener: TcpListener,
        app: Router,
        tls_config: &TlsConfig,
        public_url: &str,
    ) -> Result<(), CliError> {
        if !tls_config.enabled() {
            self.start(name, listener, app);
            return Ok(());
        }
        let server = TlsServer::from_config(tls_config).map_err(|e| CliError::Message(e.to_string()))?;
        server.watch(tls::RELOAD_EVERY);
        if let Some(addr) = tls_config.redirect_listen {
            let redirect = tls::redirect_router(https_port(public_url, &listener));
            let redirect = gerbang_core::http::with_common_layers(redirect, "redirect");
            self.start(&format!("{name}-redirect"), bind(addr).await?, redirect);
        }
        self.launch(name, listener, tls::with_hsts(app, tls_config.hsts_max_age_secs), Some(server));
        Ok(())
    }

    fn launch(&mut self, name: &str, listener: TcpListener, app: Router, https: Option<TlsServer>) {
        let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
        let scheme = if https.is_some() { "https" } else { "http" };
        tracing::info!(part = name, %addr, scheme, "listening");
        let mut stop = self.stop.subscribe();
        let name = name.to_string();
        self.tasks.spawn(async move {
            let shutdown = async move {
                let _ = stop.wait_for(|s| *s).await;
            };
            let served = match https {
                Some(server) => tls::serve_tls(listener, app, server, shutdown).await,
                None => gerbang_core::http::serve(listener, app, shutdown).await,
            };
            (name, served)
        });
    }

    /// Runs until a signal (then drains all servers) or until one server fails.
    pub async fn run_until_signal(mut self) -> Result<(), CliError> {
        tokio::select! {
            _ = gerbang_core::http::shutdown_signal() => {}
            Some(done) = self.tasks.join_next() => {
                let _ = self.stop.send(true);
                return match done {
                    Ok((name, Err(e))) => Err(CliError::Io { what: format!("server {name}"), source: e }),
                    Ok((name, Ok(()))) => Err(CliError::Message(format!("server {name} stopped"))),
                    Err(e) => Err(CliError::Message(format!("server task failed: {e}"))),
                };
            }
        }
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
        Ok(())
    }
}
