//! Security levels (`policies/levels.toml`): ordered, each an `acr` value, each with conditions
//! on who signed in and how. The IdP asserts the highest level a sign-in satisfies.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::{PolicyError, is_id};

/// The default levels of the blueprint, used when the policies directory has no levels file.
const BUILTIN: &str = include_str!("../../../policies/levels.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subjects {
    /// Nobody needs to sign in.
    Any,
    /// Any active account, ASN or citizen.
    Account,
    /// ASN accounts only.
    Asn,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub id: String,
    pub subjects: Subjects,
    /// Alternative sets of `amr` values; one set must be covered. Empty: no sign-in needed.
    pub factors: Vec<Vec<String>>,
    /// Seconds since the sign-in, at most.
    #[serde(default)]
    pub max_auth_age: Option<i64>,
    /// Must come from a registered city network (checked by the gateway, not the IdP).
    #[serde(default)]
    pub city_network: bool,
    /// `terverifikasi`: the account's identity must be proven (the `identity_assurance` claim;
    /// a self-registered citizen is `terdaftar` until a verifikator checks the KTP-el).
    #[serde(default)]
    pub identity_assurance: Option<String>,
}

impl Level {
    /// True when the level asks for a proven identity.
    pub fn needs_verified_identity(&self) -> bool {
        self.identity_assurance.as_deref() == Some("terverifikasi")
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelsFile {
    level: Vec<Level>,
}

/// What the IdP knows of a sign-in.
#[derive(Debug, Clone, Copy)]
pub struct AuthFacts<'a> {
    pub is_asn: bool,
    pub amr: &'a [&'a str],
    /// Seconds since authentication.
    pub auth_age: i64,
    /// The account's identity is proven (`identity_assurance` = `terverifikasi`).
    pub verified: bool,
}

#[derive(Debug, Clone)]
pub struct Levels {
    levels: Vec<Level>,
    pub source: String,
}

impl Levels {
    /// Reads `dir/levels.toml`, or the built-in defaults when the file does not exist.
    pub fn load(dir: &Path) -> Result<Levels, PolicyError> {
        let path: PathBuf = dir.join("levels.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => Levels::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Levels::builtin(),
            Err(source) => Err(PolicyError::Read { file: path.display().to_string(), source }),
        }
    }

    pub fn builtin() -> Result<Levels, PolicyError> {
        Levels::parse(BUILTIN, "(built-in levels.toml)")
    }

    pub fn parse(text: &str, file: &str) -> Result<Levels, PolicyError> {
        let parsed: LevelsFile =
            toml::from_str(text).map_err(|e| PolicyError::Parse { file: file.into(), message: e.to_string() })?;
        let invalid =
            |id: &str, reason: &str| PolicyError::Invalid { file: file.into(), id: id.into(), reason: reason.into() };
        if parsed.level.is_empty() {
            return Err(invalid("", "at least one level is needed"));
        }
        for (i, level) in parsed.level.iter().enumerate() {
            if !is_id(&level.id) {
                return Err(invalid(&level.id, "id must be lowercase letters, digits, '-' or '_'"));
            }
            if parsed.level[..i].iter().any(|l| l.id == level.id) {
                return Err(invalid(&level.id, "defined twice"));
            }
            if level.subjects != Subjects::Any && level.factors.is_empty() {
                return Err(invalid(&level.id, "a level for accounts needs at least one set of factors"));
            }
            if level.factors.iter().any(|set| set.is_empty()) {
                return Err(invalid(&level.id, "a factor set must name at least one method"));
            }
            if level.max_auth_age.is_some_and(|a| a <= 0) {
                return Err(invalid(&level.id, "max_auth_age must be positive"));
            }
            if level.identity_assurance.as_deref().is_some_and(|a| !matches!(a, "terdaftar" | "terverifikasi")) {
                return Err(invalid(&level.id, "identity_assurance must be \"terdaftar\" or \"terverifikasi\""));
            }
            if level.identity_assurance.is_some() && level.subjects == Subjects::Any {
                return Err(invalid(&level.id, "identity_assurance needs subjects \"account\" or \"asn\""));
            }
        }
        Ok(Levels { levels: parsed.level, source: file.into() })
    }

