//! Storage: one SQL store over SQLite (embedded default) or PostgreSQL (`DATABASE_URL`).
//!
//! Each aggregate has a small trait (`AccountStore`, `SessionStore`, …) implemented once for
//! anything that can lend a connection ([`Db`]): a pooled connection for reads, a transaction
//! ([`Tx`]) for writes. The query text lives once in `sql/`; the [`on_conn!`] macro expands the
//! same body for the SQLite and the PostgreSQL driver, so no query logic is written twice.

pub mod account;
pub mod audit;
pub mod authorization;
pub mod changes;
pub mod client;
mod error;
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
mod sql;
pub mod staff;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};

pub use account::{
    Account, AccountKind, AccountStatus, AccountStore, AccountSummary, Assurance, NewAccount, NipRecord, name_key,
    prefix_end,
};
pub use audit::{AuditFilter, AuditRow, AuditStore};
pub use authorization::{AuthCodeRecord, AuthorizationStore, AuthzRequestRecord};
pub use changes::Change;
pub use client::{ClientRecord, ClientStore};
pub use error::StoreError;
pub use factor::{FactorStore, SignIn, TotpRecord};
pub use gateway::{GatewayLogout, GatewayStore};
pub use grant::{GrantRecord, GrantStore, RefreshTokenRecord};
pub use keyring::{DataKeyRow, KeyringStore, SealedKind, SealedRow};
pub use lifecycle::{AssuranceEvent, CodeRecord, ContactRecord, LifecycleStore, PendingRegistration};
pub use logout::{LogoutOutbox, OwedLogout};
pub use meta::MetaStore;
pub use passkey::{CeremonyRecord, PasskeyRecord, PasskeyStore};
pub use register::{
    AppDocRecord, ApplicationRecord, Cursor, DataGroupRecord, DomainRecord, NetworkRecord, OpdRecord, RegisterStore,
    all_opds,
};
pub use registration::{ClaimRequestRecord, RegistrationRecord, RegistrationStore};
pub use report::{AppSignIns, AppStatus, OpdFactors, OpdSignIns, ReportStore};
pub use session::{Session, SessionStore};
pub use signing_key::{SigningKeyRecord, SigningKeyStore};
pub use staff::{StaffFilter, StaffStore};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A handle on the database; cheap to clone (it is a pool).
#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
}

#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A borrowed connection of either backend; what query bodies run on.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// Anything that lends a connection: [`PoolConn`] (reads) or [`Tx`] (writes).
pub trait Db: Send {
    fn conn(&mut self) -> Conn<'_>;
}

