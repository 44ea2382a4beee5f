//! TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, ±1 step of clock skew) with the totp-rs
//! crate. Secrets are sealed at rest; a code works once (RFC 6238 §5.2) because the step it
//! matched must be above the last step used, checked atomically in the database.

use gerbang_core::audit::{self, AuditEvent};
use gerbang_core::crypto::Sealer;
use gerbang_core::store::{FactorStore, Store, StoreError, now_unix};
use qrcode::QrCode;
use qrcode::render::svg;
use serde_json::json;
use totp_rs::{Builder, Secret, Totp};

use super::recovery;

const ISSUER: &str = "SSO Padang Panjang";
/// A started enrolment shows the same secret for this long, so a page reload does not change it.
const PENDING_SECS: i64 = 600;

#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("TOTP secret: {0}")]
    Secret(String),
}

/// What the enrolment page shows.
pub struct Enrolment {
    /// Base32, grouped by four for typing.
    pub secret_text: String,
    pub otpauth_url: String,
    /// The QR code of `otpauth_url` as an SVG element.
    pub qr_svg: String,
}

#[derive(Clone)]
pub struct TotpService {
    store: Store,
    sealer: Sealer,
}

impl TotpService {
    pub fn new(store: Store, sealer: Sealer) -> TotpService {
        TotpService { store, sealer }
    }

    /// Starts an enrolment (or shows the one started in the last ten minutes).
    pub async fn enrolment(&self, account_id: &str, label: &str) -> Result<Enrolment, TotpError> {
        let now = now_unix();
        let existing = self.store.conn().await?.totp(account_id).await?;
        let secret = match existing {
            Some(t) if t.confirmed_at.is_none() && now - t.created_at < PENDING_SECS => {
                self.open(account_id, &t.secret_sealed)?
            }
            _ => {
                // 160 bits, the HMAC-SHA-1 key length RFC 4226 §4 recommends.
                let mut bytes = vec![0u8; 20];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
                let mut tx = self.store.begin().await?;
                tx.put_pending_totp(account_id, &self.sealer.seal(&bytes, account_id.as_bytes()), now).await?;
                tx.commit().await?;
                bytes
            }
        };
        let totp = build(&secret, label)?;
        let otpauth_url = totp.to_url().map_err(|e| TotpError::Secret(e.to_string()))?;
        let base32 = totp.secret().to_base32();
        let secret_text =
            base32.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ");
        let qr = QrCode::new(otpauth_url.as_bytes()).map_err(|e| TotpError::Secret(e.to_string()))?;
        let qr_svg = qr.render::<svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build();
        Ok(Enrolment { secret_text, otpauth_url, qr_svg })
    }

    /// Confirms a pending enrolment with a first code; returns the new recovery codes (shown once).
    pub async fn confirm(&self, account_id: &str, code: &str) -> Result<Option<Vec<String>>, TotpError> {
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        let Some(pending) = tx.totp(account_id).await?.filter(|t| t.confirmed_at.is_none()) else {
            return Ok(None);
        };
        let secret = self.open(account_id, &pending.secret_sealed)?;
        let Some(step) = build(&secret, "")?.check(code.trim(), now as u64) else { return Ok(None) };
        if !tx.use_totp_step(account_id, step as i64).await? || !tx.confirm_totp(account_id, now).await? {
            return Ok(None);
        }
        let codes = recovery::generate();
        let hashes: Vec<Vec<u8>> = codes.iter().map(|c| recovery::hash(c)).collect();
        tx.replace_recovery_codes(account_id, &hashes, now).await?;
        let event =
            AuditEvent { actor: account_id, action: "factor.totp_enrol", target: account_id, detail: json!({}) };
        audit::append(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(Some(codes))
    }

    /// Checks a code against the confirmed secret; a code is accepted once.
    pub async fn verify(&self, account_id: &str, code: &str) -> Result<bool, TotpError> {
        let Some(t) = self.store.conn().await?.totp(account_id).await?.filter(|t| t.confirmed_at.is_some()) else {
            return Ok(false);
        };
        let secret = self.open(account_id, &t.secret_sealed)?;
        let Some(step) = build(&secret, "")?.check(code.trim(), now_unix() as u64) else { return Ok(false) };
        let mut tx = self.store.begin().await?;
        let fresh = tx.use_totp_step(account_id, step as i64).await?;
        tx.commit().await?;
        Ok(fresh)
    }

    /// Uses a recovery code; returns how many remain, or `None` when the code is not valid.
    pub async fn use_recovery_code(&self, account_id: &str, code: &str) -> Result<Option<i64>, TotpError> {
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        if !tx.use_recovery_code(account_id, &recovery::hash(code), now).await? {
            return Ok(None);
        }
        let left = tx.recovery_codes_left(account_id).await?;
        let event = AuditEvent {
            actor: account_id,
            action: "factor.recovery_code_used",
            target: account_id,
            detail: json!({ "left": left }),
        };
        audit::append(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(Some(left))
    }

    /// Removes TOTP and the recovery codes.
    pub async fn remove(&self, account_id: &str, actor: &str) -> Result<(), TotpError> {
        let now = now_unix();
        let mut tx = self.store.begin().await?;
        tx.delete_totp(account_id).await?;
        tx.replace_recovery_codes(account_id, &[], now).await?;
        let event = AuditEvent { actor, action: "factor.totp_remove", target: account_id, detail: json!({}) };
        audit::append(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(())
    }

    fn open(&self, account_id: &str, sealed: &[u8]) -> Result<Vec<u8>, TotpError> {
        Ok(self.sealer.open(sealed, account_id.as_bytes()).map_err(|e| TotpError::Secret(e.to_string()))?.to_vec())
    }
}

fn build(secret: &[u8], label: &str) -> Result<Totp, TotpError> {
    Builder::new()
        .with_secret(Secret::new(secret.to_vec().into_boxed_slice()))
        .with_issuer(Some(ISSUER))
        .with_account_name(if label.is_empty() { "akun" } else { label })
        .build()
        .map_err(|e| TotpError::Secret(e.to_string()))
}
