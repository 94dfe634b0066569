//! What stands between a caller and argon2 (密碼表, L-7, L-18): the password check is slow on
//! purpose, so a caller could otherwise guess many passwords at once, or make the server
//! spend its cores on argon2.
//!
//! - **Lockout, per user code, across servers.** Every check first takes an attempt
//!   (take-then-refund, as the portal's other "N tries" rules) from the user code's bucket in
//!   the database ([`FAILURES`], the portal's `rate_limits`, so every server behind a load
//!   balancer counts against the one limit): at most [`FAILURES`]`.max` attempts that are not
//!   known to be right, in flight or failed, per window of [`LOCKOUT_SECONDS`]; the next ones
//!   are refused until the window ends. A right password gives its attempt back. So a burst of
//!   a thousand concurrent wrong guesses, spread over any number of servers, reaches argon2
//!   five times. Only callers from the case's own address get this far (the address is
//!   checked first).
//! - **Remembered successes.** A password that verified is remembered for
//!   [`REMEMBER_SECONDS`] as an HMAC-SHA256 under a key drawn at start from the operating
//!   system and never stored, of the case, the moment its 密碼表 was issued, the user code and
//!   the password: a memory dump shows no password, and a 密碼表 issued again (or revoked,
//!   which deletes it) no longer matches. A remembered password passes without argon2 even
//!   while the user code is locked, so a stranger's guessing does not stop the agency's
//!   running system. Each server remembers for itself: a cache, checked with argon2 once per
//!   server.

use app::platform::rate_limit::Limit;
use ring::hmac;
use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a lockout lasts at most: the window the failures are counted in.
pub const LOCKOUT_SECONDS: i64 = 15 * 60;
/// `Retry-After` of a lockout: the longest it can last.
pub const LOCKOUT_SECONDS_TEXT: &str = "900";
/// Attempts not known to be right, per user code and window, before the user code locks.
pub const FAILURES: Limit = Limit {
    max: 5,
    window_seconds: LOCKOUT_SECONDS,
};
/// How long a verified password is remembered.
pub const REMEMBER_SECONDS: i64 = 5 * 60;
/// The most remembered passwords before expired ones are dropped.
const REMEMBERED_MAX: usize = 4096;

/// The user code's bucket in `rate_limits`.
fn bucket(user: &str) -> String {
    format!("link-password:{user}")
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

    /// Takes an attempt for `user` at `now`; false when the user code is locked (nothing to
    /// check).
    pub async fn take(&self, pool: &AnyPool, user: &str, now: i64) -> sqlx::Result<bool> {
        Ok(FAILURES.hit(pool, &bucket(user), now).await?.is_ok())
    }

    /// The password of an attempt taken by [`PasswordGuard::take`] at `now` verified: its
    /// attempt is given back, and it is remembered.
    pub async fn passed(
        &self,
        pool: &AnyPool,
        presented: &Presented<'_>,
        now: i64,
    ) -> sqlx::Result<()> {
        FAILURES.refund(pool, &bucket(presented.user), now).await?;
        self.remember(presented, now);
        Ok(())
    }

    fn remember(&self, presented: &Presented<'_>, now: i64) {
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
    fn l_18_retry_after_says_how_long_the_lockout_lasts() {
        assert_eq!(LOCKOUT_SECONDS_TEXT.parse::<i64>(), Ok(LOCKOUT_SECONDS));
    }

    #[test]
    fn l_18_a_verified_password_is_remembered_a_while_for_its_issue_only() {
        let guard = PasswordGuard::new();
        let now = 1_700_000_000;
        assert!(!guard.remembered(&presented("right", 1), now));
        guard.remember(&presented("right", 1), now);
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
