//! `gerbang asn import FILE`: the HR import from the command line, with progress on stderr and
//! the report on stdout (counts, every bad row with its line, and with `--details` every change).

use std::io::{IsTerminal, Write};

use gerbang_core::config::Config;
use gerbang_core::crypto::PasswordHasher;
use gerbang_core::lang::{Lang, Localized};
use gerbang_idp::accounts::{AccountService, Actor};
use gerbang_idp::hr::import::{ImportReport, Progress};
use gerbang_idp::hr::{Hr, Note, Step};

use crate::cli::AsnCommand;
use crate::error::CliError;

/// Larger files are refused before reading (a whole province's civil service is far smaller).
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

pub async fn run(config: &Config, command: AsnCommand, lang: Lang) -> Result<(), CliError> {
    let AsnCommand::Import { file, dry_run, details } = command;
    let what = file.display().to_string();
    let size = std::fs::metadata(&file).map_err(CliError::io(&what))?.len();
    if size > MAX_FILE_BYTES {
        return Err(CliError::Message(say(
            lang,
            &format!("{what}: berkas lebih dari 64 MiB"),
            &format!("{what}: the file is larger than 64 MiB"),
        )));
    }
    let bytes = std::fs::read(&file).map_err(CliError::io(&what))?;
    gerbang_core::telemetry::init(&gerbang_core::config::LogConfig { level: "warn".into(), ..config.log.clone() });
    let install = gerbang_core::bootstrap::open(config).await?;
    let hasher = PasswordHasher::new(&config.password).map_err(|e| CliError::Message(e.to_string()))?;
    let accounts = AccountService::new(install.store.clone(), install.keys, hasher, config.password.min_length);
    let hr = Hr::new(install.store.clone(), accounts);
    let on_terminal = std::io::stderr().is_terminal();
    let show = move |p: Progress| show_progress(p, lang, on_terminal);
    let result = hr.import(&bytes, dry_run, Actor("cli"), &show).await;
    install.store.close().await;
    let report = result.map_err(|e| CliError::Message(e.message(lang)))?;
    print_report(&report, details, lang);
    Ok(())
}

fn show_progress(p: Progress, lang: Lang, on_terminal: bool) {
    let (label, done, total) = match p {
        Progress::Checking { done, total } => (say(lang, "Memeriksa", "Checking"), done, total),
        Progress::Applying { done, total } => (say(lang, "Menyimpan", "Saving"), done, total),
    };
    let rows = say(lang, "baris", "rows");
    let mut err = std::io::stderr();
    if on_terminal {
        let _ = write!(err, "\r{label} {done}/{total} {rows}…   ");
        if done == total {
            let _ = writeln!(err);
        }
    } else if done == total || done % 2000 == 0 {
        let _ = writeln!(err, "{label} {done}/{total} {rows}");
    }
}

fn print_report(r: &ImportReport, details: bool, lang: Lang) {
    let heading = match (r.applied, lang) {
        (true, Lang::Id) => "Impor ASN selesai.",
        (true, Lang::En) => "ASN import done.",
        (false, Lang::Id) => "Uji coba (--dry-run): tidak ada yang disimpan. Yang akan terjadi:",
        (false, Lang::En) => "Dry run: nothing was saved. What would happen:",
    };
    println!("{heading}");
    let lines: [(&str, &str, usize); 9] = [
        ("baris dibaca", "rows read", r.rows),
        ("akun dibuat", "accounts created", r.created),
        ("nama diubah", "names changed", r.renamed),
        ("pindah OPD", "moved between OPDs", r.moved),
        ("kontak diisi", "contacts set", r.contacts),
        ("dinonaktifkan (keluar)", "disabled (left)", r.disabled),
        ("diaktifkan kembali", "re-enabled", r.enabled),
        ("tanpa perubahan", "unchanged", r.unchanged),
        ("baris salah", "bad rows", r.failures.len()),
    ];
    for (id, en, n) in lines {
        println!("  {:>7}  {}", n, say(lang, id, en));
    }
    if r.kept_disabled > 0 {
        println!(
            "  {:>7}  {}",
            r.kept_disabled,
            say(
                lang,
                "aktif menurut SIMPEG tetapi dinonaktifkan admin: dibiarkan nonaktif",
                "active per HR but disabled by an administrator: left disabled"
            )
        );
    }
    if !r.failures.is_empty() {
        println!("{}", say(lang, "Baris salah (tidak diimpor):", "Bad rows (not imported):"));
        for f in &r.failures {
            println!("  {} {}: NIP {:?}: {}", say(lang, "baris", "line"), f.line, f.nip, f.error.message(lang));
        }
    }
    if details {
        println!("{}", say(lang, "Perubahan:", "Changes:"));
        for c in &r.changes {
            let steps: Vec<String> = c.steps.iter().map(|s| step_text(s, lang)).collect();
            let note = match &c.note {
                Some(Note::KeptDisabled { by }) => {
                    format!(" [{} {by}]", say(lang, "tetap nonaktif:", "kept disabled:"))
                }
                Some(Note::NoAccountToDisable) => format!(" [{}]", say(lang, "tidak ada akun", "no account")),
                None => String::new(),
            };
            println!("  {} {} {} {}: {}{note}", say(lang, "baris", "line"), c.line, c.nip, c.name, steps.join(", "));
        }
    }
}

fn step_text(step: &Step, lang: Lang) -> String {
    match step {
        Step::Create => say(lang, "dibuat", "created"),
        Step::Rename { from, to } => format!("{} {from:?} → {to:?}", say(lang, "nama", "name")),
        Step::Move { from, to } => format!("OPD {} → {to}", from.as_deref().unwrap_or("-")),
        Step::Contact { channel, .. } => format!("{} {channel}", say(lang, "kontak", "contact")),
        Step::Disable => say(lang, "dinonaktifkan", "disabled"),
        Step::Enable => say(lang, "diaktifkan kembali", "re-enabled"),
    }
}

fn say(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.into(),
        Lang::En => en.into(),
    }
}
