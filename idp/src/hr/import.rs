//! The CSV import from the HR system: read the file, check and plan every row, then (unless it
//! is a dry run) apply the rows that change something, in batches. A bad row is reported with its
//! line and does not stop the others; running the same file again changes nothing.
//!
//! The file has a header row. Columns, in any order (case-insensitive; `;` or `,` separated,
//! UTF-8 with or without BOM): `nip`, `nama` and `opd` (required), `status` (`aktif` or
//! `keluar`; empty is `aktif`), `email` and `telepon` (optional: where activation codes go).

use std::collections::HashMap;

use gerbang_core::lang::{Lang, Localized};
use gerbang_core::store::StoreError;

use super::record::{RowError, StaffInput};
use super::sync::{Note, Plan, Step};
use super::{Hr, HrError};
use crate::accounts::Actor;

/// Rows written per transaction.
const BATCH: usize = 200;
/// The most rows one file may hold (the whole civil service of a province fits).
pub const MAX_ROWS: usize = 200_000;

/// Why a file cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("Berkas kosong atau tanpa baris judul.")]
    Empty,
    #[error("Berkas bukan teks UTF-8.")]
    NotUtf8,
    #[error("Kolom wajib \"{0}\" tidak ada di baris judul.")]
    MissingColumn(&'static str),
    #[error("Kolom \"{0}\" muncul dua kali di baris judul.")]
    DuplicateColumn(String),
    #[error("Berkas memuat lebih dari {MAX_ROWS} baris.")]
    TooManyRows,
    #[error("Baris {line}: CSV tidak dapat dibaca ({detail}).")]
    Malformed { line: u64, detail: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Localized for ImportError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::Id {
            return self.to_string();
        }
        match self {
            ImportError::Empty => "The file is empty or has no header row.".into(),
            ImportError::NotUtf8 => "The file is not UTF-8 text.".into(),
            ImportError::MissingColumn(c) => format!("The required column \"{c}\" is not in the header row."),
            ImportError::DuplicateColumn(c) => format!("The column \"{c}\" appears twice in the header row."),
            ImportError::TooManyRows => format!("The file holds more than {MAX_ROWS} rows."),
            ImportError::Malformed { line, detail } => format!("Line {line}: the CSV cannot be read ({detail})."),
            ImportError::Store(e) => format!("Storage error: {e}"),
        }
    }
}

/// Where the import is, for a progress display.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    Checking { done: usize, total: usize },
    Applying { done: usize, total: usize },
}

/// A row refused, with its line in the file.
#[derive(Debug, Clone)]
pub struct RowFailure {
    pub line: u64,
    /// The NIP cell as it was (cut short).
    pub nip: String,
    pub error: RowError,
}

/// A row that changes something or carries a note.
#[derive(Debug, Clone)]
pub struct RowChange {
    pub line: u64,
    pub nip: String,
    pub name: String,
    pub steps: Vec<Step>,
    pub note: Option<Note>,
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// False for a dry run: nothing was written.
    pub applied: bool,
    pub rows: usize,
    pub created: usize,
    pub renamed: usize,
    pub moved: usize,
    pub contacts: usize,
    pub disabled: usize,
    pub enabled: usize,
    pub unchanged: usize,
    /// Active per HR but disabled by an administrator or for inactivity: left alone.
    pub kept_disabled: usize,
    pub failures: Vec<RowFailure>,
    pub changes: Vec<RowChange>,
}

impl ImportReport {
    fn count(&mut self, plan: &Plan) {
        for step in &plan.steps {
            match step {
                Step::Create => self.created += 1,
                Step::Rename { .. } => self.renamed += 1,
                Step::Move { .. } => self.moved += 1,
                Step::Contact { .. } => self.contacts += 1,
                Step::Disable => self.disabled += 1,
                Step::Enable => self.enabled += 1,
            }
        }
        if plan.changes_nothing() {
            self.unchanged += 1;
        }
        if matches!(plan.note, Some(Note::KeptDisabled { .. })) {
            self.kept_disabled += 1;
        }
    }
}

