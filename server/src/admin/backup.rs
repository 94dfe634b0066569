//! `huji backup DIR` and `huji restore DIR` (issue 22 item 4): the database and the key files
//! its rows need, into a new directory, and back into a fresh place.
//!
//! A backup is a new directory (0700) of:
//! - the database: on SQLite `huji.db`, made with `VACUUM INTO` (one consistent snapshot while
//!   the servers keep writing); on PostgreSQL `huji.pgdump`, made with `pg_dump` in its custom
//!   format (one snapshot too);
//! - `keys/`: the key files the database's rows need: the audit key (its chain) and the keys it
//!   retired when there are any, the ID-number hash key (the call logs' and limits' hashes) and
//!   the seal key (open applications' codes);
//! - `manifest.json`: what the backup holds and each file's SHA-256.
//!
//! Every file is 0600. A restore takes only the files it expects by name, checks each against
//! the manifest as it reads it (damage, not tampering: the manifest is no signature; the
//! backup's directory must be its user's only), and refuses to overwrite anything: the database
//! must be new (a SQLite file not there yet, a PostgreSQL database without tables) and each key
//! file absent or the same. The database is restored and verified with the backup's audit key
//! before anything is put in place: on SQLite into a file beside the target, linked into place
//! only once its audit chain verifies; on PostgreSQL in one transaction, its tables dropped
//! again if it does not verify. The key files come last, then the audit checkpoint moves to the
//! restored head (the old one is kept aside).

use crate::config::Config;
use crate::database::{parse_audit_key, parse_retired_keys, CheckpointMove};
use anyhow::{bail, Context};
use app::platform::audit::{self, AuditKey};
use app::platform::db::{sqlite_file, Backend, Db};
use app::platform::private_file;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

const MANIFEST: &str = "manifest.json";
const KEYS: &str = "keys";
const FORMAT: u32 = 1;

/// The name the audit key is kept under: the one key a restore opens the database with.
pub const AUDIT_KEY: &str = "audit.key";

/// The name the audit keys retired before it are kept under, when there are any.
pub const RETIRED_AUDIT_KEYS: &str = "audit.key.retired";

/// A key file the database needs, by the name the backup keeps it under.
pub struct KeyFile {
    pub name: &'static str,
    pub path: PathBuf,
    /// Whether a backup needs it; one that is not is backed up when it is there.
    pub required: bool,
}

/// The key files of `config` that its database's rows need. (The payment key and the metrics
/// token are the server's settings with others, not the data's: they are not backed up.)
pub fn key_files(config: &Config) -> Vec<KeyFile> {
    let retired = crate::database::retired_keys_file(&config.audit_key_file);
    [
        (AUDIT_KEY, config.audit_key_file.clone(), true),
        (RETIRED_AUDIT_KEYS, retired, false),
        ("id-hash.key", config.id_hash_key_file.clone(), true),
        ("moica-seal.key", config.moica_seal_key_file.clone(), true),
    ]
    .into_iter()
    .map(|(name, path, required)| KeyFile {
        name,
        path,
        required,
    })
    .collect()
}

/// The audit keys a backup holds: the one its chain ends under, and those retired before it.
struct AuditKeys {
    current: AuditKey,
    retired: Vec<AuditKey>,
}

impl AuditKeys {
    /// The database at `url`, as a server opens it, with these keys.
    async fn connect(&self, url: &str, connections: u32) -> anyhow::Result<Db> {
        let mut db = Db::connect(url, connections, self.current.clone()).await?;
        db.retired_audit = self.retired.clone().into();
        Ok(db)
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    backend: String,
    /// When the backup was made (Unix seconds).
    made_at: i64,
    database: Entry,
    keys: Vec<Entry>,
}

/// One file of a backup: its path under the backup's directory and its SHA-256 (hex).
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    file: String,
    sha256: String,
}

impl Manifest {
    /// The SHA-256 the manifest gives `file`, which must be listed as exactly that.
    fn sha256_of(&self, file: &str) -> anyhow::Result<&str> {
        std::iter::once(&self.database)
            .chain(&self.keys)
            .find(|entry| entry.file == file)
            .map(|entry| entry.sha256.as_str())
            .with_context(|| format!("the backup's manifest lists no {file}"))
    }
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// The database's file in a backup of `backend`.
fn database_file(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "huji.db",
        Backend::Postgres => "huji.pgdump",
    }
}

