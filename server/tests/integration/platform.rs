//! Sessions, the audit chain (F-8) and the mail outbox (F-7) against a real database.

use crate::support::{backend, fresh_db, reconnect, TestDb};
use app::platform::{
    audit::{self, AuditEvent, AuditKey, ChainBreak},
    clock::{Clock, FixedClock},
    db::{placeholders, Backend, Db},
    outbox,
    script::{Script, Stopped, Unwritten, Writing},
    session,
};
use server::config::Config;
use sqlx::any::AnyRow;
use sqlx::{Executor, Row};

pub fn event(n: usize) -> AuditEvent {
    AuditEvent {
        actor: "staff:reviewer-1".into(),
        source_ip: "127.0.0.1".into(),
        action: "test.event".into(),
        subject: format!("case-{n}"),
        detail: format!("{{\"n\":{n}}}"),
    }
}

#[tokio::test]
async fn f8_audit_chain_verifies_when_untouched() {
    let t = fresh_db().await;
    for n in 0..5 {
        audit::record(&t.db, 1_700_000_000 + n as i64, &event(n))
            .await
            .expect("append");
    }
    let report = audit::verify(&t.db).await.expect("verify");
    assert_eq!(report.rows, 5);
    assert_eq!(report.problem, None);
}

#[tokio::test]
async fn f8_audit_log_refuses_update_and_delete() {
    let t = fresh_db().await;
    audit::record(&t.db, 1, &event(1)).await.expect("append");
    let update = sqlx::query("UPDATE audit_log SET actor = 'someone-else'")
        .execute(&t.db.pool)
        .await;
    assert!(
        update.is_err(),
        "an update of the audit log must be refused"
    );
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(&t.db.pool)
        .await;
    assert!(
        delete.is_err(),
        "a delete from the audit log must be refused"
    );
}

/// Someone with database access can bypass the triggers; verification must still notice.
async fn disable_append_only(t: &TestDb) {
    let statements: &[&str] = match backend(t) {
        Backend::Sqlite => &[
            "DROP TRIGGER IF EXISTS audit_log_no_update",
            "DROP TRIGGER IF EXISTS audit_log_no_delete",
        ],
        Backend::Postgres => &["ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"],
    };
    for statement in statements {
        t.db.pool.execute(*statement).await.expect("bypass trigger");
    }
}

/// Appends `rows` rows to `t`'s audit chain, the nth at time 10 + n.
async fn append_rows(t: &TestDb, rows: usize) {
    for n in 0..rows {
        audit::record(&t.db, 10 + n as i64, &event(n))
            .await
            .expect("append");
    }
}

#[tokio::test]
async fn f8_audit_verify_detects_an_edited_row() {
    let t = fresh_db().await;
    append_rows(&t, 4).await;
    disable_append_only(&t).await;
    sqlx::query("UPDATE audit_log SET detail = '{\"n\":99}' WHERE seq = 2")
        .execute(&t.db.pool)
        .await
        .expect("tamper");
    let report = audit::verify(&t.db).await.expect("verify");
    assert_eq!(report.problem, Some(ChainBreak::Edited { seq: 2 }));
}

#[tokio::test]
async fn f8_audit_verify_detects_a_deleted_row_and_a_cut_tail() {
    let t = fresh_db().await;
    append_rows(&t, 4).await;
    disable_append_only(&t).await;
    sqlx::query("DELETE FROM audit_log WHERE seq = 4")
        .execute(&t.db.pool)
        .await
        .expect("cut tail");
    let report = audit::verify(&t.db).await.expect("verify");
    assert_eq!(
        report.problem,
        Some(ChainBreak::Truncated { last: 3, head: 4 })
    );

    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(&t.db.pool)
        .await
        .expect("delete");
    let report = audit::verify(&t.db).await.expect("verify");
    assert_eq!(
        report.problem,
        Some(ChainBreak::Gap {
            expected: 2,
            found: 3
        })
    );
}

/// The head of `t`'s chain, which must be whole.
async fn chain_head(t: &TestDb) -> audit::Checkpoint {
    audit::follow(&t.db, None)
        .await
        .expect("read")
        .expect("a whole chain")
}

