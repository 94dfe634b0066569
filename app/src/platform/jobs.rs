//! Background jobs: what a service declares in its manifest (and the server adds its own), so
//! that `serve` spawns each on its interval and the tests run each once against a real
//! database. Every job must be safe on several servers at once: each change it makes is a
//! guarded update, a claim, or a delete of rows nobody can use any more.

use super::db::Db;
use std::future::Future;
use std::pin::Pin;
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
