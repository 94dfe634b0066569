//! Group commit for the hot path: calls that each need one database statement hand their
//! part to a single task, which runs whatever has queued up as one statement. At low load a
//! batch is one call, sent at once; under load the batches grow by themselves, so the database
//! (and, on SQLite, the hand-off to its worker thread) is paid once per batch, not per call.

use app::platform::db::{placeholders, Backend};
use app::platform::id_hash;
use app::platform::script::Script;
use std::future::Future;
use tokio::sync::{mpsc, oneshot};

type Job<T, R> = (T, oneshot::Sender<sqlx::Result<R>>);

/// Runs `T`s in batches of at most `max` through one function, answering each with its `R`.
pub(crate) struct Batcher<T, R> {
    sender: mpsc::Sender<Job<T, R>>,
}

impl<T, R> Clone for Batcher<T, R> {
    fn clone(&self) -> Self {
        Batcher {
            sender: self.sender.clone(),
        }
    }
}

impl<T: Send + 'static, R: Send + 'static> Batcher<T, R> {
    /// Starts the batch task on the current runtime. `run` answers a batch with one result
    /// per item, in order.
    pub(crate) fn start<F, Fut>(max: usize, run: F) -> Batcher<T, R>
    where
        F: Fn(Vec<T>) -> Fut + Send + 'static,
        Fut: Future<Output = sqlx::Result<Vec<R>>> + Send + 'static,
    {
        let (sender, mut receiver) = mpsc::channel::<Job<T, R>>(max * 8);
        tokio::spawn(async move {
            let mut jobs = Vec::with_capacity(max);
            while receiver.recv_many(&mut jobs, max).await > 0 {
                let (items, answers): (Vec<T>, Vec<_>) = jobs.drain(..).unzip();
                let expected = items.len();
                // Each batch runs as a task of its own, so that a panic while running one (a
                // driver's bug) fails only its calls, and not every call after.
                let ran = tokio::spawn(run(items)).await.unwrap_or_else(|error| {
                    Err(sqlx::Error::Protocol(format!("a batch panicked: {error}")))
                });
                match ran {
                    Ok(results) if results.len() == expected => {
                        for (answer, result) in answers.into_iter().zip(results) {
                            let _ = answer.send(Ok(result));
                        }
                    }
                    Ok(results) => {
                        let message = format!("a batch of {expected} answered {}", results.len());
                        for answer in answers {
                            let _ = answer.send(Err(sqlx::Error::Protocol(message.clone())));
                        }
                    }
                    Err(error) => {
                        let message = error.to_string();
                        for answer in answers {
                            let _ = answer.send(Err(sqlx::Error::Protocol(message.clone())));
                        }
                    }
                }
            }
        });
        Batcher { sender }
    }

    /// Runs `item` in the next batch.
    pub(crate) async fn call(&self, item: T) -> sqlx::Result<R> {
        let (answer, answered) = oneshot::channel();
        let stopped = || sqlx::Error::Protocol("the batch task has stopped".into());
        self.sender
            .send((item, answer))
            .await
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

/// On PostgreSQL, adds to `script` the statement that holds what a batch is about until its
/// transaction ends: an advisory lock for each of `hashes` (keyed hashes, hex: the first 64
/// bits of each), so that a batch about the same ID number or holder on another server waits
/// for this one's count before it reads. The locks are taken in one order, so two batches
/// never wait for each other. On SQLite nothing: the transaction's write lock, taken when it
/// begins, holds every batch off.
pub(crate) fn hold_in<'a>(
    script: &mut Script<'_>,
    hashes: impl Iterator<Item = &'a str>,
) -> sqlx::Result<()> {
    if script.backend() != Backend::Postgres {
        return Ok(());
    }
    let mut keys: Vec<i64> = hashes
        .map(|hash| {
            id_hash::short(hash).ok_or_else(|| sqlx::Error::Decode("not a keyed hash".into()))
        })
        .collect::<sqlx::Result<_>>()?;
    keys.sort_unstable();
    keys.dedup();
    // The function returns `void`, which the Any driver cannot decode: count the rows instead.
    script.push(&format!(
        "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(k) FROM (VALUES {}) AS ids (k) \
         ORDER BY k) AS held",
        placeholders(Backend::Postgres, keys.len(), &["BIGINT"])
    ));
    for key in keys {
        script.bind(key);
    }
    Ok(())
}

/// Adds to `script` the statement that adds `counted` — (keyed hash, day, how many) — to a
/// table of counts a day: `table` has the columns `key`, `day` (of SQL type `day_type`) and
/// `count`, and a unique (`key`, `day`). Each key and day appears once in `counted`.
pub(crate) fn count_in<'q, D>(
    script: &mut Script<'q>,
    (table, key, count, day_type): (&str, &str, &str, &str),
    counted: Vec<(&'q str, D, i64)>,
) where
    D: 'q + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    script.push(&format!(
        "INSERT INTO {table} ({key}, day, {count}) VALUES {} \
         ON CONFLICT ({key}, day) DO UPDATE SET {count} = {table}.{count} + excluded.{count}",
        placeholders(
            script.backend(),
            counted.len(),
            &["TEXT", day_type, "BIGINT"]
        )
    ));
    for (hash, day, more) in counted {
        script.bind(hash).bind(day).bind(more);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_waiting_together_run_as_one_batch_and_each_gets_its_own_answer() {
        let sizes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let doubler = Batcher::start(4, move |items: Vec<u32>| {
            seen.lock().expect("lock").push(items.len());
            async move { Ok(items.into_iter().map(|n| n * 2).collect()) }
        });
        // Ten calls queued while the batch task waits: batches of at most four.
        let mut calls = tokio::task::JoinSet::new();
        for n in 0..10u32 {
            let doubler = doubler.clone();
            calls.spawn(async move { (n, doubler.call(n).await.expect("answer")) });
        }
        while let Some(done) = calls.join_next().await {
            let (n, doubled) = done.expect("call");
            assert_eq!(doubled, n * 2);
        }
        let sizes = sizes.lock().expect("lock").clone();
        assert_eq!(sizes.iter().sum::<usize>(), 10);
        assert!(sizes.iter().all(|&size| size <= 4), "{sizes:?}");
        assert!(sizes.len() < 10, "some calls shared a batch: {sizes:?}");
    }

    #[tokio::test]
    async fn a_failed_batch_fails_each_of_its_calls() {
        let failing = Batcher::start(4, |_: Vec<u32>| async {
            Err::<Vec<u32>, _>(sqlx::Error::PoolTimedOut)
        });
        assert!(failing.call(1).await.is_err());
        let short = Batcher::start(4, |_: Vec<u32>| async { Ok(Vec::<u32>::new()) });
        assert!(short.call(1).await.is_err());
    }

    #[tokio::test]
    async fn a_batch_that_panics_fails_its_own_calls_and_the_next_batch_runs() {
        let batcher = Batcher::start(4, |items: Vec<u32>| async move {
            assert!(!items.contains(&13), "a bug in the batch");
            Ok(items)
        });
        assert!(batcher.call(13).await.is_err());
        assert_eq!(batcher.call(7).await.expect("the batches go on"), 7);
    }
}