/// A database writer's statements, past the append-only triggers.
pub async fn as_database_writer(t: &TestDb, statements: &[&str]) {
    disable_append_only(t).await;
    for statement in statements {
        t.db.pool.execute(*statement).await.expect("written");
    }
}

#[tokio::test]
async fn security_21_13_a_tail_cut_with_its_head_set_back_is_caught_by_the_checkpoint() {
    use server::database::{advance_checkpoint, read_checkpoint, CheckpointMove};
    let t = fresh_db().await;
    append_rows(&t, 4).await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("secrets").join("audit.head");
    let checkpoint = chain_head(&t).await;
    assert_eq!(checkpoint.seq, 4);
    let moved = advance_checkpoint(&t.db, &path).await.expect("checkpoint");
    assert_eq!(moved, CheckpointMove::Advanced(checkpoint.clone()));
    assert_eq!(
        advance_checkpoint(&t.db, &path).await.expect("again"),
        CheckpointMove::Unchanged
    );

    // A database writer cuts the last row and sets the head back: the chain alone is whole.
    as_database_writer(
        &t,
        &[
            "DELETE FROM audit_log WHERE seq = 4",
            "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3) \
             WHERE id = 1",
        ],
    )
    .await;
    assert_eq!(audit::verify(&t.db).await.expect("verify").problem, None);
    let behind = ChainBreak::BehindCheckpoint { seq: 4 };
    let report = audit::verify_with(&t.db, Some(&checkpoint))
        .await
        .expect("verify");
    assert_eq!(report.problem, Some(behind.clone()));

    // New rows take the cut one's number: the checkpoint stays where it was, and says so.
    audit::record(&t.db, 20, &event(9)).await.expect("append");
    assert_eq!(
        advance_checkpoint(&t.db, &path).await.expect("kept"),
        CheckpointMove::Stopped(behind.clone())
    );
    let kept = read_checkpoint(&path).expect("read");
    assert_eq!(kept.as_ref(), Some(&checkpoint));
    let report = audit::verify_with(&t.db, kept.as_ref())
        .await
        .expect("verify");
    assert_eq!(report.problem, Some(behind));
}

#[tokio::test]
async fn security_21_13_the_checkpoint_moves_only_along_the_keyed_chain() {
    use server::database::{advance_checkpoint, read_checkpoint, CheckpointMove};
    let t = fresh_db().await;
    append_rows(&t, 6).await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("audit.head");
    advance_checkpoint(&t.db, &path).await.expect("checkpoint");
    let checkpoint = read_checkpoint(&path).expect("read").expect("made");
    assert_eq!(checkpoint.seq, 6);

    // The checkpoint's row is left in place, the rows before it cut and the head set back:
    // the server appends after the cut, and the checkpoint's row is still "there".
    as_database_writer(
        &t,
        &[
            "DELETE FROM audit_log WHERE seq BETWEEN 3 AND 5",
            "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2) \
             WHERE id = 1",
        ],
    )
    .await;
    audit::record(&t.db, 30, &event(30)).await.expect("append");
    let moved = advance_checkpoint(&t.db, &path).await.expect("refused");
    assert!(
        matches!(moved, CheckpointMove::Stopped(ChainBreak::Truncated { .. })),
        "{moved:?}"
    );
    assert_eq!(
        read_checkpoint(&path).expect("read"),
        Some(checkpoint.clone())
    );

    // A head made up far ahead is not taken either.
    let t = fresh_db().await;
    audit::record(&t.db, 10, &event(1)).await.expect("append");
    std::fs::remove_file(&path).expect("a fresh start");
    advance_checkpoint(&t.db, &path).await.expect("checkpoint");
    let made_up = format!(
        "UPDATE audit_head SET seq = 1000000, hash = '{}' WHERE id = 1",
        "ab".repeat(32)
    );
    as_database_writer(&t, &[&made_up]).await;
    let moved = advance_checkpoint(&t.db, &path).await.expect("refused");
    assert!(
        matches!(moved, CheckpointMove::Stopped(ChainBreak::Truncated { .. })),
        "{moved:?}"
    );
    assert_eq!(
        read_checkpoint(&path).expect("read").map(|kept| kept.seq),
        Some(1)
    );
}