/// The rows of a file, each with its line number.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<(u64, StaffInput)>, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header_line = text.lines().next().filter(|l| !l.trim().is_empty()).ok_or(ImportError::Empty)?;
    // Spreadsheets set to Indonesian save with `;`.
    let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() { b';' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let malformed = |e: csv::Error| ImportError::Malformed {
        line: e.position().map(|p| p.line()).unwrap_or(0),
        detail: e.to_string().chars().take(120).collect(),
    };
    let headers = reader.headers().map_err(malformed)?.clone();
    let columns = Columns::find(&headers)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(malformed)?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(ImportError::TooManyRows);
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        rows.push((line, columns.input(&record)));
    }
    Ok(rows)
}

/// Where each field is in a row.
struct Columns {
    nip: usize,
    name: usize,
    opd: usize,
    status: Option<usize>,
    email: Option<usize>,
    phone: Option<usize>,
}

impl Columns {
    fn find(headers: &csv::StringRecord) -> Result<Columns, ImportError> {
        let mut at: HashMap<&'static str, usize> = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            let h = h.trim().to_lowercase().replace([' ', '-'], "_");
            let field = match h.as_str() {
                "nip" => "nip",
                "nama" | "name" | "nama_lengkap" => "nama",
                "opd" | "kode_opd" | "unit_kerja" => "opd",
                "status" | "status_pegawai" => "status",
                "email" | "surel" => "email",
                "telepon" | "hp" | "no_hp" | "nomor_hp" | "phone" => "telepon",
                _ => continue,
            };
            if at.insert(field, i).is_some() {
                return Err(ImportError::DuplicateColumn(field.into()));
            }
        }
        Ok(Columns {
            nip: *at.get("nip").ok_or(ImportError::MissingColumn("nip"))?,
            name: *at.get("nama").ok_or(ImportError::MissingColumn("nama"))?,
            opd: *at.get("opd").ok_or(ImportError::MissingColumn("opd"))?,
            status: at.get("status").copied(),
            email: at.get("email").copied(),
            phone: at.get("telepon").copied(),
        })
    }

    fn input(&self, r: &csv::StringRecord) -> StaffInput {
        let cell = |i: Option<usize>| i.and_then(|i| r.get(i)).unwrap_or("").to_string();
        StaffInput {
            nip: cell(Some(self.nip)),
            name: cell(Some(self.name)),
            opd: cell(Some(self.opd)),
            status: cell(self.status),
            email: cell(self.email),
            phone: cell(self.phone),
        }
    }
}

impl Hr {
    /// Imports a CSV file (see the module docs). With `dry_run`, only reports what would change.
    pub async fn import(
        &self,
        bytes: &[u8],
        dry_run: bool,
        actor: Actor<'_>,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<ImportReport, ImportError> {
        let rows = read_csv(bytes)?;
        let opds = self.active_opds().await?;
        let total = rows.len();
        let mut report = ImportReport { rows: total, ..ImportReport::default() };
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut plans: Vec<(u64, Plan)> = Vec::new();
        let mut db = self.store.conn().await?;
        for (i, (line, input)) in rows.into_iter().enumerate() {
            if i % 500 == 0 {
                progress(Progress::Checking { done: i, total });
            }
            let fail = |error| RowFailure { line, nip: shown(&input.nip), error };
            let record = match input.check(&opds) {
                Ok(r) => r,
                Err(e) => {
                    report.failures.push(fail(e));
                    continue;
                }
            };
            if let Some(first) = seen.insert(record.nip.as_str().to_string(), line) {
                seen.insert(record.nip.as_str().to_string(), first);
                report.failures.push(fail(RowError::DuplicateNip { first_line: first as usize }));
                continue;
            }
            match self.plan(&mut db, record).await {
                Ok(plan) => plans.push((line, plan)),
                Err(e) => match e.as_row() {
                    Some(row) => report.failures.push(fail(row)),
                    None => return Err(store_error(e)),
                },
            }
        }
        drop(db);
        progress(Progress::Checking { done: total, total });
        let to_apply: Vec<&(u64, Plan)> = plans.iter().filter(|(_, p)| !p.changes_nothing()).collect();
        let mut refused: HashMap<u64, RowError> = HashMap::new();
        if !dry_run {
            let mut done = 0;
            for batch in to_apply.chunks(BATCH) {
                progress(Progress::Applying { done, total: to_apply.len() });
                self.apply_batch(batch, actor, &mut refused).await?;
                done += batch.len();
            }
            progress(Progress::Applying { done, total: to_apply.len() });
            if to_apply.iter().any(|(_, p)| p.steps.contains(&Step::Disable)) {
                self.accounts.logout_signal().owed();
            }
        }
        for (line, plan) in plans {
            if let Some(error) = refused.remove(&line) {
                report.failures.push(RowFailure { line, nip: plan.record.nip.as_str().into(), error });
                continue;
            }
            report.count(&plan);
            if !plan.changes_nothing() || plan.note.is_some() {
                report.changes.push(RowChange {
                    line,
                    nip: plan.record.nip.as_str().into(),
                    name: plan.record.name.clone(),
                    steps: plan.steps,
                    note: plan.note,
                });
            }
        }
        report.failures.sort_by_key(|f| f.line);
        report.applied = !dry_run;
        Ok(report)
    }

