//! Forward-auth for nginx `auth_request` (and Traefik / Caddy forward auth): the same decision
//! as the reverse proxy, answered as 200 with identity headers, 401 with a sign-in `Location`,
//! or 403. nginx treats any other status as an error, so failures map onto these three.

use std::net::SocketAddr;

use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::response::{IntoResponse, Response};
use gerbang_core::store::now_unix;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;

use super::error::{GatewayError, Reply};
use super::judge::{checked_host, judge, request_host};
use super::page;
use super::proxy::account_url;
use crate::decision::Decision;
use crate::identity;
use crate::state::Gateway;

#[derive(Debug, Deserialize)]
pub struct Params {
    /// Answer a browser that must sign in with 302 instead of 401 (Traefik, Caddy).
    #[serde(default)]
    redirect: Option<String>,
}

pub async fn handle(
    State(gw): State<Gateway>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    params: Result<Query<Params>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let reply = Reply { json: page::wants_json(&headers), lang: page::lang(&headers) };
    let Ok(Query(params)) = params else {
        // auth_request understands only 2xx, 401 and 403.
        let mut r = GatewayError::BadRequest("query").respond(reply);
        *r.status_mut() = StatusCode::FORBIDDEN;
        return r;
    };
    let redirect = params.redirect.is_some_and(|v| v != "0" && v != "false");
    match run(&gw, peer, &headers, reply, redirect).await {
        Ok(r) => r,
        Err(e) => {
            let mut r = e.respond(reply);
            // Only 2xx, 401 and 403 mean something to auth_request; anything else is a 500 there.
            if !matches!(r.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                && r.status() != StatusCode::SERVICE_UNAVAILABLE
            {
                *r.status_mut() = StatusCode::FORBIDDEN;
            }
            r
        }
    }
}

async fn run(
    gw: &Gateway,
    peer: SocketAddr,
    headers: &HeaderMap,
    mut reply: Reply,
    redirect: bool,
) -> Result<Response, GatewayError> {
    let trusted = gw.trusted.contains(peer.ip());
    let forwarded = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    // The original host: from the proxy in front when it is trusted, else this request's Host.
    let host = trusted
        .then(|| forwarded("x-forwarded-host"))
        .flatten()
        .and_then(|h| checked_host(&h))
        .or_else(|| request_host(headers, &http::Uri::default()))
        .ok_or(GatewayError::BadRequest("host"))?;
    let uri = forwarded("x-original-uri").or_else(|| forwarded("x-forwarded-uri")).unwrap_or_else(|| "/".into());
    if !uri.starts_with('/') {
        return Err(GatewayError::BadRequest("uri"));
    }
    let now = now_unix();
    let j = judge(gw, peer, headers, &host, &uri, now).await?;
    reply.json |= j.route.api;
    match j.decision {
        Decision::Allow { level } => {
            let assertion = j.identity.as_ref().and_then(|w| gw.signer.assertion(w, &j.route.id, &level, now));
            let mut r = StatusCode::OK.into_response();
            for (name, value) in identity::headers(j.identity.as_ref(), &level, assertion) {
                r.headers_mut().insert(name, value);
            }
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(r)
        }
        Decision::Login(step) | Decision::StepUp(step) if reply.json => {
            Err(GatewayError::LoginRequired { insufficient: j.identity.is_some(), step })
        }
        Decision::Login(_) | Decision::StepUp(_) => {
            let rd: String = url::form_urlencoded::byte_serialize(uri.as_bytes()).collect();
            let location = j.origin.url(&format!("/.gerbang/masuk?rd={rd}"));
            let status = if redirect { StatusCode::FOUND } else { StatusCode::UNAUTHORIZED };
            let mut r = page::html(
                status,
                reply.lang,
                &page::t("Perlu masuk", "Sign-in required"),
                &page::t(
                    "Masuk melalui SSO Kota Padang Panjang untuk melanjutkan.",
                    "Sign in with the city SSO to continue.",
                ),
                Some((&location, page::t("Masuk", "Sign in"))),
            );
            r.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_str(&location).map_err(|_| GatewayError::BadRequest("host"))?,
            );
            Ok(r)
        }
        Decision::Deny(reason) => Err(GatewayError::Denied { reason, account_url: account_url(gw) }),
    }
}
