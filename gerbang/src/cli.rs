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
    /// Manage OIDC clients (relying parties and machine clients).
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage the IdP's token signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Run everything with demo accounts and demo applications, ready to sign in.
    Demo(DemoArgs),
    /// Check the configuration and print it (secrets hidden).
    CheckConfig,
    /// Check the policy files (levels, networks, routes) and list what the gateway needs.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Check or export the hash-chained audit log (Pasal 21-22).
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The admin registers: OPDs, domains (Pasal 11), networks (Pasal 5), applications, data
    /// groups and their stewards (Pasal 12). Changes are audited under the actor `cli`.
    #[command(subcommand)]
    Register(RegisterCommand),
    /// Write an encrypted, authenticated backup of the running system (Pasal 21-22).
    Backup {
        /// A directory (a new file named by backend and time is written there) or a file path.
        #[arg(long, value_name = "PATH")]
        to: PathBuf,
    },
    /// Restore a backup into an empty database (same backend, same master key).
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Only check the backup whole (every chunk authenticated); write nothing.
        #[arg(long)]
        check: bool,
    },
    /// Civil servants (ASN) from the HR system (SIMPEG/BKPSDM).
    #[command(subcommand)]
    Asn(AsnCommand),
}

#[derive(Debug, Subcommand)]
pub enum AsnCommand {
    /// Import a CSV export of the HR system: creates, updates, moves between OPDs and disables
    /// (deprovisions) accounts. Columns: nip, nama, opd (required), status, email, telepon.
    /// Bad rows are listed and skipped; running the same file again changes nothing.
    Import {
        /// The CSV file (UTF-8, `,` or `;` separated, with a header row).
        file: PathBuf,
        /// Only show what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// List every row that changes (by default only the counts and the bad rows).
        #[arg(long)]
        details: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegisterCommand {
    /// List the OPDs (agencies), optionally those whose name starts with --q.
    Opds {
        #[arg(long, default_value = "")]
        q: String,
    },
    /// Register an OPD.
    AddOpd {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// sekretariat, dinas, badan, kecamatan, kelurahan, rsud, uptd or lainnya.
        #[arg(long)]
        kind: String,
    },
    /// List the registered domains.
    Domains,
    /// Register a domain or subdomain with its mayoral decree (Pasal 11).
    AddDomain {
        /// e.g. dukcapil.padangpanjang.go.id
        name: String,
        #[arg(long)]
        opd: Option<String>,
        #[arg(long)]
        decree_number: String,
        /// YYYY-MM-DD
        #[arg(long)]
        decree_date: String,
    },
    /// List the registered networks.
    Networks,
    /// Register a network of an OPD; overlapping ranges are refused (Pasal 5).
    AddNetwork {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        opd: String,
        /// A CIDR range; repeat for several.
        #[arg(long, required = true)]
        cidr: Vec<String>,
        /// Not part of the city network (does not count for levels with city_network = true).
        #[arg(long)]
        not_city: bool,
    },
    /// List the registered applications.
    Apps,
    /// List the data groups of Pasal 12(4) with their stewards.
    Groups,
    /// Appoint the steward (Wali Data) of a data group by NIP; without --nip, remove them.
    Steward {
        group: String,
        #[arg(long)]
        nip: Option<String>,
        /// The mayoral decree of the appointment.
        #[arg(long)]
        decree: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the whole chain; exit 1 naming the first record that was edited or deleted.
    Verify,
    /// Write every record as CSV to standard output.
    Export,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate policies_dir (or --dir); print the routes and the redirect URIs to register.
    Check {
        /// Directory to check instead of the configured policies_dir.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
        /// Check the files alone, without the database's registers (domains and networks).
        #[arg(long)]
        files_only: bool,
    },
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
    /// Lift a sign-in lock (too many failed attempts) before it expires.
    Unlock {
        #[command(flatten)]
        account: AccountRef,
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

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a client; prints its id and, for a secret-based client, the secret (once).
    Add(Box<ClientAddArgs>),
    /// List clients.
    List {
        #[arg(long, default_value = "")]
        after: String,
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=1000))]
        limit: i64,
    },
    /// Show one client.
    Show { id: String },
    /// Disable a client: it can no longer sign people in or get tokens.
    Disable { id: String },
    /// Enable a disabled client.
    Enable { id: String },
    /// Replace a client's secret; the old one stops working at once.
    RotateSecret { id: String },
    /// Replace a client's redirect URIs (and back-channel logout URI), e.g. when the gateway
    /// gains a routed host (`gerbang policy check` lists the URIs it needs).
    SetUris {
        id: String,
        /// Redirect URI (repeatable); the list replaces the registered one.
        #[arg(long = "redirect-uri", value_name = "URI")]
        redirect_uris: Vec<String>,
        /// Back-channel logout URI; omitted means none.
        #[arg(long, value_name = "URI")]
        backchannel_logout_uri: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ClientAddArgs {
    /// Name shown to people on the consent page.
    #[arg(long)]
    pub name: String,
    /// Client id (default: random).
    #[arg(long)]
    pub id: Option<String>,
    /// A public client (browser or native app): no secret, PKCE required.
    #[arg(long)]
    pub public: bool,
    /// client_secret_basic (default for confidential), client_secret_post, private_key_jwt, none (public).
    #[arg(long, value_name = "METHOD")]
    pub auth_method: Option<String>,
    /// Redirect URI (repeatable); exact match, except any port on loopback IPs (RFC 8252).
    #[arg(long = "redirect-uri", value_name = "URI")]
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may return (repeatable).
    #[arg(long = "post-logout-redirect-uri", value_name = "URI")]
    pub post_logout_redirect_uris: Vec<String>,
    /// authorization_code, refresh_token, client_credentials, token-exchange (repeatable).
    #[arg(long = "grant", value_name = "GRANT")]
    pub grants: Vec<String>,
    /// Allowed scope (repeatable); default: openid profile nip roles offline_access.
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// A claim approved for this client beyond the defaults, e.g. nik (repeatable).
    #[arg(long = "approve-claim", value_name = "CLAIM")]
    pub approved_claims: Vec<String>,
    /// ES256 (default) or RS256.
    #[arg(long, default_value = "ES256")]
    pub id_token_alg: String,
    /// Sector of citizens' pairwise subjects (default: the client id).
    #[arg(long)]
    pub sector: Option<String>,
    /// JWK set file with the client's public keys (private_key_jwt).
    #[arg(long, value_name = "FILE")]
    pub jwks_file: Option<std::path::PathBuf>,
    /// Back-channel logout URI.
    #[arg(long, value_name = "URI")]
    pub backchannel_logout_uri: Option<String>,
    /// Skip the consent page (first-party applications of the city).
    #[arg(long)]
    pub skip_consent: bool,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new active signing key; the old one stays published until its tokens expire.
    Rotate {
        /// ES256 or RS256 (default: both).
        #[arg(long)]
        alg: Option<String>,
    },
    /// List the published signing keys and the data-key generations.
    List,
    /// Change the master key without downtime, in two steps. Step 1 (old key configured): the
    /// new key is given and opens the keyring too. Then restart every replica with the new key,
    /// one by one. Step 2 (`--finish`, new key configured): the old key is forgotten and the
    /// stored secrets are rewritten under a new data key.
    RotateMaster {
        /// Step 1: a file holding the new master key (base64 of 32 random bytes, e.g. from
        /// `openssl rand -base64 32`).
        #[arg(long, value_name = "FILE", required_unless_present = "finish", conflicts_with = "finish")]
        new_key_file: Option<PathBuf>,
        /// Step 2, run with the new key configured, after every replica was restarted with it.
        #[arg(long)]
        finish: bool,
        /// With --finish, when the old key leaked: refuse at once the gateway cookies, challenges
        /// and codes made under the old data key (everyone signs in to the gateway again), instead
        /// of accepting them for 24 hours more.
        #[arg(long, requires = "finish")]
        no_grace: bool,
    },
    /// Rewrite any stored secret not yet under the current data key (safe to run again).
    Reseal,
}
