//! `huji payments reconcile`: the payment provider's settlement of a day against the online
//! renewals paid here (C-4, issue 20 item 9). A transaction whose notice never arrived settles
//! its order now (audited, the holder mailed, as a notice would); a transaction that is not
//! ours, a payment recorded here that the provider did not settle, and a payment to refund
//! (its renewal closed without a card) are listed, and the command fails so that an operator
//! looks.

use anyhow::Context;
use app::platform::db::Db;
use app::services::certificate::renewal::payment::{self, Notice};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum PaymentsCommand {
    /// Reconcile the provider's settlement of `--date` (Taipei's calendar), a CSV file with
    /// the header `provider_ref,order_id,amount,paid_at` (the development provider serves it
    /// at `/dev/payments/settlement.csv?date=…`).
    Reconcile {
        #[arg(long)]
        date: chrono::NaiveDate,
        #[arg(long)]
        settlement: PathBuf,
    },
}

/// The settlement's transactions.
pub fn parse_settlement(text: &str) -> anyhow::Result<Vec<Notice>> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, "provider_ref,order_id,amount,paid_at")) => {}
        _ => anyhow::bail!("the settlement must begin with provider_ref,order_id,amount,paid_at"),
    }
    lines
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let [provider_ref, order_id, amount, paid_at] = fields[..] else {
                anyhow::bail!("line {}: four fields expected", number + 1);
            };
            Ok(Notice {
                provider_ref: provider_ref.to_owned(),
                order_id: order_id.to_owned(),
                amount: amount
                    .parse()
                    .with_context(|| format!("line {}: the amount", number + 1))?,
                paid_at: paid_at
                    .parse()
                    .with_context(|| format!("line {}: paid_at", number + 1))?,
            })
        })
        .collect()
}

async fn reconcile(
    db: &Db,
    now: i64,
    date: chrono::NaiveDate,
    settlement: &Path,
) -> anyhow::Result<payment::Reconciliation> {
    let text = std::fs::read_to_string(settlement)
        .with_context(|| format!("reading {}", settlement.display()))?;
    let entries = parse_settlement(&text)?;
    let (from, until) = app::platform::clock::taipei_day_span(date);
    Ok(payment::reconcile(db, now, &entries, from, until).await?)
}

/// Runs the command; `Ok(false)` when the books disagree.
pub async fn run(command: PaymentsCommand, db: &Db, now: i64) -> anyhow::Result<bool> {
    let PaymentsCommand::Reconcile { date, settlement } = command;
    let found = reconcile(db, now, date, &settlement).await?;
    println!(
        "{date}: {} matched, {} settled from the settlement, {} not ours, {} unsettled, {} to refund",
        found.matched,
        found.recovered.len(),
        found.unknown.len(),
        found.unsettled.len(),
        found.refunds.len()
    );
    for order in &found.recovered {
        println!("settled from the settlement (its notice never came): order {order}");
    }
    for provider_ref in &found.unknown {
        println!(
            "NOT OURS (unknown order, another amount or transaction, outside the day, or listed \
             twice): {provider_ref}"
        );
    }
    for order in &found.unsettled {
        println!("UNSETTLED (paid here, not in the provider's settlement): order {order}");
    }
    for order in &found.refunds {
        println!("REFUND DUE (paid, but the renewal closed without a card): order {order}");
    }
    Ok(found.clean())
}
