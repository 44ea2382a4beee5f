//! gerbang-proxy: the gateway in front of the city's applications.
//!
//! An OpenID Connect relying party of any standard provider (Gerbang's IdP by default) that
//! routes by host and path prefix (`policies/routes.toml`), enforces the security level and the
//! subject and network conditions of each route, and passes a verified identity to the upstream
//! as headers and a signed assertion. It also answers forward-auth decisions for nginx
//! `auth_request`. See docs/ARCHITECTURE.md for the flow of a request.

pub mod assertion;
pub mod client_addr;
pub mod decision;
pub mod forward;
pub mod http;
pub mod identity;
pub mod oidc;
pub mod revocation;
pub mod route;
pub mod session;
pub mod state;

pub use http::router::router;
pub use state::Gateway;
