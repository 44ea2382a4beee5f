//! NIK: the 16-digit population number of a resident, parsed, checked and kept masked (personal data).
//!
//! Layout (Dukcapil; brief §2.1): `PP KK CC DD MM YY SSSS` = province, kab/kota, kecamatan where
//! the NIK was first registered (not where the person lives now), birth day (+40 for women),
//! month, two-digit year, serial from 0001. A NIK is for life and never re-issued, even when the
//! date inside it is wrong (PP 40/2019 Pasal 30(2)), so treat the encoded date as data, not truth.
//!
//! A NIK is personal data under UU 27/2022 (PDP): `Debug` and `Display` show only the masked form
//! (brief §2.6), there is no `Serialize`, and [`Nik::expose`] is the single, greppable way to the
//! clear digits. Error and warning messages name the faulty field, never the whole number.

use std::fmt;
use std::hash::{Hash, Hasher};

use thiserror::Error;
use time::{Date, Month, OffsetDateTime};

use super::{Sex, normalise, number, region};
use crate::lang::{Lang, Localized};

const NIK_LEN: usize = 16;
/// Dukcapil encodes a woman's birth day as day + 40 (brief §2.1).
const FEMALE_DAY_OFFSET: u8 = 40;

/// A well-formed NIK: 16 digits after normalisation, known province, real birth date, serial ≠ 0000.
///
/// Equality and hashing use the digits only. The century chosen at parse time (see
/// [`Nik::parse_at`]) is kept with the value so that [`Nik::info`] never changes as the clock moves.
#[derive(Clone)]
pub struct Nik {
    digits: String,
    info: NikInfo,
}

/// What the digits of a valid NIK say.
///
/// Together these fields rebuild the whole NIK, so `Debug` shows only the province and regency.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct NikInfo {
    /// Digits 1–2 (`PP`), one of the 38 provinces.
    pub province_code: u8,
    pub province_name: &'static str,
    /// Digits 1–4 (`PPKK`), e.g. 1374 = Kota Padang Panjang. May be unknown (see [`NikWarning`]).
    pub regency_code: u16,
    /// Digits 1–6 (`PPKKCC`), e.g. 137401 = Padang Panjang Timur.
    pub district_code: u32,
    /// Digits 7–12, day already reduced by 40 for women, century by the heuristic of `parse_at`.
    pub birth_date: Date,
    pub sex: Sex,
    /// Digits 13–16, from 1.
    pub serial: u16,
}

/// Soft rules (brief §2.2): codes missing from the current Kemendagri list. Older NIKs carry codes
/// from before regions were split or renumbered, so these never reject a NIK.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NikWarning {
    /// Digits 1–4 are not a kab/kota in the list (4-digit code).
    UnknownRegency { code: String },
    /// Digits 1–6 are not a kecamatan in the list (6-digit code); the regency is known.
    UnknownDistrict { code: String },
}

/// Why an input is not a well-formed NIK (hard rules of brief §2.2). `Display` is Indonesian; use
/// [`Localized::message`] for another language. No variant carries more than one field of the NIK.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NikError {
    #[error("NIK belum diisi.")]
    Empty,
    #[error(
        "NIK hanya boleh berisi angka (spasi, titik, dan tanda hubung diabaikan); karakter '{}' tidak diperbolehkan.",
        .ch.escape_debug()
    )]
    InvalidCharacter { ch: char },
    #[error("NIK harus 16 digit, bukan {len} digit.")]
    WrongLength { len: usize },
    #[error("Digit ke-1 dan 2 NIK (kode provinsi) bukan kode provinsi yang dikenal: {code}.")]
    UnknownProvince { code: String },
    #[error("Digit ke-7 dan 8 NIK (tanggal lahir) harus 01–31, atau 41–71 untuk perempuan, bukan {day:02}.")]
    InvalidBirthDay { day: u8 },
    #[error("Digit ke-9 dan 10 NIK (bulan lahir) harus 01–12, bukan {month:02}.")]
    InvalidBirthMonth { month: u8 },
    #[error(
        "Digit ke-7 sampai 12 NIK (tanggal lahir, HHBBTT) bukan tanggal yang ada di kalender, misalnya 30 Februari atau 29 Februari di tahun bukan kabisat."
    )]
    InvalidBirthDate,
    #[error("Digit ke-13 sampai 16 NIK (nomor urut) tidak boleh 0000; nomor urut dimulai dari 0001.")]
    ZeroSerial,
}

