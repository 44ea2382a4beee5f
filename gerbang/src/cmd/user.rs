//! `gerbang user …`: account administration from the command line, through the account service.

use std::io::BufRead;

use gerbang_core::config::Config;
use gerbang_core::crypto::PasswordHasher;
use gerbang_core::ids::{Nik, Nip};
use gerbang_core::lang::{Lang, Localized};
use gerbang_core::store::AccountStatus;
use gerbang_idp::accounts::{AccountError, AccountService, Actor, Identity, NewIdentity};
use gerbang_idp::login::throttle::Throttle;
use zeroize::Zeroizing;

use crate::cli::{AccountRef, PasswordInput, UserCommand};
use crate::error::CliError;

const CLI: Actor<'static> = Actor("cli");

pub async fn run(config: &Config, command: UserCommand, lang: Lang) -> Result<(), CliError> {
    gerbang_core::telemetry::init(&gerbang_core::config::LogConfig { level: "warn".into(), ..config.log.clone() });
    let install = gerbang_core::bootstrap::open(config).await?;
    let hasher = PasswordHasher::new(&config.password).map_err(|e| CliError::Message(e.to_string()))?;
    let throttle = Throttle::new(install.store.clone(), install.keys.throttle.clone(), config.throttle.clone());
    let accounts = AccountService::new(install.store.clone(), install.keys, hasher, config.password.min_length);
    let result = dispatch(&accounts, &throttle, command, lang).await;
    install.store.close().await;
    result
}

async fn dispatch(
    accounts: &AccountService,
    throttle: &Throttle,
    command: UserCommand,
    lang: Lang,
) -> Result<(), CliError> {
    match command {
        UserCommand::Add { key, name, password, roles } => {
            // Validate everything the person typed before asking for a password on stdin.
            let identity = match (key.nip, key.nik) {
                (Some(nip), _) => Identity::Nip(Nip::parse(&nip).map_err(AccountError::InvalidNip)?),
                (_, Some(nik)) => Identity::Nik(Nik::parse(&nik).map_err(AccountError::InvalidNik)?),
                (None, None) => unreachable!("clap requires --nip or --nik"),
            };
            for warning in identity_warnings(&identity, lang) {
                eprintln!("{}: {warning}", say(lang, "peringatan", "warning"));
            }
            let password = read_password(&password)?;
            let shown = identity.display();
            let id = accounts
                .create(NewIdentity { identity, name, password: password.map(|p| p.to_string()), roles }, CLI)
                .await?;
            println!("{} {shown} (id {id})", say(lang, "Akun dibuat:", "Account created:"));
        }
        UserCommand::List { after, limit, json } => {
            let items = accounts.list(&after, limit).await?;
            for item in &items {
                if json {
                    let line = serde_json::json!({ "id": item.id, "kind": item.kind.as_str(), "name": item.display_name,
                        "status": item.status.as_str(), "identifier": item.identifier });
                    println!("{line}");
                } else {
                    println!(
                        "{:<22}  {:<5}  {:<18}  {:<8}  {}",
                        item.id,
                        item.kind.as_str(),
                        item.identifier,
                        item.status.as_str(),
                        item.display_name
                    );
                }
            }
            if !json {
                let total = accounts.count().await?;
                eprintln!("{} {} / {total}", say(lang, "ditampilkan", "shown"), items.len());
                if items.len() as i64 == limit
                    && let Some(last) = items.last()
                {
                    eprintln!("{} --after {}", say(lang, "halaman berikutnya:", "next page:"), last.id);
                }
            }
        }
        UserCommand::Show { account } => {
            let id = resolve(accounts, &account).await?;
            let view = accounts.view(&id).await?;
            println!("id:      {}", view.account.id);
            println!("{} {}", say(lang, "nama:   ", "name:   "), view.account.display_name);
            println!("{} {}", say(lang, "jenis:  ", "kind:   "), view.account.kind.as_str());
            println!("status:  {}", view.account.status.as_str());
            if let Some(nik) = &view.nik_masked {
                println!("NIK:     {nik}");
            }
            for r in &view.nip_history {
                let state =
                    if r.valid_to.is_none() { say(lang, "berlaku", "current") } else { say(lang, "lama", "former") };
                println!("NIP:     {} ({}, {state})", r.nip, r.jenis_pegawai);
            }
            if !view.roles.is_empty() {
                println!("{} {}", say(lang, "peran:  ", "roles:  "), view.roles.join(", "));
            }
        }
        UserCommand::Disable { account } => {
            let id = resolve(accounts, &account).await?;
            let changed = accounts.set_status(&id, AccountStatus::Disabled, CLI).await?;
            println!(
                "{}",
                if changed {
                    say(lang, "Akun dinonaktifkan.", "Account disabled.")
                } else {
                    say(lang, "Akun sudah nonaktif.", "Account was already disabled.")
                }
            );
        }
        UserCommand::Enable { account } => {
            let id = resolve(accounts, &account).await?;
            let changed = accounts.set_status(&id, AccountStatus::Active, CLI).await?;
            println!(
                "{}",
                if changed {
                    say(lang, "Akun diaktifkan.", "Account enabled.")
                } else {
                    say(lang, "Akun sudah aktif.", "Account was already active.")
                }
            );
        }
        UserCommand::SetPassword { account, password } => {
            let id = resolve(accounts, &account).await?;
            let Some(password) = read_password(&password)? else {
                return Err(CliError::Message(
                    say(lang, "berikan --password atau --password-stdin", "give --password or --password-stdin").into(),
                ));
            };
            accounts.set_password(&id, &password, CLI).await?;
            println!(
                "{}",
                say(
                    lang,
                    "Kata sandi diganti; semua sesi akun ini diakhiri.",
                    "Password changed; all sessions of this account ended."
                )
            );
        }
        UserCommand::Unlock { account } => {
            let id = resolve(accounts, &account).await?;
            let view = accounts.view(&id).await?;
            // The lock is keyed on what people type: the current NIP, or the NIK.
            let digits = match (view.nip, accounts.nik_of(&id).await?) {
                (Some(nip), _) => nip,
                (None, Some(nik)) => nik.expose().to_string(),
                (None, None) => return Err(AccountError::NotFound.into()),
            };
            let lifted = throttle.unlock(&digits).await.map_err(|e| CliError::Message(e.to_string()))?;
            println!(
                "{}",
                if lifted {
                    say(lang, "Kunci masuk dibuka.", "Sign-in lock lifted.")
                } else {
                    say(lang, "Akun ini tidak terkunci.", "This account was not locked.")
                }
            );
        }
        UserCommand::Rekey { account, new_nip } => {
            let id = resolve(accounts, &account).await?;
            let nip = Nip::parse(&new_nip).map_err(AccountError::InvalidNip)?;
            accounts.rekey_nip(&id, &nip, CLI).await?;
            println!(
                "{} {} ({})",
                say(lang, "NIP akun sekarang", "The account's NIP is now"),
                nip.as_str(),
                nip.info().jenis.as_str()
            );
        }
    }
    Ok(())
}

