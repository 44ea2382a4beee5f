//! Reading and validating an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1).
//!
//! Validation has two stages, as RFC 6749 §4.1.2.1 requires: until the client and its redirect
//! URI are known good, errors are shown to the person on a page; after that, they go back to
//! the client's redirect URI.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::super::client::{Client, ClientKind, GrantType};
use super::super::scope;

/// Longest value accepted for any parameter (bytes); longer is `invalid_request`.
const MAX_PARAM: usize = 2048;

/// Errors shown on a page: the redirect URI cannot be trusted yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageProblem {
    MissingClientId,
    UnknownClient,
    MissingRedirectUri,
    UnregisteredRedirectUri,
    Malformed(&'static str),
}

/// Errors returned to the client (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectProblem {
    pub error: &'static str,
    pub description: String,
}

impl RedirectProblem {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        RedirectProblem { error, description: description.into() }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
    pub select_account: bool,
}

/// A request that passed both stages; what is stored while the person signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub acr_values: Vec<String>,
    pub ui_locales: Option<String>,
}

/// Stage 1: the raw parameters, the client they name, and a trusted redirect URI.
pub struct Stage1 {
    pub params: HashMap<String, String>,
    pub duplicates: Vec<String>,
    pub redirect_uri: String,
    pub state: Option<String>,
}

/// Parses `application/x-www-form-urlencoded` pairs, keeping note of repeated names
/// (RFC 6749 §3.1: parameters must not be included more than once).
pub fn collect(raw: &str) -> (HashMap<String, String>, Vec<String>) {
    let mut params = HashMap::new();
    let mut duplicates = Vec::new();
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        // OIDC Core §3.1.2.1 / RFC 6749 §3.1: empty values are treated as absent.
        if v.is_empty() {
            continue;
        }
        if params.insert(k.to_string(), v.to_string()).is_some() {
            duplicates.push(k.to_string());
        }
    }
    (params, duplicates)
}

/// Checks the client id and redirect URI against the registered client.
pub fn stage1(
    params: HashMap<String, String>,
    duplicates: Vec<String>,
    client: Option<&Client>,
) -> Result<Stage1, PageProblem> {
    if duplicates.iter().any(|d| d == "client_id" || d == "redirect_uri") {
        return Err(PageProblem::Malformed("client_id or redirect_uri given more than once"));
    }
    if !params.contains_key("client_id") {
        return Err(PageProblem::MissingClientId);
    }
    let client = client.filter(|c| c.active).ok_or(PageProblem::UnknownClient)?;
    let redirect_uri = params.get("redirect_uri").ok_or(PageProblem::MissingRedirectUri)?.clone();
    if redirect_uri.len() > MAX_PARAM || !client.redirect_uri_registered(&redirect_uri) {
        return Err(PageProblem::UnregisteredRedirectUri);
    }
    let state = params.get("state").filter(|s| s.len() <= MAX_PARAM).cloned();
    Ok(Stage1 { params, duplicates, redirect_uri, state })
}