    pub fn all(&self) -> &[Level] {
        &self.levels
    }

    pub fn get(&self, id: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.id == id)
    }

    /// Position in the order (0 = lowest).
    pub fn rank(&self, id: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.id == id)
    }

    /// Whether a sign-in satisfies `level`, leaving network conditions to the gateway.
    pub fn satisfies(level: &Level, facts: &AuthFacts<'_>) -> bool {
        let who = match level.subjects {
            Subjects::Any => return true,
            Subjects::Account => true,
            Subjects::Asn => facts.is_asn,
        };
        let how = level.factors.iter().any(|set| set.iter().all(|m| facts.amr.contains(&m.as_str())));
        let fresh = level.max_auth_age.is_none_or(|max| facts.auth_age <= max);
        let proven = !level.needs_verified_identity() || facts.verified;
        who && how && fresh && proven
    }

    /// The highest level the sign-in satisfies, ignoring network conditions.
    pub fn achieved(&self, facts: &AuthFacts<'_>) -> &Level {
        self.levels.iter().rev().find(|l| !l.city_network && Levels::satisfies(l, facts)).unwrap_or(&self.levels[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(is_asn: bool, amr: &'a [&'a str], auth_age: i64) -> AuthFacts<'a> {
        AuthFacts { is_asn, amr, auth_age, verified: true }
    }

    #[test]
    fn builtin_levels_order_and_achievement() {
        let levels = Levels::builtin().unwrap();
        let ids: Vec<_> = levels.all().iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["publik", "warga", "warga-terverifikasi", "asn", "asn-kuat", "rahasia"]);
        assert_eq!(levels.achieved(&facts(false, &["pwd"], 10)).id, "warga-terverifikasi");
        let unproven = AuthFacts { verified: false, ..facts(false, &["pwd"], 10) };
        assert_eq!(levels.achieved(&unproven).id, "warga", "a self-registered citizen is not proven");
        assert_eq!(levels.achieved(&facts(true, &["pwd"], 10)).id, "asn");
        assert_eq!(levels.achieved(&facts(true, &["pwd", "otp"], 10)).id, "asn-kuat");
        assert_eq!(levels.achieved(&facts(true, &["hwk"], 50_000)).id, "asn", "too old for asn-kuat");
        assert_eq!(levels.achieved(&facts(false, &["hwk"], 10)).id, "warga-terverifikasi", "citizens stop there");
        let rahasia = levels.get("rahasia").unwrap();
        assert!(Levels::satisfies(rahasia, &facts(true, &["hwk"], 60)));
        assert!(!Levels::satisfies(rahasia, &facts(true, &["hwk"], 901)));
        assert!(levels.rank("asn").unwrap() < levels.rank("asn-kuat").unwrap());
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let err = Levels::parse("[[level]]\nid = \"x\"\nsubjects = \"any\"\nfactors = []\nfactor = 1\n", "levels.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("levels.toml") && err.contains("line 5") && err.contains("factor"), "{err}");
        let err = Levels::parse("[[level]]\nid = \"x\"\nsubjects = \"warga\"\nfactors = []\n", "l.toml").unwrap_err();
        assert!(err.to_string().contains("subjects") || err.to_string().contains("warga"), "{err}");
        let dup = "[[level]]\nid = \"a\"\nsubjects = \"any\"\nfactors = []\n[[level]]\nid = \"a\"\nsubjects = \"any\"\nfactors = []\n";
        assert!(Levels::parse(dup, "l.toml").unwrap_err().to_string().contains("defined twice"));
        let empty_set = "[[level]]\nid = \"a\"\nsubjects = \"asn\"\nfactors = [[]]\n";
        assert!(Levels::parse(empty_set, "l.toml").is_err());
    }
}
