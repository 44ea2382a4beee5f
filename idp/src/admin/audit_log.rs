//! The audit log as the auditor sees it: search by actor, action, target and time, export as
//! CSV, and the chain check of Pasal 21-22 (integrity), which names the first broken record.

use gerbang_core::audit::{AuditChainError, verify_chain};
use gerbang_core::store::{AuditFilter, AuditRow, AuditStore};

use super::{Admin, AdminError, PAGE, Principal};

/// Most records in one export.
pub const EXPORT_LIMIT: i64 = 100_000;

impl Admin {
    /// One page, newest first, before `before_seq` (`i64::MAX` for the newest).
    pub async fn search_audit(
        &self,
        who: &Principal,
        filter: &AuditFilter,
        before_seq: i64,
    ) -> Result<Vec<AuditRow>, AdminError> {
        who.require_reader()?;
        Ok(self.store.conn().await?.search_audit(filter, before_seq, PAGE).await?)
    }

    /// Every matching record (up to `EXPORT_LIMIT`) as CSV, oldest last.
    pub async fn export_audit(&self, who: &Principal, filter: &AuditFilter) -> Result<Vec<u8>, AdminError> {
        who.require_reader()?;
        let mut db = self.store.conn().await?;
        let mut out = csv::Writer::from_writer(Vec::new());
        let _ = out.write_record(["seq", "at_utc", "actor", "action", "target", "detail", "hash"]);
        let (mut before, mut written) = (i64::MAX, 0i64);
        while written < EXPORT_LIMIT {
            let rows = db.search_audit(filter, before, 1000).await?;
            let Some(last) = rows.last() else { break };
            before = last.seq;
            for r in &rows {
                let at = time::OffsetDateTime::from_unix_timestamp(r.at)
                    .ok()
                    .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
                    .unwrap_or_default();
                let _ = out.write_record([
                    r.seq.to_string(),
                    at,
                    super::csv_cell(&r.actor),
                    super::csv_cell(&r.action),
                    super::csv_cell(&r.target),
                    super::csv_cell(&r.detail),
                    hex::encode(&r.hash),
                ]);
                written += 1;
            }
        }
        out.into_inner().map_err(|e| AdminError::Store(gerbang_core::store::StoreError::Corrupt(e.to_string())))
    }

    /// Walks the chain: the number of records, or the first record that breaks it.
    pub async fn verify_audit(&self, who: &Principal) -> Result<Result<u64, i64>, AdminError> {
        who.require_reader()?;
        let mut db = self.store.conn().await?;
        match verify_chain(&mut db).await {
            Ok(n) => Ok(Ok(n)),
            Err(AuditChainError::Broken { seq }) => Ok(Err(seq)),
            Err(AuditChainError::Store(e)) => Err(e.into()),
        }
    }
}
