//! Ending sessions from the account page: one of them, or every other one.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use gerbang_core::store::{SessionStore, now_unix};
use serde::Deserialize;

use super::csrf;
use super::error::PageError;
use crate::oidc::logout::end_session;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct EndForm {
    #[serde(default)]
    csrf: String,
    /// The public id of the session to end, or `others`.
    #[serde(default)]
    sid: String,
}

pub async fn end(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<EndForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::BadForm)?;
    csrf::require(&headers, &form.csrf, state.secure_cookies)?;
    let Some((current, account)) = state.signed_in(&headers).await? else {
        return Ok(Redirect::to("/masuk?return_to=/akun").into_response());
    };
    let sessions = state.store.conn().await?.account_sessions(&account.id, now_unix()).await?;
    for s in sessions {
        let chosen = if form.sid == "others" { s.sid != current.sid } else { s.sid == form.sid };
        if chosen {
            end_session(&state, &s).await?;
        }
    }
    Ok(Redirect::to("/akun").into_response())
}
