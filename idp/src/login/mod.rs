//! Sign-in: checking a password against an account, and the login sessions that follow.

pub mod password;
pub mod session;
pub mod throttle;
