//! The account service: creating, finding, re-keying, disabling accounts and setting passwords.
//! It owns the transactions; handlers and CLI commands call it, never the store directly.

mod error;
mod identity;

use gerbang_core::audit::{self, AuditEvent};
use gerbang_core::crypto::{Keys, PasswordHasher};
use gerbang_core::ids::{Nik, Nip};
use gerbang_core::store::{
    Account, AccountKind, AccountStatus, AccountStore, AccountSummary, Assurance, Db, GrantStore, LifecycleStore,
    LogoutOutbox, NewAccount, NipRecord, SessionStore, Store, StoreError, Tx, now_unix,
};
use std::sync::Arc;

use serde_json::json;
use tokio::sync::Semaphore;

pub use error::AccountError;
pub use identity::{Identity, IdentityError};

use crate::oidc::backchannel::LogoutSignal;

/// Roles an account can hold. Later issues give each its pages.
pub const ROLES: &[&str] = &["admin", "auditor", "developer", "verifikator", "wali_data"];

/// Longest display name accepted, in characters.
pub const MAX_NAME_LEN: usize = 200;
/// Longest password accepted: long enough for any passphrase, short enough to bound hashing work.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// Who asks for a change, recorded in the audit log (`cli`, `demo`, or an account id).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a>(pub &'a str);

/// Why an account is disabled, kept with it: the HR sync re-enables only what it disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisabledBy {
    /// An administrator or the command line.
    Admin,
    /// The inactivity sweep.
    Inactivity,
    /// The HR system: the civil servant left (import or SCIM).
    Hr,
}

impl DisabledBy {
    pub fn as_str(self) -> &'static str {
        match self {
            DisabledBy::Admin => "admin",
            DisabledBy::Inactivity => "inactivity",
            DisabledBy::Hr => "hr",
        }
    }
}

/// A display name as stored: trimmed, not empty, not too long, no control characters.
pub fn validate_name(name: &str) -> Result<&str, AccountError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AccountError::EmptyName);
    }
    if name.chars().count() > MAX_NAME_LEN || name.chars().any(char::is_control) {
        return Err(AccountError::BadName { max: MAX_NAME_LEN });
    }
    Ok(name)
}

#[derive(Debug, Clone)]
pub struct NewIdentity {
    pub identity: Identity,
    pub name: String,
    pub password: Option<String>,
    pub roles: Vec<String>,
}

/// An account as shown to people: NIP in full, NIK masked, never in clear.
#[derive(Debug, Clone)]
pub struct AccountView {
    pub account: Account,
    pub nip: Option<String>,
    pub jenis_pegawai: Option<String>,
    pub nik_masked: Option<String>,
    pub roles: Vec<String>,
    pub nip_history: Vec<NipRecord>,
}

/// One row of a listing, with the NIK masked.
#[derive(Debug, Clone)]
pub struct AccountListItem {
    pub id: String,
    pub kind: AccountKind,
    pub display_name: String,
    pub status: AccountStatus,
    /// NIP in full for ASN, masked NIK for citizens.
    pub identifier: String,
    pub opd_id: Option<String>,
    /// Where a name search resumes after this row.
    pub name_key: String,
}

#[derive(Clone)]
pub struct AccountService {
    store: Store,
    keys: Keys,
    hasher: PasswordHasher,
    min_password_len: usize,
    hashing: HashingSlots,
    logouts: LogoutSignal,
}

/// Bounds how many argon2 computations (19 MiB each by default) run at once, so a flood of
/// sign-ins cannot exhaust memory; two per core keeps every core busy. A request that cannot get
/// a slot within `wait` is told the server is busy (503) instead of piling up.
#[derive(Clone)]
struct HashingSlots {
    slots: Arc<Semaphore>,
    wait: std::time::Duration,
}

enum SlotError {
    Busy,
    Failed(String),
}

impl HashingSlots {
    fn new(slots: usize, wait: std::time::Duration) -> HashingSlots {
        HashingSlots { slots: Arc::new(Semaphore::new(slots)), wait }
    }

    fn for_this_machine() -> HashingSlots {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        HashingSlots::new(cores * 2, std::time::Duration::from_secs(10))
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, SlotError> {
        let _permit = match tokio::time::timeout(self.wait, self.slots.acquire()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(e)) => return Err(SlotError::Failed(e.to_string())),
            Err(_) => return Err(SlotError::Busy),
        };
        tokio::task::spawn_blocking(work).await.map_err(|e| SlotError::Failed(e.to_string()))
    }
}

