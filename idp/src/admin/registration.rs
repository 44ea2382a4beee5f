//! The developer portal's registrations and their approval. A developer asks for a client for an
//! application (redirect URIs, claims with the purpose of each); an administrator approves the
//! client, and the steward (Wali Data) of each claim's data group approves that claim (Pasal
//! 12(6)). The client is live after the administrator's approval with exactly the claims its
//! stewards approved so far; each later steward approval adds its claim. Every decision carries a
//! reason and is audited. A change that widens a live client (new redirect URIs, more claims)
//! goes back through the same approval; one that narrows it applies at once.

use gerbang_core::crypto::random;
use gerbang_core::store::{
    ClaimRequestRecord, ClientStore, RegisterStore, RegistrationRecord, RegistrationStore, Tx, now_unix,
};
use serde::Deserialize;

use super::{Admin, AdminError, PAGE, Principal, Role, finish, validate};
use crate::accounts::Actor;
use crate::oidc::client::{
    self as clients, AuthMethod, ClientError, ClientKind, GrantType, NewClient, check_redirect_uri, client_record,
    hash_secret,
};
use crate::oidc::keys::SigningAlg;

/// Scopes every person-facing client gets without a steward's decision.
const BASE_SCOPES: &[&str] = &["openid", "profile", "offline_access"];
pub const MAX_REDIRECT_URIS: usize = 10;
pub const MAX_LOGO_BYTES: usize = 256 * 1024;

