//! Forwarding one request to its upstream: streaming bodies both ways, hop-by-hop headers
//! removed (RFC 9110 §7.6.1), `X-Forwarded-*` set, and client-sent identity headers stripped.

use std::net::SocketAddr;

use axum::body::Body;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

pub type HttpClient = Client<HttpConnector, Body>;

pub fn client() -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(std::time::Duration::from_secs(5)));
    Client::builder(TokioExecutor::new()).build(connector)
}

#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("upstream unreachable: {0}")]
    Unreachable(String),
    #[error("upstream timed out")]
    Timeout,
}

/// Prefix of the identity headers only the gateway may set.
const IDENTITY_PREFIX: &str = "x-gerbang-";

const HOP_BY_HOP: &[&str] =
    &["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"];

pub async fn forward(
    client: &HttpClient,
    mut request: Request<Body>,
    target: Uri,
    peer: SocketAddr,
    public_host: &str,
) -> Result<Response<Body>, UpstreamError> {
    let headers = request.headers_mut();
    strip_hop_by_hop(headers);
    strip_identity(headers);
    let host = headers
        .get(header::HOST)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_str(public_host).unwrap_or(HeaderValue::from_static("")));
    headers.insert(HeaderName::from_static("x-forwarded-host"), host);
    headers.insert(HeaderName::from_static("x-forwarded-proto"), HeaderValue::from_static("http"));
    // Append to an existing chain only when proxies in front are trusted (issue 6); until then
    // the client address is what this gateway saw.
    headers.insert(
        HeaderName::from_static("x-forwarded-for"),
        HeaderValue::from_str(&peer.ip().to_string()).expect("an IP address is a valid header value"),
    );
    headers.remove(header::HOST);
    *request.uri_mut() = target;
    let response = tokio::time::timeout(std::time::Duration::from_secs(30), client.request(request))
        .await
        .map_err(|_| UpstreamError::Timeout)?
        .map_err(|e| UpstreamError::Unreachable(e.to_string()))?;
    let (mut parts, body) = response.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    Ok(Response::from_parts(parts, Body::new(body)))
}

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    // Headers named in `Connection` are hop-by-hop too.
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
    for name in HOP_BY_HOP {
        headers.remove(*name);
    }
}

fn strip_identity(headers: &mut HeaderMap) {
    let forged: Vec<HeaderName> = headers.keys().filter(|k| k.as_str().starts_with(IDENTITY_PREFIX)).cloned().collect();
    for name in forged {
        headers.remove(name);
    }
}

pub fn status_for(e: &UpstreamError) -> StatusCode {
    match e {
        UpstreamError::Unreachable(_) => StatusCode::BAD_GATEWAY,
        UpstreamError::Timeout => StatusCode::GATEWAY_TIMEOUT,
    }
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
