//! The reverse proxy: judge the request, then forward it with the identity, send the browser
//! through sign-in, or refuse.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use gerbang_core::store::now_unix;
use http::header;

use super::error::{GatewayError, Reply};
use super::judge::{judge, request_host};
use super::page;
use crate::decision::{Decision, StepUp};
use crate::forward::{self, Outgoing};
use crate::identity;
use crate::oidc::login::{self, Origin};
use crate::route;
use crate::state::Gateway;

pub async fn handle(
    State(gw): State<Gateway>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let mut reply = Reply { json: page::wants_json(request.headers()), lang: page::lang(request.headers()) };
    match run(&gw, peer, request, &mut reply).await {
        Ok(r) => r,
        Err(e) => e.respond(reply),
    }
}

async fn run(gw: &Gateway, peer: SocketAddr, request: Request, reply: &mut Reply) -> Result<Response, GatewayError> {
    let host = request_host(request.headers(), request.uri()).ok_or(GatewayError::BadRequest("host"))?;
    let pq = request.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    let now = now_unix();
    let j = judge(gw, peer, request.headers(), &host, &pq, now).await?;
    reply.json |= j.route.api;
    match j.decision {
        Decision::Allow { level } => {
            let target = route::target(&j.route, &j.path_and_query).ok_or(GatewayError::NotRouted)?;
            let assertion = j.identity.as_ref().and_then(|w| gw.signer.assertion(w, &j.route.id, &level, now));
            let out = Outgoing {
                target,
                client: &j.client,
                peer: peer.ip(),
                host: &host,
                identity: identity::headers(j.identity.as_ref(), &level, assertion),
                max_body_bytes: j.route.max_body_bytes,
                timeout_secs: j.route.timeout_secs,
            };
            Ok(forward::forward(&gw.upstream, request.map(Body::new), out).await?)
        }
        Decision::Login(step) | Decision::StepUp(step) if reply.json => {
            Err(GatewayError::LoginRequired { insufficient: j.identity.is_some(), step })
        }
        Decision::Login(step) | Decision::StepUp(step) => sign_in(gw, &j.origin, &pq, &step, now).await,
        Decision::Deny(reason) => Err(GatewayError::Denied { reason, account_url: account_url(gw) }),
    }
}

/// Sends the browser to the provider, remembering where to come back to.
pub async fn sign_in(
    gw: &Gateway,
    origin: &Origin,
    return_to: &str,
    step: &StepUp,
    now: i64,
) -> Result<Response, GatewayError> {
    let (location, cookie) = login::begin(gw, origin, return_to, Some(step), now).await?;
    let mut r = Redirect::to(&location).into_response();
    r.headers_mut().append(header::SET_COOKIE, cookie);
    r.headers_mut().insert(header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    Ok(r)
}

/// Where a person manages their factors at the provider.
pub fn account_url(gw: &Gateway) -> String {
    format!("{}/akun", gw.provider.issuer)
}
