//! The append-only audit log (F-8): every verification call, staff decision and case change,
//! with who, when, from where and what. Each row carries the hash of the previous row, so
//! editing or deleting any row breaks the chain and `huji audit verify` finds it.
//!
//! The hash is an HMAC-SHA256 under the audit key, a secret kept outside the database (a key
//! file, see the server's configuration): whoever can write the database but not read that
//! file cannot recompute the hashes after a row they changed. Rows written before the key
//! existed carry a plain SHA-256 ([`plain_row_hash`]); they are accepted only as the start of
//! the chain, followed by the one keyed anchor row ([`ANCHOR_ACTION`]) that the server writes
//! when it makes the key ([`anchor`]) and that pins them by its `prev_hash`.
//!
//! The key can be rotated ([`rotate`]): the first row under the new key names both keys'
//! fingerprints ([`ROTATE_ACTION`]), and every row after it is keyed with the new one, so
//! that a retired key, leaked, can forge no handover. The retired keys stay with the current
//! one, in the order the chain used them ([`Db::audit_keys`]), and a check walks the chain
//! from the oldest to the current key, one rotation row at a time.

use super::db::Db;
use super::rate_limit::Limit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

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

/// The action of the keyed row that closes the rows written before the audit key existed.
pub const ANCHOR_ACTION: &str = "audit.anchor";

/// The action of the first row keyed with a new key: its detail names the key it retires
/// and the new one ([`Rotation`]).
pub const ROTATE_ACTION: &str = "audit.key.rotate";

/// The detail of a [`ROTATE_ACTION`] row: fingerprints.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Rotation {
    /// The key the rows before this one are keyed with.
    previous_key: String,
    /// The key this row and the rows after it are keyed with.
    key: String,
}

/// The secret the chain's hashes are keyed with. Held by [`Db`], so that whatever can write
/// the database can append; never stored in it.
#[derive(Clone)]
pub struct AuditKey {
    mac: Hmac<Sha256>,
    fingerprint: String,
}

impl AuditKey {
    pub fn new(secret: &[u8; 32]) -> AuditKey {
        // HMAC pads a key shorter than the hash's block with zeros (RFC 2104): padded here,
        // it is the same key, taken without a length check that cannot fail.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(secret);
        let mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new(&block.into());
        // What tells this key from another without revealing it: the HMAC of a fixed label,
        // which no row's input can equal (a row's input starts with its sequence number).
        let mut label = mac.clone();
        label.update(b"huji audit key fingerprint");
        let fingerprint = hex::encode(label.finalize().into_bytes());
        AuditKey { mac, fingerprint }
    }

    /// The hash of a row: the HMAC of every column but the hash itself.
    pub fn row_hash(&self, seq: i64, at: i64, event: &AuditEvent, prev_hash: &str) -> String {
        let mut mac = self.mac.clone();
        feed_row(&mut mac, seq, at, event, prev_hash);
        hex::encode(mac.finalize().into_bytes())
    }

    /// What the database is bound to ([`bind_key`]) and a rotation row names: tells this key
    /// from another without revealing it.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// What [`append`] answers a process whose key is not the one the database is bound to: the
/// key was rotated since it started (or it was given another key file). It must not append:
/// rows keyed with a retired key after the rotation row would break the chain.
#[derive(Debug, thiserror::Error)]
#[error("the audit key of this process is not the database's (rotated since it started?): restart it with the current key file")]
pub struct NotTheBoundKey;

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

/// The hash of a row written before the audit key existed: a plain SHA-256 of the same input.
pub fn plain_row_hash(seq: i64, at: i64, event: &AuditEvent, prev_hash: &str) -> String {
    let mut hasher = Sha256::new();
    feed_row(&mut hasher, seq, at, event, prev_hash);
    hex::encode(hasher.finalize())
}

/// Every column but the hash, each field length-prefixed so that no two different rows
/// serialise alike.
fn feed_row(
    sink: &mut impl hmac::digest::Update,
    seq: i64,
    at: i64,
    event: &AuditEvent,
    prev_hash: &str,
) {
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
        sink.update(&(field.len() as u64).to_be_bytes());
        sink.update(field.as_bytes());
    }
}

