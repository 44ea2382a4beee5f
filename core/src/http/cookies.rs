//! Reading and writing cookies, with the `__Host-` prefix over https so that no other subdomain
//! of the city can plant or overwrite them. Cookies are host-only (no `Domain`).

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};

pub const SESSION: &str = "gerbang_sid";
pub const CSRF: &str = "gerbang_csrf";
pub const LANG: &str = "gerbang_lang";

pub fn name(base: &str, secure: bool) -> String {
    if secure { format!("__Host-{base}") } else { base.to_string() }
}

/// The value of cookie `base` (prefixed as configured) from the request: the first
/// `name=value` pair of that name in the `Cookie` headers (RFC 6265 §5.4), whitespace trimmed.
pub fn get(headers: &HeaderMap, base: &str, secure: bool) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (n, v) = pair.split_once('=')?;
        is_named(n.trim(), base, secure).then(|| v.trim().to_string())
    })
}

fn is_named(n: &str, base: &str, secure: bool) -> bool {
    if secure { n.strip_prefix("__Host-") == Some(base) } else { n == base }
}

/// A `Set-Cookie` value: `HttpOnly`, `Path=/`, `SameSite` as given; `Max-Age` when `max_age` is set.
pub fn set(base: &str, value: &str, secure: bool, same_site: SameSite, max_age: Option<i64>) -> HeaderValue {
    let mut c = Cookie::build((name(base, secure), value.to_string()))
        .http_only(true)
        .secure(secure)
        .path("/")
        .same_site(same_site);
    if let Some(secs) = max_age {
        c = c.max_age(cookie::time::Duration::seconds(secs));
    }
    HeaderValue::from_str(&c.build().to_string()).expect("cookie values are base64url or fixed text")
}

pub fn clear(base: &str, secure: bool) -> HeaderValue {
    set(base, "", secure, SameSite::Lax, Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::COOKIE, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn reads_the_named_cookie_with_its_prefix() {
        let h = with(&["a=1;  gerbang_sid = x=y ; __Host-gerbang_sid=z", "gerbang_csrf=c"]);
        assert_eq!(get(&h, SESSION, false).as_deref(), Some("x=y"), "the value may hold '='");
        assert_eq!(get(&h, SESSION, true).as_deref(), Some("z"), "over https only the prefixed one counts");
        assert_eq!(get(&h, CSRF, false).as_deref(), Some("c"), "any Cookie header");
        assert_eq!(get(&h, LANG, false), None);
        assert_eq!(get(&with(&["gerbang_sidx=1; xgerbang_sid=2; gerbang_sid"]), SESSION, false), None);
        let set = set(SESSION, "v", true, SameSite::Lax, None);
        let pair = set.to_str().unwrap().split(';').next().unwrap();
        assert_eq!(get(&with(&[pair]), SESSION, true).as_deref(), Some("v"), "what `set` writes, `get` reads");
    }
}
