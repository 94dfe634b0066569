//! The call logs of the machine APIs (F-8, A-N8; I-3), a record and not a best effort: a call's
//! answer leaves the server only once its row is committed. Each call hands its row to one
//! writer task and waits; the writer commits whatever has queued up in a single transaction
//! and then lets all of them answer (group commit). At low load that is one row at a time, at
//! once; under load the batches grow by themselves, so the database sees one write per batch
//! instead of one per call. A batch refused before its commit was rolled back, so each of its
//! rows is then written on its own: one bad row fails its own call only. A batch whose commit
//! failed is not retried (the commit may have happened, and a retry would log the calls
//! twice). A call whose row is not written, or not within [`RECORD_TIMEOUT`], is answered that
//! the service is unavailable, and may be asked again. The verification API's rows are
//! [`CallRecord`]s; the confirmation API has its own ([`crate::confirm`]). A verification
//! has its row written by the registry, in the transaction that spends its token and compares
//! it ([`super::registry`]): its verdict, RS3822 for an invalid query, HJ4004 for a replay;
//! this writer takes the rest.

use app::platform::db::placeholders;
use app::platform::db::{Backend, Db};
use app::platform::script::{Script, Unwritten, Writing};
use std::collections::BTreeMap;
use std::future::Future;
use std::ops::Range;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The most rows in one insert (10 parameters each stay well under every database's limit).
const MAX_BATCH: usize = 256;
/// Records waiting beyond this hold the callers back (back-pressure, never loss).
const QUEUE: usize = 16_384;
/// How long a call waits for its row: a database that stalls longer fails the call rather
/// than holding it (a row committed after that is a call logged but not answered).
pub(crate) const RECORD_TIMEOUT: Duration = Duration::from_secs(5);

/// A kind of row a call log keeps, and how a batch of them is written.
pub(crate) trait LogRow: Sized + Send + Sync + 'static {
    /// Adds to `script` the statements that write `batch`, in a transaction: the writer's,
    /// or for a verification or a confirmation, the one that decides it.
    fn write_in<'q>(script: &mut Script<'q>, batch: &'q [Self]);
}

/// One call of a proven caller (its request's signature verified), as the verification API's
/// log keeps it; the others are only counted ([`super::refusals`]).
pub(super) struct CallRecord {
    pub business_id: String,
    pub ap_id: String,
    pub user_id: String,
    pub called_at: i64,
    pub source_ip: String,
    pub id_hash: Option<String>,
    pub rd_code: &'static str,
    pub verdict: Option<&'static str>,
    /// From the call's arrival until its row was made: for a verification compared, until
    /// its verdict, just before the commit.
    pub latency_us: i64,
    /// The company used its grant (a query was asked): its last use moves (A-N8, A-N10).
    pub used: bool,
}

/// A call whose row could not be written: its answer must not leave the server.
#[derive(Debug)]
pub(crate) struct Unrecorded;

/// A row, and the caller waiting for it to be committed.
type Pending<R> = (R, oneshot::Sender<bool>);

pub(crate) struct CallLog<R> {
    sender: mpsc::Sender<Pending<R>>,
}

impl<R> Clone for CallLog<R> {
    fn clone(&self) -> Self {
        CallLog {
            sender: self.sender.clone(),
        }
    }
}

impl<R: LogRow> CallLog<R> {
    /// Starts the writer on the current runtime.
    pub(crate) fn start(db: Db) -> CallLog<R> {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(writer(db, receiver));
        CallLog { sender }
    }

    /// Returns once `call` is committed, or [`Unrecorded`] when it could not be.
    pub(crate) async fn record(&self, call: R) -> Result<(), Unrecorded> {
        let (done, written) = oneshot::channel();
        let committed = async {
            if self.sender.send((call, done)).await.is_err() {
                tracing::error!("the call log's writer has stopped");
                return false;
            }
            written.await.unwrap_or(false)
        };
        match tokio::time::timeout(RECORD_TIMEOUT, committed).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(Unrecorded),
            Err(_) => {
                tracing::error!("a call's row was not written in time; it is answered unavailable");
                Err(Unrecorded)
            }
        }
    }
}

async fn write_batch<R: LogRow>(db: &Db, batch: &[R]) -> Result<(), Unwritten> {
    let mut script = Writing::script(db.backend);
    R::write_in(&mut script, batch);
    Writing::once(db, script).await.map(drop)
}

