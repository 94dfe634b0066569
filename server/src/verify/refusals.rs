//! Calls to the machine APIs that no registered caller was proven to make (issue 21 item 6):
//! a forged or misdirected call naming a real grant or linked agency, or a call naming no
//! one. Anyone can send them, so they are counted, not kept a row each: per API, what the call
//! named, the refusal and the hour, with the last moment and address seen, in `refused_calls`
//! (migration 0040). Each server adds its refusals up in memory and adds them to the table
//! every second and when it stops, so a flood costs the database one upsert per key and
//! second, and the table grows with hours and the parties named, never with the calls. A
//! server that dies loses the counts it has not written: its last second's, or more while the
//! database refuses them (then at most [`MAX_KEYS`] keys are kept, and refusals of any other
//! key are dropped and logged).

use app::platform::db::Db;
use std::collections::hash_map::{Entry, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How often each server adds its counts to the table.
const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// How long the counts are kept.
pub const KEPT_SECONDS: i64 = 180 * 86_400;
/// The most keys a server holds unwritten (while the database refuses the writes).
const MAX_KEYS: usize = 65_536;
/// The span one row counts.
const HOUR: i64 = 3_600;

/// A machine API whose refusals are counted.
#[derive(Clone, Copy)]
pub enum Api {
    Verification,
    AgencyLink,
}

impl Api {
    fn code(self) -> &'static str {
        match self {
            Api::Verification => "verification",
            Api::AgencyLink => "agency-link",
        }
    }
}

/// One refused call.
pub struct Refusal<'a> {
    pub api: Api,
    /// What the call named, once known to exist (`business_id/ap_id`, a link case id); empty
    /// when it named no one: never a value only the caller made up, so the keys stay few.
    pub named: String,
    pub code: &'static str,
    pub at: i64,
    pub source: &'a str,
}

/// Ordered as the table's key, so that every server writes its rows (and takes their locks)
/// in one order: two servers never wait for each other.
#[derive(PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    hour: i64,
    api: &'static str,
    named: String,
    code: &'static str,
}

struct Count {
    refusals: i64,
    last_at: i64,
    last_source: String,
}

impl Count {
    fn add(&mut self, other: Count) {
        self.refusals += other.refusals;
        if other.last_at >= self.last_at {
            self.last_at = other.last_at;
            self.last_source = other.last_source;
        }
    }
}

type Counts = HashMap<Key, Count>;

fn merge(counts: &mut Counts, key: Key, count: Count) {
    let full = counts.len() >= MAX_KEYS;
    match counts.entry(key) {
        Entry::Occupied(mut counted) => counted.get_mut().add(count),
        Entry::Vacant(_) if full => {
            tracing::warn!(
                refusals = count.refusals,
                "too many refusal counts unwritten; dropped"
            );
        }
        Entry::Vacant(vacant) => {
            vacant.insert(count);
        }
    }
}

/// The counts of one server, and their writer. Cheap to clone.
#[derive(Clone)]
pub struct Refusals {
    db: Db,
    counts: Arc<Mutex<Counts>>,
    /// Held while counts are written, so that [`Refusals::flush`] returns only once the counts
    /// another writer took are in the table too.
    writing: Arc<tokio::sync::Mutex<()>>,
}

impl Refusals {
    /// Starts the writer on the current runtime.
    pub fn start(db: Db) -> Refusals {
        let refusals = Refusals {
            db,
            counts: Arc::default(),
            writing: Arc::default(),
        };
        let writer = refusals.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                writer.flush().await;
            }
        });
        refusals
    }

    /// Counts a refused call; written within a second.
    pub fn count(&self, refusal: Refusal<'_>) {
        let key = Key {
            hour: refusal.at - refusal.at.rem_euclid(HOUR),
            api: refusal.api.code(),
            named: refusal.named,
            code: refusal.code,
        };
        let count = Count {
            refusals: 1,
            last_at: refusal.at,
            last_source: refusal.source.to_owned(),
        };
        merge(
            &mut self.counts.lock().unwrap_or_else(PoisonError::into_inner),
            key,
            count,
        );
    }

    /// Returns once every refusal counted before is in the table. Counts that cannot be
    /// written are kept for the next turn.
    pub async fn flush(&self) {
        let _writing = self.writing.lock().await;
        let taken =
            std::mem::take(&mut *self.counts.lock().unwrap_or_else(PoisonError::into_inner));
        if taken.is_empty() {
            return;
        }
        if let Err(error) = write(&self.db, &taken).await {
            tracing::error!(%error, keys = taken.len(), "writing the counts of refused calls failed");
            let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
            for (key, count) in taken {
                merge(&mut counts, key, count);
            }
        }
    }
}

async fn write(db: &Db, counts: &Counts) -> sqlx::Result<()> {
    let mut keys: Vec<(&Key, &Count)> = counts.iter().collect();
    keys.sort_unstable_by_key(|&(key, _)| key);
    let mut tx = db.pool.begin().await?;
    for (key, count) in keys {
        sqlx::query(
            "INSERT INTO refused_calls (hour, api, named, code, refusals, last_at, last_source) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (hour, api, named, code) DO UPDATE SET \
             refusals = refused_calls.refusals + excluded.refusals, \
             last_source = CASE WHEN excluded.last_at >= refused_calls.last_at \
                 THEN excluded.last_source ELSE refused_calls.last_source END, \
             last_at = CASE WHEN excluded.last_at >= refused_calls.last_at \
                 THEN excluded.last_at ELSE refused_calls.last_at END",
        )
        .bind(key.hour)
        .bind(key.api)
        .bind(&key.named)
        .bind(key.code)
        .bind(count.refusals)
        .bind(count.last_at)
        .bind(&count.last_source)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Drops the counts older than [`KEPT_SECONDS`].
pub async fn purge_expired(pool: &sqlx::AnyPool, now: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM refused_calls WHERE hour < $1")
        .bind(now - KEPT_SECONDS)
        .execute(pool)
        .await?;
    Ok(())
}
