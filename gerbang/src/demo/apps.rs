//! Seven demo upstream applications standing for the common applications of Pasal 9, served on
//! one listener under their own path, and the gateway routes that lead to them.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use gerbang_proxy::{Route, RouteTable};

pub struct DemoApp {
    pub slug: &'static str,
    pub name: &'static str,
    /// Letter of Pasal 9 that names it.
    pub pasal: &'static str,
}

pub const APPS: &[DemoApp] = &[
    DemoApp { slug: "e-office", name: "Tata Naskah Dinas Elektronik", pasal: "9a" },
    DemoApp { slug: "e-mail", name: "Surat Elektronik", pasal: "9b" },
    DemoApp { slug: "e-kinerja", name: "Penilaian Kinerja Pegawai", pasal: "9c" },
    DemoApp { slug: "sipkd", name: "Sistem Informasi Pengelolaan Keuangan Daerah", pasal: "9d" },
    DemoApp { slug: "simpeg", name: "Sistem Informasi Kepegawaian Daerah", pasal: "9e" },
    DemoApp { slug: "sippd", name: "Sistem Informasi Perencanaan Pembangunan Daerah", pasal: "9f" },
    DemoApp { slug: "e-monev", name: "Sistem Informasi Evaluasi dan Pelaporan", pasal: "9g" },
];

pub fn routes(apps_addr: SocketAddr) -> RouteTable {
    RouteTable::new(
        APPS.iter()
            .map(|a| Route {
                name: a.name.into(),
                prefix: format!("/{}/", a.slug),
                upstream: format!("http://{apps_addr}/{}/", a.slug).parse().expect("demo upstream URLs are valid"),
            })
            .collect(),
    )
}

pub fn router() -> Router {
    Router::new().route("/{slug}/", get(page_root)).route("/{slug}/{*rest}", get(page))
}

async fn page_root(Path(slug): Path<String>, headers: HeaderMap) -> Html<String> {
    render(&slug, "", &headers)
}

async fn page(Path((slug, rest)): Path<(String, String)>, headers: HeaderMap) -> Html<String> {
    render(&slug, &rest, &headers)
}

/// Shows which app answered and which identity headers the gateway passed.
fn render(slug: &str, rest: &str, headers: &HeaderMap) -> Html<String> {
    let name = APPS.iter().find(|a| a.slug == slug).map(|a| a.name).unwrap_or("Aplikasi tidak dikenal");
    let mut identity: Vec<String> = headers
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("x-gerbang-"))
        .map(|(k, v)| format!("<li><code>{}</code>: {}</li>", k, escape(v.to_str().unwrap_or("?"))))
        .collect();
    if identity.is_empty() {
        identity.push("<li>(tidak ada / none)</li>".into());
    }
    Html(format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>{name}</title></head><body>\
         <h1 id=\"app-name\">{name}</h1><p>Aplikasi demo / demo application <code>{slug}</code>, path <code>/{rest}</code></p>\
         <h2>Identitas dari gerbang / identity from the gateway</h2><ul id=\"identity\">{}</ul></body></html>",
        identity.join(""),
        slug = escape(slug),
        rest = escape(rest),
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
