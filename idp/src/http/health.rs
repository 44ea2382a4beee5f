//! Liveness (`/healthz`) and readiness (`/readyz`: the database answers) for load balancers, and
//! Prometheus metrics (`/metrics`, to the networks in `[metrics] allow` only).

use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.store.ping().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

pub async fn metrics(State(state): State<AppState>, request: axum::extract::Request) -> axum::response::Response {
    let peer = gerbang_core::metrics::peer(&request);
    drop(request);
    gerbang_core::metrics::endpoint(peer, &state.metrics_allow, Some(&state.store)).await
}