/// Stage 2: everything else, now answered through the redirect URI.
pub fn stage2(s: &Stage1, client: &Client) -> Result<AuthorizeRequest, RedirectProblem> {
    let p = &s.params;
    if let Some(d) = s.duplicates.first() {
        return Err(RedirectProblem::new("invalid_request", format!("parameter {d} given more than once")));
    }
    if let Some((k, _)) = p.iter().find(|(_, v)| v.len() > MAX_PARAM) {
        return Err(RedirectProblem::new("invalid_request", format!("parameter {k} is too long")));
    }
    if p.contains_key("request") {
        return Err(RedirectProblem::new("request_not_supported", "request objects are not supported"));
    }
    if p.contains_key("request_uri") {
        return Err(RedirectProblem::new("request_uri_not_supported", "request_uri is not supported"));
    }
    if p.contains_key("registration") {
        return Err(RedirectProblem::new("registration_not_supported", "registration is not supported"));
    }
    match p.get("response_type").map(String::as_str) {
        None => return Err(RedirectProblem::new("invalid_request", "response_type is required")),
        Some("code") => {}
        Some(_) => {
            return Err(RedirectProblem::new("unsupported_response_type", "only response_type=code is supported"));
        }
    }
    if p.get("response_mode").is_some_and(|m| m != "query") {
        return Err(RedirectProblem::new("invalid_request", "only response_mode=query is supported"));
    }
    if !client.allows_grant(GrantType::AuthorizationCode) {
        return Err(RedirectProblem::new("unauthorized_client", "this client may not use the authorization code flow"));
    }
    let scope = p
        .get("scope")
        .and_then(|s| scope::parse(s))
        .ok_or_else(|| RedirectProblem::new("invalid_scope", "scope is required and must be well formed"))?;
    if !scope.iter().any(|s| s == "openid") {
        return Err(RedirectProblem::new("invalid_scope", "the openid scope is required"));
    }
    if let Some(bad) = scope.iter().find(|s| !client.scopes.contains(s) || !scope::is_known(s)) {
        return Err(RedirectProblem::new("invalid_scope", format!("scope {bad} is not allowed for this client")));
    }
    let code_challenge = p.get("code_challenge").cloned();
    match (p.get("code_challenge_method").map(String::as_str), &code_challenge) {
        (Some("S256"), Some(_)) | (None, Some(_)) => {}
        (Some("S256"), None) => return Err(RedirectProblem::new("invalid_request", "code_challenge is missing")),
        (Some(_), _) => {
            return Err(RedirectProblem::new("invalid_request", "only code_challenge_method=S256 is supported"));
        }
        (None, None) if client.kind == ClientKind::Public => {
            return Err(RedirectProblem::new("invalid_request", "public clients must use PKCE (code_challenge, S256)"));
        }
        (None, None) => {}
    }
    // A plain challenge would be accepted silently as S256 otherwise: require the default method
    // explicitly when a challenge is sent without one (RFC 7636 §4.3 defaults to plain).
    if code_challenge.is_some() && p.get("code_challenge_method").is_none() {
        return Err(RedirectProblem::new("invalid_request", "code_challenge_method=S256 is required"));
    }
    if let Some(c) = &code_challenge
        && !(43..=128).contains(&c.len())
    {
        return Err(RedirectProblem::new("invalid_request", "code_challenge must be 43-128 characters"));
    }
    let prompt = parse_prompt(p.get("prompt").map(String::as_str))?;
    let max_age = match p.get("max_age") {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| RedirectProblem::new("invalid_request", "max_age must be a non-negative integer"))?,
        ),
    };
    Ok(AuthorizeRequest {
        client_id: client.id.clone(),
        redirect_uri: s.redirect_uri.clone(),
        scope,
        state: s.state.clone(),
        nonce: p.get("nonce").cloned(),
        code_challenge,
        prompt,
        max_age,
        login_hint: p.get("login_hint").cloned(),
        acr_values: p
            .get("acr_values")
            .map(|v| v.split(' ').filter(|x| !x.is_empty()).map(String::from).collect())
            .unwrap_or_default(),
        ui_locales: p.get("ui_locales").cloned(),
    })
}

fn parse_prompt(value: Option<&str>) -> Result<Prompt, RedirectProblem> {
    let mut prompt = Prompt::default();
    let Some(value) = value else { return Ok(prompt) };
    for v in value.split(' ').filter(|v| !v.is_empty()) {
        match v {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "select_account" => prompt.select_account = true,
            other => return Err(RedirectProblem::new("invalid_request", format!("unknown prompt value {other}"))),
        }
    }
    if prompt.none && (prompt.login || prompt.consent || prompt.select_account) {
        return Err(RedirectProblem::new("invalid_request", "prompt=none cannot be combined with other values"));
    }
    Ok(prompt)
}
