//! `gerbang backup --to PATH` and `gerbang restore FILE [--check]`, with progress on stderr.

use std::io::{IsTerminal, Write};
use std::path::Path;

use gerbang_core::backup::{self, BackupError, BackupKey};
use gerbang_core::config::Config;
use gerbang_core::crypto::MasterKey;
use gerbang_core::lang::Lang;

use crate::error::CliError;

pub async fn backup(config: &Config, to: &Path, lang: Lang) -> Result<(), CliError> {
    gerbang_core::telemetry::init(&gerbang_core::config::LogConfig { level: "warn".into(), ..config.log.clone() });
    let install = gerbang_core::bootstrap::open(config).await?;
    let key = BackupKey::derive(&MasterKey::load_existing(config).map_err(|e| failed(e, lang))?);
    let label = say(lang, "Dicadangkan", "Backed up");
    let result = backup::create(config, &install.store, &key, to, progress(label)).await;
    install.store.close().await;
    end_progress();
    let created = result.map_err(|e| failed(e, lang))?;
    println!(
        "{} {} ({}, SHA-256 {})",
        say(lang, "Cadangan ditulis:", "Backup written:"),
        created.path.display(),
        mib(created.bytes),
        created.sha256
    );
    Ok(())
}

pub async fn restore(config: &Config, file: &Path, check: bool, lang: Lang) -> Result<(), CliError> {
    gerbang_core::telemetry::init(&gerbang_core::config::LogConfig { level: "warn".into(), ..config.log.clone() });
    let key = BackupKey::derive(&MasterKey::load_existing(config).map_err(|e| failed(e, lang))?);
    if check {
        let header_bytes =
            backup::verify(&key, file, progress(say(lang, "Diperiksa", "Checked"))).map_err(|e| failed(e, lang));
        end_progress();
        let (header, bytes) = header_bytes?;
        println!(
            "{} {} ({}, {}, {} {}, {} {})",
            say(lang, "Cadangan utuh:", "Backup is sound:"),
            file.display(),
            mib(bytes),
            header.backend,
            say(lang, "skema", "schema"),
            header.schema_version,
            say(lang, "dibuat", "made"),
            when(header.created_at)
        );
        return Ok(());
    }
    let header = backup::restore(config, &key, file, progress(say(lang, "Dipulihkan", "Restored")))
        .await
        .map_err(|e| failed(e, lang));
    end_progress();
    let header = header?;
    // Bring the restored database up to this version's schema, and check the key against it.
    let install = gerbang_core::bootstrap::open(config).await?;
    install.store.close().await;
    println!(
        "{} {} ({} {})",
        say(lang, "Dipulihkan dari", "Restored from"),
        file.display(),
        say(lang, "dibuat", "made"),
        when(header.created_at)
    );
    Ok(())
}

/// Ends the progress line on a terminal.
fn end_progress() {
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
}

fn when(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

fn failed(e: BackupError, lang: Lang) -> CliError {
    let text = e.to_string();
    CliError::Message(match lang {
        Lang::Id => match e {
            BackupError::Format(backup::FormatError::ForeignKey) => {
                "cadangan ini dibuat dengan master key lain: berikan master key sistem asal cadangan".into()
            }
            BackupError::Format(backup::FormatError::Corrupt(_) | backup::FormatError::Truncated) => {
                format!("cadangan rusak atau telah diubah; tidak ada yang dipulihkan ({text})")
            }
            BackupError::NoMasterKey => "master key belum diberikan: isi master_key, master_key_file atau \
                 GERBANG_MASTER_KEY dengan master key sistem asal cadangan"
                .into(),
            BackupError::OtherBackend { backup, config } => {
                format!("ini cadangan {backup}; konfigurasi memakai {config}")
            }
            BackupError::NewerSchema { backup, known } => format!(
                "skema cadangan ({backup}) lebih baru daripada yang dikenal Gerbang ini ({known}); pulihkan dengan \
                 versi yang sama atau lebih baru"
            ),
            BackupError::Exists(path) => format!("{path} sudah ada; pilih nama berkas baru atau sebuah direktori"),
            BackupError::NotEmpty(what) => {
                format!("basis data tujuan tidak kosong ({what}); pulihkan hanya ke basis data kosong")
            }
            _ => text,
        },
        Lang::En => text,
    })
}

/// A progress line on stderr: rewritten in place on a terminal, every 64 MiB otherwise.
fn progress(label: String) -> impl FnMut(u64) + Send + 'static {
    let terminal = std::io::stderr().is_terminal();
    let mut shown = 0u64;
    move |bytes| {
        let mut err = std::io::stderr();
        if terminal {
            let _ = write!(err, "\r{label} {}   ", mib(bytes));
        } else if bytes >= shown + 64 * 1024 * 1024 || shown == 0 {
            shown = bytes.max(1);
            let _ = writeln!(err, "{label} {}", mib(bytes));
        }
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn say(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.into(),
        Lang::En => en.into(),
    }
}