#[tokio::test]
async fn f8_concurrent_appends_form_one_unbroken_chain() {
    let t = fresh_db().await;
    let tasks: Vec<_> = (0..24)
        .map(|n| {
            let db = t.db.clone();
            tokio::spawn(async move { audit::record(&db, 100 + n as i64, &event(n)).await })
        })
        .collect();
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(task.await.expect("task").expect("append"));
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=24).collect::<Vec<i64>>());
    let report = audit::verify(&t.db).await.expect("verify");
    assert_eq!((report.rows, report.problem), (24, None));
}

/// seq, at, actor, source_ip, action, subject, detail, prev_hash.
type ChainRow = (i64, i64, String, String, String, String, String, String);

/// A database writer without the audit key: from row `from` on, recomputes every hash with
/// `hash` and relinks the rows and the head, after changing row `from` if `edit` — all the
/// plain SHA-256 chain needed to rewrite history unseen.
async fn rewrite_chain(
    t: &TestDb,
    from: i64,
    edit: bool,
    hash: impl Fn(i64, i64, &AuditEvent, &str) -> String,
) {
    disable_append_only(t).await;
    let rows: Vec<ChainRow> = sqlx::query_as(
        "SELECT seq, at, actor, source_ip, action, subject, detail, prev_hash \
         FROM audit_log WHERE seq >= $1 ORDER BY seq",
    )
    .bind(from)
    .fetch_all(&t.db.pool)
    .await
    .expect("rows");
    let mut prev: Option<String> = None;
    for (seq, at, actor, source_ip, action, subject, detail, prev_hash) in rows {
        let event = AuditEvent {
            actor,
            source_ip,
            action,
            subject,
            detail: if edit && seq == from {
                "{\"n\":99}".into()
            } else {
                detail
            },
        };
        let prev_hash = prev.unwrap_or(prev_hash);
        let new_hash = hash(seq, at, &event, &prev_hash);
        sqlx::query("UPDATE audit_log SET detail = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(&event.detail)
            .bind(&prev_hash)
            .bind(&new_hash)
            .bind(seq)
            .execute(&t.db.pool)
            .await
            .expect("rewrite row");
        prev = Some(new_hash);
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(prev.expect("rows rewritten"))
        .execute(&t.db.pool)
        .await
        .expect("rewrite head");
}

async fn chain_of(t: &TestDb, rows: usize) {
    for n in 0..rows {
        audit::record(&t.db, 10 + n as i64, &event(n))
            .await
            .expect("append");
    }
}

#[tokio::test]
async fn security_21_13_an_edit_rehashed_with_plain_sha256_is_caught() {
    let t = fresh_db().await;
    chain_of(&t, 4).await;
    rewrite_chain(&t, 2, true, audit::plain_row_hash).await;
    let report = audit::verify(&t.db).await.expect("verify");
    assert_eq!(report.problem, Some(ChainBreak::Edited { seq: 2 }));
}

#[tokio::test]
async fn security_21_13_an_edit_rehashed_with_another_key_is_caught() {
    let t = fresh_db().await;
    chain_of(&t, 4).await;
    let other = AuditKey::new(&[1; 32]);
    rewrite_chain(&t, 2, true, |seq, at, event, prev| {
        other.row_hash(seq, at, event, prev)
    })
    .await;
    let report = audit::verify(&t.db).await.expect("verify");
    assert_eq!(report.problem, Some(ChainBreak::Edited { seq: 2 }));
    // And the rightful key read wrong (a server given another key file) vouches for nothing.
    let wrong = Db::connect(&t.url, 4, AuditKey::new(&[1; 32]))
        .await
        .expect("reconnect");
    let report = audit::verify(&wrong).await.expect("verify");
    assert_eq!(report.problem, Some(ChainBreak::Edited { seq: 1 }));
}

#[tokio::test]
async fn security_21_13_a_chain_rewritten_whole_as_plain_sha256_is_caught() {
    let t = fresh_db().await;
    chain_of(&t, 4).await;
    rewrite_chain(&t, 1, true, audit::plain_row_hash).await;
    let report = audit::verify(&t.db).await.expect("verify");
    assert_eq!(report.problem, Some(ChainBreak::Unanchored { last: 4 }));
    // Rows appended afterwards with the key do not vouch for the rewritten ones.
    audit::record(&t.db, 20, &event(5)).await.expect("append");
    let report = audit::verify(&t.db).await.expect("verify");
    assert_eq!(report.problem, Some(ChainBreak::Unanchored { last: 4 }));
}

/// A database from before the audit key: its rows carry plain SHA-256 hashes.
fn config_with_key_file(t: &TestDb, dir: &std::path::Path) -> Config {
    Config {
        database_url: t.url.clone(),
        db_max_connections: 4,
        audit_key_file: dir.join("secrets/audit.key"),
        ..Config::default()
    }
}

#[tokio::test]
async fn security_21_13_the_key_file_is_made_0600_once_and_anchors_older_rows_once() {
    use std::os::unix::fs::PermissionsExt;

    let t = fresh_db().await;
    chain_of(&t, 3).await;
    rewrite_chain(&t, 1, false, audit::plain_row_hash).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_with_key_file(&t, dir.path());

    let first = server::database::open(&config, 100).await.expect("open");
    let key_file = std::fs::read(&config.audit_key_file).expect("key file");
    let mode = std::fs::metadata(&config.audit_key_file)
        .expect("key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let report = audit::verify(&first).await.expect("verify");
    assert_eq!((report.rows, report.problem), (4, None));
    let (action,): (String,) = sqlx::query_as("SELECT action FROM audit_log WHERE seq = 4")
        .fetch_one(&first.pool)
        .await
        .expect("anchor row");
    assert_eq!(action, audit::ANCHOR_ACTION);

    // A second server (or a restart) reads the same key and anchors nothing more.
    let second = server::database::open(&config, 200).await.expect("open");
    assert_eq!(
        std::fs::read(&config.audit_key_file).expect("key file"),
        key_file
    );
    audit::record(&second, 201, &event(9))
        .await
        .expect("append");
    let report = audit::verify(&first).await.expect("verify");
    assert_eq!((report.rows, report.problem), (5, None));

    // The anchored rows are pinned: rewriting one with plain hashes is caught.
    rewrite_chain(&t, 2, true, audit::plain_row_hash).await;
    let report = audit::verify(&second).await.expect("verify");
    assert_eq!(report.problem, Some(ChainBreak::Unanchored { last: 5 }));
}

#[tokio::test]
async fn security_21_13_rows_rewritten_as_plain_are_not_anchored_by_a_restart() {
    let t = fresh_db().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_with_key_file(&t, dir.path());
    let db = server::database::open(&config, 100).await.expect("open");
    for n in 0..3 {
        audit::record(&db, 101 + n as i64, &event(n))
            .await
            .expect("append");
    }
    rewrite_chain(&t, 1, true, audit::plain_row_hash).await;
    let restarted = server::database::open(&config, 200).await.expect("open");
    let report = audit::verify(&restarted).await.expect("verify");
    assert_eq!(report.problem, Some(ChainBreak::Unanchored { last: 3 }));
}

#[tokio::test]
async fn security_21_13_a_command_with_another_key_file_is_refused_and_makes_no_key() {
    let t = fresh_db().await;
    let servers = tempfile::tempdir().expect("tempdir");
    let config = config_with_key_file(&t, servers.path());
    let db = server::database::open(&config, 100).await.expect("open");
    audit::record(&db, 101, &event(1)).await.expect("append");

    // Run from another directory: the key it would make is refused and removed again.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let stray = config_with_key_file(&t, elsewhere.path());
    let error = server::database::open(&stray, 200)
        .await
        .expect_err("another key is refused");
    assert!(error.to_string().contains("another audit key"), "{error}");
    assert!(!stray.audit_key_file.exists());

    // A key file of its own that is not the servers' is refused and left alone.
    app::platform::private_file::create_new(&stray.audit_key_file)
        .and_then(|mut file| std::io::Write::write_all(&mut file, "ab".repeat(32).as_bytes()))
        .expect("key");
    server::database::open(&stray, 300)
        .await
        .expect_err("another key is refused");
    assert!(stray.audit_key_file.exists());

    // The servers' key still opens it, and the chain verifies.
    let again = server::database::open(&config, 400).await.expect("open");
    let report = audit::verify(&again).await.expect("verify");
    assert_eq!((report.rows, report.problem), (1, None));
}

#[tokio::test]
async fn sessions_are_shared_by_servers_on_one_database_and_survive_restart() {
    let t = fresh_db().await;
    let now = 1_700_000_000;
    let mut created = session::create(&t.db.pool, now).await.expect("create");
    created.insert("lang", &"en").expect("insert");
    session::save(&t.db.pool, &created).await.expect("save");

    let other_server = reconnect(&t).await;
    let loaded = session::load(&other_server.pool, now + 60, created.token())
        .await
        .expect("load")
        .expect("session is found by the other server");
    assert_eq!(loaded.get::<String>("lang").as_deref(), Some("en"));
}

#[tokio::test]
async fn sessions_expire_when_idle_and_after_their_absolute_lifetime() {
    let t = fresh_db().await;
    let start = 1_700_000_000;
    let idle = session::create(&t.db.pool, start).await.expect("create");
    assert!(
        session::load(&t.db.pool, start + session::IDLE_SECONDS + 1, idle.token())
            .await
            .expect("load")
            .is_none()
    );

    let busy = session::create(&t.db.pool, start).await.expect("create");
    let mut now = start;
    while now + 600 < start + session::ABSOLUTE_SECONDS {
        now += 600;
        assert!(session::load(&t.db.pool, now, busy.token())
            .await
            .expect("load")
            .is_some());
    }
    assert!(
        session::load(&t.db.pool, start + session::ABSOLUTE_SECONDS, busy.token())
            .await
            .expect("load")
            .is_none()
    );
    assert!(session::load(&t.db.pool, start, "not-a-token")
        .await
        .expect("load")
        .is_none());
}

fn smtp_sink() -> (String, std::path::PathBuf) {
    let url = std::env::var("HUJI_TEST_SMTP_URL").expect(
        "HUJI_TEST_SMTP_URL: run the tests with scripts/test.sh, which starts the SMTP sink",
    );
    let dir = std::env::var("HUJI_TEST_MAILDIR")
        .expect("HUJI_TEST_MAILDIR is set with HUJI_TEST_SMTP_URL");
    (url, dir.into())
}

async fn delivered_containing(dir: &std::path::Path, needle: &str) -> Option<String> {
    for _ in 0..50 {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                if entry.path().extension().is_some_and(|e| e == "eml") {
                    if let Ok(text) = std::fs::read_to_string(entry.path()) {
                        if text.contains(needle) {
                            return Some(text);
                        }
                    }
                }
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test]
async fn f7_outbox_mail_is_delivered_through_smtp_after_a_restart() {
    let (url, dir) = smtp_sink();
    let t = fresh_db().await;
    let clock = FixedClock::at(chrono::Utc::now());
    let marker = uuid::Uuid::new_v4().to_string();
    let mut conn = t.db.pool.acquire().await.expect("conn");
    outbox::enqueue(
        &mut conn,
        clock.unix(),
        "applicant@example.com",
        &format!("案件已受理 {marker}"),
        "您的申請已受理。",
    )
    .await
    .expect("enqueue");
    drop(conn);

    // The server "restarts": a new pool, a new sender; the queued mail is still there.
    let restarted = reconnect(&t).await;
    let sender = server::mail::Sender::new(&url, "Huji <no-reply@huji.localhost>").expect("sender");
    let sent = sender
        .send_due(&restarted.pool, &clock)
        .await
        .expect("send");
    assert_eq!(sent, 1);
    let text = delivered_containing(&dir, &marker)
        .await
        .expect("the sink received the message");
    assert!(text.contains("applicant@example.com"));
    assert_eq!(
        sender
            .send_due(&restarted.pool, &clock)
            .await
            .expect("send"),
        0,
        "sent only once"
    );
}

#[tokio::test]
async fn f7_failed_delivery_is_retried_later_not_lost() {
    let t = fresh_db().await;
    let clock = FixedClock::at(chrono::Utc::now());
    let mut conn = t.db.pool.acquire().await.expect("conn");
    outbox::enqueue(&mut conn, clock.unix(), "a@example.com", "s", "b")
        .await
        .expect("enqueue");
    drop(conn);
    // Nothing listens on port 9 (discard) here: delivery fails.
    let broken = server::mail::Sender::new("smtp://127.0.0.1:9", "Huji <no-reply@huji.localhost>")
        .expect("sender");
    assert_eq!(broken.send_due(&t.db.pool, &clock).await.expect("send"), 0);
    let (attempts, next, error): (i64, i64, Option<String>) =
        sqlx::query_as("SELECT attempts, next_attempt_at, last_error FROM outbox")
            .fetch_one(&t.db.pool)
            .await
            .expect("row");
    assert_eq!(attempts, 1);
    assert_eq!(next, clock.unix() + outbox::retry_delay(1));
    assert!(error.is_some());
    // Not due yet: nothing is claimed; once due, it is claimed again.
    assert!(outbox::claim_due(&t.db.pool, clock.unix(), 10)
        .await
        .expect("claim")
        .is_empty());
    let later = outbox::claim_due(&t.db.pool, next, 10)
        .await
        .expect("claim");
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].attempts, 2);
}

#[tokio::test]
async fn f7_two_senders_never_claim_the_same_message() {
    let t = fresh_db().await;
    let now = 1_700_000_000;
    let mut conn = t.db.pool.acquire().await.expect("conn");
    for n in 0..10 {
        outbox::enqueue(&mut conn, now, &format!("u{n}@example.com"), "s", "b")
            .await
            .expect("enqueue");
    }
    drop(conn);
    let second = reconnect(&t).await;
    let (a, b) = tokio::join!(
        outbox::claim_due(&t.db.pool, now, 10),
        outbox::claim_due(&second.pool, now, 10)
    );
    let mut ids: Vec<i64> = a
        .expect("claim")
        .into_iter()
        .chain(b.expect("claim"))
        .map(|m| m.id)
        .collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "a message was claimed twice");
    assert_eq!(total, 10);
}

#[tokio::test]
async fn f5_a_sign_in_challenge_is_accepted_once_and_only_within_two_minutes() {
    use app::platform::challenge::{self, ChallengeError, LIFETIME_SECONDS};
    let t = fresh_db().await;
    let now = 1_700_000_000;
    let fresh = challenge::issue(&t.db.pool, now, challenge::SIGN_IN)
        .await
        .expect("issue");
    assert_eq!(fresh.value.len(), 43);
    assert_eq!(
        challenge::consume(&t.db.pool, now + 5, &fresh.value, challenge::SIGN_IN)
            .await
            .expect("db"),
        Ok(())
    );
    assert_eq!(
        challenge::consume(&t.db.pool, now + 6, &fresh.value, challenge::SIGN_IN)
            .await
            .expect("db"),
        Err(ChallengeError::Unusable),
        "a replayed challenge is refused"
    );
    let late = challenge::issue(&t.db.pool, now, challenge::SIGN_IN)
        .await
        .expect("issue");
    assert_eq!(
        challenge::consume(
            &t.db.pool,
            now + LIFETIME_SECONDS,
            &late.value,
            challenge::SIGN_IN
        )
        .await
        .expect("db"),
        Err(ChallengeError::Unusable),
        "an expired challenge is refused"
    );
    assert_eq!(
        challenge::consume(&t.db.pool, now, "forged", challenge::SIGN_IN)
            .await
            .expect("db"),
        Err(ChallengeError::Unusable)
    );
    assert_eq!(
        challenge::purge_expired(&t.db.pool, now + LIFETIME_SECONDS)
            .await
            .expect("purge"),
        2
    );
}

#[tokio::test]
async fn f5_racing_uses_of_one_challenge_let_exactly_one_through() {
    use app::platform::challenge;
    let t = fresh_db().await;
    let now = 1_700_000_000;
    let issued = challenge::issue(&t.db.pool, now, challenge::SIGN_IN)
        .await
        .expect("issue");
    let attempts: Vec<_> = (0..16)
        .map(|_| {
            let pool = t.db.pool.clone();
            let value = issued.value.clone();
            tokio::spawn(async move {
                challenge::consume(&pool, now + 1, &value, challenge::SIGN_IN).await
            })
        })
        .collect();
    let mut accepted = 0;
    for attempt in attempts {
        if attempt.await.expect("task").expect("db").is_ok() {
            accepted += 1;
        }
    }
    assert_eq!(accepted, 1);
}

/// The verification API's connection never checkpoints in a commit (a call would wait behind
/// the copy), the portal's still do; under writes that never pause, `Db::checkpoint` still lets
/// the log start again from its beginning, so it stays short.
#[tokio::test]
async fn sqlite_the_log_stays_short_under_writes_that_never_pause() {
    let t = fresh_db().await;
    let writer = t.db.dedicated();
    if backend(&t) == Backend::Postgres {
        assert_eq!(t.db.checkpoint(&writer, 1).await.expect("nothing to do"), 0);
        return;
    }
    for (pool, expected) in [(&t.db.pool, 1000), (&writer.pool, 0)] {
        let every: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(pool)
            .await
            .expect("pragma");
        assert_eq!(every, expected);
    }
    writer
        .pool
        .execute("CREATE TABLE probe (n INTEGER, padding TEXT)")
        .await
        .expect("table");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writing = tokio::spawn({
        let (pool, stop) = (writer.pool.clone(), stop.clone());
        async move {
            let mut commits = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                pool.execute(
                    "WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50) \
                     INSERT INTO probe SELECT n, printf('%.1000c', 'x') FROM s",
                )
                .await
                .expect("rows");
                commits += 1;
            }
            commits
        }
    });
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        t.db.checkpoint(&writer, 500).await.expect("checkpoint");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let commits = writing.await.expect("writer");
    let wal = format!("{}-wal", t.url.trim_start_matches("sqlite://"));
    let log = std::fs::metadata(&wal).expect("log").len();
    let written = commits * 50 * 1000;
    assert!(written > 20_000_000, "{commits} commits");
    assert!(
        log < written / 4,
        "the log ({log} bytes) grew with the {written} bytes written"
    );
}

