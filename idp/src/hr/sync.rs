//! From a checked record to the account: what would change ([`Plan`]) and making it so
//! ([`Hr::apply_in`]). The CSV import and SCIM both go through here, so a record means the same
//! whichever way it arrives.

use gerbang_core::audit::{self, AuditEvent};
use gerbang_core::store::{
    Account, AccountStatus, AccountStore, Assurance, AssuranceEvent, ContactRecord, Db, LifecycleStore, Tx, now_unix,
};
use serde_json::json;

use super::record::{RowError, StaffRecord};
use super::{Hr, HrError};
use crate::accounts::{AccountError, Actor, DisabledBy, Identity, NewIdentity};

/// One change to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Create,
    Rename {
        from: String,
        to: String,
    },
    Move {
        from: Option<String>,
        to: String,
    },
    /// A contact set or replaced by the HR system (counts as proven: the HR holds it).
    Contact {
        channel: &'static str,
        address: String,
    },
    /// The person left: disabled at once, sessions and tokens ended, applications told.
    Disable,
    /// Back in service after the HR system had disabled the account.
    Enable,
}

/// Something the record asks that is not done, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Active per HR, but disabled by someone else (an administrator, the inactivity sweep): left
    /// disabled; only an administrator re-enables it.
    KeptDisabled { by: String },
    /// Marked as left, and no account exists: nothing to do.
    NoAccountToDisable,
}

/// What a record would change.
#[derive(Debug, Clone)]
pub struct Plan {
    pub record: StaffRecord,
    pub account_id: Option<String>,
    pub steps: Vec<Step>,
    pub note: Option<Note>,
}

impl Plan {
    pub fn changes_nothing(&self) -> bool {
        self.steps.is_empty()
    }
}

impl Hr {
    /// Compares the record with the account of its NIP.
    pub async fn plan(&self, db: &mut impl Db, record: StaffRecord) -> Result<Plan, HrError> {
        let Some(id) = db.account_by_nip(record.nip.as_str()).await? else {
            if !db.nip_owners_ever(record.nip.as_str()).await?.is_empty() {
                return Err(HrError::Row(RowError::NipOfAnother));
            }
            if !record.active {
                return Ok(Plan { record, account_id: None, steps: vec![], note: Some(Note::NoAccountToDisable) });
            }
            if record.opd.is_none() {
                return Err(HrError::Row(RowError::NoOpd));
            }
            let mut steps = vec![Step::Create];
            steps.extend(contact_steps(&record, &[]));
            return Ok(Plan { record, account_id: None, steps, note: None });
        };
        let account = db.account(&id).await?.ok_or(HrError::Account(AccountError::NotFound))?;
        let contacts = db.contacts(&id).await?;
        let (steps, note) = changes(&account, &contacts, &record);
        Ok(Plan { record, account_id: Some(id), steps, note })
    }

    /// Makes the plan so inside the caller's transaction; returns the account id. After the
    /// commit, raise the account service's logout signal when the plan disabled the account.
    pub(crate) async fn apply_in(&self, tx: &mut Tx, plan: &Plan, actor: Actor<'_>) -> Result<String, HrError> {
        let now = now_unix();
        let r = &plan.record;
        let id = match &plan.account_id {
            Some(id) => id.clone(),
            None if plan.steps.contains(&Step::Create) => {
                let new = NewIdentity {
                    identity: Identity::Nip(r.nip.clone()),
                    name: r.name.clone(),
                    password: None,
                    roles: Vec::new(),
                };
                let id = self.accounts.create_in(tx, &new, None, Assurance::Terverifikasi, actor).await?;
                tx.set_account_opd(&id, r.opd.as_deref(), now).await?;
                let event = AssuranceEvent {
                    assurance: Assurance::Terverifikasi.as_str().into(),
                    method: "simpeg".into(),
                    actor: actor.0.into(),
                    place: String::new(),
                    note: String::new(),
                    at: now,
                };
                tx.insert_assurance_event(&id, &event).await?;
                id
            }
            None => return Ok(String::new()),
        };
        let mut changed = serde_json::Map::new();
        for step in &plan.steps {
            match step {
                Step::Create => {}
                Step::Rename { from, to } => {
                    tx.set_display_name(&id, to, now).await?;
                    changed.insert("name".into(), json!({ "old": from, "new": to }));
                }
                Step::Move { from, to } => {
                    tx.set_account_opd(&id, Some(to), now).await?;
                    changed.insert("opd_id".into(), json!({ "old": from, "new": to }));
                }
                Step::Contact { channel, address } => {
                    let contact =
                        ContactRecord { channel: (*channel).into(), address: address.clone(), verified_at: Some(now) };
                    tx.put_contact(&id, &contact).await?;
                    // The address itself stays out of the audit log (personal data).
                    changed.insert(format!("contact_{channel}"), json!("set"));
                }
                Step::Disable => {
                    self.accounts.change_status_in(tx, &id, AccountStatus::Disabled, DisabledBy::Hr, actor).await?;
                }
                Step::Enable => {
                    self.accounts.change_status_in(tx, &id, AccountStatus::Active, DisabledBy::Hr, actor).await?;
                }
            }
        }
        if !changed.is_empty() {
            let detail = json!({ "source": "simpeg", "changed": changed });
            audit::append(tx, &AuditEvent { actor: actor.0, action: "account.hr_update", target: &id, detail }, now)
                .await?;
        }
        Ok(id)
    }
}

/// What differs between the account and the record.
fn changes(account: &Account, contacts: &[ContactRecord], r: &StaffRecord) -> (Vec<Step>, Option<Note>) {
    let mut steps = Vec::new();
    if account.display_name != r.name {
        steps.push(Step::Rename { from: account.display_name.clone(), to: r.name.clone() });
    }
    if let Some(opd) = &r.opd
        && account.opd_id.as_deref() != Some(opd.as_str())
    {
        steps.push(Step::Move { from: account.opd_id.clone(), to: opd.clone() });
    }
    steps.extend(contact_steps(r, contacts));
    let mut note = None;
    match (account.status, r.active) {
        (AccountStatus::Active, false) => steps.push(Step::Disable),
        (AccountStatus::Disabled, true) => match account.disabled_by.as_deref() {
            Some("hr") => steps.push(Step::Enable),
            other => note = Some(Note::KeptDisabled { by: other.unwrap_or("admin").into() }),
        },
        _ => {}
    }
    (steps, note)
}

fn contact_steps(r: &StaffRecord, contacts: &[ContactRecord]) -> Vec<Step> {
    let mut steps = Vec::new();
    for (channel, wanted) in [("email", &r.email), ("sms", &r.phone)] {
        let Some(address) = wanted else { continue };
        let same = contacts.iter().any(|c| c.channel == channel && &c.address == address && c.verified_at.is_some());
        if !same {
            steps.push(Step::Contact { channel, address: address.clone() });
        }
    }
    steps
}
