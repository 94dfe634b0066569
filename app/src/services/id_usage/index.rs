//! The person's index of the machine APIs' call logs (migration 0043): which calls asked
//! about the ID number with a given keyed hash, by the hash's first 64 bits
//! ([`id_hash::short`]). The logs themselves are written on the path of
//! the answers, in the order the calls come; an index by the hash there would write into pages
//! all over it with every batch. So the logs have no such index, and this job copies their
//! new calls into `id_usage` behind the answers: many at a time, sorted by the key, so that
//! each page of the index is written once for many calls. It shares the machine's cores and,
//! on SQLite, the machine APIs' connection with the answers, so it works in steps and rests
//! after each as long as the step took ([`rest_after`]): done in one burst, each run held the
//! answers up by 15–25 ms under the confirmation benchmark at half its rate.
//!
//! Nothing depends on the job keeping up. `id_usage_marks` holds, for each log, the id up to
//! which every call is in `id_usage`, and the page ([`super::store`]) reads the calls after it
//! from the log itself ([`mine`]).
//!
//! Several servers run the job: a server claims a log for [`CLAIM_SECONDS`] before it works on
//! it, every copy is an insert that skips rows already there, and a mark only moves forward.
//! A crash between the copies and the mark leaves the mark behind; the next run copies again.

use crate::platform::db::{placeholders, Backend, Db};
use crate::platform::id_hash;
use std::time::{Duration, Instant};

/// How often each server runs the job. The page reads what it has not copied yet from the
/// logs, so this sets how many calls such a read passes, not how fresh the page is.
pub const EVERY: Duration = Duration::from_secs(5);

/// How long a server's claim of a log lasts: a server that died working on it holds the log
/// up no longer than this.
pub const CLAIM_SECONDS: i64 = 60;

/// How long a run waits on PostgreSQL for the transactions writing a log to end ([`settled`]).
const LOCK_WAIT: &str = "100ms";

/// The most calls of a log one run reads (some 60 bytes each in memory).
const MOST_A_RUN: i64 = 200_000;

/// Calls of a log read in one step.
const SLICE: i64 = 10_000;

/// Calls copied in one transaction, in the order of the key. On SQLite each is a turn on the
/// machine APIs' connection ([`Db::dedicated`]), which their answers wait for: 200 calls take
/// a few milliseconds under the confirmation benchmark, where 1,000 took tens.
const CHUNK: usize = 200;

/// A machine API's call log that the person's index covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Log {
    /// The verification API's (seed 000).
    Verifications,
    /// The registry links' (seed 001).
    LinkQueries,
    /// The identity confirmation API's (seed 003).
    Confirmations,
}

impl Log {
    pub const ALL: [Log; 3] = [Log::Verifications, Log::LinkQueries, Log::Confirmations];

    /// The log's table.
    pub fn table(self) -> &'static str {
        match self {
            Log::Verifications => "api_calls",
            Log::LinkQueries => "agency_link_calls",
            Log::Confirmations => "confirmation_calls",
        }
    }

    /// How `id_usage` and `id_usage_marks` name the log.
    pub fn code(self) -> i64 {
        match self {
            Log::Verifications => 1,
            Log::LinkQueries => 2,
            Log::Confirmations => 3,
        }
    }
}

/// The id up to which every call of `log` is in the index.
pub async fn copied_through<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    log: Log,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT through_id FROM id_usage_marks WHERE log = $1")
        .bind(log.code())
        .fetch_one(executor)
        .await
}

/// `WITH mine (id) AS (…)`: the ids of `log`'s calls about the person whose keyed hash is the
/// statement's parameter `$1` and its [`id_hash::short`] `$2`: from the index, and from the
/// calls after `through` ([`copied_through`], read before), which it may not hold yet. The mark
/// is written into the statement, so that PostgreSQL plans the tail as the short range of ids
/// it is; an older mark only makes the tail longer.
pub fn mine(log: Log, through: i64) -> String {
    let (table, code) = (log.table(), log.code());
    format!(
        "WITH mine (id) AS (\
             SELECT c.id FROM id_usage u JOIN {table} c ON c.id = u.call_id \
             WHERE u.id_key = $2 AND u.log = {code} AND c.id_hash = $1 \
             UNION \
             SELECT id FROM {table} WHERE id > {through} AND id_hash = $1) "
    )
}

