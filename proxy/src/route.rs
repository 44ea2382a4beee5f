//! Routes: a path prefix on the gateway mapped to an upstream base URL. Unknown paths are denied.

use http::Uri;

#[derive(Debug, Clone)]
pub struct Route {
    /// Shown on the gateway's index page.
    pub name: String,
    /// Starts and ends with `/`, e.g. `/e-office/`.
    pub prefix: String,
    /// `http://host:port/base/`; the part of the path after `prefix` is appended to it.
    pub upstream: Uri,
}

#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<Route>,
}

impl RouteTable {
    /// Longest prefix first, so `/a/b/` wins over `/a/`.
    pub fn new(mut routes: Vec<Route>) -> RouteTable {
        routes.sort_by_key(|r| std::cmp::Reverse(r.prefix.len()));
        RouteTable { routes }
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The route for `path` and the upstream URI to send it to (query kept).
    pub fn resolve(&self, path_and_query: &str) -> Option<(&Route, Uri)> {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        // Dot-segments (plain or percent-encoded) and backslashes could climb out of the route's
        // prefix at the upstream (RFC 3986 §5.2.4): such paths are denied, not normalised.
        if has_dot_segment(path) {
            return None;
        }
        // `/e-office` without the slash also belongs to `/e-office/`.
        let route =
            self.routes.iter().find(|r| path.starts_with(&r.prefix) || path == r.prefix.trim_end_matches('/'))?;
        let rest = path.get(route.prefix.len()..).unwrap_or("");
        let base = route.upstream.to_string();
        let mut target = format!("{}{}", base.trim_end_matches('/'), format_args!("/{rest}"));
        if let Some(q) = query {
            target.push('?');
            target.push_str(q);
        }
        target.parse().ok().map(|uri| (route, uri))
    }
}

fn has_dot_segment(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if lower.contains('\\') || lower.contains("%5c") || lower.contains("%2f") {
        return true;
    }
    let decoded = lower.replace("%2e", ".");
    decoded.split('/').any(|segment| segment == "." || segment == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RouteTable {
        RouteTable::new(vec![
            Route { name: "a".into(), prefix: "/a/".into(), upstream: "http://127.0.0.1:9/x/".parse().unwrap() },
            Route { name: "ab".into(), prefix: "/a/b/".into(), upstream: "http://127.0.0.1:9/y/".parse().unwrap() },
        ])
    }

    #[test]
    fn longest_prefix_and_query() {
        let t = table();
        let (r, u) = t.resolve("/a/b/c?d=1").unwrap();
        assert_eq!((r.name.as_str(), u.to_string().as_str()), ("ab", "http://127.0.0.1:9/y/c?d=1"));
        let (r, u) = t.resolve("/a").unwrap();
        assert_eq!((r.name.as_str(), u.to_string().as_str()), ("a", "http://127.0.0.1:9/x/"));
        assert!(t.resolve("/ab").is_none());
        assert!(t.resolve("/").is_none());
        for climbing in
            ["/a/../admin", "/a/%2e%2e/admin", "/a/.%2E/x", "/a/./x", "/a/..\\x", "/a/%2e%2e%2fadmin", "/a/x/.."]
        {
            assert!(t.resolve(climbing).is_none(), "{climbing}");
        }
        assert!(t.resolve("/a/file..txt").is_some(), "dots inside a name are fine");
    }
}
