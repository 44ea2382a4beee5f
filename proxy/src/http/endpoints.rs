//! The gateway's own small endpoints: back-channel logout receiver, JWKS of the assertion key,
//! the index of applications, and health.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::json;

use super::page::{self, escape};
use crate::oidc::backchannel::{self, LogoutError};
use crate::state::Gateway;

/// `POST /.gerbang/backchannel-logout` with `logout_token` (form-encoded).
pub async fn backchannel_logout(State(gw): State<Gateway>, body: Bytes) -> Response {
    let token = url::form_urlencoded::parse(&body).find(|(k, _)| k == "logout_token").map(|(_, v)| v.into_owned());
    let Some(token) = token else {
        return page::json(
            StatusCode::BAD_REQUEST,
            json!({ "error": "invalid_request", "error_description": "logout_token missing" }),
        );
    };
    match backchannel::receive(&gw, &token).await {
        Ok(()) => {
            let mut r = StatusCode::OK.into_response();
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(LogoutError::Store(e)) => {
            tracing::error!(error = %e, "could not record a back-channel logout");
            page::json(StatusCode::SERVICE_UNAVAILABLE, json!({ "error": "temporarily_unavailable" }))
        }
        Err(e) => {
            tracing::warn!(error = %e, "back-channel logout refused");
            page::json(
                StatusCode::BAD_REQUEST,
                json!({ "error": "invalid_request", "error_description": e.to_string() }),
            )
        }
    }
}

/// `GET /.gerbang/jwks.json`: the key upstreams verify `X-Gerbang-Assertion` with.
pub async fn jwks(State(gw): State<Gateway>) -> Response {
    let mut r = Json(gw.signer.jwks()).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    r
}

/// `GET /.gerbang/`: the applications behind the gateway.
pub async fn index(State(gw): State<Gateway>, headers: HeaderMap) -> Html<String> {
    let lang = page::lang(&headers);
    let policies = gw.policies.current();
    let scheme = if gw.settings.tls { "https" } else { "http" };
    let port = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':'))
        .map(|(_, p)| format!(":{p}"))
        .unwrap_or_default();
    let mut items = String::new();
    for r in policies.routes.all().iter().filter(|r| r.upstream.is_some()) {
        let href = format!("{scheme}://{}{port}{}", r.host, r.path);
        items.push_str(&format!(
            "<li><a href=\"{}\">{}</a> <small>({})</small></li>",
            escape(&href),
            escape(&r.name),
            escape(&r.level)
        ));
    }
    let (title, note) = match lang {
        page::Lang::Id => {
            ("Aplikasi Pemerintah Kota Padang Panjang", "Tingkat keamanan tiap aplikasi tertera dalam kurung.")
        }
        page::Lang::En => {
            ("Applications of the Padang Panjang city government", "Each application's security level is in brackets.")
        }
    };
    Html(format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>Gerbang · {title}</title></head>\
         <body><h1>{title}</h1><p>{note}</p><ul id=\"apps\">{items}</ul></body></html>"
    ))
}

pub async fn healthz() -> &'static str {
    "ok"
}

/// Prometheus metrics, to the networks in `[metrics] allow` only.
pub async fn metrics(State(gw): State<Gateway>, request: axum::extract::Request) -> Response {
    let peer = gerbang_core::metrics::peer(&request);
    drop(request);
    gerbang_core::metrics::endpoint(peer, &gw.settings.metrics_allow, Some(gw.store())).await
}

/// Unknown paths under the reserved `/.gerbang/`.
pub async fn not_found(headers: HeaderMap) -> Response {
    let reply = super::error::Reply { json: page::wants_json(&headers), lang: page::lang(&headers) };
    super::error::GatewayError::NotRouted.respond(reply)
}
