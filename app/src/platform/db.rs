//! Database connection: one code path (sqlx `Any`) over SQLite, the embedded default, and
//! PostgreSQL, for deployments with several servers. Migrations run at start.

use super::audit::AuditKey;
use super::private_file;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::str::FromStr;
use std::time::Duration;

/// Which database a URL names; the few places where SQL differs ask this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The statement that begins a transaction that will read and then write: see
    /// [`Db::begin_write`].
    pub fn begin_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    pub fn of_url(url: &str) -> Result<Backend, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::UnsupportedUrl)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("cannot create the database directory {0}: {1}")]
    Directory(String, std::io::Error),
    #[error("the database file: {0}")]
    Private(std::io::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The pool, the backend it talks to, and the key of the audit chain written into it.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Keys the hashes of the audit chain (F-8) that this process appends; kept outside the
    /// database.
    pub audit: AuditKey,
    /// The keys the chain was keyed with before `audit`, oldest first (see
    /// [`super::audit::rotate`]); a check needs them, an append never.
    pub retired_audit: std::sync::Arc<[AuditKey]>,
    /// On SQLite, the connection of [`Db::dedicated`], opened when first used.
    machine: Option<AnyPool>,
}

/// The pages (4 KiB each) SQLite's write-ahead log may hold before the server's
/// [`Db::checkpoint`] finishes copying it on the connection that writes the most, after which
/// the log starts again from its beginning: the log stays near 256 MiB however long writes go
/// on. The finishing copy holds that connection's work up for a few milliseconds; at 64 MiB it
/// came every second or two under the verification benchmark.
pub const WAL_RESTART_PAGES: i64 = 65_536;

/// How every pool connects. On SQLite: WAL mode, a busy timeout, foreign keys; and for the
/// `dedicated` connection (see [`Db::dedicated`]), commits that never stop to copy the log into
/// the file.
fn pool_options(backend: Backend, max_connections: u32, dedicated: bool) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        // A SQLite connection is a file handle in this process: nothing between can drop it,
        // and a test before each use would cost a round trip to its worker thread.
        .test_before_acquire(backend != Backend::Sqlite)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers run beside the single writer; a writer waits up to
                    // 5 s for the lock instead of failing at once.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    if dedicated {
                        conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                    }
                }
                Ok(())
            })
        })
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Db {
    /// Connects (creating a SQLite file and its directory on first start) and migrates; the
    /// audit rows it appends are keyed with `audit`.
    pub async fn connect(url: &str, max_connections: u32, audit: AuditKey) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(DbError::Connect)?
            .disable_statement_logging();
        let pool = pool_options(backend, max_connections, false)
            .connect_with(options)
            .await
            .map_err(DbError::Connect)?;
        let machine = (backend == Backend::Sqlite).then(|| {
            pool_options(backend, 1, true).connect_lazy_with((*pool.connect_options()).clone())
        });
        let db = Db {
            pool,
            backend,
            audit,
            retired_audit: std::sync::Arc::new([]),
            machine,
        };
        db.migrate().await?;
        Ok(db)
    }

    /// The audit keys in the order the chain used them: the retired ones, then `audit`.
    pub fn audit_keys(&self) -> Vec<&AuditKey> {
        self.retired_audit.iter().chain([&self.audit]).collect()
    }

    /// On SQLite, the one connection of its own to the same database that the machine APIs'
    /// batches share (the verification API's and the confirmation API's): they run one after
    /// the other, as SQLite runs writes anyway, and never wait for the write lock of each other;
    /// its page cache is not thrown away whenever another connection writes; and its commits
    /// never checkpoint (a checkpoint in a commit holds up every call queued behind it) — the
    /// server's [`Db::checkpoint`] job does that, finishing on this connection, which writes
    /// the most. On PostgreSQL, the same pool.
    pub fn dedicated(&self) -> Db {
        match &self.machine {
            Some(machine) => Db {
                pool: machine.clone(),
                ..self.clone()
            },
            None => self.clone(),
        }
    }

    /// On SQLite, copies what the write-ahead log holds into the database file without
    /// waiting for any reader or writer (a passive checkpoint), and answers the pages the log
    /// holds; 0 on PostgreSQL, which has nothing to do.
    ///
    /// Under writes that never pause, a passive checkpoint never copies the whole log (more is
    /// written while it copies), and only a wholly copied log starts again from its beginning.
    /// So once the log holds `restart_at` pages ([`WAL_RESTART_PAGES`] in the server), the copy
    /// is finished on `writer`, the connection that writes the most (see [`Db::dedicated`]):
    /// while it checkpoints it does not write, the little written since the first copy is
    /// copied, and its next commit restarts the log. Its batches wait for that short copy only.
    pub async fn checkpoint(&self, writer: &Db, restart_at: i64) -> sqlx::Result<i64> {
        if self.backend != Backend::Sqlite {
            return Ok(0);
        }
        let pages = passive_checkpoint(&self.pool).await?;
        if pages < restart_at {
            return Ok(pages);
        }
        // Each copy takes about the time to copy what was written during the one before, so
        // two more leave little for the writer's own.
        for _ in 0..2 {
            passive_checkpoint(&self.pool).await?;
        }
        passive_checkpoint(&writer.pool).await
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// A transaction that will read and then write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a concurrent writer makes it wait (busy timeout) instead of
    /// failing with SQLITE_BUSY when its read lock cannot be upgraded. PostgreSQL locks rows
    /// as they are written and needs nothing special.
    pub async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Any>> {
        self.pool.begin_with(self.backend.begin_write()).await
    }
}

