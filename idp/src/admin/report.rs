//! The reports of Pasal 24 (periodic reporting of e-government operation): per OPD and per
//! application over a period: sign-ins, distinct users, failed sign-ins, second-factor and
//! passkey adoption, onboarding to SSO and completeness of the documentation of Pasal 8(2).

use std::collections::BTreeMap;

use gerbang_core::store::{AppSignIns, AppStatus, OpdFactors, OpdSignIns, ReportStore};

use super::application::DOC_ITEMS;
use super::{Admin, AdminError, Principal};

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OpdRow {
    pub opd_id: String,
    pub opd_name: String,
    pub sign_ins: i64,
    pub failed: i64,
    pub users: i64,
    pub accounts: i64,
    pub mfa: i64,
    pub passkey: i64,
    pub applications: i64,
    pub live: i64,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AppRow {
    pub application_id: String,
    pub name: String,
    pub opd_id: String,
    pub onboarding: String,
    pub sign_ins: i64,
    pub users: i64,
    pub docs_given: i64,
    pub docs_checked: i64,
    pub docs_total: i64,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    /// Unix seconds, [from, to).
    pub from: i64,
    pub to: i64,
    pub opds: Vec<OpdRow>,
    pub applications: Vec<AppRow>,
}

impl Admin {
    pub async fn report(&self, who: &Principal, from: i64, to: i64) -> Result<Report, AdminError> {
        who.require_reader()?;
        if to <= from {
            return Err(AdminError::invalid(
                "to",
                "Akhir periode harus sesudah awalnya.",
                "The end of the period must come after its start.",
            ));
        }
        let mut db = self.store.conn().await?;
        let sign_ins: Vec<OpdSignIns> = db.sign_ins_by_opd(from, to).await?;
        let factors: Vec<OpdFactors> = db.factors_by_opd().await?;
        let by_app: Vec<AppSignIns> = db.sign_ins_by_application(from, to).await?;
        let apps: Vec<AppStatus> = db.application_status().await?;
        drop(db);
        let names: BTreeMap<String, String> = self.all_opds().await?.into_iter().map(|o| (o.id, o.name)).collect();
        let mut opds: BTreeMap<String, OpdRow> = BTreeMap::new();
        let row = |id: &str| -> OpdRow {
            OpdRow {
                opd_id: id.to_string(),
                opd_name: names
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| if id.is_empty() { "(tanpa OPD)".into() } else { id.into() }),
                ..OpdRow::default()
            }
        };
        for s in sign_ins {
            let r = opds.entry(s.opd_id.clone()).or_insert_with(|| row(&s.opd_id));
            (r.sign_ins, r.failed, r.users) = (s.ok, s.failed, s.users);
        }
        for f in factors {
            let r = opds.entry(f.opd_id.clone()).or_insert_with(|| row(&f.opd_id));
            (r.accounts, r.mfa, r.passkey) = (f.accounts, f.mfa, f.passkey);
        }
        for a in &apps {
            let r = opds.entry(a.opd_id.clone()).or_insert_with(|| row(&a.opd_id));
            r.applications += 1;
            r.live += i64::from(a.onboarding == "live");
        }
        let applications = apps
            .into_iter()
            .map(|a| {
                let used = by_app.iter().find(|b| b.application_id == a.id);
                AppRow {
                    sign_ins: used.map(|u| u.sign_ins).unwrap_or(0),
                    users: used.map(|u| u.users).unwrap_or(0),
                    application_id: a.id,
                    name: a.name,
                    opd_id: a.opd_id,
                    onboarding: a.onboarding,
                    docs_given: a.docs_given,
                    docs_checked: a.docs_checked,
                    docs_total: DOC_ITEMS.len() as i64,
                }
            })
            .collect();
        Ok(Report { from, to, opds: opds.into_values().collect(), applications })
    }
}

impl Report {
    /// The OPD table as CSV.
    pub fn opds_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "opd_id",
            "opd",
            "sign_ins",
            "failed_sign_ins",
            "distinct_users",
            "active_accounts",
            "mfa_accounts",
            "passkey_accounts",
            "applications",
            "applications_live",
        ]);
        for r in &self.opds {
            let _ = w.write_record([
                r.opd_id.clone(),
                super::csv_cell(&r.opd_name),
                r.sign_ins.to_string(),
                r.failed.to_string(),
                r.users.to_string(),
                r.accounts.to_string(),
                r.mfa.to_string(),
                r.passkey.to_string(),
                r.applications.to_string(),
                r.live.to_string(),
            ]);
        }
        w.into_inner().unwrap_or_default()
    }

    /// The application table as CSV.
    pub fn applications_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "application_id",
            "application",
            "opd_id",
            "onboarding",
            "sign_ins",
            "distinct_users",
            "docs_given",
            "docs_checked",
            "docs_total",
        ]);
        for r in &self.applications {
            let _ = w.write_record([
                r.application_id.clone(),
                super::csv_cell(&r.name),
                r.opd_id.clone(),
                r.onboarding.clone(),
                r.sign_ins.to_string(),
                r.users.to_string(),
                r.docs_given.to_string(),
                r.docs_checked.to_string(),
                r.docs_total.to_string(),
            ]);
        }
        w.into_inner().unwrap_or_default()
    }
}
