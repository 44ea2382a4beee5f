//! Passkeys (WebAuthn, webauthn-rs): registration from the account page, sign-in without typing a
//! NIP/NIK (discoverable credentials), and use as a second factor. Ceremony state is kept in the
//! database, short-lived and single-use, so any replica can finish what another started.

use std::sync::Arc;

use gerbang_core::audit::{self, AuditEvent};
use gerbang_core::config::Config;
use gerbang_core::crypto::random;
use gerbang_core::store::{CeremonyRecord, PasskeyRecord, PasskeyStore, Store, StoreError, now_unix};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use url::Url;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Uuid, Webauthn, WebauthnBuilder,
};

/// How long a started ceremony can be finished.
const CEREMONY_SECS: i64 = 300;
pub const MAX_PASSKEYS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The browser's answer does not verify, the ceremony expired, or the passkey is unknown.
    #[error("passkey not accepted: {0}")]
    Rejected(String),
    #[error("passkey configuration: {0}")]
    Config(String),
    #[error("at most {MAX_PASSKEYS} passkeys per account")]
    TooMany,
}

#[derive(Clone)]
pub struct PasskeyService {
    store: Store,
    /// None when the IdP's address cannot be a WebAuthn relying party (an IP address): passkeys
    /// are then off, and the pages do not offer them.
    webauthn: Option<Arc<Webauthn>>,
}

/// What the browser needs to start a ceremony.
pub struct Started {
    pub ceremony: String,
    pub options: Value,
}

impl PasskeyService {
    /// Passkeys for the configured relying party; off (with a warning) when it cannot be one.
    pub fn new(store: Store, config: &Config) -> PasskeyService {
        let webauthn = match build(config) {
            Ok(w) => Some(Arc::new(w)),
            Err(e) => {
                tracing::warn!(error = %e, "passkeys are off: WebAuthn needs a domain name (or localhost) as relying party");
                None
            }
        };
        PasskeyService { store, webauthn }
    }

    pub fn enabled(&self) -> bool {
        self.webauthn.is_some()
    }

    fn webauthn(&self) -> Result<&Webauthn, PasskeyError> {
        self.webauthn.as_deref().ok_or_else(|| PasskeyError::Config("passkeys are off on this server".into()))
    }

    pub async fn list(&self, account_id: &str) -> Result<Vec<PasskeyRecord>, StoreError> {
        self.store.conn().await?.account_passkeys(account_id).await
    }

    /// Starts registering a passkey; asks for a discoverable (resident) credential so it can
    /// sign in without a typed NIP/NIK.
    pub async fn start_registration(
        &self,
        account_id: &str,
        user_name: &str,
        display: &str,
    ) -> Result<Started, PasskeyError> {
        let mut tx = self.store.begin().await?;
        let existing = tx.account_passkeys(account_id).await?;
        if existing.len() >= MAX_PASSKEYS {
            return Err(PasskeyError::TooMany);
        }
        let uuid = tx.ensure_webauthn_user(account_id, &Uuid::new_v4().to_string()).await?;
        let uuid = Uuid::parse_str(&uuid).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let exclude =
            existing.iter().filter_map(|p| parse::<Passkey>(&p.passkey).ok()).map(|p| p.cred_id().clone()).collect();
        let (ccr, state) = self
            .webauthn()?
            .start_passkey_registration(uuid, user_name, display, Some(exclude))
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let mut options = serde_json::to_value(&ccr).map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        if let Some(sel) = options.pointer_mut("/publicKey/authenticatorSelection").and_then(Value::as_object_mut) {
            sel.insert("residentKey".into(), json!("required"));
            sel.insert("requireResidentKey".into(), json!(true));
        }
        let ceremony = self.save(&mut tx, "register", Some(account_id), &state).await?;
        tx.commit().await?;
        Ok(Started { ceremony, options })
    }

