//! `huji backup` and `huji restore` (issue 22 item 4): a portal's database and key files, backed
//! up while it holds cases and an audit chain, restored into a fresh place on the same backend
//! (SQLite, or PostgreSQL when the tests run there).

use crate::id_card_loss::{submit, wang, with};
use crate::support::{empty_database, test_audit_key, Portal};
use app::platform::audit;
use app::platform::db::Db;
use app::platform::private_file;
use axum::http::StatusCode;
use server::admin::backup::{
    backup, database_is_new, restore, KeyFile, AUDIT_KEY, RETIRED_AUDIT_KEYS,
};
use sha2::{Digest, Sha256};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The portal's key files, in `dir`: the audit key its database is keyed with, the keys it
/// retired (none until a rotation), and others.
fn key_files(dir: &Path) -> Vec<KeyFile> {
    [
        AUDIT_KEY,
        RETIRED_AUDIT_KEYS,
        "id-hash.key",
        "moica-seal.key",
    ]
    .into_iter()
    .map(|name| KeyFile {
        name,
        path: dir.join("secrets").join(name),
        required: name != RETIRED_AUDIT_KEYS,
    })
    .collect()
}

/// Writes the required key files.
fn write_keys(keys: &[KeyFile]) {
    for (n, key) in keys.iter().enumerate().filter(|(_, key)| key.required) {
        let secret = match key.name {
            AUDIT_KEY => [0x5a; 32],
            _ => [n as u8 + 1; 32],
        };
        private_file::create_dir(key.path.parent().expect("a directory")).expect("secrets dir");
        private_file::write_new(&key.path, hex::encode(secret).as_bytes()).expect("key file");
    }
}