async fn resolve(accounts: &AccountService, r: &AccountRef) -> Result<String, CliError> {
    let identity = match (&r.nip, &r.nik, &r.id) {
        (Some(nip), _, _) => Identity::Nip(Nip::parse(nip).map_err(AccountError::InvalidNip)?),
        (_, Some(nik), _) => Identity::Nik(Nik::parse(nik).map_err(AccountError::InvalidNik)?),
        (_, _, Some(id)) => {
            return Ok(accounts.by_id(id).await?.ok_or(AccountError::NotFound)?.id);
        }
        _ => unreachable!("clap requires one of --nip, --nik, --id"),
    };
    Ok(accounts.require(&identity).await?.id)
}

fn identity_warnings(identity: &Identity, lang: Lang) -> Vec<String> {
    match identity {
        Identity::Nip(nip) => {
            let today = time::OffsetDateTime::now_utc().date();
            nip.warnings_at(today).iter().map(|w| w.message(lang)).collect()
        }
        Identity::Nik(nik) => nik.warnings().iter().map(|w| w.message(lang)).collect(),
    }
}

fn read_password(input: &PasswordInput) -> Result<Option<Zeroizing<String>>, CliError> {
    if let Some(p) = &input.password {
        return Ok(Some(Zeroizing::new(p.clone())));
    }
    if !input.password_stdin {
        return Ok(None);
    }
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line).map_err(CliError::io("read password from stdin"))?;
    let trimmed = line.trim_end_matches(['\r', '\n']);
    Ok(Some(Zeroizing::new(trimmed.to_string())))
}

fn say(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}