impl Nik {
    /// Parses and checks a NIK, resolving the birth century against today's date (UTC).
    pub fn parse(input: &str) -> Result<Nik, NikError> {
        Nik::parse_at(input, OffsetDateTime::now_utc().date())
    }

    /// Parses and checks a NIK against a given `today`. Errors are reported for the first rule
    /// broken, in digit order.
    ///
    /// The year has two digits. Following the common heuristic (brief §2.2) it is `20YY` when that
    /// date is not after `today`, else `19YY`; the date is then checked in the chosen century, so
    /// `290201` (2001, not a leap year) is rejected while `290296` (1996) is accepted. Centenarians
    /// born in `19YY` with `20YY` already past are misdated; only Dukcapil data can tell.
    pub fn parse_at(input: &str, today: Date) -> Result<Nik, NikError> {
        let digits = normalise(input).map_err(|ch| NikError::InvalidCharacter { ch })?;
        if digits.is_empty() {
            return Err(NikError::Empty);
        }
        if digits.len() != NIK_LEN {
            return Err(NikError::WrongLength { len: digits.len() });
        }

        let province_code = number(&digits[0..2]) as u8;
        let province_name = region::province_name(province_code)
            .ok_or_else(|| NikError::UnknownProvince { code: digits[0..2].to_owned() })?;

        let raw_day = number(&digits[6..8]) as u8;
        let (day, sex) = match raw_day {
            1..=31 => (raw_day, Sex::Male),
            41..=71 => (raw_day - FEMALE_DAY_OFFSET, Sex::Female),
            _ => return Err(NikError::InvalidBirthDay { day: raw_day }),
        };
        let month_number = number(&digits[8..10]) as u8;
        let month = Month::try_from(month_number).map_err(|_| NikError::InvalidBirthMonth { month: month_number })?;
        let yy = number(&digits[10..12]) as i32;
        // Compare as (year, month, day) so the century is chosen before knowing whether the date
        // exists; 29 February is then judged in that century only.
        let in_2000s = (2000 + yy, month_number, day) <= (today.year(), u8::from(today.month()), today.day());
        let year = if in_2000s { 2000 + yy } else { 1900 + yy };
        let birth_date = Date::from_calendar_date(year, month, day).map_err(|_| NikError::InvalidBirthDate)?;

        let serial = number(&digits[12..16]) as u16;
        if serial == 0 {
            return Err(NikError::ZeroSerial);
        }

        let info = NikInfo {
            province_code,
            province_name,
            regency_code: number(&digits[0..4]) as u16,
            district_code: number(&digits[0..6]),
            birth_date,
            sex,
            serial,
        };
        Ok(Nik { digits, info })
    }

    /// The form for screens and logs: first 4 digits (kab/kota), eight `*`, last 4 (serial), e.g.
    /// `1374********0001` (brief §2.6). The birth date and kecamatan stay hidden.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.digits[..4], &self.digits[12..])
    }

    /// The clear 16 digits. The only way out: use it where the law allows the release (a scope the
    /// Wali Data approved, a Dukcapil lookup) and log that release.
    pub fn expose(&self) -> &str {
        &self.digits
    }

    /// What the digits say (region of first registration, birth date, sex, serial).
    pub fn info(&self) -> NikInfo {
        self.info
    }

    /// Region codes missing from the Kemendagri list. At most one warning: when the regency is
    /// unknown its kecamatan is unknown too, and saying so twice adds nothing.
    pub fn warnings(&self) -> Vec<NikWarning> {
        let regency = self.info.regency_code;
        let district = self.info.district_code;
        if region::regency_name(regency).is_none() {
            vec![NikWarning::UnknownRegency { code: format!("{regency:04}") }]
        } else if !region::district_exists(district) {
            vec![NikWarning::UnknownDistrict { code: format!("{district:06}") }]
        } else {
            Vec::new()
        }
    }
}

