//! The comparison with the registry (A-N1) and the day's failure count per ID number shared by
//! every company (A-N6), decided together: verifications made at the same moment spend their
//! tokens, are read, compared and counted in one transaction, which holds their ID numbers
//! against every other server's batches until their failures are counted, and writes their
//! rows of the call log (F-8) — one transaction a batch on the hot path, not three.

use super::batch::{count_in, hold_in, Batcher};
use super::call_log::{each_written, CallRecord, LogRow, Outcome, RECORD_TIMEOUT};
use super::token::ConditionMap;
use super::token_ids::{first_of, spend, TokenUse};
use super::{Answer, Call, RdCode, Verdict};
use app::platform::db::placeholders;
use app::platform::db::Db;
use app::platform::script::{Script, Unwritten, Writing};
use app::platform::AppState;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

/// Failed verifications of one ID number a day, counting every company (A-N6).
pub const DAILY_FAILURES: i64 = 3;

/// The most verifications decided in one transaction (4 parameters each to read them).
const MAX_BATCH: usize = 128;

/// A card as the registry and the caller describe it.
#[derive(Debug, PartialEq, Eq)]
struct Card {
    /// `YYYY-MM-DD`.
    issue_date: String,
    apply_code: String,
    issue_site: String,
}

/// One verification: the call, for its row of the call log, the use of its token, and what it
/// asks, unless its query was invalid.
struct Attempt {
    call: Call,
    token: TokenUse,
    asked: Option<Asked>,
}

/// A valid query: the card described, the ID number and its keyed hash, and the Taipei day
/// its failures count on.
struct Asked {
    national_id: String,
    id_hash: String,
    day: String,
    card: Card,
}

/// What became of a verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Decided {
    /// Its token was used before: nothing was compared or counted (its query may have been
    /// read with the batch's).
    Replayed,
    /// Its query was invalid (RS3822): its token is spent, nothing was compared.
    Invalid,
    Compared(Verdict),
}

impl Decided {
    /// The answer the call gets, and its row records.
    pub(super) fn answer(self) -> Answer {
        match self {
            Decided::Replayed => Answer::only(RdCode::ReplayedToken),
            Decided::Invalid => Answer::only(RdCode::InvalidQuery),
            Decided::Compared(verdict) => Answer::done(verdict),
        }
    }
}

/// What the registry holds on one ID number, read in one go so that the time an answer
/// takes does not tell whether the number exists.
struct Registered {
    failures_today: i64,
    /// `None`: no such ID number.
    id_status: Option<String>,
    /// The current card.
    card: Option<Card>,
    lost: bool,
}

/// The registry's reader and the A-N6 counter: the verifications made at the same moment
/// share one transaction.
#[derive(Clone)]
pub(super) struct Registry {
    /// The verdict, once it is committed with its row of the call log.
    attempts: Batcher<Attempt, Outcome<Decided>>,
}

impl Registry {
    /// Starts the batches on the current runtime.
    pub(super) fn start(db: Db) -> Registry {
        Registry {
            attempts: Batcher::start(MAX_BATCH, move |batch| {
                let db = db.clone();
                async move { decide(&db, batch).await }
            }),
        }
    }