/// A token's row for the script tests: (business_id, jti, expires_at).
fn spend_token(script: &mut Script<'_>, jti: &'static str) -> usize {
    let place = script.push(&format!(
        "INSERT INTO api_token_ids (business_id, jti, expires_at) VALUES {} RETURNING jti",
        placeholders(script.backend(), 1, &["TEXT", "TEXT", "BIGINT"])
    ));
    script.bind("24941832").bind(jti).bind(1_i64);
    place
}

async fn spent_tokens(db: &Db) -> Vec<String> {
    sqlx::query_scalar("SELECT jti FROM api_token_ids ORDER BY jti")
        .fetch_all(&db.pool)
        .await
        .expect("tokens")
}

#[tokio::test]
async fn f8_a_script_binds_its_parameters_in_order_and_answers_each_statements_rows() {
    let t = fresh_db().await;
    let mut script = Writing::script(t.db.backend);
    let first = spend_token(&mut script, "a");
    let second = spend_token(&mut script, "b");
    let read = script.push(&format!(
        "WITH q (n, word) AS (VALUES {}) SELECT n, word FROM q ORDER BY n",
        placeholders(t.db.backend, 2, &["BIGINT", "TEXT"])
    ));
    script.bind(2_i64).bind("two").bind(1_i64).bind("one");
    let (writing, mut answers) = Writing::begin(&t.db, script).await.expect("begun");
    let jti = |rows: Vec<AnyRow>| -> Vec<String> {
        rows.iter().map(|row| row.get::<String, _>("jti")).collect()
    };
    assert_eq!(jti(answers.rows(first)), ["a"]);
    assert_eq!(jti(answers.rows(second)), ["b"]);
    let rows = answers.rows(read);
    let read: Vec<(i64, String)> = rows
        .iter()
        .map(|row| (row.get("n"), row.get("word")))
        .collect();
    assert_eq!(read, [(1, "one".to_owned()), (2, "two".to_owned())]);
    // Nothing is visible to another connection before the commit.
    assert!(spent_tokens(&t.db).await.is_empty());
    let mut last = Script::new(t.db.backend);
    let third = spend_token(&mut last, "c");
    let mut answers = writing.commit(last).await.expect("committed");
    assert_eq!(jti(answers.rows(third)), ["c"]);
    assert_eq!(spent_tokens(&t.db).await, ["a", "b", "c"]);
}