/// Copies every log's new calls into the index; answers how many calls were copied. A log
/// that fails does not hold up the others; the first failure is answered after them all.
pub async fn catch_up(db: &Db, now: i64) -> sqlx::Result<u64> {
    let mut copied = 0;
    let mut failed = None;
    for log in Log::ALL {
        match catch_up_log(db, log, now).await {
            Ok(count) => copied += count,
            Err(error) => {
                failed.get_or_insert(error);
            }
        }
    }
    failed.map_or(Ok(copied), Err)
}

/// One log, if no other server works on it: claimed, its new calls copied, the claim given
/// back and the mark moved.
async fn catch_up_log(db: &Db, log: Log, now: i64) -> sqlx::Result<u64> {
    let writer = db.dedicated();
    let claimed = sqlx::query(
        "UPDATE id_usage_marks SET busy_until = $1 WHERE log = $2 AND busy_until <= $3",
    )
    .bind(now + CLAIM_SECONDS)
    .bind(log.code())
    .bind(now)
    .execute(&writer.pool)
    .await?
    .rows_affected();
    if claimed == 0 {
        return Ok(0);
    }
    let copied = copy_new(db, &writer, log).await;
    // The claim is given back however the copy went (unless it ran out and another server's
    // claim replaced it); the mark moves only past what was copied.
    let upto = copied.as_ref().map_or(0, |(upto, _)| *upto);
    sqlx::query(
        "UPDATE id_usage_marks \
         SET busy_until = CASE WHEN busy_until = $1 THEN 0 ELSE busy_until END, \
             through_id = CASE WHEN through_id < $2 THEN $2 ELSE through_id END \
         WHERE log = $3",
    )
    .bind(now + CLAIM_SECONDS)
    .bind(upto)
    .bind(log.code())
    .execute(&writer.pool)
    .await?;
    copied.map(|(_, copied)| copied)
}

/// Copies the calls of `log` after its mark, up to the newest that can no longer be joined by
/// an older one (at most [`MOST_A_RUN`]): answers the id copied up to and the calls copied.
async fn copy_new(db: &Db, writer: &Db, log: Log) -> sqlx::Result<(i64, u64)> {
    let through = copied_through(&db.pool, log).await?;
    let Some(newest) = settled(db, log).await? else {
        return Ok((through, 0));
    };
    let upto = newest.min(through + MOST_A_RUN);
    if newest > upto {
        // A run copies more than the APIs answer in its interval at their benchmark rates:
        // calls left over mean the job fell behind (it failed, or PostgreSQL's log was busy
        // for long), and every page reads the calls after the mark from the log itself.
        tracing::warn!(
            log = log.table(),
            behind = newest - upto,
            "the person's index is behind its log"
        );
    }
    if upto <= through {
        return Ok((through, 0));
    }
    Ok((upto, copy(db, writer, log, through, upto).await?))
}