    /// Applies a batch in one transaction. If any row fails, the batch is rolled back and its
    /// rows are applied one by one, so only the row at fault is refused.
    async fn apply_batch(
        &self,
        batch: &[&(u64, Plan)],
        actor: Actor<'_>,
        refused: &mut HashMap<u64, RowError>,
    ) -> Result<(), ImportError> {
        let mut tx = self.store.begin().await?;
        let mut failed = false;
        for (_, plan) in batch {
            if self.apply_in(&mut tx, plan, actor).await.is_err() {
                failed = true;
                break;
            }
        }
        if !failed {
            tx.commit().await?;
            return Ok(());
        }
        drop(tx);
        for (line, plan) in batch {
            let mut tx = self.store.begin().await?;
            match self.apply_in(&mut tx, plan, actor).await {
                Ok(_) => tx.commit().await?,
                Err(e) => match e.as_row() {
                    Some(row) => {
                        refused.insert(*line, row);
                    }
                    None => return Err(store_error(e)),
                },
            }
        }
        Ok(())
    }
}

fn store_error(e: HrError) -> ImportError {
    match e {
        HrError::Store(s) => ImportError::Store(s),
        other => ImportError::Store(StoreError::Database(other.to_string())),
    }
}

/// A NIP cell as shown in a report: printable, cut short.
fn shown(nip: &str) -> String {
    nip.chars().filter(|c| !c.is_control()).take(24).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_any_order_and_either_separator() {
        let rows =
            read_csv("\u{feff}Nama;NIP;Kode OPD;Email\nRina;199001012015032001;DISKOMINFO;r@contoh.id\n\n".as_bytes())
                .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].0, rows[0].1.nip.as_str(), rows[0].1.opd.as_str()),
            (2, "199001012015032001", "DISKOMINFO")
        );
        assert_eq!(rows[0].1.status, "");
        let rows = read_csv(b"nip,nama,opd\n1,\"Budi, S.T.\",X\n").unwrap();
        assert_eq!(rows[0].1.name, "Budi, S.T.");
    }

    #[test]
    fn a_file_without_what_it_needs_is_refused() {
        assert!(matches!(read_csv(b""), Err(ImportError::Empty)));
        assert!(matches!(read_csv(b"nip,nama\n1,a\n"), Err(ImportError::MissingColumn("opd"))));
        assert!(matches!(read_csv(b"nip,nama,opd,nip\n"), Err(ImportError::DuplicateColumn(_))));
        assert!(matches!(read_csv(&[0xff, 0xfe, 0x00]), Err(ImportError::NotUtf8)));
    }
}
