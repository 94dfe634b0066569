//! The injected clock: every business rule reads time from here, in Asia/Taipei (F-3).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::{Asia::Taipei, Tz};
use std::sync::{Arc, Mutex};

/// Where "now" comes from. Production uses [`SystemClock`]; tests use [`FixedClock`] so that
/// "24 hours", "same day" and "10 working days" are tested without sleeping.
pub trait Clock: Send + Sync + 'static {
    fn now_utc(&self) -> DateTime<Utc>;

    /// Now, as a wall-clock time in Taipei.
    fn now_taipei(&self) -> DateTime<Tz> {
        self.now_utc().with_timezone(&Taipei)
    }

    /// Today's date in Taipei: the "same day" of every daily rule.
    fn today_taipei(&self) -> NaiveDate {
        self.now_taipei().date_naive()
    }

    /// Seconds since the Unix epoch, as stored in the database.
    fn unix(&self) -> i64 {
        self.now_utc().timestamp()
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_utc(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until a test moves it.
#[derive(Debug, Clone)]
pub struct FixedClock(Arc<Mutex<DateTime<Utc>>>);

impl FixedClock {
    pub fn at(instant: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(instant)))
    }

    /// A clock set to a Taipei wall-clock time, as the rules are written.
    pub fn at_taipei(local: NaiveDateTime) -> Self {
        Self::at(taipei_to_utc(local))
    }

    pub fn set(&self, instant: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = instant;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *guard += by;
    }
}

impl Clock for FixedClock {
    fn now_utc(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Taipei has had no daylight-saving time since 1979, so every local time maps to one instant.
pub fn taipei_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    Taipei
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&(local - chrono::Duration::hours(8))))
}

/// A stored Unix timestamp as a Taipei wall-clock time.
pub fn unix_to_taipei(seconds: i64) -> DateTime<Tz> {
    Utc.timestamp_opt(seconds, 0)
        .single()
        .unwrap_or_default()
        .with_timezone(&Taipei)
}

/// `months` calendar months after `unix`, in Taipei's calendar (a month-end that does not
/// exist, such as 29 February in a common year, becomes the month's last day).
pub fn months_after(unix: i64, months: u32) -> Option<i64> {
    unix_to_taipei(unix)
        .checked_add_months(chrono::Months::new(months))
        .map(|at| at.timestamp())
}

/// `112/11/17 14:35:04`, the ROC date-time the ministry's pages show.
pub fn roc_date_time(unix: i64) -> String {
    crate::domain::roc_date::RocDateTime::from_naive(unix_to_taipei(unix).naive_local())
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// `112/11/17`, the ROC date (Taipei) the ministry's forms print.
pub fn roc_date(unix: i64) -> String {
    crate::domain::roc_date::RocDate::from_naive(unix_to_taipei(unix).date_naive())
        .map(|d| d.display_slash())
        .unwrap_or_default()
}

/// `1121117`, the compact ROC date (Taipei) of A-7 and of case numbers.
pub fn roc_date_compact(unix: i64) -> String {
    crate::domain::roc_date::RocDate::from_naive(unix_to_taipei(unix).date_naive())
        .map(|d| d.display_compact())
        .unwrap_or_default()
}

/// A case number: `prefix`, the ROC date (Taipei) of `now` and the case's row id, at least six
/// digits (e.g. `L1151128-000042`): unique without a retry, and telling a clerk the day.
pub fn case_reference(prefix: char, id: i64, now: i64) -> String {
    format!("{prefix}{}-{id:06}", roc_date_compact(now))
}

/// The Unix time at which the Taipei day containing `unix` began: what per-day counts key on.
pub fn taipei_day_start(unix: i64) -> i64 {
    taipei_day_span(unix_to_taipei(unix).date_naive()).0
}

/// The Unix seconds of Taipei's day `date`: `[from, until)`.
pub fn taipei_day_span(date: chrono::NaiveDate) -> (i64, i64) {
    let start = |date: chrono::NaiveDate| {
        taipei_to_utc(date.and_hms_opt(0, 0, 0).unwrap_or_default()).timestamp()
    };
    (start(date), start(date.succ_opt().unwrap_or(date)))
}

/// The instant at which the Taipei day containing `now` ends: daily limits reset then.
pub fn next_taipei_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now.with_timezone(&Taipei).date_naive();
    let tomorrow = today.succ_opt().unwrap_or(today);
    taipei_to_utc(tomorrow.and_hms_opt(0, 0, 0).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taipei_day_starts_at_its_midnight() {
        // 2023-11-17 00:00:00 +08:00 is 1700150400.
        assert_eq!(taipei_day_start(1_700_150_400), 1_700_150_400);
        assert_eq!(taipei_day_start(1_700_150_400 + 86_399), 1_700_150_400);
        assert_eq!(taipei_day_start(1_700_150_400 - 1), 1_700_150_400 - 86_400);
    }

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("test literal")
    }

    #[test]
    fn f3_taipei_day_starts_at_16_utc() {
        let clock = FixedClock::at_taipei(local("2023-11-17 23:59:59"));
        assert_eq!(
            clock.today_taipei(),
            NaiveDate::from_ymd_opt(2023, 11, 17).unwrap()
        );
        clock.advance(chrono::Duration::seconds(1));
        assert_eq!(
            clock.today_taipei(),
            NaiveDate::from_ymd_opt(2023, 11, 18).unwrap()
        );
        assert_eq!(clock.now_utc().format("%H:%M").to_string(), "16:00");
    }

    #[test]
    fn f3_next_midnight_is_taipei_midnight() {
        let now = taipei_to_utc(local("2023-11-17 14:35:04"));
        assert_eq!(
            next_taipei_midnight(now),
            taipei_to_utc(local("2023-11-18 00:00:00"))
        );
    }

    #[test]
    fn stored_timestamps_read_back_in_taipei() {
        let at = taipei_to_utc(local("2023-11-17 14:35:04"));
        assert_eq!(
            unix_to_taipei(at.timestamp()).naive_local(),
            local("2023-11-17 14:35:04")
        );
    }

    #[test]
    fn l_1_forms_print_the_taipei_date_in_roc_form() {
        assert_eq!(
            roc_date(taipei_to_utc(local("2023-11-17 00:10:00")).timestamp()),
            "112/11/17"
        );
        assert_eq!(
            roc_date(taipei_to_utc(local("2023-11-16 23:59:59")).timestamp()),
            "112/11/16"
        );
    }
}
