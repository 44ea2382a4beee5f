//! From a matched route to the upstream URI, and the path check that keeps a request inside its
//! route's prefix.

use gerbang_core::policy::Route;
use http::Uri;

/// The upstream URI for `path_and_query` on `route` (query kept); `None` for a route without
/// an upstream (forward-auth only).
pub fn target(route: &Route, path_and_query: &str) -> Option<Uri> {
    let upstream = route.upstream.as_ref()?;
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    let rest = path.get(route.path.len()..).unwrap_or("");
    let base = upstream.to_string();
    let mut t = format!("{}/{rest}", base.trim_end_matches('/'));
    if let Some(q) = query {
        t.push('?');
        t.push_str(q);
    }
    t.parse().ok()
}

/// Dot-segments (plain or percent-encoded), encoded slashes and backslashes could climb out of
/// the route's prefix at the upstream (RFC 3986 §5.2.4): such paths are refused, not normalised.
pub fn is_climbing(path: &str) -> bool {
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
    use gerbang_core::policy::{Levels, Networks, Routes};

    #[test]
    fn targets_and_climbing() {
        let text = "[[route]]\nid = \"ab\"\nhost = \"a.test\"\npath = \"/a/b/\"\nupstream = \"http://127.0.0.1:9/y/\"\nlevel = \"publik\"\n";
        let routes = Routes::parse(text, "r", &Levels::builtin().unwrap(), &Networks::default()).unwrap();
        let r = routes.get("ab").unwrap();
        assert_eq!(target(r, "/a/b/c?d=1").unwrap().to_string(), "http://127.0.0.1:9/y/c?d=1");
        assert_eq!(target(r, "/a/b").unwrap().to_string(), "http://127.0.0.1:9/y/");
        for climbing in
            ["/a/../admin", "/a/%2e%2e/admin", "/a/.%2E/x", "/a/./x", "/a/..\\x", "/a/%2e%2e%2fadmin", "/a/x/.."]
        {
            assert!(is_climbing(climbing), "{climbing}");
        }
        assert!(!is_climbing("/a/file..txt"), "dots inside a name are fine");
    }
}
