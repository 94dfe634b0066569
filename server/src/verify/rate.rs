//! The per-apId rate limit (issue 5 §4): at most `per_second` calls a second for each grant,
//! counted in whole seconds of the server's clock. Each server process counts its own calls,
//! so behind a load balancer of n servers a grant may make up to n times the rate.

use std::collections::HashMap;
use std::sync::Mutex;

pub(crate) struct RateLimit {
    per_second: u32,
    /// apId → (the second, calls in it).
    seconds: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimit {
    pub(crate) fn new(per_second: u32) -> RateLimit {
        RateLimit {
            per_second,
            seconds: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a call of `ap_id` at `now`; false when the second's allowance is spent.
    pub(crate) fn allow(&self, ap_id: &str, now: i64) -> bool {
        let mut seconds = self.seconds.lock().unwrap_or_else(|e| e.into_inner());
        let entry = match seconds.get_mut(ap_id) {
            Some(entry) => entry,
            None => seconds.entry(ap_id.to_owned()).or_insert((now, 0)),
        };
        if entry.0 != now {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_second {
            return false;
        }
        entry.1 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_11_each_grant_has_its_own_allowance_each_second() {
        let rate = RateLimit::new(2);
        assert!(rate.allow("APAAAAAAAA", 100));
        assert!(rate.allow("APAAAAAAAA", 100));
        assert!(!rate.allow("APAAAAAAAA", 100));
        assert!(
            rate.allow("APBBBBBBBB", 100),
            "another grant is not affected"
        );
        assert!(
            rate.allow("APAAAAAAAA", 101),
            "a new second, a new allowance"
        );
    }
}
