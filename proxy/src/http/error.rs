//! Every way a gateway request can fail, and the one place each becomes a response: an HTML page
//! for people, JSON (with `WWW-Authenticate` where RFC 6750 / RFC 9470 ask) for programs.

use axum::response::Response;
use gerbang_core::store::StoreError;
use http::{HeaderValue, StatusCode, header};
use serde_json::json;

use super::page::{self, Lang, Text, t};
use crate::decision::{Denied, StepUp};
use crate::forward::UpstreamError;
use crate::oidc::ProviderError;
use crate::oidc::login::CallbackError;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("no route for this host and path")]
    NotRouted,
    /// A program must sign in (or sign in more strongly); people are redirected instead.
    #[error("authentication required for level {}", .step.level)]
    LoginRequired { step: StepUp, insufficient: bool },
    #[error("denied: {reason:?}")]
    Denied { reason: Denied, account_url: String },
    #[error("bearer token rejected: {0}")]
    InvalidToken(String),
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Callback(#[from] CallbackError),
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How the caller wants the answer.
#[derive(Debug, Clone, Copy)]
pub struct Reply {
    pub json: bool,
    pub lang: Lang,
}

impl GatewayError {
    pub fn respond(self, reply: Reply) -> Response {
        match &self {
            GatewayError::Upstream(e) => tracing::warn!(error = %e, "upstream failed"),
            GatewayError::Provider(e) => tracing::error!(error = %e, "OpenID provider failed"),
            GatewayError::Store(e) => tracing::error!(error = %e, "gateway store failed"),
            GatewayError::Callback(e) => tracing::warn!(error = %e, "sign-in callback refused"),
            _ => tracing::debug!(error = %self, "request refused"),
        }
        let (status, code, title, message) = self.describe();
        if reply.json {
            let mut body = json!({ "error": code, "error_description": message.en });
            if let GatewayError::Denied { reason, .. } = &self {
                body["reason"] = json!(denied_code(reason));
            }
            let mut r = page::json(status, body);
            if let Some(challenge) = self.challenge() {
                r.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
            }
            return r;
        }
        let link = match &self {
            GatewayError::Denied { reason: Denied::LevelUnreachable { .. }, account_url } => {
                Some((account_url.as_str(), t("Buka halaman akun", "Open your account page")))
            }
            GatewayError::Callback(CallbackError::NoLogin) | GatewayError::NotRouted => {
                Some(("/.gerbang/", t("Daftar aplikasi", "List of applications")))
            }
            _ => None,
        };
        page::html(status, reply.lang, &title, &message, link)
    }

    /// RFC 6750 §3 and RFC 9470 §3: what the client must do to get through.
    fn challenge(&self) -> Option<HeaderValue> {
        let value = match self {
            GatewayError::LoginRequired { step, insufficient } => {
                let mut v = String::from("Bearer realm=\"gerbang\"");
                if *insufficient {
                    v.push_str(", error=\"insufficient_user_authentication\"");
                }
                v.push_str(&format!(", acr_values=\"{}\"", step.level));
                if let Some(max_age) = step.max_age {
                    v.push_str(&format!(", max_age={max_age}"));
                }
                v
            }
            GatewayError::InvalidToken(_) => "Bearer realm=\"gerbang\", error=\"invalid_token\"".into(),
            _ => return None,
        };
        HeaderValue::from_str(&value).ok()
    }

    fn describe(&self) -> (StatusCode, &'static str, Text, Text) {
        use GatewayError as E;
        match self {
            E::NotRouted => (
                StatusCode::NOT_FOUND,
                "not_found",
                t("Alamat tidak terdaftar", "Address not routed"),
                t(
                    "Alamat ini tidak terdaftar di gerbang aplikasi Kota Padang Panjang.",
                    "This address is not routed by the gateway of Kota Padang Panjang.",
                ),
            ),
            E::BadRequest(what) => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                t("Permintaan tidak sah", "Bad request"),
                t(
                    format!("Permintaan ini tidak dapat diproses ({what})."),
                    format!("This request cannot be processed ({what})."),
                ),
            ),
            E::LoginRequired { step, insufficient: false } => (
                StatusCode::UNAUTHORIZED,
                "login_required",
                t("Perlu masuk", "Sign-in required"),
                t(
                    format!("Masuk dengan tingkat keamanan '{}' diperlukan.", step.level),
                    format!("Sign in at security level '{}' first.", step.level),
                ),
            ),
            E::LoginRequired { step, insufficient: true } => (
                StatusCode::UNAUTHORIZED,
                "insufficient_user_authentication",
                t("Tingkat keamanan belum cukup", "Security level too low"),
                t(
                    format!(
                        "Permintaan ini memerlukan tingkat keamanan '{}'. Masuk ulang dengan faktor yang lebih kuat.",
                        step.level
                    ),
                    format!(
                        "This request needs security level '{}'. Sign in again with a stronger factor.",
                        step.level
                    ),
                ),
            ),
            E::Denied { reason, .. } => {
                let (id, en) = denied_text(reason);
                (StatusCode::FORBIDDEN, "access_denied", t("Akses ditolak", "Access denied"), t(id, en))
            }
            E::InvalidToken(_) => (
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                t("Token tidak sah", "Invalid token"),
                t(
                    "Token akses tidak sah, kedaluwarsa, atau bukan untuk aplikasi ini.",
                    "The access token is invalid, expired, or not meant for this application.",
                ),
            ),
            E::Upstream(UpstreamError::TooLarge(limit)) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "request_too_large",
                t("Kiriman terlalu besar", "Request too large"),
                t(
                    format!("Batas ukuran kiriman untuk aplikasi ini adalah {limit} bita."),
                    format!("This application accepts at most {limit} bytes per request."),
                ),
            ),
            E::Upstream(UpstreamError::Timeout(_)) => (
                StatusCode::GATEWAY_TIMEOUT,
                "upstream_timeout",
                t("Aplikasi tidak menjawab", "The application did not answer"),
                t(
                    "Aplikasi tujuan tidak menjawab tepat waktu. Coba lagi beberapa saat lagi.",
                    "The application did not answer in time. Please try again shortly.",
                ),
            ),
            E::Upstream(UpstreamError::Unreachable(_)) => (
                StatusCode::BAD_GATEWAY,
                "upstream_unreachable",
                t("Aplikasi tidak dapat dihubungi", "The application cannot be reached"),
                t(
                    "Aplikasi tujuan sedang tidak dapat dihubungi. Coba lagi beberapa saat lagi.",
                    "The application cannot be reached right now. Please try again shortly.",
                ),
            ),
            E::Provider(_) | E::Callback(CallbackError::Exchange(ProviderError::Unavailable(_))) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                t("Layanan masuk tidak tersedia", "Sign-in service unavailable"),
                t(
                    "Layanan masuk (SSO) sedang tidak dapat dihubungi. Coba lagi beberapa saat lagi.",
                    "The sign-in service cannot be reached right now. Please try again shortly.",
                ),
            ),
            E::Callback(CallbackError::Provider(_)) => (
                StatusCode::FORBIDDEN,
                "access_denied",
                t("Masuk tidak selesai", "Sign-in not completed"),
                t(
                    "Proses masuk dibatalkan atau ditolak oleh layanan SSO. Buka kembali aplikasinya untuk mencoba lagi.",
                    "The sign-in was cancelled or refused by the SSO service. Open the application again to retry.",
                ),
            ),
            E::Callback(_) => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                t("Sesi masuk kedaluwarsa", "Sign-in expired"),
                t(
                    "Proses masuk ini tidak dikenal atau sudah kedaluwarsa. Buka kembali aplikasinya untuk masuk lagi.",
                    "This sign-in is unknown or has expired. Open the application again to sign in.",
                ),
            ),
            E::Store(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                t("Layanan sedang terganggu", "Service unavailable"),
                t(
                    "Gerbang sedang terganggu. Coba lagi beberapa saat lagi.",
                    "The gateway is unavailable. Please try again shortly.",
                ),
            ),
        }
    }
}

