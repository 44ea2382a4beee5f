//! Demo accounts: created on first start, given fresh random passwords on every start.
//! The numbers are synthetic (well-formed, invented); no real person's NIP or NIK is used.

use gerbang_core::config::Config;
use gerbang_core::crypto::{PasswordHasher, random};
use gerbang_core::ids::{Nik, Nip};
use gerbang_core::store::AccountStatus;
use gerbang_idp::accounts::{AccountService, Actor, Identity, NewIdentity};
use gerbang_idp::oidc::client::{AuthMethod, ClientKind, ClientService, GrantType, NewClient};
use gerbang_idp::oidc::keys::SigningAlg;
use serde_json::json;

use crate::error::CliError;

const DEMO: Actor<'static> = Actor("demo");

struct Spec {
    label: &'static str,
    nip: Option<&'static str>,
    nik: Option<&'static str>,
    name: &'static str,
    roles: &'static [&'static str],
}

const SPECS: &[Spec] = &[
    Spec { label: "admin", nip: Some("198001012005011001"), nik: None, name: "Admin Diskominfo", roles: &["admin"] },
    Spec { label: "asn", nip: Some("199003152015032002"), nik: None, name: "Siti Rahmawati", roles: &[] },
    Spec { label: "asn-pppk", nip: Some("199207102022211003"), nik: None, name: "Budi Santoso", roles: &[] },
    Spec { label: "warga", nip: None, nik: Some("1374024107900001"), name: "Rina Marlina", roles: &[] },
    Spec { label: "warga-luar", nip: None, nik: Some("1371010512850002"), name: "Andi Pratama", roles: &[] },
];

pub struct SeededAccount {
    pub label: &'static str,
    pub kind: &'static str,
    /// NIP or NIK in clear: demo data, needed to sign in.
    pub identifier: String,
    pub name: &'static str,
    pub password: String,
    pub roles: &'static [&'static str],
}

impl SeededAccount {
    pub fn to_json(&self) -> serde_json::Value {
        let key = if self.kind == "asn" { "nip" } else { "nik" };
        json!({ "label": self.label, "kind": self.kind, key: self.identifier, "name": self.name,
                "password": self.password, "roles": self.roles })
    }
}

/// A demo client as `demo.json` lists it.
pub struct SeededClient {
    pub json: serde_json::Value,
}

/// Loopback redirect of RFC 8252 §7.3: any port, so any stock client on this machine can try
/// the provider at once.
const LOOPBACK_CALLBACK: &str = "http://127.0.0.1/callback";
const LOOPBACK_LOGGED_OUT: &str = "http://127.0.0.1/logged-out";

fn demo_clients() -> Vec<NewClient> {
    let person_scopes = |nik: bool| {
        let mut s: Vec<String> =
            ["openid", "profile", "nip", "roles", "offline_access"].iter().map(|s| s.to_string()).collect();
        if nik {
            s.push("nik".into());
        }
        s
    };
    vec![
        NewClient {
            id: Some("demo-rp".into()),
            name: "Aplikasi Demo (rahasia)".into(),
            kind: ClientKind::Confidential,
            auth_method: AuthMethod::ClientSecretBasic,
            redirect_uris: vec![LOOPBACK_CALLBACK.into()],
            post_logout_redirect_uris: vec![LOOPBACK_LOGGED_OUT.into()],
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken, GrantType::TokenExchange],
            scopes: person_scopes(true),
            approved_claims: vec!["nik".into()],
            id_token_alg: SigningAlg::Es256,
            sector: None,
            jwks: None,
            backchannel_logout_uri: None,
            skip_consent: false,
        },
        NewClient {
            id: Some("demo-public".into()),
            name: "Aplikasi Demo (publik, PKCE)".into(),
            kind: ClientKind::Public,
            auth_method: AuthMethod::None,
            redirect_uris: vec![LOOPBACK_CALLBACK.into()],
            post_logout_redirect_uris: vec![LOOPBACK_LOGGED_OUT.into()],
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            scopes: person_scopes(false),
            approved_claims: vec![],
            id_token_alg: SigningAlg::Es256,
            sector: None,
            jwks: None,
            backchannel_logout_uri: None,
            skip_consent: false,
        },
        NewClient {
            id: Some("demo-service".into()),
            name: "Layanan Demo (mesin ke mesin)".into(),
            kind: ClientKind::Confidential,
            auth_method: AuthMethod::ClientSecretBasic,
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            grant_types: vec![GrantType::ClientCredentials],
            scopes: vec!["simpeg:read".into(), "e-office:read".into()],
            approved_claims: vec![],
            id_token_alg: SigningAlg::Es256,
            sector: None,
            jwks: None,
            backchannel_logout_uri: None,
            skip_consent: true,
        },
    ]
}

