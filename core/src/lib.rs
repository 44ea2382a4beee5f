//! gerbang-core: the plumbing shared by the identity provider and the gateway — configuration,
//! identifiers (NIP, NIK), cryptography, storage, the audit log, logging and HTTP serving.

pub mod audit;
pub mod backup;
pub mod bootstrap;
pub mod config;
pub mod crypto;
pub mod every;
pub mod http;
pub mod ids;
pub mod keyring;
pub mod lang;
pub mod metrics;
pub mod policy;
pub mod store;
pub mod telemetry;
#[doc(hidden)]
pub mod testing;
