//! gerbang-proxy: the gateway in front of the city's applications.
//!
//! Today it routes by path prefix to upstream URLs and streams requests and responses, after
//! stripping any identity header a client tried to send. Login, security levels and identity
//! assertions per route come with issue 6 (see docs/ARCHITECTURE.md).

pub mod forward;
pub mod route;
pub mod router;

pub use route::{Route, RouteTable};
pub use router::router;
