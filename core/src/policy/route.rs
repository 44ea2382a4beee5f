//! Routes (`policies/routes.toml`): a host and path prefix served by an upstream, with the
//! minimum security level and the subject and network conditions a request must meet.

use http::Uri;
use serde::Deserialize;
use toml::Spanned;

use super::error::{PolicyError, is_id, line_of};
use super::level::Levels;
use super::network::Networks;

pub const DEFAULT_MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

#[derive(Debug, Clone)]
pub struct Route {
    pub id: String,
    /// Shown on the gateway's index and error pages.
    pub name: String,
    /// Lowercase host name, without port.
    pub host: String,
    /// Starts and ends with `/`; `/` serves the whole host.
    pub path: String,
    /// `http://host:port/base/`: the request path after `path` is appended to it. Absent: the
    /// route only answers forward-auth decisions (another proxy forwards the request).
    pub upstream: Option<Uri>,
    /// Minimum level id (see `levels.toml`).
    pub level: String,
    /// Subject conditions: each non-empty list must contain one of the person's values.
    pub roles: Vec<String>,
    pub opd: Vec<String>,
    /// `sub` values or NIPs.
    pub users: Vec<String>,
    /// The request must come from one of these networks (ids in `networks.toml`).
    pub networks: Vec<String>,
    /// An API: answers in JSON instead of login redirects, and accepts bearer access tokens.
    pub api: bool,
    /// `aud` values accepted in bearer access tokens; empty means the gateway's own client id.
    pub audiences: Vec<String>,
    pub max_body_bytes: u64,
    pub timeout_secs: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteSpec {
    id: String,
    #[serde(default)]
    name: String,
    host: String,
    #[serde(default = "root")]
    path: String,
    #[serde(default)]
    upstream: Option<String>,
    level: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    opd: Vec<String>,
    #[serde(default)]
    users: Vec<String>,
    #[serde(default)]
    networks: Vec<String>,
    #[serde(default)]
    api: bool,
    #[serde(default)]
    audiences: Vec<String>,
    #[serde(default = "default_max_body")]
    max_body_bytes: u64,
    #[serde(default = "default_timeout")]
    timeout_secs: u64,
}

fn root() -> String {
    "/".into()
}
fn default_max_body() -> u64 {
    DEFAULT_MAX_BODY_BYTES
}
fn default_timeout() -> u64 {
    DEFAULT_TIMEOUT_SECS
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutesFile {
    #[serde(default)]
    route: Vec<Spanned<RouteSpec>>,
}

/// The routes, grouped for lookup: longest path first within a host.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    routes: Vec<Route>,
}

impl Routes {
    pub fn parse(text: &str, file: &str, levels: &Levels, networks: &Networks) -> Result<Routes, PolicyError> {
        let parsed: RoutesFile =
            toml::from_str(text).map_err(|e| PolicyError::Parse { file: file.into(), message: e.to_string() })?;
        let mut routes: Vec<Route> = Vec::new();
        for spanned in parsed.route {
            let line = line_of(text, spanned.span().start);
            let spec = spanned.into_inner();
            let err = |field, reason: String| PolicyError::Field {
                file: file.into(),
                line,
                kind: "route",
                id: spec.id.clone(),
                field,
                reason,
            };
            if !is_id(&spec.id) {
                return Err(err("id", "must be lowercase letters, digits, '-' or '_'".into()));
            }
            if routes.iter().any(|r| r.id == spec.id) {
                return Err(err("id", "defined twice".into()));
            }
            let host = spec.host.to_ascii_lowercase();
            if !is_host(&host) {
                return Err(err("host", format!("{:?} is not a host name (no scheme, port or path)", spec.host)));
            }
            if !spec.path.starts_with('/') || !spec.path.ends_with('/') || spec.path.contains("//") {
                return Err(err("path", format!("{:?} must start and end with '/', e.g. \"/e-office/\"", spec.path)));
            }
            if let Some(other) = routes.iter().find(|r| r.host == host && r.path == spec.path) {
                return Err(err("path", format!("host {host} path {} is already route {:?}", spec.path, other.id)));
            }
            let upstream = match &spec.upstream {
                Some(u) => Some(parse_upstream(u).map_err(|reason| err("upstream", reason))?),
                None => None,
            };
            if levels.get(&spec.level).is_none() {
                let known: Vec<&str> = levels.all().iter().map(|l| l.id.as_str()).collect();
                return Err(err("level", format!("unknown level {:?} (levels: {})", spec.level, known.join(", "))));
            }
            if let Some(n) = spec.networks.iter().find(|n| networks.get(n).is_none()) {
                return Err(err("networks", format!("unknown network {n:?} (see networks.toml)")));
            }
            if spec.max_body_bytes == 0 {
                return Err(err("max_body_bytes", "must be at least 1".into()));
            }
            if !(1..=3600).contains(&spec.timeout_secs) {
                return Err(err("timeout_secs", "must be between 1 and 3600".into()));
            }
            routes.push(Route {
                name: if spec.name.is_empty() { spec.id.clone() } else { spec.name },
                id: spec.id,
                host,
                path: spec.path,
                upstream,
                level: spec.level,
                roles: spec.roles,
                opd: spec.opd,
                users: spec.users,
                networks: spec.networks,
                api: spec.api,
                audiences: spec.audiences,
                max_body_bytes: spec.max_body_bytes,
                timeout_secs: spec.timeout_secs,
            });
        }
        // Longest prefix first, so `/a/b/` wins over `/a/` on the same host.
        routes.sort_by(|a, b| a.host.cmp(&b.host).then(b.path.len().cmp(&a.path.len())));
        Ok(Routes { routes })
    }

