//! Prometheus metrics: one recorder per process (the `metrics` facade with its Prometheus
//! exporter, rendered on `/metrics`), a middleware counting every HTTP request by route and
//! status with its latency, and the gauges read at scrape time (database pool).
//!
//! Names: `http_requests_total`, `http_request_duration_seconds` (both labelled `service`,
//! `method`, `route`, `status`), and the `gerbang_*` counters the services record where things
//! happen (sign-ins, tokens, gateway decisions, back-channel logouts).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{LazyLock, OnceLock, RwLock};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::store::Store;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Latency buckets, in seconds (a sign-in hashes a password: up to about a second).
const BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// Installs the process's recorder (once; later calls reuse it).
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder =
                PrometheusBuilder::new().set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS).ok()?;
            match builder.install_recorder() {
                Ok(handle) => {
                    // Histograms keep their samples until upkeep folds them: without a scrape
                    // they would grow with every request.
                    let upkeep = handle.clone();
                    std::thread::Builder::new()
                        .name("metrics-upkeep".into())
                        .spawn(move || {
                            loop {
                                std::thread::sleep(std::time::Duration::from_secs(5));
                                upkeep.run_upkeep();
                            }
                        })
                        .ok()?;
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

/// Counts the request and times it. Added with `Router::layer`, so the matched route (not the
/// raw path, which may carry ids) names it.
pub async fn track(service: &'static str, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(request.method());
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    let route = route.as_ref().map_or("unmatched", |p| p.as_str());
    let status = response.status().as_u16();
    let (requests, duration) = request_metrics(service, method, route, status);
    requests.increment(1);
    duration.record(start.elapsed().as_secs_f64());
    response
}

/// The method as a label: the standard ones by name, any other as `other` (a client may send
/// any token as a method, and each would be a new series).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// Series of one label set, registered once: looking a labelled series up in the recorder at
/// every request (building and hashing its key) cost more than the rest of a gateway decision.
type Series = (Counter, Histogram);
type SeriesByRoute = HashMap<String, Vec<((&'static str, &'static str, u16), Series)>>;
static SERIES: LazyLock<RwLock<SeriesByRoute>> = LazyLock::new(Default::default);

fn request_metrics(service: &'static str, method: &'static str, route: &str, status: u16) -> Series {
    let labels = (service, method, status);
    let found = |by_route: &SeriesByRoute| {
        by_route.get(route).and_then(|list| list.iter().find(|(l, _)| *l == labels)).map(|(_, s)| s.clone())
    };
    if let Some(series) = found(&SERIES.read().unwrap_or_else(|p| p.into_inner())) {
        return series;
    }
    let mut by_route = SERIES.write().unwrap_or_else(|p| p.into_inner());
    if let Some(series) = found(&by_route) {
        return series;
    }
    let labels_of = [
        ("service", service.to_string()),
        ("method", method.to_string()),
        ("route", route.to_string()),
        ("status", status.to_string()),
    ];
    let series = (
        metrics::counter!("http_requests_total", &labels_of),
        metrics::histogram!("http_request_duration_seconds", &labels_of),
    );
    by_route.entry(route.to_string()).or_default().push((labels, series.clone()));
    series
}

/// The connecting address of a request (never a forwarded header, which anyone could set).
pub fn peer(request: &Request) -> Option<IpAddr> {
    // An IPv4 client of an IPv6 listener shows as ::ffff:a.b.c.d; compare it as IPv4.
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip().to_canonical())
}

/// `/metrics`: the text exposition format, to the allowed networks only (others get 404, as if
/// there were nothing here).
pub async fn endpoint(peer: Option<IpAddr>, allowed: &[ipnet::IpNet], store: Option<&Store>) -> Response {
    let ip = peer;
    if !ip.is_some_and(|ip| allowed.iter().any(|n| n.contains(&ip))) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(handle) = install() else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    if let Some(store) = store {
        let (size, idle) = store.pool_stats();
        metrics::gauge!("gerbang_db_connections", "state" => "idle").set(idle as f64);
        metrics::gauge!("gerbang_db_connections", "state" => "in_use").set((size as usize).saturating_sub(idle) as f64);
        metrics::gauge!("gerbang_db_up").set(if store.ping().await { 1.0 } else { 0.0 });
    }
    let mut response = handle.render().into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}
