//! `gerbang client …`: registering and managing OIDC clients from the command line (the
//! developer portal comes with the admin issue).

use gerbang_core::config::Config;
use gerbang_idp::accounts::Actor;
use gerbang_idp::oidc::client::{AuthMethod, Client, ClientKind, ClientService, GrantType, NewClient};
use gerbang_idp::oidc::keys::SigningAlg;

use crate::cli::{ClientAddArgs, ClientCommand};
use crate::error::CliError;

const CLI: Actor<'static> = Actor("cli");

pub async fn run(config: &Config, command: ClientCommand) -> Result<(), CliError> {
    gerbang_core::telemetry::init(&gerbang_core::config::LogConfig { level: "warn".into(), ..config.log.clone() });
    let install = gerbang_core::bootstrap::open(config).await?;
    let clients = ClientService::new(install.store.clone(), config.demo);
    let result = dispatch(&clients, command).await;
    install.store.close().await;
    result
}

async fn dispatch(clients: &ClientService, command: ClientCommand) -> Result<(), CliError> {
    let msg = |e: gerbang_idp::oidc::client::ClientError| CliError::Message(e.to_string());
    match command {
        ClientCommand::Add(args) => {
            let new = new_client(*args)?;
            let (client, secret) = clients.create(new, CLI).await.map_err(msg)?;
            println!("client_id:     {}", client.id);
            if let Some(secret) = secret {
                println!("client_secret: {secret}");
                eprintln!(
                    "Simpan rahasia ini sekarang; ia tidak ditampilkan lagi. / Store this secret now; it is not shown again."
                );
            }
        }
        ClientCommand::List { after, limit } => {
            for c in clients.list(&after, limit).await.map_err(|e| CliError::Message(e.to_string()))? {
                let status = if c.active { "active" } else { "disabled" };
                println!("{:<24} {:<12} {:<20} {:<8} {}", c.id, kind(&c), c.auth_method.as_str(), status, c.name);
            }
        }
        ClientCommand::Show { id } => {
            let c = clients
                .get(&id)
                .await
                .map_err(|e| CliError::Message(e.to_string()))?
                .ok_or_else(|| CliError::Message("client not found".into()))?;
            println!("client_id:      {}", c.id);
            println!("name:           {}", c.name);
            println!("kind:           {}", kind(&c));
            println!("auth_method:    {}", c.auth_method.as_str());
            println!("status:         {}", if c.active { "active" } else { "disabled" });
            println!("grant_types:    {}", c.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(" "));
            println!("scopes:         {}", c.scopes.join(" "));
            println!("approved:       {}", c.approved_claims.join(" "));
            println!("id_token_alg:   {}", c.id_token_alg.as_str());
            println!("sector:         {}", c.sector);
            for u in &c.redirect_uris {
                println!("redirect_uri:   {u}");
            }
            for u in &c.post_logout_redirect_uris {
                println!("post_logout:    {u}");
            }
            if let Some(u) = &c.backchannel_logout_uri {
                println!("backchannel:    {u}");
            }
        }
        ClientCommand::Disable { id } => {
            clients.set_active(&id, false, CLI).await.map_err(msg)?;
            println!("Klien dinonaktifkan. / Client disabled.");
        }
        ClientCommand::Enable { id } => {
            clients.set_active(&id, true, CLI).await.map_err(msg)?;
            println!("Klien diaktifkan. / Client enabled.");
        }
        ClientCommand::RotateSecret { id } => {
            let secret = clients.rotate_secret(&id, CLI).await.map_err(msg)?;
            println!("client_secret: {secret}");
        }
        ClientCommand::SetUris { id, redirect_uris, backchannel_logout_uri } => {
            clients.set_uris(&id, &redirect_uris, backchannel_logout_uri.as_deref(), CLI).await.map_err(msg)?;
            println!("redirect URIs of {id}: {}", redirect_uris.join(" "));
        }
    }
    Ok(())
}

fn kind(c: &Client) -> &'static str {
    match c.kind {
        ClientKind::Confidential => "confidential",
        ClientKind::Public => "public",
    }
}

fn new_client(a: ClientAddArgs) -> Result<NewClient, CliError> {
    let kind = if a.public { ClientKind::Public } else { ClientKind::Confidential };
    let auth_method = match a.auth_method.as_deref() {
        Some(m) => AuthMethod::parse(m).ok_or_else(|| CliError::Message(format!("unknown auth method {m}")))?,
        None if a.public => AuthMethod::None,
        None => AuthMethod::ClientSecretBasic,
    };
    let mut grant_types = Vec::new();
    for g in &a.grants {
        let name = if g == "token-exchange" { GrantType::TokenExchange.as_str() } else { g.as_str() };
        grant_types.push(GrantType::parse(name).ok_or_else(|| CliError::Message(format!("unknown grant type {g}")))?);
    }
    if grant_types.is_empty() {
        grant_types = if a.redirect_uris.is_empty() {
            vec![GrantType::ClientCredentials]
        } else {
            vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
        };
    }
    let scopes = if a.scopes.is_empty() {
        ["openid", "profile", "nip", "roles", "offline_access"].iter().map(|s| s.to_string()).collect()
    } else {
        a.scopes
    };
    let jwks = match &a.jwks_file {
        Some(path) => Some(std::fs::read_to_string(path).map_err(CliError::io(format!("read {}", path.display())))?),
        None => None,
    };
    Ok(NewClient {
        id: a.id,
        name: a.name,
        kind,
        auth_method,
        redirect_uris: a.redirect_uris,
        post_logout_redirect_uris: a.post_logout_redirect_uris,
        grant_types,
        scopes,
        approved_claims: a.approved_claims,
        id_token_alg: SigningAlg::parse(&a.id_token_alg)
            .ok_or_else(|| CliError::Message("id token alg must be ES256 or RS256".into()))?,
        sector: a.sector,
        jwks,
        backchannel_logout_uri: a.backchannel_logout_uri,
        skip_consent: a.skip_consent,
    })
}