/// Appends `event` inside the caller's transaction, so the record commits or rolls back with
/// the change it describes. The first statement locks the chain head, which serialises
/// concurrent appends on both SQLite and PostgreSQL; it also reads the key the database is
/// bound to, and a `key` that is not that one appends nothing ([`NotTheBoundKey`]).
pub async fn append(
    conn: &mut AnyConnection,
    key: &AuditKey,
    at: i64,
    event: &AuditEvent,
) -> sqlx::Result<i64> {
    let head = sqlx::query(
        "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash, key_fingerprint",
    )
    .fetch_one(&mut *conn)
    .await?;
    let bound: Option<String> = head.try_get("key_fingerprint")?;
    if bound.is_some_and(|bound| bound != key.fingerprint()) {
        return Err(sqlx::Error::Configuration(Box::new(NotTheBoundKey)));
    }
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;
    let hash = key.row_hash(seq, at, event, &prev_hash);
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
pub async fn record(db: &Db, at: i64, event: &AuditEvent) -> sqlx::Result<i64> {
    let mut tx = db.pool.begin().await?;
    let seq = append(&mut tx, &db.audit, at, event).await?;
    tx.commit().await?;
    Ok(seq)
}

/// Refusals one party may cause in a window, each recorded, before it must wait: far more
/// than a person retrying needs, few enough that nobody floods the log (issue 21 item 6).
pub const REFUSALS: Limit = Limit {
    max: 30,
    window_seconds: 600,
};

/// Records `event`, a refusal that whoever is behind `bucket` can cause at will, while the
/// bucket is within [`REFUSALS`]; past it, records nothing and answers 429
/// ([`super::rate_limit::too_many_requests`]).
pub async fn record_refusal(
    db: &Db,
    at: i64,
    bucket: &str,
    event: &AuditEvent,
) -> Result<(), crate::error::PortalError> {
    REFUSALS
        .hit(&db.pool, bucket, at)
        .await?
        .map_err(super::rate_limit::too_many_requests)?;
    record(db, at, event).await?;
    Ok(())
}

/// What `verify` found wrong, first problem only.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("row {seq}: content does not match its hash (edited, or the audit key it was written with is not held: another key file, or a retired key missing from the .retired file)")]
    Edited { seq: i64 },
    #[error("row {seq}: previous hash does not match row {prev} (a row before it was removed or changed)")]
    Unlinked { seq: i64, prev: i64 },
    #[error("rows {expected}..{found} are missing")]
    Gap { expected: i64, found: i64 },
    #[error("the chain ends at row {last} but its head says {head} (rows removed from the end)")]
    Truncated { last: i64, head: i64 },
    #[error("rows 1..={last} carry plain SHA-256 hashes but no keyed anchor row follows them (rewritten without the audit key)")]
    Unanchored { last: i64 },
    #[error("row {seq}, the head the checkpoint outside the database saw, is gone or different (rows removed from the end and the head set back, or an older backup restored)")]
    BehindCheckpoint { seq: i64 },
    #[error("row {seq} hands the chain to an audit key that is not the next one held (a retired key missing from the key ring, or out of order)")]
    UnknownNextKey { seq: i64 },
    #[error("the chain ends under a retired audit key, not the current one (rows from a key rotation on removed, or a current key the chain was never rotated to)")]
    EndsUnderRetiredKey,
    #[error("the checkpoint names an audit key that is not held (a retired key missing from the key ring)")]
    UnknownCheckpointKey,
}

