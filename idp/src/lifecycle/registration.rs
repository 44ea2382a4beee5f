//! Citizens' self-registration: the form is checked (NIK structure, its birth date and sex against
//! what was typed, contacts, password, proof of work), a pending registration is stored and a code
//! goes to each contact. Only when every code is entered does the account exist. Whether the NIK
//! was taken is told only then: before a contact is proven, a taken NIK and a free one get the
//! same answer.

use std::net::IpAddr;

use gerbang_core::audit::{self, AuditEvent};
use gerbang_core::crypto::random;
use gerbang_core::ids::{Nik, Sex};
use gerbang_core::lang::Lang;
use gerbang_core::store::{
    Account, Assurance, AssuranceEvent, ContactRecord, LifecycleStore, PendingRegistration, now_unix,
};
use serde_json::json;
use time::Date;
use time::macros::format_description;

use super::{Lifecycle, LifecycleError};
use crate::accounts::{AccountError, Actor, Identity, NewIdentity, validate_name};
use crate::notify::{Channel, mail, sms, text};

/// How long a registration waits for its codes.
const PENDING_TTL_SECS: i64 = 3600;
const PURPOSE: &str = "register";

/// What the registration form sends.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct RegistrationInput {
    pub nik: String,
    pub name: String,
    /// `YYYY-MM-DD` (an HTML date input).
    pub birth_date: String,
    /// `L` (laki-laki) or `P` (perempuan).
    pub sex: String,
    pub email: String,
    pub phone: String,
    pub password: String,
    pub password_again: String,
    pub pow_challenge: String,
    pub pow_nonce: String,
}

/// A registration waiting for its codes, and where they went (masked).
pub struct Started {
    pub pending_id: String,
    pub sent_to: Vec<(Channel, String)>,
}

pub enum Registered {
    /// The account exists and the person may be signed in.
    Account(Box<Account>),
    /// The contact is proven, but the NIK already has an account (now it may be said).
    NikTaken,
}

impl Lifecycle {
    pub async fn start_registration(
        &self,
        input: &RegistrationInput,
        address: IpAddr,
        lang: Lang,
    ) -> Result<Started, LifecycleError> {
        if !self.registration_open() {
            return Err(LifecycleError::RegistrationClosed);
        }
        let now = now_unix();
        let solved =
            self.pow.verify(&input.pow_challenge, &input.pow_nonce, now).map_err(|_| LifecycleError::ProofOfWork)?;
        self.admit("register", address).await?;
        let nik = Nik::parse(&input.nik).map_err(|e| LifecycleError::Account(AccountError::InvalidNik(e)))?;
        let name = validate_name(&input.name)?;
        check_birth(&nik, &input.birth_date, &input.sex)?;
        let contacts = self.contacts_of(input)?;
        if input.password != input.password_again {
            return Err(LifecycleError::PasswordsDiffer);
        }
        let phc = self.accounts.hash_password(&input.password).await?;

        let id = random::token(16);
        let keys = self.accounts.keys();
        let pending = PendingRegistration {
            id: id.clone(),
            nik_index: self.accounts.nik_index(&nik),
            nik_sealed: keys.nik_sealer.seal(nik.expose().as_bytes(), id.as_bytes()),
            display_name: name.to_string(),
            email: contacts.iter().find(|(c, _)| *c == Channel::Email).map(|(_, a)| a.clone()),
            phone: contacts.iter().find(|(c, _)| *c == Channel::Sms).map(|(_, a)| a.clone()),
            phc,
            source_ip: address.to_string(),
            created_at: now,
            expires_at: now + PENDING_TTL_SECS,
        };
        let mut tx = self.store.begin().await?;
        if !tx.spend_challenge(&solved.hash, solved.expires_at).await? {
            return Err(LifecycleError::ProofOfWork);
        }
        tx.insert_pending(&pending).await?;
        let mut codes = Vec::new();
        for (channel, address) in &contacts {
            codes.push((
                *channel,
                address.clone(),
                self.codes.issue(&mut tx, PURPOSE, &id, *channel, address, now).await?,
            ));
        }
        tx.commit().await?;
        for (channel, address, code) in codes {
            let message = text::registration_code(lang, &code.code, self.codes.ttl_minutes());
            self.messenger.send(channel, &address, &message).await.map_err(LifecycleError::Delivery)?;
        }
        tracing::info!(pending = %id, "self-registration started");
        Ok(Started { pending_id: id, sent_to: contacts.iter().map(|(c, a)| (*c, c.mask(a))).collect() })
    }

