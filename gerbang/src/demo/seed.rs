//! Demo accounts: created on first start, given fresh random passwords on every start.
//! The numbers are synthetic (well-formed, invented); no real person's NIP or NIK is used.

use gerbang_core::config::Config;
use gerbang_core::crypto::{PasswordHasher, random};
use gerbang_core::ids::{Nik, Nip};
use gerbang_core::store::AccountStatus;
use gerbang_idp::accounts::{AccountService, Actor, Identity, NewIdentity};
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
