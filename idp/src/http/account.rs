//! The account page (`/akun`): who is signed in, with which identifier and session.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::error::PageError;
use super::lang::UiLang;
use super::{csrf, page};
use crate::state::AppState;

pub async fn show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Result<Response, PageError> {
    let Some((session, account)) = state.signed_in(&headers).await? else {
        return Ok(Redirect::to("/masuk?return_to=/akun").into_response());
    };
    let view = state.accounts.view(&account.id).await.map_err(|e| PageError::from_account(e, ui.lang))?;
    let (token, csrf_cookie) = csrf::ensure(&headers, state.secure_cookies);
    let html = state
        .theme
        .page(
            "account.html",
            &ui,
            context! {
                csrf => token,
                name => view.account.display_name,
                kind => view.account.kind.as_str(),
                nip => view.nip,
                jenis_pegawai => view.jenis_pegawai,
                nik_masked => view.nik_masked,
                roles => view.roles,
                auth_time => wib(session.auth_time),
                expires_at => wib(session.expires_at),
            },
        )
        .map_err(|e| PageError::Server(e.to_string()))?;
    Ok(page::respond(StatusCode::OK, html, csrf_cookie, &ui, state.secure_cookies))
}

/// Western Indonesia Time (UTC+7, no DST), written the Indonesian way: `17-08-2026 14.30 WIB`.
fn wib(unix: i64) -> String {
    let offset = time::UtcOffset::from_hms(7, 0, 0).expect("UTC+7 is a valid offset");
    match time::OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => {
            let t = t.to_offset(offset);
            format!("{:02}-{:02}-{} {:02}.{:02} WIB", t.day(), u8::from(t.month()), t.year(), t.hour(), t.minute())
        }
        Err(_) => "-".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wib_is_utc_plus_seven() {
        // 2026-08-17 07:30:00 UTC
        assert_eq!(super::wib(1_786_951_800), "17-08-2026 14.30 WIB");
    }
}
