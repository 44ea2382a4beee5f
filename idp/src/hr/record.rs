//! One civil servant as the HR system describes them, checked: the NIP (its own structure), the
//! name, the agency (OPD) code against the register, employment status, and the contacts the HR
//! system holds (where activation codes go).

use std::collections::HashSet;

use gerbang_core::ids::{Nip, NipError};
use gerbang_core::lang::{Lang, Localized};

use crate::accounts::{MAX_NAME_LEN, validate_name};
use crate::notify::mail::normalize_address;
use crate::notify::sms::normalize_phone;

/// A row as received (CSV cells or SCIM attributes), not yet checked.
#[derive(Debug, Clone, Default)]
pub struct StaffInput {
    pub nip: String,
    pub name: String,
    /// The OPD code; empty to leave the OPD as it is.
    pub opd: String,
    /// `aktif` (or empty) or one of the words for having left: `keluar`, `pensiun`, `berhenti`,
    /// `meninggal`, `nonaktif`.
    pub status: String,
    pub email: String,
    pub phone: String,
}

/// A checked civil servant record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub nip: Nip,
    pub name: String,
    pub opd: Option<String>,
    /// False when the person has left the service.
    pub active: bool,
    pub email: Option<String>,
    /// E.164 (`+628…`).
    pub phone: Option<String>,
}

/// Why one record is refused; the other records go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowError {
    BadNip(NipError),
    BadName,
    UnknownOpd(String),
    NoOpd,
    BadStatus(String),
    BadEmail,
    BadPhone,
    /// The same NIP already came on an earlier line of the file.
    DuplicateNip {
        first_line: usize,
    },
    /// The NIP belonged to another account once (NIPs are never reused).
    NipOfAnother,
    /// The store refused the write (the message says why).
    Refused(String),
}

impl Localized for RowError {
    fn message(&self, lang: Lang) -> String {
        let (id, en) = match self {
            RowError::BadNip(e) => return format!("NIP: {}", e.message(lang)),
            RowError::BadName => (
                format!("Nama kosong, lebih dari {MAX_NAME_LEN} karakter, atau berisi karakter kendali."),
                format!("The name is empty, longer than {MAX_NAME_LEN} characters, or has control characters."),
            ),
            RowError::UnknownOpd(code) => (
                format!("Kode OPD \"{code}\" tidak dikenal atau sudah tidak aktif di register OPD."),
                format!("OPD code \"{code}\" is unknown or retired in the OPD register."),
            ),
            RowError::NoOpd => (
                "Kode OPD wajib diisi untuk pegawai baru yang aktif.".into(),
                "An OPD code is required for a new active employee.".into(),
            ),
            RowError::BadStatus(s) => (
                format!("Status \"{s}\" tidak dikenal (gunakan aktif atau keluar)."),
                format!("Unknown status \"{s}\" (use aktif or keluar)."),
            ),
            RowError::BadEmail => ("Alamat email tidak valid.".into(), "The email address is not valid.".into()),
            RowError::BadPhone => (
                "Nomor HP tidak valid (nomor seluler Indonesia, mis. 0812…).".into(),
                "The mobile number is not valid (an Indonesian mobile number, e.g. 0812…).".into(),
            ),
            RowError::DuplicateNip { first_line } => (
                format!("NIP ini sudah ada di baris {first_line}."),
                format!("This NIP already appears on line {first_line}."),
            ),
            RowError::NipOfAnother => (
                "NIP ini pernah dipakai akun lain dan tidak dapat dipakai lagi.".into(),
                "This NIP was used by another account and cannot be used again.".into(),
            ),
            RowError::Refused(why) => (format!("Tidak dapat disimpan: {why}"), format!("Could not be saved: {why}")),
        };
        match lang {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}

const LEFT: &[&str] = &["keluar", "pensiun", "berhenti", "meninggal", "nonaktif", "left", "inactive"];
const ACTIVE: &[&str] = &["", "aktif", "active"];

impl StaffInput {
    /// Checks every field; `opds` holds the codes of the active OPDs.
    pub fn check(&self, opds: &HashSet<String>) -> Result<StaffRecord, RowError> {
        let nip = Nip::parse(&self.nip).map_err(RowError::BadNip)?;
        let name = validate_name(&self.name).map_err(|_| RowError::BadName)?.to_string();
        let status = self.status.trim().to_lowercase();
        let active = if ACTIVE.contains(&status.as_str()) {
            true
        } else if LEFT.contains(&status.as_str()) {
            false
        } else {
            return Err(RowError::BadStatus(truncate(self.status.trim())));
        };
        let opd = match self.opd.trim() {
            "" => None,
            code if opds.contains(code) => Some(code.to_string()),
            code => return Err(RowError::UnknownOpd(truncate(code))),
        };
        let email = match self.email.trim() {
            "" => None,
            e => Some(normalize_address(e).ok_or(RowError::BadEmail)?),
        };
        let phone = match self.phone.trim() {
            "" => None,
            p => Some(normalize_phone(p).ok_or(RowError::BadPhone)?),
        };
        Ok(StaffRecord { nip, name, opd, active, email, phone })
    }
}

/// A value echoed in a message, cut short so a hostile cell cannot flood the report.
fn truncate(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opds() -> HashSet<String> {
        ["DISKOMINFO".to_string()].into_iter().collect()
    }

    fn input(nip: &str, opd: &str, status: &str) -> StaffInput {
        StaffInput {
            nip: nip.into(),
            name: "Rina Marlina".into(),
            opd: opd.into(),
            status: status.into(),
            email: " Rina@Contoh.ID ".into(),
            phone: "0812-3456-7890".into(),
        }
    }

    #[test]
    fn a_good_row_is_normalised() {
        let r = input("199001012015032001", "DISKOMINFO", "Aktif").check(&opds()).unwrap();
        assert_eq!(r.opd.as_deref(), Some("DISKOMINFO"));
        assert!(r.active);
        assert_eq!(r.email.as_deref(), Some("Rina@contoh.id"));
        assert_eq!(r.phone.as_deref(), Some("+6281234567890"));
        assert!(!input("199001012015032001", "", "pensiun").check(&opds()).unwrap().active);
    }

    #[test]
    fn each_bad_field_is_named() {
        assert!(matches!(input("19900101201503200", "DISKOMINFO", "").check(&opds()), Err(RowError::BadNip(_))));
        assert_eq!(
            input("199001012015032001", "DINAS-X", "").check(&opds()),
            Err(RowError::UnknownOpd("DINAS-X".into()))
        );
        assert!(matches!(input("199001012015032001", "", "cuti").check(&opds()), Err(RowError::BadStatus(_))));
        let mut bad_mail = input("199001012015032001", "", "");
        bad_mail.email = "rina@".into();
        assert_eq!(bad_mail.check(&opds()), Err(RowError::BadEmail));
        let long = "x".repeat(500);
        let Err(RowError::UnknownOpd(shown)) = input("199001012015032001", &long, "").check(&opds()) else {
            panic!("unknown OPD expected")
        };
        assert!(shown.chars().count() <= 41, "echoed values are cut short");
    }
}
