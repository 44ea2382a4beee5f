//! NIP: the 18-digit number of a civil servant (PNS) or PPPK employee, parsed, classified and checked.
//!
//! Layout (Perka BKN 22/2007; brief §1.1): `YYYYMMDD YYYYMM G NNN` = birth date, TMT CPNS year and
//! month, sex (1 male, 2 female), sequence from 001. PPPK numbers (NI PPPK, Peraturan BKN 1/2019;
//! brief §1.4) use `YYYYMMDD YYYY CC G NNN`, where `CC` is a code above 12 (21 regular, 24 part-time
//! seen in practice; its meaning is unconfirmed, so it is checked only as two digits).
//!
//! The PNS/PPPK split is a heuristic on digits 13–14; the employee type in SIASN is the authority.
//! A NIP is not a stable key either (a PPPK gets a new number with a new institution): store it as
//! an attribute of an internal subject, never as `sub`.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;
use time::{Date, Month, OffsetDateTime};

use super::{Sex, normalise, number};
use crate::lang::{Lang, Localized};

const NIP_LEN: usize = 18;
/// Lower bound of a sane birth year (brief §1.2 rule 2); anyone born earlier has long retired.
const MIN_BIRTH_YEAR: i32 = 1940;
/// CPNS minimum age (brief §1.2 soft rule).
const MIN_AGE_AT_APPOINTMENT: i32 = 18;

/// A well-formed NIP or NI PPPK: exactly 18 ASCII digits after normalisation.
///
/// A NIP is not secret (it is printed on decision letters and name badges), so `Debug` and
/// `Display` show it in full.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Nip(String);

/// Kind of civil servant, guessed from digits 13–14 (a month for PNS, a code above 12 for PPPK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JenisPegawai {
    /// Pegawai Negeri Sipil (and CPNS): digits 13–14 are the TMT month.
    Pns,
    /// Pegawai Pemerintah dengan Perjanjian Kerja: digits 13–14 are a code above 12.
    Pppk,
}

/// What the digits of a valid NIP say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NipInfo {
    pub birth_date: Date,
    /// Digits 9–12: year of the first appointment (TMT CPNS, or first year as calon PPPK).
    pub appointment_year: i32,
    /// Digits 13–14 for a PNS (TMT always starts on the 1st); `None` for PPPK.
    pub appointment_month: Option<u8>,
    /// Digits 13–14 for a PPPK (e.g. 21, 24); `None` for PNS.
    pub pppk_code: Option<u8>,
    pub sex: Sex,
    /// Digits 16–18, from 1; it only rises when the first 15 digits collide.
    pub sequence: u16,
    pub jenis: JenisPegawai,
}

/// Soft rules (brief §1.2): worth showing to an administrator, never a reason to block a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NipWarning {
    /// The appointment is earlier than the 18th birthday (CPNS minimum age).
    AppointedBeforeAge18,
    /// The appointment is after today.
    AppointmentInFuture,
}

/// Why an input is not a well-formed NIP (hard rules of brief §1.2). `Display` is Indonesian; use
/// [`Localized::message`] for another language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum NipError {
    #[error("NIP belum diisi.")]
    Empty,
    #[error(
        "NIP hanya boleh berisi angka (spasi, titik, dan tanda hubung diabaikan); karakter '{}' tidak diperbolehkan.",
        .ch.escape_debug()
    )]
    InvalidCharacter { ch: char },
    #[error("NIP harus 18 digit, bukan {len} digit.")]
    WrongLength { len: usize },
    #[error("Digit ke-1 sampai 8 NIP (tanggal lahir, TTTTBBHH) bukan tanggal yang ada di kalender.")]
    InvalidBirthDate,
    #[error("Digit ke-1 sampai 4 NIP (tahun lahir) harus antara 1940 dan tahun ini, bukan {year}.")]
    BirthYearOutOfRange { year: i32 },
    #[error(
        "Digit ke-13 dan 14 NIP (bulan TMT) harus 01–12 untuk PNS atau kode di atas 12 untuk PPPK, bukan {month:02}."
    )]
    InvalidAppointmentMonth { month: u8 },
    #[error("Digit ke-9 sampai 12 NIP (tahun pengangkatan) lebih awal dari tahun lahir (digit ke-1 sampai 4).")]
    AppointmentBeforeBirth,
    #[error("Digit ke-15 NIP (jenis kelamin) harus 1 atau 2, bukan {}.", .digit.escape_debug())]
    InvalidSex { digit: char },
    #[error("Digit ke-16 sampai 18 NIP (nomor urut) tidak boleh 000; nomor urut dimulai dari 001.")]
    ZeroSequence,
}