/// The scope that releases a claim (`opd` travels with `nip`: same group, same steward).
pub fn scope_of_claim(claim: &str) -> &str {
    match claim {
        // Not requestable on its own (see `checked_claims`); it travels with nip.
        "opd" => "nip",
        other => other,
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClaimAsk {
    pub claim: String,
    #[serde(default)]
    pub purpose: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegistrationInput {
    #[serde(default)]
    pub application_id: String,
    #[serde(default)]
    pub name: String,
    /// `confidential` (a server holding a secret) or `public` (a browser or mobile app, PKCE).
    #[serde(default)]
    pub kind: String,
    /// One per line, or a JSON list.
    #[serde(default, deserialize_with = "super::validate::lines")]
    pub redirect_uris: String,
    #[serde(default)]
    pub backchannel_logout_uri: String,
    #[serde(default)]
    pub claims: Vec<ClaimAsk>,
    /// PNG or JPEG bytes (the API takes none; the portal form uploads one).
    #[serde(skip)]
    pub logo: Option<Vec<u8>>,
}

/// A registration with what the pages and the API show beside it.
#[derive(Debug, Clone)]
pub struct RegistrationView {
    pub record: RegistrationRecord,
    pub claims: Vec<ClaimRequestRecord>,
    pub application_name: String,
    /// `active`, `disabled`, or `none` before the client exists.
    pub client_status: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Decision {
    /// Required: a decision left out must not count as a refusal.
    #[serde(deserialize_with = "super::validate::flag")]
    pub approve: bool,
    #[serde(default)]
    pub reason: String,
}

impl Admin {
    /// A developer's new registration; returns it and, for a confidential client, the secret
    /// (shown this once, stored hashed).
    pub async fn register_client(
        &self,
        who: &Principal,
        input: &RegistrationInput,
    ) -> Result<(RegistrationView, Option<String>), AdminError> {
        who.require(Role::Developer)?;
        let app = self.open_application(&input.application_id).await?;
        let name = validate::name("name", &input.name)?;
        let kind = validate::choice("kind", &input.kind, &["confidential", "public"])?;
        let (redirects, backchannel) = self.checked_uris(&input.redirect_uris, &input.backchannel_logout_uri).await?;
        let claims = self.checked_claims(&input.claims).await?;
        let logo = input.logo.as_deref().filter(|l| !l.is_empty()).map(logo_type).transpose()?;
        let secret = (kind == "confidential").then(|| random::token(32));
        let now = now_unix();
        let record = RegistrationRecord {
            id: format!("r-{}", random::token(9)),
            client_id: format!("c-{}", random::token(12)),
            purpose: "new".into(),
            application_id: app,
            developer_id: who.id().to_string(),
            name,
            kind,
            redirect_uris: redirects.join("\n"),
            backchannel_logout_uri: backchannel,
            scopes: scopes_for(claims.iter().map(|(c, _, _)| c.as_str())),
            secret_hash: secret.as_deref().map(hash_secret),
            logo_type: logo.map(String::from),
            status: "pending".into(),
            decided_by: None,
            decided_at: None,
            reason: String::new(),
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.begin().await?;
        self.insert_registration(&mut tx, &record, &claims, input.logo.as_deref().filter(|_| logo.is_some())).await?;
        let detail = serde_json::json!({ "client_id": record.client_id, "application": record.application_id,
            "name": record.name, "kind": record.kind, "redirect_uris": redirects,
            "claims": claims.iter().map(|(c, _, _)| c).collect::<Vec<_>>() });
        finish(tx, who, "portal.registration.create", &reg_target(&record.id), detail).await?;
        Ok((self.view(record).await?, secret))
    }

    /// A developer's change to a live client they registered: narrowing redirect URIs applies at
    /// once; new URIs, a new back-channel URI or more claims go back to approval.
    /// Returns the pending registration when approval is needed.
    pub async fn change_client(
        &self,
        who: &Principal,
        client_id: &str,
        redirect_uris: &str,
        backchannel_logout_uri: &str,
        more_claims: &[ClaimAsk],
    ) -> Result<Option<RegistrationView>, AdminError> {
        who.require(Role::Developer)?;
        let origin = self.owned_live(who, client_id).await?;
        let client = self.clients.get(client_id).await?.ok_or(AdminError::NotFound)?;
        let (redirects, backchannel) = self.checked_uris(redirect_uris, backchannel_logout_uri).await?;
        let claims = self.checked_claims(more_claims).await?;
        let new_claims: Vec<_> = claims.into_iter().filter(|(c, _, _)| !client.approved_claims.contains(c)).collect();
        let widens = redirects.iter().any(|u| !client.redirect_uris.contains(u))
            || (backchannel.is_some() && backchannel != client.backchannel_logout_uri)
            || !new_claims.is_empty();
        if !widens {
            self.clients
                .set_uris(client_id, &redirects, backchannel.as_deref(), Actor(who.id()))
                .await
                .map_err(client_error)?;
            return Ok(None);
        }
        if self.store.conn().await?.registrations_for_client(client_id).await?.iter().any(|r| r.status == "pending") {
            return Err(AdminError::conflict(
                "client_id",
                "Masih ada permintaan yang menunggu persetujuan untuk klien ini.",
                "A request for this client is still waiting for approval.",
            ));
        }
        let now = now_unix();
        let record = RegistrationRecord {
            id: format!("r-{}", random::token(9)),
            client_id: client_id.to_string(),
            purpose: "change".into(),
            application_id: origin.application_id.clone(),
            developer_id: who.id().to_string(),
            name: client.name.clone(),
            kind: origin.kind.clone(),
            redirect_uris: redirects.join("\n"),
            backchannel_logout_uri: backchannel,
            scopes: scopes_for(new_claims.iter().map(|(c, _, _)| c.as_str())),
            secret_hash: None,
            logo_type: None,
            status: "pending".into(),
            decided_by: None,
            decided_at: None,
            reason: String::new(),
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.begin().await?;
        self.insert_registration(&mut tx, &record, &new_claims, None).await?;
        let detail = serde_json::json!({ "client_id": client_id, "redirect_uris": redirects,
            "claims": new_claims.iter().map(|(c, _, _)| c).collect::<Vec<_>>() });
        finish(tx, who, "portal.registration.change", &reg_target(&record.id), detail).await?;
        Ok(Some(self.view(record).await?))
    }

    /// A new secret for a live confidential client the developer registered (shown once).
    pub async fn rotate_client_secret(&self, who: &Principal, client_id: &str) -> Result<String, AdminError> {
        who.require(Role::Developer)?;
        self.owned_live(who, client_id).await?;
        self.clients.rotate_secret(client_id, Actor(who.id())).await.map_err(client_error)
    }

    /// The administrator's decision on a registration.
    pub async fn decide_registration(
        &self,
        who: &Principal,
        id: &str,
        decision: &Decision,
    ) -> Result<RegistrationView, AdminError> {
        who.require(Role::Admin)?;
        let reason = reason(&decision.reason)?;
        let now = now_unix();
        let mut tx = self.begin().await?;
        let reg = tx.registration(id).await?.ok_or(AdminError::NotFound)?;
        let status = if decision.approve { "approved" } else { "rejected" };
        if !tx.decide_registration(id, status, who.id(), &reason, now).await? {
            return Err(already_decided());
        }
        if decision.approve {
            let approved = approved_claims(&tx.claim_requests(id).await?);
            self.apply(&mut tx, &reg, &approved, now).await?;
        }
        let action = if decision.approve { "portal.registration.approve" } else { "portal.registration.reject" };
        let detail = serde_json::json!({ "client_id": reg.client_id, "reason": reason });
        finish(tx, who, action, &reg_target(id), detail).await?;
        self.clients.forget(&reg.client_id).await;
        self.registration_by_id(id).await
    }

    /// A steward's decision on one claim of a registration (their group's claims only).
    pub async fn decide_claim(
        &self,
        who: &Principal,
        id: &str,
        claim: &str,
        decision: &Decision,
    ) -> Result<RegistrationView, AdminError> {
        let reason = reason(&decision.reason)?;
        let now = now_unix();
        let mut tx = self.begin().await?;
        let reg = tx.registration(id).await?.ok_or(AdminError::NotFound)?;
        let requests = tx.claim_requests(id).await?;
        let request = requests.iter().find(|r| r.claim == claim).ok_or(AdminError::NotFound)?;
        if !who.stewards_group(&request.data_group_id) {
            return Err(AdminError::Forbidden);
        }
        if !matches!(reg.status.as_str(), "pending" | "approved") {
            return Err(already_decided());
        }
        let decision_text = if decision.approve { "approved" } else { "rejected" };
        if !tx.decide_claim(id, claim, decision_text, who.id(), &reason, now).await? {
            return Err(already_decided());
        }
        // A live client gains the claim at once; a pending one gets it when approved.
        if decision.approve && reg.status == "approved" {
            let client = tx.client(&reg.client_id).await?.ok_or(AdminError::NotFound)?;
            let mut scopes: Vec<String> =
                client.scopes.split(' ').filter(|s| !s.is_empty()).map(String::from).collect();
            let mut claims: Vec<String> =
                client.approved_claims.split(' ').filter(|s| !s.is_empty()).map(String::from).collect();
            push_unique(&mut scopes, scope_of_claim(claim));
            push_unique(&mut claims, claim);
            tx.set_client_grants(&reg.client_id, &scopes.join(" "), &claims.join(" "), now).await?;
        }
        let action = if decision.approve { "portal.claim.approve" } else { "portal.claim.reject" };
        let detail = serde_json::json!({ "client_id": reg.client_id, "claim": claim,
            "data_group": request.data_group_id, "reason": reason });
        finish(tx, who, action, &reg_target(id), detail).await?;
        self.clients.forget(&reg.client_id).await;
        self.registration_by_id(id).await
    }

    /// Registrations visible to `who`: a developer's own; all of them (optionally by status) for
    /// administrators and auditors; for a steward, those waiting for their decision.
    pub async fn registrations(
        &self,
        who: &Principal,
        status: &str,
        before: Option<(i64, String)>,
    ) -> Result<Vec<RegistrationView>, AdminError> {
        let status = if status.is_empty() {
            String::new()
        } else {
            validate::choice("status", status, &["pending", "approved", "rejected", "withdrawn"])?
        };
        let (before_at, before_id) = before.unwrap_or((i64::MAX, String::new()));
        let developer = if who.has(Role::Admin) || who.has(Role::Auditor) {
            String::new()
        } else if who.has(Role::Developer) {
            who.id().to_string()
        } else {
            return Err(AdminError::Forbidden);
        };
        let rows =
            self.store.conn().await?.list_registrations(&status, &developer, before_at, &before_id, PAGE).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(self.view(r).await?);
        }
        Ok(out)
    }

    /// Claim requests waiting for this steward, with their registrations.
    pub async fn steward_queue(
        &self,
        who: &Principal,
    ) -> Result<Vec<(ClaimRequestRecord, RegistrationView)>, AdminError> {
        if !who.is_steward() {
            return Err(AdminError::Forbidden);
        }
        let pending = self.store.conn().await?.pending_claims_for_steward(who.id()).await?;
        let mut out = Vec::with_capacity(pending.len());
        for c in pending {
            let view = self.registration_by_id(&c.registration_id).await?;
            out.push((c, view));
        }
        Ok(out)
    }

    /// One registration, if `who` may see it.
    pub async fn registration(&self, who: &Principal, id: &str) -> Result<RegistrationView, AdminError> {
        let view = self.registration_by_id(id).await?;
        let own = view.record.developer_id == who.id();
        let stewarded = view.claims.iter().any(|c| who.stewards_group(&c.data_group_id));
        if own || stewarded || who.has(Role::Admin) || who.has(Role::Auditor) {
            Ok(view)
        } else {
            // Not revealing that it exists.
            Err(AdminError::NotFound)
        }
    }

    pub async fn registration_logo(&self, who: &Principal, id: &str) -> Result<(String, Vec<u8>), AdminError> {
        self.registration(who, id).await?;
        self.store.conn().await?.registration_logo(id).await?.ok_or(AdminError::NotFound)
    }

    async fn registration_by_id(&self, id: &str) -> Result<RegistrationView, AdminError> {
        let record = self.store.conn().await?.registration(id).await?.ok_or(AdminError::NotFound)?;
        self.view(record).await
    }

    async fn view(&self, record: RegistrationRecord) -> Result<RegistrationView, AdminError> {
        let mut db = self.store.conn().await?;
        let claims = db.claim_requests(&record.id).await?;
        let application_name = db
            .application(&record.application_id)
            .await?
            .map(|a| a.name)
            .unwrap_or_else(|| record.application_id.clone());
        let client_status = db.client(&record.client_id).await?.map(|c| c.status).unwrap_or_else(|| "none".into());
        Ok(RegistrationView { record, claims, application_name, client_status })
    }

    async fn insert_registration(
        &self,
        tx: &mut Tx,
        record: &RegistrationRecord,
        claims: &[(String, String, String)],
        logo: Option<&[u8]>,
    ) -> Result<(), AdminError> {
        tx.insert_registration(record, logo).await?;
        for (claim, purpose, group) in claims {
            tx.insert_claim_request(&ClaimRequestRecord {
                registration_id: record.id.clone(),
                claim: claim.clone(),
                purpose: purpose.clone(),
                data_group_id: group.clone(),
                decision: "pending".into(),
                decided_by: None,
                decided_at: None,
                reason: String::new(),
            })
            .await?;
        }
        Ok(())
    }

    /// Makes an approved registration real: creates the client (`new`) or widens it (`change`),
    /// with exactly the claims approved so far.
    async fn apply(
        &self,
        tx: &mut Tx,
        reg: &RegistrationRecord,
        approved: &[String],
        now: i64,
    ) -> Result<(), AdminError> {
        let redirects: Vec<String> = reg.redirect_uris.lines().map(String::from).collect();
        if reg.purpose == "new" {
            let public = reg.kind == "public";
            let mut scopes: Vec<String> = BASE_SCOPES.iter().map(|s| s.to_string()).collect();
            for c in approved {
                push_unique(&mut scopes, scope_of_claim(c));
            }
            let new = NewClient {
                id: Some(reg.client_id.clone()),
                name: reg.name.clone(),
                kind: if public { ClientKind::Public } else { ClientKind::Confidential },
                auth_method: if public { AuthMethod::None } else { AuthMethod::ClientSecretBasic },
                redirect_uris: redirects,
                post_logout_redirect_uris: vec![],
                grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
                scopes,
                approved_claims: approved.to_vec(),
                // OIDC Core §3.1.3.7: RS256 is what every relying party can verify.
                id_token_alg: SigningAlg::Rs256,
                sector: None,
                jwks: None,
                backchannel_logout_uri: reg.backchannel_logout_uri.clone(),
                skip_consent: false,
            };
            clients::validate(&new).map_err(client_error)?;
            let record = client_record(&new, &reg.client_id, reg.secret_hash.clone(), now);
            tx.insert_client(&record).await.map_err(|e| {
                if e.is_conflict() {
                    AdminError::conflict("client_id", "Klien ini sudah ada.", "This client exists already.")
                } else {
                    e.into()
                }
            })?;
        } else {
            let client = tx.client(&reg.client_id).await?.ok_or(AdminError::NotFound)?;
            tx.set_client_uris(&reg.client_id, &reg.redirect_uris, reg.backchannel_logout_uri.as_deref(), now).await?;
            let mut scopes: Vec<String> =
                client.scopes.split(' ').filter(|s| !s.is_empty()).map(String::from).collect();
            let mut claims: Vec<String> =
                client.approved_claims.split(' ').filter(|s| !s.is_empty()).map(String::from).collect();
            for c in approved {
                push_unique(&mut scopes, scope_of_claim(c));
                push_unique(&mut claims, c);
            }
            tx.set_client_grants(&reg.client_id, &scopes.join(" "), &claims.join(" "), now).await?;
        }
        tx.set_client_application(&reg.client_id, &reg.application_id, now).await?;
        Ok(())
    }

    /// A live client registered by `who`: the approved `new` registration behind it.
    async fn owned_live(&self, who: &Principal, client_id: &str) -> Result<RegistrationRecord, AdminError> {
        let regs = self.store.conn().await?.registrations_for_client(client_id).await?;
        regs.into_iter()
            .find(|r| r.purpose == "new" && r.status == "approved" && r.developer_id == who.id())
            .ok_or(AdminError::NotFound)
    }

    async fn open_application(&self, id: &str) -> Result<String, AdminError> {
        match self.store.conn().await?.application(id.trim()).await? {
            Some(a) if a.onboarding != "retired" => Ok(a.id),
            _ => Err(AdminError::invalid(
                "application_id",
                "Pilih aplikasi yang terdaftar (dan belum dihentikan).",
                "Choose a registered application that is not retired.",
            )),
        }
    }

    async fn checked_uris(
        &self,
        redirect_uris: &str,
        backchannel: &str,
    ) -> Result<(Vec<String>, Option<String>), AdminError> {
        let redirects: Vec<String> =
            redirect_uris.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
        if redirects.is_empty() || redirects.len() > MAX_REDIRECT_URIS {
            return Err(AdminError::invalid(
                "redirect_uris",
                format!("Isi 1 sampai {MAX_REDIRECT_URIS} redirect URI, satu per baris."),
                format!("Give 1 to {MAX_REDIRECT_URIS} redirect URIs, one per line."),
            ));
        }
        let backchannel = Some(backchannel.trim()).filter(|b| !b.is_empty()).map(String::from);
        for uri in &redirects {
            check_redirect_uri(uri).map_err(|e| uri_error("redirect_uris", e))?;
        }
        if let Some(b) = &backchannel {
            check_redirect_uri(b).map_err(|e| uri_error("backchannel_logout_uri", e))?;
        }
        self.clients
            .check_domains(redirects.iter().map(String::as_str))
            .await
            .map_err(|e| uri_error("redirect_uris", e))?;
        self.clients
            .check_domains(backchannel.iter().map(String::as_str))
            .await
            .map_err(|e| uri_error("backchannel_logout_uri", e))?;
        Ok((redirects, backchannel))
    }

    /// (claim, purpose, data group) of each asked claim; each must belong to a data group.
    async fn checked_claims(&self, asks: &[ClaimAsk]) -> Result<Vec<(String, String, String)>, AdminError> {
        let groups = self.claim_groups().await?;
        let mut out: Vec<(String, String, String)> = Vec::new();
        for ask in asks {
            let claim = ask.claim.trim();
            // `opd` is released with `nip` (one scope, one data group, one steward): asking for
            // it alone would be approved for one and release both.
            if claim == "opd" {
                return Err(AdminError::invalid(
                    "claims",
                    "Klaim opd dirilis bersama nip (lingkup nip); mintalah klaim nip.",
                    "The opd claim is released with nip (the nip scope); ask for the nip claim.",
                ));
            }
            let Some((_, group)) = groups.iter().find(|(c, _)| c == claim) else {
                return Err(AdminError::invalid(
                    "claims",
                    format!("Klaim tidak dikenal: {claim:?}."),
                    format!("Unknown claim: {claim:?}."),
                ));
            };
            let purpose = validate::text("claims", &ask.purpose, 500)?;
            if purpose.is_empty() {
                return Err(AdminError::invalid(
                    "claims",
                    format!("Tuliskan tujuan penggunaan klaim {claim} (UU PDP: tujuan yang jelas)."),
                    format!("State the purpose of the {claim} claim (personal-data law: a clear purpose)."),
                ));
            }
            if !out.iter().any(|(c, _, _)| c == claim) {
                out.push((claim.to_string(), purpose, group.clone()));
            }
        }
        Ok(out)
    }
}

fn reg_target(id: &str) -> String {
    super::target("registration", id)
}

fn reason(text: &str) -> Result<String, AdminError> {
    let r = validate::text("reason", text, 1000)?;
    if r.is_empty() {
        return Err(AdminError::invalid(
            "reason",
            "Setiap keputusan wajib diberi alasan.",
            "Every decision needs a reason.",
        ));
    }
    Ok(r)
}

fn already_decided() -> AdminError {
    AdminError::conflict("status", "Permintaan ini sudah diputuskan.", "This request has been decided already.")
}

fn approved_claims(requests: &[ClaimRequestRecord]) -> Vec<String> {
    requests.iter().filter(|r| r.decision == "approved").map(|r| r.claim.clone()).collect()
}

fn scopes_for<'a>(claims: impl Iterator<Item = &'a str>) -> String {
    let mut scopes: Vec<String> = BASE_SCOPES.iter().map(|s| s.to_string()).collect();
    for c in claims {
        push_unique(&mut scopes, scope_of_claim(c));
    }
    scopes.join(" ")
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
}

/// PNG or JPEG, by their signatures; nothing that a browser could run.
fn logo_type(bytes: &[u8]) -> Result<&'static str, AdminError> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(AdminError::invalid(
            "logo",
            format!("Logo paling besar {} KiB.", MAX_LOGO_BYTES >> 10),
            format!("The logo may be at most {} KiB.", MAX_LOGO_BYTES >> 10),
        ));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else {
        Err(AdminError::invalid("logo", "Logo harus berkas PNG atau JPEG.", "The logo must be a PNG or JPEG file."))
    }
}

fn uri_error(field: &'static str, e: ClientError) -> AdminError {
    match e {
        ClientError::Store(s) => AdminError::Store(s),
        ClientError::UnregisteredDomain { uri } => AdminError::invalid(
            field,
            format!("{uri}: host tidak berada pada domain terdaftar (Pasal 11). Daftarkan domainnya dulu."),
            format!("{uri}: the host is not on a registered domain (Pasal 11). Register the domain first."),
        ),
        other => AdminError::invalid(field, format!("URI tidak valid: {other}"), format!("Invalid URI: {other}")),
    }
}

fn client_error(e: ClientError) -> AdminError {
    match e {
        ClientError::Store(s) => AdminError::Store(s),
        ClientError::NotFound => AdminError::NotFound,
        ClientError::UnregisteredDomain { .. } => uri_error("redirect_uris", e),
        other => AdminError::invalid("client", other.to_string(), other.to_string()),
    }
}
