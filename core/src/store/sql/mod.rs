//! The SQL text of the store, written once with `$1` placeholders for both drivers.
//! Only the migrations differ between SQLite and PostgreSQL; real dialect gaps live in `dialect`.

pub mod account;
pub mod audit;
pub mod authorization;
pub mod client;
pub mod dialect;
pub mod factor;
pub mod gateway;
pub mod grant;
pub mod keyring;
pub mod lifecycle;
pub mod logout;
pub mod meta;
pub mod passkey;
pub mod register;
pub mod registration;
pub mod report;
pub mod session;
pub mod signing_key;
pub mod staff;