    /// Records the use of the call's token, compares the card described by `query` (with its
    /// ID number's keyed hash) with the registry, and writes the call's row of the call log
    /// with the verdict: [`Outcome::Written`] once all are committed, with the verdict,
    /// [`Decided::Invalid`] when there is no valid query, or [`Decided::Replayed`] (nothing
    /// compared) when the token was used before.
    /// Three failures for one ID number on one Taipei day, from whoever asked, stop
    /// comparisons until midnight: no comparison is made while three are counted or about to
    /// be (see [`decide`]). A batch whose commit failed, or that was not decided within
    /// [`RECORD_TIMEOUT`], is [`Outcome::Unknown`]: it may be committed, row and all.
    pub(super) async fn verify(
        &self,
        app: &AppState,
        query: Option<(&ConditionMap, &str)>,
        call: &Call,
        token: TokenUse,
    ) -> Outcome<Decided> {
        let attempt = Attempt {
            call: call.clone(),
            token,
            asked: query.map(|(query, id_hash)| Asked {
                national_id: query.person_id.as_str().to_owned(),
                id_hash: id_hash.to_owned(),
                day: app.clock.today_taipei().format("%Y-%m-%d").to_string(),
                card: Card {
                    issue_date: query.apply_date.to_naive().format("%Y-%m-%d").to_string(),
                    apply_code: query.apply_code.as_str().to_owned(),
                    issue_site: query.issue_site.as_str().to_owned(),
                },
            }),
        };
        match tokio::time::timeout(RECORD_TIMEOUT, self.attempts.call(attempt)).await {
            Ok(Ok(outcome)) => outcome,
            // The batch task stopped or panicked: its transaction was dropped, uncommitted.
            Ok(Err(error)) => {
                tracing::error!(%error, "a verification's batch failed");
                Outcome::Unwritten
            }
            Err(_) => {
                tracing::error!(
                    "a verification was not decided in time; it is answered unavailable"
                );
                Outcome::Unknown
            }
        }
    }
}

/// Decides a batch in one transaction that holds its ID numbers from before the counts are
/// read until the failures are counted: SQLite's write lock, taken at the start
/// (`BEGIN IMMEDIATE`), and on PostgreSQL a lock per ID number ([`hold_in`], by its keyed
/// hash). So the batches of every server on the database, each compared in its own order,
/// follow one another for any one person, and every comparison sees the failures of all that
/// came before it: none is made once three are counted, however many guesses arrive at once.
/// A match counts nothing. The answers go out after the commit: a batch that fails before it
/// revealed and counted nothing (HJ5000 says so), and a server that stops mid-batch leaves
/// nothing behind. A batch the database refuses (a constraint or a trigger) is decided again
/// one attempt at a time ([`each_written`]), so that one row it refuses fails only its own
/// call; each attempt then reads the failures afresh, in the batch's order.
async fn decide(db: &Db, batch: Vec<Attempt>) -> sqlx::Result<Vec<Outcome<Decided>>> {
    Ok(each_written(&batch, |range| judge_all(db, &batch[range])).await)
}

/// Records the use of the tokens of `batch`, compares the attempts whose token was not used
/// before, and writes the rows of the call log, in one transaction of two scripts (on
/// SQLite, two hand-offs to its worker thread): the first begins, spends the tokens and reads
/// every query; the second counts the failures, writes the rows and commits. A query whose
/// token turns out spent was read for nothing: it is neither compared nor counted.
async fn judge_all(db: &Db, batch: &[Attempt]) -> Result<Vec<Decided>, Unwritten> {
    let backend = db.backend;
    let tokens: Vec<&TokenUse> = batch.iter().map(|attempt| &attempt.token).collect();
    let mut reading = Writing::script(backend);
    let spent = spend(&mut reading, &tokens);
    let read = read_in(&mut reading, batch).map_err(Unwritten::RolledBack)?;
    let (writing, mut answers) = Writing::begin(db, reading).await?;
    let first = match spent {
        Some(place) => first_of(answers.rows(place), &tokens),
        None => Ok(Vec::new()),
    }
    .map_err(Unwritten::RolledBack)?;
    let mut registered = match read {
        Some(place) => registered_of(answers.rows(place)),
        None => Ok(HashMap::new()),
    }
    .map_err(Unwritten::RolledBack)?;
    // The attempts to compare, in the batch's order: a valid query whose token was first
    // used here, with what the registry holds on it (read by its place in the batch).
    let compared: Vec<(&Asked, Registered)> = batch
        .iter()
        .enumerate()
        .zip(&first)
        .filter_map(|((k, attempt), &first)| {
            attempt
                .asked
                .as_ref()
                .filter(|_| first)
                .map(|asked| (k, asked))
        })
        .map(|(k, asked)| {
            registered
                .remove(&k)
                .map(|registered| (asked, registered))
                .ok_or_else(|| {
                    Unwritten::RolledBack(sqlx::Error::Protocol(
                        "a registry lookup went unanswered".into(),
                    ))
                })
        })
        .collect::<Result<_, _>>()?;
    let mut writes = Script::new(backend);
    let (verdicts, counted) = compare(&compared);
    if !counted.is_empty() {
        count_in(
            &mut writes,
            ("verification_failures", "id_hash", "failures", "TEXT"),
            counted,
        );
    }
    let mut verdicts = verdicts.into_iter();
    let decided = batch
        .iter()
        .zip(&first)
        .map(|(attempt, &first)| match (first, &attempt.asked) {
            (false, _) => Some(Decided::Replayed),
            (true, None) => Some(Decided::Invalid),
            (true, Some(_)) => verdicts.next().map(Decided::Compared),
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            Unwritten::RolledBack(sqlx::Error::Protocol(
                "a verification went undecided".into(),
            ))
        })?;
    let rows: Vec<CallRecord> = batch
        .iter()
        .zip(&decided)
        .map(|(attempt, decided)| {
            // Only a comparison names the ID number it was about.
            let id_hash = match decided {
                Decided::Compared(_) => attempt.asked.as_ref().map(|asked| asked.id_hash.clone()),
                Decided::Replayed | Decided::Invalid => None,
            };
            attempt.call.record(decided.answer(), id_hash)
        })
        .collect();
    CallRecord::write_in(&mut writes, &rows);
    writing.commit(writes).await?;
    Ok(decided)
}

