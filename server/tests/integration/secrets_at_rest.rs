//! Secrets at rest (issue 21 item 11): the SQLite database and its log, the key files and the
//! CA keys are made readable by their owner only, and a server finding one open to other
//! users refuses to start, naming the file and the fix. (PostgreSQL keeps its files itself.)
#![cfg(unix)]

use app::platform::db::Db;
use server::pki::Pki;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

fn open_to_others(path: &Path) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
}

fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

fn assert_names_the_fix(error: &str, path: &Path) {
    assert!(
        error.contains(&format!("chmod 600 {}", path.display())),
        "{error}"
    );
}

#[tokio::test]
async fn security_21_11_a_new_sqlite_database_and_its_log_are_private() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let file = data.join("huji.db");
    let db = Db::connect(
        &format!("sqlite:{}", file.display()),
        2,
        crate::support::test_audit_key(),
    )
    .await
    .expect("database");
    sqlx::query("SELECT COUNT(*) FROM sessions")
        .execute(&db.pool)
        .await
        .expect("query");
    assert_eq!(mode(&data), 0o700, "the directory made for it");
    assert_eq!(mode(&file), 0o600);
    let wal = beside(&file, "-wal");
    assert!(wal.exists(), "migrations went through the log");
    for log in [wal, beside(&file, "-shm")] {
        assert_eq!(mode(&log), 0o600, "{}", log.display());
    }
}

#[tokio::test]
async fn security_21_11_a_database_open_to_others_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("huji.db");
    let url = format!("sqlite:{}", file.display());
    Db::connect(&url, 1, crate::support::test_audit_key())
        .await
        .expect("database")
        .pool
        .close()
        .await;
    open_to_others(&file);
    let error = Db::connect(&url, 1, crate::support::test_audit_key())
        .await
        .expect_err("refused")
        .to_string();
    assert_names_the_fix(&error, &file);
    // The log holds the same data as the file.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let wal = beside(&file, "-wal");
    std::fs::write(&wal, "").expect("log");
    open_to_others(&wal);
    let error = Db::connect(&url, 1, crate::support::test_audit_key())
        .await
        .expect_err("refused")
        .to_string();
    assert_names_the_fix(&error, &wal);
}

#[test]
fn security_21_11_a_key_file_is_made_private_and_refused_when_open_to_others() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let secrets = dir.path().join("secrets");
    let path = secrets.join("id-hash.key");
    let key = server::secrets::load_or_create(&path, "test key").expect("made");
    assert_eq!(mode(&secrets), 0o700);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        server::secrets::load_or_create(&path, "test key").expect("read again"),
        key
    );
    open_to_others(&path);
    let error = server::secrets::load_or_create(&path, "test key")
        .expect_err("refused")
        .to_string();
    assert_names_the_fix(&error, &path);
}

#[test]
fn security_21_11_a_key_file_is_checked_as_opened_owner_and_directory_included() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let secrets = dir.path().join("secrets");
    let path = secrets.join("seal.key");
    let key = server::secrets::load_or_create(&path, "test key").expect("made");
    let read = || server::secrets::load_or_create(&path, "test key");

    // A directory others may write to: the file could be swapped for theirs.
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let error = read().expect_err("refused").to_string();
    assert!(error.contains("other users may write"), "{error}");
    // Unless, like /tmp, only a file's owner may remove or rename it.
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o1777)).expect("chmod");
    assert_eq!(read().expect("sticky directory"), key);
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o700)).expect("chmod");

    // A file of another user, however private, is not the server's secret.
    if running_as_root() {
        std::os::unix::fs::chown(&path, Some(65534), None).expect("chown");
        let error = read().expect_err("refused").to_string();
        assert!(error.contains("belongs to another user"), "{error}");
    }
}

/// Only root can give a file away (the tests run as root in CI).
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().expect("probe");
    probe.as_file().metadata().expect("metadata").uid() == 0
}

#[test]
fn security_21_11_a_ca_key_open_to_others_is_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    Pki::init(dir.path(), 1_700_000_000).expect("init");
    Pki::open(dir.path()).expect("private keys open");
    let private = dir.path().join("private");
    let keys: Vec<PathBuf> = std::fs::read_dir(&private)
        .expect("keys")
        .map(|entry| entry.expect("entry").path())
        .collect();
    assert!(keys.len() >= 5, "{keys:?}");
    for key in keys {
        open_to_others(&key);
        // The card management centre's secrets are read when first used.
        let error = Pki::open(dir.path())
            .and_then(|pki| pki.card_management_key(b"spki").map(|_| pki))
            .and_then(|pki| {
                pki.card_attests("TP04000000099001", b"m", b"t")
                    .map(|_| pki)
            })
            .err()
            .unwrap_or_else(|| panic!("{} refused", key.display()))
            .to_string();
        assert_names_the_fix(&error, &key);
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}
