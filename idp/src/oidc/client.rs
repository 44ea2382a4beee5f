//! OIDC clients: the model, redirect-URI matching, and the service that registers them.

use gerbang_core::audit::{self, AuditEvent};
use gerbang_core::crypto::random;
use gerbang_core::policy::DomainRegister;
use gerbang_core::store::{ClientRecord, ClientStore, RegisterStore, Store, StoreError, now_unix};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use url::Url;

use super::keys::SigningAlg;
use super::scope;
use crate::accounts::Actor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    Confidential,
    Public,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
    /// Public clients: no secret; PKCE is required instead.
    None,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 4] =
        [AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost, AuthMethod::PrivateKeyJwt, AuthMethod::None];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<AuthMethod> {
        AuthMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
    TokenExchange,
}

impl GrantType {
    pub const ALL: [GrantType; 4] =
        [GrantType::AuthorizationCode, GrantType::RefreshToken, GrantType::ClientCredentials, GrantType::TokenExchange];

    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
            GrantType::TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
        }
    }

    pub fn parse(s: &str) -> Option<GrantType> {
        GrantType::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub kind: ClientKind,
    secret_hash: Option<Vec<u8>>,
    pub auth_method: AuthMethod,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub scopes: Vec<String>,
    pub approved_claims: Vec<String>,
    pub id_token_alg: SigningAlg,
    pub sector: String,
    pub jwks: Option<String>,
    pub backchannel_logout_uri: Option<String>,
    pub skip_consent: bool,
    pub active: bool,
}

impl Client {
    fn from_record(r: ClientRecord) -> Result<Client, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("client {}: {what}", r.id));
        Ok(Client {
            kind: match r.kind.as_str() {
                "confidential" => ClientKind::Confidential,
                "public" => ClientKind::Public,
                _ => return Err(corrupt("kind")),
            },
            auth_method: AuthMethod::parse(&r.auth_method).ok_or_else(|| corrupt("auth_method"))?,
            redirect_uris: lines(&r.redirect_uris),
            post_logout_redirect_uris: lines(&r.post_logout_redirect_uris),
            grant_types: r.grant_types.split_whitespace().filter_map(GrantType::parse).collect(),
            scopes: r.scopes.split_whitespace().map(String::from).collect(),
            approved_claims: r.approved_claims.split_whitespace().map(String::from).collect(),
            id_token_alg: SigningAlg::parse(&r.id_token_alg).ok_or_else(|| corrupt("id_token_alg"))?,
            active: r.status == "active",
            id: r.id,
            name: r.name,
            secret_hash: r.secret_hash,
            sector: r.sector,
            jwks: r.jwks,
            backchannel_logout_uri: r.backchannel_logout_uri,
            skip_consent: r.skip_consent,
        })
    }

    pub fn allows_grant(&self, g: GrantType) -> bool {
        self.grant_types.contains(&g)
    }

    /// Compares a presented secret with the stored hash, in constant time.
    pub fn secret_matches(&self, secret: &str) -> bool {
        match &self.secret_hash {
            Some(hash) => bool::from(hash.as_slice().ct_eq(&hash_secret(secret))),
            None => false,
        }
    }

    /// Exact match (OAuth 2.0 Security BCP), except that a registered loopback IP redirect
    /// matches any port (RFC 8252 §7.3) for native apps on the person's machine.
    pub fn redirect_uri_registered(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| redirect_matches(r, uri))
    }

    /// The same rule as redirect URIs: exact, or any port on a loopback IP.
    pub fn post_logout_uri_registered(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|r| redirect_matches(r, uri))
    }
}

