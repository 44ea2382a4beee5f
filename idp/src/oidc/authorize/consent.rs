//! The consent page (`/persetujuan`): which application asks for which data; allow or deny,
//! optionally remembered.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use gerbang_core::store::{AuthorizationStore, now_unix};
use minijinja::context;
use serde::Deserialize;

use super::request::RedirectProblem;
use super::{issue_code, load_pending, redirect_error, see_other};
use crate::http::error::PageError;
use crate::http::lang::UiLang;
use crate::http::{csrf, page};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ConsentQuery {
    req: String,
}

#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    req: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    remember: Option<String>,
}

pub async fn consent_page(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    query: Result<Query<ConsentQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(q) = query.map_err(|_| PageError::BadForm)?;
    let (req, _, client) = load_pending(&state, &q.req, ui.lang).await?;
    let Some((_, account)) = state.signed_in(&headers).await? else {
        return Ok(see_other(&format!("/authorize/lanjut?req={}", q.req)));
    };
    let scopes: Vec<String> = req.scope.iter().map(|s| state.theme.string(ui.lang, &format!("scope_{s}"))).collect();
    let (token, csrf_cookie) = csrf::ensure(&headers, state.secure_cookies);
    let html = state
        .theme
        .page("consent.html", &ui,
            context! { csrf => token, req => q.req, client_name => client.name, scopes => scopes, name => account.display_name },
        )
        .map_err(|e| PageError::Server(e.to_string()))?;
    Ok(page::respond(StatusCode::OK, html, csrf_cookie, &ui, state.secure_cookies))
}

pub async fn consent_submit(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    form: Result<Form<ConsentForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::BadForm)?;
    csrf::require(&headers, &form.csrf, state.secure_cookies)?;
    let (req, _, _) = load_pending(&state, &form.req, ui.lang).await?;
    let Some((session, account)) = state.signed_in(&headers).await? else {
        return Ok(see_other(&format!("/authorize/lanjut?req={}", form.req)));
    };
    match form.decision.as_str() {
        "allow" => {
            if form.remember.is_some() {
                let mut tx = state.store.begin().await?;
                tx.upsert_consent(&account.id, &req.client_id, &req.scope.join(" "), now_unix()).await?;
                tx.commit().await?;
            }
            issue_code(&state, &form.req, &req, &session, &account).await
        }
        "deny" => {
            let mut tx = state.store.begin().await?;
            tx.delete_authz_request(&form.req).await?;
            tx.commit().await?;
            let problem = RedirectProblem::new("access_denied", "the person declined");
            Ok(redirect_error(&state, &req.redirect_uri, req.state.as_deref(), &problem))
        }
        _ => Err(PageError::BadForm),
    }
}
