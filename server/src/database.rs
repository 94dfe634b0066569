//! Opening the database as every command does: the audit key first (made at first start),
//! then the connection and its migrations, the check that the key is the one the database is
//! bound to, then — only when the key was made just now — the anchor that closes the audit rows
//! written before there was a key (F-8).

use crate::config::Config;
use anyhow::Context;
use app::platform::audit::{self, Anchoring, AuditKey};
use app::platform::db::Db;
use std::path::Path;

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
