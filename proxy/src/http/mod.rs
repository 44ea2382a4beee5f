//! The gateway's HTTP edge: one router, its handlers, and the one place errors become responses.

pub mod endpoints;
pub mod error;
pub mod forward_auth;
pub mod judge;
pub mod page;
pub mod proxy;
pub mod router;
pub mod sign_in;
