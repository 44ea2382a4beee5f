//! The one typed configuration of Gerbang: defaults, then `gerbang.toml`, then `GERBANG_*`
//! environment variables (`__` nests), then command-line flags; validated once at start.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

/// Environment variables with the `GERBANG_` prefix that are not configuration keys.
const NON_CONFIG_ENV: &[&str] = &["CONFIG", "LOG", "TEST_DATABASE_URL"];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Parsing or type error; figment's message names the key and the source (file or env).
    #[error("{0}")]
    Load(String),
    #[error("configuration key `{key}`: {reason}")]
    Invalid { key: &'static str, reason: String },
    #[error("configuration file {path} not found")]
    FileMissing { path: PathBuf },
}

/// The whole configuration. Every key is documented in `gerbang.toml.example`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Directory holding the SQLite database, the generated master key and other state.
    pub data_dir: PathBuf,
    /// `postgres://…` selects PostgreSQL; empty means the embedded SQLite file in `data_dir`.
    #[serde(serialize_with = "ser_secret", deserialize_with = "de_secret")]
    pub database_url: SecretString,
    /// Base64 of 32 random bytes. Prefer `master_key_file`; with neither, embedded mode
    /// generates `data_dir/master.key` on first start.
    #[serde(serialize_with = "ser_secret", deserialize_with = "de_secret")]
    pub master_key: SecretString,
    pub master_key_file: Option<PathBuf>,
    /// Demo mode: allows `localhost` redirect URIs and gateway hosts, seeds demo data.
    pub demo: bool,
    /// Directory with the policy TOML files (levels; routes and networks with the gateway).
    pub policies_dir: PathBuf,
    pub idp: IdpConfig,
    pub proxy: ProxyConfig,
    pub password: PasswordConfig,
    pub session: SessionConfig,
    pub oidc: OidcConfig,
    pub throttle: ThrottleConfig,
    pub webauthn: WebauthnConfig,
    pub registration: RegistrationConfig,
    pub accounts: AccountsConfig,
    pub mail: MailConfig,
    pub sms: SmsConfig,
    pub log: LogConfig,
    pub metrics: MetricsConfig,
}

/// Who may read `/metrics` (Prometheus) on the IdP and the gateway.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Addresses or CIDR ranges allowed to scrape; others get 404. Loopback by default.
    pub allow: Vec<String>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig { allow: vec!["127.0.0.0/8".into(), "::1/128".into()] }
    }
}

impl MetricsConfig {
    /// The allowed networks (checked by `Config::validate`; a bad entry is skipped here).
    pub fn networks(&self) -> Vec<ipnet::IpNet> {
        self.allow.iter().filter_map(|c| parse_net(c)).collect()
    }
}

fn parse_net(cidr: &str) -> Option<ipnet::IpNet> {
    cidr.parse::<ipnet::IpNet>().or_else(|_| cidr.parse::<std::net::IpAddr>().map(ipnet::IpNet::from)).ok()
}

/// Citizens' self-registration, contact proof and password reset.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistrationConfig {
    /// Citizens may register themselves with their NIK (`/daftar`).
    pub enabled: bool,
    /// Work asked of the browser before a registration is accepted (leading zero bits of a
    /// SHA-256; each bit doubles it). 16 takes well under a second on a phone.
    pub proof_of_work_bits: u8,
    /// Registrations and reset requests accepted per source address per hour (every replica).
    pub per_address_per_hour: i64,
    /// How long an emailed or texted code is valid, in seconds.
    pub code_ttl_secs: i64,
    /// Wrong tries before a code is spent.
    pub code_attempts: i64,
}

impl Default for RegistrationConfig {
    fn default() -> Self {
        RegistrationConfig {
            enabled: true,
            proof_of_work_bits: 16,
            per_address_per_hour: 10,
            code_ttl_secs: 900,
            code_attempts: 5,
        }
    }
}

