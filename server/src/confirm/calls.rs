//! The confirmation API's call log (`confirmation_calls`, migration 0027): every call,
//! accepted or refused, written in batches off the hot path by the machine APIs' shared
//! writer ([`crate::verify::call_log`]). Never a certificate, a card number or an ID number:
//! the ID only as its keyed hash.

use crate::verify::batch::placeholders;
use crate::verify::call_log::LogRow;
use app::platform::db::Db;

/// One call, as the log keeps it.
pub(super) struct ConfirmCall {
    pub system_id: i64,
    pub called_at: i64,
    pub source_ip: String,
    pub outcome: &'static str,
    pub status: Option<&'static str>,
    pub id_hash: Option<String>,
    pub latency_us: i64,
}

impl LogRow for ConfirmCall {
    async fn write(db: &Db, batch: &[ConfirmCall]) -> sqlx::Result<()> {
        let sql = format!(
            "INSERT INTO confirmation_calls (system_id, called_at, source_ip, outcome, \
                 status, id_hash, latency_us) VALUES {}",
            placeholders(
                db.backend,
                batch.len(),
                &["BIGINT", "BIGINT", "TEXT", "TEXT", "TEXT", "TEXT", "BIGINT"]
            )
        );
        let mut insert = sqlx::query(&sql);
        for call in batch {
            insert = insert
                .bind(call.system_id)
                .bind(call.called_at)
                .bind(&call.source_ip)
                .bind(call.outcome)
                .bind(call.status)
                .bind(call.id_hash.as_deref())
                .bind(call.latency_us);
        }
        insert.execute(&db.pool).await.map(|_| ())
    }
}
