//! Who a request comes from, as the gateway knows it: from its session cookie or from a bearer
//! access token of the provider.

use http::{HeaderName, HeaderValue};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::session::GatewaySession;

#[derive(Debug, Clone)]
pub struct Identity {
    /// Keys cached assertions: the gateway session id, or the access token's `jti`.
    pub key: String,
    pub sub: String,
    pub name: Option<String>,
    pub nip: Option<String>,
    pub roles: Vec<String>,
    pub opd: Option<String>,
    pub acr: Option<String>,
    pub amr: Vec<String>,
    /// The identity is proven (`identity_assurance` = `terverifikasi` in the ID token). A bearer
    /// token carries no such claim: its `acr` speaks for it.
    pub verified: bool,
    pub auth_time: i64,
    /// Set when the identity came from a bearer token: the client it was issued to.
    pub bearer_client: Option<String>,
}

impl Identity {
    /// ASN accounts are the ones with a NIP (the `nip` claim of Gerbang's provider).
    pub fn is_asn(&self) -> bool {
        self.nip.is_some()
    }
}

impl From<&GatewaySession> for Identity {
    fn from(s: &GatewaySession) -> Identity {
        Identity {
            key: s.id.clone(),
            sub: s.sub.clone(),
            name: s.name.clone(),
            nip: s.nip.clone(),
            roles: s.roles.clone(),
            opd: s.opd.clone(),
            acr: s.acr.clone(),
            amr: s.amr.clone(),
            verified: s.identity_assurance.as_deref() == Some("terverifikasi"),
            auth_time: s.auth_time,
            bearer_client: None,
        }
    }
}

/// The identity headers for the upstream. Values are percent-encoded UTF-8 where a name or
/// role could hold characters a header cannot.
pub fn headers(who: Option<&Identity>, level: &str, assertion: Option<String>) -> Vec<(HeaderName, HeaderValue)> {
    let mut out = vec![(HeaderName::from_static("x-gerbang-level"), encoded(level))];
    let Some(who) = who else { return out };
    out.push((HeaderName::from_static("x-gerbang-sub"), encoded(&who.sub)));
    if let Some(nip) = &who.nip {
        out.push((HeaderName::from_static("x-gerbang-nip"), encoded(nip)));
    }
    if let Some(name) = &who.name {
        out.push((HeaderName::from_static("x-gerbang-name"), encoded(name)));
    }
    if !who.roles.is_empty() {
        let roles: Vec<String> = who.roles.iter().map(|r| utf8_percent_encode(r, VALUE).to_string()).collect();
        out.push((HeaderName::from_static("x-gerbang-roles"), encoded_raw(&roles.join(","))));
    }
    if let Some(opd) = &who.opd {
        out.push((HeaderName::from_static("x-gerbang-opd"), encoded(opd)));
    }
    if let Some(a) = assertion {
        out.push((HeaderName::from_static("x-gerbang-assertion"), encoded_raw(&a)));
    }
    out
}

/// Control characters, non-ASCII, `%` and `,` (the list separator) are encoded.
const VALUE: &AsciiSet = &CONTROLS.add(b'%').add(b',').add(b'"');

fn encoded(v: &str) -> HeaderValue {
    encoded_raw(&utf8_percent_encode(v, VALUE).to_string())
}

fn encoded_raw(v: &str) -> HeaderValue {
    HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static(""))
}