/// What a backup holds, for the operator.
#[derive(Debug)]
pub struct Made {
    pub database_bytes: u64,
    pub keys: usize,
}

/// Makes the directory `path`, which must not exist (its parent must), 0700 from the start.
fn make_private_dir(path: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path).with_context(|| {
        format!(
            "making {}: back up into a new directory in one that exists",
            path.display()
        )
    })
}

/// Backs up `db` (reached at `url`) and `keys` into the new directory `dir`.
pub async fn backup(
    db: &Db,
    url: &str,
    keys: &[KeyFile],
    dir: &Path,
    now: i64,
) -> anyhow::Result<Made> {
    let Some(dir_text) = dir.to_str() else {
        bail!("{} is not UTF-8: choose another directory", dir.display());
    };
    make_private_dir(dir)?;
    let made = write_backup(db, url, keys, dir, dir_text, now).await;
    if made.is_err() {
        // Nothing half-made is left to pass for a backup (or to stand in the way of the next).
        let _ = std::fs::remove_dir_all(dir);
    }
    made
}

async fn write_backup(
    db: &Db,
    url: &str,
    keys: &[KeyFile],
    dir: &Path,
    dir_text: &str,
    now: i64,
) -> anyhow::Result<Made> {
    make_private_dir(&dir.join(KEYS))?;
    let database = dir.join(database_file(db.backend));
    // VACUUM INTO and pg_dump write into a file made first, so that it is 0600.
    private_file::write_new(&database, b"")
        .with_context(|| format!("creating {}", database.display()))?;
    match db.backend {
        Backend::Sqlite => {
            sqlx::query("VACUUM INTO $1")
                .bind(format!("{dir_text}/{}", database_file(db.backend)))
                .execute(&db.pool)
                .await
                .context("copying the SQLite database (VACUUM INTO)")?;
        }
        Backend::Postgres => {
            let mut dump = postgres_tool("pg_dump", url)?;
            dump.args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                .arg(&database);
            run(dump, "pg_dump")?;
        }
    }
    let database_bytes = std::fs::metadata(&database)?.len();
    if database_bytes == 0 {
        bail!("{} came out empty", database.display());
    }
    let mut entries = Vec::new();
    for key in keys {
        let bytes = match private_file::read(&key.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound && !key.required => {
                continue;
            }
            Err(error) => bail!("reading {}: {error}", key.path.display()),
        };
        if key.name == AUDIT_KEY {
            // The snapshot's rows end under the key the database is bound to, now as then
            // (a rotation on this machine waits for the backup: `lock_keys`).
            let copied = parse_audit_key(&bytes)?;
            if audit::bound_key(db).await?.as_deref() != Some(copied.fingerprint()) {
                bail!(
                    "the database is bound to another audit key than {}: run the backup where \
                     the servers' key files are (after a rotation, once they are copied there)",
                    key.path.display()
                );
            }
        }
        let file = format!("{KEYS}/{}", key.name);
        private_file::write_new(&dir.join(&file), &bytes)
            .with_context(|| format!("writing {}", dir.join(&file).display()))?;
        entries.push(Entry {
            file,
            sha256: hex::encode(Sha256::digest(&bytes)),
        });
    }
    let manifest = Manifest {
        format: FORMAT,
        backend: backend_name(db.backend).to_owned(),
        made_at: now,
        database: Entry {
            file: database_file(db.backend).to_owned(),
            sha256: copy_checked(&database, None, None)?,
        },
        keys: entries,
    };
    private_file::write_new(
        &dir.join(MANIFEST),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )
    .with_context(|| format!("writing {}", dir.join(MANIFEST).display()))?;
    for file in [database.as_path(), &dir.join(KEYS), dir] {
        std::fs::File::open(file)
            .and_then(|file| file.sync_all())
            .with_context(|| format!("syncing {}", file.display()))?;
    }
    Ok(Made {
        database_bytes,
        keys: manifest.keys.len(),
    })
}

