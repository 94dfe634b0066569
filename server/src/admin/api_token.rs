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
    /// `personId,applyCode,applyYyymmdd,issueSiteId[,userId]` (the line's userId instead of
    /// --user-id); prints one token per line, in order.
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
        None => vec![(
            Query {
                person_id: args.person_id.unwrap_or_default(),
                apply_code: args.apply_code.unwrap_or_default(),
                apply_yyymmdd: args.apply_date.unwrap_or_default(),
                issue_site_id: args.issue_site.unwrap_or_default(),
            },
            None,
        )],
    };
    let sign = |(query, user_id): &(Query, Option<String>)| {
        let jti = uuid::Uuid::new_v4().to_string();
        let user_id = user_id.as_deref().unwrap_or(&args.user_id);
        token(&credentials, user_id, query, now, &jti)
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

/// `personId,applyCode,applyYyymmdd,issueSiteId[,userId]`.
fn parse_query(line: &str) -> anyhow::Result<(Query, Option<String>)> {
    let fields: Vec<&str> = line.trim().split(',').collect();
    let (&[person_id, apply_code, apply_yyymmdd, issue_site_id], user_id) = match fields[..] {
        [a, b, c, d] => (&[a, b, c, d], None),
        [a, b, c, d, user_id] => (
            &[a, b, c, d],
            Some(user_id.to_owned()).filter(|user_id| !user_id.is_empty()),
        ),
        _ => anyhow::bail!("{line:?} is not personId,applyCode,applyYyymmdd,issueSiteId[,userId]"),
    };
    let query = Query {
        person_id: person_id.into(),
        apply_code: apply_code.into(),
        apply_yyymmdd: apply_yyymmdd.into(),
        issue_site_id: issue_site_id.into(),
    };
    Ok((query, user_id))
}

#[cfg(test)]
mod tests {
    use super::parse_query;

    #[test]
    fn a_query_line_may_name_its_own_operator() {
        let (query, user) = parse_query("A123456789,1,1100615,63000,crash-7").expect("five");
        assert_eq!(query.person_id, "A123456789");
        assert_eq!(query.issue_site_id, "63000");
        assert_eq!(user.as_deref(), Some("crash-7"));
        let (_, user) = parse_query("A123456789,1,1100615,63000").expect("four");
        assert_eq!(user, None);
        let (_, user) = parse_query("A123456789,1,1100615,63000,").expect("empty");
        assert_eq!(user, None, "an empty userId is --user-id's");
        assert!(parse_query("A123456789,1,1100615").is_err());
    }
}
