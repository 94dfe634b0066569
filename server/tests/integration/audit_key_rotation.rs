//! `huji audit rotate-key` (F-8, issue 22's key rotation): the chain handed from one audit key
//! to the next, the old key kept in the ring beside the key file, a rotation cut short by a
//! crash finished or forgotten at the next start, and what a database writer can and cannot
//! do with the rows around a rotation.

use crate::platform::{as_database_writer, event};
use crate::support::{fresh_db, TestDb};
use app::platform::audit::{self, AuditEvent, AuditKey, ChainBreak, NotTheBoundKey};
use app::platform::db::Db;
use server::config::Config;
use server::database::{open, read_checkpoint, retired_keys_file, rotate_key};
use std::path::{Path, PathBuf};

/// A configuration whose audit key and checkpoint are in `dir`.
fn config_in(t: &TestDb, dir: &Path) -> Config {
    Config {
        database_url: t.url.clone(),
        db_max_connections: 4,
        audit_key_file: dir.join("secrets/audit.key"),
        audit_checkpoint_file: dir.join("secrets/audit.head"),
        ..Config::default()
    }
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn next_file(config: &Config) -> PathBuf {
    PathBuf::from(format!("{}.next", config.audit_key_file.display()))
}

async fn append(db: &Db, rows: std::ops::Range<usize>) {
    for n in rows {
        audit::record(db, 100 + n as i64, &event(n))
            .await
            .expect("append");
    }
}

/// A database opened as a server opens it, with its key files in a directory of their own,
/// and `rows` rows in its chain.
async fn opened_with(rows: usize) -> (TestDb, tempfile::TempDir, Config, Db) {
    let t = fresh_db().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_in(&t, dir.path());
    let db = open(&config, 100).await.expect("open");
    append(&db, 0..rows).await;
    (t, dir, config, db)
}

/// The chain verified whole and reaching `config`'s checkpoint: its rows.
async fn verified(db: &Db, config: &Config) -> i64 {
    let checkpoint = read_checkpoint(&config.audit_checkpoint_file).expect("checkpoint");
    let report = audit::verify_with(db, checkpoint.as_ref())
        .await
        .expect("verify");
    assert_eq!(report.problem, None, "{report:?}");
    report.rows
}

#[tokio::test]
async fn f8_a_rotated_key_carries_the_chain_on_and_retires_the_old_one() {
    use std::os::unix::fs::PermissionsExt;

    let (_t, _dir, config, db) = opened_with(3).await;
    let first_key = text(&config.audit_key_file);

    let rotated = rotate_key(&config, db.clone(), 200).await.expect("rotate");
    assert_eq!(rotated.seq, 4, "the rotation row follows the three");
    let second_key = text(&config.audit_key_file);
    assert_ne!(second_key, first_key);
    let retired = retired_keys_file(&config.audit_key_file);
    assert_eq!(text(&retired), format!("{first_key}\n"));
    assert!(!next_file(&config).exists());
    for file in [&config.audit_key_file, &retired] {
        let mode = std::fs::metadata(file).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", file.display());
    }
    // The checkpoint moved past the rotation, naming the new key.
    let checkpoint = read_checkpoint(&config.audit_checkpoint_file)
        .expect("read")
        .expect("made");
    assert_eq!(checkpoint.seq, 4);
    assert_eq!(
        checkpoint.key.as_deref(),
        Some(rotated.fingerprint.as_str())
    );

    // A server started now appends with the new key; the chain verifies across the rotation.
    let restarted = open(&config, 300).await.expect("open");
    assert_eq!(restarted.audit.fingerprint(), rotated.fingerprint);
    append(&restarted, 3..5).await;
    assert_eq!(verified(&restarted, &config).await, 6);

    // A server still running with the old key appends nothing, and the chain stays whole.
    let stale = audit::record(&db, 400, &event(9))
        .await
        .expect_err("the retired key appends nothing");
    assert!(
        matches!(&stale, sqlx::Error::Configuration(error) if error.is::<NotTheBoundKey>()),
        "{stale:?}"
    );
    assert_eq!(verified(&restarted, &config).await, 6);

    // A checkpoint naming a key the ring does not hold vouches for nothing.
    let elsewhere = audit::Checkpoint {
        key: Some("00".repeat(32)),
        ..checkpoint.clone()
    };
    let followed = audit::follow(&restarted, Some(&elsewhere))
        .await
        .expect("read");
    assert_eq!(followed, Err(ChainBreak::UnknownCheckpointKey));

    // Without its retired key, the rows before the rotation cannot be checked.
    let mut forgetful = restarted.clone();
    forgetful.retired_audit = Vec::new().into();
    let report = audit::verify(&forgetful).await.expect("verify");
    assert_eq!(report.problem, Some(ChainBreak::Edited { seq: 1 }));

    // A second rotation: the ring holds both retired keys, oldest first.
    let again = rotate_key(&config, restarted, 500).await.expect("rotate");
    assert_eq!(again.seq, 7);
    assert_eq!(text(&retired), format!("{first_key}\n{second_key}\n"));
    let third = open(&config, 600).await.expect("open");
    append(&third, 5..6).await;
    assert_eq!(verified(&third, &config).await, 8);

    // A ring missing the middle key: the first rotation names a key it does not hold next.
    std::fs::write(&retired, format!("{first_key}\n")).expect("ring");
    let broken = open(&config, 700).await.expect("open");
    let report = audit::verify(&broken).await.expect("verify");
    assert_eq!(report.problem, Some(ChainBreak::UnknownNextKey { seq: 4 }));
    // Nor does the rotation command hand a chain it cannot check to another key.
    let refused = rotate_key(&config, broken, 800)
        .await
        .expect_err("a chain that does not verify is not rotated");
    assert!(refused.to_string().contains("broken"), "{refused}");
    assert_eq!(text(&retired), format!("{first_key}\n"));
}

#[tokio::test]
async fn f8_a_rotation_cut_short_after_its_commit_is_finished_at_the_next_start() {
    // Killed right after the database was handed to the next key; and, the second time, after
    // the old key was retired too, but before the key file was replaced.
    for retired_first in [false, true] {
        let (_t, _dir, config, db) = opened_with(2).await;
        let old_key = text(&config.audit_key_file);
        let next_key = "ab".repeat(32);
        app::platform::private_file::write_new(&next_file(&config), next_key.as_bytes())
            .expect("next");
        let next = AuditKey::new(&[0xab; 32]);
        assert_eq!(audit::rotate(&db, &next, 200).await.expect("rotated"), 3);
        let retired = retired_keys_file(&config.audit_key_file);
        if retired_first {
            app::platform::private_file::write_new(&retired, format!("{old_key}\n").as_bytes())
                .expect("retired");
        }

        let started = open(&config, 300).await.expect("open");
        assert_eq!(started.audit.fingerprint(), next.fingerprint());
        assert_eq!(text(&config.audit_key_file), next_key);
        assert_eq!(text(&retired), format!("{old_key}\n"), "retired once");
        assert!(!next_file(&config).exists());
        // The checkpoint moved past the rotation as it finished.
        let checkpoint = read_checkpoint(&config.audit_checkpoint_file)
            .expect("read")
            .expect("made");
        assert_eq!(checkpoint.seq, 3);
        append(&started, 2..4).await;
        assert_eq!(verified(&started, &config).await, 5);
    }
}

#[tokio::test]
async fn f8_a_rotation_that_never_committed_leaves_the_key_as_it_was() {
    let (_t, dir, config, db) = opened_with(2).await;
    let key = text(&config.audit_key_file);
    let made = "cd".repeat(32);
    app::platform::private_file::write_new(&next_file(&config), made.as_bytes()).expect("next");

    let started = open(&config, 200).await.expect("open");
    assert_eq!(started.audit.fingerprint(), db.audit.fingerprint());
    assert_eq!(text(&config.audit_key_file), key);
    assert!(!next_file(&config).exists());
    assert!(!retired_keys_file(&config.audit_key_file).exists());
    // The key the rotation made is kept aside, for an operator to look at.
    let aside = dir.path().join("secrets/audit.key.next.abandoned-200");
    assert_eq!(text(&aside), made);
    append(&started, 2..3).await;
    assert_eq!(verified(&started, &config).await, 3);
}

#[tokio::test]
async fn f8_rows_cut_back_past_a_rotation_are_caught() {
    let (t, _dir, config, db) = opened_with(3).await;
    rotate_key(&config, db, 200).await.expect("rotate");
    let rotated = open(&config, 300).await.expect("open");
    append(&rotated, 3..5).await;
    let checkpoint = server::database::advance_checkpoint(&rotated, &config.audit_checkpoint_file)
        .await
        .expect("checkpoint");
    assert!(matches!(
        checkpoint,
        server::database::CheckpointMove::Advanced(_)
    ));

    // A database writer removes the rotation and every row after it, and sets the head back
    // to row 3: the chain now ends under the retired key.
    let (hash,): (String,) = sqlx::query_as("SELECT hash FROM audit_log WHERE seq = 3")
        .fetch_one(&t.db.pool)
        .await
        .expect("row 3");
    let set_back = format!("UPDATE audit_head SET seq = 3, hash = '{hash}' WHERE id = 1");
    as_database_writer(&t, &["DELETE FROM audit_log WHERE seq > 3", &set_back]).await;
    let report = audit::verify(&rotated).await.expect("verify");
    assert_eq!(report.problem, Some(ChainBreak::EndsUnderRetiredKey));
    // And the checkpoint outside the database saw row 6.
    let kept = read_checkpoint(&config.audit_checkpoint_file)
        .expect("read")
        .expect("kept");
    assert_eq!(kept.seq, 6);
    let followed = audit::follow(&rotated, Some(&kept)).await.expect("read");
    assert_eq!(followed, Err(ChainBreak::BehindCheckpoint { seq: 6 }));

    // Holding the retired key too, they forge a handover after row 3 to the current key: the
    // rotation row must be keyed with the key it hands over to, so even without a checkpoint
    // the forgery is seen.
    let retired = text(&retired_keys_file(&config.audit_key_file));
    let retired = server::database::parse_audit_key(retired.trim().as_bytes()).expect("key");
    let forged = AuditEvent {
        actor: "system".into(),
        source_ip: "local".into(),
        action: audit::ROTATE_ACTION.into(),
        subject: "audit_key".into(),
        detail: serde_json::json!({
            "previous_key": retired.fingerprint(),
            "key": rotated.audit.fingerprint(),
        })
        .to_string(),
    };
    let forged_hash = retired.row_hash(4, 500, &forged, &hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, source_ip, action, subject, detail, prev_hash, hash) \
         VALUES (4, 500, $1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&forged.actor)
    .bind(&forged.source_ip)
    .bind(&forged.action)
    .bind(&forged.subject)
    .bind(&forged.detail)
    .bind(&hash)
    .bind(&forged_hash)
    .execute(&t.db.pool)
    .await
    .expect("forged row");
    let forward = format!("UPDATE audit_head SET seq = 4, hash = '{forged_hash}' WHERE id = 1");
    as_database_writer(&t, &[&forward]).await;
    let report = audit::verify(&rotated).await.expect("verify");
    assert_eq!(report.problem, Some(ChainBreak::Edited { seq: 4 }));
}