impl From<SlotError> for AccountError {
    fn from(e: SlotError) -> Self {
        match e {
            SlotError::Busy => AccountError::Busy,
            SlotError::Failed(cause) => {
                AccountError::Store(StoreError::Database(format!("hashing task failed: {cause}")))
            }
        }
    }
}

impl AccountService {
    pub fn new(store: Store, keys: Keys, hasher: PasswordHasher, min_password_len: usize) -> Self {
        AccountService {
            store,
            keys,
            hasher,
            min_password_len,
            hashing: HashingSlots::for_this_machine(),
            logouts: LogoutSignal::default(),
        }
    }

    /// Raised after a commit that owes back-channel logouts (the IdP's delivery loop waits on it).
    pub fn logout_signal(&self) -> &LogoutSignal {
        &self.logouts
    }

    /// The shortest password accepted, in characters.
    pub fn min_password_len(&self) -> usize {
        self.min_password_len
    }

    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Creates the account, its NIP or NIK record, roles and password in one transaction.
    /// Accounts made this way (administrator, command line, demo) count as proven.
    pub async fn create(&self, new: NewIdentity, actor: Actor<'_>) -> Result<String, AccountError> {
        // Hash before the transaction: argon2 is slow and must not hold the write lock.
        let phc = match &new.password {
            Some(p) => Some(self.hash_password(p).await?),
            None => None,
        };
        let mut tx = self.store.begin().await?;
        let id = self.create_in(&mut tx, &new, phc.as_deref(), Assurance::Terverifikasi, actor).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Writes a new account inside the caller's transaction (which commits it): the account, its
    /// NIP or NIK record, roles, the password hash already made, and the audit record.
    pub(crate) async fn create_in(
        &self,
        tx: &mut Tx,
        new: &NewIdentity,
        phc: Option<&str>,
        assurance: Assurance,
        actor: Actor<'_>,
    ) -> Result<String, AccountError> {
        let name = validate_name(&new.name)?;
        if let Some(role) = new.roles.iter().find(|r| !ROLES.contains(&r.as_str())) {
            return Err(AccountError::UnknownRole(role.clone()));
        }
        let id = gerbang_core::crypto::random::subject_id();
        let now = now_unix();
        let kind = match new.identity {
            Identity::Nip(_) => AccountKind::Asn,
            Identity::Nik(_) => AccountKind::Warga,
        };
        tx.insert_account(&NewAccount { id: &id, kind, display_name: name, opd_id: None, assurance, now }).await?;
        let shown = match &new.identity {
            Identity::Nip(nip) => {
                let jenis = nip.info().jenis.as_str();
                tx.insert_nip(&id, nip.as_str(), jenis, now).await.map_err(conflict_as(AccountError::NipTaken))?;
                json!({ "nip": nip.as_str(), "jenis_pegawai": jenis })
            }
            Identity::Nik(nik) => {
                // Also under an older data-key generation, which the unique column cannot see.
                if self.nik_owner(tx, nik).await?.is_some() {
                    return Err(AccountError::NikTaken);
                }
                let index = self.nik_index(nik);
                let sealed = self.keys.nik_sealer.seal(nik.expose().as_bytes(), id.as_bytes());
                tx.insert_nik(&id, &index, &sealed).await.map_err(conflict_as(AccountError::NikTaken))?;
                json!({ "nik": nik.masked() })
            }
        };
        for role in &new.roles {
            tx.add_role(&id, role).await?;
        }
        if let Some(phc) = phc {
            tx.set_password(&id, phc, now).await?;
        }
        let detail = json!({ "kind": kind.as_str(), "name": name, "identity": shown, "roles": new.roles,
                             "password_set": phc.is_some(), "identity_assurance": assurance.as_str() });
        audit::append(tx, &AuditEvent { actor: actor.0, action: "account.create", target: &id, detail }, now).await?;
        tracing::info!(account = %id, kind = kind.as_str(), "account created");
        Ok(id)
    }

    /// The blind index of a NIK (how it is found without being stored in clear).
    pub(crate) fn nik_index(&self, nik: &Nik) -> Vec<u8> {
        self.keys.nik_index.index(nik.expose().as_bytes())
    }

    /// The account keyed on this NIK. Its index under every accepted data-key generation is
    /// tried, so a NIK indexed before a master-key rotation is found until it is re-indexed.
    pub(crate) async fn nik_owner(&self, db: &mut impl Db, nik: &Nik) -> Result<Option<String>, StoreError> {
        for index in self.keys.nik_index.candidates(nik.expose().as_bytes()) {
            if let Some(id) = db.account_by_nik_index(&index).await? {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    pub(crate) fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The account currently keyed on this NIP or NIK.
    pub async fn find(&self, identity: &Identity) -> Result<Option<Account>, AccountError> {
        let mut db = self.store.conn().await?;
        let id = match identity {
            Identity::Nip(nip) => db.account_by_nip(nip.as_str()).await?,
            Identity::Nik(nik) => self.nik_owner(&mut db, nik).await?,
        };
        match id {
            Some(id) => Ok(db.account(&id).await?),
            None => Ok(None),
        }
    }

    /// Like `find`, but a missing account is an error.
    pub async fn require(&self, identity: &Identity) -> Result<Account, AccountError> {
        self.find(identity).await?.ok_or(AccountError::NotFound)
    }

    pub async fn by_id(&self, id: &str) -> Result<Option<Account>, AccountError> {
        Ok(self.store.conn().await?.account(id).await?)
    }

    pub async fn view(&self, id: &str) -> Result<AccountView, AccountError> {
        let mut db = self.store.conn().await?;
        let account = db.account(id).await?.ok_or(AccountError::NotFound)?;
        let nip_history = db.nip_history(id).await?;
        let current = nip_history.iter().find(|r| r.valid_to.is_none());
        let nik_masked = match db.nik_sealed(id).await? {
            Some(sealed) => Some(self.open_nik(id, &sealed)?.masked()),
            None => None,
        };
        Ok(AccountView {
            nip: current.map(|r| r.nip.clone()),
            jenis_pegawai: current.map(|r| r.jenis_pegawai.clone()),
            nik_masked,
            roles: db.roles(id).await?,
            nip_history,
            account,
        })
    }

    /// The clear NIK, for the rare paths that must release it (e.g. an approved `nik` claim).
    pub async fn nik_of(&self, id: &str) -> Result<Option<Nik>, AccountError> {
        match self.store.conn().await?.nik_sealed(id).await? {
            Some(sealed) => Ok(Some(self.open_nik(id, &sealed)?)),
            None => Ok(None),
        }
    }

    /// A page of accounts after `after` (an account id; empty for the first page).
    pub async fn list(&self, after: &str, limit: i64) -> Result<Vec<AccountListItem>, AccountError> {
        let rows = self.store.conn().await?.list_accounts(after, limit).await?;
        rows.into_iter().map(|r| self.list_item(r)).collect()
    }

    /// The admin's search: an exact NIP or NIK (through the blind index), or else a name prefix,
    /// paged by name (`after_key`, `after_id`) over an index, never a scan.
    pub async fn search(
        &self,
        q: &str,
        after_key: &str,
        after_id: &str,
        limit: i64,
    ) -> Result<Vec<AccountListItem>, AccountError> {
        if let Ok(identity) = Identity::parse(q) {
            let Some(account) = self.find(&identity).await? else { return Ok(Vec::new()) };
            if !after_id.is_empty() {
                return Ok(Vec::new());
            }
            let view = self.view(&account.id).await?;
            return Ok(vec![AccountListItem {
                identifier: view.nip.clone().or(view.nik_masked.clone()).unwrap_or_default(),
                name_key: gerbang_core::store::name_key(&account.display_name),
                opd_id: account.opd_id.clone(),
                id: account.id,
                kind: account.kind,
                display_name: account.display_name,
                status: account.status,
            }]);
        }
        let prefix = gerbang_core::store::name_key(q);
        let rows = self.store.conn().await?.search_accounts_by_name(&prefix, after_key, after_id, limit).await?;
        rows.into_iter().map(|r| self.list_item(r)).collect()
    }

    pub async fn count(&self) -> Result<i64, AccountError> {
        Ok(self.store.conn().await?.count_accounts().await?)
    }

    /// Sets a new password and ends every session and token family of the account.
    pub async fn set_password(&self, id: &str, password: &str, actor: Actor<'_>) -> Result<(), AccountError> {
        let phc = self.hash_password(password).await?;
        let mut tx = self.store.begin().await?;
        self.set_password_in(&mut tx, id, &phc, actor, "account.set_password").await?;
        tx.commit().await?;
        self.logouts.owed();
        Ok(())
    }

    /// Inside the caller's transaction: stores a password hash already made, ends every session
    /// (owing their back-channel logouts) and revokes every grant (refresh tokens) of the account,
    /// and audits it as `action`. After committing, raise [`Self::logout_signal`].
    pub(crate) async fn set_password_in(
        &self,
        tx: &mut Tx,
        id: &str,
        phc: &str,
        actor: Actor<'_>,
        action: &str,
    ) -> Result<(), AccountError> {
        let now = now_unix();
        tx.account(id).await?.ok_or(AccountError::NotFound)?;
        tx.set_password(id, phc, now).await?;
        let ended = self.end_account_sessions_in(tx, id, now).await?;
        let revoked = tx.revoke_account_grants(id, now).await?;
        let detail = json!({ "sessions_ended": ended, "grants_revoked": revoked });
        audit::append(tx, &AuditEvent { actor: actor.0, action, target: id, detail }, now).await?;
        Ok(())
    }

    /// Records in the audit log that `client` received these stewarded claims of the account.
    pub async fn audit_release(&self, id: &str, client: &str, claims: &[&str], via: &str) -> Result<(), AccountError> {
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        let detail = json!({ "claims": claims, "via": via });
        audit::append(&mut tx, &AuditEvent { actor: client, action: "claim.release", target: id, detail }, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a stored hash made with old parameters (after a successful login).
    pub async fn upgrade_password_hash(&self, id: &str, password: &str) -> Result<(), AccountError> {
        let phc = self.hash_password(password).await?;
        let mut tx = self.store.begin().await?;
        tx.set_password(id, &phc, now_unix()).await?;
        tx.commit().await?;
        tracing::info!(account = %id, "password hash upgraded to current parameters");
        Ok(())
    }

    /// Disables (ending every session and revoking every grant) or re-enables an account, as an
    /// administrator. Returns false if unchanged.
    pub async fn set_status(&self, id: &str, status: AccountStatus, actor: Actor<'_>) -> Result<bool, AccountError> {
        self.change_status(id, status, DisabledBy::Admin, actor).await
    }

    /// Like [`Self::set_status`], saying why an account is disabled.
    pub async fn change_status(
        &self,
        id: &str,
        status: AccountStatus,
        by: DisabledBy,
        actor: Actor<'_>,
    ) -> Result<bool, AccountError> {
        let mut tx = self.store.begin().await?;
        let changed = self.change_status_in(&mut tx, id, status, by, actor).await?;
        tx.commit().await?;
        if changed && status == AccountStatus::Disabled {
            self.logouts.owed();
        }
        Ok(changed)
    }

    /// Inside the caller's transaction. Disabling ends every session (owing its back-channel
    /// logouts) and revokes every grant; after committing, raise [`Self::logout_signal`].
    pub(crate) async fn change_status_in(
        &self,
        tx: &mut Tx,
        id: &str,
        status: AccountStatus,
        by: DisabledBy,
        actor: Actor<'_>,
    ) -> Result<bool, AccountError> {
        let now = now_unix();
        let account = tx.account(id).await?.ok_or(AccountError::NotFound)?;
        if account.status == status {
            return Ok(false);
        }
        tx.set_status(id, status, Some(by.as_str()), now).await?;
        // A disabled account keeps no session and no live token (grants revoked).
        let (ended, revoked) = match status {
            AccountStatus::Disabled => {
                (self.end_account_sessions_in(tx, id, now).await?, tx.revoke_account_grants(id, now).await?)
            }
            AccountStatus::Active => {
                // Re-enabled: a pending inactivity notice must not disable it again at once.
                tx.set_inactivity_notice(id, None).await?;
                (0, 0)
            }
        };
        let (action, detail) = match status {
            AccountStatus::Disabled => (
                "account.disable",
                json!({ "sessions_ended": ended, "grants_revoked": revoked, "disabled_by": by.as_str() }),
            ),
            AccountStatus::Active => ("account.enable", json!({ "sessions_ended": 0, "grants_revoked": 0 })),
        };
        audit::append(tx, &AuditEvent { actor: actor.0, action, target: id, detail }, now).await?;
        Ok(true)
    }

    /// Deletes every session of the account, owing a back-channel logout to each client that
    /// received tokens from one of them. Returns how many sessions ended.
    async fn end_account_sessions_in(&self, tx: &mut Tx, id: &str, now: i64) -> Result<u64, AccountError> {
        tx.enqueue_account_logouts(id, now).await?;
        Ok(tx.delete_account_sessions(id).await?)
    }

    /// Moves an ASN account to a new NIP (e.g. PPPK appointed PNS). The account, its subject,
    /// sessions and credentials stay; the old NIP stays in the history.
    pub async fn rekey_nip(&self, id: &str, new_nip: &Nip, actor: Actor<'_>) -> Result<(), AccountError> {
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        let account = tx.account(id).await?.ok_or(AccountError::NotFound)?;
        if account.kind != AccountKind::Asn {
            return Err(AccountError::NotAsn);
        }
        let owners = tx.nip_owners_ever(new_nip.as_str()).await?;
        if owners.iter().any(|o| o != id) {
            return Err(AccountError::NipBelongsToAnother);
        }
        let old = tx.nip_history(id).await?.into_iter().find(|r| r.valid_to.is_none());
        if old.as_ref().is_some_and(|r| r.nip == new_nip.as_str()) {
            return Ok(());
        }
        tx.end_current_nip(id, now).await?;
        let jenis = new_nip.info().jenis.as_str();
        tx.insert_nip(id, new_nip.as_str(), jenis, now).await.map_err(conflict_as(AccountError::NipTaken))?;
        let detail = json!({ "old_nip": old.map(|r| r.nip), "new_nip": new_nip.as_str(), "jenis_pegawai": jenis });
        audit::append(&mut tx, &AuditEvent { actor: actor.0, action: "account.nip_rekey", target: id, detail }, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn hash_password(&self, password: &str) -> Result<String, AccountError> {
        let len = password.chars().count();
        if len < self.min_password_len {
            return Err(AccountError::PasswordTooShort { min: self.min_password_len });
        }
        if len > MAX_PASSWORD_LEN {
            return Err(AccountError::PasswordTooLong { max: MAX_PASSWORD_LEN });
        }
        let hasher = self.hasher.clone();
        let password = password.to_owned();
        Ok(self.hashing.run(move || hasher.hash(&password)).await?)
    }

    /// Runs an argon2 computation within the bound on concurrent hashing.
    pub async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AccountError> {
        Ok(self.hashing.run(work).await?)
    }

    pub(crate) fn open_nik(&self, id: &str, sealed: &[u8]) -> Result<Nik, AccountError> {
        let clear = self.keys.nik_sealer.open(sealed, id.as_bytes())?;
        let text = std::str::from_utf8(&clear).map_err(|_| StoreError::Corrupt("sealed NIK is not text".into()))?;
        Nik::parse(text).map_err(|_| AccountError::Store(StoreError::Corrupt("sealed NIK does not parse".into())))
    }

    fn list_item(&self, r: AccountSummary) -> Result<AccountListItem, AccountError> {
        let identifier = match (&r.nip, &r.nik_sealed) {
            (Some(nip), _) => nip.clone(),
            (None, Some(sealed)) => self.open_nik(&r.id, sealed)?.masked(),
            (None, None) => String::new(),
        };
        Ok(AccountListItem {
            id: r.id,
            kind: r.kind,
            display_name: r.display_name,
            status: r.status,
            identifier,
            opd_id: r.opd_id,
            name_key: r.name_key,
        })
    }
}

/// Maps a unique-constraint conflict to the service's own error; other errors pass through.
fn conflict_as(e: AccountError) -> impl FnOnce(StoreError) -> AccountError {
    move |err| {
        if err.is_conflict() { e } else { AccountError::Store(err) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_flood_past_the_slots_is_told_busy() {
        let slots = HashingSlots::new(1, std::time::Duration::from_millis(50));
        let busy = slots.clone();
        let long = tokio::spawn(async move {
            busy.run(|| std::thread::sleep(std::time::Duration::from_millis(400))).await.is_ok()
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(matches!(slots.run(|| ()).await, Err(SlotError::Busy)));
        assert!(long.await.unwrap());
        assert!(slots.run(|| ()).await.is_ok(), "free again once the long one is done");
    }
}
