//! What stands between a caller and argon2 (密碼表, L-7, L-18): the password check is slow on
//! purpose, so a caller could otherwise guess many passwords at once, or make the server
//! spend its cores on argon2.
//!
//! - **Lockout, per user code.** Every check first takes an attempt (take-then-refund, as the
//!   portal's other "N tries" rules): a caller may have at most [`MAX_FAILURES`] attempts
//!   that are not known to be right, in flight or failed, within [`LOCKOUT_SECONDS`]; the
//!   next one locks the user code for [`LOCKOUT_SECONDS`]. A right password gives its attempt
//!   back. So a burst of a thousand concurrent wrong guesses reaches argon2 five times. Only
//!   callers from the case's own address get this far (the address is checked first), and
//!   the counts are per server process (behind n servers, n times as many tries — against a
//!   116-bit password, still nothing).
//! - **Remembered successes.** A password that verified is remembered for
//!   [`REMEMBER_SECONDS`] as an HMAC-SHA256 under a key drawn at start from the operating
//!   system and never stored, of the case, the moment its 密碼表 was issued, the user code and
//!   the password: a memory dump shows no password, and a 密碼表 issued again (or revoked,
//!   which deletes it) no longer matches. A remembered password passes without argon2 even
//!   while the user code is locked, so a stranger's guessing does not stop the agency's
//!   running system.

use ring::hmac;
use std::collections::HashMap;
use std::sync::Mutex;

/// Attempts not known to be right, within [`LOCKOUT_SECONDS`], before the user code locks.
pub const MAX_FAILURES: u32 = 5;
/// How long a lockout lasts, and the window the failures are counted in.
pub const LOCKOUT_SECONDS: i64 = 15 * 60;
/// `Retry-After` of a lockout.
pub const LOCKOUT_SECONDS_TEXT: &str = "900";
/// How long a verified password is remembered.
pub const REMEMBER_SECONDS: i64 = 5 * 60;
/// The most remembered passwords before expired ones are dropped.
const REMEMBERED_MAX: usize = 4096;

/// One user code's attempts.
#[derive(Clone, Copy, Debug, Default)]
struct Attempts {
    /// Taken and not given back: failed, or still being checked.
    taken: u32,
    /// When the first of them was taken.
    since: i64,
    locked_until: i64,
}

/// A 密碼表 as presented, to look up or remember.
pub struct Presented<'a> {
    pub link_id: &'a str,
    /// When the case's 密碼表 was issued.
    pub issued_at: i64,
    pub user: &'a str,
    pub password: &'a str,
}

pub struct PasswordGuard {
    key: hmac::Key,
    attempts: Mutex<HashMap<String, Attempts>>,
    /// Tag → remembered until.
    remembered: Mutex<HashMap<Vec<u8>, i64>>,
}

impl PasswordGuard {
    /// A guard with a fresh key from the operating system's CSPRNG.
    pub fn new() -> PasswordGuard {
        use rand::RngCore;
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        PasswordGuard {
            key: hmac::Key::new(hmac::HMAC_SHA256, &secret),
            attempts: Mutex::default(),
            remembered: Mutex::default(),
        }
    }

    fn tag(&self, presented: &Presented) -> Vec<u8> {
        let mut context = hmac::Context::with_key(&self.key);
        for part in [
            presented.link_id.as_bytes(),
            &presented.issued_at.to_be_bytes(),
            presented.user.as_bytes(),
            presented.password.as_bytes(),
        ] {
            context.update(&(part.len() as u64).to_be_bytes());
            context.update(part);
        }
        context.sign().as_ref().to_vec()
    }

    /// Whether this password verified lately; if so it is remembered [`REMEMBER_SECONDS`]
    /// more, so that a system calling steadily needs argon2 only once.
    pub fn remembered(&self, presented: &Presented, now: i64) -> bool {
        let tag = self.tag(presented);
        match lock(&self.remembered).get_mut(&tag) {
            Some(until) if now < *until => {
                *until = now + REMEMBER_SECONDS;
                true
            }
            _ => false,
        }
    }

