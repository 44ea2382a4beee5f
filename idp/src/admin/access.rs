//! Who may do what in the admin module and the portal: roles of the account (admin, developer,
//! auditor) and the data groups it stewards (Wali Data, Pasal 12(6)). Every service call takes a
//! `Principal` and checks it first, so pages, the API and tests meet the same rule.

use gerbang_core::store::{
    Account, AccountKind, AccountStatus, AccountStore, Assurance, RegisterStore, Store, StoreError,
};

use super::error::AdminError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Dinas Kominfo administrator: edits the registers, approves clients, appoints stewards.
    Admin,
    /// Registers clients for applications and manages their own.
    Developer,
    /// Reads everything, changes nothing.
    Auditor,
    /// A counter officer (Disdukcapil, the public service mall) who proves citizens' identities
    /// by checking their KTP-el in person.
    Verifier,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Developer => "developer",
            Role::Auditor => "auditor",
            Role::Verifier => "verifikator",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub account: Account,
    pub roles: Vec<String>,
    /// Ids of the data groups this account stewards.
    pub stewards: Vec<String>,
}

impl Principal {
    /// The principal of an active account, or `None` when it is gone or disabled.
    pub async fn load(store: &Store, account_id: &str) -> Result<Option<Principal>, StoreError> {
        let mut db = store.conn().await?;
        let Some(account) = db.account(account_id).await?.filter(|a| a.status == AccountStatus::Active) else {
            return Ok(None);
        };
        let roles = db.roles(account_id).await?;
        let stewards = db.groups_of_steward(account_id).await?.into_iter().map(|g| g.id).collect();
        Ok(Some(Principal { account, roles, stewards }))
    }

    /// The operator at the command line (`gerbang register …`): an administrator whose changes
    /// are audited under the actor `cli`, like the other commands'.
    pub fn operator() -> Principal {
        let now = gerbang_core::store::now_unix();
        let account = Account {
            id: "cli".into(),
            kind: AccountKind::Asn,
            display_name: "operator (CLI)".into(),
            status: AccountStatus::Active,
            assurance: Assurance::Terverifikasi,
            opd_id: None,
            disabled_by: None,
            created_at: now,
            updated_at: now,
        };
        Principal { account, roles: vec![Role::Admin.as_str().into()], stewards: Vec::new() }
    }

    pub fn id(&self) -> &str {
        &self.account.id
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.iter().any(|r| r == role.as_str())
    }

    pub fn require(&self, role: Role) -> Result<(), AdminError> {
        if self.has(role) { Ok(()) } else { Err(AdminError::Forbidden) }
    }

    /// Registers, history, audit and reports: administrators and auditors.
    pub fn require_reader(&self) -> Result<(), AdminError> {
        if self.has(Role::Admin) || self.has(Role::Auditor) { Ok(()) } else { Err(AdminError::Forbidden) }
    }

    pub fn is_steward(&self) -> bool {
        !self.stewards.is_empty()
    }

    pub fn stewards_group(&self, group: &str) -> bool {
        self.stewards.iter().any(|g| g == group)
    }

    pub fn is_asn(&self) -> bool {
        self.account.kind == AccountKind::Asn
    }
}
