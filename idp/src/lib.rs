//! gerbang-idp: the identity provider — accounts, password sign-in, login sessions, pages and
//! the OpenID Connect provider.

pub mod accounts;
pub mod admin;
pub mod factors;
pub mod hr;
pub mod http;
pub mod lifecycle;
pub mod login;
pub mod maintenance;
pub mod notify;
pub mod oidc;
pub mod replicas;
pub mod state;
pub mod theme;
pub mod wib;

pub use http::router::router;
pub use state::AppState;
