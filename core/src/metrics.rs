//! Prometheus metrics: one recorder per process (the `metrics` facade with its Prometheus
//! exporter, rendered on `/metrics`), a middleware counting every HTTP request by route and
//! status with its latency, and the gauges read at scrape time (database pool).
//!
//! Names: `http_requests_total`, `http_request_duration_seconds` (both labelled `service`,
//! `method`, `route`, `status`), and the `gerbang_*` counters the services record where things
//! happen (sign-ins, tokens, gateway decisions, back-channel logouts).

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
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
    let method = request.method().as_str().to_owned();
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let response = next.run(request).await;
    let route = route.unwrap_or_else(|| "unmatched".into());
    let status = response.status().as_u16().to_string();
    let labels = [("service", service.to_string()), ("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(start.elapsed().as_secs_f64());
    response
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
