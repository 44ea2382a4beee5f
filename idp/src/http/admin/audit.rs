//! The auditor's pages: the audit log (search, CSV export) and the reports of Pasal 24 with
//! charts and CSV downloads.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{AdminPage, Field, P, Q, cell, chart, enc, form, table};
use crate::http::api::audit::{AuditParams, ReportParams, report_period};
use crate::http::error::PageError;
use crate::http::lang::UiLang;
use crate::state::AppState;

type Page = Result<Response, PageError>;

/// A file download that no browser will render inline.
pub fn download(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let safe: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

pub async fn log(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(q): Q<AuditParams>) -> Page {
    let who = who!(state, headers, ui, "/admin/audit");
    let (rows, error) = match q.filter() {
        Ok(filter) => (
            state
                .admin
                .search_audit(&who.principal, &filter, q.before.unwrap_or(i64::MAX))
                .await
                .map_err(|e| who.err(e))?,
            None,
        ),
        Err(e) => (Vec::new(), Some(who.form_error(e)?)),
    };
    let query = format!(
        "actor={}&action={}&target={}&from={}&to={}",
        enc(&q.actor),
        enc(&q.action),
        enc(&q.target),
        enc(&q.from),
        enc(&q.to)
    );
    let next = (rows.len() as i64 >= crate::admin::PAGE)
        .then(|| format!("/admin/audit?{query}&before={}", rows.last().map(|r| r.seq).unwrap_or(0)));
    let body = rows
        .iter()
        .map(|r| {
            vec![
                cell(r.seq.to_string()),
                cell(crate::wib::date_time(r.at)),
                cell(r.actor.clone()),
                cell(r.action.clone()),
                cell(r.target.clone()),
                cell(r.detail.clone()),
            ]
        })
        .collect();
    let mut f = form(
        "audit-search",
        "",
        "/admin/audit",
        vec![
            Field::text("actor", who.tr("Pelaku (id akun, cli, system)", "Actor (account id, cli, system)"), &q.actor),
            Field::text(
                "action",
                who.tr("Tindakan (awalan, mis. portal.)", "Action (prefix, e.g. portal.)"),
                &q.action,
            ),
            Field::text("target", who.tr("Sasaran", "Target"), &q.target),
            Field::text("from", who.tr("Dari tanggal", "From"), &q.from).kind("date"),
            Field::text("to", who.tr("Sampai tanggal", "To"), &q.to).kind("date"),
        ],
        who.tr("Cari", "Search"),
        error,
    );
    f["method"] = serde_json::json!("get");
    AdminPage::new("admin-audit", "audit", who.tr("Log audit", "Audit log"))
        .push(serde_json::json!({ "kind": "links", "title": "", "items": [{ "href": format!("/admin/audit.csv?{query}"), "label": who.tr("Unduh CSV", "Download CSV"), "id": "audit-csv" }] }))
        .push(f)
        .push(table("audit", "", &["#", who.tr("Waktu", "Time"), who.tr("Pelaku", "Actor"), who.tr("Tindakan", "Action"), who.tr("Sasaran", "Target"), who.tr("Rincian", "Detail")], body, next))
        .render(&state, &who, StatusCode::OK)
}

pub async fn log_csv(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(q): Q<AuditParams>) -> Page {
    let who = who!(state, headers, ui, "/admin/audit");
    let filter = q.filter().map_err(|e| who.err(e))?;
    let csv = state.admin.export_audit(&who.principal, &filter).await.map_err(|e| who.err(e))?;
    Ok(download(csv, "text/csv; charset=utf-8", "audit.csv"))
}

pub async fn reports(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(q): Q<ReportParams>) -> Page {
    let who = who!(state, headers, ui, "/admin/laporan");
    let (from, to) = report_period(&q).map_err(|e| who.err(e))?;
    let r = state.admin.report(&who.principal, from, to).await.map_err(|e| who.err(e))?;
    let pct = |a: i64, b: i64| if b == 0 { 0.0 } else { a as f64 * 100.0 / b as f64 };
    let sign_ins: Vec<(String, f64)> =
        r.opds.iter().filter(|o| o.sign_ins + o.failed > 0).map(|o| (o.opd_name.clone(), o.sign_ins as f64)).collect();
    let mfa: Vec<(String, f64)> =
        r.opds.iter().filter(|o| o.accounts > 0).map(|o| (o.opd_name.clone(), pct(o.mfa, o.accounts))).collect();
    let apps: Vec<(String, f64)> = r.applications.iter().map(|a| (a.name.clone(), a.sign_ins as f64)).collect();
    let docs: Vec<(String, f64)> =
        r.applications.iter().map(|a| (a.name.clone(), pct(a.docs_checked, a.docs_total))).collect();
    let chart = |id: &str, title: &str, rows: &[(String, f64)], unit: &str| serde_json::json!({ "kind": "chart", "id": id, "title": title, "svg": chart::bars(rows, unit) });
    let opd_rows = r
        .opds
        .iter()
        .map(|o| {
            vec![
                cell(o.opd_name.clone()),
                cell(o.sign_ins.to_string()),
                cell(o.failed.to_string()),
                cell(o.users.to_string()),
                cell(format!("{:.0}%", pct(o.mfa, o.accounts))),
                cell(format!("{:.0}%", pct(o.passkey, o.accounts))),
                cell(format!("{}/{}", o.live, o.applications)),
            ]
        })
        .collect();
    let app_rows = r
        .applications
        .iter()
        .map(|a| {
            vec![
                cell(a.name.clone()),
                cell(a.opd_id.clone()),
                cell(who.code(&a.onboarding)),
                cell(a.sign_ins.to_string()),
                cell(a.users.to_string()),
                cell(format!("{}/{}", a.docs_checked, a.docs_total)),
            ]
        })
        .collect();
    let query = format!("from={}&to={}", enc(&q.from), enc(&q.to));
    let mut f = form(
        "report-period",
        who.tr("Periode", "Period"),
        "/admin/laporan",
        vec![
            Field::text("from", who.tr("Dari", "From"), &q.from).kind("date"),
            Field::text("to", who.tr("Sampai", "To"), &q.to).kind("date"),
        ],
        who.tr("Tampilkan", "Show"),
        None,
    );
    f["method"] = serde_json::json!("get");
    AdminPage::new("admin-reports", "laporan", who.tr("Laporan penyelenggaraan (Pasal 24)", "Operation reports (Art. 24)"))
        .push(f)
        .push(serde_json::json!({ "kind": "links", "title": "", "items": [
            { "href": format!("/admin/laporan/opd.csv?{query}"), "label": who.tr("CSV per OPD", "CSV by OPD"), "id": "csv-opd" },
            { "href": format!("/admin/laporan/aplikasi.csv?{query}"), "label": who.tr("CSV per aplikasi", "CSV by application"), "id": "csv-apps" } ] }))
        .push(chart("chart-sign-ins", who.tr("Masuk berhasil per OPD", "Successful sign-ins by OPD"), &sign_ins, ""))
        .push(chart("chart-mfa", who.tr("Akun aktif dengan faktor kedua atau passkey (%)", "Active accounts with a second factor or passkey (%)"), &mfa, "%"))
        .push(chart("chart-apps", who.tr("Masuk ke aplikasi", "Sign-ins to applications"), &apps, ""))
        .push(chart("chart-docs", who.tr("Kelengkapan dokumentasi diperiksa (%)", "Documentation checked (%)"), &docs, "%"))
        .push(table("report-opd", who.tr("Per OPD", "By OPD"), &["OPD", who.tr("Masuk", "Sign-ins"), who.tr("Gagal", "Failed"), who.tr("Pengguna", "Users"), "MFA", "Passkey", who.tr("Aplikasi live", "Apps live")], opd_rows, None))
        .push(table("report-apps", who.tr("Per aplikasi", "By application"), &[who.tr("Aplikasi", "Application"), "OPD", "SSO", who.tr("Masuk", "Sign-ins"), who.tr("Pengguna", "Users"), who.tr("Dokumen", "Docs")], app_rows, None))
        .render(&state, &who, StatusCode::OK)
}

pub async fn report_csv(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(file): P<String>,
    Q(q): Q<ReportParams>,
) -> Page {
    let who = who!(state, headers, ui, "/admin/laporan");
    let (from, to) = report_period(&q).map_err(|e| who.err(e))?;
    let r = state.admin.report(&who.principal, from, to).await.map_err(|e| who.err(e))?;
    match file.as_str() {
        "opd.csv" => Ok(download(r.opds_csv(), "text/csv; charset=utf-8", "laporan-opd.csv")),
        "aplikasi.csv" => Ok(download(r.applications_csv(), "text/csv; charset=utf-8", "laporan-aplikasi.csv")),
        _ => Err(PageError::NotFound),
    }
}