/// The chain's head as the database showed it at some moment, kept outside the database
/// (a file beside the audit key, which the server moves forward as the chain grows): whoever
/// can write the database but not that file can cut rows from the end and set the head back,
/// which the chain alone cannot show, but not below a checkpoint unseen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    /// The row's keyed hash.
    pub hash: String,
    /// The fingerprint of the key the rows after it are keyed with; none in a checkpoint
    /// written before keys were rotated, when there was one key, the oldest.
    pub key: Option<String>,
}

impl Checkpoint {
    /// The checkpoint as its file holds it: `seq hash key` on one line.
    pub fn to_line(&self) -> String {
        match &self.key {
            Some(key) => format!("{} {} {key}\n", self.seq, self.hash),
            None => format!("{} {}\n", self.seq, self.hash),
        }
    }

    /// Reads [`Checkpoint::to_line`]'s text; none for anything else.
    pub fn parse(text: &str) -> Option<Checkpoint> {
        let hex64 = |text: &str| text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit());
        let mut fields = text.split_ascii_whitespace();
        let seq = fields.next()?.parse::<i64>().ok().filter(|seq| *seq >= 0)?;
        let hash = fields.next().filter(|hash| hex64(hash))?.to_owned();
        let key = match fields.next() {
            Some(key) if hex64(key) => Some(key.to_owned()),
            Some(_) => return None,
            None => None,
        };
        fields
            .next()
            .is_none()
            .then_some(Checkpoint { seq, hash, key })
    }
}

/// The chain's head, if the chain follows on from `from` (the whole chain when none) to it:
/// every row after `from`'s is there, linked, keyed with the audit key, and the last is the
/// head; otherwise what breaks it (`BehindCheckpoint` when `from`'s row is gone or changed).
/// Read in one snapshot, so that rows cut, or the head moved, while it reads cannot pass.
pub async fn follow(
    db: &Db,
    from: Option<&Checkpoint>,
) -> sqlx::Result<Result<Checkpoint, ChainBreak>> {
    let mut snapshot = begin_snapshot(db).await?;
    let (report, head) = walk_from(&mut snapshot, &db.audit_keys(), from).await?;
    snapshot.rollback().await?;
    Ok(match report.problem {
        None => Ok(head),
        Some(problem) => Err(problem),
    })
}

/// A read-only transaction that sees one state of the database throughout.
async fn begin_snapshot(db: &Db) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Any>> {
    let mut transaction = db.pool.begin().await?;
    if db.backend == super::db::Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *transaction)
            .await?;
    }
    Ok(transaction)
}

/// The outcome of a full check of the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    pub rows: i64,
    pub problem: Option<ChainBreak>,
}

/// Walks the whole chain in order and checks every link, then the head.
pub async fn verify(db: &Db) -> sqlx::Result<VerifyReport> {
    verify_with(db, None).await
}

/// [`verify`], and that the chain still follows on from `checkpoint`, when there is one.
pub async fn verify_with(db: &Db, checkpoint: Option<&Checkpoint>) -> sqlx::Result<VerifyReport> {
    let keys = db.audit_keys();
    let mut snapshot = begin_snapshot(db).await?;
    let report = walk(&mut snapshot, &keys).await?;
    let report = match checkpoint {
        Some(checkpoint) if report.problem.is_none() => {
            let (from_checkpoint, _) = walk_from(&mut snapshot, &keys, Some(checkpoint)).await?;
            VerifyReport {
                problem: from_checkpoint.problem,
                ..report
            }
        }
        _ => report,
    };
    snapshot.rollback().await?;
    Ok(report)
}

/// Where the walk is: rows written before the key may only open the chain, and must be closed
/// by the anchor row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stretch {
    Start,
    Plain,
    Keyed,
}

/// Walks the whole chain with `keys`, the keys in the order it used them (the current last).
async fn walk(conn: &mut AnyConnection, keys: &[&AuditKey]) -> sqlx::Result<VerifyReport> {
    walk_from(conn, keys, None).await.map(|(report, _)| report)
}

