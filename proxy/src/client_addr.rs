//! Where a request really comes from and how it arrived: the client address and scheme, taking
//! `X-Forwarded-For` / `X-Forwarded-Proto` only from the proxies the operator trusts.

use std::net::{IpAddr, SocketAddr};

use gerbang_core::policy::network::{canonical, parse_cidr};
use http::HeaderMap;
use ipnet::IpNet;

#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

/// The client as the gateway judges it.
#[derive(Debug, Clone)]
pub struct Client {
    pub ip: IpAddr,
    /// `https` or `http`, as the client used it.
    pub scheme: &'static str,
    /// The connecting peer was a trusted proxy (its forwarding headers were believed).
    pub via_trusted_proxy: bool,
}

impl TrustedProxies {
    /// Entries were validated with the configuration; unparseable ones are skipped.
    pub fn new(entries: &[String]) -> TrustedProxies {
        TrustedProxies { nets: entries.iter().filter_map(|e| parse_cidr(e)).collect() }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// `tls`: this listener itself speaks HTTPS.
    pub fn client(&self, peer: SocketAddr, headers: &HeaderMap, tls: bool) -> Client {
        let peer_ip = canonical(peer.ip());
        if !self.contains(peer_ip) {
            return Client { ip: peer_ip, scheme: if tls { "https" } else { "http" }, via_trusted_proxy: false };
        }
        // Walk the chain from the right; the first address not of a trusted proxy is the client
        // (entries further left could have been written by the client itself).
        let chain: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse::<IpAddr>().ok())
            .map(canonical)
            .collect();
        let ip = chain.iter().rev().find(|ip| !self.contains(**ip)).copied().unwrap_or(peer_ip);
        let proto =
            headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).map(|v| v.trim().to_ascii_lowercase());
        let scheme = match proto.as_deref() {
            Some("https") => "https",
            Some("http") => "http",
            _ if tls => "https",
            _ => "http",
        };
        Client { ip, scheme, via_trusted_proxy: true }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn forwarding_headers_only_from_trusted_proxies() {
        let t = TrustedProxies::new(&["10.0.0.0/8".into()]);
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("1.2.3.4, 198.51.100.7, 10.0.0.2"));
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let c = t.client("10.0.0.1:5000".parse().unwrap(), &h, false);
        assert_eq!((c.ip.to_string().as_str(), c.scheme), ("198.51.100.7", "https"), "rightmost untrusted entry");
        let c = t.client("203.0.113.5:5000".parse().unwrap(), &h, false);
        assert_eq!((c.ip.to_string().as_str(), c.scheme), ("203.0.113.5", "http"), "spoofed by an untrusted peer");
        let c = t.client("[::ffff:10.0.0.1]:1".parse().unwrap(), &HeaderMap::new(), true);
        assert_eq!((c.ip.to_string().as_str(), c.scheme), ("10.0.0.1", "https"));
    }
}
