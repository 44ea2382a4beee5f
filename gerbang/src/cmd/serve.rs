//! `gerbang serve`: the IdP and the gateway on their listeners until Ctrl-C or SIGTERM.

use std::net::SocketAddr;

use axum::Router;
use gerbang_core::config::Config;
use gerbang_core::crypto::master_key::KeySource;
use gerbang_proxy::RouteTable;
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
    let mut servers = Servers::new();
    if args.only != Some(Part::Proxy) {
        let app = idp_router(&config).await?;
        servers.start("idp", bind(config.idp.listen).await?, app);
    }
    if args.only != Some(Part::Idp) {
        // Routes from policies/ arrive with the gateway issue; until then every path is denied.
        let app = gerbang_proxy::router(RouteTable::default(), config.idp.public_url.clone());
        servers.start("proxy", bind(config.proxy.listen).await?, app);
    }
    servers.run_until_signal().await
}

/// Opens the installation and builds the IdP's router.
pub async fn idp_router(config: &Config) -> Result<Router, CliError> {
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
    let state = gerbang_idp::AppState::new(config, install.store, install.keys)
        .await
        .map_err(|e| CliError::Message(e.to_string()))?;
    gerbang_idp::maintenance::spawn(state.clone());
    Ok(gerbang_idp::router(state))
}

pub async fn bind(addr: SocketAddr) -> Result<TcpListener, CliError> {
    gerbang_core::http::bind(addr).await.map_err(CliError::io(format!("listen on {addr}")))
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
        let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
        tracing::info!(part = name, %addr, "listening");
        let mut stop = self.stop.subscribe();
        let name = name.to_string();
        self.tasks.spawn(async move {
            let shutdown = async move {
                let _ = stop.wait_for(|s| *s).await;
            };
            (name, gerbang_core::http::serve(listener, app, shutdown).await)
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
