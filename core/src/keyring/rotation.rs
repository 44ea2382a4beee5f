//! Changing the master key without downtime, in two steps run from the command line.
//!
//! 1. [`DataKeys::begin_rotation`] (with the old key configured and the new one given): a new
//!    data-key generation is made (`next`: known, not used yet), and every generation is wrapped
//!    by the new master key as well as the old one. Replicas keep running; each is then
//!    restarted with the new key, which opens the keyring too.
//! 2. [`DataKeys::finish_rotation`] (with the new key configured): the `next` generation becomes
//!    current, the current one is retired, and the old key's wrappings are deleted: from then on
//!    the old master key opens nothing. Running replicas take up the new generation within
//!    [`super::FOLLOW_EVERY`]; the command then rewrites the stored secrets ([`super::reseal`]).

use serde_json::json;

use crate::audit::{self, AuditEvent};
use crate::crypto::{MasterKey, RootState, TRANSIENT_GRACE_SECS};
use crate::store::{KeyringStore, Store, now_unix};

use super::{DataKeys, KeyringError, generation, random_root, unwrap_roots, wrap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationStarted {
    /// The generation that becomes current when the rotation is finished.
    pub next: u32,
    /// How many generations the new master key now opens.
    pub wrapped: usize,
    /// True if this rotation had been started already (to the same key) and was only completed.
    pub resumed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationFinished {
    pub current: u32,
    pub retired: u32,
    /// Wrappings by the old master key deleted.
    pub forgotten: u64,
}

impl DataKeys {
    /// Step 1: makes the next generation and wraps every generation by `new` as well.
    pub async fn begin_rotation(&self, store: &Store, new: &MasterKey) -> Result<RotationStarted, KeyringError> {
        let ours = self.master().check();
        let theirs = new.check();
        if ours == theirs {
            return Err(KeyringError::SameKey);
        }
        let mut tx = store.begin().await?;
        let rows = tx.data_keys().await?;
        let resumed = match rows.iter().find(|r| r.state == RootState::Next.as_str()) {
            Some(next) if next.rotate_to.as_deref() == Some(theirs.as_str()) => true,
            Some(_) => return Err(KeyringError::OtherRotationPending),
            None => {
                let newest = rows.iter().map(generation).collect::<Result<Vec<_>, _>>()?.into_iter().max();
                let next = newest.map_or(0, |g| g + 1);
                let bytes = random_root();
                tx.insert_data_key(i64::from(next), RootState::Next.as_str(), now_unix(), Some(&theirs)).await?;
                tx.insert_data_key_wrap(i64::from(next), &ours, &wrap(self.master(), next, &bytes)).await?;
                false
            }
        };
        let rows = tx.data_keys().await?;
        let roots = unwrap_roots(&mut tx, self.master(), &ours, &rows).await?;
        for root in &roots {
            tx.insert_data_key_wrap(i64::from(root.generation), &theirs, &wrap(new, root.generation, &root.bytes))
                .await?;
        }
        let next =
            roots.iter().find(|r| r.state == RootState::Next).map(|r| r.generation).ok_or_else(|| {
                KeyringError::Corrupt("the next generation does not open with this master key".into())
            })?;
        tx.commit().await?;
        self.reload(store).await?;
        Ok(RotationStarted { next, wrapped: roots.len(), resumed })
    }

    /// Step 2, run with the new master key: switches to the next generation and forgets the
    /// old master key. What the retired generation made and others send back (gateway cookies,
    /// challenges, codes) is accepted for [`TRANSIENT_GRACE_SECS`] more, unless `without_grace`
    /// (the old key leaked: everyone signs in to the gateway again).
    pub async fn finish_rotation(&self, store: &Store, without_grace: bool) -> Result<RotationFinished, KeyringError> {
        let ours = self.master().check();
        let mut tx = store.begin().await?;
        let rows = tx.data_keys().await?;
        let next = rows.iter().find(|r| r.state == RootState::Next.as_str()).ok_or(KeyringError::NoRotation)?;
        if next.rotate_to.as_deref() != Some(ours.as_str()) {
            return Err(KeyringError::NotTheNewKey);
        }
        let current = rows
            .iter()
            .find(|r| r.state == RootState::Current.as_str())
            .ok_or_else(|| KeyringError::Corrupt("no current generation".into()))?;
        let now = now_unix();
        let retired_at = if without_grace { now - TRANSIENT_GRACE_SECS - 1 } else { now };
        tx.set_data_key_state(current.generation, RootState::Retired.as_str(), Some(retired_at)).await?;
        tx.set_data_key_state(next.generation, RootState::Current.as_str(), None).await?;
        let forgotten = tx.delete_other_data_key_wraps(&ours).await?;
        let finished = RotationFinished { current: generation(next)?, retired: generation(current)?, forgotten };
        let detail = json!({ "current_generation": finished.current, "retired_generation": finished.retired,
                             "old_wrappings_deleted": forgotten, "without_grace": without_grace });
        let event = AuditEvent { actor: "cli", action: "keys.master_rotation_finish", target: "keyring", detail };
        audit::append(&mut tx, &event, now).await?;
        tx.commit().await?;
        self.reload(store).await?;
        Ok(finished)
    }
}