/// Accounts nobody uses: a notice by their proven contacts, then deactivation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountsConfig {
    /// Days without a sign-in after which an account is noticed, then disabled; 0 never.
    pub disable_inactive_after_days: u32,
    /// Days between the notice and the deactivation.
    pub inactivity_notice_days: u32,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        AccountsConfig { disable_inactive_after_days: 730, inactivity_notice_days: 30 }
    }
}

/// Outgoing email (codes, notices) through SMTP.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// e.g. `smtps://user:password@mail.padangpanjang.go.id` (TLS), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtp://127.0.0.1:25` (plain, local relay only). Empty: no email.
    #[serde(serialize_with = "ser_secret", deserialize_with = "de_secret")]
    pub smtp_url: SecretString,
    /// The sender, e.g. `SSO Padang Panjang <sso@padangpanjang.go.id>`.
    pub from: String,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig { smtp_url: SecretString::from(""), from: "Gerbang <noreply@localhost>".into() }
    }
}

/// Outgoing SMS through a provider's HTTP API: one POST per message.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsConfig {
    /// The provider's send endpoint. Empty: no SMS.
    pub url: String,
    /// `json` or `form`: how `fields` are sent.
    pub format: SmsFormat,
    /// The request's fields; `{to}` (E.164, e.g. +6281234567890) and `{text}` are replaced.
    pub fields: std::collections::BTreeMap<String, String>,
    /// Sent as the `Authorization` header when set (e.g. `Bearer …`).
    #[serde(serialize_with = "ser_secret", deserialize_with = "de_secret")]
    pub authorization: SecretString,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmsFormat {
    #[default]
    Json,
    Form,
}

impl Default for SmsConfig {
    fn default() -> Self {
        let fields = [("to".to_string(), "{to}".to_string()), ("text".to_string(), "{text}".to_string())];
        SmsConfig {
            url: String::new(),
            format: SmsFormat::Json,
            fields: fields.into_iter().collect(),
            authorization: SecretString::from(""),
        }
    }
}

/// Passkeys (WebAuthn). The relying-party id must be the IdP's host or a parent domain of it.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct WebauthnConfig {
    /// Default: the host of `idp.public_url` (e.g. `sso.padangpanjang.go.id`).
    pub rp_id: Option<String>,
    /// Origins allowed besides `idp.public_url`.
    pub extra_origins: Vec<String>,
}

/// Brute-force protection of sign-in (shared by every replica through the database).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThrottleConfig {
    /// Failed sign-ins with one NIP/NIK within `window_secs` before it is locked.
    pub account_failures: i64,
    /// Failed sign-ins from one source address within `window_secs` before it is locked.
    pub address_failures: i64,
    pub window_secs: i64,
    pub lock_secs: i64,
    /// Sign-in attempts per minute from one address, per replica (flood control).
    pub address_attempts_per_minute: u32,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            account_failures: 5,
            address_failures: 30,
            window_secs: 900,
            lock_secs: 900,
            address_attempts_per_minute: 60,
        }
    }
}

/// Lifetimes of what the OpenID Connect provider issues, in seconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OidcConfig {
    pub code_ttl_secs: i64,
    pub access_token_ttl_secs: i64,
    pub id_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    /// How long a started authorization may wait for sign-in and consent.
    pub authorization_ttl_secs: i64,
}

