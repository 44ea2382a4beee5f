//! `/authorize`: validate, remember the request while the person signs in and consents, then
//! send an authorization code back to the client.

mod consent;
mod level;
pub mod request;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gerbang_core::crypto::random;
use gerbang_core::lang::Lang;
use gerbang_core::policy::AuthFacts;
use gerbang_core::store::{
    Account, AccountKind, Assurance, AuthCodeRecord, AuthorizationStore, AuthzRequestRecord, Session, now_unix,
};
use serde::{Deserialize, Serialize};
use url::Url;

pub use consent::{consent_page, consent_submit};
use request::{AuthorizeRequest, PageProblem, RedirectProblem};

use super::client::Client;
use super::tokens::{AuthContext, token_hash};
use crate::accounts::Identity;
use crate::http::error::PageError;
use crate::http::lang::UiLang;
use crate::http::params::RawParams;
use crate::state::AppState;

/// What an authorization code stands for, stored with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeDetails {
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub auth: AuthContext,
}

/// `/authorize`, GET or POST.
pub async fn authorize(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    RawParams(raw): RawParams,
) -> Result<Response, PageError> {
    start(&state, ui, &headers, &raw).await
}

async fn start(state: &AppState, ui: UiLang, headers: &HeaderMap, raw: &str) -> Result<Response, PageError> {
    let (params, duplicates) = request::collect(raw);
    let client = match params.get("client_id") {
        Some(id) if id.len() <= 128 => state.clients.get(id).await?,
        _ => None,
    };
    let s1 = request::stage1(params, duplicates, client.as_ref()).map_err(|p| page_problem(&p, ui.lang))?;
    let Some(client) = client else { return Err(PageError::Server("stage 1 passed without a client".into())) };
    let req = match request::stage2(&s1, &client) {
        Ok(req) => req,
        Err(problem) => return Ok(redirect_error(state, &s1.redirect_uri, s1.state.as_deref(), &problem)),
    };
    let now = now_unix();
    let id = random::token(24);
    let record = AuthzRequestRecord {
        id: id.clone(),
        client_id: client.id.clone(),
        params: serde_json::to_string(&req).map_err(|e| PageError::Server(e.to_string()))?,
        created_at: now,
        expires_at: now + state.issuer.config.authorization_ttl_secs,
    };
    let mut tx = state.store.begin().await?;
    tx.insert_authz_request(&record).await?;
    tx.commit().await?;
    proceed(state, headers, &id, &req, now, &client).await
}

#[derive(Debug, Deserialize)]
pub struct ContinueQuery {
    req: String,
}

/// `/authorize/lanjut?req=…`: where sign-in returns to.
pub async fn resume(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    query: Result<Query<ContinueQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let Query(q) = query.map_err(|_| PageError::BadForm)?;
    let (req, created_at, client) = load_pending(&state, &q.req, ui.lang).await?;
    proceed(&state, &headers, &q.req, &req, created_at, &client).await
}

/// The name of the application a pending request comes from, for the login page.
pub async fn pending_client_name(state: &AppState, return_to: &str) -> Option<String> {
    let id = return_to.strip_prefix("/authorize/lanjut?req=")?;
    load_pending(state, id, Lang::Id).await.ok().map(|(_, _, client)| client.name)
}

/// A pending request and its client; a page error when it expired or the client went away.
pub(crate) async fn load_pending(
    state: &AppState,
    id: &str,
    lang: Lang,
) -> Result<(AuthorizeRequest, i64, Client), PageError> {
    let expired = || {
        PageError::BadRequest(match lang {
            Lang::Id => {
                "Permintaan masuk ini sudah kedaluwarsa atau sudah dipakai. Kembali ke aplikasi dan coba lagi.".into()
            }
            Lang::En => {
                "This sign-in request has expired or was already used. Go back to the application and try again.".into()
            }
        })
    };
    if id.len() > 64 {
        return Err(expired());
    }
    let record = state.store.conn().await?.authz_request(id, now_unix()).await?.ok_or_else(expired)?;
    let req: AuthorizeRequest = serde_json::from_str(&record.params).map_err(|e| PageError::Server(e.to_string()))?;
    let client = state.clients.get(&req.client_id).await?.filter(|c| c.active).ok_or_else(expired)?;
    Ok((req, record.created_at, client))
}

