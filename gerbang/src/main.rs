//! `gerbang`: one binary that serves the IdP and the gateway, migrates, and administers.
//! Errors end as one readable line on stderr and a non-zero exit code.

mod cli;
mod cmd;
mod demo;
mod error;

use std::process::ExitCode;

use clap::Parser;
use gerbang_core::config::{Config, ConfigSource};
use gerbang_core::lang::Lang;

use crate::cli::{Cli, CliLang, Command};
use crate::error::CliError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = match cli.lang {
        CliLang::Id => Lang::Id,
        CliLang::En => Lang::En,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gerbang: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, lang)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gerbang: {}", e.message(lang));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, lang: Lang) -> Result<(), CliError> {
    let config = load_config(&cli)?;
    match cli.command {
        Command::CheckConfig => cmd::check_config::run(&config),
        Command::Policy(command) => cmd::policy::run(&config, command).await,
        Command::Audit(command) => cmd::audit::run(&config, command).await,
        Command::Register(command) => cmd::register::run(&config, command, lang).await,
        Command::Migrate => cmd::migrate::run(&config).await,
        Command::Asn(command) => cmd::asn::run(&config, command, lang).await,
        Command::Backup { to } => cmd::backup::backup(&config, &to, lang).await,
        Command::Restore { file, check } => cmd::backup::restore(&config, &file, check, lang).await,
        Command::Serve(args) => cmd::serve::run(config, args).await,
        Command::User(command) => cmd::user::run(&config, command, lang).await,
        Command::Client(command) => cmd::client::run(&config, command).await,
        Command::Keys(command) => cmd::keys::run(&config, command).await,
        Command::Demo(args) => demo::run(config, args).await,
    }
}

/// Defaults → file → environment → flags, then validation.
fn load_config(cli: &Cli) -> Result<Config, CliError> {
    let mut config = Config::load(&ConfigSource { file: cli.config.clone() })?;
    if let Some(dir) = &cli.data_dir {
        config.data_dir = dir.clone();
    }
    config.validate()?;
    Ok(config)
}