    /// Takes an attempt for `user`; false when the user code is locked (nothing to check).
    pub fn take(&self, user: &str, now: i64) -> bool {
        let mut attempts = lock(&self.attempts);
        let entry = attempts.entry(user.to_owned()).or_default();
        if now < entry.locked_until {
            return false;
        }
        if entry.taken > 0 && now - entry.since >= LOCKOUT_SECONDS {
            *entry = Attempts::default();
        }
        if entry.taken >= MAX_FAILURES {
            *entry = Attempts {
                locked_until: now + LOCKOUT_SECONDS,
                ..Attempts::default()
            };
            return false;
        }
        if entry.taken == 0 {
            entry.since = now;
        }
        entry.taken += 1;
        true
    }

    /// The password of an attempt taken by [`PasswordGuard::take`] verified: its attempt is
    /// given back, and it is remembered.
    pub fn passed(&self, presented: &Presented, now: i64) {
        {
            let mut attempts = lock(&self.attempts);
            if let Some(entry) = attempts.get_mut(presented.user) {
                entry.taken = entry.taken.saturating_sub(1);
                // The caller proved the password: a lockout its own burst caused ends.
                entry.locked_until = 0;
            }
        }
        let tag = self.tag(presented);
        let mut remembered = lock(&self.remembered);
        if remembered.len() >= REMEMBERED_MAX {
            remembered.retain(|_, until| now < *until);
        }
        if remembered.len() < REMEMBERED_MAX {
            remembered.insert(tag, now + REMEMBER_SECONDS);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presented<'a>(password: &'a str, issued_at: i64) -> Presented<'a> {
        Presented {
            link_id: "A1121117-000001",
            issued_at,
            user: "379130000C-ABCDEFGH",
            password,
        }
    }

    #[test]
    fn l_18_a_burst_of_wrong_guesses_reaches_the_password_check_five_times() {
        let guard = PasswordGuard::new();
        let now = 1_700_000_000;
        let taken = (0..1000)
            .filter(|_| guard.take("379130000C-ABCDEFGH", now))
            .count();
        assert_eq!(taken, MAX_FAILURES as usize);
        assert!(
            guard.take("379130000C-ZZZZZZZZ", now),
            "another user code is not affected"
        );
        assert!(!guard.take("379130000C-ABCDEFGH", now + LOCKOUT_SECONDS - 1));
        assert!(
            guard.take("379130000C-ABCDEFGH", now + LOCKOUT_SECONDS),
            "the lockout ends"
        );
    }

    #[test]
    fn l_18_retry_after_says_how_long_the_lockout_lasts() {
        assert_eq!(LOCKOUT_SECONDS_TEXT.parse::<i64>(), Ok(LOCKOUT_SECONDS));
    }

    #[test]
    fn l_18_a_right_password_gives_its_attempt_back() {
        let guard = PasswordGuard::new();
        let now = 1_700_000_000;
        for _ in 0..20 {
            assert!(guard.take("379130000C-ABCDEFGH", now));
            guard.passed(&presented("right", 1), now);
        }
        for _ in 0..MAX_FAILURES {
            assert!(guard.take("379130000C-ABCDEFGH", now));
        }
        assert!(!guard.take("379130000C-ABCDEFGH", now));
    }

    #[test]
    fn l_18_a_verified_password_is_remembered_a_while_for_its_issue_only() {
        let guard = PasswordGuard::new();
        let now = 1_700_000_000;
        assert!(!guard.remembered(&presented("right", 1), now));
        guard.take("379130000C-ABCDEFGH", now);
        guard.passed(&presented("right", 1), now);
        assert!(guard.remembered(&presented("right", 1), now + 10));
        assert!(!guard.remembered(&presented("wrong", 1), now + 10));
        assert!(
            !guard.remembered(&presented("right", 2), now + 10),
            "issued again"
        );
        assert!(guard.remembered(&presented("right", 1), now + REMEMBER_SECONDS));
        assert!(
            !guard.remembered(&presented("right", 1), now + 3 * REMEMBER_SECONDS),
            "forgotten when unused"
        );
    }
}
