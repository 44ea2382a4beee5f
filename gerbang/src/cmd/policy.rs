//! `gerbang policy check`: validates the policy files as the gateway would load them (with the
//! admin registers: registered networks join the file's, and every route's host must be on a
//! registered domain), and lists the routes and the redirect URIs the gateway's OIDC client
//! needs at the provider.

use gerbang_core::config::Config;
use gerbang_core::policy::{PolicySet, Registered};

use crate::cli::PolicyCommand;
use crate::error::CliError;

pub async fn run(config: &Config, command: PolicyCommand) -> Result<(), CliError> {
    let PolicyCommand::Check { dir, files_only } = command;
    let dir = dir.unwrap_or_else(|| config.policies_dir.clone());
    let registered = if files_only {
        Registered::default()
    } else {
        let install = gerbang_core::bootstrap::open(config).await?;
        let read = Registered::read(&install.store, config.demo).await;
        install.store.close().await;
        read.map_err(|e| CliError::Message(format!("register: {e}")))?
    };
    let set = PolicySet::load_with(&dir, &registered)
        .map_err(|e| CliError::Message(format!("kebijakan tidak valid / invalid policy: {e}")))?;
    let with = if files_only { "files only" } else { "with the admin registers" };
    println!("# Kebijakan valid / policies are valid ({with}): {}", dir.display());
    let levels: Vec<&str> = set.levels.all().iter().map(|l| l.id.as_str()).collect();
    println!("levels:   {}", levels.join(" < "));
    println!("networks: {}", set.networks.all().len());
    for n in set.networks.all() {
        let cidrs: Vec<String> = n.cidrs.iter().map(ToString::to_string).collect();
        println!("  {:<20} {}{}", n.id, cidrs.join(", "), if n.city { "" } else { " (not a city network)" });
    }
    println!("routes:   {}", set.routes.all().len());
    for r in set.routes.all() {
        let upstream = r.upstream.as_ref().map(ToString::to_string).unwrap_or_else(|| "(forward-auth only)".into());
        println!("  {:<20} {}{} -> {} [{}]", r.id, r.host, r.path, upstream, r.level);
    }
    let scheme =
        if config.proxy.tls.enabled() || config.proxy.public_url.starts_with("https://") { "https" } else { "http" };
    println!("redirect URIs for client {:?} at {}:", config.proxy.client_id, config.gateway_issuer());
    for host in set.routes.hosts() {
        println!("  {scheme}://{host}/.gerbang/callback");
    }
    println!("back-channel logout URI: {}/.gerbang/backchannel-logout", config.proxy.public_url.trim_end_matches('/'));
    Ok(())
}
