//! Opening an installation: master key, database, migrations, and the check that the master
//! key is the one this database was created with.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use crate::config::Config;
use crate::crypto::master_key::KeySource;
use crate::crypto::{KeyError, Keys, MasterKey};
use crate::store::{MetaStore, MigrationReport, Store, StoreError};

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
}

/// An opened installation.
pub struct Installation {
    pub store: Store,
    pub keys: Keys,
    pub key_source: KeySource,
    pub migrations: MigrationReport,
}

/// Opens the configured database, applies pending migrations and binds the master key to it.
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
    let keys = Keys::derive(&master);
    check_master_key(&store, &keys).await.map_err(|e| match e {
        CheckError::Mismatch => BootstrapError::WrongMasterKey,
        CheckError::Store(source) => wrap(source),
    })?;
    Ok(Installation { store, keys, key_source, migrations })
}

enum CheckError {
    Mismatch,
    Store(StoreError),
}

/// The first start records a value derived from the key; later starts must derive the same.
async fn check_master_key(store: &Store, keys: &Keys) -> Result<(), CheckError> {
    let ours = STANDARD.encode(keys.check);
    let mut tx = store.begin().await.map_err(CheckError::Store)?;
    let stored = tx.meta_init("master_key_check", &ours).await.map_err(CheckError::Store)?;
    tx.commit().await.map_err(CheckError::Store)?;
    if bool::from(stored.as_bytes().ct_eq(ours.as_bytes())) { Ok(()) } else { Err(CheckError::Mismatch) }
}
