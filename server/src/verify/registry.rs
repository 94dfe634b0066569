//! The comparison with the registry (A-N1), the day's failure count per ID number shared by
//! every company (A-N6).

use super::batch::{placeholders, Batcher};
use super::token::ConditionMap;
use super::Verdict;
use app::platform::{db::Db, AppState};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// Failed verifications of one ID number a day, counting every company (A-N6).
pub const DAILY_FAILURES: i64 = 3;

/// The most lookups read in one statement (4 parameters each).
const MAX_BATCH: usize = 128;
/// The most failures counted in one batch (3 parameters each).
const MAX_FAILURES: usize = 256;

/// One ID number to look up, with its keyed hash and the Taipei day its failures count on.
struct Lookup {
    national_id: String,
    id_hash: String,
    day: String,
}

/// What the registry holds on one ID number, read in one go so that the time an answer
/// takes does not tell whether the number exists.
struct Found {
    failures_today: i64,
    /// `None`: no such ID number.
    id_status: Option<String>,
    /// The current card: date of issue (`YYYY-MM-DD`), apply code, place of issue.
    card: Option<(String, i64, String)>,
    lost: bool,
}

/// A failed comparison to count: the ID number's keyed hash and the Taipei day.
struct Failure {
    id_hash: String,
    day: String,
}

/// The registry's reader and the A-N6 counter: lookups made at the same moment share one
/// statement, and so do failures.
#[derive(Clone)]
pub(super) struct Registry {
    lookups: Batcher<Lookup, Found>,
    /// The day's count after this failure; `None` when three were counted before it.
    failures: Batcher<Failure, Option<i64>>,
}

impl Registry {
    /// Starts the reader and the counter on the current runtime.
    pub(super) fn start(db: Db) -> Registry {
        let counting = db.clone();
        Registry {
            lookups: Batcher::start(MAX_BATCH, move |batch| {
                let db = db.clone();
                async move { read(&db, batch).await }
            }),
            failures: Batcher::start(MAX_FAILURES, move |batch| {
                let db = counting.clone();
                async move { count(&db, batch).await }
            }),
        }
    }

    /// Compares the card described with the registry. Three failures for one ID number on one
    /// Taipei day, from whoever asked, stop comparisons until midnight: the count is one
    /// guarded upsert, so concurrent wrong attempts count exactly to three.
    pub(super) async fn verify(
        &self,
        app: &AppState,
        query: &ConditionMap,
        id_hash: &str,
    ) -> anyhow::Result<Verdict> {
        let day = app.clock.today_taipei().format("%Y-%m-%d").to_string();
        let found = self
            .lookups
            .call(Lookup {
                national_id: query.person_id.as_str().to_owned(),
                id_hash: id_hash.to_owned(),
                day: day.clone(),
            })
            .await?;
        if found.failures_today >= DAILY_FAILURES {
            return Ok(Verdict::LockedToday);
        }
        match found.id_status.as_deref() {
            Some("active") | None => {}
            Some(_) => return Ok(Verdict::NotInUse),
        }
        if let Some((issue_date, apply_code, issue_site)) = &found.card {
            let matches = *issue_date == query.apply_date.to_naive().format("%Y-%m-%d").to_string()
                && apply_code.to_string() == query.apply_code.as_str()
                && issue_site == query.issue_site.as_str();
            if matches {
                return Ok(if found.lost {
                    Verdict::ReportedLost
                } else {
                    Verdict::Match
                });
            }
        }
        // No match (an unknown ID number answers the same, so it cannot be probed).
        let counted = self
            .failures
            .call(Failure {
                id_hash: id_hash.to_owned(),
                day,
            })
            .await?;
        Ok(match counted {
            Some(failures_today) => Verdict::NoMatch { failures_today },
            // Others' failures reached three while this one was compared.
            None => Verdict::LockedToday,
        })
    }
}

