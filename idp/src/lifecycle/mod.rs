//! The account lifecycle: citizens register themselves with their NIK and prove a contact with a
//! code; anyone resets a forgotten password through a proven contact; a verifikator proves a
//! citizen's identity after checking the KTP-el at a counter; unused accounts get a notice and
//! are then disabled. One service, [`Lifecycle`], with a module per flow.

pub mod assurance;
mod codes;
mod error;
pub mod inactivity;
pub mod proof_of_work;
pub mod registration;
pub mod reset;

use std::net::IpAddr;
use std::sync::{Arc, RwLock};

use gerbang_core::config::{AccountsConfig, RegistrationConfig};
use gerbang_core::lang::Lang;
use gerbang_core::store::{ContactRecord, FactorStore, LifecycleStore, Store, now_unix};

pub use assurance::{PopulationAnswer, PopulationData, PopulationQuery};
pub use codes::Codes;
pub use error::LifecycleError;
use proof_of_work::ProofOfWork;

use crate::accounts::AccountService;
use crate::notify::{Channel, Message, Messenger};

#[derive(Clone)]
pub struct Lifecycle {
    store: Store,
    accounts: AccountService,
    messenger: Messenger,
    codes: Codes,
    pow: ProofOfWork,
    registration: RegistrationConfig,
    inactivity: AccountsConfig,
    /// The online population-data verification service, when one is connected.
    population: Arc<RwLock<Option<Arc<dyn PopulationData>>>>,
}

impl Lifecycle {
    pub fn new(
        store: Store,
        accounts: AccountService,
        messenger: Messenger,
        registration: RegistrationConfig,
        inactivity: AccountsConfig,
    ) -> Lifecycle {
        let keys = accounts.keys();
        Lifecycle {
            codes: Codes::new(keys.codes.clone(), registration.code_ttl_secs, registration.code_attempts),
            pow: ProofOfWork::new(keys.challenges.clone(), registration.proof_of_work_bits),
            store,
            accounts,
            messenger,
            registration,
            inactivity,
            population: Arc::new(RwLock::new(None)),
        }
    }

    pub fn messenger(&self) -> &Messenger {
        &self.messenger
    }

    /// The channels a code can go out on now.
    pub fn channels(&self) -> Vec<Channel> {
        Channel::ALL.into_iter().filter(|c| self.messenger.offers(*c)).collect()
    }

    /// Self-registration is on and at least one channel can carry its code.
    pub fn registration_open(&self) -> bool {
        self.registration.enabled && !self.channels().is_empty()
    }

    /// How long a code is valid, in seconds.
    pub fn code_ttl_secs(&self) -> i64 {
        self.registration.code_ttl_secs
    }

    /// A fresh anti-automation challenge for a registration page.
    pub fn challenge(&self) -> String {
        self.pow.challenge(now_unix())
    }

    /// Counts a request from `address` under `what`; refuses past the hourly allowance (shared by
    /// every replica through the database).
    async fn admit(&self, what: &str, address: IpAddr) -> Result<(), LifecycleError> {
        let key = format!("{what}:{address}");
        let mut tx = self.store.begin().await?;
        let n = tx.record_failure(&key, now_unix(), 3600).await?;
        tx.commit().await?;
        if n > self.registration.per_address_per_hour { Err(LifecycleError::TooMany) } else { Ok(()) }
    }

    /// Sends in the background: the answer to the person must not wait for (or reveal, by its
    /// timing) a mail server.
    fn send_later(&self, channel: Channel, to: String, message: Message) {
        let messenger = self.messenger.clone();
        tokio::spawn(async move {
            let _ = messenger.send(channel, &to, &message).await;
        });
    }

    /// Tells every proven contact of an account (in the background).
    async fn tell_account(&self, account_id: &str, message: impl Fn() -> Message) -> Result<(), LifecycleError> {
        for contact in self.proven_contacts(account_id).await? {
            if let Some(channel) = Channel::parse(&contact.channel) {
                self.send_later(channel, contact.address, message());
            }
        }
        Ok(())
    }

    pub async fn proven_contacts(&self, account_id: &str) -> Result<Vec<ContactRecord>, LifecycleError> {
        let contacts = self.store.conn().await?.contacts(account_id).await?;
        Ok(contacts.into_iter().filter(|c| c.verified_at.is_some()).collect())
    }

    /// The language of messages sent without a person at the screen.
    fn default_lang() -> Lang {
        Lang::Id
    }
}
