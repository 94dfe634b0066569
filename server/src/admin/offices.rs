//! `huji offices hours`: a household office's counter hours (C-2, seed 002 申辦時間; issue 20
//! item 8). Counter actions — issuing a card, the card services, revoking a loss report — are
//! taken only in them, on working days; an office without hours of its own keeps the seed's
//! 08:30–12:00 and 13:30–17:00. The change is audited as the console's.

use super::CONSOLE_ACTOR;
use anyhow::Context;
use app::domain::office_hours::OfficeHours;
use app::platform::audit::{self, AuditEvent};
use app::platform::db::Db;
use clap::Subcommand;
use serde_json::json;

#[derive(Subcommand)]
pub enum OfficesCommand {
    /// Set an office's counter hours on working days, e.g. `08:30-12:00,13:30-20:00`; without
    /// `--hours`, the office keeps the standard 08:30-12:00,13:30-17:00 again.
    Hours {
        /// The office's code, e.g. 63000030.
        #[arg(long)]
        code: String,
        #[arg(long)]
        hours: Option<String>,
    },
}

pub async fn run(command: OfficesCommand, db: &Db, now: i64) -> anyhow::Result<()> {
    let OfficesCommand::Hours { code, hours } = command;
    let hours = hours
        .as_deref()
        .map(OfficeHours::parse)
        .transpose()
        .map_err(|error| anyhow::anyhow!("--hours: {error}"))?;
    let stored = hours.as_ref().map(OfficeHours::code);
    let mut tx = db.pool.begin().await?;
    let changed = sqlx::query("UPDATE household_offices SET counter_hours = $1 WHERE code = $2")
        .bind(stored.clone())
        .bind(&code)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed != 1 {
        anyhow::bail!("no household office has the code {code}");
    }
    let event = AuditEvent {
        actor: CONSOLE_ACTOR.to_owned(),
        source_ip: "local".into(),
        action: "office.counter_hours".into(),
        subject: format!("office:{code}"),
        detail: json!({ "hours": stored }).to_string(),
    };
    audit::append(&mut tx, &db.audit, now, &event).await?;
    tx.commit().await.context("saving the hours")?;
    let shown = hours.unwrap_or_else(OfficeHours::standard);
    println!("office {code}: counter hours on working days {shown}");
    Ok(())
}
