//! Every route of the IdP, in one place.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware;
use axum::response::Redirect;
use axum::routing::{get, post};
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use super::error::{PageError, render_page_errors};
use super::{account, assets, factors, health, login, passkeys, sessions, step_up};
use crate::oidc::{authorize, discovery, introspect, logout, revoke, token, userinfo};
use crate::state::AppState;

/// Pages load only our own stylesheet and script (no inline code); nothing may frame them
/// (clickjacking on the login form).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(|| async { Redirect::to("/akun") }))
        .route("/masuk", get(login::show).post(login::submit))
        .route("/keluar", post(login::logout))
        .route("/akun", get(account::show))
        .route("/akun/totp", get(factors::enrol_page).post(factors::enrol_submit))
        .route("/akun/totp/hapus", post(factors::remove))
        .route("/akun/sesi/akhiri", post(sessions::end))
        .route("/masuk/langkah-2", get(step_up::show).post(step_up::submit))
        .route("/akun/passkey/mulai", post(passkeys::register_start))
        .route("/akun/passkey/selesai", post(passkeys::register_finish))
        .route("/akun/passkey/ubah", post(passkeys::rename))
        .route("/akun/passkey/hapus", post(passkeys::remove))
        .route("/masuk/passkey/mulai", post(passkeys::sign_in_start))
        .route("/masuk/passkey/selesai", post(passkeys::sign_in_finish))
        .route("/masuk/langkah-2/passkey/mulai", post(passkeys::step_up_start))
        .route("/masuk/langkah-2/passkey/selesai", post(passkeys::step_up_finish))
        .route("/assets/passkey.js", get(assets::passkey_js))
        .route("/assets/gerbang.css", get(assets::css))
        .route("/authorize", get(authorize::authorize).post(authorize::authorize))
        .route("/authorize/lanjut", get(authorize::resume))
        .route("/persetujuan", get(authorize::consent_page).post(authorize::consent_submit))
        .route("/logout", get(logout::logout).post(logout::logout))
        .route("/logout/konfirmasi", post(logout::logout_confirm))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(|| async { PageError::NotFound })
        .method_not_allowed_fallback(|| async { PageError::MethodNotAllowed })
        .layer(middleware::from_fn_with_state(state.clone(), render_page_errors))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ));
    // Protocol endpoints answer JSON and use no cookies, so browser applications of any origin
    // may call them (CORS without credentials).
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]);
    let protocol = Router::new()
        .route("/.well-known/openid-configuration", get(discovery::configuration))
        .route("/jwks", get(discovery::jwks))
        .route("/token", post(token::token))
        .route("/userinfo", get(userinfo::userinfo).post(userinfo::userinfo))
        .route("/introspect", post(introspect::introspect))
        .route("/revoke", post(revoke::revoke))
        .layer(cors);
    gerbang_core::http::with_common_layers(protocol.merge(pages).with_state(state))
}