/// The text given to [`JenisPegawai::from_str`] is neither `PNS` nor `PPPK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("Jenis pegawai harus PNS atau PPPK.")]
pub struct UnknownJenisPegawai;

impl Nip {
    /// Parses and checks a NIP, taking today's date (UTC) as the upper bound of the birth year.
    pub fn parse(input: &str) -> Result<Nip, NipError> {
        Nip::parse_at(input, OffsetDateTime::now_utc().date())
    }

    /// Parses and checks a NIP against a given `today` (tests, or replaying an old decision).
    /// Errors are reported for the first rule broken, in digit order.
    pub fn parse_at(input: &str, today: Date) -> Result<Nip, NipError> {
        let digits = normalise(input).map_err(|ch| NipError::InvalidCharacter { ch })?;
        if digits.is_empty() {
            return Err(NipError::Empty);
        }
        if digits.len() != NIP_LEN {
            return Err(NipError::WrongLength { len: digits.len() });
        }
        let year = number(&digits[0..4]) as i32;
        if !(MIN_BIRTH_YEAR..=today.year()).contains(&year) {
            return Err(NipError::BirthYearOutOfRange { year });
        }
        decode(&digits)?;
        Ok(Nip(digits))
    }

    /// The 18 digits, without separators.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the digits say (birth date, appointment, sex, sequence, PNS or PPPK).
    pub fn info(&self) -> NipInfo {
        decode(&self.0).expect("a Nip holds only digits that passed decode()")
    }

    /// Soft-rule findings against `today`; empty when nothing looks odd.
    pub fn warnings_at(&self, today: Date) -> Vec<NipWarning> {
        let info = self.info();
        let mut warnings = Vec::new();
        // Compare at month precision: the TMT carries no day (it always starts on the 1st). A PPPK
        // number carries only the year, so give it the benefit of the doubt both ways: assume
        // December for the age check and January for the future check.
        let adult = (info.birth_date.year() + MIN_AGE_AT_APPOINTMENT, u8::from(info.birth_date.month()));
        let latest = (info.appointment_year, info.appointment_month.unwrap_or(12));
        let earliest = (info.appointment_year, info.appointment_month.unwrap_or(1));
        if latest < adult {
            warnings.push(NipWarning::AppointedBeforeAge18);
        }
        if earliest > (today.year(), u8::from(today.month())) {
            warnings.push(NipWarning::AppointmentInFuture);
        }
        warnings
    }
}

/// Hard rules after the length check and birth-year range, in digit order. Independent of the
/// date, so [`Nip::info`] can rerun it.
fn decode(d: &str) -> Result<NipInfo, NipError> {
    let year = number(&d[0..4]) as i32;
    let month = Month::try_from(number(&d[4..6]) as u8).map_err(|_| NipError::InvalidBirthDate)?;
    let birth_date =
        Date::from_calendar_date(year, month, number(&d[6..8]) as u8).map_err(|_| NipError::InvalidBirthDate)?;

    let appointment_year = number(&d[8..12]) as i32;
    let code = number(&d[12..14]) as u8;
    let (jenis, appointment_month, pppk_code) = match code {
        0 => return Err(NipError::InvalidAppointmentMonth { month: code }),
        1..=12 => (JenisPegawai::Pns, Some(code), None),
        _ => (JenisPegawai::Pppk, None, Some(code)),
    };
    if appointment_year < year {
        return Err(NipError::AppointmentBeforeBirth);
    }

    let sex = match d.as_bytes()[14] {
        b'1' => Sex::Male,
        b'2' => Sex::Female,
        other => {
            return Err(NipError::InvalidSex { digit: char::from(other) });
        }
    };
    let sequence = number(&d[15..18]) as u16;
    if sequence == 0 {
        return Err(NipError::ZeroSequence);
    }
    Ok(NipInfo { birth_date, appointment_year, appointment_month, pppk_code, sex, sequence, jenis })
}

impl fmt::Display for Nip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl JenisPegawai {
    /// The label used by BKN and in the `jenis_pegawai` claim.
    pub fn as_str(self) -> &'static str {
        match self {
            JenisPegawai::Pns => "PNS",
            JenisPegawai::Pppk => "PPPK",
        }
    }
}

impl fmt::Display for JenisPegawai {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JenisPegawai {
    type Err = UnknownJenisPegawai;

