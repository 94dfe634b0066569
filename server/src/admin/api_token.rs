//! `huji api-token …`: signs one verification request as a company's server does, and prints
//! the `Authorization: Bearer` token (docs/verification-api.md). With curl, the documented
//! client of the demo: no database or configuration needed. With `--queries FILE` it signs one
//! token per line of the file, on every core (the benchmark's requests, bench/verify.sh).

use crate::verify::client::{token, Credentials, Query};
use std::io::Write;
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
    #[arg(long, required_unless_present = "queries")]
    person_id: Option<String>,
    /// 1 初發, 2 補發, 3 換發.
    #[arg(long, required_unless_present = "queries")]
    apply_code: Option<String>,
    /// The issue date, compact ROC (e.g. 1100615).
    #[arg(long, required_unless_present = "queries")]
    apply_date: Option<String>,
    /// The issuing place's code (e.g. 63000).
    #[arg(long, required_unless_present = "queries")]
    issue_site: Option<String>,
    /// Instead of one query: a file of queries, one per line as
    /// `personId,applyCode,applyYyymmdd,issueSiteId`; prints one token per line, in order.
    #[arg(long, conflicts_with_all = ["person_id", "apply_code", "apply_date", "issue_site"])]
    queries: Option<PathBuf>,
}

pub fn run(args: ApiTokenArgs, now: i64) -> anyhow::Result<()> {
    let key = std::fs::read_to_string(&args.key)?;
    let credentials = Credentials::new(&args.org_id, &args.ap_id, &args.isskey, &key)?;
    let queries = match &args.queries {
        Some(path) => std::fs::read_to_string(path)?
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(parse_query)
            .collect::<anyhow::Result<Vec<_>>>()?,
        None => vec![Query {
            person_id: args.person_id.unwrap_or_default(),
            apply_code: args.apply_code.unwrap_or_default(),
            apply_yyymmdd: args.apply_date.unwrap_or_default(),
            issue_site_id: args.issue_site.unwrap_or_default(),
        }],
    };
    let sign = |query: &Query| {
        let jti = uuid::Uuid::new_v4().to_string();
        token(&credentials, &args.user_id, query, now, &jti)
    };
    // RSA signing is the cost: split the queries over the cores, keep their order.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = queries.len().div_ceil(cores).max(1);
    let tokens = std::thread::scope(|scope| {
        let workers: Vec<_> = queries
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().map(sign).collect::<anyhow::Result<Vec<_>>>())
            })
            .collect();
        let mut tokens = Vec::with_capacity(queries.len());
        for worker in workers {
            let part = worker
                .join()
                .map_err(|_| anyhow::anyhow!("a signing thread failed"))??;
            tokens.extend(part);
        }
        anyhow::Ok(tokens)
    })?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for token in tokens {
        writeln!(out, "{token}")?;
    }
    Ok(())
}

/// `personId,applyCode,applyYyymmdd,issueSiteId`.
fn parse_query(line: &str) -> anyhow::Result<Query> {
    let fields: Vec<&str> = line.trim().split(',').collect();
    let [person_id, apply_code, apply_yyymmdd, issue_site_id] = fields[..] else {
        anyhow::bail!("{line:?} is not personId,applyCode,applyYyymmdd,issueSiteId");
    };
    Ok(Query {
        person_id: person_id.into(),
        apply_code: apply_code.into(),
        apply_yyymmdd: apply_yyymmdd.into(),
        issue_site_id: issue_site_id.into(),
    })
}