fn mode(path: &Path) -> u32 {
    let metadata =
        std::fs::metadata(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    metadata.permissions().mode() & 0o777
}

async fn reports(pool: &sqlx::AnyPool) -> Vec<(String, String, i64)> {
    sqlx::query_as(
        "SELECT reference, status, citizen_id FROM id_card_loss_reports ORDER BY reference",
    )
    .fetch_all(pool)
    .await
    .expect("reports")
}

/// A portal with a loss report and staff's audit rows, backed up into `place/backup`.
async fn backed_up(place: &Path) -> (Portal, Vec<KeyFile>, PathBuf) {
    let portal = Portal::start().await;
    let (status, html) = submit(
        &portal,
        "/id-card/loss/report",
        &with(wang(), "password", "Ab12"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("掛失完成"), "{html}");
    for n in 0..3 {
        let event = audit::AuditEvent {
            actor: "staff:clerk-1".into(),
            source_ip: "127.0.0.1".into(),
            action: "test.backup".into(),
            subject: format!("case-{n}"),
            detail: "{}".into(),
        };
        audit::record(&portal.app.test_db.db, portal.now() + n, &event)
            .await
            .expect("audit row");
    }
    // As every server and command does on opening it, the database is bound to its key.
    assert!(audit::bind_key(&portal.app.test_db.db).await.expect("bind"));
    let keys = key_files(place);
    write_keys(&keys);
    let dir = place.join("backup");
    let source = &portal.app.test_db;
    let made = backup(&source.db, &source.url, &keys, &dir, portal.now())
        .await
        .expect("backup");
    assert!(made.database_bytes > 0 && made.keys == 3, "{made:?}");
    (portal, keys, dir)
}

/// Rewrites `file` in the backup `dir` and its SHA-256 in the manifest, as someone who knows
/// the format could.
fn replace_in_backup(dir: &Path, file: &str, bytes: &[u8]) {
    std::fs::write(dir.join(file), bytes).expect("replace");
    let path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("manifest")).expect("json");
    let sha256 = hex::encode(Sha256::digest(bytes));
    for entry in manifest["keys"].as_array_mut().expect("keys") {
        if entry["file"] == file {
            entry["sha256"] = sha256.clone().into();
        }
    }
    std::fs::write(&path, serde_json::to_vec(&manifest).expect("json")).expect("manifest");
}

#[tokio::test]
async fn issue_22_4_a_backup_restores_into_a_fresh_place_with_its_keys_and_audit_chain() {
    let place = tempfile::tempdir().expect("tempdir");
    let (portal, keys, dir) = backed_up(place.path()).await;
    let source = &portal.app.test_db;
    let before = reports(&source.db.pool).await;
    assert_eq!(before.len(), 1);
    let chain = audit::verify(&source.db).await.expect("verify");
    assert!(chain.problem.is_none() && chain.rows >= 4, "{chain:?}");
    // Every file is the server's user's only.
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("keys")), 0o700);
    for file in std::fs::read_dir(&dir)
        .expect("backup")
        .chain(std::fs::read_dir(dir.join("keys")).expect("keys"))
    {
        let file = file.expect("entry").path();
        if file.is_file() {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
    // A backup goes into a new directory only.
    let again = backup(&source.db, &source.url, &keys, &dir, portal.now()).await;
    assert!(again.unwrap_err().to_string().contains("new directory"));

    // Restored into a new database, with key files in a new place and an old checkpoint there.
    let target = empty_database().await;
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let new_keys = key_files(elsewhere.path());
    let checkpoint = elsewhere.path().join("audit.checkpoint");
    std::fs::write(&checkpoint, "7 0000\n").expect("an old checkpoint");
    let restored = restore(&dir, &target.url, &new_keys, &checkpoint, 4, portal.now())
        .await
        .expect("restore");
    assert_eq!(restored.audit_rows, chain.rows);
    let old = restored
        .old_checkpoint
        .expect("the old checkpoint is kept aside");
    assert_eq!(std::fs::read_to_string(old).expect("kept"), "7 0000\n");
    for (old, new) in keys.iter().zip(&new_keys).filter(|(key, _)| key.required) {
        assert_eq!(
            std::fs::read(&old.path).expect("old key"),
            std::fs::read(&new.path).expect("new key")
        );
        assert_eq!(mode(&new.path), 0o600);
    }
    assert!(
        !new_keys[1].path.exists(),
        "no retired keys where none were"
    );
    if let Some(file) = app::platform::db::sqlite_file(&target.url) {
        assert_eq!(mode(&file), 0o600);
    }
    let db = Db::connect(&target.url, 2, test_audit_key())
        .await
        .expect("the restored database opens with the key");
    assert_eq!(reports(&db.pool).await, before);
    let checkpointed = server::database::read_checkpoint(&checkpoint)
        .expect("checkpoint")
        .expect("made");
    let report = audit::verify_with(&db, Some(&checkpointed))
        .await
        .expect("verify");
    assert!(report.problem.is_none(), "{report:?}");

    // Restoring over what is there now is refused, and leaves it as it is.
    let over = restore(&dir, &target.url, &new_keys, &checkpoint, 4, portal.now()).await;
    let refusal = over.unwrap_err().to_string();
    assert!(refusal.contains("restore into a new one"), "{refusal}");
    assert_eq!(reports(&db.pool).await, before);
}

#[tokio::test]
async fn issue_22_4_a_bad_backup_or_another_key_in_place_is_refused_and_nothing_is_left_behind() {
    let place = tempfile::tempdir().expect("tempdir");
    let (portal, _keys, dir) = backed_up(place.path()).await;
    let target = empty_database().await;
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let new_keys = key_files(elsewhere.path());
    let checkpoint = elsewhere.path().join("audit.checkpoint");
    let refused = |expected: String| {
        let (dir, url, keys, checkpoint) = (&dir, &target.url, &new_keys, &checkpoint);
        async move {
            let refusal = restore(dir, url, keys, checkpoint, 4, 0)
                .await
                .unwrap_err()
                .to_string();
            assert!(refusal.contains(&expected), "{refusal}");
            assert!(
                database_is_new(url).await.expect("look"),
                "the database was left new"
            );
            for key in keys.iter().skip(1) {
                assert!(!key.path.exists(), "no key was written");
            }
            assert!(!checkpoint.exists());
        }
    };

    // Another audit key where the restore would put the backup's.
    private_file::create_dir(new_keys[0].path.parent().expect("dir")).expect("dir");
    private_file::write_new(&new_keys[0].path, hex::encode([0x11; 32]).as_bytes())
        .expect("another key");
    refused("holds another key".into()).await;
    std::fs::remove_file(&new_keys[0].path).expect("remove the other key");

    // A backup whose audit key is not its database's: found only once the database is
    // restored aside, which is then taken away again.
    let kept = std::fs::read(dir.join("keys/audit.key")).expect("key");
    replace_in_backup(&dir, "keys/audit.key", hex::encode([0x22; 32]).as_bytes());
    refused("keyed with another key".into()).await;
    assert!(!new_keys[0].path.exists());
    replace_in_backup(&dir, "keys/audit.key", &kept);

    // A manifest naming files outside the backup is not followed.
    let path = dir.join("manifest.json");
    let original = std::fs::read(&path).expect("manifest");
    let mut manifest: serde_json::Value = serde_json::from_slice(&original).expect("json");
    let database = manifest["database"]["file"]
        .as_str()
        .expect("a file")
        .to_owned();
    manifest["database"]["file"] = "../../etc/passwd".into();
    std::fs::write(&path, serde_json::to_vec(&manifest).expect("json")).expect("manifest");
    refused(format!("lists no {database}")).await;
    std::fs::write(&path, &original).expect("manifest");

    // A database file changed since the backup.
    let mut bytes = std::fs::read(dir.join(&database)).expect("database");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(dir.join(&database), bytes).expect("damage");
    refused("is damaged".into()).await;
    drop(portal);
}

#[tokio::test]
async fn issue_22_4_a_backup_after_a_key_rotation_restores_with_its_retired_keys() {
    let place = tempfile::tempdir().expect("tempdir");
    let (portal, keys, _) = backed_up(place.path()).await;
    let source = &portal.app.test_db;
    let config = server::config::Config {
        database_url: source.url.clone(),
        audit_key_file: keys[0].path.clone(),
        audit_checkpoint_file: place.path().join("secrets/audit.head"),
        ..Default::default()
    };
    let rotated = server::database::rotate_key(&config, source.db.clone(), portal.now())
        .await
        .expect("rotate");
    assert!(
        keys[1].path.exists(),
        "the old key is retired beside the new one"
    );
    // Key files from before the rotation do not go with the database's rows.
    let stale_keys = key_files(&place.path().join("stale"));
    write_keys(&stale_keys);
    let stale = backup(
        &source.db,
        &source.url,
        &stale_keys,
        &place.path().join("stale-backup"),
        portal.now(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(stale.contains("bound to another audit key"), "{stale}");
    assert!(!place.path().join("stale-backup").exists());

    let dir = place.path().join("rotated");
    let made = backup(&source.db, &source.url, &keys, &dir, portal.now())
        .await
        .expect("backup");
    assert_eq!(made.keys, 4);

    // Restored with its retired keys, its chain verifies across the rotation.
    let target = empty_database().await;
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let new_keys = key_files(elsewhere.path());
    let checkpoint = elsewhere.path().join("audit.checkpoint");
    let restored = restore(&dir, &target.url, &new_keys, &checkpoint, 4, portal.now())
        .await
        .expect("restore");
    assert_eq!(restored.audit_rows, rotated.seq);
    for (old, new) in keys.iter().zip(&new_keys) {
        assert_eq!(
            std::fs::read(&old.path).expect("old key"),
            std::fs::read(&new.path).expect("new key"),
            "{}",
            new.name
        );
    }
    let checkpointed = server::database::read_checkpoint(&checkpoint)
        .expect("checkpoint")
        .expect("made");
    assert_eq!(
        checkpointed.key.as_deref(),
        Some(rotated.fingerprint.as_str())
    );

    // The backup made before the rotation has no retired keys: restoring it where some are
    // is refused (they would be read with its chain), before anything is written.
    let older = place.path().join("backup");
    let again = empty_database().await;
    let third = tempfile::tempdir().expect("tempdir");
    let third_keys = key_files(third.path());
    private_file::create_dir(third_keys[1].path.parent().expect("dir")).expect("dir");
    std::fs::copy(&keys[1].path, &third_keys[1].path).expect("retired keys");
    let checkpoint = third.path().join("audit.checkpoint");
    let refusal = restore(
        &older,
        &again.url,
        &third_keys,
        &checkpoint,
        4,
        portal.now(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(refusal.contains("the backup has none"), "{refusal}");
    assert!(database_is_new(&again.url).await.expect("look"));
    assert!(!third_keys[0].path.exists() && !checkpoint.exists());
}