#[tokio::test]
async fn f8_a_writing_that_fails_or_is_dropped_part_way_writes_nothing_and_its_pool_goes_on() {
    let t = fresh_db().await;
    // On SQLite, one connection: each case below must leave it usable, outside a transaction.
    let db = t.db.dedicated();
    // A statement refused after others ran: everything before it is rolled back, and none
    // after it runs.
    let mut script = Writing::script(db.backend);
    spend_token(&mut script, "a");
    spend_token(&mut script, "a");
    spend_token(&mut script, "z");
    match Writing::begin(&db, script).await {
        Err(Unwritten::RolledBack(sqlx::Error::Database(_))) => {}
        Err(other) => panic!("not refused by the database: {other:?}"),
        Ok(_) => panic!("a token was spent twice"),
    }
    // Refused in the committing script: nothing of the first script stays either.
    let mut script = Writing::script(db.backend);
    spend_token(&mut script, "b");
    let (writing, _) = Writing::begin(&db, script).await.expect("begun");
    let mut last = Script::new(db.backend);
    spend_token(&mut last, "b");
    assert!(matches!(
        writing.commit(last).await,
        Err(Unwritten::RolledBack(sqlx::Error::Database(_)))
    ));
    // Dropped open, as a cancelled or panicking task drops it.
    let mut script = Writing::script(db.backend);
    spend_token(&mut script, "c");
    drop(Writing::begin(&db, script).await.expect("begun"));
    assert!(spent_tokens(&t.db).await.is_empty());
    // The pool's connections are usable, none left inside a transaction.
    for jti in ["d", "e"] {
        let mut script = Writing::script(db.backend);
        spend_token(&mut script, jti);
        let (writing, _) = Writing::begin(&db, script).await.expect("begun");
        writing
            .commit(Script::new(db.backend))
            .await
            .expect("committed");
    }
    assert_eq!(spent_tokens(&t.db).await, ["d", "e"]);
}