/// `(CAST($1 AS TEXT), …), (…), …`: the placeholders of `rows` rows of values of the SQL
/// `types`, the statement's only parameters, bound in order. The casts give the values their
/// types on every database (PostgreSQL cannot infer a type for a bare parameter in `VALUES`).
/// SQLite gets anonymous `?`s: it looks a named parameter up by a walk through all of them,
/// which made binding a batch's thousand parameters quadratic.
pub fn placeholders(backend: Backend, rows: usize, types: &[&str]) -> String {
    let columns = types.len();
    (0..rows)
        .map(|row| {
            let values = types
                .iter()
                .enumerate()
                .map(|(column, ty)| match backend {
                    Backend::Sqlite => format!("CAST(? AS {ty})"),
                    Backend::Postgres => format!("CAST(${} AS {ty})", 1 + row * columns + column),
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("({values})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `PRAGMA wal_checkpoint(PASSIVE)` on one of `pool`'s connections: the pages in the log.
async fn passive_checkpoint(pool: &AnyPool) -> sqlx::Result<i64> {
    let (_busy, pages, _copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(pool)
        .await?;
    Ok(pages)
}

/// The file a SQLite `url` names (`sqlite:data/huji.db`, `sqlite:///srv/huji.db?mode=rwc`), as
/// [`Db::connect`] will open it: read as sqlx's `Any` driver reads it (the URL normalised, `..`
/// resolved, then the SQLite driver's own reading); none for an in-memory database.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    if Backend::of_url(url).ok()? != Backend::Sqlite {
        return None;
    }
    let normalised = AnyConnectOptions::from_str(url).ok()?.database_url;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(normalised.as_str()).ok()?;
    let file = options.get_filename();
    let name = file.to_string_lossy();
    (!name.is_empty() && !name.starts_with("file:sqlx-in-memory") && name != ":memory:")
        .then(|| file.to_path_buf())
}

/// `sqlite:data/huji.db` → creates `data/` and the file (0600), which SQLite then opens.
fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let Some(file) = sqlite_file(url) else {
        return Ok(url.to_owned());
    };
    let file = file.as_path();
    if let Some(dir) = file.parent() {
        private_file::create_dir(dir)
            .map_err(|e| DbError::Directory(dir.display().to_string(), e))?;
    }
    // Made here rather than by SQLite, which would make it readable by everyone (0644 under
    // the usual umask); SQLite gives its log and index (-wal, -shm) the file's own mode.
    match private_file::create_new(file) {
        Err(error) if error.kind() != std::io::ErrorKind::AlreadyExists => {
            return Err(DbError::Private(error))
        }
        _ => {}
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        private_file::check(std::path::Path::new(&name)).map_err(DbError::Private)?;
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_every_value_once() {
        assert_eq!(
            placeholders(Backend::Postgres, 2, &["TEXT", "BIGINT"]),
            "(CAST($1 AS TEXT), CAST($2 AS BIGINT)), (CAST($3 AS TEXT), CAST($4 AS BIGINT))"
        );
        assert_eq!(
            placeholders(Backend::Sqlite, 2, &["TEXT", "BIGINT"]),
            "(CAST(? AS TEXT), CAST(? AS BIGINT)), (CAST(? AS TEXT), CAST(? AS BIGINT))"
        );
    }

    #[test]
    fn the_sqlite_file_is_the_one_sqlite_opens() {
        use std::path::Path;
        let file = |url| sqlite_file(url);
        assert_eq!(
            file("sqlite:data/huji.db").as_deref(),
            Some(Path::new("data/huji.db"))
        );
        assert_eq!(
            file("sqlite:///srv/huji.db?mode=rwc").as_deref(),
            Some(Path::new("/srv/huji.db"))
        );
        assert_eq!(
            file("sqlite:////tmp/x.db").as_deref(),
            Some(Path::new("//tmp/x.db"))
        );
        assert_eq!(
            file("sqlite://data/../x.db").as_deref(),
            Some(Path::new("data/x.db"))
        );
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("postgres://huji@db/huji"), None);
    }

    #[test]
    fn backend_is_chosen_by_url_scheme() {
        assert_eq!(
            Backend::of_url("sqlite:data/huji.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::of_url("postgres://u@localhost/huji").ok(),
            Some(Backend::Postgres)
        );
        assert!(Backend::of_url("mysql://x").is_err());
    }

    #[test]
    fn sqlite_url_gets_create_mode() {
        let dir = std::env::temp_dir().join(format!("huji-db-url-{}", std::process::id()));
        let url = format!("sqlite://{}/a.db", dir.display());
        assert_eq!(
            prepare_sqlite_url(&url).ok(),
            Some(format!("{url}?mode=rwc"))
        );
        assert!(dir.is_dir());
        let _ = std::fs::remove_dir_all(dir);
    }
}
