//! `gerbang demo`: the IdP, the gateway and seven demo applications on embedded SQLite, with
//! demo accounts whose passwords are printed and written to `DATA_DIR/demo.json`.

mod apps;
mod seed;

use std::io::Write;
use std::net::SocketAddr;

use gerbang_core::config::Config;
use serde_json::json;

use crate::cli::DemoArgs;
use crate::cmd::serve::{Servers, bind, gateway_router, idp_router, open};
use crate::error::CliError;

pub async fn run(mut config: Config, args: DemoArgs) -> Result<(), CliError> {
    gerbang_core::telemetry::init(&config.log);
    config.demo = true;
    // Bind first: with port 0 the URLs are known only once the ports are chosen.
    let idp_listener = bind(args.idp_listen).await?;
    let proxy_listener = bind(args.proxy_listen).await?;
    let apps_listener = bind(args.apps_listen).await?;
    let idp_url = public_url(local(&idp_listener)?);
    let gateway_url = public_url(local(&proxy_listener)?);
    let apps_addr = local(&apps_listener)?;
    config.idp.listen = local(&idp_listener)?;
    config.idp.public_url = idp_url.clone();
    config.proxy.listen = local(&proxy_listener)?;
    config.proxy.public_url = gateway_url.clone();

    write_policies(&mut config, apps_addr)?;

    let seeded = seed::seed(&config).await?;
    let clients = seed::seed_clients(&config, &gateway_url).await?;
    let gateway_secret = clients
        .iter()
        .find(|c| c.json["client_id"] == "gerbang-gateway")
        .and_then(|c| c.json["client_secret"].as_str())
        .unwrap_or_default()
        .to_string();
    config.proxy.client_secret = gateway_secret.into();
    config.proxy.client_secret_file = None;
    let install = open(&config).await?;
    let idp = idp_router(&config, &install).await?;
    let gateway = gateway_router(&config, &install).await?;

    let apps_json: Vec<_> = apps::APPS
        .iter()
        .map(|a| json!({ "slug": a.slug, "name": a.name, "pasal": a.pasal, "level": a.level, "url": format!("{gateway_url}/{}/", a.slug) }))
        .collect();
    let demo = json!({
        "issuer": idp_url,
        "idp_url": idp_url,
        "login_url": format!("{idp_url}/masuk"),
        "admin_url": format!("{idp_url}/akun"),
        "gateway_url": gateway_url,
        "discovery_url": format!("{idp_url}/.well-known/openid-configuration"),
        "accounts": seeded.iter().map(seed::SeededAccount::to_json).collect::<Vec<_>>(),
        "clients": clients.iter().map(|c| c.json.clone()).collect::<Vec<_>>(),
        "apps": apps_json,
        "policies_dir": config.policies_dir,
    });
    write_demo_json(&config, &demo)?;
    print_banner(&idp_url, &gateway_url, &seeded, &clients, &config);

    let mut servers = Servers::new();
    servers.start("idp", idp_listener, idp);
    servers.start("proxy", proxy_listener, gateway);
    servers.start("apps", apps_listener, apps::router());
    servers.run_until_signal().await
}

/// The demo's policies in `DATA_DIR/demo-policies`: the configured levels, plus routes and
/// networks for the demo apps (rewritten at each start, since the ports may change).
fn write_policies(config: &mut Config, apps_addr: SocketAddr) -> Result<(), CliError> {
    let dir = config.data_dir.join("demo-policies");
    std::fs::create_dir_all(&dir).map_err(CliError::io(format!("create {}", dir.display())))?;
    let levels = config.policies_dir.join("levels.toml");
    if levels.exists() {
        std::fs::copy(&levels, dir.join("levels.toml")).map_err(CliError::io(format!("copy {}", levels.display())))?;
    }
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(CliError::io(format!("write {}", path.display())))
    };
    write("networks.toml", apps::NETWORKS_TOML)?;
    write("routes.toml", &apps::routes_toml(apps_addr, "localhost"))?;
    config.policies_dir = dir;
    Ok(())
}

fn local(listener: &tokio::net::TcpListener) -> Result<SocketAddr, CliError> {
    listener.local_addr().map_err(CliError::io("read listener address"))
}

/// `localhost` for loopback and unspecified addresses (a browser-friendly host, and a valid
/// WebAuthn relying-party id later); the IP itself otherwise.
fn public_url(addr: SocketAddr) -> String {
    let ip = addr.ip();
    if ip.is_loopback() || ip.is_unspecified() {
        format!("http://localhost:{}", addr.port())
    } else {
        format!("http://{addr}")
    }
}

fn write_demo_json(config: &Config, demo: &serde_json::Value) -> Result<(), CliError> {
    let path = config.data_dir.join("demo.json");
    let tmp = config.data_dir.join("demo.json.tmp");
    let text = serde_json::to_string_pretty(demo).map_err(|e| CliError::Message(e.to_string()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600); // it holds demo passwords
    }
    let mut file = options.open(&tmp).map_err(CliError::io(format!("write {}", tmp.display())))?;
    file.write_all(text.as_bytes()).map_err(CliError::io(format!("write {}", tmp.display())))?;
    file.sync_all().map_err(CliError::io(format!("write {}", tmp.display())))?;
    // Renamed into place so a script polling for the file never reads half of it.
    std::fs::rename(&tmp, &path).map_err(CliError::io(format!("write {}", path.display())))
}

fn print_banner(
    idp_url: &str,
    gateway_url: &str,
    seeded: &[seed::SeededAccount],
    clients: &[seed::SeededClient],
    config: &Config,
) {
    println!();
    println!("Gerbang demo berjalan / is running (Ctrl-C untuk berhenti / to stop)");
    println!();
    println!("  Masuk / sign in:   {idp_url}/masuk");
    println!("  Gerbang / gateway: {gateway_url}/.gerbang/ (aplikasi / applications)");
    println!("  Kebijakan / policy: {}", config.policies_dir.display());
    println!("  Data:              {}", config.data_dir.display());
    println!();
    println!("  Akun demo / demo accounts (kata sandi baru setiap start / new passwords on every start):");
    for a in seeded {
        println!("    {:<10} {:<5} {:<20} {:<16} {}", a.label, a.kind, a.identifier, a.password, a.name);
    }
    println!();
    println!("  Klien OIDC demo / demo OIDC clients (issuer {idp_url}):");
    for c in clients {
        let secret = c.json["client_secret"].as_str().unwrap_or("(publik / public, PKCE)");
        println!("    {:<14} {}", c.json["client_id"].as_str().unwrap_or(""), secret);
    }
    println!("    redirect_uri: http://127.0.0.1:<port apa saja / any port>/callback");
    println!();
    println!("  Rincian / details: {}", config.data_dir.join("demo.json").display());
    println!();
    let _ = std::io::stdout().flush();
}
