//! Discovery (`/.well-known/openid-configuration`, OIDC Discovery §3) and the JWKS.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::client::{AuthMethod, GrantType};
use super::scope;
use crate::state::AppState;

pub async fn configuration(State(state): State<AppState>) -> Response {
    let i = &state.issuer;
    let acr: Vec<&str> = state.levels.all().iter().map(|l| l.id.as_str()).collect();
    let body = json!({
        "issuer": i.url,
        "authorization_endpoint": i.endpoint("/authorize"),
        "token_endpoint": i.endpoint("/token"),
        "userinfo_endpoint": i.endpoint("/userinfo"),
        "jwks_uri": i.endpoint("/jwks"),
        "introspection_endpoint": i.endpoint("/introspect"),
        "revocation_endpoint": i.endpoint("/revoke"),
        "end_session_endpoint": i.endpoint("/logout"),
        "scopes_supported": scope::KNOWN,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": GrantType::ALL.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["ES256", "RS256"],
        "userinfo_signing_alg_values_supported": ["none"],
        "token_endpoint_auth_methods_supported": AuthMethod::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "RS256", "PS256"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "revocation_endpoint_auth_methods_supported": AuthMethod::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": acr,
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "azp", "at_hash", "identity_assurance",
                              "name", "nip", "jenis_pegawai", "opd", "nik", "roles"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "ui_locales_supported": ["id", "en"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "authorization_response_iss_parameter_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "frontchannel_logout_supported": false,
    });
    cached(Json(body).into_response())
}

pub async fn jwks(State(state): State<AppState>) -> Response {
    cached(Json(state.issuer.keys.jwks()).into_response())
}

/// Short caching: clients refetch soon after a key rotation.
fn cached(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}
