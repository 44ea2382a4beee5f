//! Policy model shared by the IdP and the gateway, read from `policies/`: security levels today;
//! routes and networks arrive with the gateway.

pub mod level;

pub use level::{AuthFacts, Level, Levels, PolicyError, Subjects};
