//! `/token` (RFC 6749 §3.2): reads the form, authenticates the client and dispatches on
//! `grant_type`. Every answer is JSON and `no-store`.

pub mod client_auth;
mod client_credentials;
mod code;
mod exchange;
mod refresh;

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::RawFormRejection;
use axum::extract::{RawForm, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gerbang_core::store::{Account, AccountStatus};
use serde::Serialize;

use super::claims;
use super::client::{Client, GrantType};
use super::tokens::{AccessInput, AuthContext, IdTokenInput};
use crate::http::error::ProtocolError;
use crate::state::AppState;

/// Longest value accepted for a parameter of a back-channel request.
const MAX_PARAM: usize = 4096;

#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<&'static str>,
}

impl TokenResponse {
    /// A bare access-token answer (machine clients, token exchange).
    pub fn bearer(access_token: String, expires_in: i64, scope: &[String]) -> TokenResponse {
        TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in,
            id_token: None,
            refresh_token: None,
            scope: scope.join(" "),
            issued_token_type: None,
        }
    }
}

impl IntoResponse for TokenResponse {
    fn into_response(self) -> Response {
        let mut response = Json(self).into_response();
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        response
    }
}

pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<RawForm, RawFormRejection>,
) -> Result<TokenResponse, ProtocolError> {
    let form = read_form(form)?;
    let grant_type =
        form.get("grant_type").ok_or_else(|| ProtocolError::InvalidRequest("grant_type is required".into()))?;
    let grant = GrantType::parse(grant_type).ok_or(ProtocolError::UnsupportedGrantType)?;
    let client = client_auth::authenticate(&state, &headers, &form).await?;
    if !client.allows_grant(grant) {
        return Err(ProtocolError::UnauthorizedClient("this client may not use this grant type"));
    }
    let issued = match grant {
        GrantType::AuthorizationCode => code::exchange(&state, &client, &form).await,
        GrantType::RefreshToken => refresh::exchange(&state, &client, &form).await,
        GrantType::ClientCredentials => client_credentials::issue(&state, &client, &form).await,
        GrantType::TokenExchange => exchange::exchange(&state, &client, &form).await,
    };
    let result = if issued.is_ok() { "issued" } else { "refused" };
    metrics::counter!("gerbang_tokens_total", "grant_type" => grant.as_str(), "result" => result).increment(1);
    issued
}

/// A back-channel form: `application/x-www-form-urlencoded`, each parameter at most once
/// (RFC 6749 §3.2), no oversized values.
pub fn read_form(form: Result<RawForm, RawFormRejection>) -> Result<HashMap<String, String>, ProtocolError> {
    let RawForm(body) =
        form.map_err(|_| ProtocolError::InvalidRequest("the body must be application/x-www-form-urlencoded".into()))?;
    let mut params = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(&body) {
        if v.len() > MAX_PARAM || k.len() > 64 {
            return Err(ProtocolError::InvalidRequest(format!("parameter {} is too long", truncate(&k))));
        }
        if v.is_empty() {
            continue;
        }
        if params.insert(k.to_string(), v.to_string()).is_some() {
            return Err(ProtocolError::InvalidRequest(format!("parameter {} given more than once", truncate(&k))));
        }
    }
    Ok(params)
}

fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The account behind a grant, if it may still receive tokens.
async fn active_account(state: &AppState, account_id: &str) -> Result<Account, ProtocolError> {
    match state.accounts.by_id(account_id).await.map_err(account_error)? {
        Some(a) if a.status == AccountStatus::Active => Ok(a),
        _ => Err(ProtocolError::InvalidGrant("the account is disabled or gone")),
    }
}

fn account_error(e: crate::accounts::AccountError) -> ProtocolError {
    match e {
        crate::accounts::AccountError::Store(s) => s.into(),
        crate::accounts::AccountError::Busy => ProtocolError::TemporarilyUnavailable,
        other => ProtocolError::Server(other.to_string()),
    }
}

/// A person's grant about to receive tokens.
struct PersonGrant<'a> {
    account: &'a Account,
    auth: &'a AuthContext,
    scope: &'a [String],
    grant_id: &'a str,
    with_nonce: bool,
    refresh_token: Option<String>,
}

/// Mints the access token and ID token of a person's grant.
async fn person_tokens(state: &AppState, client: &Client, g: PersonGrant<'_>) -> Result<TokenResponse, ProtocolError> {
    let PersonGrant { account, auth, scope, grant_id, with_nonce, refresh_token } = g;
    let sub = claims::subject(&state.keys, account, client);
    let (access_token, _) = state
        .issuer
        .access_token(AccessInput {
            sub: &sub,
            audience: &client.id,
            client_id: &client.id,
            scope,
            auth: Some(auth),
            grant_id: Some(grant_id),
            act: None,
        })
        .map_err(|e| ProtocolError::Server(e.to_string()))?;
    let id_token = if scope.iter().any(|s| s == "openid") {
        let user =
            claims::user_claims(&state.accounts, account, client, scope, "id_token").await.map_err(account_error)?;
        Some(
            state
                .issuer
                .id_token(IdTokenInput {
                    alg: client.id_token_alg,
                    sub: &sub,
                    aud: &client.id,
                    auth,
                    with_nonce,
                    access_token: Some(&access_token),
                    user_claims: &user,
                })
                .map_err(|e| ProtocolError::Server(e.to_string()))?,
        )
    } else {
        None
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.issuer.config.access_token_ttl_secs,
        id_token,
        refresh_token,
        scope: scope.join(" "),
        issued_token_type: None,
    })
}
