//! The background jobs, run once each as a server's interval would run them.

use crate::support::{fresh_db, test_clock};
use app::platform::challenge;
use app::platform::clock::Clock;
use server::jobs::{all, PLATFORM};

#[tokio::test]
async fn every_background_job_runs_on_a_real_database() {
    let test_db = fresh_db().await;
    server::registry::load_demo(&test_db.db.pool)
        .await
        .expect("demo registry");
    let now = test_clock().unix();
    for job in all() {
        (job.run)(&test_db.db, now)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", job.name));
    }
}

#[tokio::test]
async fn the_purge_removes_sign_in_challenges_only_once_they_expired() {
    let test_db = fresh_db().await;
    let now = test_clock().unix();
    challenge::issue(&test_db.db.pool, now, challenge::SIGN_IN)
        .await
        .expect("challenge");
    let purge = &PLATFORM[0];
    let left = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sign_in_challenges")
            .fetch_one(&test_db.db.pool)
            .await
            .expect("count")
    };
    (purge.run)(&test_db.db, now).await.expect("purge now");
    assert_eq!(left().await, 1, "a live challenge stays");
    (purge.run)(&test_db.db, now + 3600)
        .await
        .expect("purge later");
    assert_eq!(left().await, 0, "an expired challenge goes");
}