    /// Accepts `PNS` or `PPPK` in any case, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            t if t.eq_ignore_ascii_case("PNS") => Ok(JenisPegawai::Pns),
            t if t.eq_ignore_ascii_case("PPPK") => Ok(JenisPegawai::Pppk),
            _ => Err(UnknownJenisPegawai),
        }
    }
}

impl Localized for NipError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => match self {
                NipError::Empty => "The NIP is empty.".into(),
                NipError::InvalidCharacter { ch } => format!(
                    "The NIP may contain only digits (spaces, dots and hyphens are ignored); the character '{}' is not allowed.",
                    ch.escape_debug()
                ),
                NipError::WrongLength { len } => {
                    format!("The NIP must have 18 digits, not {len}.")
                }
                NipError::InvalidBirthDate => {
                    "Digits 1–8 of the NIP (date of birth, YYYYMMDD) are not a real calendar date.".into()
                }
                NipError::BirthYearOutOfRange { year } => format!(
                    "Digits 1–4 of the NIP (year of birth) must be between 1940 and the current year, not {year}."
                ),
                NipError::InvalidAppointmentMonth { month } => format!(
                    "Digits 13–14 of the NIP (appointment month, TMT) must be 01–12 for a PNS or a code above 12 for a PPPK, not {month:02}."
                ),
                NipError::AppointmentBeforeBirth => {
                    "Digits 9–12 of the NIP (year of appointment) are earlier than the year of birth (digits 1–4)."
                        .into()
                }
                NipError::InvalidSex { digit } => {
                    format!("Digit 15 of the NIP (sex) must be 1 or 2, not {}.", digit.escape_debug())
                }
                NipError::ZeroSequence => {
                    "Digits 16–18 of the NIP (sequence number) must not be 000; numbering starts at 001.".into()
                }
            },
        }
    }
}

impl Localized for NipWarning {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (NipWarning::AppointedBeforeAge18, Lang::Id) => {
                "Tanggal pengangkatan (TMT, digit ke-9 sampai 14 NIP) kurang dari 18 tahun setelah tanggal lahir; periksa data kepegawaian."
            }
            (NipWarning::AppointedBeforeAge18, Lang::En) => {
                "The appointment date (TMT, digits 9–14 of the NIP) is less than 18 years after the date of birth; check the HR record."
            }
            (NipWarning::AppointmentInFuture, Lang::Id) => {
                "Tanggal pengangkatan (TMT, digit ke-9 sampai 14 NIP) masih di masa depan; periksa data kepegawaian."
            }
            (NipWarning::AppointmentInFuture, Lang::En) => {
                "The appointment date (TMT, digits 9–14 of the NIP) is in the future; check the HR record."
            }
        }
        .into()
    }
}

impl fmt::Display for NipWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Id))
    }
}

impl Localized for UnknownJenisPegawai {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => "The employee type must be PNS or PPPK.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2025 - 06 - 15);

    fn parse(s: &str) -> Result<Nip, NipError> {
        Nip::parse_at(s, TODAY)
    }

    /// Synthetic fixture built from its fields (no real person's number).
    fn nip(birth: &str, appointment: &str, sex: &str, seq: &str) -> String {
        format!("{birth}{appointment}{sex}{seq}")
    }

    #[test]
    fn valid_pns_is_decoded() {
        let n = parse("199003152015031001").unwrap();
        assert_eq!(n.as_str(), "199003152015031001");
        assert_eq!(
            n.info(),
            NipInfo {
                birth_date: date!(1990 - 03 - 15),
                appointment_year: 2015,
                appointment_month: Some(3),
                pppk_code: None,
                sex: Sex::Male,
                sequence: 1,
                jenis: JenisPegawai::Pns,
            }
        );
        assert!(n.warnings_at(TODAY).is_empty());
    }

    #[test]
    fn separators_are_normalised() {
        for input in
            ["19900315 201503 1 001", "19900315.201503.1.001", "19900315-201503-1-001", " 19900315 - 201503 . 1 001 "]
        {
            assert_eq!(parse(input).unwrap().as_str(), "199003152015031001", "{input:?}");
        }
    }