/// [`walk`], from the row `from` names on when given (that row must be there with its hash;
/// the rows before it are not read), and the head it walked to.
async fn walk_from(
    conn: &mut AnyConnection,
    keys: &[&AuditKey],
    from: Option<&Checkpoint>,
) -> sqlx::Result<(VerifyReport, Checkpoint)> {
    use futures_util::TryStreamExt;

    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    let current = keys.len() - 1;
    let head = |key: usize| Checkpoint {
        seq: head_seq,
        hash: head_hash.clone(),
        key: Some(keys[key].fingerprint().to_owned()),
    };
    let broken = |rows, problem| {
        let report = VerifyReport {
            rows,
            problem: Some(problem),
        };
        Ok((report, head(current)))
    };
    // The empty chain's checkpoint pins nothing: walk it all.
    let mut pin = from.filter(|from| from.seq > 0);
    // Which of `keys` the rows are keyed with: the oldest first, or the checkpoint's.
    let mut key = 0;
    if let Some(named) = pin.and_then(|pin| pin.key.as_deref()) {
        match keys.iter().position(|key| key.fingerprint() == named) {
            Some(position) => key = position,
            None => return broken(0, ChainBreak::UnknownCheckpointKey),
        }
    }
    let mut rows = sqlx::query(
        "SELECT seq, at, actor, source_ip, action, subject, detail, prev_hash, hash \
         FROM audit_log WHERE seq >= $1 ORDER BY seq",
    )
    .bind(pin.map_or(1, |pin| pin.seq))
    .fetch(&mut *conn);
    let mut expected_seq = 1;
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut stretch = Stretch::Start;
    let mut count = 0;
    let behind = |seq| ChainBreak::BehindCheckpoint { seq };
    while let Some(row) = rows.try_next().await? {
        if let Some(pinned) = pin.take() {
            let (seq, hash): (i64, String) = (row.try_get("seq")?, row.try_get("hash")?);
            if seq != pinned.seq || hash != pinned.hash {
                return broken(0, behind(pinned.seq));
            }
            // A checkpoint is taken after the anchor: every row from it on is keyed.
            (expected_seq, expected_prev, stretch) = (seq + 1, hash, Stretch::Keyed);
            continue;
        }
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
        let hashed = |hash: String| hash == record.hash;
        let keyed_with = |with: &AuditKey| {
            hashed(with.row_hash(record.seq, record.at, &record.event, &record.prev_hash))
        };
        let plain = || {
            hashed(plain_row_hash(
                record.seq,
                record.at,
                &record.event,
                &record.prev_hash,
            ))
        };
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
        } else if record.event.action == ROTATE_ACTION {
            // Keyed with the next key of the ring, which it names after the key it retires.
            let named = serde_json::from_str::<Rotation>(&record.event.detail).ok();
            let next = keys.get(key + 1).filter(|next| {
                named.as_ref().is_some_and(|named| {
                    named.key == next.fingerprint() && named.previous_key == keys[key].fingerprint()
                })
            });
            match next {
                None => Some(ChainBreak::UnknownNextKey { seq: record.seq }),
                Some(next) if !keyed_with(next) => Some(ChainBreak::Edited { seq: record.seq }),
                Some(_) if stretch == Stretch::Plain => Some(ChainBreak::Unanchored {
                    last: record.seq - 1,
                }),
                Some(_) => {
                    (stretch, key) = (Stretch::Keyed, key + 1);
                    None
                }
            }
        } else if keyed_with(keys[key]) {
            if stretch == Stretch::Plain && record.event.action != ANCHOR_ACTION {
                Some(ChainBreak::Unanchored {
                    last: record.seq - 1,
                })
            } else {
                stretch = Stretch::Keyed;
                None
            }
        } else if stretch != Stretch::Keyed && plain() {
            stretch = Stretch::Plain;
            None
        } else {
            Some(ChainBreak::Edited { seq: record.seq })
        };
        if let Some(problem) = problem {
            return broken(count, problem);
        }
        expected_seq += 1;
        expected_prev = record.hash;
    }
    drop(rows);
    if let Some(pinned) = pin {
        return broken(0, behind(pinned.seq));
    }
    let last = expected_seq - 1;
    let problem = if last != head_seq || expected_prev != head_hash {
        Some(ChainBreak::Truncated {
            last,
            head: head_seq,
        })
    } else if stretch == Stretch::Plain {
        Some(ChainBreak::Unanchored { last })
    } else if key != current {
        Some(ChainBreak::EndsUnderRetiredKey)
    } else {
        None
    };
    let report = VerifyReport {
        rows: count,
        problem,
    };
    Ok((report, head(key)))
}

