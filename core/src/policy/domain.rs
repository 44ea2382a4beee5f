//! The domain register as a rule (Pasal 11): a client's redirect URIs and a gateway route's host
//! must be a registered domain of the city or a name under one. In demo mode, `localhost`, names
//! under `.localhost` and loopback addresses are allowed too (nothing else is).

use std::net::IpAddr;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainRegister {
    /// Active registered domains, lower-case, without a trailing dot.
    names: Vec<String>,
    allow_local: bool,
}

impl DomainRegister {
    pub fn new(names: Vec<String>, allow_local: bool) -> DomainRegister {
        let mut names: Vec<String> = names.into_iter().map(|n| n.trim_end_matches('.').to_ascii_lowercase()).collect();
        names.sort();
        names.dedup();
        DomainRegister { names, allow_local }
    }

    /// Whether `host` (a host name or an IP literal, without port) is on a registered domain.
    pub fn covers(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase();
        if let Ok(ip) = host.parse::<IpAddr>() {
            // An address is never a registered domain; loopback only for the demo.
            return self.allow_local && ip.is_loopback();
        }
        if self.allow_local && (host == "localhost" || host.ends_with(".localhost")) {
            return true;
        }
        self.names.iter().any(|d| {
            host == *d
                || (host.len() > d.len()
                    && host.ends_with(d.as_str())
                    && host.as_bytes()[host.len() - d.len() - 1] == b'.')
        })
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn allows_local(&self) -> bool {
        self.allow_local
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_under_a_registered_domain_are_covered() {
        let r = DomainRegister::new(vec!["padangpanjang.go.id".into()], false);
        assert!(r.covers("padangpanjang.go.id"));
        assert!(r.covers("E-Office.PadangPanjang.go.id."));
        assert!(!r.covers("evilpadangpanjang.go.id"), "a suffix is not a subdomain");
        assert!(!r.covers("padangpanjang.go.id.evil.example"));
        assert!(!r.covers("localhost") && !r.covers("127.0.0.1") && !r.covers("[::1]"));
        let demo = DomainRegister::new(vec![], true);
        assert!(
            demo.covers("localhost")
                && demo.covers("app.localhost")
                && demo.covers("127.0.0.1")
                && demo.covers("[::1]")
        );
        assert!(!demo.covers("10.0.0.1") && !demo.covers("example.com"));
    }
}
