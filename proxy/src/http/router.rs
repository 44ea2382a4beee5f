//! Every route of the gateway. `/.gerbang/` is reserved on every routed host for the gateway's
//! own pages; everything else is judged against `policies/routes.toml` and forwarded or refused.

use axum::Router;
use axum::routing::{any, get, post};

use super::{endpoints, forward_auth, proxy, sign_in};
use crate::state::Gateway;

pub fn router(gw: Gateway) -> Router {
    let app = Router::new()
        .route("/.gerbang/", get(endpoints::index))
        .route("/.gerbang/healthz", get(endpoints::healthz))
        .route("/.gerbang/metrics", get(endpoints::metrics))
        .route("/.gerbang/jwks.json", get(endpoints::jwks))
        .route("/.gerbang/backchannel-logout", post(endpoints::backchannel_logout))
        .route("/.gerbang/auth", any(forward_auth::handle))
        .route("/.gerbang/masuk", get(sign_in::start))
        .route("/.gerbang/callback", get(sign_in::callback))
        .route("/.gerbang/keluar", get(sign_in::sign_out).post(sign_in::sign_out))
        // The rest of /.gerbang/ is reserved too: never forwarded to an application.
        .route("/.gerbang", any(endpoints::not_found))
        .route("/.gerbang/{*rest}", any(endpoints::not_found))
        .fallback(proxy::handle)
        .with_state(gw);
    gerbang_core::http::with_common_layers(app, "gateway")
}
