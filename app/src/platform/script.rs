//! Statements sent to the database together. On SQLite, every statement of a [`Script`] goes to
//! the connection's worker thread in one string, its anonymous `?` parameters bound in order
//! across the statements (sqlx's `Executor::fetch_many`): one hand-off for all of them, where
//! each statement sent on its own costs two thread wake-ups, which on this service's machines
//! took longer than SQLite's work. On PostgreSQL, whose prepared statements hold one statement
//! each, a script's statements go one after another.
//!
//! A [`Writing`] is a write transaction made of scripts: its first script begins it and its
//! last commits it, so that a batch of the machine APIs reads, decides, writes and commits in
//! two or three hand-offs. It is rolled back when a script fails, and its connection closed
//! (which rolls back too) if it is dropped still open.
//!
//! sqlx marks several statements in one SQLite query as behaviour it may drop
//! (launchbadge/sqlx#3108), so the version is pinned, and the tests of scripts
//! (server/tests/integration/platform.rs) fail if a script's statements stop running in
//! order, each answering its own rows, up to the first that fails and no further.

use super::db::{Backend, Db};
use futures_util::TryStreamExt;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Arguments, Either, Encode, Executor, Type};

/// Statements to run together. [`Script::push`] starts a statement (written with the
/// backend's parameters: `?` on SQLite, `$1`… on PostgreSQL, as [`super::db::placeholders`]
/// writes them) and answers its place; [`Script::bind`] binds its next parameter.
pub struct Script<'q> {
    backend: Backend,
    /// On SQLite one part holding every statement; on PostgreSQL one part a statement.
    parts: Vec<(String, AnyArguments<'q>)>,
    statements: usize,
    /// Made by [`Writing::script`]: its first statement begins a write transaction.
    begins: bool,
    /// The first value that could not be encoded, reported when the script runs.
    unencoded: Option<String>,
}

/// A script that stopped: the statements that ran to their end before it, and why.
#[derive(Debug)]
pub struct Stopped {
    pub ran: usize,
    pub error: sqlx::Error,
}

impl From<Stopped> for sqlx::Error {
    fn from(stopped: Stopped) -> sqlx::Error {
        stopped.error
    }
}

/// What each statement of a script answered, by the place [`Script::push`] gave it.
pub struct Answers(Vec<Vec<AnyRow>>);

