//! The durable mail outbox (F-7): mail is written in the same transaction as the change it
//! reports, and a background sender delivers it with retries, so a restart loses nothing.

use sqlx::{AnyConnection, AnyPool, FromRow};

/// A message waiting to be sent.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct OutgoingMail {
    pub id: i64,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// How long a sender may hold a claimed message before another sender may take it over.
pub const CLAIM_SECONDS: i64 = 120;
/// After this many failed attempts a message stays in the table, marked, for an operator.
pub const MAX_ATTEMPTS: i64 = 8;

/// Queues a message inside the caller's transaction.
pub async fn enqueue(
    conn: &mut AnyConnection,
    now: i64,
    to_addr: &str,
    subject: &str,
    body: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO outbox (created_at, to_addr, subject, body, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $1) RETURNING id",
    )
    .bind(now)
    .bind(to_addr)
    .bind(subject)
    .bind(body)
    .fetch_one(conn)
    .await
}

/// Claims up to `limit` due messages for this sender. A claim is an update guarded by the
/// previous claim's expiry, so two senders (two servers on one PostgreSQL) never both take one.
pub async fn claim_due(pool: &AnyPool, now: i64, limit: i64) -> sqlx::Result<Vec<OutgoingMail>> {
    let candidates: Vec<OutgoingMail> = sqlx::query_as(
        "SELECT id, to_addr, subject, body, attempts FROM outbox \
         WHERE sent_at IS NULL AND attempts < $1 AND next_attempt_at <= $2 AND locked_until <= $2 \
         ORDER BY next_attempt_at, id LIMIT $3",
    )
    .bind(MAX_ATTEMPTS)
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for mail in candidates {
        let taken = sqlx::query(
            "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 \
             WHERE id = $2 AND sent_at IS NULL AND locked_until <= $3",
        )
        .bind(now + CLAIM_SECONDS)
        .bind(mail.id)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
            == 1;
        if taken {
            claimed.push(OutgoingMail {
                attempts: mail.attempts + 1,
                ..mail
            });
        }
    }
    Ok(claimed)
}

pub async fn mark_sent(pool: &AnyPool, id: i64, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET sent_at = $1, locked_until = 0, last_error = NULL WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Records a failed attempt and schedules the next one with exponential back-off
/// (30 s, 1 min, 2 min … capped at 1 hour).
pub async fn mark_failed(
    pool: &AnyPool,
    mail: &OutgoingMail,
    now: i64,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1, locked_until = 0, last_error = $2 WHERE id = $3",
    )
    .bind(now + retry_delay(mail.attempts))
    .bind(error)
    .bind(mail.id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Seconds to wait after the `attempts`-th failure.
pub fn retry_delay(attempts: i64) -> i64 {
    let exponent = attempts.clamp(1, 8) - 1;
    (30_i64 << exponent).min(3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f7_retry_delay_backs_off_and_caps_at_an_hour() {
        assert_eq!(retry_delay(1), 30);
        assert_eq!(retry_delay(2), 60);
        assert_eq!(retry_delay(3), 120);
        assert_eq!(retry_delay(8), 3600);
        assert_eq!(retry_delay(100), 3600);
    }
}
