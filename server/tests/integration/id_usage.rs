//! The person's index of the machine APIs' call logs behind 個資使用紀錄 (issue 20 item 18,
//! F-8; app::services::id_usage::index): filled by a job behind the answers, read together
//! with the calls it has not copied yet, so that a citizen's record never misses a call
//! however far the job is behind, on several servers and across a crash.

use crate::support::{fresh_db, test_clock};
use app::platform::clock::Clock;
use app::platform::db::Db;
use app::services::id_usage::index::{catch_up, copied_through, mine, Log, CLAIM_SECONDS};
use sqlx::AnyPool;

/// Keyed hashes as the logs keep them (64 hex digits); the index keys by the first 16, which
/// `NEIGHBOUR` shares with `HERS`.
const HERS: &str = "aaaaaaaaaaaaaaaa1111111111111111111111111111111111111111111111111111";
const NEIGHBOUR: &str = "aaaaaaaaaaaaaaaa2222222222222222222222222222222222222222222222222222";
const HIS: &str = "bbbbbbbbbbbbbbbb1111111111111111111111111111111111111111111111111111";

/// Logs a verification call at `at` about the ID number with keyed hash `hash` (none: a call
/// that named no one), through `executor`; answers its id.
async fn log_call<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    hash: Option<&str>,
    at: i64,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO api_calls (business_id, ap_id, user_id, called_at, source_ip, id_hash, \
         rd_code, latency_us, signed) VALUES ('12345678', 'ap', 'user', $1, '127.0.0.1', $2, \
         'RS7009', 1, 1) RETURNING id",
    )
    .bind(at)
    .bind(hash)
    .fetch_one(executor)
    .await
    .expect("call")
}

/// Logs `count` calls about `hash` at `at`; answers their ids.
async fn log_calls(pool: &AnyPool, hash: &str, count: usize, at: i64) -> Vec<i64> {
    let mut ids = Vec::with_capacity(count);
    for _ in 0..count {
        ids.push(log_call(pool, Some(hash), at).await);
    }
    ids
}

/// The ids of the verifications about `hash`, as the usage page finds them.
async fn found(pool: &AnyPool, hash: &str) -> Vec<i64> {
    let through = copied_through(pool, Log::Verifications)
        .await
        .expect("the mark");
    sqlx::query_scalar(&format!(
        "{}SELECT id FROM mine ORDER BY id",
        mine(Log::Verifications, through)
    ))
    .bind(hash)
    .bind(app::platform::id_hash::short(hash))
    .fetch_all(pool)
    .await
    .expect("mine")
}

/// The verifications the index holds, as (key, id).
async fn indexed(pool: &AnyPool) -> Vec<(i64, i64)> {
    sqlx::query_as("SELECT id_key, call_id FROM id_usage WHERE log = 1 ORDER BY call_id")
        .fetch_all(pool)
        .await
        .expect("index")
}

async fn mark(pool: &AnyPool) -> i64 {
    copied_through(pool, Log::Verifications)
        .await
        .expect("mark")
}

async fn run(db: &Db, now: i64) -> u64 {
    catch_up(db, now).await.expect("the job")
}

#[tokio::test]
async fn f_8_a_persons_calls_are_found_alike_before_and_after_the_index_copies_them() {
    let test_db = fresh_db().await;
    let (db, pool) = (&test_db.db, &test_db.db.pool);
    let now = test_clock().unix();
    let mut hers = log_calls(pool, HERS, 3, now).await;
    let his = log_call(pool, Some(HIS), now).await;
    let neighbours = log_call(pool, Some(NEIGHBOUR), now).await;
    // No writer logs a hash that is not one; the job passes such a row by.
    log_call(pool, Some("not a keyed hash"), now).await;
    let nobody = log_call(pool, None, now).await;

    // Nothing copied yet: the page reads the log.
    assert_eq!(found(pool, HERS).await, hers);
    assert_eq!(run(db, now).await, 5, "the calls that name someone");
    assert_eq!(found(pool, HERS).await, hers, "now from the index");
    assert_eq!(found(pool, HIS).await, [his]);
    // A hash that shares her key is told apart by the whole hash.
    assert_eq!(found(pool, NEIGHBOUR).await, [neighbours]);
    assert_eq!(
        mark(pool).await,
        nobody,
        "every call up to the newest is copied"
    );

    // New calls after the mark are found beside the copied ones, and copied by the next run.
    hers.push(log_call(pool, Some(HERS), now + 1).await);
    hers.push(log_call(pool, Some(HERS), now + 1).await);
    assert_eq!(found(pool, HERS).await, hers);
    assert_eq!(run(db, now + 5).await, 2);
    assert_eq!(run(db, now + 10).await, 0, "nothing new");
    assert_eq!(found(pool, HERS).await, hers);
    assert_eq!(indexed(pool).await.len(), 7);
}

