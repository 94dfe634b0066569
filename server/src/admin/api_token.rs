//! `huji api-token …`: signs one verification request as a company's server does, and prints
//! the `Authorization: Bearer` token (docs/verification-api.md). With curl, the documented
//! client of the demo: no database or configuration needed.

use crate::verify::client::{token, Credentials, Query};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct ApiTokenArgs {
    /// Your 統一編號 (orgId).
    #[arg(long)]
    org_id: String,
    /// Your apId, from 進度查詢.
    #[arg(long)]
    ap_id: String,
    /// Your isskey, from 進度查詢.
    #[arg(long)]
    isskey: String,
    /// The private key of the certificate you uploaded (PEM).
    #[arg(long)]
    key: PathBuf,
    /// Your operator's id, recorded with the call.
    #[arg(long, default_value = "operator")]
    user_id: String,
    /// The ID number to verify.
    #[arg(long)]
    person_id: String,
    /// 1 初發, 2 補發, 3 換發.
    #[arg(long)]
    apply_code: String,
    /// The issue date, compact ROC (e.g. 1100615).
    #[arg(long)]
    apply_date: String,
    /// The issuing place's code (e.g. 63000).
    #[arg(long)]
    issue_site: String,
}

pub fn run(args: ApiTokenArgs, now: i64) -> anyhow::Result<()> {
    let key = std::fs::read_to_string(&args.key)?;
    let credentials = Credentials::new(&args.org_id, &args.ap_id, &args.isskey, &key)?;
    let query = Query {
        person_id: args.person_id,
        apply_code: args.apply_code,
        apply_yyymmdd: args.apply_date,
        issue_site_id: args.issue_site,
    };
    let jti = uuid::Uuid::new_v4().to_string();
    println!("{}", token(&credentials, &args.user_id, &query, now, &jti)?);
    Ok(())
}
