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

#[tokio::test]
async fn security_21_6_the_purge_removes_what_anonymous_clients_left_once_it_expired_only() {
    use app::platform::captcha;
    use app::platform::rate_limit::Limit;
    let test_db = fresh_db().await;
    let pool = &test_db.db.pool;
    let now = test_clock().unix();
    let day = 86_400;
    let window = Limit {
        max: 5,
        window_seconds: 600,
    };
    for at in [now - day, now] {
        challenge::issue(pool, at, challenge::SIGN_IN)
            .await
            .expect("challenge");
        captcha::issue(pool, at).await.expect("CAPTCHA");
        // A refusal counter, in the window of two days ago and of now.
        window
            .hit(pool, "sign-in:192.0.2.1", now - 2 * (now - at))
            .await
            .expect("hit")
            .expect("under the limit");
    }
    // Counts of refused machine calls, one just kept long enough and one an hour too old.
    let kept = server::verify::refusals::KEPT_SECONDS;
    for hour in [now - kept, now - kept - 3_600] {
        sqlx::query(
            "INSERT INTO refused_calls (hour, api, named, code, refusals, last_at, last_source) \
             VALUES ($1, 'verification', '', 'HJ4030', 1, $1, '192.0.2.1')",
        )
        .bind(hour)
        .execute(pool)
        .await
        .expect("count");
    }
    (PLATFORM[0].run)(&test_db.db, now).await.expect("purge");
    for table in [
        "sign_in_challenges",
        "captchas",
        "rate_limits",
        "refused_calls",
    ] {
        let left: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(pool)
            .await
            .expect("count");
        assert_eq!(left, 1, "{table}: the live row stays, the expired one goes");
    }
}