impl Answers {
    /// The rows of the statement at `place` (taken: asked again, none).
    pub fn rows(&mut self, place: usize) -> Vec<AnyRow> {
        self.0
            .get_mut(place)
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

impl<'q> Script<'q> {
    pub fn new(backend: Backend) -> Script<'q> {
        Script {
            backend,
            parts: Vec::new(),
            statements: 0,
            begins: false,
            unencoded: None,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts the statement `sql`; answers its place among the script's statements. On SQLite
    /// a numbered parameter (`$1`, `?1`) would name a value of the whole script, not of the
    /// statement: write anonymous `?`s there.
    pub fn push(&mut self, sql: &str) -> usize {
        match (self.backend, self.parts.last_mut()) {
            (Backend::Sqlite, Some((text, _))) => {
                // On a line of its own, so that no statement's last line can swallow it.
                text.push_str("\n;\n");
                text.push_str(sql);
            }
            _ => self.parts.push((sql.to_owned(), AnyArguments::default())),
        }
        self.statements += 1;
        self.statements - 1
    }

    /// Binds the next parameter of the statement last pushed.
    pub fn bind<T: 'q + Encode<'q, Any> + Type<Any>>(&mut self, value: T) -> &mut Self {
        let Some((_, arguments)) = self.parts.last_mut() else {
            self.unencoded
                .get_or_insert_with(|| "a parameter bound before any statement".into());
            return self;
        };
        if let Err(error) = arguments.add(value) {
            self.unencoded.get_or_insert_with(|| error.to_string());
        }
        self
    }

    /// Runs the statements in order on `connection`, up to the first that fails.
    pub async fn run(self, connection: &mut AnyConnection) -> Result<Answers, Stopped> {
        if let Some(error) = self.unencoded {
            return Err(Stopped {
                ran: 0,
                error: sqlx::Error::Encode(error.into()),
            });
        }
        let mut answers: Vec<Vec<AnyRow>> = Vec::with_capacity(self.statements);
        let mut rows = Vec::new();
        for (sql, arguments) in self.parts {
            let mut results = (&mut *connection).fetch_many(sqlx::query_with(&sql, arguments));
            loop {
                match results.try_next().await {
                    Ok(Some(Either::Right(row))) => rows.push(row),
                    // Each statement ends with its result, after its rows.
                    Ok(Some(Either::Left(_))) => answers.push(std::mem::take(&mut rows)),
                    Ok(None) => break,
                    Err(error) => {
                        return Err(Stopped {
                            ran: answers.len(),
                            error,
                        })
                    }
                }
            }
        }
        if answers.len() != self.statements {
            // Every statement was sent, a COMMIT among them perhaps: count them all as run.
            return Err(Stopped {
                ran: self.statements,
                error: sqlx::Error::Protocol(format!(
                    "a script of {} statements answered {}",
                    self.statements,
                    answers.len()
                )),
            });
        }
        Ok(Answers(answers))
    }
}

/// A write transaction sent as scripts, on a connection of its own from the pool.
pub struct Writing {
    /// `None` once committed or rolled back.
    connection: Option<PoolConnection<Any>>,
}

/// Why a [`Writing`] failed.
#[derive(Debug)]
pub enum Unwritten {
    /// Nothing of it was written: it was rolled back.
    RolledBack(sqlx::Error),
    /// Its commit failed, and may have happened all the same.
    Commit(sqlx::Error),
}

impl From<Unwritten> for sqlx::Error {
    fn from(unwritten: Unwritten) -> sqlx::Error {
        match unwritten {
            Unwritten::RolledBack(error) | Unwritten::Commit(error) => error,
        }
    }
}

/// What became of the transaction of a script that failed.
#[derive(PartialEq, Eq)]
enum Ended {
    /// `ROLLBACK` undid it. (On PostgreSQL, a `ROLLBACK` outside a transaction succeeds too;
    /// but no statement is sent there after one fails, so a failure before the `COMMIT`
    /// always leaves a transaction to undo.)
    RolledBack,
    /// No transaction was open any more: SQLite had ended it (a `COMMIT` that ran, or an
    /// error it rolls back by itself), or the connection could not tell and was closed.
    Otherwise,
}

impl Writing {
    /// A script for `backend` that begins a write transaction (SQLite takes its write lock at
    /// once, as [`Db::begin_write`] does): hand it to [`Writing::begin`]. Its first statement
    /// is the `BEGIN`, so the places of the caller's start at 1.
    pub fn script<'q>(backend: Backend) -> Script<'q> {
        let mut script = Script::new(backend);
        script.push(backend.begin_write());
        script.begins = true;
        script
    }

    /// Begins a write transaction on one of `db`'s connections with `script`, made by
    /// [`Writing::script`]; answers what its statements answered.
    pub async fn begin(db: &Db, script: Script<'_>) -> Result<(Writing, Answers), Unwritten> {
        let mut writing = Writing::start(db, &script).await?;
        let answers = writing.run(script).await?;
        Ok((writing, answers))
    }

    /// Begins a write transaction on one of `db`'s connections, runs `script` (made by
    /// [`Writing::script`]) and commits: one hand-off on SQLite. See [`Writing::commit`].
    pub async fn once(db: &Db, script: Script<'_>) -> Result<Answers, Unwritten> {
        Writing::start(db, &script).await?.commit(script).await
    }

    /// A transaction about to begin with `script`, on one of `db`'s connections.
    async fn start(db: &Db, script: &Script<'_>) -> Result<Writing, Unwritten> {
        if !script.begins {
            return Err(Unwritten::RolledBack(sqlx::Error::Protocol(
                "a write transaction's first script begins it: make it with Writing::script".into(),
            )));
        }
        let connection = db.pool.acquire().await.map_err(Unwritten::RolledBack)?;
        Ok(Writing {
            connection: Some(connection),
        })
    }

    /// Runs `script` in the transaction; rolls it back when a statement fails.
    pub async fn run(&mut self, script: Script<'_>) -> Result<Answers, Unwritten> {
        let connection = self.connection()?;
        match script.run(connection).await {
            Ok(answers) => Ok(answers),
            Err(stopped) => {
                self.roll_back().await;
                Err(Unwritten::RolledBack(stopped.error))
            }
        }
    }

    /// Runs `script` and commits, in one hand-off on SQLite; answers what its statements
    /// answered. The transaction counts as rolled back only when a statement before the
    /// `COMMIT` failed and the `ROLLBACK` then undid it (or the `BEGIN` failed); otherwise it
    /// may be committed.
    pub async fn commit(mut self, mut script: Script<'_>) -> Result<Answers, Unwritten> {
        let commit = script.push("COMMIT");
        let begins = script.begins;
        let connection = self.connection()?;
        match script.run(connection).await {
            Ok(answers) => {
                // Committed: the connection goes back to the pool.
                self.connection = None;
                Ok(answers)
            }
            Err(stopped) => {
                let ended = self.roll_back().await;
                // A `BEGIN` that failed began nothing.
                let unbegun = begins && stopped.ran == 0;
                Err(
                    if stopped.ran < commit && (ended == Ended::RolledBack || unbegun) {
                        Unwritten::RolledBack(stopped.error)
                    } else {
                        Unwritten::Commit(stopped.error)
                    },
                )
            }
        }
    }

    fn connection(&mut self) -> Result<&mut AnyConnection, Unwritten> {
        match self.connection.as_mut() {
            Some(connection) => Ok(connection),
            None => Err(Unwritten::RolledBack(sqlx::Error::Protocol(
                "the transaction has ended".into(),
            ))),
        }
    }

    /// Rolls back (on SQLite, a failed statement leaves its transaction open; on PostgreSQL it
    /// leaves it aborted). A connection that cannot roll back is closed, which does.
    /// The connection stays in `self` until the `ROLLBACK` is answered, so that a task
    /// cancelled meanwhile still closes it (see `Drop`).
    async fn roll_back(&mut self) -> Ended {
        let Some(connection) = self.connection.as_mut() else {
            return Ended::Otherwise;
        };
        let ended = match (&mut **connection).execute("ROLLBACK").await {
            Ok(_) => Ended::RolledBack,
            // SQLite's own words when its transaction had already ended.
            Err(error) if error.to_string().contains("no transaction is active") => {
                Ended::Otherwise
            }
            Err(error) => {
                tracing::warn!(%error, "a rollback failed: the connection is closed");
                if let Some(connection) = self.connection.take() {
                    drop(connection.detach());
                }
                return Ended::Otherwise;
            }
        };
        // Out of its transaction: back to the pool.
        self.connection = None;
        ended
    }
}

impl Drop for Writing {
    /// Dropped still open (its task cancelled or panicking, or its caller gave up on a row it
    /// could not read): the connection is closed rather than given back mid-transaction, and
    /// the database rolls the transaction back.
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            drop(connection.detach());
        }
    }
}