/// Runs the same body on whichever driver `$db` holds: `$c` is `&mut SqliteConnection` in one
/// arm and `&mut PgConnection` in the other. The SQL uses `$1` placeholders, which both accept.
macro_rules! on_conn {
    ($db:expr, $c:ident => $body:expr) => {
        match $crate::store::Db::conn($db) {
            $crate::store::Conn::Sqlite($c) => $body,
            $crate::store::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_conn;

/// A connection from the pool, outside any explicit transaction.
pub enum PoolConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Db for PoolConn {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            PoolConn::Sqlite(c) => Conn::Sqlite(c),
            PoolConn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// A write transaction. The service that begins it commits it; dropping it rolls back, so an
/// error half-way through a multi-step write leaves nothing behind.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Db for Tx {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// What `migrate` did, for the CLI's progress line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    pub applied_before: usize,
    pub applied_now: usize,
    pub latest_version: i64,
}

/// The most of an SQLite database file read through a memory map (256 MiB).
const MMAP_BYTES: u64 = 256 * 1024 * 1024;

impl Store {
    /// Opens (creating if needed) the SQLite file at `path`, in WAL mode with full fsync so a
    /// committed write survives a crash or power loss.
    pub async fn open_sqlite(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Unavailable(format!("{}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Reads through a shared memory map instead of a copy into each connection's own
            // 2 MiB page cache: at a million accounts the pages a search touches no longer fit
            // that cache, and the map (the kernel's page cache, shared by every connection)
            // made a first page of results 30 % cheaper. Only address space is reserved.
            .pragma("mmap_size", MMAP_BYTES.to_string());
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        Ok(Store { pool: Pool::Sqlite(pool) })
    }

    /// Connects to PostgreSQL. The URL may carry `?options=-c search_path=…` to use a schema.
    pub async fn open_postgres(url: &str) -> Result<Store, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        Ok(Store { pool: Pool::Postgres(pool) })
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations of this backend that are not yet applied.
    pub async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        let before = applied_count(&mut self.conn().await?).await;
        let migrator = match &self.pool {
            Pool::Sqlite(_) => &SQLITE_MIGRATIONS,
            Pool::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        match &self.pool {
            Pool::Sqlite(p) => migrator.run(p).await,
            Pool::Postgres(p) => migrator.run(p).await,
        }
        .map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(MigrationReport {
            applied_before: before,
            applied_now: migrator.iter().count(),
            latest_version: migrator.iter().map(|m| m.version).max().unwrap_or(0),
        })
    }

    /// A connection for reads.
    pub async fn conn(&self) -> Result<PoolConn, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => PoolConn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => PoolConn::Postgres(p.acquire().await?),
        })
    }

    /// A write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`), so
    /// two writers queue on the busy timeout instead of failing when a read upgrades to a write.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// The newest migration this build knows for a backend.
    pub fn known_schema_version(backend: Backend) -> i64 {
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// The newest migration applied.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let mut db = self.conn().await?;
        let (v,): (Option<i64>,) = on_conn!(&mut db, c =>
            sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations WHERE success").fetch_one(&mut *c).await)?;
        Ok(v.unwrap_or(0))
    }

    /// A consistent copy of a SQLite database into a new file, while it stays in use.
    pub async fn vacuum_into(&self, path: &Path) -> Result<(), StoreError> {
        let Pool::Sqlite(p) = &self.pool else {
            return Err(StoreError::Database("VACUUM INTO is for SQLite".into()));
        };
        let target = path.to_str().ok_or_else(|| StoreError::Database("the copy's path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(p).await?;
        Ok(())
    }

    /// SQLite's own check of the whole file (`PRAGMA integrity_check`); true on PostgreSQL.
    pub async fn integrity_check(&self) -> Result<bool, StoreError> {
        let Pool::Sqlite(p) = &self.pool else { return Ok(true) };
        let (answer,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(p).await?;
        Ok(answer == "ok")
    }

    /// Tables in the current schema (PostgreSQL) or file (SQLite).
    pub async fn table_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetch_one(p).await?
            }
            Pool::Postgres(p) => {
                sqlx::query_as("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()")
                    .fetch_one(p)
                    .await?
            }
        };
        Ok(n)
    }

    /// Drops a PostgreSQL schema if it exists and holds nothing (never cascades).
    pub async fn drop_empty_schema(&self, schema: &str) -> Result<(), StoreError> {
        let Pool::Postgres(p) = &self.pool else { return Ok(()) };
        if !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Database(format!("schema name {schema:?}")));
        }
        sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" RESTRICT")).execute(p).await?;
        Ok(())
    }

    /// Connections open in the pool, and how many of them are idle.
    pub fn pool_stats(&self) -> (u32, usize) {
        match &self.pool {
            Pool::Sqlite(p) => (p.size(), p.num_idle()),
            Pool::Postgres(p) => (p.size(), p.num_idle()),
        }
    }

    /// True when the database answers a trivial query (readiness).
    pub async fn ping(&self) -> bool {
        let result = match &self.pool {
            Pool::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ()),
            Pool::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ()),
        };
        result.is_ok()
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// How many migrations were applied before this run (0 on a new database).
async fn applied_count(db: &mut PoolConn) -> usize {
    // The table does not exist yet on a new database; that is zero, not an error.
    let row: Result<(i64,), sqlx::Error> = on_conn!(db, c =>
        sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").fetch_one(&mut *c).await);
    row.map(|(n,)| n as usize).unwrap_or(0)
}

/// Unix seconds now; all timestamps are stored this way on both backends.
pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
