//! `gerbang check-config`: validates and prints the effective configuration, secrets hidden.

use gerbang_core::config::Config;
use secrecy::ExposeSecret;

use crate::error::CliError;

pub fn run(config: &Config) -> Result<(), CliError> {
    let text = toml::to_string_pretty(config).map_err(|e| CliError::Message(e.to_string()))?;
    println!("# Konfigurasi valid / configuration is valid");
    println!("# database: {}", config.database_display());
    let key = if !config.master_key.expose_secret().is_empty() {
        "master_key (set, hidden)".to_string()
    } else if let Some(p) = &config.master_key_file {
        format!("master_key_file {}", p.display())
    } else {
        format!("{} (generated on first start, embedded mode only)", config.data_dir.join("master.key").display())
    };
    println!("# master key: {key}");
    print!("{text}");
    Ok(())
}
