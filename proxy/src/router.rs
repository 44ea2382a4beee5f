//! The gateway's routes: an index of the applications, and everything else forwarded or denied.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::forward::{self, HttpClient};
use crate::route::RouteTable;

#[derive(Clone)]
struct Gateway {
    routes: Arc<RouteTable>,
    client: HttpClient,
    /// The IdP, linked from the index page.
    idp_url: String,
}

pub fn router(routes: RouteTable, idp_url: String) -> Router {
    let state = Gateway { routes: Arc::new(routes), client: forward::client(), idp_url };
    let app = Router::new()
        .route("/", get(index))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(proxy)
        .with_state(state);
    gerbang_core::http::with_common_layers(app)
}

async fn index(State(gw): State<Gateway>) -> Html<String> {
    let mut items = String::new();
    for r in gw.routes.routes().iter().rev() {
        items.push_str(&format!("<li><a href=\"{}\">{}</a></li>", escape(&r.prefix), escape(&r.name)));
    }
    Html(format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>Gerbang · Aplikasi</title></head>\
         <body><h1>Aplikasi umum Kota Padang Panjang</h1><p>Pasal 9 Perwako 18/2018.</p><ul>{items}</ul>\
         <p><a href=\"{}\">Akun SSO</a></p></body></html>",
        escape(&gw.idp_url)
    ))
}

async fn proxy(State(gw): State<Gateway>, ConnectInfo(peer): ConnectInfo<SocketAddr>, request: Request) -> Response {
    let path = request.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    let Some((route, target)) = gw.routes.resolve(&path) else {
        // Unknown path: deny (the blueprint's default).
        return deny(
            StatusCode::NOT_FOUND,
            "Alamat ini tidak terdaftar di gerbang. / This address is not routed by the gateway.",
        );
    };
    let name = route.name.clone();
    let host = request.headers().get("host").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    match forward::forward(&gw.client, request.map(Body::new), target, peer, &host).await {
        Ok(response) => response,
        Err(e) => {
            tracing::warn!(route = %name, error = %e, "upstream failed");
            deny(
                forward::status_for(&e),
                "Aplikasi tujuan tidak menjawab. Coba lagi nanti. / The application did not answer; try again later.",
            )
        }
    }
}

fn deny(status: StatusCode, message: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>{code}</title></head>\
         <body><h1>{code}</h1><p>{}</p></body></html>",
        escape(message),
        code = status.as_u16()
    );
    (status, Html(html)).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