pub fn redirect_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Ok(reg), Ok(req)) = (Url::parse(registered), Url::parse(requested)) else {
        return false;
    };
    let loopback = |u: &Url| u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1") | Some("[::1]"));
    loopback(&reg)
        && loopback(&req)
        && reg.host_str() == req.host_str()
        && reg.path() == req.path()
        && reg.query() == req.query()
        && req.fragment().is_none()
        && req.username().is_empty()
        && req.password().is_none()
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("client id must be 3-64 characters of letters, digits, '-', '_' or '.'")]
    BadId,
    #[error("client name must be 1-200 characters")]
    BadName,
    #[error("redirect URI {uri}: {reason}")]
    BadRedirectUri { uri: String, reason: &'static str },
    #[error("unknown scope {0}")]
    UnknownScope(String),
    #[error("{0}")]
    Inconsistent(&'static str),
    #[error("redirect URI {uri}: the host is not on a registered domain (Pasal 11); register the domain first")]
    UnregisteredDomain { uri: String },
    #[error("a client with this id exists already")]
    Exists,
    #[error("client not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What is needed to register a client.
#[derive(Debug, Clone)]
pub struct NewClient {
    /// A chosen id (for well-known demo clients); random when absent.
    pub id: Option<String>,
    pub name: String,
    pub kind: ClientKind,
    pub auth_method: AuthMethod,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub scopes: Vec<String>,
    pub approved_claims: Vec<String>,
    pub id_token_alg: SigningAlg,
    pub sector: Option<String>,
    pub jwks: Option<String>,
    pub backchannel_logout_uri: Option<String>,
    pub skip_consent: bool,
}

#[derive(Clone)]
pub struct ClientService {
    store: Store,
    /// Demo mode: local names and loopback count as registered domains.
    allow_local: bool,
    /// Clients are read at every token request, so a copy is kept in memory. A change made
    /// anywhere is announced (see `gerbang_core::store::changes`) and every replica drops its
    /// copy at once; a copy also expires by itself after [`CACHE_SECS`] (PostgreSQL) or
    /// [`CACHE_SECS_SQLITE`] (SQLite, where the command line is another process and nothing
    /// announces).
    cache: moka::sync::Cache<String, Client>,
}

/// How long a client read from PostgreSQL is used without reading it again, should an
/// announcement of its change be missed.
pub const CACHE_SECS: u64 = 30;
/// The same on SQLite, where changes are not announced.
pub const CACHE_SECS_SQLITE: u64 = 1;

impl ClientService {
    pub fn new(store: Store, allow_local: bool) -> ClientService {
        let ttl = match store.backend() {
            gerbang_core::store::Backend::Postgres => CACHE_SECS,
            gerbang_core::store::Backend::Sqlite => CACHE_SECS_SQLITE,
        };
        let cache =
            moka::sync::Cache::builder().max_capacity(10_000).time_to_live(std::time::Duration::from_secs(ttl)).build();
        ClientService { store, allow_local, cache }
    }

    /// After a change to a client: drops the copy here and tells the other replicas.
    pub async fn forget(&self, id: &str) {
        self.cache.invalidate(id);
        let change = gerbang_core::store::Change::Client(id.to_string());
        let announced = match self.store.conn().await {
            Ok(mut db) => gerbang_core::store::changes::announce(&mut db, &change).await,
            Err(e) => Err(e),
        };
        if let Err(e) = announced {
            tracing::warn!(client = %id, error = %e, "client change not announced; other replicas see it when their copy expires");
        }
    }

    /// Drops the copy kept here (another replica announced a change).
    pub fn drop_copy(&self, id: &str) {
        self.cache.invalidate(id);
    }

    /// Drops every copy kept here.
    pub fn drop_all(&self) {
        self.cache.invalidate_all();
    }

    /// Pasal 11: every redirect and logout URI must be on a registered domain of the city.
    pub async fn check_domains<'a>(&self, uris: impl IntoIterator<Item = &'a str>) -> Result<(), ClientError> {
        let register = DomainRegister::new(self.store.conn().await?.active_domain_names().await?, self.allow_local);
        for uri in uris {
            if !uri_on_register(&register, uri) {
                return Err(ClientError::UnregisteredDomain { uri: uri.into() });
            }
        }
        Ok(())
    }

    pub async fn get(&self, id: &str) -> Result<Option<Client>, StoreError> {
        if let Some(client) = self.cache.get(id) {
            return Ok(Some(client));
        }
        match self.store.conn().await?.client(id).await? {
            Some(r) => {
                let client = Client::from_record(r)?;
                self.cache.insert(id.to_string(), client.clone());
                Ok(Some(client))
            }
            None => Ok(None),
        }
    }

    pub async fn list(&self, after: &str, limit: i64) -> Result<Vec<Client>, StoreError> {
        self.store.conn().await?.list_clients(after, limit).await?.into_iter().map(Client::from_record).collect()
    }

    /// Registers a client; returns it and, for a secret-based client, the secret (shown once).
    pub async fn create(&self, new: NewClient, actor: Actor<'_>) -> Result<(Client, Option<String>), ClientError> {
        validate(&new)?;
        let uris = new.redirect_uris.iter().chain(&new.post_logout_redirect_uris).chain(&new.backchannel_logout_uri);
        self.check_domains(uris.map(String::as_str)).await?;
        let id = new.id.clone().unwrap_or_else(|| format!("c-{}", random::token(12)));
        let secret = matches!(new.auth_method, AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost)
            .then(|| random::token(32));
        let record = client_record(&new, &id, secret.as_deref().map(hash_secret), now_unix());
        let now = record.created_at;
        let mut tx = self.store.begin().await?;
        tx.insert_client(&record).await.map_err(|e| if e.is_conflict() { ClientError::Exists } else { e.into() })?;
        let detail = json!({ "name": record.name, "kind": record.kind, "auth_method": record.auth_method,
            "redirect_uris": new.redirect_uris, "scopes": new.scopes, "approved_claims": new.approved_claims });
        audit::append(&mut tx, &AuditEvent { actor: actor.0, action: "client.create", target: &id, detail }, now)
            .await?;
        tx.commit().await?;
        Ok((Client::from_record(record)?, secret))
    }

    pub async fn set_active(&self, id: &str, active: bool, actor: Actor<'_>) -> Result<(), ClientError> {
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        let status = if active { "active" } else { "disabled" };
        if !tx.set_client_status(id, status, now).await? {
            return Err(ClientError::NotFound);
        }
        let action = if active { "client.enable" } else { "client.disable" };
        audit::append(&mut tx, &AuditEvent { actor: actor.0, action, target: id, detail: json!({}) }, now).await?;
        tx.commit().await?;
        self.forget(id).await;
        Ok(())
    }

    /// Replaces the secret; the old one stops working at once. Returns the new secret.
    pub async fn rotate_secret(&self, id: &str, actor: Actor<'_>) -> Result<String, ClientError> {
        let client = self.get(id).await?.ok_or(ClientError::NotFound)?;
        if !matches!(client.auth_method, AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost) {
            return Err(ClientError::Inconsistent("this client does not authenticate with a secret"));
        }
        let secret = random::token(32);
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        tx.set_client_secret(id, &hash_secret(&secret), now).await?;
        audit::append(
            &mut tx,
            &AuditEvent { actor: actor.0, action: "client.rotate_secret", target: id, detail: json!({}) },
            now,
        )
        .await?;
        tx.commit().await?;
        self.forget(id).await;
        Ok(secret)
    }
}

impl ClientService {
    /// Replaces the redirect URIs and the back-channel logout URI (e.g. when the gateway gains a
    /// host). Audited with the old and new values.
    pub async fn set_uris(
        &self,
        id: &str,
        redirect_uris: &[String],
        backchannel_logout_uri: Option<&str>,
        actor: Actor<'_>,
    ) -> Result<(), ClientError> {
        let client = self.get(id).await?.ok_or(ClientError::NotFound)?;
        for uri in redirect_uris.iter().map(String::as_str).chain(backchannel_logout_uri) {
            check_redirect_uri(uri)?;
        }
        self.check_domains(redirect_uris.iter().map(String::as_str).chain(backchannel_logout_uri)).await?;
        if client.grant_types.contains(&GrantType::AuthorizationCode) && redirect_uris.is_empty() {
            return Err(ClientError::Inconsistent("authorization_code needs at least one redirect URI"));
        }
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        tx.set_client_uris(id, &redirect_uris.join("\n"), backchannel_logout_uri, now).await?;
        let detail = json!({ "redirect_uris": { "old": client.redirect_uris, "new": redirect_uris },
            "backchannel_logout_uri": { "old": client.backchannel_logout_uri, "new": backchannel_logout_uri } });
        audit::append(&mut tx, &AuditEvent { actor: actor.0, action: "client.set_uris", target: id, detail }, now)
            .await?;
        tx.commit().await?;
        self.forget(id).await;
        Ok(())
    }
}

/// The stored form of a validated `NewClient`.
pub fn client_record(new: &NewClient, id: &str, secret_hash: Option<Vec<u8>>, now: i64) -> ClientRecord {
    ClientRecord {
        id: id.to_string(),
        name: new.name.trim().to_string(),
        kind: match new.kind {
            ClientKind::Confidential => "confidential".into(),
            ClientKind::Public => "public".into(),
        },
        secret_hash,
        auth_method: new.auth_method.as_str().into(),
        redirect_uris: new.redirect_uris.join("\n"),
        post_logout_redirect_uris: new.post_logout_redirect_uris.join("\n"),
        grant_types: new.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(" "),
        scopes: new.scopes.join(" "),
        approved_claims: new.approved_claims.join(" "),
        id_token_alg: new.id_token_alg.as_str().into(),
        sector: new.sector.clone().unwrap_or_else(|| id.to_string()),
        jwks: new.jwks.clone(),
        backchannel_logout_uri: new.backchannel_logout_uri.clone(),
        skip_consent: new.skip_consent,
        status: "active".into(),
        created_at: now,
        updated_at: now,
    }
}

pub fn validate(new: &NewClient) -> Result<(), ClientError> {
    if let Some(id) = &new.id {
        let ok = (3..=64).contains(&id.len())
            && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !ok {
            return Err(ClientError::BadId);
        }
    }
    let name_len = new.name.trim().chars().count();
    if name_len == 0 || name_len > 200 || new.name.chars().any(char::is_control) {
        return Err(ClientError::BadName);
    }
    for uri in new.redirect_uris.iter().chain(&new.post_logout_redirect_uris) {
        check_redirect_uri(uri)?;
    }
    if let Some(uri) = &new.backchannel_logout_uri {
        check_redirect_uri(uri)?;
    }
    for s in &new.scopes {
        if !scope::is_known(s) && !scope::is_machine_scope(s) {
            return Err(ClientError::UnknownScope(s.clone()));
        }
    }
    if new.scopes.iter().any(|s| s == "nik") && !new.approved_claims.iter().any(|c| c == "nik") {
        return Err(ClientError::Inconsistent("the nik scope needs the nik claim approved for this client"));
    }
    let is_public = new.kind == ClientKind::Public;
    if is_public != (new.auth_method == AuthMethod::None) {
        return Err(ClientError::Inconsistent("public clients, and only they, use token_endpoint_auth_method none"));
    }
    if is_public && new.grant_types.iter().any(|g| matches!(g, GrantType::ClientCredentials | GrantType::TokenExchange))
    {
        return Err(ClientError::Inconsistent("public clients cannot use client_credentials or token exchange"));
    }
    if new.grant_types.contains(&GrantType::AuthorizationCode) && new.redirect_uris.is_empty() {
        return Err(ClientError::Inconsistent("authorization_code needs at least one redirect URI"));
    }
    if new.auth_method == AuthMethod::PrivateKeyJwt {
        let parsed = new.jwks.as_deref().map(serde_json::from_str::<jsonwebtoken::jwk::JwkSet>);
        if !matches!(parsed, Some(Ok(ref set)) if !set.keys.is_empty()) {
            return Err(ClientError::Inconsistent("private_key_jwt needs a JWK set with at least one key"));
        }
    }
    if new.grant_types.is_empty() {
        return Err(ClientError::Inconsistent("at least one grant type is needed"));
    }
    Ok(())
}

/// The host of an http(s) URI, or the domain a reverse-domain private-use scheme names
/// (`id.go.padangpanjang.app:/cb` names `app.padangpanjang.go.id`), is on the register.
pub fn uri_on_register(register: &DomainRegister, uri: &str) -> bool {
    let Ok(url) = Url::parse(uri) else { return false };
    match url.scheme() {
        "http" | "https" => url.host_str().is_some_and(|h| register.covers(h)),
        scheme => register.covers(&scheme.split('.').rev().collect::<Vec<_>>().join(".")),
    }
}

/// Absolute, no fragment; https, or http only to the loopback interface (RFC 8252 §7.3) or
/// `localhost` and its subdomains; or a private-use scheme with a dot (RFC 8252 §7.1) for native apps.
pub fn check_redirect_uri(uri: &str) -> Result<(), ClientError> {
    let bad = |reason| ClientError::BadRedirectUri { uri: uri.into(), reason };
    let url = Url::parse(uri).map_err(|_| bad("not an absolute URI"))?;
    if url.fragment().is_some() {
        return Err(bad("must not contain a fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not contain credentials"));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" => match url.host_str() {
            Some("127.0.0.1") | Some("[::1]") | Some("localhost") => Ok(()),
            // RFC 6761 §6.3: names under .localhost are loopback too (gateway hosts in a demo).
            Some(h) if h.ends_with(".localhost") => Ok(()),
            _ => Err(bad("http is allowed only for the loopback interface; use https")),
        },
        scheme if scheme.contains('.') => Ok(()),
        _ => Err(bad("scheme must be https, loopback http, or a reverse-domain private-use scheme")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_matching_is_exact_except_loopback_port() {
        assert!(redirect_matches("https://app.example/cb", "https://app.example/cb"));
        for bad in [
            "https://app.example/cb/",
            "https://app.example/cb?x=1",
            "https://app.example:444/cb",
            "https://APP.example/cb#f",
        ] {
            assert!(!redirect_matches("https://app.example/cb", bad), "{bad}");
        }
        assert!(redirect_matches("http://127.0.0.1/callback", "http://127.0.0.1:53211/callback"));
        assert!(redirect_matches("http://[::1]/callback", "http://[::1]:8000/callback"));
        assert!(!redirect_matches("http://127.0.0.1/callback", "http://127.0.0.1:53211/other"));
        assert!(!redirect_matches("http://127.0.0.1/callback", "http://localhost:53211/callback"));
        assert!(!redirect_matches("http://localhost/callback", "http://localhost:1/callback"), "only IP literals");
        assert!(!redirect_matches("http://127.0.0.1/callback", "http://user@127.0.0.1:1/callback"));
    }

    #[test]
    fn redirect_uris_are_checked_at_registration() {
        assert!(check_redirect_uri("https://e-office.padangpanjang.go.id/cb").is_ok());
        assert!(check_redirect_uri("http://127.0.0.1/callback").is_ok());
        assert!(check_redirect_uri("go.id.padangpanjang.app:/cb").is_ok());
        for bad in [
            "http://evil.example/cb",
            "/relative",
            "https://a.example/cb#x",
            "javascript:alert(1)",
            "https://u:p@a.example/",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }
}
