//! The few statements that differ between SQLite and PostgreSQL.

use crate::store::Backend;

/// Serialises appends to the audit chain for the rest of the transaction. SQLite write
/// transactions already hold the database write lock (`BEGIN IMMEDIATE`); PostgreSQL takes a
/// transaction-scoped advisory lock, released at commit or rollback.
pub fn lock_audit_chain(backend: Backend) -> Option<&'static str> {
    match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some("SELECT pg_advisory_xact_lock(7301)"),
    }
}
