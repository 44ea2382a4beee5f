//! `/admin/asn/impor`: the HR import in the admin module. An administrator uploads the SIMPEG
//! CSV export, first as a dry run to see what would change, then for real; the page shows the
//! counts as a chart, every bad row with its line, and the rows that change.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use gerbang_core::lang::Localized;

use super::{AdminPage, Field, FormData, Who, cell, chart, facts, form, table, text};
use crate::accounts::Actor;
use crate::admin::Role;
use crate::hr::import::{ImportReport, MAX_ROWS};
use crate::hr::{Note, Step};
use crate::http::error::PageError;
use crate::http::lang::UiLang;
use crate::state::AppState;

type Page = Result<Response, PageError>;

/// The largest file accepted (a whole province's civil service is far smaller).
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// Changed rows listed on the page; the counts cover all of them.
const SHOWN_CHANGES: usize = 1000;

pub async fn import_page(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Page {
    let who = who!(state, headers, ui, "/admin/asn/impor");
    who.principal.require(Role::Admin).map_err(|e| who.err(e))?;
    page(&who, None, None).render(&state, &who, StatusCode::OK)
}

pub async fn import_submit(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    let who = who!(state, headers, ui, "/admin/asn/impor");
    who.check(&headers, &f, state.secure_cookies)?;
    who.principal.require(Role::Admin).map_err(|e| who.err(e))?;
    let Some(upload) = f.file("file") else {
        let refusal = who.tr("Pilih berkas CSV dari SIMPEG.", "Choose the CSV file from SIMPEG.").to_string();
        return page(&who, Some(refusal), None).render(&state, &who, StatusCode::BAD_REQUEST);
    };
    let dry_run = f.has("dry_run");
    let actor = Actor(who.principal.id());
    match state.hr.import(&upload.bytes, dry_run, actor, &|_| {}).await {
        Ok(report) => page(&who, None, Some(&report)).render(&state, &who, StatusCode::OK),
        Err(crate::hr::import::ImportError::Store(e)) => Err(e.into()),
        Err(e) => page(&who, Some(e.message(who.lang())), None).render(&state, &who, StatusCode::BAD_REQUEST),
    }
}

fn page(who: &Who, refusal: Option<String>, report: Option<&ImportReport>) -> AdminPage {
    let mut p = AdminPage::new("asn-import", "asn", who.tr("Impor ASN dari SIMPEG", "ASN import from SIMPEG"));
    if let Some(r) = report {
        p = p.push(summary(who, r));
        p = p.push(chart_of(who, r));
        p = p.push(failures(who, r));
        p = p.push(changes(who, r));
    }
    let mut upload = form(
        "import",
        who.tr("Unggah berkas", "Upload a file"),
        "/admin/asn/impor",
        vec![
            Field::text("file", who.tr("Berkas CSV", "CSV file"), "").kind("file").required().help(&format!(
                "{} {MAX_ROWS} {}",
                who.tr(
                    "Baris judul dengan kolom nip, nama, opd (wajib), status (aktif/keluar), email, telepon; \
                     dipisah koma atau titik koma; paling banyak",
                    "A header row with the columns nip, nama, opd (required), status (aktif/keluar), email, \
                     telepon; comma or semicolon separated; at most",
                ),
                who.tr("baris.", "rows."),
            )),
            Field::checkbox(
                "dry_run",
                who.tr("Uji coba saja: tampilkan perubahan tanpa menyimpan", "Dry run: show the changes, save nothing"),
                report.is_none_or(|r| !r.applied),
            ),
        ],
        who.tr("Proses", "Process"),
        refusal,
    );
    upload["enctype"] = serde_json::json!("multipart/form-data");
    p.push(upload).push(text(who.tr(
        "Pegawai berstatus keluar dinonaktifkan seketika: semua sesi dan token berakhir dan setiap aplikasi \
         menerima logout back-channel. Berkas yang sama dapat diimpor ulang tanpa mengubah apa pun.",
        "Employees marked as left are disabled at once: every session and token ends and every application \
         receives a back-channel logout. The same file can be imported again without changing anything.",
    )))
}

fn summary(who: &Who, r: &ImportReport) -> serde_json::Value {
    let title = if r.applied {
        who.tr("Impor selesai", "Import done")
    } else {
        who.tr("Uji coba: belum ada yang disimpan", "Dry run: nothing saved yet")
    };
    let n = |v: usize| v.to_string();
    facts(
        "summary",
        title,
        vec![
            (who.tr("Baris dibaca", "Rows read").into(), n(r.rows)),
            (who.tr("Akun dibuat", "Accounts created").into(), n(r.created)),
            (who.tr("Nama diubah", "Names changed").into(), n(r.renamed)),
            (who.tr("Pindah OPD", "Moved between OPDs").into(), n(r.moved)),
            (who.tr("Kontak diisi", "Contacts set").into(), n(r.contacts)),
            (who.tr("Dinonaktifkan (keluar)", "Disabled (left)").into(), n(r.disabled)),
            (who.tr("Diaktifkan kembali", "Re-enabled").into(), n(r.enabled)),
            (who.tr("Tanpa perubahan", "Unchanged").into(), n(r.unchanged)),
            (
                who.tr("Tetap nonaktif (dinonaktifkan bukan oleh SIMPEG)", "Kept disabled (not by SIMPEG)").into(),
                n(r.kept_disabled),
            ),
            (who.tr("Baris salah", "Bad rows").into(), n(r.failures.len())),
        ],
    )
}

fn chart_of(who: &Who, r: &ImportReport) -> serde_json::Value {
    let rows: Vec<(String, f64)> = [
        (who.tr("dibuat", "created"), r.created),
        (who.tr("diubah", "changed"), r.renamed + r.contacts),
        (who.tr("pindah OPD", "moved"), r.moved),
        (who.tr("dinonaktifkan", "disabled"), r.disabled),
        (who.tr("tanpa perubahan", "unchanged"), r.unchanged),
        (who.tr("salah", "bad"), r.failures.len()),
    ]
    .into_iter()
    .map(|(label, n)| (label.to_string(), n as f64))
    .collect();
    serde_json::json!({ "kind": "chart", "id": "chart", "title": who.tr("Ringkasan baris", "Rows at a glance"),
                        "svg": chart::bars(&rows, who.tr("baris", "rows")) })
}

fn failures(who: &Who, r: &ImportReport) -> serde_json::Value {
    let rows = r
        .failures
        .iter()
        .map(|f| vec![cell(f.line.to_string()), cell(f.nip.clone()), cell(f.error.message(who.lang()))])
        .collect();
    table(
        "failures",
        who.tr("Baris salah (tidak diimpor)", "Bad rows (not imported)"),
        &[who.tr("Baris", "Line"), "NIP", who.tr("Masalah", "Problem")],
        rows,
        None,
    )
}

fn changes(who: &Who, r: &ImportReport) -> serde_json::Value {
    let rows = r
        .changes
        .iter()
        .take(SHOWN_CHANGES)
        .map(|c| {
            let mut what: Vec<String> = c.steps.iter().map(|s| step_text(who, s)).collect();
            match &c.note {
                Some(Note::KeptDisabled { .. }) => what
                    .push(who.tr("tetap nonaktif (dinonaktifkan admin)", "kept disabled (by an administrator)").into()),
                Some(Note::NoAccountToDisable) => {
                    what.push(who.tr("keluar; tidak ada akun", "left; no account").into())
                }
                None => {}
            }
            vec![cell(c.line.to_string()), cell(c.nip.clone()), cell(c.name.clone()), cell(what.join(", "))]
        })
        .collect();
    let title = if r.changes.len() > SHOWN_CHANGES {
        format!("{} ({} {SHOWN_CHANGES})", who.tr("Perubahan", "Changes"), who.tr("ditampilkan", "showing"))
    } else {
        who.tr("Perubahan", "Changes").to_string()
    };
    table(
        "changes",
        &title,
        &[who.tr("Baris", "Line"), "NIP", who.tr("Nama", "Name"), who.tr("Perubahan", "Change")],
        rows,
        None,
    )
}

fn step_text(who: &Who, step: &Step) -> String {
    match step {
        Step::Create => who.tr("akun baru", "new account").into(),
        Step::Rename { from, to } => format!("{} {from} → {to}", who.tr("nama", "name")),
        Step::Move { from, to } => format!("OPD {} → {to}", from.as_deref().unwrap_or("—")),
        Step::Contact { channel, .. } => format!("{} {channel}", who.tr("kontak", "contact")),
        Step::Disable => who.tr("dinonaktifkan", "disabled").into(),
        Step::Enable => who.tr("diaktifkan kembali", "re-enabled").into(),
    }
}
