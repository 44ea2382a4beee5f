//! `/api/v1/audit` (search, CSV export, chain check) and `/api/v1/reports` (Pasal 24).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Json, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gerbang_core::store::{AuditFilter, AuditRow};
use serde_json::{Value, json};

use super::{Caller, query};
use crate::admin::AdminError;
use crate::http::error::ApiError;
use crate::state::AppState;

type Api = Result<Response, ApiError>;

pub fn record_json(r: &AuditRow) -> Value {
    json!({ "seq": r.seq, "at": r.at, "actor": r.actor, "action": r.action, "target": r.target,
        "detail": serde_json::from_str::<Value>(&r.detail).unwrap_or(Value::String(r.detail.clone())),
        "hash": hex::encode(&r.hash) })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditParams {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub target: String,
    /// `YYYY-MM-DD` (WIB), inclusive.
    #[serde(default)]
    pub from: String,
    /// `YYYY-MM-DD` (WIB), inclusive.
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub before: Option<i64>,
}

impl AuditParams {
    pub fn filter(&self) -> Result<AuditFilter, AdminError> {
        let (from, to) = period(&self.from, &self.to, (0, i64::MAX))?;
        Ok(AuditFilter {
            actor: self.actor.trim().into(),
            action: self.action.trim().into(),
            target: self.target.trim().into(),
            from,
            to,
        })
    }
}

/// A period of whole WIB days `[from, to]` as Unix seconds `[start, end)`; empty ends take the
/// defaults.
pub fn period(from: &str, to: &str, default: (i64, i64)) -> Result<(i64, i64), AdminError> {
    let day = |field: &'static str, s: &str| -> Result<Option<i64>, AdminError> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let d = time::Date::parse(s.trim(), &format)
            .map_err(|_| AdminError::invalid(field, "Tanggal harus TTTT-BB-HH.", "The date must be YYYY-MM-DD."))?;
        // Days are WIB (UTC+7), as people in Padang Panjang count them.
        Ok(Some(d.midnight().assume_utc().unix_timestamp() - 7 * 3600))
    };
    let start = day("from", from)?.unwrap_or(default.0);
    let end = day("to", to)?.map(|t| t + 86_400).unwrap_or(default.1);
    if end <= start {
        return Err(AdminError::invalid(
            "to",
            "Akhir periode harus sesudah awalnya.",
            "The end of the period must come after its start.",
        ));
    }
    Ok((start, end))
}

pub async fn search(State(s): State<AppState>, c: Caller, q: Result<Query<AuditParams>, QueryRejection>) -> Api {
    let p = query(q)?;
    let filter = p.filter().map_err(|e| c.err(e))?;
    let rows = s.admin.search_audit(&c.principal, &filter, p.before.unwrap_or(i64::MAX)).await.map_err(|e| c.err(e))?;
    // The sequence number to pass back as `before` (an integer, like `before` itself).
    let next = super::next_of(&rows, |r| r.seq.to_string()).and(rows.last().map(|r| r.seq));
    Ok(Json(json!({ "items": rows.iter().map(record_json).collect::<Vec<_>>(), "next_before": next })).into_response())
}

pub async fn export(State(s): State<AppState>, c: Caller, q: Result<Query<AuditParams>, QueryRejection>) -> Api {
    let p = query(q)?;
    let filter = p.filter().map_err(|e| c.err(e))?;
    let csv = s.admin.export_audit(&c.principal, &filter).await.map_err(|e| c.err(e))?;
    Ok(csv_response(csv, "audit.csv"))
}

pub async fn verify(State(s): State<AppState>, c: Caller) -> Api {
    Ok(Json(match s.admin.verify_audit(&c.principal).await.map_err(|e| c.err(e))? {
        Ok(n) => json!({ "intact": true, "records": n }),
        Err(seq) => json!({ "intact": false, "broken_at": seq }),
    })
    .into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ReportParams {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// The last 30 days unless a period is given.
pub fn report_period(p: &ReportParams) -> Result<(i64, i64), AdminError> {
    let now = gerbang_core::store::now_unix();
    period(&p.from, &p.to, (now - 30 * 86_400, now + 1))
}

pub async fn report(State(s): State<AppState>, c: Caller, q: Result<Query<ReportParams>, QueryRejection>) -> Api {
    let p = query(q)?;
    let (from, to) = report_period(&p).map_err(|e| c.err(e))?;
    Ok(Json(json!(s.admin.report(&c.principal, from, to).await.map_err(|e| c.err(e))?)).into_response())
}

/// `GET /api/v1/reports/{opds|applications}.csv`.
pub async fn report_csv(
    State(s): State<AppState>,
    c: Caller,
    Path(file): Path<String>,
    q: Result<Query<ReportParams>, QueryRejection>,
) -> Api {
    let p = query(q)?;
    let (from, to) = report_period(&p).map_err(|e| c.err(e))?;
    let report = s.admin.report(&c.principal, from, to).await.map_err(|e| c.err(e))?;
    match file.as_str() {
        "opds.csv" => Ok(csv_response(report.opds_csv(), "laporan-opd.csv")),
        "applications.csv" => Ok(csv_response(report.applications_csv(), "laporan-aplikasi.csv")),
        _ => Err(c.err(AdminError::NotFound)),
    }
}

pub fn csv_response(body: Vec<u8>, name: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
