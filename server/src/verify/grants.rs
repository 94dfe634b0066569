//! The grants named by calls (API申請 approved, 憑證上傳 done), read from the database at most
//! once per [`Settings::grant_cache`](super::Settings) and server: under load most calls then
//! need no read of their own. A change to a grant (a suspension, a new IP, a new certificate)
//! reaches every server within that time; zero reads the grant on every call. That a grant
//! does not exist is remembered as long, so that calls naming one nobody has do not each cost
//! a read either (issue 21 item 6).

use sqlx::{AnyPool, Row};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A grant as the checks of a call need it.
pub(super) struct Grant {
    pub(super) status: String,
    pub(super) host_ip: String,
    pub(super) isskey: Option<String>,
    pub(super) certificate_pem: Option<String>,
    /// Suspended by the abnormal-use detector (A-N9).
    pub(super) abnormal: bool,
}

/// A grant's name: (統一編號, apId).
type Name = (String, String);

/// The grants read lately, with when each was read.
type Entries = HashMap<Name, (Instant, Arc<Grant>)>;

/// The names without a grant kept at most: callers choose them, so unlike the grants (one
/// entry per row of `api_grants`) they need a bound.
const MAX_ABSENT: usize = 10_000;

/// The grants read lately, by 統一編號 and apId, and the names lately found to have none.
pub(super) struct Grants {
    keep_for: Duration,
    entries: Mutex<Entries>,
    absent: Mutex<HashMap<Name, Instant>>,
}

impl Grants {
    pub(super) fn new(keep_for: Duration) -> Grants {
        Grants {
            keep_for,
            entries: Mutex::new(HashMap::new()),
            absent: Mutex::new(HashMap::new()),
        }
    }

    /// The grant `ap_id` of `business_id`, if there is one.
    pub(super) async fn get(
        &self,
        pool: &AnyPool,
        business_id: &str,
        ap_id: &str,
    ) -> sqlx::Result<Option<Arc<Grant>>> {
        if !plausible(business_id, ap_id) {
            return Ok(None);
        }
        let key = (business_id.to_owned(), ap_id.to_owned());
        if let Some((read_at, grant)) = self.lock().get(&key) {
            if read_at.elapsed() < self.keep_for {
                return Ok(Some(Arc::clone(grant)));
            }
        }
        if let Some(read_at) = lock(&self.absent).get(&key) {
            if read_at.elapsed() < self.keep_for {
                return Ok(None);
            }
        }
        let read_at = Instant::now();
        let row = sqlx::query(
            "SELECT status, host_ip, isskey, certificate_pem, abnormal_since FROM api_grants \
             WHERE business_id = $1 AND ap_id = $2",
        )
        .bind(business_id)
        .bind(ap_id)
        .fetch_optional(pool)
        .await?;
        let Some(row) = row else {
            self.lock().remove(&key);
            self.remember_absent(key, read_at);
            return Ok(None);
        };
        let grant = Arc::new(Grant {
            status: row.try_get("status")?,
            host_ip: row.try_get("host_ip")?,
            isskey: row.try_get("isskey")?,
            certificate_pem: row.try_get("certificate_pem")?,
            abnormal: row.try_get::<Option<i64>, _>("abnormal_since")?.is_some(),
        });
        if !self.keep_for.is_zero() {
            self.lock().insert(key, (read_at, Arc::clone(&grant)));
        }
        Ok(Some(grant))
    }

    /// Remembers that `name` has no grant, unless [`MAX_ABSENT`] names are held even after
    /// those older than the cache time are dropped.
    fn remember_absent(&self, name: Name, read_at: Instant) {
        if self.keep_for.is_zero() {
            return;
        }
        let mut absent = lock(&self.absent);
        if absent.len() >= MAX_ABSENT {
            absent.retain(|_, at| at.elapsed() < self.keep_for);
        }
        if absent.len() < MAX_ABSENT {
            absent.insert(name, read_at);
        }
    }

    /// Forgets the grants of `business_id`, changed by this server, and that it had none.
    pub(super) fn forget(&self, business_id: &str) {
        self.lock()
            .retain(|(business, _), _| business != business_id);
        lock(&self.absent).retain(|(business, _), _| business != business_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        lock(&self.entries)
    }
}

/// Whether a caller's claimed name could be a grant's: a 統一編號 of 8 digits and an apId of at
/// most 32 letters, digits, `-` or `_`. Any other name has no grant and is neither read nor
/// remembered, so that names made up by unauthenticated callers, whose length only the
/// header limit bounds, cannot fill the cache (issue 21 item 6).
fn plausible(business_id: &str, ap_id: &str) -> bool {
    business_id.len() == 8
        && business_id.bytes().all(|byte| byte.is_ascii_digit())
        && (1..=32).contains(&ap_id.len())
        && ap_id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::plausible;

    #[test]
    fn security_21_6_only_names_a_grant_could_have_are_read_or_remembered() {
        assert!(plausible("24536806", "APAAAAAAAA"));
        assert!(plausible("24536806", "AP-RENAMED"));
        let long = "A".repeat(33);
        for (business_id, ap_id) in [
            ("2453680", "APAAAAAAAA"),
            ("2453680x", "APAAAAAAAA"),
            ("24536806", ""),
            ("24536806", long.as_str()),
            ("24536806", "AP AAAAAAA"),
            ("24536806", "AP王AAAAAA"),
        ] {
            assert!(!plausible(business_id, ap_id), "{business_id} {ap_id}");
        }
    }
}
