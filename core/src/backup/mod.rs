//! `gerbang backup` and `gerbang restore`: a consistent copy of a running system, encrypted and
//! authenticated under a key derived from the master key (see [`format`]), written where the
//! operator mounts storage kept apart from the data centre (Pasal 21-22).
//!
//! SQLite: `VACUUM INTO` makes a consistent copy while the server runs. PostgreSQL: `pg_dump`
//! (one snapshot, custom format), restored with `pg_restore` in one transaction. A restore is
//! checked whole before anything is written, goes only into an empty database, and refuses a
//! backup of the other backend or of another master key.

pub mod format;

use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::config::Config;
use crate::crypto::MasterKey;
use crate::store::{Backend, Store, StoreError};
pub use format::{FormatError, Header};

/// The backup key and the id that names it in a backup's header.
pub struct BackupKey {
    key: Zeroizing<[u8; 32]>,
    id: String,
}

impl BackupKey {
    pub fn derive(master: &MasterKey) -> BackupKey {
        let id = master.derive("gerbang/v1/backup/key-id");
        BackupKey { key: master.derive("gerbang/v1/backup/key"), id: hex::encode(&id[..16]) }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },
    #[error("{tool} failed: {detail}")]
    Tool { tool: &'static str, detail: String },
    #[error("the database is not empty ({0}); restore only into an empty database")]
    NotEmpty(String),
    #[error("this is a {backup} backup; the configuration uses {config}")]
    OtherBackend { backup: String, config: &'static str },
    #[error(
        "the backup's schema ({backup}) is newer than this Gerbang knows ({known}); restore it with the same version or a newer one"
    )]
    NewerSchema { backup: i64, known: i64 },
    #[error("{0} exists; choose a new file name or a directory")]
    Exists(String),
    #[error(
        "no master key given: set master_key, master_key_file or GERBANG_MASTER_KEY to the key of the system the backup came from"
    )]
    NoMasterKey,
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// A written backup.
#[derive(Debug)]
pub struct Created {
    pub path: PathBuf,
    /// Bytes of database copied (before encryption).
    pub bytes: u64,
    /// SHA-256 of the backup file, to record next to it.
    pub sha256: String,
}

