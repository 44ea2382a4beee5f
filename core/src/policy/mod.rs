//! Policy model shared by the IdP and the gateway, read from `policies/`: security levels,
//! networks and routes, validated at load and reloaded when the files change.

pub mod domain;
pub mod error;
pub mod level;
pub mod network;
pub mod route;
pub mod set;
pub mod watch;

pub use domain::DomainRegister;
pub use error::PolicyError;
pub use level::{AuthFacts, Level, Levels, Subjects};
pub use network::{Network, Networks};
pub use route::{Route, Routes};
pub use set::{PolicySet, Registered};
pub use watch::PolicyWatch;
