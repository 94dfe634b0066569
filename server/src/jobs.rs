//! The background jobs every server runs against the database: the platform's own, declared
//! here, and each service's, declared in its manifest (`app::services::manifest::jobs`).
//! `serve` spawns each on its interval; the tests run each once against a real database.

use app::platform::db::Db;
use app::platform::jobs::{Job, JobError};
use app::platform::{captcha, challenge, clock::Clock, rate_limit, session};
use std::sync::Arc;
use std::time::Duration;

/// The platform's own jobs.
pub const PLATFORM: &[Job] = &[Job {
    name: "purge of expired sessions, challenges, CAPTCHAs, rate windows, API token ids, \
           past days' confirmation misses, expired confirmation nonces and old counts of \
           refused machine calls",
    every: Duration::from_secs(300),
    run: |db, now| Box::pin(purge_expired(db, now)),
}];

/// Every job, in the order they are started.
pub fn all() -> impl Iterator<Item = &'static Job> {
    PLATFORM.iter().chain(app::services::manifest::jobs())
}

/// Removes what can no longer be used: sessions, sign-in challenges, CAPTCHAs, rate-limit
/// windows older than a day, the verification API's spent token ids and its counts of refused
/// calls older than [`crate::verify::refusals::KEPT_SECONDS`], and the confirmation API's
/// misses of past days and the uses of expired nonces.
async fn purge_expired(db: &Db, now: i64) -> Result<(), JobError> {
    session::purge_expired(&db.pool, now).await?;
    challenge::purge_expired(&db.pool, now).await?;
    captcha::purge_expired(&db.pool, now).await?;
    rate_limit::purge_expired(&db.pool, now - 86_400).await?;
    crate::verify::purge_expired(db, now).await?;
    crate::confirm::purge_expired(&db.pool, now).await?;
    app::services::confirmation::token::purge_used(&db.pool, now).await?;
    Ok(())
}

/// Starts every job on its interval, the first run at once; a failed run is logged and the
/// job runs again at its next tick.
pub fn spawn_all(db: &Db, clock: &Arc<dyn Clock>) {
    for job in all() {
        let (db, clock) = (db.clone(), clock.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(job.every);
            loop {
                tick.tick().await;
                if let Err(error) = (job.run)(&db, clock.unix()).await {
                    tracing::error!(job = job.name, %error, "background job failed");
                }
            }
        });
    }
}