/// The highest id of `log` below which no call can still appear, if it can be told now. On
/// SQLite, writes take turns, and a call not yet committed has a higher id than every committed
/// one. On PostgreSQL, ids come from a sequence, and a transaction still open may hold a lower
/// id than one already committed: a share lock on the log waits for every transaction writing
/// it to end, so the highest id seen under it is final. New calls wait behind the lock while
/// it is waited for, so it is waited for [`LOCK_WAIT`] at most: a longer transaction on the log
/// (or a VACUUM) leaves the copy to a later run rather than holding the answers up.
async fn settled(db: &Db, log: Log) -> sqlx::Result<Option<i64>> {
    let newest = format!("SELECT COALESCE(MAX(id), 0) FROM {}", log.table());
    match db.backend {
        Backend::Sqlite => sqlx::query_scalar(&newest)
            .fetch_one(&db.pool)
            .await
            .map(Some),
        Backend::Postgres => {
            let mut transaction = db.pool.begin().await?;
            sqlx::query(&format!("SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
                .execute(&mut *transaction)
                .await?;
            let locked = sqlx::query(&format!("LOCK TABLE {} IN SHARE MODE", log.table()))
                .execute(&mut *transaction)
                .await;
            match locked {
                Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some("55P03") => {
                    tracing::info!(log = log.table(), "the person's index waits for a busy log");
                    return Ok(None);
                }
                locked => locked?,
            };
            let newest: i64 = sqlx::query_scalar(&newest)
                .fetch_one(&mut *transaction)
                .await?;
            transaction.commit().await?;
            Ok(Some(newest))
        }
    }
}

/// Copies `log`'s calls after `through` up to `upto` that name an ID number into the index:
/// read [`SLICE`] at a time, then copied in the order of the key, [`CHUNK`] at a time, so that
/// each page of the index is written once a run.
async fn copy(db: &Db, writer: &Db, log: Log, through: i64, upto: i64) -> sqlx::Result<u64> {
    let mut calls = Vec::new();
    let mut from = through;
    while from < upto {
        let to = upto.min(from + SLICE);
        let started = Instant::now();
        calls.extend(keyed(&db.pool, log, "id > $1 AND id <= $2", from, to).await?);
        rest_after(started).await;
        from = to;
    }
    calls.sort_unstable();
    let mut copied = 0;
    for chunk in calls.chunks(CHUNK) {
        let started = Instant::now();
        let sql = format!(
            "INSERT INTO id_usage (id_key, log, call_id) VALUES {} ON CONFLICT DO NOTHING",
            placeholders(db.backend, chunk.len(), &["BIGINT", "SMALLINT", "BIGINT"])
        );
        let mut insert = sqlx::query(&sql);
        for (key, id) in chunk {
            insert = insert.bind(*key).bind(log.code()).bind(*id);
        }
        copied += insert.execute(&writer.pool).await?.rows_affected();
        rest_after(started).await;
    }
    Ok(copied)
}

/// Waits as long as the step begun at `started` took, so that a run takes at most half of the
/// time of what it shares with the answers (a core, SQLite's one machine connection), whatever
/// the machine's speed. A run that outlived its [`CLAIM_SECONDS`] would let another server
/// copy the same calls beside it, which only repeats inserts that skip rows already there.
async fn rest_after(started: Instant) {
    tokio::time::sleep(started.elapsed()).await;
}

/// Deletes the calls of `log` made at or before `cutoff` (Unix seconds), from the index and
/// from the log, in the caller's transaction (F-8's retention): the index keeps a keyed hash of
/// an ID number no longer than the log keeps the call. A call naming someone that the job has
/// not copied yet waits for the copy, so that the job never copies a call already deleted.
pub async fn delete_calls_until(
    connection: &mut sqlx::AnyConnection,
    backend: Backend,
    log: Log,
    cutoff: i64,
) -> sqlx::Result<()> {
    let table = log.table();
    let through = copied_through(&mut *connection, log).await?;
    let calls = keyed(
        &mut *connection,
        log,
        "called_at <= $1 AND id <= $2",
        cutoff,
        through,
    )
    .await?;
    for chunk in calls.chunks(CHUNK) {
        let sql = format!(
            "DELETE FROM id_usage WHERE log = {} AND (id_key, call_id) IN (VALUES {})",
            log.code(),
            placeholders(backend, chunk.len(), &["BIGINT", "BIGINT"])
        );
        let mut delete = sqlx::query(&sql);
        for (key, id) in chunk {
            delete = delete.bind(*key).bind(*id);
        }
        delete.execute(&mut *connection).await?;
    }
    sqlx::query(&format!(
        "DELETE FROM {table} WHERE called_at <= $1 AND (id <= $2 OR id_hash IS NULL)"
    ))
    .bind(cutoff)
    .bind(through)
    .execute(&mut *connection)
    .await
    .map(drop)
}

/// The calls of `log` that name an ID number and meet `condition` (on its parameters `$1` and
/// `$2`), as (key, id) in the index's order. Only the hash's first 16 hex digits are read. A
/// call whose `id_hash` is not a keyed hash (none is written so) is left out: no citizen's hash
/// could find it.
async fn keyed<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    log: Log,
    condition: &str,
    first: i64,
    second: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let calls: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT substr(id_hash, 1, 16), id FROM {} WHERE {condition} AND id_hash IS NOT NULL",
        log.table()
    ))
    .bind(first)
    .bind(second)
    .fetch_all(executor)
    .await?;
    let mut keyed: Vec<(i64, i64)> = calls
        .into_iter()
        .filter_map(|(hash, id)| match id_hash::short(&hash) {
            Some(key) => Some((key, id)),
            None => {
                tracing::warn!(call = id, "a call log's id_hash is not a keyed hash");
                None
            }
        })
        .collect();
    keyed.sort_unstable();
    Ok(keyed)
}
