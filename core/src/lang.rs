//! The user's language: Bahasa Indonesia by default, English second.

use serde::{Deserialize, Serialize};

/// A language Gerbang speaks. Indonesian is the default everywhere (pages, CLI, errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    /// BCP 47 tag, as used in `ui_locales` and `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// Parses one tag such as `id`, `id-ID`, `en`, `en-GB` (case-insensitive).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "id" | "in" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// First supported language in a space-separated list (`ui_locales`) or an
    /// `Accept-Language` header (quality values are ignored; order is preference).
    pub fn negotiate(list: &str) -> Option<Lang> {
        list.split([' ', ',']).map(|t| t.split(';').next().unwrap_or("")).find_map(Lang::from_tag)
    }
}

/// A message that exists in both languages; every user-facing error implements it.
pub trait Localized {
    fn message(&self, lang: Lang) -> String;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_first_supported() {
        assert_eq!(Lang::negotiate("fr en-US id"), Some(Lang::En));
        assert_eq!(Lang::negotiate("id-ID,id;q=0.9,en;q=0.8"), Some(Lang::Id));
        assert_eq!(Lang::negotiate("fr, de"), None);
        assert_eq!(Lang::from_tag("EN_gb"), Some(Lang::En));
    }
}
