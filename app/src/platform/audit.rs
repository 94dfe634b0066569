//! The append-only audit log (F-8): every verification call, staff decision and case change,
//! with who, when, from where and what. Each row carries the SHA-256 of the previous row, so
//! editing or deleting any row breaks the chain and `server audit verify` finds it.

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, AnyPool, Row};

/// One thing that happened, before it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    /// Who: a staff or company identifier, `citizen:<masked id>` or `system`. Never a full ID number.
    pub actor: String,
    /// From where: the client address as the server saw it.
    pub source_ip: String,
    /// What kind of thing happened, e.g. `id_verification.case.approve`.
    pub action: String,
    /// What it happened to, e.g. a case S/N.
    pub subject: String,
    /// Further facts as JSON.
    pub detail: String,
}

/// A written row, as read back for verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: i64,
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// The first row's `prev_hash`.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of a row: covers every column but the hash itself, each field length-prefixed so
/// that no two different rows serialise alike.
pub fn row_hash(seq: i64, at: i64, event: &AuditEvent, prev_hash: &str) -> String {
    let mut hasher = Sha256::new();
    for field in [
        seq.to_string().as_str(),
        at.to_string().as_str(),
        &event.actor,
        &event.source_ip,
        &event.action,
        &event.subject,
        &event.detail,
        prev_hash,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Appends `event` inside the caller's transaction, so the record commits or rolls back with
/// the change it describes. The first statement locks the chain head, which serialises
/// concurrent appends on both SQLite and PostgreSQL.
pub async fn append(conn: &mut AnyConnection, at: i64, event: &AuditEvent) -> sqlx::Result<i64> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;
    let hash = row_hash(seq, at, event, &prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, source_ip, action, subject, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(at)
    .bind(&event.actor)
    .bind(&event.source_ip)
    .bind(&event.action)
    .bind(&event.subject)
    .bind(&event.detail)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

/// Appends `event` in a transaction of its own.
pub async fn record(pool: &AnyPool, at: i64, event: &AuditEvent) -> sqlx::Result<i64> {
    let mut tx = pool.begin().await?;
    let seq = append(&mut tx, at, event).await?;
    tx.commit().await?;
    Ok(seq)
}

/// What `verify` found wrong, first problem only.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("row {seq}: content does not match its hash (edited)")]
    Edited { seq: i64 },
    #[error("row {seq}: previous hash does not match row {prev} (a row before it was removed or changed)")]
    Unlinked { seq: i64, prev: i64 },
    #[error("rows {expected}..{found} are missing")]
    Gap { expected: i64, found: i64 },
    #[error("the chain ends at row {last} but its head says {head} (rows removed from the end)")]
    Truncated { last: i64, head: i64 },
}

/// The outcome of a full check of the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    pub rows: i64,
    pub problem: Option<ChainBreak>,
}

/// Walks the whole chain in order and checks every link, then the head.
pub async fn verify(pool: &AnyPool) -> sqlx::Result<VerifyReport> {
    use futures_util::TryStreamExt;

    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(pool)
            .await?;
    let mut rows = sqlx::query(
        "SELECT seq, at, actor, source_ip, action, subject, detail, prev_hash, hash \
         FROM audit_log ORDER BY seq",
    )
    .fetch(pool);
    let mut expected_seq = 1;
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut count = 0;
    while let Some(row) = rows.try_next().await? {
        let record = AuditRecord {
            seq: row.try_get("seq")?,
            at: row.try_get("at")?,
            event: AuditEvent {
                actor: row.try_get("actor")?,
                source_ip: row.try_get("source_ip")?,
                action: row.try_get("action")?,
                subject: row.try_get("subject")?,
                detail: row.try_get("detail")?,
            },
            prev_hash: row.try_get("prev_hash")?,
            hash: row.try_get("hash")?,
        };
        count += 1;
        let problem = if record.seq != expected_seq {
            Some(ChainBreak::Gap {
                expected: expected_seq,
                found: record.seq,
            })
        } else if record.prev_hash != expected_prev {
            Some(ChainBreak::Unlinked {
                seq: record.seq,
                prev: record.seq - 1,
            })
        } else if row_hash(record.seq, record.at, &record.event, &record.prev_hash) != record.hash {
            Some(ChainBreak::Edited { seq: record.seq })
        } else {
            None
        };
        if problem.is_some() {
            return Ok(VerifyReport {
                rows: count,
                problem,
            });
        }
        expected_seq += 1;
        expected_prev = record.hash;
    }
    let last = expected_seq - 1;
    let problem =
        (last != head_seq || expected_prev != head_hash).then_some(ChainBreak::Truncated {
            last,
            head: head_seq,
        });
    Ok(VerifyReport {
        rows: count,
        problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str) -> AuditEvent {
        AuditEvent {
            actor: "staff:reviewer-1".into(),
            source_ip: "127.0.0.1".into(),
            action: action.into(),
            subject: "case-1".into(),
            detail: "{}".into(),
        }
    }

    #[test]
    fn f8_hash_covers_every_field() {
        let base = row_hash(1, 10, &event("a"), GENESIS_HASH);
        assert_ne!(base, row_hash(2, 10, &event("a"), GENESIS_HASH));
        assert_ne!(base, row_hash(1, 11, &event("a"), GENESIS_HASH));
        assert_ne!(base, row_hash(1, 10, &event("b"), GENESIS_HASH));
        let mut moved = event("a");
        moved.actor = "staff:reviewer-".into();
        moved.source_ip = "1127.0.0.1".into();
        assert_ne!(base, row_hash(1, 10, &moved, GENESIS_HASH));
    }
}
