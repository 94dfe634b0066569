//! Opening the database as every command does: the audit key first (made at first start),
//! then the connection and its migrations, the check that the key is the one the database is
//! bound to, then — only when the key was made just now — the anchor that closes the audit rows
//! written before there was a key (F-8); and the chain's checkpoint outside the database.

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
    let (key, made) = audit_key(&config.audit_key_file)?;
    let db = Db::connect(&config.database_url, config.db_max_connections, key).await?;
    if !audit::bind_key(&db).await? {
        // A key made just now for a database that has one is a stray: leave no trace of it.
        if made {
            std::fs::remove_file(&config.audit_key_file)
                .with_context(|| format!("removing {}", config.audit_key_file.display()))?;
        }
        anyhow::bail!(
            "the database's audit rows are keyed with another audit key than {}: run huji where \
             the servers' key file is, or point HUJI_AUDIT_KEY_FILE at it",
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
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    if let Some(dir) = dir {
        private_file::create_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let aside = path.with_extension(format!("new-{}", uuid::Uuid::new_v4().simple()));
    let renamed = private_file::write_new(&aside, head.to_line().as_bytes())
        .and_then(|()| std::fs::rename(&aside, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&aside);
    }
    renamed.with_context(|| format!("writing {}", path.display()))?;
    // The rename itself survives a power cut once the directory is on disk.
    std::fs::File::open(dir.unwrap_or(Path::new(".")))
        .and_then(|dir| dir.sync_all())
        .with_context(|| format!("syncing the directory of {}", path.display()))?;
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
