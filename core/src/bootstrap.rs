//! Opening an installation: master key, database, migrations, and the keyring the master key
//! opens (refused if this database was made with another key).

use secrecy::ExposeSecret;

use crate::config::Config;
use crate::crypto::master_key::KeySource;
use crate::crypto::{KeyError, Keys, MasterKey};
use crate::keyring::{DataKeys, KeyringError};
use crate::store::{MigrationReport, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("database {where_}: {source}")]
    Store { where_: String, source: StoreError },
    #[error(
        "the master key does not match this database (it was created with another key); restore the right key file or set GERBANG_MASTER_KEY"
    )]
    WrongMasterKey,
    #[error(transparent)]
    Keyring(KeyringError),
}

/// An opened installation.
pub struct Installation {
    pub store: Store,
    /// The keyring, for reloading and rotation.
    pub ring: DataKeys,
    /// The keys of every purpose (shared with `ring`: they change in place on reload).
    pub keys: Keys,
    pub key_source: KeySource,
    pub migrations: MigrationReport,
}

/// Opens the configured database, applies pending migrations and opens its keyring.
pub async fn open(config: &Config) -> Result<Installation, BootstrapError> {
    let (master, key_source) = MasterKey::load(config)?;
    let where_ = config.database_display();
    let wrap = |source| BootstrapError::Store { where_: where_.clone(), source };
    let store = if config.uses_postgres() {
        Store::open_postgres(config.database_url.expose_secret()).await.map_err(wrap)?
    } else {
        Store::open_sqlite(&config.sqlite_path()).await.map_err(wrap)?
    };
    let migrations = store.migrate().await.map_err(wrap)?;
    let ring = DataKeys::open(&store, master).await.map_err(|e| match e {
        KeyringError::WrongMasterKey => BootstrapError::WrongMasterKey,
        KeyringError::Store(source) => wrap(source),
        other => BootstrapError::Keyring(other),
    })?;
    let keys = ring.keys().clone();
    Ok(Installation { store, ring, keys, key_source, migrations })
}
