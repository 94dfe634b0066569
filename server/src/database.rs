//! Opening the database as every command does: the audit key first (made at first start),
//! then the connection and its migrations, the check that the key is the one the database is
//! bound to, then — only when the key was made just now — the anchor that closes the audit rows
//! written before there was a key (F-8); and the chain's checkpoint outside the database.
//!
//! The audit key file has its ring beside it: `<key file>.retired`, the keys the chain was
//! keyed with before, one per line, oldest first; and, only while `huji audit rotate-key`
//! runs (or after a crash cut it short), `<key file>.next`. What changes them is ordered by
//! `<key file>.lock` ([`lock_keys`]). [`open`] finishes a rotation that committed, and keeps
//! aside the key of one that did not.

use crate::config::Config;
use anyhow::Context;
use app::platform::audit::{self, Anchoring, AuditKey, Checkpoint};
use app::platform::db::Db;
use app::platform::private_file;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Connects to `config`'s database with its audit key. `now` dates the anchor row, if one is
/// written.
pub async fn open(config: &Config, now: i64) -> anyhow::Result<Db> {
    // Shared with other commands opening the database; exclusive to finish a rotation.
    let pending = next_key_file(&config.audit_key_file).exists();
    let _keys = lock_keys(&config.audit_key_file, pending)?;
    let (key, made) = audit_key(&config.audit_key_file)?;
    let mut db = Db::connect(&config.database_url, config.db_max_connections, key).await?;
    db.retired_audit = read_retired_keys(&config.audit_key_file)?.into();
    if pending && finish_rotation(&config.audit_key_file, &mut db, now).await? {
        advance_checkpoint(&db, &config.audit_checkpoint_file).await?;
    }
    if !audit::bind_key(&db).await? {
        // A key made just now for a database that has one is a stray: leave no trace of it.
        if made {
            std::fs::remove_file(&config.audit_key_file)
                .with_context(|| format!("removing {}", config.audit_key_file.display()))?;
        }
        anyhow::bail!(
            "the database's audit rows are keyed with another audit key than {}: run huji where \
             the servers' key file is, or point HUJI_AUDIT_KEY_FILE at it; after huji audit \
             rotate-key, copy the key file and its .retired file from where it ran",
            config.audit_key_file.display()
        );
    }
    if made {
        match audit::anchor(&db, now).await? {
            Anchoring::NotNeeded => {}
            Anchoring::Anchored { plain_rows } => {
                tracing::info!(plain_rows, "audit rows from before the audit key anchored");
            }
            Anchoring::Broken(problem) => {
                tracing::error!(%problem, "the audit chain is broken: not anchored");
            }
        }
    }
    Ok(db)
}

/// The audit key in `path`, and whether it was made just now (see
/// [`crate::secrets::load_or_create`]). Of servers starting together, more than one may think
/// it made the key; [`audit::anchor`] is then written once all the same.
fn audit_key(path: &Path) -> anyhow::Result<(AuditKey, bool)> {
    let made = !path.exists();
    let secret = crate::secrets::load_or_create(path, "audit key")
        .and_then(|secret| Ok(<[u8; 32]>::try_from(&secret[..32])?))
        .context("the audit key (HUJI_AUDIT_KEY_FILE)")?;
    Ok((AuditKey::new(&secret), made))
}

/// Locks `<key_file>.lock` (made 0600 when missing), exclusively or shared, until the file
/// returned is dropped: a rotation holds it exclusively throughout, every command opening the
/// database holds it shared while it reads the key files (exclusively when it must finish a
/// rotation), and a backup holds it shared while it copies. Servers on other machines have
/// key files of their own: stop them before a rotation.
pub fn lock_keys(key_file: &Path, exclusive: bool) -> anyhow::Result<std::fs::File> {
    let path = beside(key_file, "lock");
    if let Some(dir) = path.parent() {
        private_file::create_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    if exclusive {
        file.lock()
    } else {
        file.lock_shared()
    }
    .with_context(|| format!("locking {}", path.display()))?;
    Ok(file)
}

/// The audit key a key file holds (64 hexadecimal digits or more), as the server reads it.
pub fn parse_audit_key(bytes: &[u8]) -> anyhow::Result<AuditKey> {
    let secret = hex::decode(String::from_utf8_lossy(bytes).trim())
        .ok()
        .filter(|secret| secret.len() >= 32)
        .context("not 64 hexadecimal digits")?;
    Ok(AuditKey::new(&<[u8; 32]>::try_from(&secret[..32])?))
}

/// The retired audit keys a `.retired` file holds, one per line, oldest first.
pub fn parse_retired_keys(bytes: &[u8]) -> anyhow::Result<Vec<AuditKey>> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(n, line)| {
            parse_audit_key(line.as_bytes()).with_context(|| format!("line {}", n + 1))
        })
        .collect()
}

/// `path` with `.suffix` added to its name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{suffix}"));
    PathBuf::from(name)
}

/// The file of the keys retired before the one in `key_file`, oldest first.
pub fn retired_keys_file(key_file: &Path) -> PathBuf {
    beside(key_file, "retired")
}