/// Counts a batch of failures, each one guarded upsert: a count stops at three, so concurrent
/// wrong attempts, here or on other servers, count exactly to three. An ID number twice in the
/// batch is counted in a second round, as a statement may change each row only once. The
/// rounds are one transaction: a batch that fails counted nothing (HJ5000 says so).
async fn count(db: &Db, batch: Vec<Failure>) -> sqlx::Result<Vec<Option<i64>>> {
    let mut transaction = db.pool.begin().await?;
    let mut counted = vec![None; batch.len()];
    let mut pending: Vec<usize> = (0..batch.len()).collect();
    while !pending.is_empty() {
        let mut seen = HashSet::new();
        let (round, later): (Vec<usize>, Vec<usize>) = pending
            .into_iter()
            .partition(|&i| seen.insert((&batch[i].id_hash, &batch[i].day)));
        let sql = format!(
            "INSERT INTO verification_failures (id_hash, day, failures) VALUES {} \
             ON CONFLICT (id_hash, day) DO UPDATE \
             SET failures = verification_failures.failures + 1 \
             WHERE verification_failures.failures < {DAILY_FAILURES} \
             RETURNING id_hash, day, failures",
            placeholders(db.backend, round.len(), &["TEXT", "TEXT", "BIGINT"])
        );
        let mut upsert = sqlx::query_as::<_, (String, String, i64)>(&sql);
        for &i in &round {
            upsert = upsert
                .bind(&batch[i].id_hash)
                .bind(&batch[i].day)
                .bind(1_i64);
        }
        let now: HashMap<(String, String), i64> = upsert
            .fetch_all(&mut *transaction)
            .await?
            .into_iter()
            .map(|(id_hash, day, failures)| ((id_hash, day), failures))
            .collect();
        for i in round {
            let key = (batch[i].id_hash.clone(), batch[i].day.clone());
            counted[i] = now.get(&key).copied();
        }
        pending = later;
    }
    transaction.commit().await?;
    Ok(counted)
}

/// Reads a batch of lookups in one statement; what was found, in the batch's order.
async fn read(db: &Db, batch: Vec<Lookup>) -> sqlx::Result<Vec<Found>> {
    let sql = format!(
        "WITH q (k, national_id, id_hash, day) AS (VALUES {}) \
         SELECT q.k, \
                (SELECT f.failures FROM verification_failures f \
                 WHERE f.id_hash = q.id_hash AND f.day = q.day) AS failures, \
                c.id_status, i.issue_date, CAST(i.apply_code AS BIGINT) AS apply_code, \
                i.issue_site_id, \
                CASE WHEN EXISTS (SELECT 1 FROM id_card_loss_reports r \
                                  WHERE r.issuance_id = i.id AND r.status = 'lost') \
                     THEN 1 ELSE 0 END AS lost \
         FROM q \
         LEFT JOIN citizens c ON c.national_id = q.national_id \
         LEFT JOIN id_card_issuances i ON i.citizen_id = c.id AND i.is_current",
        placeholders(db.backend, batch.len(), &["BIGINT", "TEXT", "TEXT", "TEXT"])
    );
    let mut select = sqlx::query(&sql);
    for (k, lookup) in batch.iter().enumerate() {
        select = select
            .bind(i64::try_from(k).unwrap_or(i64::MAX))
            .bind(&lookup.national_id)
            .bind(&lookup.id_hash)
            .bind(&lookup.day);
    }
    let mut found: HashMap<i64, Found> = HashMap::with_capacity(batch.len());
    for row in select.fetch_all(&db.pool).await? {
        let k: i64 = row.try_get("k")?;
        if found.contains_key(&k) {
            continue;
        }
        let card = match (
            row.try_get::<Option<String>, _>("issue_date")?,
            row.try_get::<Option<i64>, _>("apply_code")?,
            row.try_get::<Option<String>, _>("issue_site_id")?,
        ) {
            (Some(date), Some(code), Some(site)) => Some((date, code, site)),
            _ => None,
        };
        found.insert(
            k,
            Found {
                failures_today: row.try_get::<Option<i64>, _>("failures")?.unwrap_or(0),
                id_status: row.try_get("id_status")?,
                card,
                lost: row.try_get::<i64, _>("lost")? == 1,
            },
        );
    }
    // The outer join gives every lookup a row.
    (0..batch.len())
        .map(|k| {
            found
                .remove(&i64::try_from(k).unwrap_or(i64::MAX))
                .ok_or_else(|| sqlx::Error::Protocol("a registry lookup went unanswered".into()))
        })
        .collect()
}
