//! `gerbang keys …`: rotating the IdP's token signing keys, and the master key.

use std::io::{IsTerminal, Write};

use gerbang_core::config::Config;
use gerbang_core::crypto::MasterKey;
use gerbang_core::keyring::reseal::{ResealCount, reseal};
use gerbang_core::keyring::{DataKeys, FOLLOW_EVERY, KeyringError};
use gerbang_core::store::{KeyringStore, SealedKind, SigningKeyStore, Store, now_unix};
use gerbang_idp::oidc::keys::{KeyRing, SigningAlg};

use crate::cli::KeysCommand;
use crate::error::CliError;

pub async fn run(config: &Config, command: KeysCommand) -> Result<(), CliError> {
    gerbang_core::telemetry::init(&gerbang_core::config::LogConfig { level: "warn".into(), ..config.log.clone() });
    let install = gerbang_core::bootstrap::open(config).await?;
    let store = install.store.clone();
    let result = match command {
        KeysCommand::Rotate { alg } => rotate_signing(config, &install.store, &install.keys, alg).await,
        KeysCommand::List => list(&install.store, &install.keys).await,
        KeysCommand::RotateMaster { new_key_file: Some(path), .. } => {
            let new = MasterKey::from_file(&path).map_err(|e| CliError::Message(e.to_string()))?;
            begin_master_rotation(&install.ring, &install.store, &new).await
        }
        KeysCommand::RotateMaster { new_key_file: None, no_grace, .. } => {
            finish_master_rotation(&install.ring, &install.store, no_grace).await
        }
        KeysCommand::Reseal => reseal_all(&install.ring, &install.store).await,
    };
    store.close().await;
    result
}

fn keyring_error(e: KeyringError) -> CliError {
    CliError::Message(e.to_string())
}

fn store_error(e: impl std::fmt::Display) -> CliError {
    CliError::Message(e.to_string())
}

async fn rotate_signing(
    config: &Config,
    store: &Store,
    keys: &gerbang_core::crypto::Keys,
    alg: Option<String>,
) -> Result<(), CliError> {
    let err = |e: gerbang_idp::oidc::keys::KeyError| CliError::Message(e.to_string());
    let ring = KeyRing::open(store.clone(), keys.signing_key_sealer.clone()).await.map_err(err)?;
    let algs = match alg.as_deref() {
        None => SigningAlg::ALL.to_vec(),
        Some(a) => vec![SigningAlg::parse(a).ok_or_else(|| CliError::Message("alg must be ES256 or RS256".into()))?],
    };
    // The old key verifies tokens until the longest-lived one it signed has expired.
    let o = &config.oidc;
    let keep = o.access_token_ttl_secs.max(o.id_token_ttl_secs) + 300;
    for alg in algs {
        let kid = ring.rotate(alg, keep).await.map_err(err)?;
        println!(
            "{}: kunci baru / new key {kid}; kunci lama tetap di JWKS {keep} detik / old key stays in the JWKS for {keep} s",
            alg.as_str()
        );
    }
    Ok(())
}

async fn list(store: &Store, keys: &gerbang_core::crypto::Keys) -> Result<(), CliError> {
    // Opening the signing keys makes the first ones on a new installation, as `serve` would.
    KeyRing::open(store.clone(), keys.signing_key_sealer.clone()).await.map_err(store_error)?;
    let mut db = store.conn().await.map_err(store_error)?;
    println!("Kunci penandatangan token / token signing keys:");
    for k in db.published_signing_keys(now_unix()).await.map_err(store_error)? {
        let state = match k.remove_after {
            None => "active".to_string(),
            Some(t) => format!("retired, published until {t}"),
        };
        println!("  {:<18} {:<6} {state}", k.kid, k.alg);
    }
    println!("Generasi kunci data / data-key generations:");
    for g in db.data_keys().await.map_err(store_error)? {
        let retired = g.retired_at.map(|t| format!(", retired at {t}")).unwrap_or_default();
        println!("  {:<4} {:<8} created at {}{retired}", g.generation, g.state, g.created_at);
    }
    Ok(())
}

async fn begin_master_rotation(ring: &DataKeys, store: &Store, new: &MasterKey) -> Result<(), CliError> {
    let started = ring.begin_rotation(store, new).await.map_err(keyring_error)?;
    let again = if started.resumed { " (sudah dimulai sebelumnya / had been started before)" } else { "" };
    println!(
        "Langkah 1 selesai{again}: kunci master baru kini membuka {} generasi kunci data; generasi {} menunggu.\n\
         Step 1 done{again}: the new master key now opens {} data-key generation(s); generation {} is waiting.\n\
         \n\
         Berikutnya / next:\n\
         1. Pasang kunci baru di setiap replika dan mulai ulang satu per satu.\n   \
            Put the new key on every replica and restart them one by one.\n\
         2. Jalankan / run: gerbang keys rotate-master --finish (dengan kunci baru / with the new key configured)",
        started.wrapped, started.next, started.wrapped, started.next
    );
    Ok(())
}

async fn finish_master_rotation(ring: &DataKeys, store: &Store, no_grace: bool) -> Result<(), CliError> {
    let finished = ring.finish_rotation(store, no_grace).await.map_err(keyring_error)?;
    println!(
        "Generasi {} kini aktif, generasi {} pensiun; {} bungkus kunci master lama dihapus.\n\
         Generation {} is now current, generation {} retired; {} wrapping(s) by the old master key deleted.",
        finished.current, finished.retired, finished.forgotten, finished.current, finished.retired, finished.forgotten
    );
    // Running replicas take the new generation up within FOLLOW_EVERY; values they seal
    // meanwhile are rewritten below (or by `gerbang keys reseal`).
    let wait = FOLLOW_EVERY + std::time::Duration::from_secs(1);
    eprintln!(
        "Menunggu {} detik agar replika memakai kunci data baru / waiting {} s for replicas to take the new data key",
        wait.as_secs(),
        wait.as_secs()
    );
    tokio::time::sleep(wait).await;
    reseal_all(ring, store).await
}

async fn reseal_all(ring: &DataKeys, store: &Store) -> Result<(), CliError> {
    ring.reload(store).await.map_err(keyring_error)?;
    let terminal = std::io::stderr().is_terminal();
    let mut unreadable = 0;
    for kind in SealedKind::ALL {
        let label = kind.label();
        let show = |c: &ResealCount| {
            let mut err = std::io::stderr();
            let line = format!("{label}: {} diperiksa / checked, {} ditulis ulang / rewritten", c.checked, c.rewritten);
            let _ = if terminal { write!(err, "\r{line}   ") } else { writeln!(err, "{line}") };
        };
        let count = reseal(store, ring.keys(), kind, show).await.map_err(store_error)?;
        if terminal {
            eprintln!();
        }
        println!(
            "{label}: {} diperiksa / checked, {} ditulis ulang / rewritten, {} tak terbuka / unreadable",
            count.checked, count.rewritten, count.unreadable
        );
        unreadable += count.unreadable;
    }
    if unreadable > 0 {
        return Err(CliError::Message(format!(
            "{unreadable} nilai tersegel tidak terbuka dan dibiarkan (lihat log) / {unreadable} sealed value(s) did not open and were left as they are (see the log)"
        )));
    }
    Ok(())
}
