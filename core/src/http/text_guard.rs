//! A NUL character is never valid in anything Gerbang reads (names, ids, URIs, reasons,
//! secrets), and PostgreSQL cannot store one in text. A request carrying one, in its path, its
//! query or a form or JSON body, is refused before any handler runs, in the answer format of the
//! router it reached (an error page, OAuth2 error JSON, API error JSON).
//!
//! Bodies of other types (multipart uploads, binary files) pass untouched: their handlers read
//! them as bytes.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;

/// The most a form or JSON body may hold (axum's own limit for its extractors).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadText {
    /// A NUL character in the path, the query or the body.
    Nul,
    /// A form or JSON body over `BODY_LIMIT`.
    TooLarge,
}

impl BadText {
    pub fn describe(self) -> &'static str {
        match self {
            BadText::Nul => "the request contains a NUL character",
            BadText::TooLarge => "the request body is too large",
        }
    }
}

/// Middleware: refuses a request with a NUL character, answering with `refuse`.
pub async fn refuse_nul(request: Request, next: Next, refuse: fn(BadText) -> Response) -> Response {
    if percent_nul(request.uri().path()) || request.uri().query().is_some_and(percent_nul) {
        return refuse(BadText::Nul);
    }
    let kind = body_kind(&request);
    if kind == BodyKind::Other {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return refuse(BadText::TooLarge),
    };
    let nul = match kind {
        BodyKind::Form => bytes.contains(&0) || percent_nul(&String::from_utf8_lossy(&bytes)),
        BodyKind::Json => json_nul(&bytes),
        BodyKind::Other => false,
    };
    if nul {
        return refuse(BadText::Nul);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    Json,
    Other,
}

fn body_kind(request: &Request) -> BodyKind {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return BodyKind::Other;
    }
    let kind = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = kind.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/x-www-form-urlencoded" => BodyKind::Form,
        e if e == "application/json" || e.ends_with("+json") => BodyKind::Json,
        _ => BodyKind::Other,
    }
}

/// `%00` anywhere (any case of hex digits is the same byte).
fn percent_nul(s: &str) -> bool {
    s.as_bytes().windows(3).any(|w| w == b"%00")
}

/// A JSON `\u0000` escape (not an escaped backslash followed by `u0000`), or a raw NUL byte.
fn json_nul(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0 => return true,
            b'\\' => {
                if bytes.get(i + 1) == Some(&b'u') && bytes.get(i + 2..i + 6) == Some(b"0000") {
                    return true;
                }
                // Skip the escaped character, whatever it is (an escaped backslash included).
                i += 2;
            }
            _ => i += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nul_escapes_only_where_they_decode_to_nul() {
        assert!(percent_nul("/a%00b") && percent_nul("q=%00") && !percent_nul("q=%0A%20") && !percent_nul("%0"));
        assert!(json_nul(br#"{"a":"x\u0000"}"#));
        assert!(!json_nul(br#"{"a":"x\\u0000"}"#), "an escaped backslash, then text");
        assert!(json_nul(br#"{"a":"x\\\u0000"}"#), "an escaped backslash, then NUL");
        assert!(!json_nul(br#"{"a":"\u00e9\n"}"#));
        assert!(json_nul(b"{\"a\":\"\0\"}"));
    }
}