impl Default for OidcConfig {
    fn default() -> Self {
        OidcConfig {
            code_ttl_secs: 60,
            access_token_ttl_secs: 600,
            id_token_ttl_secs: 600,
            refresh_token_ttl_secs: 30 * 86400,
            authorization_ttl_secs: 900,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdpConfig {
    pub listen: SocketAddr,
    /// The issuer: the URL browsers and clients use to reach the IdP.
    pub public_url: String,
    /// Directory of page themes; `default` is used, with a built-in copy when it is missing.
    pub themes_dir: PathBuf,
    pub tls: TlsConfig,
}

/// HTTPS on a listener (rustls), from PEM files that are re-read when they change on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// PEM certificate chain (leaf first). With `key_file`, the listener speaks HTTPS only.
    pub cert_file: Option<PathBuf>,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key_file: Option<PathBuf>,
    /// A plain-HTTP listener that answers every request with a redirect to https.
    pub redirect_listen: Option<SocketAddr>,
    /// `Strict-Transport-Security: max-age` sent over HTTPS; 0 sends none.
    pub hsts_max_age_secs: u64,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig { cert_file: None, key_file: None, redirect_listen: None, hsts_max_age_secs: 31_536_000 }
    }
}

impl TlsConfig {
    pub fn enabled(&self) -> bool {
        self.cert_file.is_some() && self.key_file.is_some()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProxyConfig {
    pub listen: SocketAddr,
    /// The gateway's own URL: issuer of the identity assertions, and where the IdP sends
    /// back-channel logout tokens (`/.gerbang/backchannel-logout`).
    pub public_url: String,
    /// The OpenID provider the gateway signs people in with; empty means `idp.public_url`.
    pub issuer: String,
    /// The gateway's OIDC client at that provider (confidential, `client_secret_basic`).
    pub client_id: String,
    #[serde(serialize_with = "ser_secret", deserialize_with = "de_secret")]
    pub client_secret: SecretString,
    pub client_secret_file: Option<PathBuf>,
    /// Lifetime of a gateway session, in seconds.
    pub session_ttl_secs: u64,
    /// Lifetime of the signed identity assertion sent to upstreams, in seconds.
    pub assertion_ttl_secs: u64,
    /// Proxies in front of the gateway (CIDRs) whose `X-Forwarded-For` and `X-Forwarded-Proto`
    /// are believed; from anyone else they are replaced.
    pub trusted_proxies: Vec<String>,
    /// How often the policy files are checked for changes, in seconds.
    pub policy_reload_secs: u64,
    pub tls: TlsConfig,
}

/// Argon2id parameters; defaults are OWASP's (19 MiB, 2 passes, 1 lane).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordConfig {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub min_length: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    /// Lifetime of an IdP login session, in seconds.
    pub ttl_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `gerbang_idp=debug,info`. `GERBANG_LOG` overrides it.
    pub level: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            database_url: SecretString::from(""),
            master_key: SecretString::from(""),
            master_key_file: None,
            demo: false,
            policies_dir: PathBuf::from("policies"),
            idp: IdpConfig::default(),
            proxy: ProxyConfig::default(),
            password: PasswordConfig::default(),
            session: SessionConfig::default(),
            oidc: OidcConfig::default(),
            throttle: ThrottleConfig::default(),
            webauthn: WebauthnConfig::default(),
            registration: RegistrationConfig::default(),
            accounts: AccountsConfig::default(),
            mail: MailConfig::default(),
            sms: SmsConfig::default(),
            log: LogConfig::default(),
            metrics: MetricsConfig::default(),
        }
    }
}

impl Default for IdpConfig {
    fn default() -> Self {
        IdpConfig {
            listen: ([127, 0, 0, 1], 8080).into(),
            public_url: "http://localhost:8080".into(),
            themes_dir: PathBuf::from("themes"),
            tls: TlsConfig::default(),
        }
    }
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig {
            listen: ([127, 0, 0, 1], 8090).into(),
            public_url: "http://localhost:8090".into(),
            issuer: String::new(),
            client_id: "gerbang-gateway".into(),
            client_secret: SecretString::from(""),
            client_secret_file: None,
            session_ttl_secs: 8 * 3600,
            assertion_ttl_secs: 60,
            trusted_proxies: Vec::new(),
            policy_reload_secs: 2,
            tls: TlsConfig::default(),
        }
    }
}

impl Default for PasswordConfig {
    fn default() -> Self {
        PasswordConfig { memory_kib: 19 * 1024, iterations: 2, parallelism: 1, min_length: 10 }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig { ttl_secs: 8 * 3600 }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { format: LogFormat::Pretty, level: "info".into() }
    }
}