/// Decides the next step: sign in, consent, or the code.
async fn proceed(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    req: &AuthorizeRequest,
    created_at: i64,
    client: &Client,
) -> Result<Response, PageError> {
    let current = state.signed_in(headers).await?;
    let now = now_unix();
    let needs_login = match &current {
        None => true,
        Some((session, account)) => {
            ((req.prompt.login || req.prompt.select_account) && session.auth_time < created_at)
                || req.max_age.is_some_and(|max| now - session.auth_time > max)
                || !hint_matches(state, req.login_hint.as_deref(), account).await
        }
    };
    if needs_login {
        if req.prompt.none {
            let problem = RedirectProblem::new("login_required", "the person must sign in");
            return Ok(redirect_error(state, &req.redirect_uri, req.state.as_deref(), &problem));
        }
        return login_redirect(id, req);
    }
    let Some((session, account)) = current else {
        return Err(PageError::Server("no session after login check".into()));
    };
    match level::next_step(state, req, &session, &account).await? {
        level::Step::Satisfied | level::Step::Unreachable => {}
        level::Step::FreshSignIn if req.prompt.none => {
            let problem = RedirectProblem::new("login_required", "the requested level needs a fresh sign-in");
            return Ok(redirect_error(state, &req.redirect_uri, req.state.as_deref(), &problem));
        }
        level::Step::FreshSignIn => return login_redirect(id, req),
        level::Step::SecondFactor if req.prompt.none => {
            let problem = RedirectProblem::new("interaction_required", "the requested level needs a second factor");
            return Ok(redirect_error(state, &req.redirect_uri, req.state.as_deref(), &problem));
        }
        level::Step::SecondFactor => return Ok(see_other(&format!("/masuk/langkah-2?req={id}"))),
    }
    let consented = match state.store.conn().await?.consent(&account.id, &client.id).await? {
        Some(scope) => req.scope.iter().all(|s| scope.split(' ').any(|x| x == s)),
        None => false,
    };
    if !client.skip_consent && (req.prompt.consent || !consented) {
        if req.prompt.none {
            let problem = RedirectProblem::new("consent_required", "the person must consent");
            return Ok(redirect_error(state, &req.redirect_uri, req.state.as_deref(), &problem));
        }
        return Ok(see_other(&format!("/persetujuan?req={id}")));
    }
    issue_code(state, id, req, &session, &account).await
}

/// To the login form, which comes back to this request. `force=1` shows the form even to a
/// signed-in person: a fresh sign-in is what is missing (prompt=login, max_age, a level).
fn login_redirect(id: &str, req: &AuthorizeRequest) -> Result<Response, PageError> {
    let mut target = Url::parse("http://x/masuk").map_err(|e| PageError::Server(e.to_string()))?;
    target.query_pairs_mut().append_pair("return_to", &format!("/authorize/lanjut?req={id}")).append_pair("force", "1");
    if let Some(hint) = req.login_hint.as_deref().filter(|h| Identity::parse(h).is_ok()) {
        target.query_pairs_mut().append_pair("login_hint", hint);
    }
    if let Some(locales) = &req.ui_locales {
        target.query_pairs_mut().append_pair("ui_locales", locales);
    }
    Ok(see_other(&format!("{}?{}", target.path(), target.query().unwrap_or(""))))
}

/// A `login_hint` naming another account than the signed-in one asks for a new sign-in.
async fn hint_matches(state: &AppState, hint: Option<&str>, account: &Account) -> bool {
    let Some(identity) = hint.and_then(|h| Identity::parse(h).ok()) else { return true };
    matches!(state.accounts.find(&identity).await, Ok(Some(a)) if a.id == account.id)
}

