//! Scopes: which exist, what each releases, and how a `scope` parameter is read (RFC 6749 §3.3).

/// Scopes of people's data. `nik` is released only to clients approved for the `nik` claim.
/// `gerbang` lets a client call Gerbang's admin and portal API on the person's behalf.
pub const KNOWN: &[&str] = &["openid", "profile", "nip", "nik", "roles", "offline_access", "gerbang"];

pub fn is_known(s: &str) -> bool {
    KNOWN.contains(&s)
}

/// Scopes of machine clients (Pasal 19-20), named `service:action`, e.g. `simpeg:read`.
pub fn is_machine_scope(s: &str) -> bool {
    s.contains(':') && is_scope_token(s)
}

/// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes().all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

/// Splits a scope parameter; `None` when a token is malformed. Duplicates are dropped.
pub fn parse(param: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for token in param.split(' ').filter(|t| !t.is_empty()) {
        if !is_scope_token(token) {
            return None;
        }
        if !out.iter().any(|t| t == token) {
            out.push(token.to_string());
        }
    }
    Some(out)
}

pub fn join(scopes: &[String]) -> String {
    scopes.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates() {
        assert_eq!(parse("openid  profile openid").unwrap(), ["openid", "profile"]);
        assert!(parse("openid \"x\"").is_none());
        assert!(parse("openid\u{7f}").is_none());
        assert!(is_machine_scope("simpeg:read") && !is_machine_scope("simpeg"));
    }
}
