//! `gerbang migrate`: applies pending migrations and reports what it did.

use gerbang_core::config::Config;

use crate::error::CliError;

pub fn progress(report: &gerbang_core::store::MigrationReport) -> String {
    let applied = report.applied_now.saturating_sub(report.applied_before);
    format!(
        "migrasi: {applied} diterapkan, {} total, versi skema {} / migrations: {applied} applied, {} in total, schema version {}",
        report.applied_now, report.latest_version, report.applied_now, report.latest_version
    )
}

pub async fn run(config: &Config) -> Result<(), CliError> {
    eprintln!("basis data / database: {}", config.database_display());
    let install = gerbang_core::bootstrap::open(config).await?;
    println!("{}", progress(&install.migrations));
    install.store.close().await;
    Ok(())
}
