//! The keyring: generations of data keys kept in the database, each wrapped (sealed) by the
//! master key, from which [`Keys`] are made.
//!
//! The master key only opens the keyring; what it protects is sealed and indexed with the data
//! keys. So the master key can be changed (`gerbang keys rotate-master`, see [`rotation`])
//! without downtime: the keyring is wrapped by the new key too, replicas restart with it one by
//! one, and finishing the rotation switches to a new data-key generation and rewrites the stored
//! secrets under it ([`reseal`]). Every process re-reads the keyring when it changes ([`DataKeys::follow`]).

pub mod reseal;
pub mod rotation;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::RngCore;
use zeroize::Zeroizing;

use crate::crypto::{Keys, MasterKey, Root, RootState, RootsError, Sealer};
use crate::store::{DataKeyRow, Db, KeyringStore, MetaStore, Store, StoreError, now_unix};

/// How often a running process looks for a changed keyring.
pub const FOLLOW_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error(
        "the master key does not match this database (it was created with another key); restore the right key file or set GERBANG_MASTER_KEY"
    )]
    WrongMasterKey,
    #[error("keyring: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the new master key is the one in use")]
    SameKey,
    #[error(
        "a rotation to another master key is in progress; finish it (gerbang keys rotate-master --finish, with that key) first"
    )]
    OtherRotationPending,
    #[error("no master-key rotation is in progress (start one with gerbang keys rotate-master --new-key-file)")]
    NoRotation,
    #[error(
        "this is the old master key: finish the rotation with the new key configured (master_key_file or GERBANG_MASTER_KEY)"
    )]
    NotTheNewKey,
}

impl From<RootsError> for KeyringError {
    fn from(e: RootsError) -> KeyringError {
        KeyringError::Corrupt(e.to_string())
    }
}

/// The keyring of an installation, opened with its master key.
#[derive(Clone)]
pub struct DataKeys {
    inner: Arc<Inner>,
}

struct Inner {
    master: MasterKey,
    keys: Keys,
    /// The rows last loaded, to notice a change.
    seen: Mutex<Vec<DataKeyRow>>,
}

impl DataKeys {
    /// Opens the keyring with `master`, creating generation 0 on first use: equal to the
    /// master key for an installation made before the keyring (so what it sealed still opens),
    /// random for a new one.
    pub async fn open(store: &Store, master: MasterKey) -> Result<DataKeys, KeyringError> {
        let check = master.check();
        let mut rows = store.conn().await?.data_keys().await?;
        if rows.is_empty() {
            initialize(store, &master, &check).await?;
            rows = store.conn().await?.data_keys().await?;
        }
        let roots = unwrap_roots(&mut store.conn().await?, &master, &check, &rows).await?;
        let keys = Keys::from_roots(&roots)?;
        Ok(DataKeys { inner: Arc::new(Inner { master, keys, seen: Mutex::new(rows) }) })
    }

    /// The keys, shared by every holder (they change in place on reload).
    pub fn keys(&self) -> &Keys {
        &self.inner.keys
    }

    pub(crate) fn master(&self) -> &MasterKey {
        &self.inner.master
    }

    /// Re-reads the keyring if it changed; true if the keys were replaced.
    pub async fn reload(&self, store: &Store) -> Result<bool, KeyringError> {
        let rows = store.conn().await?.data_keys().await?;
        if *self.inner.seen.lock().unwrap_or_else(|p| p.into_inner()) == rows {
            return Ok(false);
        }
        let roots =
            unwrap_roots(&mut store.conn().await?, &self.inner.master, &self.inner.master.check(), &rows).await?;
        self.inner.keys.replace_roots(&roots)?;
        *self.inner.seen.lock().unwrap_or_else(|p| p.into_inner()) = rows;
        tracing::info!(
            current = roots.iter().find(|r| r.state == RootState::Current).map(|r| r.generation),
            "data keys reloaded"
        );
        Ok(true)
    }

