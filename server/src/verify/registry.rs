//! The comparison with the registry (A-N1) and the day's failure count per ID number shared by
//! every company (A-N6), decided together: verifications made at the same moment spend their
//! tokens, are read, compared and counted in one transaction, which holds their ID numbers
//! against every other server's batches until their failures are counted, and writes their
//! rows of the call log (F-8) — one transaction a batch on the hot path, not three.

use super::batch::{add_to_counts, hold, Batcher};
use super::call_log::{each_written, CallRecord, Failed, LogRow, Outcome, RECORD_TIMEOUT};
use super::token::ConditionMap;
use super::token_ids::{first_uses, TokenUse};
use super::{Answer, Call, RdCode, Verdict};
use app::platform::db::placeholders;
use app::platform::db::{Backend, Db};
use app::platform::AppState;
use sqlx::{AnyConnection, Row};
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
    /// Its token was used before: nothing was read or compared.
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
/// ([`Db::begin_write`]), and on PostgreSQL a lock per ID number ([`hold`], by its keyed hash). So the batches of
/// every server on the database, each compared in its own order, follow one another for any
/// one person, and every comparison sees the failures of all that came before it: none is made
/// once three are counted, however many guesses arrive at once. A match counts nothing. The
/// answers go out after the commit: a batch that fails before it revealed and counted nothing
/// (HJ5000 says so), and a server that stops mid-batch leaves nothing behind. A batch the
/// database refuses (a constraint or a trigger) is decided again one attempt at a time
/// ([`each_written`]), so that one row it refuses fails only its own call; each attempt then
/// reads the failures afresh, in the batch's order.
async fn decide(db: &Db, batch: Vec<Attempt>) -> sqlx::Result<Vec<Outcome<Decided>>> {
    Ok(each_written(&batch, |range| async {
        let mut transaction = db.begin_write().await.map_err(Failed::RolledBack)?;
        let verdicts = judge_all(&mut transaction, db.backend, &batch[range])
            .await
            .map_err(Failed::RolledBack)?;
        transaction.commit().await.map_err(Failed::Commit)?;
        Ok(verdicts)
    })
    .await)
}

/// Records the use of the tokens of `batch`, compares the attempts whose token was not used
/// before, and writes the rows of the call log, in the transaction on `connection`.
async fn judge_all(
    connection: &mut AnyConnection,
    backend: Backend,
    batch: &[Attempt],
) -> sqlx::Result<Vec<Decided>> {
    let tokens: Vec<&TokenUse> = batch.iter().map(|attempt| &attempt.token).collect();
    let first = first_uses(&mut *connection, backend, &tokens).await?;
    let asked: Vec<&Asked> = batch
        .iter()
        .zip(&first)
        .filter_map(|(attempt, &first)| attempt.asked.as_ref().filter(|_| first))
        .collect();
    let mut verdicts = compare(&mut *connection, backend, &asked)
        .await?
        .into_iter();
    let decided = batch
        .iter()
        .zip(&first)
        .map(|(attempt, &first)| match (first, &attempt.asked) {
            (false, _) => Some(Decided::Replayed),
            (true, None) => Some(Decided::Invalid),
            (true, Some(_)) => verdicts.next().map(Decided::Compared),
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| sqlx::Error::Protocol("a verification went undecided".into()))?;
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
    CallRecord::write(connection, backend, &rows).await?;
    Ok(decided)
}

/// Reads, compares and counts `batch`, in the transaction on `connection`; the verdicts, in
/// the batch's order.
async fn compare(
    connection: &mut AnyConnection,
    backend: Backend,
    batch: &[&Asked],
) -> sqlx::Result<Vec<Verdict>> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    if backend == Backend::Postgres {
        hold(
            &mut *connection,
            batch.iter().map(|attempt| attempt.id_hash.as_str()),
        )
        .await?;
    }
    let registered = read(&mut *connection, backend, batch).await?;
    // (count read, count now) per ID number and day.
    let mut failures: HashMap<(&str, &str), (i64, i64)> = HashMap::new();
    let verdicts: Vec<Verdict> = batch
        .iter()
        .zip(&registered)
        .map(|(attempt, registered)| {
            let (_, now) = failures
                .entry((&attempt.id_hash, &attempt.day))
                .or_insert((registered.failures_today, registered.failures_today));
            judge(&attempt.card, registered, now)
        })
        .collect();
    let counted: Vec<(&str, String, i64)> = failures
        .into_iter()
        .filter(|(_, (read, now))| now > read)
        .map(|((id_hash, day), (read, now))| (id_hash, day.to_owned(), now - read))
        .collect();
    if !counted.is_empty() {
        add_to_counts(
            &mut *connection,
            backend,
            ("verification_failures", "id_hash", "failures", "TEXT"),
            counted,
        )
        .await?;
    }
    Ok(verdicts)
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

/// Reads a batch in one statement; what the registry holds, in the batch's order.
async fn read(
    connection: &mut AnyConnection,
    backend: Backend,
    batch: &[&Asked],
) -> sqlx::Result<Vec<Registered>> {
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
        placeholders(backend, batch.len(), &["BIGINT", "TEXT", "TEXT", "TEXT"])
    );
    let mut select = sqlx::query(&sql);
    for (k, attempt) in batch.iter().enumerate() {
        select = select
            .bind(i64::try_from(k).unwrap_or(i64::MAX))
            .bind(&attempt.national_id)
            .bind(&attempt.id_hash)
            .bind(&attempt.day);
    }
    let mut found: HashMap<i64, Registered> = HashMap::with_capacity(batch.len());
    for row in select.fetch_all(connection).await? {
        let k: i64 = row.try_get("k")?;
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
    // The outer join gives every attempt a row.
    (0..batch.len())
        .map(|k| {
            found
                .remove(&i64::try_from(k).unwrap_or(i64::MAX))
                .ok_or_else(|| sqlx::Error::Protocol("a registry lookup went unanswered".into()))
        })
        .collect()
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
