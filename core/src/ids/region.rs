//! Lookups in the Kemendagri region-code tables (province, kab/kota, kecamatan) used by NIK checks.
//!
//! The tables live in the generated `region_data.rs` (Kepmendagri 300.2.2-2138/2025 via npm
//! idn-area-data, ODbL 1.0). They hold Kemendagri (Dukcapil) codes, which NIK prefixes use. BPS
//! statistics codes differ, e.g. BPS 1374010 is Padang Panjang Barat while Kemendagri 137401 is
//! Padang Panjang Timur (brief §2.3), so never feed BPS codes into these lookups.

use super::region_data::{DISTRICTS, NAMED_DISTRICTS, PROVINCES, REGENCIES};

/// Name of a province (`PP`), or `None` if the code is not one of the 38 provinces.
pub(super) fn province_name(code: u8) -> Option<&'static str> {
    lookup(PROVINCES, code)
}

/// Name of a kab/kota (`PPKK`, e.g. 1374 = Kota Padang Panjang).
pub(super) fn regency_name(code: u16) -> Option<&'static str> {
    lookup(REGENCIES, code)
}

/// Whether a kecamatan code (`PPKKCC`) is in the current Kemendagri list.
pub(super) fn district_exists(code: u32) -> bool {
    DISTRICTS.binary_search(&code).is_ok()
}

/// Name of a kecamatan, kept only for Kota Padang Panjang (the city Gerbang serves); other
/// kecamatan return `None` even when [`district_exists`] is true.
pub(super) fn district_name(code: u32) -> Option<&'static str> {
    lookup(NAMED_DISTRICTS, code)
}

fn lookup<K: Ord + Copy>(table: &'static [(K, &'static str)], code: K) -> Option<&'static str> {
    table.binary_search_by_key(&code, |&(k, _)| k).ok().map(|i| table[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strictly_sorted<T: Ord>(keys: impl Iterator<Item = T>) -> bool {
        let keys: Vec<T> = keys.collect();
        keys.windows(2).all(|w| w[0] < w[1])
    }

    #[test]
    fn tables_are_sorted_and_unique_for_binary_search() {
        assert!(strictly_sorted(PROVINCES.iter().map(|p| p.0)));
        assert!(strictly_sorted(REGENCIES.iter().map(|r| r.0)));
        assert!(strictly_sorted(DISTRICTS.iter()));
        assert!(strictly_sorted(NAMED_DISTRICTS.iter().map(|d| d.0)));
    }

    #[test]
    fn provinces_are_the_38_of_the_brief() {
        // Brief §2.2: 11–19, 21, 31–36, 51–53, 61–65, 71–76, 81–82, 91–96.
        let expected: Vec<u8> = (11..=19)
            .chain([21])
            .chain(31..=36)
            .chain(51..=53)
            .chain(61..=65)
            .chain(71..=76)
            .chain(81..=82)
            .chain(91..=96)
            .collect();
        let codes: Vec<u8> = PROVINCES.iter().map(|p| p.0).collect();
        assert_eq!(codes, expected);
        assert_eq!(province_name(13), Some("Sumatera Barat"));
        assert_eq!(province_name(96), Some("Papua Barat Daya"));
        assert_eq!(province_name(10), None);
        assert_eq!(province_name(99), None);
    }

    #[test]
    fn every_regency_and_district_sits_under_a_known_parent() {
        assert_eq!(REGENCIES.len(), 514); // 416 kabupaten + 98 kota (brief §2.4)
        for &(code, _) in REGENCIES {
            assert!(province_name((code / 100) as u8).is_some(), "{code}");
        }
        for &code in DISTRICTS {
            assert!(regency_name((code / 100) as u16).is_some(), "{code}");
        }
    }

    #[test]
    fn padang_panjang_codes() {
        // Brief §2.3 (Kemendagri, not BPS, numbering).
        assert_eq!(regency_name(1374), Some("Kota Padang Panjang"));
        assert_eq!(regency_name(1371), Some("Kota Padang"));
        assert_eq!(district_name(137401), Some("Padang Panjang Timur"));
        assert_eq!(district_name(137402), Some("Padang Panjang Barat"));
        assert!(district_exists(137401) && district_exists(137402));
        assert!(!district_exists(137403));
        assert_eq!(regency_name(1399), None);
        // Known elsewhere, but no name kept outside Padang Panjang.
        assert!(district_exists(137101));
        assert_eq!(district_name(137101), None);
    }
}
