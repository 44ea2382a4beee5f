//! `gerbang register …`: the admin registers from the command line (OPDs, domains, networks,
//! applications, data groups and their stewards), over the same service as the admin pages
//! and the API, as an administrator audited under the actor `cli`.

use gerbang_core::config::Config;
use gerbang_core::crypto::PasswordHasher;
use gerbang_core::lang::{Lang, Localized};
use gerbang_core::store::Cursor;
use gerbang_idp::accounts::AccountService;
use gerbang_idp::admin::domain::DomainInput;
use gerbang_idp::admin::network::NetworkInput;
use gerbang_idp::admin::opd::OpdInput;
use gerbang_idp::admin::stewardship::StewardInput;
use gerbang_idp::admin::{Admin, AdminError, Principal};
use gerbang_idp::oidc::client::ClientService;

use crate::cli::RegisterCommand;
use crate::error::CliError;

pub async fn run(config: &Config, command: RegisterCommand, lang: Lang) -> Result<(), CliError> {
    gerbang_core::telemetry::init(&gerbang_core::config::LogConfig { level: "warn".into(), ..config.log.clone() });
    let install = gerbang_core::bootstrap::open(config).await?;
    let hasher = PasswordHasher::new(&config.password).map_err(|e| CliError::Message(e.to_string()))?;
    let accounts = AccountService::new(install.store.clone(), install.keys, hasher, config.password.min_length);
    let clients = ClientService::new(install.store.clone(), config.demo);
    let admin = Admin::new(install.store.clone(), accounts, clients, Some(config.policies_dir.clone()));
    let result = dispatch(&admin, command).await.map_err(|e| CliError::Message(e.message(lang)));
    install.store.close().await;
    result
}

async fn dispatch(admin: &Admin, command: RegisterCommand) -> Result<(), AdminError> {
    let who = Principal::operator();
    match command {
        RegisterCommand::Opds { q } => {
            let mut after = Cursor::default();
            loop {
                let page = admin.opds(&who, &q, &after).await?;
                let Some(last) = page.last() else { break };
                after = Cursor { key: last.name_key.clone(), id: last.id.clone() };
                for o in &page {
                    println!("{:<24} {:<10} {:<8} {}", o.id, o.kind, o.status, o.name);
                }
            }
        }
        RegisterCommand::AddOpd { id, name, kind } => {
            let o = admin.create_opd(&who, &OpdInput { id, name, kind, status: String::new() }).await?;
            println!("OPD {} terdaftar / registered", o.id);
        }
        RegisterCommand::Domains => {
            let mut after = String::new();
            loop {
                let page = admin.domains(&who, "", &after).await?;
                let Some(last) = page.last() else { break };
                after = last.name.clone();
                for d in &page {
                    let opd = d.opd_id.as_deref().unwrap_or("-");
                    println!("{:<40} {:<16} {:<8} {} ({})", d.name, opd, d.status, d.decree_number, d.decree_date);
                }
            }
        }
        RegisterCommand::AddDomain { name, opd, decree_number, decree_date } => {
            let input = DomainInput {
                name,
                opd_id: opd.unwrap_or_default(),
                decree_number,
                decree_date,
                status: String::new(),
                note: String::new(),
            };
            let d = admin.create_domain(&who, &input).await?;
            println!("domain {} terdaftar / registered", d.name);
        }
        RegisterCommand::Networks => {
            let mut after = String::new();
            loop {
                let page = admin.networks(&who, &after).await?;
                let Some(last) = page.last() else { break };
                after = last.id.clone();
                for n in &page {
                    let city = if n.city { "city" } else { "-" };
                    println!("{:<20} {:<16} {:<5} {}", n.id, n.opd_id, city, n.cidrs.replace('\n', ", "));
                }
            }
        }
        RegisterCommand::AddNetwork { id, name, opd, cidr, not_city } => {
            let input = NetworkInput { id, name, opd_id: opd, cidrs: cidr.join("\n"), city: !not_city };
            let n = admin.create_network(&who, &input).await?;
            println!("jaringan {} terdaftar / network registered: {}", n.id, n.cidrs.replace('\n', ", "));
        }
        RegisterCommand::Apps => {
            let mut after = Cursor::default();
            loop {
                let page = admin.applications(&who, "", "", &after).await?;
                let Some(last) = page.last() else { break };
                after = Cursor { key: last.name_key.clone(), id: last.id.clone() };
                for a in &page {
                    println!("{:<16} {:<7} {:<16} {:<12} {}", a.id, a.kind, a.opd_id, a.onboarding, a.name);
                }
            }
        }
        RegisterCommand::Groups => {
            for g in admin.data_groups(&who).await? {
                let steward = g.steward_id.as_deref().unwrap_or("-");
                println!("{:<3} {:<24} {:<24} {}", g.letter, g.id, steward, g.name);
            }
        }
        RegisterCommand::Steward { group, nip, decree } => {
            let input = StewardInput { steward_nip: nip.unwrap_or_default(), decree_ref: decree.unwrap_or_default() };
            let g = admin.appoint_steward(&who, &group, &input).await?;
            match g.steward_id {
                Some(s) => println!("Wali Data {} : akun {s} / account {s}", g.id),
                None => println!("Wali Data {} dicabut / removed", g.id),
            }
        }
    }
    Ok(())
}