/// Whether the database at `url` is new: a SQLite file (and its `-wal`, `-shm`) not there yet,
/// or a PostgreSQL database without tables.
pub async fn database_is_new(url: &str) -> anyhow::Result<bool> {
    Ok(match Backend::of_url(url)? {
        Backend::Sqlite => {
            let file = sqlite_file(url).context("DATABASE_URL names no SQLite file")?;
            !["", "-wal", "-shm"]
                .into_iter()
                .any(|suffix| beside(&file, suffix).exists())
        }
        Backend::Postgres => {
            let pool = postgres_pool(url).await?;
            // Whatever the user may see or not: relations, functions, types, extensions.
            let (objects,): (i64,) = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM pg_class c \
                   JOIN pg_namespace n ON n.oid = c.relnamespace \
                   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') \
                   AND n.nspname NOT LIKE 'pg_toast%') \
                 + (SELECT COUNT(*) FROM pg_proc p \
                   JOIN pg_namespace n ON n.oid = p.pronamespace \
                   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')) \
                 + (SELECT COUNT(*) FROM pg_type t \
                   JOIN pg_namespace n ON n.oid = t.typnamespace \
                   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') \
                   AND n.nspname NOT LIKE 'pg_toast%') \
                 + (SELECT COUNT(*) FROM pg_extension WHERE extname <> 'plpgsql')",
            )
            .fetch_one(&pool)
            .await?;
            pool.close().await;
            objects == 0
        }
    })
}

/// What a restore found.
#[derive(Debug)]
pub struct Restored {
    /// The audit chain's rows, verified.
    pub audit_rows: i64,
    /// Where the checkpoint that was there before went, if there was one.
    pub old_checkpoint: Option<PathBuf>,
}

/// Restores the backup in `dir` into the database at `url` (which must be new) and the key
/// files `keys` (each absent or the same), verifying the audit chain first, then moves the
/// checkpoint at `checkpoint` to the restored head.
pub async fn restore(
    dir: &Path,
    url: &str,
    keys: &[KeyFile],
    checkpoint: &Path,
    max_connections: u32,
    now: i64,
) -> anyhow::Result<Restored> {
    // The backup is read by name from a directory no one else may change meanwhile.
    for private in [dir.to_path_buf(), dir.join(KEYS)] {
        let metadata = std::fs::symlink_metadata(&private)
            .with_context(|| format!("reading {}", private.display()))?;
        if !metadata.is_dir() {
            bail!("{} is not a directory", private.display());
        }
        private_file::check(&private)
            .with_context(|| format!("{} must be its user's only", private.display()))?;
    }
    let manifest: Manifest = serde_json::from_slice(
        &private_file::read(&dir.join(MANIFEST))
            .with_context(|| format!("reading {}", dir.join(MANIFEST).display()))?,
    )
    .with_context(|| {
        format!(
            "{} is not a backup's manifest",
            dir.join(MANIFEST).display()
        )
    })?;
    if manifest.format != FORMAT {
        bail!(
            "{}: unknown backup format {}",
            dir.display(),
            manifest.format
        );
    }
    let backend = Backend::of_url(url)?;
    if manifest.backend != backend_name(backend) {
        bail!(
            "the backup holds a {} database; DATABASE_URL is {}",
            manifest.backend,
            backend_name(backend)
        );
    }
    // Everything is checked before anything is written: the keys first.
    let mut audit_key = None;
    let mut retired = Vec::new();
    let mut to_write = Vec::new();
    for (n, key) in keys.iter().enumerate() {
        if keys[..n].iter().any(|other| other.path == key.path) {
            bail!("{} is configured for two keys", key.path.display());
        }
        let file = format!("{KEYS}/{}", key.name);
        if !key.required && manifest.sha256_of(&file).is_err() {
            // Not in the backup: then not here either, or this place's would be read with it.
            if key.path.exists() {
                bail!(
                    "{} is there but the backup has none: restore where it is not, or move it \
                     aside first",
                    key.path.display()
                );
            }
            continue;
        }
        let bytes = private_file::read(&dir.join(&file))
            .map_err(|error| anyhow::anyhow!("reading {}: {error}", dir.join(&file).display()))?;
        if hex::encode(Sha256::digest(&bytes)) != manifest.sha256_of(&file)? {
            bail!(
                "{} is damaged: its SHA-256 is not the manifest's",
                dir.join(&file).display()
            );
        }
        let not = |what: &str| format!("{} is not {what}", dir.join(&file).display());
        match key.name {
            AUDIT_KEY => {
                audit_key = Some(parse_audit_key(&bytes).with_context(|| not("an audit key"))?);
            }
            RETIRED_AUDIT_KEYS => {
                retired =
                    parse_retired_keys(&bytes).with_context(|| not("a list of audit keys"))?;
            }
            _ => {}
        }
        match private_file::read(&key.path) {
            Ok(present) if present == bytes => {}
            Ok(_) => bail!(
                "{} holds another key than the backup's: restore where it is not, or move it \
                 aside first",
                key.path.display()
            ),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                to_write.push((key, bytes));
            }
            Err(error) => bail!("reading {}: {error}", key.path.display()),
        }
    }
    let audit_keys = AuditKeys {
        current: audit_key.context("no audit key file configured")?,
        retired,
    };
    if !database_is_new(url).await? {
        bail!("the database at DATABASE_URL exists or holds tables: restore into a new one only");
    }
    let database = dir.join(database_file(backend));
    let expected = manifest.sha256_of(database_file(backend))?.to_owned();
    // The key files are written once the database verified, and before it is put in place;
    // they are taken away again if that fails.
    let audit_rows = match backend {
        Backend::Sqlite => restore_sqlite(&database, &expected, url, &audit_keys, to_write).await?,
        Backend::Postgres => {
            restore_postgres(
                &database,
                &expected,
                url,
                &audit_keys,
                max_connections,
                to_write,
            )
            .await?
        }
    };
    // Restored: now the checkpoint, at the restored head.
    let old_checkpoint = if checkpoint.exists() {
        let aside = checkpoint.with_extension(format!("before-restore-{now}"));
        std::fs::rename(checkpoint, &aside)
            .with_context(|| format!("restored, but moving {} aside", checkpoint.display()))?;
        Some(aside)
    } else {
        None
    };
    let moved = async {
        let db = audit_keys.connect(url, 1).await?;
        let moved = crate::database::advance_checkpoint(&db, checkpoint).await;
        db.pool.close().await;
        match moved? {
            CheckpointMove::Advanced(head) if head.seq > 0 => Ok(()),
            other => bail!("the checkpoint did not move to the restored head: {other:?}"),
        }
    }
    .await;
    moved.with_context(|| match &old_checkpoint {
        Some(old) => format!(
            "restored, but no new checkpoint at {} (the old one is at {})",
            checkpoint.display(),
            old.display()
        ),
        None => format!("restored, but no checkpoint at {}", checkpoint.display()),
    })?;
    Ok(Restored {
        audit_rows,
        old_checkpoint,
    })
}