impl NikInfo {
    /// Name of the kab/kota of first registration, if the code is in the current list.
    pub fn regency_name(&self) -> Option<&'static str> {
        region::regency_name(self.regency_code)
    }

    /// Name of the kecamatan of first registration; kept only for Kota Padang Panjang.
    pub fn district_name(&self) -> Option<&'static str> {
        region::district_name(self.district_code)
    }
}

impl PartialEq for Nik {
    fn eq(&self, other: &Self) -> bool {
        self.digits == other.digits
    }
}

impl Eq for Nik {}

impl Hash for Nik {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digits.hash(state);
    }
}

impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Nik").field(&self.masked()).finish()
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for NikInfo {
    /// Birth date, sex, kecamatan and serial are left out: with them a log line would hold the
    /// whole NIK again.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NikInfo")
            .field("province_code", &self.province_code)
            .field("province_name", &self.province_name)
            .field("regency_code", &self.regency_code)
            .finish_non_exhaustive()
    }
}

impl Localized for NikError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => match self {
                NikError::Empty => "The NIK is empty.".into(),
                NikError::InvalidCharacter { ch } => format!(
                    "The NIK may contain only digits (spaces, dots and hyphens are ignored); the character '{}' is not allowed.",
                    ch.escape_debug()
                ),
                NikError::WrongLength { len } => {
                    format!("The NIK must have 16 digits, not {len}.")
                }
                NikError::UnknownProvince { code } => {
                    format!("Digits 1–2 of the NIK (province code) are not a known province: {code}.")
                }
                NikError::InvalidBirthDay { day } => format!(
                    "Digits 7–8 of the NIK (day of birth) must be 01–31, or 41–71 for women, not {day:02}."
                ),
                NikError::InvalidBirthMonth { month } => {
                    format!("Digits 9–10 of the NIK (month of birth) must be 01–12, not {month:02}.")
                }
                NikError::InvalidBirthDate => {
                    "Digits 7–12 of the NIK (date of birth, DDMMYY) are not a real calendar date, e.g. 30 February, or 29 February in a non-leap year."
                        .into()
                }
                NikError::ZeroSerial => {
                    "Digits 13–16 of the NIK (serial number) must not be 0000; numbering starts at 0001."
                        .into()
                }
            },
        }
    }
}

impl Localized for NikWarning {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (NikWarning::UnknownRegency { code }, Lang::Id) => format!(
                "Kode kabupaten/kota {code} (digit ke-1 sampai 4 NIK) tidak ada dalam daftar Kemendagri saat ini; NIK lama bisa memakai kode dari sebelum pemekaran wilayah."
            ),
            (NikWarning::UnknownRegency { code }, Lang::En) => format!(
                "Regency/city code {code} (digits 1–4 of the NIK) is not in the current Kemendagri list; older NIKs may carry codes from before a region was split."
            ),
            (NikWarning::UnknownDistrict { code }, Lang::Id) => format!(
                "Kode kecamatan {code} (digit ke-1 sampai 6 NIK) tidak ada dalam daftar Kemendagri saat ini; NIK lama bisa memakai kode dari sebelum pemekaran wilayah."
            ),
            (NikWarning::UnknownDistrict { code }, Lang::En) => format!(
                "District (kecamatan) code {code} (digits 1–6 of the NIK) is not in the current Kemendagri list; older NIKs may carry codes from before a region was split."
            ),
        }
    }
}