/// Compares `batch` (each attempt with what the registry holds) in its order: the verdicts,
/// and the failures to add — (keyed hash, day, how many) — to the day's counts.
fn compare<'a>(batch: &[(&'a Asked, Registered)]) -> (Vec<Verdict>, Vec<(&'a str, String, i64)>) {
    // (count read, count now) per ID number and day.
    let mut failures: HashMap<(&str, &str), (i64, i64)> = HashMap::new();
    let verdicts: Vec<Verdict> = batch
        .iter()
        .map(|(attempt, registered)| {
            let (_, now) = failures
                .entry((&attempt.id_hash, &attempt.day))
                .or_insert((registered.failures_today, registered.failures_today));
            judge(&attempt.card, registered, now)
        })
        .collect();
    let counted = failures
        .into_iter()
        .filter(|(_, (read, now))| now > read)
        .map(|((id_hash, day), (read, now))| (id_hash, day.to_owned(), now - read))
        .collect();
    (verdicts, counted)
}

/// The verdict on a card described, against what the registry holds; `failures` is the ID
/// number's count today before this attempt, raised when it fails.
fn judge(described: &Card, registered: &Registered, failures: &mut i64) -> Verdict {
    if *failures >= DAILY_FAILURES {
        return Verdict::LockedToday;
    }
    match registered.id_status.as_deref() {
        Some("active") | None => {}
        Some(_) => return Verdict::NotInUse,
    }
    if registered.card.as_ref() == Some(described) {
        return if registered.lost {
            Verdict::ReportedLost
        } else {
            Verdict::Match
        };
    }
    // No match (an unknown ID number answers the same, so it cannot be probed).
    *failures += 1;
    Verdict::NoMatch {
        failures_today: *failures,
    }
}

/// Adds to `script` the statement that reads what the registry holds on the valid queries of
/// `batch`, each by its place in the batch (on PostgreSQL, after holding their ID numbers:
/// [`hold_in`]), unless there are none; its place, whose rows [`registered_of`] reads. A
/// query whose token turns out to be spent is read all the same, and neither compared nor
/// counted.
fn read_in<'q>(script: &mut Script<'q>, batch: &'q [Attempt]) -> sqlx::Result<Option<usize>> {
    let asked: Vec<(usize, &Asked)> = batch
        .iter()
        .enumerate()
        .filter_map(|(k, attempt)| attempt.asked.as_ref().map(|asked| (k, asked)))
        .collect();
    if asked.is_empty() {
        return Ok(None);
    }
    hold_in(
        script,
        asked.iter().map(|(_, asked)| asked.id_hash.as_str()),
    )?;
    let backend = script.backend();
    let place = script.push(&format!(
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
        placeholders(backend, asked.len(), &["BIGINT", "TEXT", "TEXT", "TEXT"])
    ));
    for (k, attempt) in asked {
        script
            .bind(i64::try_from(k).unwrap_or(i64::MAX))
            .bind(attempt.national_id.as_str())
            .bind(attempt.id_hash.as_str())
            .bind(attempt.day.as_str());
    }
    Ok(Some(place))
}

