//! The call logs of the machine APIs (F-8, A-N8; I-3) written off the hot path: each call
//! hands its record to one writer task, which writes whatever has queued up in a single
//! transaction. At low load that is one row at a time, at once; under load the batches grow by
//! themselves, so the database sees one write per batch instead of one per call. The
//! verification API's rows are [`CallRecord`]s; the confirmation API has its own
//! ([`crate::confirm`]).

use super::batch::placeholders;
use app::platform::db::Db;
use std::collections::HashMap;
use std::future::Future;
use tokio::sync::{mpsc, oneshot};

/// The most rows in one insert (10 parameters each stay well under every database's limit).
const MAX_BATCH: usize = 256;
/// Records waiting beyond this hold the callers back (back-pressure, never loss).
const QUEUE: usize = 16_384;

/// A kind of row a call log keeps, and how a batch of them is written.
pub(crate) trait LogRow: Sized + Send + 'static {
    /// Writes `batch` in one transaction.
    fn write(db: &Db, batch: &[Self]) -> impl Future<Output = sqlx::Result<()>> + Send;
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
    pub latency_us: i64,
    /// The company used its grant (a query was asked): its last use moves (A-N8, A-N10).
    pub used: bool,
}

enum Message<R> {
    Call(R),
    Flush(oneshot::Sender<()>),
}

pub(crate) struct CallLog<R> {
    sender: mpsc::Sender<Message<R>>,
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

    pub(crate) async fn record(&self, call: R) {
        if self.sender.send(Message::Call(call)).await.is_err() {
            tracing::error!("the call log's writer has stopped; a call went unrecorded");
        }
    }

    /// Returns once every call recorded before is written (tests, shutdown).
    pub(crate) async fn flush(&self) {
        let (done, written) = oneshot::channel();
        if self.sender.send(Message::Flush(done)).await.is_ok() {
            let _ = written.await;
        }
    }
}

async fn writer<R: LogRow>(db: Db, mut receiver: mpsc::Receiver<Message<R>>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut flushes = Vec::new();
    while let Some(first) = receiver.recv().await {
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Call(call) => batch.push(call),
                Message::Flush(done) => flushes.push(done),
            }
            next = if batch.len() < MAX_BATCH {
                receiver.try_recv().ok()
            } else {
                None
            };
        }
        if !batch.is_empty() {
            if let Err(error) = R::write(&db, &batch).await {
                tracing::error!(%error, calls = batch.len(), "writing the call log failed");
            }
            batch.clear();
        }
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}

impl LogRow for CallRecord {
    async fn write(db: &Db, batch: &[CallRecord]) -> sqlx::Result<()> {
        let sql = format!(
            "INSERT INTO api_calls (business_id, ap_id, user_id, called_at, source_ip, id_hash, \
         rd_code, verdict, latency_us, signed) VALUES {}",
            placeholders(
                db.backend,
                batch.len(),
                &[
                    "TEXT", "TEXT", "TEXT", "BIGINT", "TEXT", "TEXT", "TEXT", "TEXT", "BIGINT",
                    "BIGINT"
                ]
            )
        );
        let mut tx = db.pool.begin().await?;
        let mut insert = sqlx::query(&sql);
        for call in batch {
            insert = insert
                .bind(&call.business_id)
                .bind(&call.ap_id)
                .bind(&call.user_id)
                .bind(call.called_at)
                .bind(&call.source_ip)
                .bind(call.id_hash.as_deref())
                .bind(call.rd_code)
                .bind(call.verdict)
                .bind(call.latency_us)
                // Every call logged since migration 0040 is signed; the column tells the
                // unsigned rows logged before it apart.
                .bind(1_i64);
        }
        insert.execute(&mut *tx).await?;
        let mut last_use: HashMap<&str, i64> = HashMap::new();
        for call in batch.iter().filter(|call| call.used) {
            let when = last_use.entry(&call.business_id).or_insert(call.called_at);
            *when = (*when).max(call.called_at);
        }
        for (business_id, when) in last_use {
            sqlx::query(
                "UPDATE api_grants SET last_used_at = $1 \
             WHERE business_id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
            )
            .bind(when)
            .bind(business_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}