/// Where the configuration comes from, before flags are applied.
#[derive(Debug, Clone, Default)]
pub struct ConfigSource {
    /// An explicit `--config` file must exist; without it `gerbang.toml` is read if present.
    pub file: Option<PathBuf>,
}

impl Config {
    /// Layers defaults → file → environment. Flags are applied by the caller, then `validate`.
    pub fn load(source: &ConfigSource) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match &source.file {
            Some(path) if !path.exists() => {
                return Err(ConfigError::FileMissing { path: path.clone() });
            }
            Some(path) => figment = figment.merge(Toml::file(path)),
            None if Path::new("gerbang.toml").exists() => figment = figment.merge(Toml::file("gerbang.toml")),
            None => {}
        }
        figment = figment
            .merge(Env::prefixed("GERBANG_").ignore(NON_CONFIG_ENV).split("__"))
            // The conventional variable for the database, as the issue and sqlx expect.
            .merge(Env::raw().only(&["DATABASE_URL"]).map(|_| "database_url".into()));
        figment.extract().map_err(|e| ConfigError::Load(describe_figment_error(e)))
    }

    /// Checks what types alone cannot; names the bad key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_public_url("idp.public_url", &self.idp.public_url)?;
        check_public_url("proxy.public_url", &self.proxy.public_url)?;
        let px = &self.proxy;
        if !px.issuer.is_empty() {
            check_public_url("proxy.issuer", &px.issuer)?;
        }
        if px.client_id.is_empty() {
            return Err(ConfigError::Invalid { key: "proxy.client_id", reason: "must not be empty".into() });
        }
        if !px.client_secret.expose_secret().is_empty() && px.client_secret_file.is_some() {
            return Err(ConfigError::Invalid {
                key: "proxy.client_secret",
                reason: "set either client_secret or client_secret_file, not both".into(),
            });
        }
        for cidr in &self.metrics.allow {
            if parse_net(cidr).is_none() {
                return Err(ConfigError::Invalid {
                    key: "metrics.allow",
                    reason: format!("{cidr:?} is not an address or CIDR range (e.g. 10.0.0.0/8)"),
                });
            }
        }
        for cidr in &px.trusted_proxies {
            cidr.parse::<ipnet::IpNet>()
                .or_else(|_| cidr.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError::Invalid {
                    key: "proxy.trusted_proxies",
                    reason: format!("{cidr:?} is not an address or CIDR range (e.g. 10.0.0.0/8)"),
                })?;
        }
        for (key, ok) in [
            ("proxy.session_ttl_secs", px.session_ttl_secs >= 60),
            ("proxy.assertion_ttl_secs", (10..=600).contains(&px.assertion_ttl_secs)),
            ("proxy.policy_reload_secs", px.policy_reload_secs >= 1),
        ] {
            if !ok {
                return Err(ConfigError::Invalid {
                    key,
                    reason: "out of range (session >= 60, assertion 10..=600, reload >= 1)".into(),
                });
            }
        }
        for (key, tls) in [("idp.tls", &self.idp.tls), ("proxy.tls", &px.tls)] {
            if tls.cert_file.is_some() != tls.key_file.is_some() {
                return Err(ConfigError::Invalid { key, reason: "cert_file and key_file go together".into() });
            }
            if tls.redirect_listen.is_some() && !tls.enabled() {
                return Err(ConfigError::Invalid {
                    key,
                    reason: "redirect_listen needs cert_file and key_file".into(),
                });
            }
        }
        let db = self.database_url.expose_secret();
        let is_postgres = db.starts_with("postgres://") || db.starts_with("postgresql://");
        if !db.is_empty() && !is_postgres {
            return Err(ConfigError::Invalid {
                key: "database_url",
                reason: "must start with postgres:// (leave empty for the embedded SQLite database)".into(),
            });
        }
        let p = &self.password;
        if p.memory_kib < 8 * 1024 || p.iterations < 1 || p.parallelism < 1 {
            return Err(ConfigError::Invalid {
                key: "password",
                reason: "argon2id needs memory_kib >= 8192, iterations >= 1, parallelism >= 1".into(),
            });
        }
        if p.min_length < 8 {
            return Err(ConfigError::Invalid { key: "password.min_length", reason: "must be at least 8".into() });
        }
        let o = &self.oidc;
        for (key, value, min) in [
            ("oidc.code_ttl_secs", o.code_ttl_secs, 5),
            ("oidc.access_token_ttl_secs", o.access_token_ttl_secs, 30),
            ("oidc.id_token_ttl_secs", o.id_token_ttl_secs, 30),
            ("oidc.refresh_token_ttl_secs", o.refresh_token_ttl_secs, 60),
            ("oidc.authorization_ttl_secs", o.authorization_ttl_secs, 60),
        ] {
            if value < min {
                return Err(ConfigError::Invalid { key, reason: format!("must be at least {min}") });
            }
        }
        let t = &self.throttle;
        for (key, ok) in [
            ("throttle.account_failures", t.account_failures >= 1),
            ("throttle.address_failures", t.address_failures >= 1),
            ("throttle.window_secs", t.window_secs >= 1),
            ("throttle.lock_secs", t.lock_secs >= 1),
            ("throttle.address_attempts_per_minute", t.address_attempts_per_minute >= 1),
        ] {
            if !ok {
                return Err(ConfigError::Invalid { key, reason: "must be at least 1".into() });
            }
        }
        if o.code_ttl_secs > 600 {
            return Err(ConfigError::Invalid {
                key: "oidc.code_ttl_secs",
                reason: "must be at most 600 (RFC 6749 §4.1.2)".into(),
            });
        }
        let r = &self.registration;
        if r.proof_of_work_bits > 28 {
            return Err(ConfigError::Invalid {
                key: "registration.proof_of_work_bits",
                reason: "must be at most 28 (each bit doubles the work of a phone)".into(),
            });
        }
        for (key, ok) in [
            ("registration.per_address_per_hour", r.per_address_per_hour >= 1),
            ("registration.code_ttl_secs", (60..=86_400).contains(&r.code_ttl_secs)),
            ("registration.code_attempts", (1..=20).contains(&r.code_attempts)),
        ] {
            if !ok {
                return Err(ConfigError::Invalid {
                    key,
                    reason: "out of range (per_address_per_hour >= 1, code_ttl_secs 60..=86400, code_attempts 1..=20)"
                        .into(),
                });
            }
        }
        let a = &self.accounts;
        if a.disable_inactive_after_days > 0 && a.inactivity_notice_days >= a.disable_inactive_after_days {
            return Err(ConfigError::Invalid {
                key: "accounts.inactivity_notice_days",
                reason: "must be shorter than disable_inactive_after_days".into(),
            });
        }
        let smtp = self.mail.smtp_url.expose_secret();
        if !(smtp.is_empty() || smtp.starts_with("smtp://") || smtp.starts_with("smtps://")) {
            return Err(ConfigError::Invalid {
                key: "mail.smtp_url",
                reason: "must start with smtp:// or smtps://".into(),
            });
        }
        if !self.sms.url.is_empty() {
            check_public_url("sms.url", &self.sms.url).or_else(|e| match Url::parse(&self.sms.url) {
                // A provider URL may carry an API key in its query.
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
                _ => Err(e),
            })?;
            if !self.sms.fields.values().any(|v| v.contains("{to}"))
                || !self.sms.fields.values().any(|v| v.contains("{text}"))
            {
                return Err(ConfigError::Invalid { key: "sms.fields", reason: "must use both {to} and {text}".into() });
            }
        }
        if self.session.ttl_secs < 60 {
            return Err(ConfigError::Invalid { key: "session.ttl_secs", reason: "must be at least 60".into() });
        }
        if !self.master_key.expose_secret().is_empty() && self.master_key_file.is_some() {
            return Err(ConfigError::Invalid {
                key: "master_key",
                reason: "set either master_key or master_key_file, not both".into(),
            });
        }
        tracing_subscriber::EnvFilter::try_new(&self.log.level)
            .map_err(|e| ConfigError::Invalid { key: "log.level", reason: e.to_string() })?;
        Ok(())
    }

    /// True when PostgreSQL is configured.
    pub fn uses_postgres(&self) -> bool {
        !self.database_url.expose_secret().is_empty()
    }

    /// The database location with any password removed, for logs and `check-config`.
    pub fn database_display(&self) -> String {
        let url = self.database_url.expose_secret();
        if url.is_empty() {
            return format!("sqlite:{}", self.sqlite_path().display());
        }
        match Url::parse(url) {
            Ok(mut u) => {
                if u.password().is_some() {
                    let _ = u.set_password(Some("***"));
                }
                u.to_string()
            }
            Err(_) => "postgres://(unparseable)".into(),
        }
    }

    /// The provider the gateway signs people in with.
    pub fn gateway_issuer(&self) -> String {
        let issuer = if self.proxy.issuer.is_empty() { &self.idp.public_url } else { &self.proxy.issuer };
        issuer.trim_end_matches('/').to_string()
    }

    /// The gateway's client secret, read from `proxy.client_secret_file` when set.
    pub fn gateway_client_secret(&self) -> Result<SecretString, ConfigError> {
        match &self.proxy.client_secret_file {
            Some(path) => {
                std::fs::read_to_string(path).map(|s| SecretString::from(s.trim().to_string())).map_err(|e| {
                    ConfigError::Invalid { key: "proxy.client_secret_file", reason: format!("{}: {e}", path.display()) }
                })
            }
            None => Ok(self.proxy.client_secret.clone()),
        }
    }

    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("gerbang.db")
    }
}

