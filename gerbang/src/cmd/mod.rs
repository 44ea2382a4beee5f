//! One module per command.

pub mod asn;
pub mod audit;
pub mod backup;
pub mod check_config;
pub mod client;
pub mod keys;
pub mod migrate;
pub mod policy;
pub mod register;
pub mod serve;
pub mod user;
