//! Field rules shared by the registers: ids, names, dates, URLs and choices, each refusal saying
//! which field and why in both languages.

use super::error::AdminError;

pub const MAX_NAME: usize = 200;
pub const MAX_TEXT: usize = 2000;

/// Lowercase letters, digits, `-` and `_`, 2-64 characters.
pub fn id(field: &'static str, value: &str) -> Result<String, AdminError> {
    let v = value.trim();
    if v.len() >= 2 && gerbang_core::policy::error::is_id(v) {
        Ok(v.to_string())
    } else {
        Err(AdminError::invalid(
            field,
            "Kode harus 2-64 karakter: huruf kecil, angka, '-' atau '_'.",
            "The code must be 2-64 characters: lowercase letters, digits, '-' or '_'.",
        ))
    }
}

pub fn name(field: &'static str, value: &str) -> Result<String, AdminError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AdminError::invalid(field, "Wajib diisi.", "Required."));
    }
    text(field, v, MAX_NAME)
}

/// Free text (may be empty): no control characters other than line breaks, bounded length.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String, AdminError> {
    let v = value.trim();
    if v.chars().count() > max || v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(AdminError::invalid(
            field,
            format!("Teks terlalu panjang (maksimal {max} karakter) atau berisi karakter kendali."),
            format!("Text too long (at most {max} characters) or contains control characters."),
        ));
    }
    Ok(v.to_string())
}

/// One of `allowed`.
pub fn choice(field: &'static str, value: &str, allowed: &[&str]) -> Result<String, AdminError> {
    let v = value.trim();
    if allowed.contains(&v) {
        Ok(v.to_string())
    } else {
        Err(AdminError::invalid(
            field,
            format!("Pilihan tidak dikenal; pilih salah satu: {}.", allowed.join(", ")),
            format!("Unknown choice; use one of: {}.", allowed.join(", ")),
        ))
    }
}

/// A calendar date `YYYY-MM-DD`.
pub fn date(field: &'static str, value: &str) -> Result<String, AdminError> {
    let v = value.trim();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(v, &format) {
        Ok(d) => Ok(d.format(&format).unwrap_or_else(|_| v.to_string())),
        Err(_) => Err(AdminError::invalid(
            field,
            "Tanggal harus berbentuk TTTT-BB-HH dan ada di kalender.",
            "The date must be YYYY-MM-DD and exist in the calendar.",
        )),
    }
}

/// Empty, or an absolute http(s) URL.
pub fn optional_url(field: &'static str, value: &str) -> Result<String, AdminError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(String::new());
    }
    match url::Url::parse(v) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() && v.len() <= 2000 => Ok(v.to_string()),
        _ => Err(AdminError::invalid(
            field,
            "Alamat harus URL lengkap yang diawali https:// atau http://.",
            "The address must be a full URL starting with https:// or http://.",
        )),
    }
}

/// A DNS name: 2 or more labels of letters, digits and inner hyphens, lower-cased.
pub fn domain_name(field: &'static str, value: &str) -> Result<String, AdminError> {
    let v = value.trim().trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let labels: Vec<&str> = v.split('.').collect();
    if v.len() <= 253 && labels.len() >= 2 && labels.iter().all(|l| label_ok(l)) {
        Ok(v)
    } else {
        Err(AdminError::invalid(
            field,
            "Nama domain tidak valid (contoh: dukcapil.padangpanjang.go.id).",
            "Not a valid domain name (e.g. dukcapil.padangpanjang.go.id).",
        ))
    }
}

/// A checkbox or a JSON boolean: `true`/`false`, or a form's `on`/`1`/`true` (absent = false).
pub fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    Ok(match <Flag as serde::Deserialize>::deserialize(d)? {
        Flag::Bool(b) => b,
        Flag::Text(t) => matches!(t.as_str(), "on" | "1" | "true" | "ya"),
    })
}

/// A list given as JSON array or as text, one item per line: the text (the form of a textarea).
pub fn lines<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Lines {
        List(Vec<String>),
        Text(String),
    }
    Ok(match <Lines as serde::Deserialize>::deserialize(d)? {
        Lines::List(l) => l.join("\n"),
        Lines::Text(t) => t,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        assert!(id("id", "diskominfo").is_ok() && id("id", "Dis Kominfo").is_err() && id("id", "x").is_err());
        assert_eq!(date("d", "2018-06-04").unwrap(), "2018-06-04");
        assert!(date("d", "2018-02-30").is_err() && date("d", "04-06-2018").is_err());
        assert_eq!(domain_name("n", "Dukcapil.PadangPanjang.go.id.").unwrap(), "dukcapil.padangpanjang.go.id");
        for bad in ["localhost", "-a.go.id", "a..go.id", "a_b.go.id", "https://a.go.id"] {
            assert!(domain_name("n", bad).is_err(), "{bad}");
        }
        assert!(optional_url("u", "javascript:alert(1)").is_err() && optional_url("u", "").is_ok());
        assert!(text("t", "a\u{0}b", 10).is_err() && name("n", "  ").is_err());
    }
}