    pub fn all(&self) -> &[Route] {
        &self.routes
    }

    pub fn get(&self, id: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.id == id)
    }

    /// Distinct hosts, each needing its own redirect URI at the OpenID provider.
    pub fn hosts(&self) -> Vec<&str> {
        let mut hosts: Vec<&str> = self.routes.iter().map(|r| r.host.as_str()).collect();
        hosts.dedup();
        hosts
    }

    /// The route serving `path` on `host` (port ignored, case-insensitive). `/x` belongs to `/x/`.
    /// Path prefixes compare without regard to ASCII case, so `/Admin/` cannot slip past an
    /// `/admin/` route to a weaker `/` route at a case-insensitive upstream. `path` must already
    /// be normalised (see `normalize_path`).
    pub fn find(&self, host: &str, path: &str) -> Option<&Route> {
        let host = host_without_port(host);
        let p = path.as_bytes();
        self.routes.iter().filter(|r| r.host.eq_ignore_ascii_case(host)).find(|r| {
            let prefix = r.path.as_bytes();
            let under = p.len() >= prefix.len() && p[..prefix.len()].eq_ignore_ascii_case(prefix);
            let bare = r.path.len() > 1 && path.eq_ignore_ascii_case(r.path.trim_end_matches('/'));
            under || bare
        })
    }
}

/// RFC 3986 §6.2.2: decodes percent-encoded unreserved characters (`%61` → `a`) and upper-cases
/// the hex of the others, so one path has one spelling before routes are matched. `None` for
/// a malformed escape or a `;` (path parameters, which some servers strip before routing).
pub fn normalize_path(path: &str) -> Option<String> {
    let b = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = path.get(i + 1..i + 3)?;
                let v = u8::from_str_radix(hex, 16).ok()?;
                if v.is_ascii_alphanumeric() || b"-._~".contains(&v) {
                    out.push(v as char);
                } else {
                    out.push('%');
                    out.push_str(&hex.to_ascii_uppercase());
                }
                i += 3;
            }
            b';' => return None,
            c => {
                out.push(c as char);
                i += 1;
            }
        }
    }
    Some(out)
}