/// Registers the demo clients on first start; secret-based ones get a new secret every start.
/// The gateway's own client: one redirect URI on the demo gateway's host, and its back-channel
/// logout URI, so signing out at the IdP ends the gateway session too.
pub fn gateway_client(gateway_url: &str) -> NewClient {
    NewClient {
        id: Some("gerbang-gateway".into()),
        name: "Gerbang (gateway aplikasi)".into(),
        kind: ClientKind::Confidential,
        auth_method: AuthMethod::ClientSecretBasic,
        redirect_uris: vec![format!("{gateway_url}/.gerbang/callback")],
        post_logout_redirect_uris: vec![],
        grant_types: vec![GrantType::AuthorizationCode],
        scopes: ["openid", "profile", "nip", "roles"].iter().map(|s| s.to_string()).collect(),
        approved_claims: vec![],
        id_token_alg: SigningAlg::Es256,
        sector: None,
        jwks: None,
        backchannel_logout_uri: Some(format!("{gateway_url}/.gerbang/backchannel-logout")),
        // The city's own gateway: people are not asked to consent to it.
        skip_consent: true,
    }
}

pub async fn seed_clients(config: &Config, gateway_url: &str) -> Result<Vec<SeededClient>, CliError> {
    let install = gerbang_core::bootstrap::open(config).await?;
    let clients = ClientService::new(install.store.clone(), config.demo);
    let fail = |e: gerbang_idp::oidc::client::ClientError| CliError::Message(format!("demo client: {e}"));
    let mut out = Vec::new();
    let mut all = demo_clients();
    all.push(gateway_client(gateway_url));
    for new in all {
        let id = new.id.clone().unwrap_or_default();
        let secret = match clients.get(&id).await.map_err(|e| CliError::Message(e.to_string()))? {
            Some(existing)
                if matches!(existing.auth_method, AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost) =>
            {
                // The demo's ports may differ from the last run.
                clients
                    .set_uris(&id, &new.redirect_uris, new.backchannel_logout_uri.as_deref(), DEMO)
                    .await
                    .map_err(fail)?;
                Some(clients.rotate_secret(&id, DEMO).await.map_err(fail)?)
            }
            Some(_) => None,
            None => clients.create(new.clone(), DEMO).await.map_err(fail)?.1,
        };
        out.push(SeededClient {
            json: json!({
                "client_id": id,
                "client_secret": secret,
                "name": new.name,
                "kind": if new.kind == ClientKind::Public { "public" } else { "confidential" },
                "token_endpoint_auth_method": new.auth_method.as_str(),
                "redirect_uris": new.redirect_uris,
                "post_logout_redirect_uris": new.post_logout_redirect_uris,
                "grant_types": new.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
                "scopes": new.scopes,
                "note": "redirect URIs on 127.0.0.1 accept any port (RFC 8252 §7.3)",
            }),
        });
    }
    install.store.close().await;
    Ok(out)
}

pub async fn seed(config: &Config) -> Result<Vec<SeededAccount>, CliError> {
    let install = gerbang_core::bootstrap::open(config).await?;
    let hasher = PasswordHasher::new(&config.password).map_err(|e| CliError::Message(e.to_string()))?;
    let accounts = AccountService::new(install.store.clone(), install.keys, hasher, config.password.min_length);
    let mut out = Vec::new();
    for spec in SPECS {
        let (identity, kind, identifier) = match (spec.nip, spec.nik) {
            (Some(nip), _) => {
                (Identity::Nip(Nip::parse(nip).map_err(|e| CliError::Message(format!("demo NIP: {e}")))?), "asn", nip)
            }
            (_, Some(nik)) => {
                (Identity::Nik(Nik::parse(nik).map_err(|e| CliError::Message(format!("demo NIK: {e}")))?), "warga", nik)
            }
            _ => unreachable!("every demo account has a NIP or a NIK"),
        };
        let password = random::token(9);
        match accounts.find(&identity).await? {
            Some(existing) => {
                accounts.set_password(&existing.id, &password, DEMO).await?;
                accounts.set_status(&existing.id, AccountStatus::Active, DEMO).await?;
            }
            None => {
                let roles = spec.roles.iter().map(|r| r.to_string()).collect();
                accounts
                    .create(
                        NewIdentity { identity, name: spec.name.into(), password: Some(password.clone()), roles },
                        DEMO,
                    )
                    .await?;
            }
        }
        out.push(SeededAccount {
            label: spec.label,
            kind,
            identifier: identifier.into(),
            name: spec.name,
            password,
            roles: spec.roles,
        });
    }
    install.store.close().await;
    Ok(out)
}