/// Stores a single-use code and sends the person back to the client with it.
pub(super) async fn issue_code(
    state: &AppState,
    request_id: &str,
    req: &AuthorizeRequest,
    session: &Session,
    account: &Account,
) -> Result<Response, PageError> {
    let now = now_unix();
    let amr: Vec<String> = session.amr.split(' ').filter(|m| !m.is_empty()).map(String::from).collect();
    let amr_refs: Vec<&str> = amr.iter().map(String::as_str).collect();
    let facts = AuthFacts {
        is_asn: account.kind == AccountKind::Asn,
        amr: &amr_refs,
        auth_age: now - session.auth_time,
        verified: account.assurance == Assurance::Terverifikasi,
    };
    let acr = state.levels.achieved(&facts).id.clone();
    metrics::counter!("gerbang_authorizations_total", "level" => acr.clone()).increment(1);
    let details = CodeDetails {
        redirect_uri: req.redirect_uri.clone(),
        code_challenge: req.code_challenge.clone(),
        auth: AuthContext {
            scope: req.scope.clone(),
            nonce: req.nonce.clone(),
            auth_time: session.auth_time,
            amr,
            acr,
            sid: Some(session.sid.clone()),
        },
    };
    let code = random::token(32);
    let record = AuthCodeRecord {
        code_hash: token_hash(&code),
        client_id: req.client_id.clone(),
        account_id: account.id.clone(),
        details: serde_json::to_string(&details).map_err(|e| PageError::Server(e.to_string()))?,
        created_at: now,
        expires_at: now + state.issuer.config.code_ttl_secs,
        used_at: None,
        grant_id: None,
    };
    let mut tx = state.store.begin().await?;
    tx.insert_code(&record).await?;
    tx.delete_authz_request(request_id).await?;
    tx.commit().await?;
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = &req.state {
        pairs.push(("state", s));
    }
    // RFC 9207: tell the client which issuer answered (mix-up defence).
    pairs.push(("iss", &state.issuer.url));
    Ok(see_other(&with_query(&req.redirect_uri, &pairs)))
}

/// The error response of RFC 6749 §4.1.2.1, sent to a redirect URI already known good.
pub(super) fn redirect_error(
    state: &AppState,
    redirect_uri: &str,
    st: Option<&str>,
    problem: &RedirectProblem,
) -> Response {
    let mut pairs = vec![("error", problem.error), ("error_description", problem.description.as_str())];
    if let Some(s) = st {
        pairs.push(("state", s));
    }
    pairs.push(("iss", &state.issuer.url));
    see_other(&with_query(redirect_uri, &pairs))
}

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    match Url::parse(uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(pairs);
            url.to_string()
        }
        Err(_) => uri.to_string(),
    }
}

pub(super) fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn page_problem(problem: &PageProblem, lang: Lang) -> PageError {
    let text = match (problem, lang) {
        (PageProblem::MissingClientId, Lang::Id) => "Permintaan dari aplikasi tidak menyebut client_id.",
        (PageProblem::MissingClientId, Lang::En) => "The application's request has no client_id.",
        (PageProblem::UnknownClient, Lang::Id) => "Aplikasi ini tidak terdaftar di SSO atau sedang dinonaktifkan.",
        (PageProblem::UnknownClient, Lang::En) => "This application is not registered with the SSO, or is disabled.",
        (PageProblem::MissingRedirectUri, Lang::Id) => "Permintaan dari aplikasi tidak menyebut redirect_uri.",
        (PageProblem::MissingRedirectUri, Lang::En) => "The application's request has no redirect_uri.",
        (PageProblem::UnregisteredRedirectUri, Lang::Id) => {
            "Alamat kembali (redirect_uri) tidak terdaftar untuk aplikasi ini; demi keamanan Anda tidak diarahkan ke sana."
        }
        (PageProblem::UnregisteredRedirectUri, Lang::En) => {
            "The return address (redirect_uri) is not registered for this application; for your safety you are not sent there."
        }
        (PageProblem::Malformed(_), Lang::Id) => "Permintaan dari aplikasi tidak valid.",
        (PageProblem::Malformed(_), Lang::En) => "The application's request is not valid.",
    };
    PageError::BadRequest(text.into())
}