/// A run reads a log in steps of 10,000 calls and rests after each: a log longer than one step
/// is copied whole, every call once, and the mark is its newest call.
#[tokio::test]
async fn f_8_a_run_copies_a_log_longer_than_one_step_whole() {
    let test_db = fresh_db().await;
    let (db, pool) = (&test_db.db, &test_db.db.pool);
    let now = test_clock().unix();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050) \
         INSERT INTO api_calls (business_id, ap_id, user_id, called_at, source_ip, id_hash, \
         rd_code, latency_us, signed) SELECT '12345678', 'ap', 'user', $1, '127.0.0.1', $2, \
         'RS7009', 1, 1 FROM n",
    )
    .bind(now)
    .bind(HERS)
    .execute(pool)
    .await
    .expect("calls");
    let his = log_call(pool, Some(HIS), now).await;
    assert_eq!(run(db, now).await, 10_051);
    assert_eq!(indexed(pool).await.len(), 10_051, "each call once");
    assert_eq!(mark(pool).await, his);
    assert_eq!(found(pool, HERS).await.len(), 10_050);
    assert_eq!(found(pool, HIS).await, [his]);
    assert_eq!(run(db, now + 5).await, 0, "nothing new");
}

/// Two servers' runs at once copy each call once, and a claimed log waits for its claim to
/// end (a server that died holding it holds it up no longer than `CLAIM_SECONDS`).
#[tokio::test]
async fn f_8_servers_running_the_index_job_together_copy_each_call_once() {
    let test_db = fresh_db().await;
    let (db, pool) = (&test_db.db, &test_db.db.pool);
    let now = test_clock().unix();
    let mut hers = log_calls(pool, HERS, 50, now).await;
    let (one, other) = tokio::join!(run(db, now), run(db, now));
    let mut copied = [one, other];
    copied.sort_unstable();
    assert_eq!(
        copied,
        [0, 50],
        "one run claimed the log, the other left it"
    );
    assert_eq!(indexed(pool).await.len(), 50);
    assert_eq!(found(pool, HERS).await, hers);

    // A server claims the log and dies before it gives the claim back.
    sqlx::query("UPDATE id_usage_marks SET busy_until = $1")
        .bind(now + CLAIM_SECONDS)
        .execute(pool)
        .await
        .expect("claim");
    hers.push(log_call(pool, Some(HERS), now).await);
    assert_eq!(run(db, now + 1).await, 0, "the log is claimed");
    assert_eq!(
        found(pool, HERS).await,
        hers,
        "the page does not wait for the job"
    );
    assert_eq!(run(db, now + CLAIM_SECONDS).await, 1, "the claim has ended");
    assert_eq!(found(pool, HERS).await, hers);
}

/// A call whose transaction is still open when the job runs is not passed over by the mark,
/// though a call with a higher id was committed first (on PostgreSQL ids come from a
/// sequence: the job waits a moment for the open transaction, then leaves the log to its next
/// run; on SQLite the open transaction holds the write lock, and the job waits for it).
#[tokio::test]
async fn f_8_a_call_committed_after_a_later_one_is_still_found() {
    let test_db = fresh_db().await;
    let (db, pool) = (&test_db.db, &test_db.db.pool);
    let now = test_clock().unix();
    let mut open = db.begin_write().await.expect("begin");
    let late = log_call(&mut *open, Some(HERS), now).await;
    let backend = db.backend;
    let early = match backend {
        // SQLite: the open transaction keeps every other writer out.
        app::platform::db::Backend::Sqlite => None,
        app::platform::db::Backend::Postgres => Some(log_call(pool, Some(HERS), now).await),
    };
    let job = tokio::spawn({
        let db = db.clone();
        async move { run(&db, now).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    open.commit().await.expect("commit");
    let copied = job.await.expect("the job's task");
    match backend {
        // The job waited for the write lock, then copied the call.
        app::platform::db::Backend::Sqlite => assert_eq!(copied, 1),
        // The job waited 100 ms for the open transaction, then left the log as it was.
        app::platform::db::Backend::Postgres => {
            assert_eq!(copied, 0);
            assert!(
                mark(pool).await < late,
                "the mark did not pass the open call"
            );
        }
    }
    let mut expected: Vec<i64> = early.into_iter().chain([late]).collect();
    expected.sort_unstable();
    assert_eq!(found(pool, HERS).await, expected);
    run(db, now + 5).await;
    assert_eq!(
        indexed(pool)
            .await
            .into_iter()
            .map(|(_, id)| id)
            .collect::<Vec<_>>(),
        expected,
        "every call copied, the late one too"
    );
    assert!(mark(pool).await >= late);
}

/// F-8's retention: the index keeps a person's hash no longer than the log keeps the call.
#[tokio::test]
async fn f_8_the_index_forgets_a_call_when_the_log_does() {
    let test_db = fresh_db().await;
    let (db, pool) = (&test_db.db, &test_db.db.pool);
    // The database's clock decides what is old, as the log's triggers do.
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let retention = server::verify::CALL_LOG_RETENTION;
    let old = log_call(pool, Some(HERS), today - retention - 3_600).await;
    let young = log_call(pool, Some(HERS), today - retention + 3_600).await;
    // A call the job has not copied yet waits for the copy: the job never copies a call the
    // purge deleted meanwhile.
    server::verify::purge_expired(db, today)
        .await
        .expect("purge");
    assert_eq!(found(pool, HERS).await, [old, young]);
    run(db, today).await;
    assert_eq!(indexed(pool).await.len(), 2);
    server::verify::purge_expired(db, today)
        .await
        .expect("purge");
    assert_eq!(
        indexed(pool)
            .await
            .into_iter()
            .map(|(_, id)| id)
            .collect::<Vec<_>>(),
        [young]
    );
    assert_eq!(found(pool, HERS).await, [young]);
}