impl fmt::Display for NikWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Id))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2025 - 06 - 15);

    fn parse(s: &str) -> Result<Nik, NikError> {
        Nik::parse_at(s, TODAY)
    }

    /// Synthetic fixture from its fields (no real person's number): region `PPKKCC`, `DDMMYY`, serial.
    fn nik(region: &str, ddmmyy: &str, serial: &str) -> String {
        format!("{region}{ddmmyy}{serial}")
    }

    #[test]
    fn valid_male_in_padang_panjang() {
        let n = parse("1374011503900001").unwrap();
        let info = n.info();
        assert_eq!(info.province_code, 13);
        assert_eq!(info.province_name, "Sumatera Barat");
        assert_eq!(info.regency_code, 1374);
        assert_eq!(info.regency_name(), Some("Kota Padang Panjang"));
        assert_eq!(info.district_code, 137401);
        assert_eq!(info.district_name(), Some("Padang Panjang Timur"));
        assert_eq!(info.birth_date, date!(1990 - 03 - 15));
        assert_eq!(info.sex, Sex::Male);
        assert_eq!(info.serial, 1);
        assert!(n.warnings().is_empty());
        assert_eq!(n.expose(), "1374011503900001");
    }

    #[test]
    fn separators_are_normalised() {
        for input in
            ["1374 0115 0390 0001", "13.74.01.150390.0001", "137401-150390-0001", " 13 74 01 - 15.03.90 - 0001 "]
        {
            assert_eq!(parse(input).unwrap().expose(), "1374011503900001", "{input:?}");
        }
    }

    #[test]
    fn hard_rules() {
        use NikError::*;
        let code = |c: &str| UnknownProvince { code: c.to_owned() };
        let cases: Vec<(String, Result<(), NikError>)> = vec![
            // Shape.
            ("".into(), Err(Empty)),
            (" - . ".into(), Err(Empty)),
            ("137401150390000I".into(), Err(InvalidCharacter { ch: 'I' })),
            ("137401/150390/0001".into(), Err(InvalidCharacter { ch: '/' })),
            ("137401150390001".into(), Err(WrongLength { len: 15 })),
            ("13740115039000011".into(), Err(WrongLength { len: 17 })),
            // Province (digits 1–2).
            (nik("100101", "150390", "0001"), Err(code("10"))),
            (nik("990101", "150390", "0001"), Err(code("99"))),
            (nik("000101", "150390", "0001"), Err(code("00"))),
            (nik("200101", "150390", "0001"), Err(code("20"))),
            (nik("960101", "150390", "0001"), Ok(())),
            (nik("110101", "150390", "0001"), Ok(())),
            // Day (digits 7–8): 01–31 men, 41–71 women.
            (nik("137401", "010390", "0001"), Ok(())),
            (nik("137401", "310390", "0001"), Ok(())),
            (nik("137401", "410390", "0001"), Ok(())),
            (nik("137401", "710390", "0001"), Ok(())),
            (nik("137401", "000390", "0001"), Err(InvalidBirthDay { day: 0 })),
            (nik("137401", "320390", "0001"), Err(InvalidBirthDay { day: 32 })),
            (nik("137401", "400390", "0001"), Err(InvalidBirthDay { day: 40 })),
            (nik("137401", "720390", "0001"), Err(InvalidBirthDay { day: 72 })),
            (nik("137401", "990390", "0001"), Err(InvalidBirthDay { day: 99 })),
            // Month (digits 9–10).
            (nik("137401", "150090", "0001"), Err(InvalidBirthMonth { month: 0 })),
            (nik("137401", "151390", "0001"), Err(InvalidBirthMonth { month: 13 })),
            (nik("137401", "151290", "0001"), Ok(())),
            // Calendar.
            (nik("137401", "300290", "0001"), Err(InvalidBirthDate)), // 30 February
            (nik("137401", "310490", "0001"), Err(InvalidBirthDate)), // 31 April
            (nik("137401", "710490", "0001"), Err(InvalidBirthDate)), // 31 April, woman
            (nik("137401", "290296", "0001"), Ok(())),                // 1996 leap
            (nik("137401", "290297", "0001"), Err(InvalidBirthDate)), // 1997 not leap
            (nik("137401", "290200", "0001"), Ok(())),                // 2000 leap
            (nik("137401", "290201", "0001"), Err(InvalidBirthDate)), // 2001 not leap
            (nik("137401", "690204", "0001"), Ok(())),                // 29 Feb 2004, woman
            // Serial (digits 13–16).
            (nik("137401", "150390", "0000"), Err(ZeroSerial)),
            (nik("137401", "150390", "9999"), Ok(())),
            // Several faults: the first in digit order wins.
            (nik("100101", "320090", "0000"), Err(code("10"))),
            (nik("137401", "320090", "0000"), Err(InvalidBirthDay { day: 32 })),
            (nik("137401", "300290", "0000"), Err(InvalidBirthDate)),
        ];
        for (input, expected) in &cases {
            assert_eq!(&parse(input).map(|_| ()), expected, "{input:?}");
        }
    }

    #[test]
    fn women_have_day_plus_40() {
        for (ddmmyy, day) in [("410390", 1), ("550390", 15), ("710390", 31)] {
            let info = parse(&nik("137402", ddmmyy, "0002")).unwrap().info();
            assert_eq!(info.sex, Sex::Female, "{ddmmyy}");
            assert_eq!(u8::from(info.birth_date.month()), 3);
            assert_eq!(info.birth_date.day(), day, "{ddmmyy}");
        }
        let info = parse(&nik("137401", "310390", "0002")).unwrap().info();
        assert_eq!((info.sex, info.birth_date.day()), (Sex::Male, 31));
    }

    #[test]
    fn century_heuristic() {
        // TODAY = 2025-06-15: 20YY unless that date is after today.
        for (ddmmyy, expected) in [
            ("150625", date!(2025 - 06 - 15)), // today itself
            ("160625", date!(1925 - 06 - 16)), // tomorrow in 2025
            ("150325", date!(2025 - 03 - 15)),
            ("010100", date!(2000 - 01 - 01)),
            ("311299", date!(1999 - 12 - 31)),
            ("010130", date!(1930 - 01 - 01)),
            ("690204", date!(2004 - 02 - 29)),
            ("290296", date!(1996 - 02 - 29)),
        ] {
            let n = parse(&nik("137401", ddmmyy, "0001")).unwrap();
            assert_eq!(n.info().birth_date, expected, "{ddmmyy}");
        }
        // The century is fixed at parse time: info() does not read the clock.
        let n = Nik::parse_at(&nik("137401", "160625", "0001"), TODAY).unwrap();
        assert_eq!(n.info().birth_date.year(), 1925);
        let later = Nik::parse_at(n.expose(), date!(2025 - 06 - 16)).unwrap();
        assert_eq!(later.info().birth_date.year(), 2025);
        assert_eq!(n, later); // same number, same person
    }

    #[test]
    fn unknown_regions_are_warnings_not_errors() {
        let n = parse(&nik("139901", "150390", "0001")).unwrap();
        assert_eq!(n.warnings(), vec![NikWarning::UnknownRegency { code: "1399".into() }]);
        assert_eq!(n.info().regency_name(), None);
        assert_eq!(n.info().province_name, "Sumatera Barat");

        let n = parse(&nik("137499", "150390", "0001")).unwrap();
        assert_eq!(n.warnings(), vec![NikWarning::UnknownDistrict { code: "137499".into() }]);
        assert_eq!(n.info().regency_name(), Some("Kota Padang Panjang"));
        assert_eq!(n.info().district_name(), None);

        // Known elsewhere in the country: no warning, but no kecamatan name outside Padang Panjang.
        let n = parse(&nik("137101", "150390", "0001")).unwrap();
        assert!(n.warnings().is_empty());
        assert_eq!(n.info().regency_name(), Some("Kota Padang"));
        assert_eq!(n.info().district_name(), None);

        let n = parse(&nik("137402", "150390", "0001")).unwrap();
        assert!(n.warnings().is_empty());
        assert_eq!(n.info().district_name(), Some("Padang Panjang Barat"));
    }

    #[test]
    fn masked_and_never_printed_in_clear() {
        let clear = "1374015503900001";
        let n = parse("1374 0155 0390 0001").unwrap();
        assert_eq!(n.masked(), "1374********0001");
        assert_eq!(n.to_string(), "1374********0001");
        assert_eq!(format!("{n:?}"), "Nik(\"1374********0001\")");
        for shown in [
            n.to_string(),
            format!("{n:?}"),
            format!("{n:#?}"),
            format!("{:?}", n.info()),
            format!("{:#?}", Some(n.clone())),
        ] {
            assert!(!shown.contains(clear), "{shown}");
            // Nor the hidden middle (kecamatan + birth date).
            assert!(!shown.contains("01550390"), "{shown}");
        }
        assert_eq!(n.expose(), clear);
    }

    #[test]
    fn equality_and_hash_follow_the_digits() {
        let a = parse("1374011503900001").unwrap();
        let b = parse("1374 0115 0390 0001").unwrap();
        let c = parse("1374011503900002").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(HashSet::from([a, b, c]).len(), 2);
    }

    #[test]
    fn parse_uses_the_clock() {
        assert!(Nik::parse("1374011503900001").is_ok());
        assert_eq!(Nik::parse("1374013202900001").unwrap_err(), NikError::InvalidBirthDay { day: 32 });
    }

    #[test]
    fn every_message_is_specific_in_both_languages() {
        let errors = [
            NikError::Empty,
            NikError::InvalidCharacter { ch: 'x' },
            NikError::WrongLength { len: 17 },
            NikError::UnknownProvince { code: "10".into() },
            NikError::InvalidBirthDay { day: 32 },
            NikError::InvalidBirthMonth { month: 13 },
            NikError::InvalidBirthDate,
            NikError::ZeroSerial,
        ];
        let warnings =
            [NikWarning::UnknownRegency { code: "1399".into() }, NikWarning::UnknownDistrict { code: "137499".into() }];
        let messages: Vec<&dyn Localized> =
            errors.iter().map(|e| e as &dyn Localized).chain(warnings.iter().map(|w| w as &dyn Localized)).collect();
        for lang in [Lang::Id, Lang::En] {
            let texts: Vec<String> = messages.iter().map(|m| m.message(lang)).collect();
            assert!(texts.iter().all(|t| !t.trim().is_empty() && t.contains("NIK")));
            assert_eq!(texts.iter().collect::<HashSet<_>>().len(), texts.len(), "{lang:?}");
        }
        for m in &messages {
            assert_ne!(m.message(Lang::Id), m.message(Lang::En));
        }
        for e in &errors {
            assert_eq!(e.to_string(), e.message(Lang::Id));
        }
        // The bad value is named.
        assert!(errors[3].message(Lang::En).ends_with(": 10."));
        assert!(errors[4].message(Lang::Id).contains("bukan 32"));
        assert!(errors[5].message(Lang::En).contains("not 13"));
        assert!(warnings[1].message(Lang::Id).contains("137499"));
    }

    #[test]
    fn errors_never_echo_the_number() {
        // Every rejectable input below still holds a 16-digit run; no message may repeat it.
        for input in [
            nik("100101", "150390", "0001"),
            nik("137401", "320390", "0001"),
            nik("137401", "151390", "0001"),
            nik("137401", "300290", "0001"),
            nik("137401", "150390", "0000"),
            format!("{}x", nik("137401", "150390", "0001")),
            format!("{}1", nik("137401", "150390", "0001")),
        ] {
            let err = parse(&input).unwrap_err();
            for lang in [Lang::Id, Lang::En] {
                let text = format!("{} {err:?}", err.message(lang));
                assert!(!text.contains(&input[..16]), "{text}");
                assert!(!text.contains(&input[6..12]), "birth date echoed: {text}");
            }
        }
    }
}
