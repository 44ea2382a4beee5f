//! Forwarding one request to its upstream: streaming bodies both ways (with the route's size
//! limit), WebSocket upgrades, hop-by-hop headers removed (RFC 9110 §7.6.1), `X-Forwarded-*`
//! set, client-sent identity headers and the gateway's own cookies stripped, identity added.

use std::time::Duration;

use axum::body::Body;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response, StatusCode, Uri, Version};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};

use crate::client_addr;
use crate::session::strip_gateway_cookies;

pub type HttpClient = Client<HttpConnector, Body>;

pub fn client() -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(Duration::from_secs(5)));
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(60)).build(connector)
}

#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("upstream unreachable: {0}")]
    Unreachable(String),
    #[error("upstream did not answer within {0} s")]
    Timeout(u64),
    #[error("request body over the route's limit of {0} bytes")]
    TooLarge(u64),
}

impl UpstreamError {
    pub fn status(&self) -> StatusCode {
        match self {
            UpstreamError::Unreachable(_) => StatusCode::BAD_GATEWAY,
            UpstreamError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            UpstreamError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

/// Prefix of the identity headers only the gateway may set.
pub const IDENTITY_PREFIX: &str = "x-gerbang-";

const HOP_BY_HOP: [HeaderName; 7] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Everything about one forwarded request besides the request itself.
pub struct Outgoing<'a> {
    pub target: Uri,
    pub client: &'a client_addr::Client,
    /// The connecting peer (appended to a trusted proxy's `X-Forwarded-For`).
    pub peer: std::net::IpAddr,
    pub host: &'a str,
    pub identity: Vec<(HeaderName, HeaderValue)>,
    pub max_body_bytes: u64,
    pub timeout_secs: u64,
}

pub async fn forward(
    http: &HttpClient,
    mut request: Request<Body>,
    out: Outgoing<'_>,
) -> Result<Response<Body>, UpstreamError> {
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > out.max_body_bytes) {
        return Err(UpstreamError::TooLarge(out.max_body_bytes));
    }
    let upgrade = upgrade_protocol(request.headers());
    let client_upgrade = upgrade.is_some().then(|| hyper::upgrade::on(&mut request));
    let headers = request.headers_mut();
    strip_hop_by_hop(headers);
    strip_identity(headers);
    strip_gateway_cookies(headers);
    set_forwarded(headers, &out);
    for (name, value) in out.identity {
        headers.insert(name, value);
    }
    if let Some(proto) = &upgrade {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, proto.clone());
    }
    headers.remove(header::HOST);
    *request.uri_mut() = out.target;
    // The upstream leg is HTTP/1.1 whatever the client spoke.
    *request.version_mut() = Version::HTTP_11;
    let request = request.map(|body| Body::new(http_body_util::Limited::new(body, out.max_body_bytes as usize)));
    let response = tokio::time::timeout(Duration::from_secs(out.timeout_secs), http.request(request))
        .await
        .map_err(|_| UpstreamError::Timeout(out.timeout_secs))?
        .map_err(|e| UpstreamError::Unreachable(error_chain(&e)))?;
    if response.status() == StatusCode::SWITCHING_PROTOCOLS
        && let Some(client_upgrade) = client_upgrade
    {
        return Ok(splice(response, client_upgrade));
    }
    let (mut parts, body) = response.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    Ok(Response::from_parts(parts, Body::new(body)))
}

/// A WebSocket (or other upgrade) accepted by the upstream: answer 101 to the client and copy
/// bytes both ways once both sides have switched.
fn splice(mut response: Response<hyper::body::Incoming>, client: hyper::upgrade::OnUpgrade) -> Response<Body> {
    let upstream = hyper::upgrade::on(&mut response);
    tokio::spawn(async move {
        let (Ok(client), Ok(upstream)) = (client.await, upstream.await) else {
            tracing::debug!("upgrade did not complete on one side");
            return;
        };
        let (mut a, mut b) = (TokioIo::new(client), TokioIo::new(upstream));
        if let Err(e) = tokio::io::copy_bidirectional(&mut a, &mut b).await {
            tracing::debug!(error = %e, "upgraded connection ended");
        }
    });
    let (parts, _) = response.into_parts();
    Response::from_parts(parts, Body::empty())
}

/// `Upgrade` value when the request asks for a protocol switch (`Connection: upgrade`).
fn upgrade_protocol(headers: &HeaderMap) -> Option<HeaderValue> {
    let asks = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("upgrade"));
    if asks { headers.get(header::UPGRADE).cloned() } else { None }
}

fn set_forwarded(headers: &mut HeaderMap, out: &Outgoing<'_>) {
    let xff = HeaderName::from_static("x-forwarded-for");
    let chain = if out.client.via_trusted_proxy {
        // A trusted proxy's chain is kept, and the proxy itself appended (de-facto convention).
        let prior: Vec<&str> = headers.get_all(&xff).iter().filter_map(|v| v.to_str().ok()).collect();
        let mut chain = prior.join(", ");
        if !chain.is_empty() {
            chain.push_str(", ");
        }
        chain.push_str(&out.peer.to_string());
        chain
    } else {
        // From anyone else the header could be forged: only the address we saw counts.
        headers.remove(header::FORWARDED);
        out.client.ip.to_string()
    };
    let real_ip = if out.client.via_trusted_proxy {
        HeaderValue::from_str(&out.client.ip.to_string())
    } else {
        HeaderValue::from_str(&chain)
    };
    if let Ok(v) = HeaderValue::from_str(&chain) {
        headers.insert(xff, v);
    }
    headers.insert(HeaderName::from_static("x-forwarded-proto"), HeaderValue::from_static(out.client.scheme));
    if let Ok(v) = HeaderValue::from_str(out.host) {
        headers.insert(HeaderName::from_static("x-forwarded-host"), v);
    }
    if let Ok(v) = real_ip {
        headers.insert(HeaderName::from_static("x-real-ip"), v);
    }
}

pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    // Headers named in `Connection` are hop-by-hop too.
    if !headers.contains_key(header::CONNECTION) {
        for name in &HOP_BY_HOP[1..] {
            headers.remove(name);
        }
        return;
    }
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in &HOP_BY_HOP {
        headers.remove(name);
    }
}

/// Removes every `X-Gerbang-*` header: only the gateway may say who someone is.
pub fn strip_identity(headers: &mut HeaderMap) {
    let forged: Vec<HeaderName> = headers.keys().filter(|k| k.as_str().starts_with(IDENTITY_PREFIX)).cloned().collect();
    for name in forged {
        headers.remove(name);
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_identity_and_hop_by_hop() {
        let mut h = HeaderMap::new();
        h.insert("x-gerbang-sub", HeaderValue::from_static("forged"));
        h.insert("X-Gerbang-Nip", HeaderValue::from_static("forged"));
        h.insert("connection", HeaderValue::from_static("close, x-secret"));
        h.insert("x-secret", HeaderValue::from_static("1"));
        h.insert("accept", HeaderValue::from_static("text/html"));
        strip_hop_by_hop(&mut h);
        strip_identity(&mut h);
        assert_eq!(h.len(), 1);
        assert!(h.contains_key("accept"));
    }
}
