//! The master key: loaded from configuration or a file, or generated once for embedded mode.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hkdf::Hkdf;
use rand::RngCore;
use secrecy::ExposeSecret;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("master key: not valid base64 of 32 bytes ({where_})")]
    Malformed { where_: String },
    #[error("master key file {path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
    #[error(
        "no master key configured: set master_key_file or GERBANG_MASTER_KEY (PostgreSQL deployments share one key across replicas; it is never generated for them)"
    )]
    Missing,
}

/// 32 secret bytes; wiped from memory when dropped, never printed.
pub struct MasterKey {
    bytes: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

/// Where the key came from, for the start-up log line (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Config,
    File(PathBuf),
    Generated(PathBuf),
}

impl MasterKey {
    pub fn generate() -> MasterKey {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        MasterKey { bytes }
    }

    pub fn from_base64(text: &str, where_: &str) -> Result<MasterKey, KeyError> {
        let decoded =
            Zeroizing::new(STANDARD.decode(text.trim()).map_err(|_| KeyError::Malformed { where_: where_.into() })?);
        let bytes: [u8; 32] =
            decoded.as_slice().try_into().map_err(|_| KeyError::Malformed { where_: where_.into() })?;
        Ok(MasterKey { bytes: Zeroizing::new(bytes) })
    }

    /// Reads a key file (base64 of 32 bytes, surrounding whitespace ignored).
    pub fn from_file(path: &Path) -> Result<MasterKey, KeyError> {
        read_file(path)
    }

    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.bytes.as_ref()))
    }

    /// Loads the key as configured. Embedded (SQLite) mode without a key generates
    /// `data_dir/master.key` (mode 0600) on first start; PostgreSQL mode requires one.
    pub fn load(config: &Config) -> Result<(MasterKey, KeySource), KeyError> {
        let inline = config.master_key.expose_secret();
        if !inline.is_empty() {
            return Ok((MasterKey::from_base64(inline, "master_key")?, KeySource::Config));
        }
        if let Some(path) = &config.master_key_file {
            return Ok((read_file(path)?, KeySource::File(path.clone())));
        }
        if config.uses_postgres() {
            return Err(KeyError::Missing);
        }
        let path = config.data_dir.join("master.key");
        if path.exists() {
            return Ok((read_file(&path)?, KeySource::File(path)));
        }
        let key = MasterKey::generate();
        write_new_file(&path, key.to_base64().as_bytes())
            .map_err(|source| KeyError::File { path: path.clone(), source })?;
        Ok((key, KeySource::Generated(path)))
    }

    /// A 32-byte subkey for one purpose (HKDF-SHA256, RFC 5869), so no key serves two uses.
    pub fn derive(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        derive(&self.bytes, purpose)
    }

    /// The key itself: generation 0 of the data keys of an installation made before data keys
    /// were stored apart (so that what it sealed still opens).
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// A value that identifies this key without revealing it (recorded in the database).
    pub fn check(&self) -> String {
        STANDARD.encode(*self.derive("gerbang/v1/check"))
    }
}

/// A 32-byte subkey of `root` for one purpose (HKDF-SHA256, salt "gerbang").
pub(crate) fn derive(root: &[u8; 32], purpose: &str) -> Zeroizing<[u8; 32]> {
    let hk = Hkdf::<Sha256>::new(Some(b"gerbang"), root);
    let mut out = Zeroizing::new([0u8; 32]);
    hk.expand(purpose.as_bytes(), out.as_mut()).expect("32 bytes is a valid HKDF-SHA256 length");
    out
}

fn read_file(path: &Path) -> Result<MasterKey, KeyError> {
    let text =
        Zeroizing::new(std::fs::read_to_string(path).map_err(|source| KeyError::File { path: path.into(), source })?);
    MasterKey::from_base64(&text, &path.display().to_string())
}

fn write_new_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config { data_dir: dir.path().into(), ..Default::default() };
        let (a, source) = MasterKey::load(&config).unwrap();
        assert!(matches!(source, KeySource::Generated(_)));
        let (b, source) = MasterKey::load(&config).unwrap();
        assert!(matches!(source, KeySource::File(_)));
        assert_eq!(*a.derive("x"), *b.derive("x"));
        assert_ne!(*a.derive("x"), *a.derive("y"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("master.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn postgres_requires_a_key() {
        let config =
            Config { database_url: secrecy::SecretString::from("postgres://localhost/x"), ..Default::default() };
        assert!(matches!(MasterKey::load(&config), Err(KeyError::Missing)));
    }

    #[test]
    fn malformed_key_is_refused_without_echo() {
        let err = MasterKey::from_base64("c2hvcnQ=", "env").unwrap_err().to_string();
        assert!(err.contains("32 bytes") && !err.contains("c2hvcnQ"), "{err}");
        assert_eq!(format!("{:?}", MasterKey::generate()), "MasterKey(***)");
    }
}
