//! Static assets of the theme.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::PageError;
use crate::state::AppState;

pub async fn css(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        state.theme.css().to_string(),
    )
}

/// `/assets/{name}.js`: the theme's scripts (passkeys, registration).
pub async fn script(State(state): State<AppState>, Path(name): Path<String>) -> Result<Response, PageError> {
    let text = state.theme.script(&name).ok_or(PageError::NotFound)?;
    Ok((
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        text.to_string(),
    )
        .into_response())
}
