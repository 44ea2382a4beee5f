//! Command-line interface of `gerbang` (clap).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "gerbang", version, about = "Gerbang: SSO dan gerbang akses Pemerintah Kota Padang Panjang")]
pub struct Cli {
    /// Configuration file (default: ./gerbang.toml when present).
    #[arg(long, global = true, env = "GERBANG_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (SQLite database, generated master key). Also GERBANG_DATA_DIR.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Language of messages: id (Bahasa Indonesia, default) or en.
    #[arg(long, global = true, value_enum, default_value_t = CliLang::Id)]
    pub lang: CliLang,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CliLang {
    Id,
    En,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the identity provider and the gateway (or one of them).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Run everything with demo accounts and demo applications, ready to sign in.
    Demo(DemoArgs),
    /// Check the configuration and print it (secrets hidden).
    CheckConfig,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Part {
    Idp,
    Proxy,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Run only one part.
    #[arg(long, value_enum)]
    pub only: Option<Part>,
    /// Address of the IdP (overrides idp.listen).
    #[arg(long, value_name = "ADDR")]
    pub idp_listen: Option<SocketAddr>,
    /// Address of the gateway (overrides proxy.listen).
    #[arg(long, value_name = "ADDR")]
    pub proxy_listen: Option<SocketAddr>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address of the IdP; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub idp_listen: SocketAddr,
    /// Address of the gateway; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
    pub proxy_listen: SocketAddr,
    /// Address of the demo applications behind the gateway; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub apps_listen: SocketAddr,
}

/// How a command names an existing account.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct AccountRef {
    /// The account's current NIP.
    #[arg(long, value_name = "NIP")]
    pub nip: Option<String>,
    /// The account's NIK.
    #[arg(long, value_name = "NIK")]
    pub nik: Option<String>,
    /// The internal account id (subject).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
}

#[derive(Debug, Args)]
pub struct PasswordInput {
    /// The password (visible to other local users in the process list: prefer --password-stdin).
    #[arg(long, value_name = "PASSWORD", conflicts_with = "password_stdin")]
    pub password: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an ASN account (--nip) or a citizen account (--nik).
    Add {
        #[command(flatten)]
        key: NewKey,
        /// Full name.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        password: PasswordInput,
        /// Role to give (admin, developer, verifikator, wali_data); repeatable.
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
    },
    /// List accounts (NIK shown masked), a page at a time.
    List {
        /// Show accounts after this id (the last id of the previous page).
        #[arg(long, default_value = "")]
        after: String,
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=1000))]
        limit: i64,
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one account, with its NIP history.
    Show {
        #[command(flatten)]
        account: AccountRef,
    },
    /// Disable an account and end its sessions.
    Disable {
        #[command(flatten)]
        account: AccountRef,
    },
    /// Enable a disabled account.
    Enable {
        #[command(flatten)]
        account: AccountRef,
    },
    /// Set a new password (ends the account's sessions).
    SetPassword {
        #[command(flatten)]
        account: AccountRef,
        #[command(flatten)]
        password: PasswordInput,
    },
    /// Move an ASN account to a new NIP (e.g. PPPK appointed PNS), keeping the account.
    Rekey {
        #[command(flatten)]
        account: AccountRef,
        /// The new NIP.
        #[arg(long, value_name = "NIP")]
        new_nip: String,
    },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct NewKey {
    /// NIP (18 digits) of a civil servant.
    #[arg(long, value_name = "NIP")]
    pub nip: Option<String>,
    /// NIK (16 digits) of a citizen.
    #[arg(long, value_name = "NIK")]
    pub nik: Option<String>,
}
