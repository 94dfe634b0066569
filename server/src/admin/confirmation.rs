//! `huji confirmation register`: records an application system the ministry approved on paper
//! for the identity confirmation API (seed 003 要點三: the request is 書面, answered by
//! letter with the opening date), so that it may call from that date on (I-1, I-3).

use super::CONSOLE_ACTOR;
use anyhow::Context;
use app::cases::code::Code;
use app::pki::TrustStore;
use app::platform::clock::taipei_to_utc;
use app::platform::db::Db;
use app::services::confirmation::systems::{self, NewSystem, RegisterError};
use app::services::confirmation::ApplicantKind;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum ConfirmationCommand {
    /// Record an approved application system by its server certificate.
    Register {
        /// `agency` (政府機關(構), a GCA certificate) or `financial` (金融服務業, MOEACA or XCA).
        #[arg(long)]
        kind: String,
        /// 機關(構)名稱.
        #[arg(long)]
        organisation: String,
        /// 機關(構)地址.
        #[arg(long)]
        address: String,
        /// 應用系統中文名稱.
        #[arg(long)]
        system_name: String,
        /// The system's server certificate (PEM or DER), checked against the trust store.
        #[arg(long)]
        certificate: PathBuf,
        /// 伺服器憑證序號 as written on the request; it must be the certificate's.
        #[arg(long)]
        serial: String,
        /// The opening date the ministry answered (YYYY-MM-DD, from Taipei midnight).
        #[arg(long)]
        opens: chrono::NaiveDate,
        /// Calls answered per Taipei day at most.
        #[arg(long, default_value_t = 100_000)]
        daily_quota: i64,
        /// Succeed without change if the certificate is already registered (set-up scripts).
        #[arg(long)]
        if_unregistered: bool,
    },
}

pub async fn run(
    command: ConfirmationCommand,
    db: &Db,
    trusted_roots: Option<&Path>,
    now: i64,
) -> anyhow::Result<()> {
    let ConfirmationCommand::Register {
        kind,
        organisation,
        address,
        system_name,
        certificate,
        serial,
        opens,
        daily_quota,
        if_unregistered,
    } = command;
    let applicant_kind = ApplicantKind::from_code(&kind)
        .with_context(|| format!("--kind {kind:?}: use agency or financial"))?;
    let roots = trusted_roots
        .context("HUJI_TRUSTED_ROOTS is not set: server certificates cannot be checked")?;
    let trust = TrustStore::load(roots)?;
    let bytes = std::fs::read(&certificate)
        .with_context(|| format!("reading {}", certificate.display()))?;
    let new = NewSystem {
        applicant_kind,
        organisation: &organisation,
        address: &address,
        system_name: &system_name,
        certificate: &bytes,
        serial: &serial,
        enabled_from: taipei_to_utc(opens.and_time(Default::default())).timestamp(),
        daily_quota,
    };
    match systems::register(db, &trust, &new, CONSOLE_ACTOR, now).await {
        Ok(id) => println!("system {id} registered: {organisation} {system_name}, opens {opens}"),
        Err(RegisterError::AlreadyRegistered) if if_unregistered => println!(
            "{} is already registered; left as it is",
            certificate.display()
        ),
        Err(error) => return Err(error.into()),
    }
    Ok(())
}
