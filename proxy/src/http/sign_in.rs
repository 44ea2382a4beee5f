//! The gateway's sign-in pages on every routed host: `/.gerbang/masuk` starts a sign-in for a
//! path, `/.gerbang/callback` completes it, `/.gerbang/keluar` ends the session on this host.

use std::net::SocketAddr;

use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gerbang_core::policy::Subjects;
use gerbang_core::store::now_unix;
use http::{HeaderMap, HeaderValue, header};
use serde::Deserialize;

use super::error::{GatewayError, Reply};
use super::judge::{judge, request_host};
use super::page;
use super::proxy::{account_url, sign_in};
use crate::decision::{self, Decision, Denied};
use crate::identity::Identity;
use crate::oidc::login::{self, CallbackParams, Origin, safe_return};
use crate::session::{CookieJar, LOGIN_COOKIE, SESSION_COOKIE};
use crate::state::Gateway;

fn reply(headers: &HeaderMap) -> Reply {
    Reply { json: false, lang: page::lang(headers) }
}

#[derive(Debug, Deserialize)]
pub struct Start {
    #[serde(default)]
    rd: Option<String>,
}

/// `GET /.gerbang/masuk?rd=/path`: where forward-auth sends a browser that must sign in.
pub async fn start(
    State(gw): State<Gateway>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    q: Result<Query<Start>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let Ok(Query(q)) = q else { return GatewayError::BadRequest("query").respond(reply(&headers)) };
    let rd = safe_return(q.rd.as_deref().unwrap_or("/")).to_string();
    let run = async {
        let host = request_host(&headers, &http::Uri::default()).ok_or(GatewayError::BadRequest("host"))?;
        let now = now_unix();
        let j = judge(&gw, peer, &headers, &host, &rd, now).await?;
        match j.decision {
            Decision::Allow { .. } => Ok(Redirect::to(&rd).into_response()),
            Decision::Login(step) | Decision::StepUp(step) => sign_in(&gw, &j.origin, &rd, &step, now).await,
            Decision::Deny(reason) => Err(GatewayError::Denied { reason, account_url: account_url(&gw) }),
        }
    };
    run.await.unwrap_or_else(|e: GatewayError| e.respond(reply(&headers)))
}

/// `GET /.gerbang/callback`: the provider's answer.
pub async fn callback(
    State(gw): State<Gateway>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    params: Result<Query<CallbackParams>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let Ok(Query(params)) = params else { return GatewayError::BadRequest("query").respond(reply(&headers)) };
    let run = async {
        let host = request_host(&headers, &http::Uri::default()).ok_or(GatewayError::BadRequest("host"))?;
        let client = gw.trusted.client(peer, &headers, gw.settings.tls);
        let origin = Origin { scheme: client.scheme, host: host.clone() };
        let now = now_unix();
        let pending = gw.jar.login(&headers, &host, origin.secure(), now);
        let done = login::complete(&gw, &origin, pending, &params, now).await?;
        let mut r = Redirect::to(&done.return_to).into_response();
        let h = r.headers_mut();
        h.append(header::SET_COOKIE, gw.jar.set_session(&done.session, &host, origin.secure(), now));
        h.append(header::SET_COOKIE, CookieJar::clear(LOGIN_COOKIE, origin.secure()));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        // The provider could not lift the sign-in to the level asked for (e.g. no second factor
        // enrolled): say so instead of sending the browser round again.
        let policies = gw.policies.current();
        if let Some(level) = done.level.as_deref().and_then(|l| policies.levels.get(l))
            && !decision::meets(&policies.levels, level, &Identity::from(&done.session), now)
        {
            let who = Identity::from(&done.session);
            let reason = if level.subjects == Subjects::Asn && !who.is_asn() {
                Denied::NotAsn { level: level.id.clone() }
            } else {
                Denied::LevelUnreachable { level: level.id.clone() }
            };
            let denied = GatewayError::Denied { reason, account_url: account_url(&gw) };
            let mut page = denied.respond(reply(&headers));
            for c in r.headers().get_all(header::SET_COOKIE) {
                page.headers_mut().append(header::SET_COOKIE, c.clone());
            }
            return Ok(page);
        }
        Ok(r)
    };
    run.await.unwrap_or_else(|e: GatewayError| e.respond(reply(&headers)))
}

/// `GET /.gerbang/keluar`: ends the gateway session on this host, then signs out at the
/// provider (which ends the sessions on the other hosts through back-channel logout).
pub async fn sign_out(
    State(gw): State<Gateway>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let client = gw.trusted.client(peer, &headers, gw.settings.tls);
    let secure = client.scheme == "https";
    let target = match gw.provider.metadata().await {
        Ok(m) => m
            .end_session_endpoint
            .as_ref()
            .map(|e| {
                format!(
                    "{e}?client_id={}",
                    url::form_urlencoded::byte_serialize(gw.provider.client_id.as_bytes()).collect::<String>()
                )
            })
            .unwrap_or_else(|| "/".into()),
        Err(_) => "/".into(),
    };
    let mut r = Redirect::to(&target).into_response();
    r.headers_mut().append(header::SET_COOKIE, CookieJar::clear(SESSION_COOKIE, secure));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