fn check_public_url(key: &'static str, value: &str) -> Result<(), ConfigError> {
    let url = Url::parse(value).map_err(|e| ConfigError::Invalid { key, reason: format!("not a URL: {e}") })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(ConfigError::Invalid { key, reason: "must be an absolute http(s) URL".into() });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::Invalid { key, reason: "must not have a query or fragment".into() });
    }
    Ok(())
}

/// figment's messages name the key path and the source; keep them on one line.
fn describe_figment_error(e: figment::Error) -> String {
    e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
}

fn ser_secret<S: serde::Serializer>(_: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    // Secrets never leave the process through serialisation (e.g. `check-config`).
    s.serialize_str("")
}

fn de_secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
    String::deserialize(d).map(SecretString::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn bad_url_names_key() {
        let mut c = Config::default();
        c.idp.public_url = "localhost:8080/x".into();
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("idp.public_url"), "{msg}");
    }

    #[test]
    fn database_display_hides_password() {
        let c = Config { database_url: SecretString::from("postgres://u:hunter2@db/gerbang"), ..Default::default() };
        let shown = c.database_display();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("***"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    /// The sample file documents every key with its default: it must parse and match the code.
    #[test]
    fn sample_file_matches_defaults() {
        let sample: Config = Figment::from(Toml::string(include_str!("../../gerbang.toml.example")))
            .extract()
            .expect("gerbang.toml.example parses");
        let shown = |c: &Config| toml::to_string(c).unwrap();
        assert_eq!(shown(&sample), shown(&Config::default()));
        let keys = |c: &Config| toml::Table::try_from(c).unwrap().keys().cloned().collect::<Vec<_>>();
        for key in keys(&Config::default()) {
            assert!(include_str!("../../gerbang.toml.example").contains(&key), "{key} undocumented");
        }
    }

    #[test]
    fn unknown_key_in_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.toml");
        std::fs::write(&path, "[idp]\nlisten = \"127.0.0.1:1\"\nlistn = 3\n").unwrap();
        let err = Config::load(&ConfigSource { file: Some(path) }).unwrap_err().to_string();
        assert!(err.contains("listn"), "{err}");
    }
}
