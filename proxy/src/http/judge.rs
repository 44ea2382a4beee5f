//! The judgement of one request, shared by the reverse proxy, forward-auth and the login start:
//! which route, who is asking (session cookie or bearer token), from where, and the decision.

use std::net::SocketAddr;
use std::sync::LazyLock;

use gerbang_core::policy::Route;
use gerbang_core::policy::route::normalize_path;
use http::{HeaderMap, header};
use metrics::Counter;

use super::error::GatewayError;
use crate::client_addr::Client;
use crate::decision::{self, Decision};
use crate::identity::Identity;
use crate::oidc::login::Origin;
use crate::oidc::{ProviderError, bearer};
use crate::route::is_climbing;
use crate::state::Gateway;

pub struct Judgement {
    pub route: Route,
    /// The request's path (normalised) and query, as matched and as forwarded.
    pub path_and_query: String,
    pub identity: Option<Identity>,
    pub decision: Decision,
    pub client: Client,
    pub origin: Origin,
}

pub async fn judge(
    gw: &Gateway,
    peer: SocketAddr,
    headers: &HeaderMap,
    host: &str,
    path_and_query: &str,
    now: i64,
) -> Result<Judgement, GatewayError> {
    let (raw_path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    if is_climbing(raw_path) {
        return Err(GatewayError::BadRequest("path"));
    }
    let path = normalize_path(raw_path).ok_or(GatewayError::BadRequest("path"))?;
    let path_and_query = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    let policies = gw.policies.current();
    let route = policies.routes.find(host, &path).ok_or(GatewayError::NotRouted)?.clone();
    let client = gw.trusted.client(peer, headers, gw.settings.tls);
    let origin = Origin { scheme: client.scheme, host: host.to_string() };
    let bearer_token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(bearer::token);
    let identity = match bearer_token {
        Some(token) if route.api => Some(bearer::identity(gw, token, &route.audiences).await.map_err(|e| match e {
            ProviderError::Unavailable(_) => GatewayError::Provider(e),
            _ => GatewayError::InvalidToken(e.to_string()),
        })?),
        _ => gw
            .jar
            .session(headers, host, origin.secure(), now)
            .filter(|s| !gw.revocations.is_ended(s))
            .map(|s| Identity::from(&*s)),
    };
    let decision = decision::decide(&policies, &route, identity.as_ref(), client.ip, now);
    count(&decision);
    Ok(Judgement { route, path_and_query, identity, decision, client, origin })
}

/// `gerbang_gateway_decisions_total`, by decision. The counters are registered once (on the
/// first request, after the recorder is installed) rather than looked up at every request.
fn count(decision: &Decision) {
    static COUNTERS: LazyLock<[Counter; 4]> = LazyLock::new(|| {
        ["allow", "login", "step_up", "deny"]
            .map(|d| metrics::counter!("gerbang_gateway_decisions_total", "decision" => d))
    });
    let i = match decision {
        Decision::Allow { .. } => 0,
        Decision::Login(_) => 1,
        Decision::StepUp(_) => 2,
        Decision::Deny(_) => 3,
    };
    COUNTERS[i].increment(1);
}

/// The host the client asked for: `Host`, or the `:authority` of HTTP/2.
pub fn request_host(headers: &HeaderMap, uri: &http::Uri) -> Option<String> {
    let host =
        headers.get(header::HOST).and_then(|v| v.to_str().ok()).or_else(|| uri.authority().map(|a| a.as_str()))?;
    checked_host(host)
}

/// A host (with optional port) made only of the characters a host can hold, lowercased.
pub fn checked_host(host: &str) -> Option<String> {
    let ok = !host.is_empty()
        && host.len() <= 260
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    ok.then(|| host.to_ascii_lowercase())
}
