//! The registered systems as the API sees them on each call: read from the database at most
//! once per cache period for each client certificate, with the certificate checked against
//! the trust store (chain, validity, CRL) at the same time; and each system's calls of the day
//! against its quota, shared by every server.

use app::pki::{Purpose, TrustStore};
use app::platform::clock::unix_to_taipei;
use app::services::confirmation::systems::{self, System};
use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Fingerprints remembered at most, registered or not: any client can present certificates
/// of its own making, and each would otherwise stay.
const MAX_ENTRIES: usize = 10_000;

/// A client certificate's system, as last read.
pub(super) struct Known {
    pub system: System,
    /// The certificate still checks (not revoked, chain intact) as of the read.
    pub certificate_checks: bool,
}

/// When a fingerprint was read, and the system found for it.
type Entry = (Instant, Option<Arc<Known>>);

pub(super) struct Systems {
    keep_for: Duration,
    /// SHA-256 of the client certificate → when read, and what was found.
    entries: Mutex<HashMap<String, Entry>>,
    /// System id → this server's block of the day's quota.
    days: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<Held>>>>,
}

impl Systems {
    pub(super) fn new(keep_for: Duration) -> Systems {
        Systems {
            keep_for,
            entries: Mutex::new(HashMap::new()),
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
    ) -> sqlx::Result<Option<Arc<Known>>> {
        if let Some((read_at, known)) = lock(&self.entries).get(sha256) {
            if read_at.elapsed() < self.keep_for {
                return Ok(known.clone());
            }
        }
        let read_at = Instant::now();
        let known = systems::by_certificate(pool, sha256).await?.map(|system| {
            Arc::new(Known {
                certificate_checks: trust
                    .check_certificate(der, Purpose::ServerCertificate, now)
                    .is_ok(),
                system,
            })
        });
        if !self.keep_for.is_zero() {
            let mut entries = lock(&self.entries);
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, (at, _)| at.elapsed() < self.keep_for);
            }
            if entries.len() < MAX_ENTRIES {
                entries.insert(sha256.to_owned(), (read_at, known.clone()));
            }
        }
        Ok(known)
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
        let day = day_start(now);
        // One call of a system at a time takes a block; the others wait and answer from it.
        let held = lock(&self.days).entry(system.id).or_default().clone();
        let mut held = held.lock().await;
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

/// The Unix time of midnight in Taipei of the day of `now`.
fn day_start(now: i64) -> i64 {
    let taipei = unix_to_taipei(now);
    let midnight = taipei
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists");
    now - (taipei.naive_local() - midnight).num_seconds()
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

    #[test]
    fn i_3_quotas_count_taipei_days() {
        // 2023-11-17 00:00:00 +08:00 is 1700150400.
        assert_eq!(day_start(1_700_150_400), 1_700_150_400);
        assert_eq!(day_start(1_700_150_400 + 86_399), 1_700_150_400);
        assert_eq!(day_start(1_700_150_400 - 1), 1_700_150_400 - 86_400);
    }
}
