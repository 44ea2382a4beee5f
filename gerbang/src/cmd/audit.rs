//! `gerbang audit verify|export`: the integrity check of the hash-chained audit log (Pasal
//! 21-22), naming the first record that was edited or deleted, and a CSV export.

use gerbang_core::audit::{AuditChainError, verify_chain};
use gerbang_core::config::Config;
use gerbang_core::store::AuditStore;

use crate::cli::AuditCommand;
use crate::error::CliError;

pub async fn run(config: &Config, command: AuditCommand) -> Result<(), CliError> {
    let install = gerbang_core::bootstrap::open(config).await?;
    let result = match command {
        AuditCommand::Verify => verify(&install.store).await,
        AuditCommand::Export => export(&install.store).await,
    };
    install.store.close().await;
    result
}

async fn verify(store: &gerbang_core::store::Store) -> Result<(), CliError> {
    let mut db = store.conn().await?;
    match verify_chain(&mut db).await {
        Ok(n) => {
            println!("log audit utuh: {n} catatan diperiksa / audit log intact: {n} records checked");
            Ok(())
        }
        Err(AuditChainError::Broken { seq }) => Err(CliError::Message(format!(
            "log audit RUSAK pada catatan #{seq}: catatan ini atau yang sebelumnya diubah atau dihapus / \
             audit log BROKEN at record #{seq}: it or the record before it was edited or deleted"
        ))),
        Err(AuditChainError::Store(e)) => Err(e.into()),
    }
}

async fn export(store: &gerbang_core::store::Store) -> Result<(), CliError> {
    let mut db = store.conn().await?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    let io = |e: csv::Error| CliError::Message(format!("CSV: {e}"));
    out.write_record(["seq", "at", "actor", "action", "target", "detail", "hash"]).map_err(io)?;
    let mut after = 0;
    loop {
        let rows = db.audit_after(after, 1000).await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for r in &rows {
            let hash: String = r.hash.iter().map(|b| format!("{b:02x}")).collect();
            out.write_record([
                r.seq.to_string(),
                r.at.to_string(),
                r.actor.clone(),
                r.action.clone(),
                r.target.clone(),
                r.detail.clone(),
                hash,
            ])
            .map_err(io)?;
        }
    }
    out.flush().map_err(|e| CliError::Message(e.to_string()))
}
