//! Passkey endpoints called by `passkey.js` (JSON, same origin, CSRF token in a header) and the
//! account-page forms to rename or remove a passkey.

use std::net::SocketAddr;

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gerbang_core::store::AccountStatus;
use serde::Deserialize;
use serde_json::{Value, json};
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::csrf;
use super::error::{PageError, ProtocolError};
use super::login::{add_factor, safe_return_to, start_session};
use crate::factors::passkey::{PasskeyError, Started};
use crate::oidc::authorize::load_pending;
use crate::state::AppState;

fn check_csrf(state: &AppState, headers: &HeaderMap) -> Result<(), ProtocolError> {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    if csrf::verify(headers, token, state.secure_cookies) {
        Ok(())
    } else {
        Err(ProtocolError::InvalidRequest("missing or wrong CSRF token".into()))
    }
}

/// Passkeys being off on this server is the caller's to know, not a server fault.
fn rejected(e: PasskeyError) -> ProtocolError {
    match e {
        PasskeyError::Store(s) => s.into(),
        other => ProtocolError::InvalidRequest(other.to_string()),
    }
}

fn started(s: Started) -> Json<Value> {
    Json(json!({ "ceremony": s.ceremony, "options": s.options }))
}

fn user_agent(headers: &HeaderMap) -> String {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").chars().take(200).collect()
}

pub async fn register_start(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ProtocolError> {
    check_csrf(&state, &headers)?;
    let (session, account) =
        state.signed_in(&headers).await?.ok_or(ProtocolError::InvalidRequest("sign in first".into()))?;
    if !crate::factors::recently_signed_in(&session) {
        return Err(ProtocolError::InvalidRequest("sign in again (within 10 minutes) to add a passkey".into()));
    }
    let view = state.accounts.view(&account.id).await.map_err(|e| ProtocolError::Server(e.to_string()))?;
    let user_name = view.nip.or(view.nik_masked).unwrap_or_else(|| account.id.clone());
    Ok(started(
        state.passkeys.start_registration(&account.id, &user_name, &account.display_name).await.map_err(rejected)?,
    ))
}

#[derive(Deserialize)]
pub struct RegisterFinish {
    ceremony: String,
    credential: RegisterPublicKeyCredential,
    #[serde(default)]
    name: String,
}

pub async fn register_finish(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<RegisterFinish>, JsonRejection>,
) -> Result<Json<Value>, ProtocolError> {
    check_csrf(&state, &headers)?;
    let Json(body) = body.map_err(|e| ProtocolError::InvalidRequest(e.body_text()))?;
    let (_, account) = state.signed_in(&headers).await?.ok_or(ProtocolError::InvalidRequest("sign in first".into()))?;
    state
        .passkeys
        .finish_registration(&account.id, &body.ceremony, &body.credential, &body.name)
        .await
        .map_err(rejected)?;
    Ok(Json(json!({ "ok": true })))
}

pub async fn sign_in_start(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ProtocolError> {
    check_csrf(&state, &headers)?;
    Ok(started(state.passkeys.start_sign_in().await.map_err(rejected)?))
}

#[derive(Deserialize)]
pub struct AuthFinish {
    ceremony: String,
    credential: PublicKeyCredential,
    #[serde(default)]
    return_to: String,
    #[serde(default)]
    req: String,
}

/// A passkey sign-in creates a session whose method is `hwk` (RFC 8176: proof of a key held in
/// hardware, with user verification).
pub async fn sign_in_finish(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<AuthFinish>, JsonRejection>,
) -> Result<Response, ProtocolError> {
    check_csrf(&state, &headers)?;
    let Json(body) = body.map_err(|e| ProtocolError::InvalidRequest(e.body_text()))?;
    if !state.throttle.admit(peer.ip()) {
        return Err(ProtocolError::InvalidRequest("too many attempts; try again in a minute".into()));
    }
    let account_id = state.passkeys.finish_sign_in(&body.ceremony, &body.credential).await.map_err(rejected)?;
    let account = match state.accounts.by_id(&account_id).await {
        Ok(Some(a)) if a.status == AccountStatus::Active => a,
        _ => return Err(ProtocolError::InvalidRequest("this account is disabled".into())),
    };
    let cookie =
        start_session(&state, &headers, &account, "hwk", &peer.ip().to_string(), &user_agent(&headers)).await?;
    let mut response = Json(json!({ "redirect": safe_return_to(&body.return_to) })).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

#[derive(Deserialize)]
pub struct StepUpStart {
    req: String,
}

pub async fn step_up_start(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<StepUpStart>, JsonRejection>,
) -> Result<Json<Value>, ProtocolError> {
    check_csrf(&state, &headers)?;
    let Json(body) = body.map_err(|e| ProtocolError::InvalidRequest(e.body_text()))?;
    load_pending(&state, &body.req, gerbang_core::lang::Lang::En)
        .await
        .map_err(|_| ProtocolError::InvalidRequest("the sign-in request expired".into()))?;
    let (_, account) = state.signed_in(&headers).await?.ok_or(ProtocolError::InvalidRequest("sign in first".into()))?;
    let started_ = state.passkeys.start_step_up(&account.id).await.map_err(rejected)?;
    Ok(started(started_.ok_or(ProtocolError::InvalidRequest("no passkey registered".into()))?))
}

/// A passkey on top of the session: `hwk` joins its methods and the authentication time moves on.
pub async fn step_up_finish(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<AuthFinish>, JsonRejection>,
) -> Result<Json<Value>, ProtocolError> {
    check_csrf(&state, &headers)?;
    let Json(body) = body.map_err(|e| ProtocolError::InvalidRequest(e.body_text()))?;
    let (session, account) =
        state.signed_in(&headers).await?.ok_or(ProtocolError::InvalidRequest("sign in first".into()))?;
    state.passkeys.finish_step_up(&account.id, &body.ceremony, &body.credential).await.map_err(rejected)?;
    add_factor(&state, &session, "hwk", "hwk", &peer.ip().to_string(), &user_agent(&headers)).await?;
    Ok(Json(json!({ "redirect": format!("/authorize/lanjut?req={}", body.req) })))
}

#[derive(Deserialize)]
pub struct ManageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    cred: String,
    #[serde(default)]
    name: String,
}

pub async fn rename(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<ManageForm>, FormRejection>,
) -> Result<Response, PageError> {
    manage(&state, &headers, form, false).await
}

pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<ManageForm>, FormRejection>,
) -> Result<Response, PageError> {
    manage(&state, &headers, form, true).await
}

async fn manage(
    state: &AppState,
    headers: &HeaderMap,
    form: Result<Form<ManageForm>, FormRejection>,
    remove: bool,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::BadForm)?;
    csrf::require(headers, &form.csrf, state.secure_cookies)?;
    let Some((_, account)) = state.signed_in(headers).await? else {
        return Ok(Redirect::to("/masuk?return_to=/akun").into_response());
    };
    let cred = URL_SAFE_NO_PAD.decode(&form.cred).map_err(|_| PageError::BadForm)?;
    if remove {
        state.passkeys.remove(&account.id, &cred).await?;
    } else {
        state.passkeys.rename(&account.id, &cred, &form.name).await?;
    }
    Ok(Redirect::to("/akun").into_response())
}
