//! gerbang-idp: the identity provider — accounts, password sign-in, login sessions and pages.
//! (The OpenID Connect endpoints arrive with issue 4; see docs/ARCHITECTURE.md.)

pub mod accounts;
pub mod http;
pub mod login;
pub mod state;
pub mod theme;

pub use http::router::router;
pub use state::AppState;
