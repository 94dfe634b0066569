//! `huji agency-token …`: signs one call to the linked-agency API as an agency's system does,
//! and prints what curl needs: the `Authorization: Bearer` token, and with `--curl` the
//! request's headers (docs/agency-link-api.md). No database or configuration needed. The
//! password is never printed: curl reads it from the agency's own environment.

use crate::link::client::{token, AgencyCredentials};
use crate::link::{Operation, PASSWORD_HEADER, USER_HEADER};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct AgencyTokenArgs {
    /// The 密碼表's user code (使用者代號).
    #[arg(long)]
    user: String,
    /// The case's Iss key, from step 14.
    #[arg(long)]
    iss_key: String,
    /// The private key of the agency certificate handed over at step 11 (PEM).
    #[arg(long)]
    key: PathBuf,
    /// connection_test or person_query.
    #[arg(long, value_parser = parse_operation)]
    op: Operation,
    /// Print curl's header options (`-H …`) instead of the token alone; the password is
    /// left as `$HUJI_AGENCY_PASSWORD`, for the shell to fill in.
    #[arg(long)]
    curl: bool,
}

fn parse_operation(text: &str) -> Result<Operation, String> {
    Operation::parse(text).ok_or_else(|| format!("{text:?}: say connection_test or person_query"))
}

pub fn run(args: AgencyTokenArgs, now: i64) -> anyhow::Result<()> {
    let key = std::fs::read_to_string(&args.key)?;
    let credentials = AgencyCredentials::new(&args.user, &args.iss_key, &key)?;
    let jti = uuid::Uuid::new_v4().to_string();
    let token = token(&credentials, args.op, now, &jti)?;
    if args.curl {
        println!(
            "-H 'Authorization: Bearer {token}' -H '{USER_HEADER}: {}' \
             -H \"{PASSWORD_HEADER}: $HUJI_AGENCY_PASSWORD\"",
            args.user
        );
    } else {
        println!("{token}");
    }
    Ok(())
}
