//! The abnormal-use detector (A-N9, issue 5 §4). It watches each grant's answered calls in
//! fixed windows of the server's clock and finds three kinds of abuse: a burst of mismatches
//! (someone guessing card data), a burst of distinct ID numbers (someone sweeping the
//! registry), and a volume far above the company's own normal (its average window over the
//! last 30 days, never below a floor). A finding suspends the grant — later calls answer
//! checkIdCardApply 8 — and tells the review desk. The company regains it only by an approved
//! improvement plan and a new application (A-N11).
//!
//! Each server process watches the calls it serves: behind a load balancer the thresholds
//! apply to each server's share.

use super::Verdict;
use app::platform::id_hash;
use sqlx::AnyPool;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// The thresholds, from the configuration (docs/operations.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// The window's length in seconds.
    pub window_seconds: u32,
    /// Mismatches (checkIdCardApply 2–5) in one window.
    pub mismatches: u32,
    /// Distinct ID numbers asked about in one window.
    pub distinct_ids: u32,
    /// Calls in one window: this many times the company's average window…
    pub volume_factor: u32,
    /// …and never fewer than this.
    pub volume_floor: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            window_seconds: 600,
            mismatches: 300,
            distinct_ids: 20_000,
            volume_factor: 20,
            volume_floor: 60_000,
        }
    }
}

/// How long the company's normal volume is trusted before it is read again.
const BASELINE_SECONDS: i64 = 3_600;
/// The history the normal volume is taken from.
const HISTORY_SECONDS: i64 = 30 * 86_400;

#[derive(Default)]
struct Window {
    start: i64,
    calls: u32,
    mismatches: u32,
    ids: HashSet<i64>,
    /// A finding was made in this window already.
    found: bool,
}

pub(super) struct Detector {
    thresholds: Thresholds,
    windows: Mutex<HashMap<String, Window>>,
    /// business_id → (read at, calls in an average window).
    baselines: Mutex<HashMap<String, (i64, u32)>>,
}

impl Detector {
    pub(super) fn new(thresholds: Thresholds) -> Detector {
        Detector {
            thresholds,
            windows: Mutex::new(HashMap::new()),
            baselines: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one answered call of `business_id`; the finding, in both languages, when this
    /// call crosses a threshold (once per window).
    pub(super) async fn observe(
        &self,
        pool: &AnyPool,
        business_id: &str,
        now: i64,
        id_hash: &str,
        verdict: Verdict,
    ) -> Option<String> {
        let t = self.thresholds;
        // A company's normal that cannot be read is taken as the floor: the call is counted
        // all the same, so that no burst slips past while the database is busy.
        let volume_limit = self
            .volume_limit(pool, business_id, now)
            .await
            .unwrap_or_else(|error| {
                tracing::error!(%error, "reading the company's normal volume failed");
                t.volume_floor
            });
        let window_start = now - now.rem_euclid(i64::from(t.window_seconds.max(1)));
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let window = windows.entry(business_id.to_owned()).or_default();
        if window.start != window_start {
            *window = Window {
                start: window_start,
                ..Window::default()
            };
        }
        window.calls += 1;
        if matches!(verdict, Verdict::NoMatch { .. } | Verdict::LockedToday) {
            window.mismatches += 1;
        }
        if window.ids.len() < t.distinct_ids as usize {
            window
                .ids
                .insert(id_hash::short(id_hash).unwrap_or_default());
        }
        if window.found {
            return None;
        }
        let minutes = t.window_seconds / 60;
        let finding = if window.mismatches >= t.mismatches {
            format!(
                "{minutes} 分鐘內 {} 次資料不符 / {} mismatches within {minutes} minutes",
                window.mismatches, window.mismatches
            )
        } else if window.ids.len() >= t.distinct_ids as usize {
            format!(
                "{minutes} 分鐘內查驗 {} 個不同身分證號 / {} distinct ID numbers within {minutes} minutes",
                window.ids.len(),
                window.ids.len()
            )
        } else if window.calls >= volume_limit {
            format!(
                "{minutes} 分鐘內 {} 次查驗，遠高於平常 / {} calls within {minutes} minutes, far above normal",
                window.calls, window.calls
            )
        } else {
            return None;
        };
        window.found = true;
        Some(finding)
    }

    /// Calls in one window that count as abnormal volume for this company.
    async fn volume_limit(&self, pool: &AnyPool, business_id: &str, now: i64) -> sqlx::Result<u32> {
        let t = self.thresholds;
        let known = self
            .baselines
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(business_id)
            .copied();
        let average = match known {
            Some((read_at, average)) if (read_at..read_at + BASELINE_SECONDS).contains(&now) => {
                average
            }
            _ => {
                let calls: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM api_calls \
                     WHERE business_id = $1 AND signed = 1 AND called_at >= $2 AND called_at < $3",
                )
                .bind(business_id)
                .bind(now - HISTORY_SECONDS)
                .bind(now)
                .fetch_one(pool)
                .await?;
                let windows = HISTORY_SECONDS / i64::from(t.window_seconds.max(1));
                let average = u32::try_from(calls / windows.max(1)).unwrap_or(u32::MAX);
                self.baselines
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(business_id.to_owned(), (now, average));
                average
            }
        };
        Ok(average.saturating_mul(t.volume_factor).max(t.volume_floor))
    }
}
