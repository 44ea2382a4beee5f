//! Seven demo upstream applications standing for the common applications of Pasal 9, served on
//! one listener under their own path, and the gateway policy (routes, networks) that puts them
//! behind the gateway, each at a security level suited to it.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;

pub struct DemoApp {
    pub slug: &'static str,
    pub name: &'static str,
    /// Letter of Pasal 9 that names it.
    pub pasal: &'static str,
    /// Minimum security level of its gateway route.
    pub level: &'static str,
}

pub const APPS: &[DemoApp] = &[
    DemoApp { slug: "e-office", name: "Tata Naskah Dinas Elektronik", pasal: "9a", level: "asn" },
    DemoApp { slug: "e-mail", name: "Surat Elektronik", pasal: "9b", level: "asn" },
    DemoApp { slug: "e-kinerja", name: "Penilaian Kinerja Pegawai", pasal: "9c", level: "asn-kuat" },
    DemoApp { slug: "sipkd", name: "Sistem Informasi Pengelolaan Keuangan Daerah", pasal: "9d", level: "rahasia" },
    DemoApp { slug: "simpeg", name: "Sistem Informasi Kepegawaian Daerah", pasal: "9e", level: "asn-kuat" },
    DemoApp { slug: "sippd", name: "Sistem Informasi Perencanaan Pembangunan Daerah", pasal: "9f", level: "warga" },
    DemoApp { slug: "e-monev", name: "Sistem Informasi Evaluasi dan Pelaporan", pasal: "9g", level: "publik" },
];

/// `routes.toml` for the demo: every app on `host` under `/<slug>/`.
pub fn routes_toml(apps_addr: SocketAddr, host: &str) -> String {
    let mut out = String::from("# Written by `gerbang demo` at each start; edits are picked up while it runs.\n");
    for a in APPS {
        out.push_str(&format!(
            "\n[[route]]\nid = \"{slug}\"\nname = \"{name}\"\nhost = \"{host}\"\npath = \"/{slug}/\"\n\
             upstream = \"http://{apps_addr}/{slug}/\"\nlevel = \"{level}\"\n",
            slug = a.slug,
            name = a.name,
            level = a.level,
        ));
    }
    out
}

/// `networks.toml` for the demo: the loopback interface counts as the city network, so level
/// `rahasia` can be tried on one machine.
pub const NETWORKS_TOML: &str = "# Written by `gerbang demo`: loopback stands for the city network.\n\
    [[network]]\nid = \"demo-lokal\"\nname = \"Jaringan lokal (demo)\"\ncidrs = [\"127.0.0.0/8\", \"::1\"]\n";

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
