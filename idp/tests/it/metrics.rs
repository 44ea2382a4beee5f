//! `/metrics` (Prometheus text format): requests by route and status, sign-ins by result,
//! authorizations by level, tokens by grant, database gauges; and only to the allowed networks.

use crate::oidc::http;
use crate::support::{Backend, TestServer};

crate::on_both_backends!(metrics_count_what_happens_and_are_not_for_everyone);

const NIP: &str = "198001012005011001";
const PW: &str = "kata-sandi-panjang";

/// The value of one series (the exact text before the value), 0 when absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines().find_map(|l| l.strip_prefix(series).and_then(|rest| rest.trim().parse::<f64>().ok())).unwrap_or(0.0)
}

async fn scrape(srv: &TestServer) -> String {
    let r = http().get(format!("{}/metrics", srv.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    r.text().await.unwrap()
}

async fn metrics_count_what_happens_and_are_not_for_everyone(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    srv.with_asn(NIP, "Siti", PW).await;
    let wrong = "gerbang_sign_ins_total{result=\"wrong_credentials\",method=\"pwd\"}";
    let good = "gerbang_sign_ins_total{result=\"success\",method=\"pwd\"}";
    let before = scrape(&srv).await;
    // The recorder is one per process and tests run side by side: compare, never expect totals.
    assert!(srv.login(&srv.client(), NIP, "salah-sandi-sekali").await.status().is_client_error());
    assert_eq!(srv.login(&srv.client(), NIP, PW).await.status(), 303);
    let after = scrape(&srv).await;
    assert!(value(&after, wrong) >= value(&before, wrong) + 1.0, "{after}");
    assert!(value(&after, good) >= value(&before, good) + 1.0, "{after}");
    let route = "http_requests_total{service=\"idp\",method=\"POST\",route=\"/masuk\",status=\"303\"}";
    assert!(value(&after, route) >= 1.0, "{after}");
    assert!(after.contains("http_request_duration_seconds_bucket{service=\"idp\",method=\"POST\",route=\"/masuk\""));
    assert_eq!(value(&after, "gerbang_db_up"), 1.0);
    assert!(after.contains("gerbang_db_connections{state=\"idle\"}"));
    // Paths with ids are counted under their route, never the raw path.
    http().get(format!("{}/admin/opd/rahasia-123", srv.url)).send().await.unwrap();
    let after = scrape(&srv).await;
    assert!(after.contains("route=\"/admin/opd/{id}\"") && !after.contains("rahasia-123"));
    // Any token is a method in HTTP: an unknown one is counted as `other`, never as a new series.
    let brew = reqwest::Method::from_bytes(b"BREWX").unwrap();
    let r = http().request(brew, format!("{}/masuk", srv.url)).send().await.unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    let after = scrape(&srv).await;
    assert!(after.contains("method=\"other\",route=\"/masuk\"") && !after.contains("BREWX"), "{after}");

    // Outside the allowed networks there is nothing here.
    let closed =
        TestServer::start_with(backend_again(&srv), |c| c.metrics.allow = vec!["10.0.0.0/8".into()]).await.unwrap();
    assert_eq!(http().get(format!("{}/metrics", closed.url)).send().await.unwrap().status(), 404);
}

fn backend_again(srv: &TestServer) -> Backend {
    match srv.store.backend() {
        gerbang_core::store::Backend::Sqlite => Backend::Sqlite,
        gerbang_core::store::Backend::Postgres => Backend::Postgres("gerbang-idp metrics::closed"),
    }
}