/// The file of the key a rotation hands the chain to, until it is in `key_file`.
fn next_key_file(key_file: &Path) -> PathBuf {
    beside(key_file, "next")
}

/// What a private file holds; none when it is not there.
fn read_if_there(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    match private_file::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(anyhow::anyhow!("reading {}: {error}", path.display())),
    }
}

/// The keys retired before the one in `key_file`; none when there is no `.retired` file.
fn read_retired_keys(key_file: &Path) -> anyhow::Result<Vec<AuditKey>> {
    let path = retired_keys_file(key_file);
    read_if_there(&path)?
        .map_or(Ok(Vec::new()), |bytes| parse_retired_keys(&bytes))
        .with_context(|| format!("{} is not a list of audit keys", path.display()))
}

/// Finishes the rotation a crash cut short, found by its `.next` file (under the exclusive
/// [`lock_keys`], so no rotation is running): when the database is bound to that key and its
/// last rotation retired `db`'s, puts it in place of `db`'s and says so; when the database is
/// still bound to `db`'s key, the rotation did not commit (or was undone in the database), and
/// its key is kept aside as `.next.abandoned-<now>` for an operator to look at.
async fn finish_rotation(key_file: &Path, db: &mut Db, now: i64) -> anyhow::Result<bool> {
    let next_file = next_key_file(key_file);
    let Some(text) = read_if_there(&next_file)? else {
        return Ok(false);
    };
    let next = parse_audit_key(&text)
        .with_context(|| format!("{} is not an audit key", next_file.display()))?;
    let bound = audit::bound_key(db).await?;
    let finished = if next.fingerprint() == db.audit.fingerprint() {
        // In place already; only the file was left.
        false
    } else if bound.as_deref() == Some(next.fingerprint()) {
        let retired = audit::rotated_from(db, next.fingerprint()).await?;
        if retired.as_deref() != Some(db.audit.fingerprint()) {
            anyhow::bail!(
                "the database was handed to the key in {} from another key than {}'s: put the \
                 key the chain was rotated from back in {} (from a backup of the key files)",
                next_file.display(),
                key_file.display(),
                key_file.display()
            );
        }
        put_in_place(key_file, db, next, &text)?;
        tracing::warn!("finished an audit key rotation that a crash cut short");
        true
    } else {
        let aside = beside(&next_file, &format!("abandoned-{now}"));
        std::fs::rename(&next_file, &aside)
            .and_then(|()| private_file::sync_dir_of(&aside))
            .with_context(|| format!("moving {} aside", next_file.display()))?;
        tracing::error!(
            kept = %aside.display(),
            "an audit key rotation did not commit, or the database no longer shows it: the \
             key stays as it was, and the key the rotation made is kept aside; run huji audit \
             verify"
        );
        return Ok(false);
    };
    std::fs::remove_file(&next_file)
        .with_context(|| format!("removing {}", next_file.display()))?;
    Ok(finished)
}

/// What `key_file` holds, if it is `key`; none if it is another key.
fn key_file_holding(key_file: &Path, key: &AuditKey) -> anyhow::Result<Option<Vec<u8>>> {
    let bytes = private_file::read(key_file)
        .map_err(|error| anyhow::anyhow!("reading {}: {error}", key_file.display()))?;
    Ok((parse_audit_key(&bytes)?.fingerprint() == key.fingerprint()).then_some(bytes))
}

/// Once the database is bound to `next` (whose file holds `text`): `db`'s key, which must be
/// the one in `key_file`, joins the end of the retired ones (unless it is there already, should
/// this run again after a crash), then `next` replaces it in `key_file`, and `db` holds the
/// new ring.
fn put_in_place(key_file: &Path, db: &mut Db, next: AuditKey, text: &[u8]) -> anyhow::Result<()> {
    let current = key_file_holding(key_file, &db.audit)?.with_context(|| {
        format!(
            "{} changed while its key was rotated: not retired",
            key_file.display()
        )
    })?;
    let current = String::from_utf8_lossy(&current).trim().to_owned();
    let retired_file = retired_keys_file(key_file);
    let mut retired = read_if_there(&retired_file)?
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let ring = parse_retired_keys(retired.as_bytes())?;
    if !ring
        .iter()
        .any(|key| key.fingerprint() == db.audit.fingerprint())
    {
        if !retired.is_empty() && !retired.ends_with('\n') {
            retired.push('\n');
        }
        retired.push_str(&current);
        retired.push('\n');
        private_file::replace(&retired_file, retired.as_bytes())
            .with_context(|| format!("writing {}", retired_file.display()))?;
    }
    private_file::replace(key_file, text)
        .with_context(|| format!("writing {}", key_file.display()))?;
    db.retired_audit = parse_retired_keys(retired.as_bytes())?.into();
    db.audit = next;
    Ok(())
}

/// What `huji audit rotate-key` did.
#[derive(Debug)]
pub struct Rotated {
    /// The rotation row: the first keyed with the new key.
    pub seq: i64,
    /// The new key's fingerprint.
    pub fingerprint: String,
}

