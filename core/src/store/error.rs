//! `StoreError`: the one error type of the storage layer.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique or foreign-key constraint refused the write; names the constraint.
    #[error("conflicting record ({constraint})")]
    Conflict { constraint: String },
    /// The database cannot be reached (connection refused, pool timed out, disk missing).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(String),
    /// A stored value does not decode (bad enum text, broken audit chain, …).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migrate(String),
}

impl StoreError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() || db.is_foreign_key_violation() => {
                StoreError::Conflict { constraint: db.constraint().unwrap_or(db.message()).to_string() }
            }
            // Connection exceptions (08…) and operator intervention (57P…: the server shutting
            // down or restarting) pass once the database is back.
            sqlx::Error::Database(db) if db.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P")) => {
                StoreError::Unavailable(e.to_string())
            }
            sqlx::Error::Io(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => StoreError::Corrupt(e.to_string()),
            _ => StoreError::Database(e.to_string()),
        }
    }
}