    pub async fn finish_registration(
        &self,
        account_id: &str,
        ceremony: &str,
        credential: &RegisterPublicKeyCredential,
        name: &str,
    ) -> Result<(), PasskeyError> {
        let state: PasskeyRegistration = self.take(ceremony, "register", Some(account_id)).await?;
        let passkey = self
            .webauthn()?
            .finish_passkey_registration(credential, &state)
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let name: String = name.trim().chars().filter(|c| !c.is_control()).take(60).collect();
        let now = now_unix();
        let record = PasskeyRecord {
            cred_id: AsRef::<[u8]>::as_ref(passkey.cred_id()).to_vec(),
            account_id: account_id.into(),
            name: if name.is_empty() { "Passkey".into() } else { name },
            passkey: serde_json::to_string(&passkey).map_err(|e| PasskeyError::Rejected(e.to_string()))?,
            created_at: now,
            last_used_at: None,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_passkey(&record).await.map_err(|e| {
            if e.is_conflict() { PasskeyError::Rejected("already registered".into()) } else { e.into() }
        })?;
        let event = AuditEvent {
            actor: account_id,
            action: "factor.passkey_add",
            target: account_id,
            detail: json!({ "name": record.name }),
        };
        audit::append(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts a sign-in with any passkey of this site (the browser offers them).
    pub async fn start_sign_in(&self) -> Result<Started, PasskeyError> {
        let (rcr, state) =
            self.webauthn()?.start_discoverable_authentication().map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let options = serde_json::to_value(&rcr).map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        let ceremony = self.save(&mut tx, "login", None, &state).await?;
        tx.commit().await?;
        Ok(Started { ceremony, options })
    }

    /// Finishes a passkey sign-in; returns the account it belongs to.
    pub async fn finish_sign_in(
        &self,
        ceremony: &str,
        credential: &PublicKeyCredential,
    ) -> Result<String, PasskeyError> {
        let state: DiscoverableAuthentication = self.take(ceremony, "login", None).await?;
        let (uuid, cred_id) = self
            .webauthn()?
            .identify_discoverable_authentication(credential)
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let mut db = self.store.conn().await?;
        let account = db
            .account_by_webauthn_user(&uuid.to_string())
            .await?
            .ok_or_else(|| PasskeyError::Rejected("unknown user".into()))?;
        let record = db
            .passkey(cred_id)
            .await?
            .filter(|p| p.account_id == account)
            .ok_or_else(|| PasskeyError::Rejected("unknown passkey".into()))?;
        drop(db);
        let mut passkey: Passkey = parse(&record.passkey)?;
        let result = self
            .webauthn()?
            .finish_discoverable_authentication_v2(credential, state, &passkey)
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        passkey.update_credential(&result);
        self.record_use(&record.cred_id, &passkey).await?;
        Ok(account)
    }

    /// Starts a second-factor check with the passkeys of a signed-in account.
    pub async fn start_step_up(&self, account_id: &str) -> Result<Option<Started>, PasskeyError> {
        let passkeys: Vec<Passkey> =
            self.list(account_id).await?.iter().filter_map(|p| parse(&p.passkey).ok()).collect();
        if passkeys.is_empty() {
            return Ok(None);
        }
        let (rcr, state) = self
            .webauthn()?
            .start_passkey_authentication(&passkeys)
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let options = serde_json::to_value(&rcr).map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        let ceremony = self.save(&mut tx, "step_up", Some(account_id), &state).await?;
        tx.commit().await?;
        Ok(Some(Started { ceremony, options }))
    }

    pub async fn finish_step_up(
        &self,
        account_id: &str,
        ceremony: &str,
        credential: &PublicKeyCredential,
    ) -> Result<(), PasskeyError> {
        let state: PasskeyAuthentication = self.take(ceremony, "step_up", Some(account_id)).await?;
        let result = self
            .webauthn()?
            .finish_passkey_authentication(credential, &state)
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let record = self
            .store
            .conn()
            .await?
            .passkey(AsRef::<[u8]>::as_ref(result.cred_id()))
            .await?
            .filter(|p| p.account_id == account_id)
            .ok_or_else(|| PasskeyError::Rejected("unknown passkey".into()))?;
        let mut passkey: Passkey = parse(&record.passkey)?;
        passkey.update_credential(&result);
        self.record_use(&record.cred_id, &passkey).await
    }

    pub async fn rename(&self, account_id: &str, cred_id: &[u8], name: &str) -> Result<bool, StoreError> {
        let name: String = name.trim().chars().filter(|c| !c.is_control()).take(60).collect();
        let mut tx = self.store.begin().await?;
        let ok = !name.is_empty() && tx.rename_passkey(cred_id, account_id, &name).await?;
        tx.commit().await?;
        Ok(ok)
    }

    pub async fn remove(&self, account_id: &str, cred_id: &[u8]) -> Result<bool, StoreError> {
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        let ok = tx.delete_passkey(cred_id, account_id).await?;
        if ok {
            let event = AuditEvent {
                actor: account_id,
                action: "factor.passkey_remove",
                target: account_id,
                detail: json!({}),
            };
            audit::append(&mut tx, &event, now).await?;
        }
        tx.commit().await?;
        Ok(ok)
    }

    async fn record_use(&self, cred_id: &[u8], passkey: &Passkey) -> Result<(), PasskeyError> {
        let json = serde_json::to_string(passkey).map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        tx.record_passkey_use(cred_id, &json, now_unix()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn save<S: serde::Serialize>(
        &self,
        tx: &mut gerbang_core::store::Tx,
        kind: &str,
        account_id: Option<&str>,
        state: &S,
    ) -> Result<String, PasskeyError> {
        let id = random::token(24);
        let record = CeremonyRecord {
            id: id.clone(),
            kind: kind.into(),
            account_id: account_id.map(String::from),
            state: serde_json::to_string(state).map_err(|e| PasskeyError::Rejected(e.to_string()))?,
            expires_at: now_unix() + CEREMONY_SECS,
        };
        tx.insert_ceremony(&record).await?;
        Ok(id)
    }

    /// Takes a ceremony of `kind` (and of this account), once.
    async fn take<S: DeserializeOwned>(
        &self,
        id: &str,
        kind: &str,
        account_id: Option<&str>,
    ) -> Result<S, PasskeyError> {
        let mut tx = self.store.begin().await?;
        let record = tx.take_ceremony(id, now_unix()).await?;
        tx.commit().await?;
        let record = record
            .filter(|c| c.kind == kind && c.account_id.as_deref() == account_id)
            .ok_or_else(|| PasskeyError::Rejected("the ceremony expired or was already used".into()))?;
        parse(&record.state)
    }
}

fn parse<T: DeserializeOwned>(json: &str) -> Result<T, PasskeyError> {
    serde_json::from_str(json).map_err(|e| PasskeyError::Store(StoreError::Corrupt(e.to_string())))
}

fn build(config: &Config) -> Result<Webauthn, PasskeyError> {
    let origin = Url::parse(&config.idp.public_url).map_err(|e| PasskeyError::Config(e.to_string()))?;
    let rp_id = match &config.webauthn.rp_id {
        Some(id) => id.clone(),
        None => origin.host_str().ok_or_else(|| PasskeyError::Config("idp.public_url has no host".into()))?.to_string(),
    };
    let mut builder = WebauthnBuilder::new(&rp_id, &origin)
        .map_err(|e| PasskeyError::Config(format!("rp_id {rp_id} and origin {origin}: {e}")))?
        .rp_name("SSO Padang Panjang");
    for extra in &config.webauthn.extra_origins {
        let url =
            Url::parse(extra).map_err(|e| PasskeyError::Config(format!("webauthn.extra_origins {extra}: {e}")))?;
        builder = builder.append_allowed_origin(&url);
    }
    builder.build().map_err(|e| PasskeyError::Config(e.to_string()))
}
