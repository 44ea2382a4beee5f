//! `gerbang keys …`: rotating the IdP's token signing keys.

use gerbang_core::config::Config;
use gerbang_core::store::{SigningKeyStore, now_unix};
use gerbang_idp::oidc::keys::{KeyRing, SigningAlg};

use crate::cli::KeysCommand;
use crate::error::CliError;

pub async fn run(config: &Config, command: KeysCommand) -> Result<(), CliError> {
    gerbang_core::telemetry::init(&gerbang_core::config::LogConfig { level: "warn".into(), ..config.log.clone() });
    let install = gerbang_core::bootstrap::open(config).await?;
    let err = |e: gerbang_idp::oidc::keys::KeyError| CliError::Message(e.to_string());
    let ring = KeyRing::open(install.store.clone(), install.keys.signing_key_sealer.clone()).await.map_err(err)?;
    match command {
        KeysCommand::Rotate { alg } => {
            let algs = match alg.as_deref() {
                None => SigningAlg::ALL.to_vec(),
                Some(a) => {
                    vec![SigningAlg::parse(a).ok_or_else(|| CliError::Message("alg must be ES256 or RS256".into()))?]
                }
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
        }
        KeysCommand::List => {
            let keys = install
                .store
                .conn()
                .await
                .map_err(|e| CliError::Message(e.to_string()))?
                .published_signing_keys(now_unix())
                .await
                .map_err(|e| CliError::Message(e.to_string()))?;
            for k in keys {
                let state = match k.remove_after {
                    None => "active".to_string(),
                    Some(t) => format!("retired, published until {t}"),
                };
                println!("{:<18} {:<6} {state}", k.kid, k.alg);
            }
        }
    }
    install.store.close().await;
    Ok(())
}
