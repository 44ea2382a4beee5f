//! Every route of the IdP, in one place.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware;
use axum::response::Redirect;
use axum::routing::{get, post};
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use super::admin as ad;
use gerbang_core::http::text_guard::refuse_nul;

use super::error::{PageError, refuse_bad_text_json, refuse_bad_text_page, render_page_errors};
use super::{account, assets, factors, health, login, passkeys, register, reset, sessions, step_up, verifier};
use crate::oidc::{authorize, discovery, introspect, logout, revoke, token, userinfo};
use crate::state::AppState;

/// Pages load only our own stylesheet and script (no inline code); nothing may frame them
/// (clickjacking on the login form).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

pub fn router(state: AppState) -> Router {
    let pages = people_pages()
        .merge(admin_pages())
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .fallback(|| async { PageError::NotFound })
        .method_not_allowed_fallback(|| async { PageError::MethodNotAllowed })
        .layer(middleware::from_fn(|r, n| refuse_nul(r, n, refuse_bad_text_page)))
        .layer(middleware::from_fn_with_state(state.clone(), render_page_errors))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ));
    let protocol = protocol();
    let api = api();
    gerbang_core::http::with_common_layers(
        protocol.merge(api).merge(super::scim::routes()).merge(pages).with_state(state),
        "idp",
    )
}

// Each group of routes is built in its own function: one function building every route keeps
// every temporary in one stack frame, which in a debug build outgrew a test thread's stack.

fn people_pages() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/akun") }))
        .route("/masuk", get(login::show).post(login::submit))
        .route("/keluar", post(login::logout))
        .route("/akun", get(account::show))
        .route("/akun/totp", get(factors::enrol_page).post(factors::enrol_submit))
        .route("/akun/totp/hapus", post(factors::remove))
        .route("/akun/sesi/akhiri", post(sessions::end))
        .route("/masuk/langkah-2", get(step_up::show).post(step_up::submit))
        .route("/daftar", get(register::show).post(register::submit))
        .route("/daftar/verifikasi", get(register::codes_page).post(register::codes_submit))
        .route("/daftar/kirim-ulang", post(register::resend))
        .route("/lupa-sandi", get(reset::show).post(reset::submit))
        .route("/aktivasi", get(reset::activation))
        .route("/lupa-sandi/kode", get(reset::codes_page).post(reset::codes_submit))
        .route("/verifikasi", get(verifier::page).post(verifier::search))
        .route("/verifikasi/{id}", post(verifier::verify))
        .route("/akun/passkey/mulai", post(passkeys::register_start))
        .route("/akun/passkey/selesai", post(passkeys::register_finish))
        .route("/akun/passkey/ubah", post(passkeys::rename))
        .route("/akun/passkey/hapus", post(passkeys::remove))
        .route("/masuk/passkey/mulai", post(passkeys::sign_in_start))
        .route("/masuk/passkey/selesai", post(passkeys::sign_in_finish))
        .route("/masuk/langkah-2/passkey/mulai", post(passkeys::step_up_start))
        .route("/masuk/langkah-2/passkey/selesai", post(passkeys::step_up_finish))
        .route("/assets/{name}", get(assets::script))
        .route("/assets/gerbang.css", get(assets::css))
        .route("/authorize", get(authorize::authorize).post(authorize::authorize))
        .route("/authorize/lanjut", get(authorize::resume))
        .route("/persetujuan", get(authorize::consent_page).post(authorize::consent_submit))
        .route("/logout", get(logout::logout).post(logout::logout))
        .route("/logout/konfirmasi", post(logout::logout_confirm))
}