    /// Where the codes of a pending registration went (masked), or `None` when it is gone.
    pub async fn pending_contacts(&self, pending_id: &str) -> Result<Option<Vec<(Channel, String)>>, LifecycleError> {
        let Some(p) = self.store.conn().await?.pending(pending_id, now_unix()).await? else { return Ok(None) };
        Ok(Some(pending_channels(&p).into_iter().map(|(c, a)| (c, c.mask(&a))).collect()))
    }

    /// Sends new codes to a pending registration's contacts.
    pub async fn resend_registration_codes(&self, pending_id: &str, lang: Lang) -> Result<(), LifecycleError> {
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        let pending = tx.pending(pending_id, now).await?.ok_or(LifecycleError::RegistrationGone)?;
        self.codes.may_resend(&mut tx, pending_id, PURPOSE, now).await?;
        let mut codes = Vec::new();
        for (channel, address) in pending_channels(&pending) {
            let code = self.codes.issue(&mut tx, PURPOSE, pending_id, channel, &address, now).await?;
            codes.push((channel, address, code));
        }
        tx.commit().await?;
        for (channel, address, code) in codes {
            let message = text::registration_code(lang, &code.code, self.codes.ttl_minutes());
            self.messenger.send(channel, &address, &message).await.map_err(LifecycleError::Delivery)?;
        }
        Ok(())
    }

    /// Checks the codes typed for each contact; when all are right, makes the account (a citizen,
    /// `terdaftar`, contacts proven) or, if the NIK has an account already, says so now and tells
    /// that account's owner.
    pub async fn complete_registration(
        &self,
        pending_id: &str,
        typed: &[(Channel, String)],
    ) -> Result<Registered, LifecycleError> {
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        let pending = tx.pending(pending_id, now).await?.ok_or(LifecycleError::RegistrationGone)?;
        let mut refused = None;
        for (channel, _) in pending_channels(&pending) {
            let code = tx.latest_code(pending_id, PURPOSE, channel.as_str()).await?.ok_or(LifecycleError::CodeSpent)?;
            let given = typed.iter().find(|(c, _)| *c == channel).map(|(_, v)| v.as_str()).unwrap_or("");
            if let Err(e) = self.codes.check(&mut tx, &code, given, now).await {
                refused.get_or_insert(e);
            }
        }
        if let Some(e) = refused {
            // The wrong tries are kept (and any right code stays unused: all are entered again).
            tx.commit().await?;
            return Err(e);
        }
        let nik_clear = self
            .accounts
            .keys()
            .nik_sealer
            .open(&pending.nik_sealed, pending.id.as_bytes())
            .map_err(|e| LifecycleError::Account(AccountError::Seal(e)))?;
        let nik = std::str::from_utf8(&nik_clear)
            .ok()
            .and_then(|s| Nik::parse(s).ok())
            .ok_or(LifecycleError::RegistrationGone)?;
        if let Some(owner) = self.accounts.nik_owner(&mut tx, &nik).await? {
            tx.delete_pending(pending_id).await?;
            tx.commit().await?;
            tracing::info!(pending = %pending_id, "self-registration refused: the NIK has an account");
            let when = crate::wib::date_time(now);
            self.tell_account(&owner, || text::registration_attempt(Self::default_lang(), &when)).await?;
            return Ok(Registered::NikTaken);
        }
        let new = NewIdentity {
            identity: Identity::Nik(nik),
            name: pending.display_name.clone(),
            password: None,
            roles: vec![],
        };
        let id = match self
            .accounts
            .create_in(&mut tx, &new, Some(&pending.phc), Assurance::Terdaftar, Actor("self-registration"))
            .await
        {
            Ok(id) => id,
            // Registered a moment ago by another pending registration of the same NIK.
            Err(AccountError::NikTaken) => {
                drop(tx);
                let mut tx = self.store.begin().await?;
                tx.delete_pending(pending_id).await?;
                tx.commit().await?;
                return Ok(Registered::NikTaken);
            }
            Err(e) => return Err(e.into()),
        };
        for (channel, address) in pending_channels(&pending) {
            let contact = ContactRecord { channel: channel.as_str().into(), address, verified_at: Some(now) };
            tx.put_contact(&id, &contact).await?;
        }
        let event = AssuranceEvent {
            assurance: Assurance::Terdaftar.as_str().into(),
            method: "registrasi".into(),
            actor: "self-registration".into(),
            place: "daring".into(),
            note: format!("dari {}", pending.source_ip),
            at: now,
        };
        tx.insert_assurance_event(&id, &event).await?;
        let detail = json!({ "contacts": pending_channels(&pending).iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
                             "source_ip": pending.source_ip });
        audit::append(&mut tx, &AuditEvent { actor: &id, action: "account.register", target: &id, detail }, now)
            .await?;
        tx.delete_pending(pending_id).await?;
        tx.commit().await?;
        tracing::info!(account = %id, "self-registration completed");
        let account = self.accounts.by_id(&id).await?.ok_or(LifecycleError::NotFound)?;
        Ok(Registered::Account(Box::new(account)))
    }