/// `example.go.id:8443` → `example.go.id`; `[::1]:80` → `[::1]`.
pub fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map(|i| &host[..=i]).unwrap_or(host);
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

fn is_host(h: &str) -> bool {
    if h.parse::<std::net::IpAddr>().is_ok() || (h.starts_with('[') && h.ends_with(']')) {
        return true;
    }
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn parse_upstream(s: &str) -> Result<Uri, String> {
    let url = url::Url::parse(s).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
    if url.scheme() != "http" {
        return Err(format!("{s:?}: upstreams are reached over http:// on the city network"));
    }
    if url.host().is_none() || url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{s:?} must be http://host[:port]/path without query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{s:?} must not carry credentials"));
    }
    url.as_str().parse::<Uri>().map_err(|e| format!("{s:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Routes, PolicyError> {
        let levels = Levels::builtin().unwrap();
        let networks = Networks::parse("[[network]]\nid = \"lan\"\ncidrs = [\"10.0.0.0/8\"]\n", "n.toml").unwrap();
        Routes::parse(text, "routes.toml", &levels, &networks)
    }

    const TWO: &str = r#"
[[route]]
id = "a"
host = "App.Example.go.id"
path = "/"
upstream = "http://127.0.0.1:9/x/"
level = "warga"

[[route]]
id = "ab"
host = "app.example.go.id"
path = "/b/"
upstream = "http://127.0.0.1:9/y/"
level = "asn"
networks = ["lan"]
"#;

    #[test]
    fn finds_by_host_and_longest_prefix() {
        let r = parse(TWO).unwrap();
        assert_eq!(r.find("app.example.go.id:8443", "/b/c").unwrap().id, "ab");
        assert_eq!(r.find("APP.example.go.id", "/b").unwrap().id, "ab");
        assert_eq!(r.find("app.example.go.id", "/bc").unwrap().id, "a");
        assert!(r.find("other.example.go.id", "/").is_none(), "unknown host: no route");
        assert_eq!(r.hosts(), ["app.example.go.id"]);
        assert_eq!(host_without_port("[::1]:80"), "[::1]");
        // One spelling per path: encoded letters and case cannot dodge the stricter route.
        let n = |p: &str| normalize_path(p).unwrap();
        assert_eq!(r.find("app.example.go.id", &n("/%62/c")).unwrap().id, "ab");
        assert_eq!(r.find("app.example.go.id", &n("/B/c")).unwrap().id, "ab");
        assert_eq!(n("/a%2fb%c3%a9"), "/a%2Fb%C3%A9");
        assert!(
            normalize_path("/b;x/").is_none() && normalize_path("/a%2").is_none() && normalize_path("/%zz").is_none()
        );
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let e = parse(&TWO.replace("level = \"asn\"", "level = \"asnx\"")).unwrap_err().to_string();
        assert!(e.starts_with("routes.toml:9: route \"ab\": field `level`: unknown level \"asnx\""), "{e}");
        let e = parse(&TWO.replace("[\"lan\"]", "[\"wan\"]")).unwrap_err().to_string();
        assert!(e.contains("field `networks`") && e.contains("wan"), "{e}");
        let e = parse(&TWO.replace("path = \"/b/\"", "path = \"/\"")).unwrap_err().to_string();
        assert!(e.contains("field `path`") && e.contains("already route \"a\""), "{e}");
        let e = parse(&TWO.replace("http://127.0.0.1:9/y/", "ftp://x/")).unwrap_err().to_string();
        assert!(e.contains("field `upstream`"), "{e}");
        let e = parse(&TWO.replace("upstream = \"http://127.0.0.1:9/y/\"", "upstrem = \"x\"")).unwrap_err().to_string();
        assert!(e.starts_with("routes.toml: ") && e.contains("line 13") && e.contains("upstrem"), "{e}");
        let e = parse(&TWO.replace("host = \"app.example.go.id\"", "host = \"https://x\"")).unwrap_err().to_string();
        assert!(e.contains("field `host`"), "{e}");
    }
}