fn admin_pages() -> Router<AppState> {
    Router::new()
        .route("/admin", get(ad::registers::overview))
        .route("/admin/opd", get(ad::registers::opd_list).post(ad::registers::opd_create))
        .route("/admin/opd/{id}", get(ad::registers::opd_show).post(ad::registers::opd_update))
        .route("/admin/aplikasi", get(ad::registers::app_list).post(ad::registers::app_create))
        .route("/admin/aplikasi/{id}", get(ad::registers::app_show).post(ad::registers::app_update))
        .route(
            "/admin/aplikasi/{id}/dokumen",
            // Handed-over documents (manuals, designs) are uploaded here: up to 10 MiB each.
            post(ad::registers::app_doc)
                .layer(DefaultBodyLimit::max(crate::admin::application::MAX_DOC_BYTES + 64 * 1024)),
        )
        .route("/admin/aplikasi/{id}/dokumen/{item}", get(ad::registers::app_doc_file))
        .route("/admin/domain", get(ad::registers::domain_list).post(ad::registers::domain_create))
        .route("/admin/domain/{id}", get(ad::registers::domain_show).post(ad::registers::domain_update))
        .route("/admin/jaringan", get(ad::registers::network_list).post(ad::registers::network_create))
        .route("/admin/jaringan/{id}", get(ad::registers::network_show).post(ad::registers::network_update))
        .route("/admin/kelompok-data", get(ad::registers::groups).post(ad::registers::appoint))
        .route("/admin/akun", get(ad::registers::accounts))
        .route(
            "/admin/asn/impor",
            get(ad::hr::import_page)
                .post(ad::hr::import_submit)
                .layer(DefaultBodyLimit::max(ad::hr::MAX_FILE_BYTES + 64 * 1024)),
        )
        .route("/admin/akun/{id}", get(ad::registers::account_show).post(ad::registers::account_update))
        .route("/admin/klien", get(ad::clients::list))
        .route("/admin/klien/{id}", get(ad::clients::show).post(ad::clients::decide))
        .route("/admin/audit", get(ad::audit::log))
        .route("/admin/audit.csv", get(ad::audit::log_csv))
        .route("/admin/laporan", get(ad::audit::reports))
        .route("/admin/laporan/{file}", get(ad::audit::report_csv))
        .route("/portal", get(ad::portal::home))
        .route("/portal/baru", get(ad::portal::new_page).post(ad::portal::create))
        .route("/portal/{id}", get(ad::portal::show))
        .route("/portal/{id}/logo", get(ad::portal::logo))
        .route("/portal/{id}/rahasia", post(ad::portal::rotate))
        .route("/portal/{id}/uri", post(ad::portal::change_uris))
        .route("/wali-data", get(ad::steward::queue))
        .route("/wali-data/{id}/{claim}", post(ad::steward::decide))
}

fn protocol() -> Router<AppState> {
    // Protocol endpoints answer JSON and use no cookies, so browser applications of any origin
    // may call them (CORS without credentials).
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]);
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery::configuration))
        .route("/jwks", get(discovery::jwks))
        .route("/token", post(token::token))
        .route("/userinfo", get(userinfo::userinfo).post(userinfo::userinfo))
        .route("/introspect", post(introspect::introspect))
        .route("/revoke", post(revoke::revoke))
        .layer(middleware::from_fn(|r, n| refuse_nul(r, n, refuse_bad_text_json)))
        .layer(cors)
}

fn api() -> Router<AppState> {
    // The admin and portal API: bearer tokens, no cookies, JSON errors (never the HTML fallback).
    use super::api::{audit as a, portal as p, registers as r};
    let api = Router::new()
        .route("/opds", get(r::list_opds).post(r::create_opd))
        .route("/opds/{id}", get(r::get_opd).put(r::update_opd))
        .route("/applications", get(r::list_applications).post(r::create_application))
        .route("/applications/{id}", get(r::get_application).put(r::update_application))
        .route("/applications/{id}/docs/{item}", axum::routing::put(r::set_doc))
        .route("/domains", get(r::list_domains).post(r::create_domain))
        .route("/domains/{name}", get(r::get_domain).put(r::update_domain))
        .route("/networks", get(r::list_networks).post(r::create_network))
        .route("/networks/{id}", get(r::get_network).put(r::update_network).delete(r::delete_network))
        .route("/data-groups", get(r::list_data_groups))
        .route("/data-groups/{id}/steward", axum::routing::put(r::set_steward))
        .route("/accounts", get(r::list_accounts))
        .route("/accounts/{id}", get(r::get_account).put(r::update_account))
        .route("/{kind}/{id}/history", get(r::history))
        .route("/registrations", get(p::list).post(p::create))
        .route("/registrations/{id}", get(p::get))
        .route("/registrations/{id}/decision", post(p::decide))
        .route("/registrations/{id}/claims/{claim}/decision", post(p::decide_claim))
        .route("/steward/queue", get(p::steward_queue))
        .route("/clients/{id}", axum::routing::put(p::change))
        .route("/clients/{id}/secret", post(p::rotate_secret))
        .route("/audit", get(a::search))
        .route("/audit.csv", get(a::export))
        .route("/audit/verify", get(a::verify))
        .route("/reports", get(a::report))
        .route("/reports/{file}", get(a::report_csv))
        .fallback(|| async { super::error::ApiError::Admin(crate::admin::AdminError::NotFound, Default::default()) })
        .method_not_allowed_fallback(|| async {
            (
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                axum::Json(
                    serde_json::json!({ "error": "invalid_request", "error_description": "method not allowed" }),
                ),
            )
        });
    // Register data and secrets: never cached.
    Router::new()
        .nest("/api/v1", api)
        .layer(middleware::from_fn(|r, n| refuse_nul(r, n, refuse_bad_text_json)))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}