    /// Re-reads the keyring every [`FOLLOW_EVERY`], so a rotation finished by another process
    /// (the command line, another replica) is taken up while this one runs.
    pub fn follow(&self, store: Store) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        crate::every::every(FOLLOW_EVERY, move || {
            let (this, store) = (this.clone(), store.clone());
            async move {
                match this.reload(&store).await {
                    Ok(_) => {}
                    Err(KeyringError::WrongMasterKey) => tracing::error!(
                        "the keyring no longer opens with this process's master key (a rotation finished): \
                         restart it with the new key; until then it keeps its present keys"
                    ),
                    Err(e) => tracing::warn!(error = %e, "keyring not re-read"),
                }
            }
        })
    }
}

const KEK_PURPOSE: &str = "gerbang/v1/kek";

fn wrap_aad(generation: u32) -> Vec<u8> {
    format!("gerbang data key {generation}").into_bytes()
}

/// Seals a generation's bytes with a key derived from `master`.
pub(crate) fn wrap(master: &MasterKey, generation: u32, bytes: &[u8; 32]) -> Vec<u8> {
    Sealer::new(&master.derive(KEK_PURPOSE)).seal(bytes, &wrap_aad(generation))
}

fn unwrap(master: &MasterKey, generation: u32, wrapped: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeyringError> {
    let open = Sealer::new(&master.derive(KEK_PURPOSE))
        .open(wrapped, &wrap_aad(generation))
        .map_err(|_| KeyringError::Corrupt(format!("data key {generation} does not open with its wrapping")))?;
    let bytes: [u8; 32] = open
        .as_slice()
        .try_into()
        .map_err(|_| KeyringError::Corrupt(format!("data key {generation} is not 32 bytes")))?;
    Ok(Zeroizing::new(bytes))
}

pub(crate) fn random_root() -> Zeroizing<[u8; 32]> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut());
    bytes
}

pub(crate) fn generation(row: &DataKeyRow) -> Result<u32, KeyringError> {
    u32::try_from(row.generation).map_err(|_| KeyringError::Corrupt(format!("generation {}", row.generation)))
}

/// Generation 0 of a keyring that does not exist yet. Two replicas starting at once on a new
/// database agree: the second one's insert does nothing and it reads the first one's.
async fn initialize(store: &Store, master: &MasterKey, check: &str) -> Result<(), KeyringError> {
    let mut tx = store.begin().await?;
    // An installation older than the keyring recorded its master key's check value here.
    let bytes = match tx.meta("master_key_check").await? {
        Some(recorded) if recorded == check => Zeroizing::new(*master.bytes()),
        Some(_) => return Err(KeyringError::WrongMasterKey),
        None => random_root(),
    };
    if tx.insert_data_key(0, RootState::Current.as_str(), now_unix(), None).await? {
        tx.insert_data_key_wrap(0, check, &wrap(master, 0, &bytes)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Every generation `master` opens. The current one must be among them.
pub(crate) async fn unwrap_roots(
    db: &mut impl Db,
    master: &MasterKey,
    check: &str,
    rows: &[DataKeyRow],
) -> Result<Vec<Root>, KeyringError> {
    let wraps: HashMap<i64, Vec<u8>> = db.data_key_wraps(check).await?.into_iter().collect();
    let current = rows
        .iter()
        .find(|r| r.state == RootState::Current.as_str())
        .ok_or_else(|| KeyringError::Corrupt("no current generation".into()))?;
    if !wraps.contains_key(&current.generation) {
        return Err(KeyringError::WrongMasterKey);
    }
    let mut roots = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(wrapped) = wraps.get(&row.generation) else { continue };
        let generation = generation(row)?;
        let state = RootState::parse(&row.state)
            .ok_or_else(|| KeyringError::Corrupt(format!("generation {generation} has state {}", row.state)))?;
        roots.push(Root { generation, state, retired_at: row.retired_at, bytes: unwrap(master, generation, wrapped)? });
    }
    Ok(roots)
}