/// What became of one item of a batch written with [`each_written`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome<R> {
    /// Committed, with what writing it answered.
    Written(R),
    /// Not written: its transaction was rolled back.
    Unwritten,
    /// Its commit failed, and may have happened all the same: it must not be written again.
    Unknown,
}

/// Writes `batch` in one transaction with `write` (given the range of `batch` to write), which
/// answers one result per item. When the database refuses it before its commit (a constraint
/// or a trigger: nothing of it is written), writes each item in a transaction of its own, so
/// that the item refused fails only itself. Any other failure fails the batch as it stands (a
/// database that cannot be reached is not asked again item by item); a failed commit is not
/// tried again, as it may have happened.
pub(crate) async fn each_written<T, R, F, Fut>(batch: &[T], write: F) -> Vec<Outcome<R>>
where
    F: Fn(Range<usize>) -> Fut,
    Fut: Future<Output = Result<Vec<R>, Unwritten>>,
{
    // The error, and whether the batch may be committed all the same.
    let (error, maybe_committed) = match write(0..batch.len()).await {
        Ok(results) if results.len() == batch.len() => {
            return results.into_iter().map(Outcome::Written).collect();
        }
        Ok(results) => (
            sqlx::Error::Protocol(format!(
                "a batch of {} answered {}",
                batch.len(),
                results.len()
            )),
            true,
        ),
        Err(Unwritten::RolledBack(error @ sqlx::Error::Database(_))) if batch.len() > 1 => {
            tracing::warn!(%error, calls = batch.len(), "a batch of the call log was refused; writing its rows one by one");
            let mut outcomes = Vec::with_capacity(batch.len());
            for item in 0..batch.len() {
                outcomes.push(match write(item..item + 1).await {
                    Ok(result) => result
                        .into_iter()
                        .next()
                        .map_or(Outcome::Unknown, Outcome::Written),
                    Err(Unwritten::RolledBack(error)) => {
                        tracing::error!(%error, "a call's row was refused; it is answered unavailable");
                        Outcome::Unwritten
                    }
                    Err(Unwritten::Commit(error)) => {
                        tracing::error!(%error, "writing the call log failed; the calls are answered unavailable");
                        Outcome::Unknown
                    }
                });
            }
            return outcomes;
        }
        Err(Unwritten::RolledBack(error)) => (error, false),
        Err(Unwritten::Commit(error)) => (error, true),
    };
    tracing::error!(%error, calls = batch.len(), "writing the call log failed; the calls are answered unavailable");
    batch
        .iter()
        .map(|_| match maybe_committed {
            true => Outcome::Unknown,
            false => Outcome::Unwritten,
        })
        .collect()
}

/// Writes `batch` and tells each waiting caller whether its row is written.
async fn write_and_answer<R: LogRow>(
    db: &Db,
    batch: &[R],
    waiting: impl Iterator<Item = oneshot::Sender<bool>>,
) {
    let written = each_written(batch, |range| {
        let rows = &batch[range];
        async move { write_batch(db, rows).await.map(|()| vec![(); rows.len()]) }
    })
    .await;
    for (done, written) in waiting.zip(written) {
        let _ = done.send(written == Outcome::Written(()));
    }
}

async fn writer<R: LogRow>(db: Db, mut receiver: mpsc::Receiver<Pending<R>>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut waiting = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = receiver.recv().await {
        let mut next = Some(first);
        while let Some((call, done)) = next {
            batch.push(call);
            waiting.push(done);
            next = if batch.len() < MAX_BATCH {
                receiver.try_recv().ok()
            } else {
                None
            };
        }
        // Each batch is written by a task of its own, so that a panic while writing one (a
        // driver's bug) fails only its calls, whose senders it drops, and not every call after.
        let (writing, rows) = (db.clone(), std::mem::take(&mut batch));
        let answers = std::mem::take(&mut waiting);
        (batch, waiting) = match tokio::spawn(async move {
            let mut answers = answers;
            write_and_answer(&writing, &rows, answers.drain(..)).await;
            (rows, answers)
        })
        .await
        {
            Ok(kept) => kept,
            Err(error) => {
                if error.is_panic() {
                    tracing::error!(%error, "writing the call log panicked; its calls are answered unavailable");
                }
                (Vec::with_capacity(MAX_BATCH), Vec::with_capacity(MAX_BATCH))
            }
        };
        batch.clear();
    }
}

