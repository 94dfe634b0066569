//! The background jobs every server runs against the database, declared once: `serve` spawns
//! each on its interval, and the tests run each once against a real database. Every job is
//! safe on several servers at once (each change it makes is a guarded update or a delete of
//! rows nobody can use any more).

use app::platform::db::Db;
use app::platform::{captcha, challenge, clock::Clock, rate_limit, session};
use app::services::{api_service, certificate};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// What a job's run failed with.
pub type JobError = Box<dyn std::error::Error + Send + Sync>;
/// One run of a job, at `now` (Unix seconds).
pub type Run =
    for<'a> fn(&'a Db, i64) -> Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'a>>;

/// A job: its name in the logs, how often it runs, and one run.
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
    pub run: Run,
}

/// Every job, in the order they are started.
pub const JOBS: &[Job] = &[
    Job {
        name: "purge of expired sessions, challenges, CAPTCHAs, rate windows and API token ids",
        every: Duration::from_secs(300),
        run: |db, now| Box::pin(purge_expired(db, now)),
    },
    Job {
        name: "closing of lapsed certificate applications (C-2)",
        every: Duration::from_secs(300),
        run: |db, now| {
            Box::pin(async move {
                certificate::application::store::close_expired(db, now).await?;
                Ok(())
            })
        },
    },
    Job {
        name: "certificate expiry notices (C-4)",
        every: Duration::from_secs(300),
        run: |db, now| {
            Box::pin(async move {
                certificate::store::notify_expiring(db, now).await?;
                Ok(())
            })
        },
    },
    Job {
        name: "the ministry's check of the API grants (A-N10)",
        every: Duration::from_secs(24 * 3600),
        run: |db, now| {
            Box::pin(async move {
                let revoked = api_service::store::periodic_check(db, now).await?;
                if !revoked.is_empty() {
                    tracing::warn!(count = revoked.len(), "A-N10 check revoked API grants");
                }
                Ok(())
            })
        },
    },
];

/// Removes what can no longer be used: sessions, sign-in challenges, CAPTCHAs, rate-limit
/// windows older than a day, and the verification API's spent token ids.
async fn purge_expired(db: &Db, now: i64) -> Result<(), JobError> {
    session::purge_expired(&db.pool, now).await?;
    challenge::purge_expired(&db.pool, now).await?;
    captcha::purge_expired(&db.pool, now).await?;
    rate_limit::purge_expired(&db.pool, now - 86_400).await?;
    crate::verify::purge_expired(&db.pool, now).await?;
    Ok(())
}

/// Starts every job on its interval, the first run at once; a failed run is logged and the
/// job runs again at its next tick.
pub fn spawn_all(db: &Db, clock: &Arc<dyn Clock>) {
    for job in JOBS {
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