    /// The contacts typed, checked and normalised; each must have a channel that works.
    fn contacts_of(&self, input: &RegistrationInput) -> Result<Vec<(Channel, String)>, LifecycleError> {
        let mut contacts = Vec::new();
        if !input.email.trim().is_empty() {
            contacts.push((Channel::Email, mail::normalize_address(&input.email).ok_or(LifecycleError::BadEmail)?));
        }
        if !input.phone.trim().is_empty() {
            contacts.push((Channel::Sms, sms::normalize_phone(&input.phone).ok_or(LifecycleError::BadPhone)?));
        }
        if contacts.is_empty() {
            return Err(LifecycleError::NoContact);
        }
        if let Some((c, _)) = contacts.iter().find(|(c, _)| !self.messenger.offers(*c)) {
            return Err(LifecycleError::ChannelUnavailable(c.as_str()));
        }
        Ok(contacts)
    }
}

fn pending_channels(p: &PendingRegistration) -> Vec<(Channel, String)> {
    let email = p.email.clone().map(|a| (Channel::Email, a));
    let phone = p.phone.clone().map(|a| (Channel::Sms, a));
    email.into_iter().chain(phone).collect()
}

/// The birth date and sex typed must be the ones inside the NIK. The NIK holds a two-digit year
/// (its century is a guess), so the typed year is compared on its last two digits.
fn check_birth(nik: &Nik, birth_date: &str, sex: &str) -> Result<(), LifecycleError> {
    let typed = Date::parse(birth_date.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| LifecycleError::BadBirthDate)?;
    let inside = nik.info().birth_date;
    let same = typed.day() == inside.day()
        && typed.month() == inside.month()
        && typed.year().rem_euclid(100) == inside.year().rem_euclid(100);
    if !same || typed > time::OffsetDateTime::now_utc().date() {
        return Err(LifecycleError::BirthDateMismatch);
    }
    let sex = match sex.trim() {
        "L" => Sex::Male,
        "P" => Sex::Female,
        _ => return Err(LifecycleError::NoSex),
    };
    if sex != nik.info().sex {
        return Err(LifecycleError::SexMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_date_and_sex_come_from_the_nik() {
        // 41 → a woman born on the 1st; 07 90 → July 1990.
        let nik = Nik::parse("1374024107900001").unwrap();
        assert!(check_birth(&nik, "1990-07-01", "P").is_ok());
        assert!(matches!(check_birth(&nik, "1990-07-02", "P"), Err(LifecycleError::BirthDateMismatch)));
        assert!(matches!(check_birth(&nik, "1991-07-01", "P"), Err(LifecycleError::BirthDateMismatch)));
        assert!(matches!(check_birth(&nik, "1990-07-01", "L"), Err(LifecycleError::SexMismatch)));
        assert!(matches!(check_birth(&nik, "1990-07-01", ""), Err(LifecycleError::NoSex)));
        for bad in ["", "01-07-1990", "1990-13-01", "1990-02-30", "x"] {
            assert!(matches!(check_birth(&nik, bad, "P"), Err(LifecycleError::BadBirthDate)), "{bad:?}");
        }
    }
}