fn denied_text(reason: &Denied) -> (String, String) {
    match reason {
        Denied::Network { .. } => (
            "Aplikasi ini hanya dapat dibuka dari jaringan yang ditetapkan untuknya (Pasal 5). Anda terhubung dari jaringan lain.".into(),
            "This application can only be opened from its designated networks; you are connected from elsewhere.".into(),
        ),
        Denied::CityNetwork { level } => (
            format!("Tingkat keamanan '{level}' hanya dapat diakses dari jaringan Pemerintah Kota yang terdaftar."),
            format!("Security level '{level}' is only available from a registered city government network."),
        ),
        Denied::NotAsn { level } => (
            format!("Aplikasi ini (tingkat '{level}') hanya untuk Aparatur Sipil Negara. Akun warga tidak dapat membukanya."),
            format!("This application (level '{level}') is for civil servants (ASN) only; citizen accounts cannot open it."),
        ),
        Denied::Subject { condition: "roles", .. } => (
            "Akun Anda tidak memiliki peran yang diperlukan aplikasi ini.".into(),
            "Your account lacks a role this application requires.".into(),
        ),
        Denied::Subject { condition: "opd", .. } => (
            "Aplikasi ini hanya untuk pegawai perangkat daerah (OPD) tertentu.".into(),
            "This application is only for staff of particular agencies (OPD).".into(),
        ),
        Denied::Subject { .. } => (
            "Aplikasi ini hanya untuk pengguna yang ditunjuk.".into(),
            "This application is only for designated users.".into(),
        ),
        Denied::LevelUnreachable { level } => (
            format!(
                "Aplikasi ini memerlukan tingkat keamanan '{level}', yang belum dapat dicapai akun Anda. Tambahkan passkey \
                 atau aplikasi autentikator (TOTP) di halaman akun, lalu buka aplikasinya lagi."
            ),
            format!(
                "This application needs security level '{level}', which your account cannot reach yet. Add a passkey or an \
                 authenticator app (TOTP) on your account page, then open the application again."
            ),
        ),
    }
}

/// Machine-readable reason for JSON answers and forward-auth headers.
pub fn denied_code(reason: &Denied) -> &'static str {
    match reason {
        Denied::Network { .. } => "network",
        Denied::CityNetwork { .. } => "city_network",
        Denied::NotAsn { .. } => "not_asn",
        Denied::Subject { condition, .. } => condition,
        Denied::LevelUnreachable { .. } => "level_unreachable",
    }
}