/// Binds the database to `db`'s audit key if no key is bound yet, and says whether the key is
/// the bound one. Of servers starting together with one key, each finds its own.
pub async fn bind_key(db: &Db) -> sqlx::Result<bool> {
    let fingerprint = db.audit.fingerprint();
    sqlx::query(
        "UPDATE audit_head SET key_fingerprint = $1 WHERE id = 1 AND key_fingerprint IS NULL",
    )
    .bind(fingerprint)
    .execute(&db.pool)
    .await?;
    Ok(bound_key(db).await?.as_deref() == Some(fingerprint))
}

/// The fingerprint of the key the database is bound to; none before the first [`bind_key`].
pub async fn bound_key(db: &Db) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT key_fingerprint FROM audit_head WHERE id = 1")
        .fetch_one(&db.pool)
        .await
}

/// Hands the chain over from `db`'s key to `next`, in one transaction: binds the database to
/// `next` (only if it is bound to `db`'s key, [`NotTheBoundKey`] otherwise) and appends the
/// first row keyed with `next`, which names both keys ([`ROTATE_ACTION`]). From its commit
/// on, a process still holding the old key appends nothing. Answers the rotation row's number.
pub async fn rotate(db: &Db, next: &AuditKey, at: i64) -> sqlx::Result<i64> {
    let mut tx = db.begin_write().await?;
    let rebound = sqlx::query(
        "UPDATE audit_head SET key_fingerprint = $1 WHERE id = 1 AND key_fingerprint = $2",
    )
    .bind(next.fingerprint())
    .bind(db.audit.fingerprint())
    .execute(&mut *tx)
    .await?;
    if rebound.rows_affected() != 1 {
        return Err(sqlx::Error::Configuration(Box::new(NotTheBoundKey)));
    }
    let rotation = Rotation {
        previous_key: db.audit.fingerprint().to_owned(),
        key: next.fingerprint().to_owned(),
    };
    let event = AuditEvent {
        actor: "system".into(),
        source_ip: "local".into(),
        action: ROTATE_ACTION.into(),
        subject: "audit_key".into(),
        detail: serde_json::to_string(&rotation)
            .map_err(|error| sqlx::Error::Encode(error.into()))?,
    };
    let seq = append(&mut tx, next, at, &event).await?;
    tx.commit().await?;
    Ok(seq)
}

/// The key the chain's last rotation retired, if it handed the chain to `to`.
pub async fn rotated_from(db: &Db, to: &str) -> sqlx::Result<Option<String>> {
    let detail: Option<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(ROTATE_ACTION)
    .fetch_optional(&db.pool)
    .await?;
    Ok(detail
        .and_then(|detail| serde_json::from_str::<Rotation>(&detail).ok())
        .filter(|rotation| rotation.key == to)
        .map(|rotation| rotation.previous_key))
}

/// What [`anchor`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Anchoring {
    /// The chain is empty or keyed already.
    NotNeeded,
    /// The chain's rows were all plain and intact; the anchor row now closes them.
    Anchored { plain_rows: i64 },
    /// The chain is broken: nothing was written, and `verify` will say so.
    Broken(ChainBreak),
}