    #[test]
    fn hard_rules() {
        use NipError::*;
        let cases: &[(&str, Result<(), NipError>)] = &[
            // Shape.
            ("", Err(Empty)),
            (" .-", Err(Empty)),
            ("19900315201503100A", Err(InvalidCharacter { ch: 'A' })),
            ("19900315\t201503 1 001", Err(InvalidCharacter { ch: '\t' })),
            ("19900315_201503_1_001", Err(InvalidCharacter { ch: '_' })),
            ("19900315201503100", Err(WrongLength { len: 17 })),
            ("1990031520150310011", Err(WrongLength { len: 19 })),
            // Birth date (digits 1–8).
            (&nip("19900230", "201503", "1", "001"), Err(InvalidBirthDate)), // 30 February
            (&nip("19900431", "201503", "1", "001"), Err(InvalidBirthDate)), // 31 April
            (&nip("19901301", "201503", "1", "001"), Err(InvalidBirthDate)), // month 13
            (&nip("19900001", "201503", "1", "001"), Err(InvalidBirthDate)), // month 00
            (&nip("19900100", "201503", "1", "001"), Err(InvalidBirthDate)), // day 00
            (&nip("19920229", "201503", "1", "001"), Ok(())),                // leap year
            (&nip("19910229", "201503", "1", "001"), Err(InvalidBirthDate)), // not leap
            (&nip("20000229", "201503", "1", "001"), Ok(())),                // 2000 is leap
            // Birth year 1940..=today's year.
            (&nip("19391231", "196001", "1", "001"), Err(BirthYearOutOfRange { year: 1939 })),
            (&nip("19400101", "196001", "1", "001"), Ok(())),
            (&nip("20250101", "202501", "1", "001"), Ok(())),
            (&nip("20260101", "202601", "1", "001"), Err(BirthYearOutOfRange { year: 2026 })),
            (&nip("00000000", "000000", "0", "000"), Err(BirthYearOutOfRange { year: 0 })),
            // Appointment (digits 9–14).
            (&nip("19900315", "201500", "1", "001"), Err(InvalidAppointmentMonth { month: 0 })),
            (&nip("19900315", "201501", "1", "001"), Ok(())),
            (&nip("19900315", "201512", "1", "001"), Ok(())),
            (&nip("19900315", "198903", "1", "001"), Err(AppointmentBeforeBirth)),
            (&nip("19900315", "198921", "1", "001"), Err(AppointmentBeforeBirth)), // PPPK too
            (&nip("19900315", "199001", "1", "001"), Ok(())),                      // same year: only a warning
            // Sex (digit 15).
            (&nip("19900315", "201503", "2", "001"), Ok(())),
            (&nip("19900315", "201503", "3", "001"), Err(InvalidSex { digit: '3' })),
            (&nip("19900315", "201503", "0", "001"), Err(InvalidSex { digit: '0' })),
            // Sequence (digits 16–18).
            (&nip("19900315", "201503", "1", "000"), Err(ZeroSequence)),
            (&nip("19900315", "201503", "1", "999"), Ok(())),
            // Several faults: the first in digit order wins.
            (&nip("19900230", "201500", "3", "000"), Err(InvalidBirthDate)),
            (&nip("19900315", "201500", "3", "000"), Err(InvalidAppointmentMonth { month: 0 })),
            (&nip("19900315", "201503", "3", "000"), Err(InvalidSex { digit: '3' })),
        ];
        for (input, expected) in cases {
            assert_eq!(&parse(input).map(|_| ()), expected, "{input:?}");
        }
    }

    #[test]
    fn pppk_is_classified() {
        let n = parse(&nip("19900315", "202221", "2", "007")).unwrap();
        let info = n.info();
        assert_eq!(info.jenis, JenisPegawai::Pppk);
        assert_eq!(info.appointment_year, 2022);
        assert_eq!(info.appointment_month, None);
        assert_eq!(info.pppk_code, Some(21));
        assert_eq!(info.sex, Sex::Female);
        assert_eq!(info.sequence, 7);
        // Part-time PPPK (2025) and any other two-digit code above 12 are accepted.
        for code in ["24", "13", "99"] {
            let info = parse(&nip("19900315", &format!("2025{code}"), "1", "001")).unwrap().info();
            assert_eq!(info.jenis, JenisPegawai::Pppk, "{code}");
            assert_eq!(info.pppk_code, Some(code.parse().unwrap()));
        }
        // 12 is still a month.
        let info = parse(&nip("19900315", "201512", "1", "001")).unwrap().info();
        assert_eq!((info.jenis, info.appointment_month), (JenisPegawai::Pns, Some(12)));
    }