#[tokio::test]
async fn f8_a_script_stops_at_the_first_statement_that_fails() {
    let t = fresh_db().await;
    // Outside a transaction each statement stands on its own: what ran before the failure
    // stays, and nothing after it runs.
    let mut script = Script::new(t.db.backend);
    spend_token(&mut script, "a");
    spend_token(&mut script, "a");
    spend_token(&mut script, "z");
    let mut connection = t.db.pool.acquire().await.expect("connection");
    match script.run(&mut connection).await {
        Err(Stopped {
            ran,
            error: sqlx::Error::Database(_),
        }) => assert_eq!(ran, 1),
        Err(other) => panic!("not refused by the database: {other:?}"),
        Ok(_) => panic!("a token was spent twice"),
    }
    assert_eq!(spent_tokens(&t.db).await, ["a"]);
}

#[tokio::test]
async fn f8_a_commit_that_fails_is_told_from_a_rollback() {
    let t = fresh_db().await;
    for table in [
        "CREATE TABLE parents (id BIGINT PRIMARY KEY)",
        "CREATE TABLE children (parent BIGINT REFERENCES parents (id) \
         DEFERRABLE INITIALLY DEFERRED)",
    ] {
        sqlx::query(table).execute(&t.db.pool).await.expect("table");
    }
    // The orphan is refused only when the transaction commits: it may have been written, as
    // far as the caller can tell, and must not be written again.
    let mut script = Writing::script(t.db.backend);
    script.push(&format!(
        "INSERT INTO children (parent) VALUES {}",
        placeholders(t.db.backend, 1, &["BIGINT"])
    ));
    script.bind(7_i64);
    assert!(matches!(
        Writing::once(&t.db, script).await,
        Err(Unwritten::Commit(_))
    ));
    let children: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM children")
        .fetch_one(&t.db.pool)
        .await
        .expect("count");
    assert_eq!(children, 0);
}