/// Run once, when the audit key has just been made (never on a mere start: whoever can write
/// the database could otherwise rewrite every row with plain hashes and have them anchored).
/// If every row so far carries a plain hash and the chain is intact, appends the keyed anchor
/// row that closes them. The head is locked throughout, so no append slips in between.
pub async fn anchor(db: &Db, at: i64) -> sqlx::Result<Anchoring> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    let report = walk(&mut tx, &db.audit_keys()).await?;
    let outcome = match report.problem {
        None => Anchoring::NotNeeded,
        Some(ChainBreak::Unanchored { last }) if last == report.rows => {
            let event = AuditEvent {
                actor: "system".into(),
                source_ip: "local".into(),
                action: ANCHOR_ACTION.into(),
                subject: "audit_log".into(),
                detail: serde_json::json!({ "plain_rows": last }).to_string(),
            };
            append(&mut tx, &db.audit, at, &event).await?;
            Anchoring::Anchored { plain_rows: last }
        }
        Some(problem) => Anchoring::Broken(problem),
    };
    tx.commit().await?;
    Ok(outcome)
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
        let key = AuditKey::new(&[7; 32]);
        let row_hash = |seq, at, event: &AuditEvent| key.row_hash(seq, at, event, GENESIS_HASH);
        let base = row_hash(1, 10, &event("a"));
        assert_ne!(base, row_hash(2, 10, &event("a")));
        assert_ne!(base, row_hash(1, 11, &event("a")));
        assert_ne!(base, row_hash(1, 10, &event("b")));
        assert_ne!(base, key.row_hash(1, 10, &event("a"), "1"));
        let mut moved = event("a");
        moved.actor = "staff:reviewer-".into();
        moved.source_ip = "1127.0.0.1".into();
        assert_ne!(base, row_hash(1, 10, &moved));
    }

    #[test]
    fn f8_a_checkpoint_reads_back_as_written_and_nothing_else() {
        let checkpoint = Checkpoint {
            seq: 42,
            hash: "ab".repeat(32),
            key: Some("cd".repeat(32)),
        };
        assert_eq!(
            Checkpoint::parse(&checkpoint.to_line()),
            Some(checkpoint.clone())
        );
        // As written before keys were rotated: the key is the oldest one's.
        let before = Checkpoint {
            key: None,
            ..checkpoint.clone()
        };
        assert_eq!(before.to_line(), format!("42 {}\n", checkpoint.hash));
        assert_eq!(Checkpoint::parse(&before.to_line()), Some(before));
        for bad in [
            "",
            "42",
            "-1 abab",
            &format!("x {}", checkpoint.hash),
            &format!("42 {}", "zz".repeat(32)),
            &format!("42 {}", &checkpoint.hash[..62]),
            &format!("42 {} {}", checkpoint.hash, "cd".repeat(31)),
            &format!("{} {}", checkpoint.to_line().trim(), "cd".repeat(32)),
        ] {
            assert_eq!(Checkpoint::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn f8_hash_is_keyed() {
        let row = |key: &AuditKey| key.row_hash(1, 10, &event("a"), GENESIS_HASH);
        let key = AuditKey::new(&[7; 32]);
        assert_eq!(row(&key), row(&AuditKey::new(&[7; 32])));
        assert_ne!(row(&key), row(&AuditKey::new(&[8; 32])));
        assert_ne!(row(&key), plain_row_hash(1, 10, &event("a"), GENESIS_HASH));
        // The zero-padded key of `AuditKey::new` is HMAC's own handling of a 32-byte key.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&[7; 32]).expect("any length");
        feed_row(&mut mac, 1, 10, &event("a"), GENESIS_HASH);
        assert_eq!(row(&key), hex::encode(mac.finalize().into_bytes()));
    }
}
