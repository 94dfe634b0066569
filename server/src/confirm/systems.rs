//! The registered systems as the API sees them on each call: all of them, read from the
//! database at most once per cache period, so that a certificate of no system (anyone can
//! make one) costs no read; each registered certificate's check against the trust store
//! (chain, validity, CRL) remembered as long; and each system's calls of the day against its
//! quota, shared by every server.

use app::pki::{Purpose, TrustStore};
use app::platform::clock::taipei_day_start;
use app::services::confirmation::systems::{self, System};
use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A client certificate's system, as last read.
pub(super) struct Known {
    pub system: System,
    /// The certificate still checks (not revoked, chain intact) as of the check.
    pub certificate_checks: bool,
}

/// Every registered system by its certificate's SHA-256, as read at a moment.
struct Snapshot {
    read_at: Instant,
    by_certificate: HashMap<String, System>,
}

pub(super) struct Systems {
    keep_for: Duration,
    snapshot: Mutex<Option<Arc<Snapshot>>>,
    /// One reader at a time: the calls that find the snapshot stale wait for its new one.
    reading: tokio::sync::Mutex<()>,
    /// SHA-256 of a registered certificate → when checked, and whether it checked.
    checks: Mutex<HashMap<String, (Instant, bool)>>,
    /// System id → this server's block of the day's quota.
    days: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<Held>>>>,
}

impl Systems {
    pub(super) fn new(keep_for: Duration) -> Systems {
        Systems {
            keep_for,
            snapshot: Mutex::new(None),
            reading: tokio::sync::Mutex::new(()),
            checks: Mutex::new(HashMap::new()),
            days: Mutex::new(HashMap::new()),
        }
    }

    /// The system whose server certificate is `der` (fingerprint `sha256`), checked at `now`.
    pub(super) async fn get(
        &self,
        pool: &AnyPool,
        trust: &TrustStore,
        der: &[u8],
        sha256: &str,
        now: i64,
    ) -> sqlx::Result<Option<Known>> {
        let snapshot = self.snapshot(pool).await?;
        let Some(system) = snapshot.by_certificate.get(sha256) else {
            return Ok(None);
        };
        let remembered = lock(&self.checks)
            .get(sha256)
            .filter(|(at, _)| at.elapsed() < self.keep_for)
            .map(|(_, checks)| *checks);
        let certificate_checks = match remembered {
            Some(checks) => checks,
            None => {
                let checks = trust
                    .check_certificate(der, Purpose::ServerCertificate, now)
                    .is_ok();
                // Registered certificates only: as many entries as systems.
                lock(&self.checks).insert(sha256.to_owned(), (Instant::now(), checks));
                checks
            }
        };
        Ok(Some(Known {
            system: system.clone(),
            certificate_checks,
        }))
    }

    /// The registered systems, read again once the last read is older than the cache period.
    async fn snapshot(&self, pool: &AnyPool) -> sqlx::Result<Arc<Snapshot>> {
        let fresh = |snapshot: &Option<Arc<Snapshot>>| {
            snapshot
                .as_ref()
                .filter(|snapshot| snapshot.read_at.elapsed() < self.keep_for)
                .cloned()
        };
        if let Some(snapshot) = fresh(&lock(&self.snapshot)) {
            return Ok(snapshot);
        }
        let _reading = self.reading.lock().await;
        if let Some(snapshot) = fresh(&lock(&self.snapshot)) {
            return Ok(snapshot);
        }
        let read_at = Instant::now();
        let by_certificate = systems::all(pool)
            .await?
            .into_iter()
            .map(|system| (system.certificate_sha256.clone(), system))
            .collect();
        let snapshot = Arc::new(Snapshot {
            read_at,
            by_certificate,
        });
        *lock(&self.snapshot) = Some(snapshot.clone());
        Ok(snapshot)
    }

    /// Counts one answered call of `system` at `now` against its daily quota; false, counting
    /// nothing, once the day's quota is given out. A server takes the quota from the count
    /// all servers share a block at a time ([`block`]), and answers from its block.
    pub(super) async fn take_quota(
        &self,
        pool: &AnyPool,
        system: &System,
        now: i64,
    ) -> sqlx::Result<bool> {
        // One call of a system at a time takes a block; the others wait and answer from it.
        let held = lock(&self.days).entry(system.id).or_default().clone();
        let mut held = held.lock().await;
        // A call begun before midnight and served after counts in the new day.
        let day = taipei_day_start(now).max(held.day);
        if held.day != day {
            *held = Held {
                day,
                ..Held::default()
            };
        }
        if held.left == 0 {
            // Given out at this quota: no need to ask again unless it is raised.
            if held
                .spent_at
                .is_some_and(|quota| quota >= system.daily_quota)
            {
                return Ok(false);
            }
            let got = systems::take_quota(
                pool,
                system.id,
                day,
                system.daily_quota,
                block(system.daily_quota),
            )
            .await?;
            if got == 0 {
                held.spent_at = Some(system.daily_quota);
                return Ok(false);
            }
            held.left = got;
        }
        held.left -= 1;
        Ok(true)
    }
}

/// How much of a day's quota a server takes at a time: a hundredth, between 1 and 100 calls.
/// What a server holds when it stops is lost for the day, so a system can be refused up to
/// that much per server before its quota is quite given out, never answered beyond it.
fn block(daily_quota: i64) -> i64 {
    (daily_quota / 100).clamp(1, 100)
}

/// A server's block of a system's quota for one Taipei day.
#[derive(Default)]
struct Held {
    day: i64,
    /// Calls of the block not answered yet.
    left: i64,
    /// The quota at which the shared count said the day's quota was given out.
    spent_at: Option<i64>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i_3_a_server_takes_a_hundredth_of_the_quota_at_a_time() {
        assert_eq!(block(1), 1);
        assert_eq!(block(3), 1);
        assert_eq!(block(300), 3);
        assert_eq!(block(100_000), 100);
    }
}