    #[test]
    fn soft_rules() {
        use NipWarning::*;
        let cases: &[(&str, &[NipWarning])] = &[
            (&nip("19900315", "201503", "1", "001"), &[]),
            // Appointed in the month of the 18th birthday: fine at month precision.
            (&nip("19900315", "200803", "1", "001"), &[]),
            (&nip("19900315", "200802", "1", "001"), &[AppointedBeforeAge18]),
            (&nip("19900315", "199001", "1", "001"), &[AppointedBeforeAge18]),
            // PPPK carries a year only: warn only if even December is too early.
            (&nip("19900315", "200821", "1", "001"), &[]),
            (&nip("19900315", "200721", "1", "001"), &[AppointedBeforeAge18]),
            // Future, relative to TODAY = 2025-06-15.
            (&nip("19900315", "202506", "1", "001"), &[]),
            (&nip("19900315", "202507", "1", "001"), &[AppointmentInFuture]),
            (&nip("19900315", "202521", "1", "001"), &[]),
            (&nip("19900315", "202621", "1", "001"), &[AppointmentInFuture]),
            (&nip("20100101", "202601", "2", "001"), &[AppointedBeforeAge18, AppointmentInFuture]),
        ];
        for (input, expected) in cases {
            let n = parse(input).unwrap();
            assert_eq!(n.warnings_at(TODAY), *expected, "{input:?}");
        }
    }

    #[test]
    fn shown_in_full() {
        let n = parse("19900315 201503 2 001").unwrap();
        assert_eq!(n.to_string(), "199003152015032001");
        assert!(format!("{n:?}").contains("199003152015032001"));
    }

    #[test]
    fn parse_uses_the_clock() {
        assert!(Nip::parse("199003152015031001").is_ok());
        assert_eq!(Nip::parse("193903152015031001"), Err(NipError::BirthYearOutOfRange { year: 1939 }));
    }

    #[test]
    fn jenis_pegawai_round_trips() {
        for j in [JenisPegawai::Pns, JenisPegawai::Pppk] {
            assert_eq!(j.as_str().parse::<JenisPegawai>(), Ok(j));
            assert_eq!(j.to_string(), j.as_str());
        }
        assert_eq!(" pppk ".parse::<JenisPegawai>(), Ok(JenisPegawai::Pppk));
        assert_eq!("Pns".parse::<JenisPegawai>(), Ok(JenisPegawai::Pns));
        assert_eq!("honorer".parse::<JenisPegawai>(), Err(UnknownJenisPegawai));
        assert_eq!("".parse::<JenisPegawai>(), Err(UnknownJenisPegawai));
        assert_ne!(UnknownJenisPegawai.message(Lang::Id), UnknownJenisPegawai.message(Lang::En));
    }

    #[test]
    fn sex_message_matches_the_house_example() {
        let e = NipError::InvalidSex { digit: '3' };
        assert_eq!(e.message(Lang::Id), "Digit ke-15 NIP (jenis kelamin) harus 1 atau 2, bukan 3.");
        assert_eq!(e.message(Lang::En), "Digit 15 of the NIP (sex) must be 1 or 2, not 3.");
        assert_eq!(e.to_string(), e.message(Lang::Id));
    }

    #[test]
    fn every_message_is_specific_in_both_languages() {
        let errors = [
            NipError::Empty,
            NipError::InvalidCharacter { ch: 'x' },
            NipError::WrongLength { len: 17 },
            NipError::InvalidBirthDate,
            NipError::BirthYearOutOfRange { year: 1939 },
            NipError::InvalidAppointmentMonth { month: 0 },
            NipError::AppointmentBeforeBirth,
            NipError::InvalidSex { digit: '3' },
            NipError::ZeroSequence,
        ];
        let warnings = [NipWarning::AppointedBeforeAge18, NipWarning::AppointmentInFuture];
        let messages: Vec<&dyn Localized> =
            errors.iter().map(|e| e as &dyn Localized).chain(warnings.iter().map(|w| w as &dyn Localized)).collect();
        for lang in [Lang::Id, Lang::En] {
            let texts: Vec<String> = messages.iter().map(|m| m.message(lang)).collect();
            assert!(texts.iter().all(|t| !t.trim().is_empty() && t.contains("NIP")));
            assert_eq!(texts.iter().collect::<HashSet<_>>().len(), texts.len(), "{lang:?}");
        }
        for m in &messages {
            assert_ne!(m.message(Lang::Id), m.message(Lang::En));
        }
        // The bad value is named.
        assert!(errors[1].message(Lang::En).contains("'x'"));
        assert!(errors[2].message(Lang::Id).contains("17"));
        assert!(errors[4].message(Lang::En).contains("1939"));
        assert!(errors[5].message(Lang::Id).contains("bukan 00"));
        assert!(NipError::InvalidCharacter { ch: '\t' }.message(Lang::Id).contains("'\\t'"));
    }
}
