//! The admin module and developer portal: the city's registers (OPDs, applications, domains,
//! networks, data groups and stewards), client registration and approval, the audit log search
//! and the reports of Pasal 24. One service (`Admin`) serves the pages, the JSON API and the CLI;
//! each call checks the `Principal` first and audits every change in the same transaction.

pub mod access;
pub mod account;
pub mod application;
pub mod audit_log;
pub mod domain;
pub mod error;
pub mod network;
pub mod opd;
pub mod registration;
pub mod report;
pub mod stewardship;
mod validate;

use std::path::PathBuf;

use gerbang_core::audit::{self, AuditEvent};
use gerbang_core::store::{AuditRow, AuditStore, Store, Tx, now_unix};
use serde_json::Value;

pub use access::{Principal, Role};
pub use error::AdminError;

use crate::accounts::AccountService;
use crate::oidc::client::ClientService;

/// Items per page of a listing.
pub const PAGE: i64 = 50;

#[derive(Clone)]
pub struct Admin {
    store: Store,
    accounts: AccountService,
    clients: ClientService,
    /// `policies/`, whose `networks.toml` ranges registered networks must not overlap.
    policies_dir: Option<PathBuf>,
}

impl Admin {
    pub fn new(store: Store, accounts: AccountService, clients: ClientService, policies_dir: Option<PathBuf>) -> Admin {
        Admin { store, accounts, clients, policies_dir }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The change history of one register record (newest first), from the audit log.
    pub async fn history(&self, who: &Principal, target: &str) -> Result<Vec<AuditRow>, AdminError> {
        who.require_reader()?;
        Ok(self.store.conn().await?.audit_for_target(target, 200).await?)
    }

    /// Begins a write; `finish` audits it and commits.
    async fn begin(&self) -> Result<Tx, AdminError> {
        Ok(self.store.begin().await?)
    }
}

/// Appends the audit record of a change and commits it with the change.
async fn finish(mut tx: Tx, who: &Principal, action: &str, target: &str, detail: Value) -> Result<(), AdminError> {
    audit::append(&mut tx, &AuditEvent { actor: who.id(), action, target, detail }, now_unix()).await?;
    tx.commit().await?;
    Ok(())
}

/// `before`/`after` of an edit, for the history.
fn change<T: serde::Serialize>(before: &T, after: &T) -> Value {
    serde_json::json!({ "before": before, "after": after })
}

/// The audit target of a register record, e.g. `opd:diskominfo`.
pub fn target(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

/// A CSV cell that a spreadsheet will not run as a formula (CSV injection): text starting with
/// `=`, `+`, `-`, `@`, tab or carriage return gets a leading apostrophe.
pub fn csv_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_string() }
}
