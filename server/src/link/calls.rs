//! The call log of the linked-agency API (`agency_link_calls`, migration 0023): every call of
//! a proven caller, accepted or refused (calls refused before the caller was proven are only
//! counted, [`crate::verify::refusals`]). Calls are few (one agency system per case), so each is
//! written on its own, on the portal's pool, before it is answered: a call whose row cannot be
//! written is answered unavailable (HJL5000), with none of a person's data. The table is
//! append-only (migration 0042).

use super::answer::LinkCode;
use super::auth::Operation;

/// One call, as the log keeps it: never a password, a token or an ID number.
pub struct CallRecord<'a> {
    pub link_id: Option<&'a str>,
    pub called_at: i64,
    pub source_ip: String,
    pub operation: Operation,
    pub outcome: LinkCode,
    /// The keyed hash of the ID number a person query asked for.
    pub id_hash: Option<String>,
    pub latency_us: i64,
}

/// Writes `call`'s row; its answer leaves only once this returned `Ok` (F-8).
pub async fn record(pool: &sqlx::AnyPool, call: CallRecord<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO agency_link_calls (link_id, called_at, source_ip, operation, outcome, \
         id_hash, latency_us) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(call.link_id)
    .bind(call.called_at)
    .bind(&call.source_ip)
    .bind(call.operation.code())
    .bind(call.outcome.code())
    .bind(call.id_hash.as_deref())
    .bind(call.latency_us)
    .execute(pool)
    .await
    .map(|_| ())
}
