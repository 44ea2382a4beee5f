//! The gateway's answers to people and to programs: a small bilingual HTML page (Bahasa
//! Indonesia first, English when the browser prefers it) or JSON.

use axum::Json;
use axum::response::{Html, IntoResponse, Response};
use http::{HeaderMap, StatusCode, header};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Id,
    En,
}

/// English only when the browser's first preference is English.
pub fn lang(headers: &HeaderMap) -> Lang {
    let first = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if first.starts_with("en") { Lang::En } else { Lang::Id }
}

/// A program, not a person: JSON preferred over HTML, or a bearer token presented.
pub fn wants_json(headers: &HeaderMap) -> bool {
    if headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).is_some_and(|v| v.len() > 7) {
        return true;
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    accept.contains("application/json") && !accept.contains("text/html")
}

pub struct Text {
    pub id: String,
    pub en: String,
}

pub fn t(id: impl Into<String>, en: impl Into<String>) -> Text {
    Text { id: id.into(), en: en.into() }
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
    }
}

/// A page with a title, a message and an optional link onward.
pub fn html(status: StatusCode, lang: Lang, title: &Text, message: &Text, link: Option<(&str, Text)>) -> Response {
    let link = link
        .map(|(href, text)| format!("<p><a href=\"{}\">{}</a></p>", escape(href), escape(text.get(lang))))
        .unwrap_or_default();
    let code = if lang == Lang::En { "en" } else { "id" };
    let body = format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Gerbang</title><style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;\
         padding:0 1rem;color:#1b1b1b;line-height:1.5}}h1{{font-size:1.4rem}}.code{{color:#666}}</style></head>\
         <body><main><p class=\"code\">Gerbang · {status}</p><h1>{title}</h1><p id=\"message\">{message}</p>{link}</main></body></html>",
        title = escape(title.get(lang)),
        message = escape(message.get(lang)),
        status = status.as_u16(),
    );
    let mut r = (status, Html(body)).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    r
}

pub fn json(status: StatusCode, body: Value) -> Response {
    let mut r = (status, Json(body)).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    r
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}