/// Key files a restore wrote, taken away again if it fails after.
struct WrittenKeys(Vec<PathBuf>);

impl WrittenKeys {
    /// Writes each key file of `to_write` (none of them there): all of them, or none.
    fn write(to_write: Vec<(&KeyFile, Vec<u8>)>) -> anyhow::Result<WrittenKeys> {
        let mut written = WrittenKeys(Vec::new());
        for (key, bytes) in to_write {
            let result = key
                .path
                .parent()
                .map_or(Ok(()), private_file::create_dir)
                .and_then(|()| private_file::write_new(&key.path, &bytes))
                .with_context(|| format!("writing {}", key.path.display()));
            if let Err(error) = result {
                written.undo();
                return Err(error);
            }
            written.0.push(key.path.clone());
        }
        Ok(written)
    }

    fn undo(&self) {
        for path in &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Opens the database at `url` as a server does (newer migrations run) with the backup's
/// `keys`, whose current one must be the one its rows end under, and verifies the whole audit
/// chain: its rows.
async fn opened_and_verified(url: &str, keys: &AuditKeys, connections: u32) -> anyhow::Result<i64> {
    let db = keys.connect(url, connections).await?;
    let verified = async {
        if !audit::bind_key(&db).await? {
            bail!("the backup's audit rows are keyed with another key than its keys/audit.key");
        }
        let report = audit::verify(&db).await?;
        if db.backend == Backend::Sqlite {
            // All of it in the file itself, before the file is put in place alone.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&db.pool)
                .await?;
        }
        match report.problem {
            Some(problem) => bail!("the backup's audit chain is broken: {problem}"),
            None => Ok(report.rows),
        }
    }
    .await;
    db.pool.close().await;
    verified
}

/// The SQLite backup `database` (whose SHA-256 must be `expected`) restored as the new file the
/// SQLite `url` names: copied beside it, verified there, then linked into place (which fails,
/// rather than overwrite, if something appeared there meanwhile).
async fn restore_sqlite(
    database: &Path,
    expected: &str,
    url: &str,
    keys: &AuditKeys,
    to_write: Vec<(&KeyFile, Vec<u8>)>,
) -> anyhow::Result<i64> {
    let target = sqlite_file(url).context("DATABASE_URL names no SQLite file")?;
    if let Some(parent) = target.parent() {
        private_file::create_dir(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    // The file beside the target, named by the same URL with a suffix on its path, so that
    // the driver reads it as it reads the target's; checked to be so.
    let suffix = format!(".restoring-{}", uuid::Uuid::new_v4().simple());
    let aside = beside(&target, &suffix);
    let mut aside_url = sqlx::any::AnyConnectOptions::from_str(url)?.database_url;
    aside_url.set_path(&format!("{}{suffix}", aside_url.path()));
    let aside_url = aside_url.to_string();
    if sqlite_file(&aside_url).as_deref() != Some(aside.as_path()) {
        bail!(
            "the file DATABASE_URL names cannot be restored beside: {}",
            target.display()
        );
    }
    let done = async {
        copy_checked(database, Some(&aside), Some(expected))?;
        let rows = opened_and_verified(&aside_url, keys, 1).await?;
        let keys = WrittenKeys::write(to_write)?;
        if let Err(error) = std::fs::hard_link(&aside, &target) {
            keys.undo();
            return Err(error)
                .with_context(|| format!("putting the restored database at {}", target.display()));
        }
        Ok(rows)
    }
    .await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(beside(&aside, suffix));
    }
    done
}

/// The PostgreSQL backup `database` (whose SHA-256 must be `expected`) restored into the empty
/// database at `url` in one transaction, from a private copy checked as it is made; its tables
/// are dropped again if it does not verify.
async fn restore_postgres(
    database: &Path,
    expected: &str,
    url: &str,
    keys: &AuditKeys,
    connections: u32,
    to_write: Vec<(&KeyFile, Vec<u8>)>,
) -> anyhow::Result<i64> {
    let copy = std::env::temp_dir().join(format!("huji-restore-{}", uuid::Uuid::new_v4().simple()));
    make_private_dir(&copy)?;
    let dump = copy.join(database_file(Backend::Postgres));
    let loaded = copy_checked(database, Some(&dump), Some(expected)).and_then(|_| {
        let mut load = postgres_tool("pg_restore", url)?;
        load.args([
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
        ])
        .arg(&dump);
        run(load, "pg_restore")
    });
    let _ = std::fs::remove_dir_all(&copy);
    loaded?;
    let done = match opened_and_verified(url, keys, connections).await {
        Ok(rows) => WrittenKeys::write(to_write).map(|_| rows),
        Err(error) => Err(error),
    };
    if done.is_err() {
        empty_again(url)
            .await
            .context("emptying the database again after a failed restore")?;
    }
    done
}

/// Drops what a restore made in the PostgreSQL database at `url`, which held nothing before
/// ([`database_is_new`]): every view, table, sequence, function and type in `public`.
async fn empty_again(url: &str) -> anyhow::Result<()> {
    let pool = postgres_pool(url).await?;
    sqlx::raw_sql(
        "DO $$ DECLARE r record; BEGIN \
           FOR r IN SELECT viewname AS name FROM pg_views WHERE schemaname = 'public' LOOP \
             EXECUTE format('DROP VIEW IF EXISTS public.%I CASCADE', r.name); END LOOP; \
           FOR r IN SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' LOOP \
             EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', r.name); END LOOP; \
           FOR r IN SELECT sequencename AS name FROM pg_sequences WHERE schemaname = 'public' LOOP \
             EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', r.name); END LOOP; \
           FOR r IN SELECT p.oid::regprocedure::text AS name FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' LOOP \
             EXECUTE 'DROP FUNCTION IF EXISTS ' || r.name || ' CASCADE'; END LOOP; \
           FOR r IN SELECT t.typname AS name FROM pg_type t \
             JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') LOOP \
             EXECUTE format('DROP TYPE IF EXISTS public.%I CASCADE', r.name); END LOOP; \
         END $$",
    )
    .execute(&pool)
    .await?;
    pool.close().await;
    Ok(())
}

/// Reads the regular file `from` once, hashing what it reads and, given `to`, writing it to
/// that new file (0600); checks the hash against `expected` when given. Its SHA-256 (hex).
fn copy_checked(from: &Path, to: Option<&Path>, expected: Option<&str>) -> anyhow::Result<String> {
    let mut source =
        std::fs::File::open(from).with_context(|| format!("reading {}", from.display()))?;
    if !source.metadata()?.is_file() {
        bail!("{} is not a regular file", from.display());
    }
    let mut sink = to
        .map(|to| {
            private_file::create_new(to).with_context(|| format!("creating {}", to.display()))
        })
        .transpose()?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let read = source.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        if let Some(sink) = sink.as_mut() {
            sink.write_all(&buffer[..read])?;
        }
    }
    if let Some(sink) = sink {
        sink.sync_all()?;
    }
    let sha256 = hex::encode(hasher.finalize());
    if expected.is_some_and(|expected| expected != sha256) {
        bail!(
            "{} is damaged: its SHA-256 is not the manifest's",
            from.display()
        );
    }
    Ok(sha256)
}

/// `file` with `suffix` added to its name (`huji.db` → `huji.db-wal`).
fn beside(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

async fn postgres_pool(url: &str) -> anyhow::Result<sqlx::AnyPool> {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .context("connecting to DATABASE_URL")
}

/// `tool` (pg_dump, pg_restore) reaching the database at `url`. Nothing secret goes on its
/// command line, where other users could read it: the password and the URL's settings go in
/// its environment (`PGPASSWORD`, `PGSSLMODE`…); settings libpq does not know are left out.
fn postgres_tool(tool: &str, url: &str) -> anyhow::Result<Command> {
    let mut parsed = url::Url::parse(url).context("DATABASE_URL is not a URL")?;
    let mut command = Command::new(tool);
    if let Some(password) = parsed.password() {
        let password = percent_encoding::percent_decode_str(password).decode_utf8_lossy();
        command.env("PGPASSWORD", password.as_ref());
    }
    for (name, value) in parsed.query_pairs() {
        let variable = match name.as_ref() {
            "password" => "PGPASSWORD",
            "sslmode" => "PGSSLMODE",
            "sslrootcert" => "PGSSLROOTCERT",
            "sslcert" => "PGSSLCERT",
            "sslkey" => "PGSSLKEY",
            "host" => "PGHOST",
            "port" => "PGPORT",
            "user" => "PGUSER",
            "application_name" => "PGAPPNAME",
            "options" => "PGOPTIONS",
            _ => continue,
        };
        command.env(variable, value.as_ref());
    }
    parsed
        .set_password(None)
        .map_err(|()| anyhow::anyhow!("DATABASE_URL cannot be split"))?;
    parsed.set_query(None);
    command.arg("--dbname").arg(parsed.as_str());
    Ok(command)
}

fn run(mut command: Command, tool: &str) -> anyhow::Result<()> {
    let output = command
        .output()
        .with_context(|| format!("running {tool} (Debian's postgresql-client)"))?;
    if !output.status.success() {
        bail!(
            "{tool} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::postgres_tool;

    #[test]
    fn issue_22_4_nothing_secret_goes_on_the_postgres_tools_command_line() {
        let command = postgres_tool(
            "pg_dump",
            "postgres://huji:s%40cret@db.internal:5433/huji?sslmode=verify-full&password=other&statement-cache-capacity=0",
        )
        .expect("a URL");
        let args: Vec<String> = command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args, ["--dbname", "postgres://huji@db.internal:5433/huji"]);
        let env: Vec<(String, String)> = command
            .get_envs()
            .filter_map(|(name, value)| {
                Some((
                    name.to_string_lossy().into_owned(),
                    value?.to_string_lossy().into_owned(),
                ))
            })
            .collect();
        assert!(env.contains(&("PGSSLMODE".into(), "verify-full".into())));
        // The query's password comes after the URL's and wins, as libpq's would.
        assert!(env.contains(&("PGPASSWORD".into(), "other".into())));
    }
}