/// A batch's rows, and the last use of each grant used (A-N8, A-N10).
impl LogRow for CallRecord {
    fn write_in<'q>(script: &mut Script<'q>, batch: &'q [CallRecord]) {
        let backend = script.backend();
        script.push(&format!(
            "INSERT INTO api_calls (business_id, ap_id, user_id, called_at, source_ip, id_hash, \
         rd_code, verdict, latency_us, signed) VALUES {}",
            placeholders(
                backend,
                batch.len(),
                &[
                    "TEXT", "TEXT", "TEXT", "BIGINT", "TEXT", "TEXT", "TEXT", "TEXT", "BIGINT",
                    "BIGINT"
                ]
            )
        ));
        for call in batch {
            script
                .bind(call.business_id.as_str())
                .bind(call.ap_id.as_str())
                .bind(call.user_id.as_str())
                .bind(call.called_at)
                .bind(call.source_ip.as_str())
                .bind(call.id_hash.as_deref())
                .bind(call.rd_code)
                .bind(call.verdict)
                .bind(call.latency_us)
                // Every call logged since migration 0040 is signed; the column tells the
                // unsigned rows logged before it apart.
                .bind(1_i64);
        }
        // In one order on every server, so that two servers' batches never wait on each other's
        // grants (a deadlock would fail a batch).
        let mut last_use: BTreeMap<&str, i64> = BTreeMap::new();
        for call in batch.iter().filter(|call| call.used) {
            let when = last_use.entry(&call.business_id).or_insert(call.called_at);
            *when = (*when).max(call.called_at);
        }
        // Parameters a statement of its own on PostgreSQL; on SQLite, bound in order.
        let [at, grant, before] = match backend {
            Backend::Sqlite => ["?"; 3],
            Backend::Postgres => ["$1", "$2", "$3"],
        };
        for (business_id, when) in last_use {
            script.push(&format!(
                "UPDATE api_grants SET last_used_at = {at} WHERE business_id = {grant} \
                 AND (last_used_at IS NULL OR last_used_at < {before})"
            ));
            script.bind(when).bind(business_id).bind(when);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row, and whether writing it panics, as a driver's bug would.
    struct Row(i64, bool);

    impl LogRow for Row {
        fn write_in<'q>(script: &mut Script<'q>, batch: &'q [Row]) {
            assert!(batch.iter().all(|row| !row.1), "a bug while writing");
            for row in batch {
                script.push(&format!(
                    "INSERT INTO rows (n) VALUES {}",
                    placeholders(script.backend(), 1, &["BIGINT"])
                ));
                script.bind(row.0);
            }
        }
    }

    /// Writes a batch of three with `write`'s failure; the outcomes, and how many
    /// transactions were tried.
    async fn outcomes_of(failure: fn() -> Unwritten) -> (Vec<Outcome<()>>, usize) {
        let tried = std::sync::atomic::AtomicUsize::new(0);
        let outcomes = each_written(&[1, 2, 3], |_| {
            tried.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move { Err::<Vec<()>, _>(failure()) }
        })
        .await;
        (outcomes, tried.into_inner())
    }

    #[tokio::test]
    async fn f_8_a_batch_that_cannot_be_written_is_not_tried_again_row_by_row() {
        // The database out of reach: one try, nothing written, each call told so.
        assert_eq!(
            outcomes_of(|| Unwritten::RolledBack(sqlx::Error::PoolTimedOut)).await,
            (
                vec![Outcome::Unwritten, Outcome::Unwritten, Outcome::Unwritten],
                1
            )
        );
        // A commit that failed may have happened: never written again.
        assert_eq!(
            outcomes_of(|| Unwritten::Commit(sqlx::Error::PoolTimedOut)).await,
            (
                vec![Outcome::Unknown, Outcome::Unknown, Outcome::Unknown],
                1
            )
        );
    }

    #[tokio::test]
    async fn f_8_a_panic_while_writing_fails_its_own_calls_and_the_log_goes_on() {
        let (_dir, db) = crate::verify::scratch_db().await;
        sqlx::query("CREATE TABLE rows (n BIGINT NOT NULL)")
            .execute(&db.pool)
            .await
            .expect("table");
        let log = CallLog::<Row>::start(db.clone());
        assert!(
            log.record(Row(1, true)).await.is_err(),
            "its row was not written"
        );
        assert!(
            log.record(Row(2, false)).await.is_ok(),
            "the writer still writes"
        );
        let rows: Vec<i64> = sqlx::query_scalar("SELECT n FROM rows")
            .fetch_all(&db.pool)
            .await
            .expect("rows");
        assert_eq!(rows, [2]);
    }
}
