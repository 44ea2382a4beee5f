//! The IdP's HTTP edge: routes, extractors, cookies and error pages.

pub mod account;
pub mod admin;
pub mod api;
pub mod assets;
pub use gerbang_core::http::cookies;
pub mod csrf;
pub mod error;
pub mod factors;
pub mod health;
pub mod lang;
pub mod login;
pub mod page;
pub mod params;
pub mod passkeys;
pub mod register;
pub mod reset;
pub mod router;
pub mod scim;
pub mod sessions;
pub mod step_up;
pub mod verifier;
