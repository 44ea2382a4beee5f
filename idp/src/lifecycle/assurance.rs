//! Identity assurance: a self-registered citizen is `terdaftar` (claimed, not proven) until a
//! verifikator at a counter checks the KTP-el in person and marks the account `terverifikasi`,
//! recorded with who, when and where. An online population-data service (Dukcapil verification:
//! NIK, name and birth date in, match flags out) can help the officer; [`PopulationData`] is its
//! interface. None is reachable from here: operators connect one, tests use a test double.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use gerbang_core::audit::{self, AuditEvent};
use gerbang_core::ids::{Nik, Sex};
use gerbang_core::store::{AccountKind, AccountStore, Assurance, AssuranceEvent, LifecycleStore, now_unix};
use serde_json::json;
use time::Date;

use super::{Lifecycle, LifecycleError};
use crate::admin::Principal;

/// Longest place or note accepted, in characters.
const MAX_TEXT: usize = 200;

/// What is asked of the population register.
#[derive(Debug, Clone)]
pub struct PopulationQuery {
    pub nik: Nik,
    pub name: String,
    pub birth_date: Date,
}

/// What the population register answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PopulationAnswer {
    /// Every field matches the register.
    Match,
    /// The NIK is there; these fields differ (`nama`, `tanggal_lahir`).
    Mismatch(Vec<String>),
    /// No such NIK in the register.
    NotFound,
}

pub type PopulationFuture<'a> = Pin<Box<dyn Future<Output = Result<PopulationAnswer, String>> + Send + 'a>>;

/// An online population-data verification service.
pub trait PopulationData: Send + Sync {
    /// The service's name, shown to the officer with its answer.
    fn name(&self) -> &str;
    fn check<'a>(&'a self, query: &'a PopulationQuery) -> PopulationFuture<'a>;
}

/// A verifikator's decision on one account.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct InPersonCheck {
    /// Where the KTP-el was checked, e.g. «Loket Disdukcapil, MPP Padang Panjang».
    pub place: String,
    /// The officer ticked that the KTP-el was seen and matches the account.
    pub ktp_checked: bool,
    pub note: String,
}

/// What the verifier page shows of an account.
pub struct Candidate {
    pub account: gerbang_core::store::Account,
    pub nik_masked: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub events: Vec<AssuranceEvent>,
}

impl Lifecycle {
    /// Connects an online population-data service (see [`PopulationData`]).
    pub fn connect_population_data(&self, service: Arc<dyn PopulationData>) {
        if let Ok(mut slot) = self.population.write() {
            *slot = Some(service);
        }
    }

    fn population(&self) -> Option<Arc<dyn PopulationData>> {
        self.population.read().ok().and_then(|s| s.clone())
    }

    /// The citizen's account with this NIK, for a verifikator.
    pub async fn candidate(&self, nik: &Nik) -> Result<Option<Candidate>, LifecycleError> {
        let Some(account) = self.accounts.find(&crate::accounts::Identity::Nik(nik.clone())).await? else {
            return Ok(None);
        };
        let events = self.store.conn().await?.assurance_events(&account.id).await?;
        Ok(Some(Candidate {
            nik_masked: nik.masked(),
            birth_date: nik.info().birth_date,
            sex: nik.info().sex,
            events,
            account,
        }))
    }

    /// The same, by account id (after a decision, to show the account again).
    pub async fn candidate_by_id(&self, id: &str) -> Result<Option<Candidate>, LifecycleError> {
        match self.accounts.nik_of(id).await? {
            Some(nik) => self.candidate(&nik).await,
            None => Ok(None),
        }
    }

    /// Asks the connected population-data service, if any: `None` when none is connected; the
    /// service's name and its answer (or why it could not answer) otherwise.
    pub async fn population_check(&self, nik: &Nik, name: &str) -> Option<(String, Result<PopulationAnswer, String>)> {
        let service = self.population()?;
        let query = PopulationQuery { nik: nik.clone(), name: name.into(), birth_date: nik.info().birth_date };
        let answer = tokio::time::timeout(std::time::Duration::from_secs(10), service.check(&query))
            .await
            .unwrap_or_else(|_| Err("no answer within 10 seconds".into()));
        Some((service.name().to_string(), answer))
    }

    /// A verifikator marks a citizen's identity proven after checking the KTP-el in person.
    pub async fn verify_in_person(
        &self,
        officer: &Principal,
        account_id: &str,
        check: &InPersonCheck,
    ) -> Result<(), LifecycleError> {
        let place = check.place.trim();
        if place.is_empty() || place.chars().count() > MAX_TEXT || place.chars().any(char::is_control) {
            return Err(LifecycleError::NoPlace);
        }
        if !check.ktp_checked {
            return Err(LifecycleError::NotChecked);
        }
        let note: String = check.note.trim().chars().filter(|c| !c.is_control()).take(MAX_TEXT).collect();
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        let account = tx.account(account_id).await?.ok_or(LifecycleError::NotFound)?;
        if account.kind != AccountKind::Warga {
            return Err(LifecycleError::NotCitizen);
        }
        let before = account.assurance;
        tx.set_assurance(account_id, Assurance::Terverifikasi, now).await?;
        let event = AssuranceEvent {
            assurance: Assurance::Terverifikasi.as_str().into(),
            method: "loket".into(),
            actor: officer.id().into(),
            place: place.into(),
            note: note.clone(),
            at: now,
        };
        tx.insert_assurance_event(account_id, &event).await?;
        let detail = json!({ "from": before.as_str(), "to": "terverifikasi", "method": "loket", "place": place,
                             "note": note });
        audit::append(
            &mut tx,
            &AuditEvent { actor: officer.id(), action: "account.verify_identity", target: account_id, detail },
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(account = %account_id, officer = %officer.id(), "identity verified in person");
        Ok(())
    }
}