/// `huji audit rotate-key`: checks the chain whole and reaching the checkpoint, makes a new
/// audit key (kept in `.next` until it is in place), hands the chain over to it
/// ([`audit::rotate`]), retires the old key into `.retired` and puts the new one in the key
/// file, then moves the checkpoint past the rotation. The servers must be stopped first: one
/// still running with the old key can append nothing from the rotation on.
pub async fn rotate_key(config: &Config, mut db: Db, now: i64) -> anyhow::Result<Rotated> {
    let _keys = lock_keys(&config.audit_key_file, true)?;
    // What this command opened the database with must still be the key in the file.
    key_file_holding(&config.audit_key_file, &db.audit)?.with_context(|| {
        format!(
            "{} changed since this command started (another rotation?): run it again",
            config.audit_key_file.display()
        )
    })?;
    let checkpoint = read_checkpoint(&config.audit_checkpoint_file)?;
    if let Some(problem) = audit::verify_with(&db, checkpoint.as_ref()).await?.problem {
        anyhow::bail!("the audit chain is broken, so it is not handed to a new key: {problem}");
    }
    let text = hex::encode(crate::secrets::random::<32>()?);
    let next = parse_audit_key(text.as_bytes())?;
    let next_file = next_key_file(&config.audit_key_file);
    // On the disk, entry and all, before the database is bound to the key it holds.
    private_file::write_new(&next_file, text.as_bytes())
        .and_then(|()| private_file::sync_dir_of(&next_file))
        .with_context(|| {
            format!(
                "writing {} (is another rotation running?)",
                next_file.display()
            )
        })?;
    let seq = match audit::rotate(&db, &next, now).await {
        Ok(seq) => seq,
        Err(error) => {
            // Committed or not, the `.next` file now says which: sort it out as a start would.
            finish_rotation(&config.audit_key_file, &mut db, now).await?;
            return Err(error).context("handing the audit chain to the new key");
        }
    };
    put_in_place(&config.audit_key_file, &mut db, next, text.as_bytes())?;
    std::fs::remove_file(&next_file)
        .with_context(|| format!("removing {}", next_file.display()))?;
    match advance_checkpoint(&db, &config.audit_checkpoint_file).await? {
        CheckpointMove::Advanced(head) if head.seq >= seq => {}
        other => anyhow::bail!("rotated, but the checkpoint did not move past it: {other:?}"),
    }
    Ok(Rotated {
        seq,
        fingerprint: db.audit.fingerprint().to_owned(),
    })
}

/// The checkpoint in `path`; none when there is no file yet.
pub fn read_checkpoint(path: &Path) -> anyhow::Result<Option<Checkpoint>> {
    // Only a file that is not there is no checkpoint: a file that cannot be looked at is an
    // error, not a fresh start.
    if !path
        .try_exists()
        .with_context(|| format!("looking for {}", path.display()))?
    {
        return Ok(None);
    }
    let text = private_file::read(path)
        .map_err(|error| anyhow::anyhow!("reading {}: {error}", path.display()))?;
    Checkpoint::parse(&String::from_utf8_lossy(&text))
        .map(Some)
        .with_context(|| format!("{} is not an audit checkpoint", path.display()))
}

/// What [`advance_checkpoint`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckpointMove {
    /// The head has not moved since.
    Unchanged,
    /// The file now holds the head.
    Advanced(Checkpoint),
    /// The chain does not follow on from the checkpoint to its head (`BehindCheckpoint`: the
    /// checkpoint's row is gone or changed); the file is left as it is.
    Stopped(audit::ChainBreak),
}

/// Moves the checkpoint in `path` (made, 0600, when missing) to the chain's head, only along
/// the chain: when the rows from the checkpoint on are not all there, linked and keyed up to
/// the head (rows cut from the end and the head set back, a head made up, an older backup
/// restored), the file keeps what it holds, so the evidence stays until an operator who knows
/// why moves it aside. The new file is written aside and renamed into place, so a reader never
/// sees half of one.
pub async fn advance_checkpoint(db: &Db, path: &Path) -> anyhow::Result<CheckpointMove> {
    let kept = read_checkpoint(path)?;
    let head = match audit::follow(db, kept.as_ref()).await? {
        Ok(head) => head,
        Err(problem) => return Ok(CheckpointMove::Stopped(problem)),
    };
    if kept.as_ref() == Some(&head) {
        return Ok(CheckpointMove::Unchanged);
    }
    private_file::replace(path, head.to_line().as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(CheckpointMove::Advanced(head))
}

/// Keeps the checkpoint in `path` at the chain's head, every `every` (the first at once),
/// and says loudly when the chain falls behind it.
pub async fn keep_checkpoint(db: Db, path: PathBuf, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        match advance_checkpoint(&db, &path).await {
            Ok(CheckpointMove::Stopped(problem)) => tracing::error!(
                %problem,
                path = %path.display(),
                "the audit checkpoint is not moved: the chain does not follow on from it to its \
                 head; run huji audit verify"
            ),
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "keeping the audit checkpoint failed"),
        }
    }
}
