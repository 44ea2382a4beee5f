//! Support for the integration test suites: a fresh database per test on either backend, and
//! skip reporting. Tests that need PostgreSQL read `TEST_DATABASE_URL`; without it they are
//! reported as skipped (on stderr and in the file named by `TEST_SKIP_LOG`), and under CI
//! (`CI` set) its absence is a failure, so they never pass silently.

use std::io::Write;
use std::path::PathBuf;

use crate::store::Store;

/// Records that `test` was skipped and why.
pub fn skip(test: &str, reason: &str) {
    eprintln!("SKIPPED {test}: {reason}");
    if let Ok(path) = std::env::var("TEST_SKIP_LOG")
        && let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path)
    {
        // One write per line: O_APPEND keeps concurrent test threads from interleaving.
        let _ = f.write_all(format!("{test}: {reason}\n").as_bytes());
    }
}

/// A PostgreSQL schema made for one test; dropped when the guard is dropped.
pub struct PgSchema {
    base_url: String,
    pub schema: String,
    /// A URL whose connections use the schema (`options=-c search_path=…`).
    pub url: String,
}

impl PgSchema {
    /// A new empty schema, or `None` (reported as skipped) when PostgreSQL is not configured.
    /// Panics under CI without `TEST_DATABASE_URL`.
    pub async fn create(test: &str) -> Option<PgSchema> {
        let Ok(base_url) = std::env::var("TEST_DATABASE_URL") else {
            if std::env::var_os("CI").is_some() {
                panic!("{test}: CI must set TEST_DATABASE_URL so the PostgreSQL tests run");
            }
            skip(test, "PostgreSQL not configured (set TEST_DATABASE_URL=postgres://…)");
            return None;
        };
        let schema = format!("t_{}", crate::crypto::random::token(9).to_lowercase().replace(['-', '_'], "x"));
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&base_url)
            .await
            .unwrap_or_else(|e| panic!("{test}: cannot connect to TEST_DATABASE_URL: {e}"));
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{test}: create schema: {e}"));
        let sep = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{sep}options=-c%20search_path%3D{schema}");
        Some(PgSchema { base_url, schema, url })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let (url, schema) = (self.base_url.clone(), self.schema.clone());
        // Dropping happens outside any runtime we may borrow; use a short-lived one.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await.ok()?;
                // Never wait long on a lock a test connection still holds: cleanup must not hang
                // a run (a schema left behind is harmless in a test database).
                sqlx::query("SET lock_timeout = '5s'").execute(&mut conn).await.ok()?;
                sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).execute(&mut conn).await.ok()
            })
        })
        .join();
    }
}

/// A migrated store on a fresh database of the named backend, kept alive by the returned guard.
pub enum TestDb {
    Sqlite { dir: tempfile::TempDir },
    Postgres { schema: PgSchema },
}

impl TestDb {
    pub async fn sqlite() -> (Store, TestDb) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_sqlite(&dir.path().join("gerbang.db")).await.expect("open sqlite");
        store.migrate().await.expect("migrate sqlite");
        (store, TestDb::Sqlite { dir })
    }

    pub async fn postgres(test: &str) -> Option<(Store, TestDb)> {
        let schema = PgSchema::create(test).await?;
        let store = Store::open_postgres(&schema.url).await.expect("open postgres");
        store.migrate().await.expect("migrate postgres");
        Some((store, TestDb::Postgres { schema }))
    }

    /// The SQLite file, for tests that read the raw bytes.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match self {
            TestDb::Sqlite { dir } => Some(dir.path().join("gerbang.db")),
            TestDb::Postgres { .. } => None,
        }
    }
}