/// Writes a backup of the running system to `dest` (a directory: a new file named by backend and
/// time; or a file path). The file appears under its name only once complete.
pub async fn create(
    config: &Config,
    store: &Store,
    key: &BackupKey,
    dest: &Path,
    progress: impl FnMut(u64) + Send + 'static,
) -> Result<Created, BackupError> {
    let backend = store.backend();
    let now = time::OffsetDateTime::now_utc();
    let path = if dest.is_dir() {
        let stamp = format!(
            "{:04}{:02}{:02}-{:02}{:02}{:02}",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second()
        );
        dest.join(format!("gerbang-{}-{stamp}.gbk", backend.name()))
    } else {
        dest.to_path_buf()
    };
    let header = Header {
        backend: backend.name().into(),
        created_at: now.unix_timestamp(),
        schema_version: store.schema_version().await?,
        key_id: key.id.clone(),
        nonce: format::new_nonce(),
        tool: concat!("gerbang ", env!("CARGO_PKG_VERSION")).into(),
    };
    if path.exists() {
        return Err(BackupError::Exists(path.display().to_string()));
    }
    let partial = path.with_extension("gbk.partial");
    let out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(io(partial.display().to_string()))?;
    let written = match backend {
        Backend::Sqlite => sqlite_copy(config, store, key, &header, out, progress).await,
        Backend::Postgres => pg_dump(config, key, &header, out, progress).await,
    };
    let bytes = match written {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, &path).map_err(io(path.display().to_string()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The new name is durable too.
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    let sha256 = file_sha256(&path)?;
    Ok(Created { path, bytes, sha256 })
}

/// Copies the SQLite database consistently (`VACUUM INTO`, while the server keeps running) and
/// encrypts the copy; the clear copy lives in the data directory only meanwhile.
async fn sqlite_copy(
    config: &Config,
    store: &Store,
    key: &BackupKey,
    header: &Header,
    out: std::fs::File,
    progress: impl FnMut(u64) + Send + 'static,
) -> Result<u64, BackupError> {
    let copy = config.data_dir.join(format!(".backup-{}.db", format::new_nonce()));
    let _cleanup = RemoveOnDrop(copy.clone());
    store.vacuum_into(&copy).await?;
    let key = Zeroizing::new(*key.key);
    let header = header.clone();
    tokio::task::spawn_blocking(move || {
        let mut input = BufReader::new(std::fs::File::open(&copy).map_err(io(copy.display().to_string()))?);
        seal_to(&key, &header, &mut input, out, progress)
    })
    .await
    .map_err(|e| BackupError::Tool { tool: "backup", detail: e.to_string() })?
}

async fn pg_dump(
    config: &Config,
    key: &BackupKey,
    header: &Header,
    out: std::fs::File,
    progress: impl FnMut(u64) + Send + 'static,
) -> Result<u64, BackupError> {
    let url = config.database_url.expose_secret().to_string();
    let key = Zeroizing::new(*key.key);
    let header = header.clone();
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new("pg_dump");
        command.args(["--format=custom", "--no-owner", "--no-privileges"]);
        if let Some(schema) = search_path(&url) {
            command.arg(format!("--schema={schema}"));
        }
        let (conninfo, password) = split_password(&url);
        if let Some(p) = password {
            command.env("PGPASSWORD", p);
        }
        let mut child = command
            .arg(format!("--dbname={conninfo}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| BackupError::Tool { tool: "pg_dump", detail: format!("cannot start it: {e}") })?;
        let mut stdout =
            child.stdout.take().ok_or(BackupError::Tool { tool: "pg_dump", detail: "no output".into() })?;
        let sealed = seal_to(&key, &header, &mut stdout, out, progress);
        let done = child.wait_with_output().map_err(io("pg_dump"))?;
        if !done.status.success() {
            let detail = String::from_utf8_lossy(&done.stderr).trim().chars().take(500).collect();
            return Err(BackupError::Tool { tool: "pg_dump", detail });
        }
        sealed
    })
    .await
    .map_err(|e| BackupError::Tool { tool: "backup", detail: e.to_string() })?
}

fn seal_to(
    key: &[u8; 32],
    header: &Header,
    input: &mut impl Read,
    out: std::fs::File,
    mut progress: impl FnMut(u64),
) -> Result<u64, BackupError> {
    let mut writer = BufWriter::new(out);
    let n = format::seal(key, header, input, &mut writer, &mut progress)?;
    let file = writer.into_inner().map_err(|e| BackupError::Io { what: "backup".into(), source: e.into_error() })?;
    file.sync_all().map_err(io("backup"))?;
    Ok(n)
}

/// Checks a backup whole (every chunk authenticated) without writing anything.
pub fn verify(key: &BackupKey, file: &Path, mut progress: impl FnMut(u64)) -> Result<(Header, u64), BackupError> {
    let mut input = BufReader::new(std::fs::File::open(file).map_err(io(file.display().to_string()))?);
    Ok(format::open(&key.key, &key.id, &mut input, &mut std::io::sink(), &mut progress)?)
}

/// Restores a backup into the configured database, which must be empty. The backup is checked
/// whole first; nothing is written unless it is sound.
pub async fn restore(
    config: &Config,
    key: &BackupKey,
    file: &Path,
    mut progress: impl FnMut(u64) + Send + 'static,
) -> Result<Header, BackupError> {
    let (header, _) = {
        let mut input = BufReader::new(std::fs::File::open(file).map_err(io(file.display().to_string()))?);
        format::read_header(&mut input)?
    };
    let wanted = if config.uses_postgres() { Backend::Postgres } else { Backend::Sqlite };
    if header.backend != wanted.name() {
        return Err(BackupError::OtherBackend { backup: header.backend, config: wanted.name() });
    }
    let known = Store::known_schema_version(wanted);
    if header.schema_version > known {
        return Err(BackupError::NewerSchema { backup: header.schema_version, known });
    }
    verify(key, file, &mut progress)?;
    match wanted {
        Backend::Sqlite => restore_sqlite(config, key, file, progress).await?,
        Backend::Postgres => restore_postgres(config, key, file, progress).await?,
    }
    Ok(header)
}

async fn restore_sqlite(
    config: &Config,
    key: &BackupKey,
    file: &Path,
    mut progress: impl FnMut(u64) + Send + 'static,
) -> Result<(), BackupError> {
    let target = config.sqlite_path();
    // A leftover write-ahead log would be read as part of the restored file.
    for file in [target.clone(), target.with_extension("db-wal")] {
        if std::fs::metadata(&file).is_ok_and(|m| m.len() > 0) {
            return Err(BackupError::NotEmpty(file.display().to_string()));
        }
    }
    for empty in [target.with_extension("db-wal"), target.with_extension("db-shm")] {
        let _ = std::fs::remove_file(empty);
    }
    std::fs::create_dir_all(&config.data_dir).map_err(io(config.data_dir.display().to_string()))?;
    let partial = target.with_extension("db.restoring");
    let _cleanup = RemoveOnDrop(partial.clone());
    {
        let mut input = BufReader::new(std::fs::File::open(file).map_err(io(file.display().to_string()))?);
        let out = std::fs::File::create(&partial).map_err(io(partial.display().to_string()))?;
        let mut writer = BufWriter::new(out);
        format::open(&key.key, &key.id, &mut input, &mut writer, &mut progress)?;
        let out =
            writer.into_inner().map_err(|e| BackupError::Io { what: "restore".into(), source: e.into_error() })?;
        out.sync_all().map_err(io(partial.display().to_string()))?;
    }
    // A sound SQLite file, or nothing.
    let copy = Store::open_sqlite(&partial).await?;
    let ok = copy.integrity_check().await;
    copy.close().await;
    if !ok? {
        return Err(BackupError::Tool { tool: "sqlite", detail: "the restored file fails integrity_check".into() });
    }
    for suffix in ["db.restoring-wal", "db.restoring-shm"] {
        let _ = std::fs::remove_file(target.with_extension(suffix));
    }
    std::fs::rename(&partial, &target).map_err(io(target.display().to_string()))?;
    Ok(())
}

async fn restore_postgres(
    config: &Config,
    key: &BackupKey,
    file: &Path,
    mut progress: impl FnMut(u64) + Send + 'static,
) -> Result<(), BackupError> {
    let url = config.database_url.expose_secret().to_string();
    let store = Store::open_postgres(&url).await?;
    let tables = store.table_count().await;
    let schema = search_path(&url);
    // A schema named in the URL is created by the dump itself; an empty one is dropped first.
    if let (Ok(0), Some(schema)) = (&tables, &schema) {
        store.drop_empty_schema(schema).await?;
    }
    store.close().await;
    match tables {
        Ok(0) => {}
        Ok(n) => return Err(BackupError::NotEmpty(format!("{n} tables"))),
        Err(e) => return Err(e.into()),
    }
    let key_bytes = Zeroizing::new(*key.key);
    let key_id = key.id.clone();
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || {
        // Connected to the database itself: the dump names its schema.
        let mut restore = Command::new("pg_restore");
        let (conninfo, password) = split_password(&without_search_path(&url));
        if let Some(p) = password {
            restore.env("PGPASSWORD", p);
        }
        let mut child = restore
            .args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"])
            .arg(format!("--dbname={conninfo}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| BackupError::Tool { tool: "pg_restore", detail: format!("cannot start it: {e}") })?;
        let mut stdin =
            child.stdin.take().ok_or(BackupError::Tool { tool: "pg_restore", detail: "no input".into() })?;
        let mut input = BufReader::new(std::fs::File::open(&file).map_err(io(file.display().to_string()))?);
        let fed = format::open(&key_bytes, &key_id, &mut input, &mut stdin, &mut progress);
        drop(stdin);
        let done = child.wait_with_output().map_err(io("pg_restore"))?;
        fed?;
        if !done.status.success() {
            let detail = String::from_utf8_lossy(&done.stderr).trim().chars().take(500).collect();
            return Err(BackupError::Tool { tool: "pg_restore", detail });
        }
        Ok(())
    })
    .await
    .map_err(|e| BackupError::Tool { tool: "restore", detail: e.to_string() })?
}

/// The schema a URL's `options=-c search_path=…` names, if any.
fn search_path(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let options = parsed.query_pairs().find(|(k, _)| k == "options")?.1.into_owned();
    let value = options.split("search_path=").nth(1)?.split([' ', ',']).next()?.to_string();
    (!value.is_empty()).then_some(value)
}

fn without_search_path(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else { return url.to_string() };
    let kept: Vec<(String, String)> =
        parsed.query_pairs().filter(|(k, _)| k != "options").map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    parsed.set_query(None);
    if !kept.is_empty() {
        parsed.query_pairs_mut().extend_pairs(kept);
    }
    parsed.to_string()
}

/// The URL without its password (which goes to the tool through `PGPASSWORD`, never on its
/// command line, where other users of the host could read it), and the password.
fn split_password(url: &str) -> (String, Option<String>) {
    let Ok(mut parsed) = url::Url::parse(url) else { return (url.to_string(), None) };
    let password = parsed.password().map(|p| {
        url::form_urlencoded::parse(format!("p={p}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
    });
    let _ = parsed.set_password(None);
    (parsed.to_string(), password)
}

fn file_sha256(path: &Path) -> Result<String, BackupError> {
    let mut input = BufReader::new(std::fs::File::open(path).map_err(io(path.display().to_string()))?);
    let mut hasher = Sha256::new();
    std::io::copy(&mut input, &mut hasher).map_err(io(path.display().to_string()))?;
    Ok(hex::encode(hasher.finalize()))
}

/// Removes a temporary file however the function ends.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl MasterKey {
    /// The configured master key, never a new one (a restore needs the old system's key).
    pub fn load_existing(config: &Config) -> Result<MasterKey, BackupError> {
        let generated_here = config.master_key.expose_secret().is_empty()
            && config.master_key_file.is_none()
            && !config.uses_postgres()
            && !config.data_dir.join("master.key").exists();
        if generated_here {
            return Err(BackupError::NoMasterKey);
        }
        MasterKey::load(config)
            .map(|(k, _)| k)
            .map_err(|e| BackupError::Tool { tool: "master key", detail: e.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_of_a_url() {
        let url = "postgres://u:p@127.0.0.1:5432/db?options=-c%20search_path%3Dt_123";
        assert_eq!(search_path(url).as_deref(), Some("t_123"));
        assert_eq!(search_path("postgres://u@h/db"), None);
        assert_eq!(without_search_path(url), "postgres://u:p@127.0.0.1:5432/db");
        let (bare, password) = split_password("postgres://u:p%40ss@h/db");
        assert_eq!((bare.as_str(), password.as_deref()), ("postgres://u@h/db", Some("p@ss")));
    }
}