/// What the registry holds on each query that [`read_in`]'s statement read, by the query's
/// place in the batch, from the `rows` it answered.
fn registered_of(rows: Vec<AnyRow>) -> sqlx::Result<HashMap<usize, Registered>> {
    let mut found: HashMap<usize, Registered> = HashMap::with_capacity(rows.len());
    for row in rows {
        let k = usize::try_from(row.try_get::<i64, _>("k")?)
            .map_err(|_| sqlx::Error::Decode("a place in the batch".into()))?;
        if found.contains_key(&k) {
            continue;
        }
        let card = match (
            row.try_get::<Option<String>, _>("issue_date")?,
            row.try_get::<Option<i64>, _>("apply_code")?,
            row.try_get::<Option<String>, _>("issue_site_id")?,
        ) {
            (Some(issue_date), Some(code), Some(issue_site)) => Some(Card {
                issue_date,
                apply_code: code.to_string(),
                issue_site,
            }),
            _ => None,
        };
        found.insert(
            k,
            Registered {
                failures_today: row.try_get::<Option<i64>, _>("failures")?.unwrap_or(0),
                id_status: row.try_get("id_status")?,
                card,
                lost: row.try_get::<i64, _>("lost")? == 1,
            },
        );
    }
    // The outer join gives every query a row: one missing fails the batch (judge_all).
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(issue_site: &str) -> Card {
        Card {
            issue_date: "2021-06-15".into(),
            apply_code: "3".into(),
            issue_site: issue_site.into(),
        }
    }

    fn registered(id_status: Option<&str>, lost: bool) -> Registered {
        Registered {
            failures_today: 0,
            id_status: id_status.map(str::to_owned),
            card: id_status.map(|_| card("63000")),
            lost,
        }
    }

    #[test]
    fn a_n6_in_a_batch_nothing_is_compared_after_the_third_failure() {
        let person = registered(Some("active"), false);
        let mut failures = 0;
        let verdicts: Vec<Verdict> = ["65000", "63000", "66000", "67000", "63000", "68000"]
            .iter()
            .map(|site| judge(&card(site), &person, &mut failures))
            .collect();
        assert_eq!(
            verdicts,
            [
                Verdict::NoMatch { failures_today: 1 },
                Verdict::Match,
                Verdict::NoMatch { failures_today: 2 },
                Verdict::NoMatch { failures_today: 3 },
                Verdict::LockedToday,
                Verdict::LockedToday,
            ]
        );
        assert_eq!(failures, DAILY_FAILURES, "a match counts nothing");
    }

    #[test]
    fn a_n1_an_unknown_id_number_fails_as_a_wrong_card_does_and_a_lost_card_answers_7() {
        let mut failures = 0;
        assert_eq!(
            judge(&card("63000"), &registered(None, false), &mut failures),
            Verdict::NoMatch { failures_today: 1 }
        );
        assert_eq!(
            judge(
                &card("63000"),
                &registered(Some("active"), true),
                &mut failures
            ),
            Verdict::ReportedLost
        );
        assert_eq!(
            judge(
                &card("65000"),
                &registered(Some("voided"), false),
                &mut failures
            ),
            Verdict::NotInUse
        );
        assert_eq!(failures, 1);
    }
}
