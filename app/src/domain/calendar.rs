//! Working days of Taiwan's government offices (F-3): weekends and national holidays are off,
//! make-up working Saturdays (補行上班日) are on, so deadlines like "10 working days" can be counted.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::ops::Bound;

/// A calendar of days off and make-up working days. The default has weekends only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    /// The years the calendar lists any day of: the years whose holidays it knows.
    years: BTreeSet<i32>,
}

/// The first year whose working days the portal counts: the seeds' own dates are from 民國 112.
pub const FIRST_YEAR: i32 = 2023;

/// Years the holiday table should list and does not: a working day counted in them would be
/// wrong (a holiday taken for a working day), so the server refuses to start and `/healthz`
/// fails until the table is completed (F-3).
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[error("the holiday table lists no day of {}: add the DGPA calendar (行政機關辦公日曆表) of those years", .0.iter().map(i32::to_string).collect::<Vec<_>>().join(", "))]
pub struct MissingYears(pub Vec<i32>);

/// A line of the holiday table that cannot be read; lines count from 1.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CalendarError {
    #[error("line {line}: expected a date written YYYY-MM-DD")]
    Date { line: usize },
    #[error("line {line}: expected `holiday` or `workday` after the date")]
    Kind { line: usize },
    #[error("line {line}: expected the name of the day after `holiday` or `workday`")]
    Name { line: usize },
    #[error("line {line}: a make-up working day must be a Saturday or a Sunday")]
    WorkdayOnWeekday { line: usize },
    #[error("line {line}: this date is already listed")]
    Duplicate { line: usize },
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl WorkingCalendar {
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        makeup_workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> WorkingCalendar {
        let holidays: BTreeSet<NaiveDate> = holidays.into_iter().collect();
        let workdays: BTreeSet<NaiveDate> = makeup_workdays.into_iter().collect();
        let years = holidays
            .iter()
            .chain(&workdays)
            .map(Datelike::year)
            .collect();
        WorkingCalendar {
            holidays,
            workdays,
            years,
        }
    }

    /// Reads the table format of `server/data/holidays.txt`: one `YYYY-MM-DD holiday <name>` or
    /// `YYYY-MM-DD workday <name>` per line; `#` starts a comment; blank lines are skipped.
    pub fn parse_table(text: &str) -> Result<WorkingCalendar, CalendarError> {
        let mut calendar = WorkingCalendar::default();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let content = raw.split('#').next().unwrap_or_default();
            let mut words = content.split_whitespace();
            let Some(date) = words.next() else {
                continue;
            };
            let date: NaiveDate = date.parse().map_err(|_| CalendarError::Date { line })?;
            let kind = words.next();
            if !matches!(kind, Some("holiday" | "workday")) {
                return Err(CalendarError::Kind { line });
            }
            if words.next().is_none() {
                return Err(CalendarError::Name { line });
            }
            if calendar.holidays.contains(&date) || calendar.workdays.contains(&date) {
                return Err(CalendarError::Duplicate { line });
            }
            calendar.years.insert(date.year());
            if kind == Some("holiday") {
                calendar.holidays.insert(date);
            } else if is_weekend(date) {
                calendar.workdays.insert(date);
            } else {
                return Err(CalendarError::WorkdayOnWeekday { line });
            }
        }
        Ok(calendar)
    }

    /// Every year from [`FIRST_YEAR`] through `through` (the current year, Taipei) is listed:
    /// the portal can see back to the seeds' dates and forward to today, and a year the table
    /// does not list would count its holidays as working days.
    pub fn require_years(&self, through: i32) -> Result<(), MissingYears> {
        let missing: Vec<i32> = (FIRST_YEAR..=through)
            .filter(|year| !self.years.contains(year))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(MissingYears(missing))
        }
    }

    /// A make-up working day is a working day even if also listed as a holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.workdays.contains(&date) || !(is_weekend(date) || self.holidays.contains(&date))
    }

    /// The `n`th working day after `start` (`start` itself does not count, so `n = 0` gives
    /// `start`). Stops at the last date chrono can hold rather than overflow.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut date = start;
        let mut left = n;
        while left > 0 {
            let Some(next) = date.succ_opt() else {
                return date;
            };
            date = next;
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// Whether `at` (Taipei local time) falls in the household offices' hours: a working day,
    /// 08:30–12:00 or 13:30–17:00 (C-2; seed 002 申辦時間, the hours seed 004's
    /// 非上班 refers to).
    pub fn is_office_hours(&self, at: NaiveDateTime) -> bool {
        super::office_hours::OfficeHours::standard().is_open(self, at)
    }

    /// How many working days come after `from`, up to and including `to`; 0 if `to <= from`.
    /// Counts whole weeks arithmetically, so long spans cost no more than short ones.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        let days = to.signed_duration_since(from).num_days();
        let tail_weekdays = (0..days % 7)
            .filter_map(|back| to.checked_sub_days(Days::new(back.unsigned_abs())))
            .filter(|date| !is_weekend(*date))
            .count();
        let span = (Bound::Excluded(from), Bound::Included(to));
        let weekday_holidays = self
            .holidays
            .range(span)
            .filter(|date| !is_weekend(**date) && !self.workdays.contains(*date))
            .count();
        let weekend_workdays = self
            .workdays
            .range(span)
            .filter(|date| is_weekend(**date))
            .count();
        days / 7 * 5 + tail_weekdays as i64 - weekday_holidays as i64 + weekend_workdays as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn c_2_office_hours_are_working_days_0830_to_1200_and_1330_to_1700() {
        let calendar = WorkingCalendar::new([ymd(2023, 10, 10)], [ymd(2023, 9, 23)]);
        let at = |text: &str| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a date-time")
        };
        // Friday 2023-11-17.
        for open in [
            "2023-11-17 08:30",
            "2023-11-17 11:59",
            "2023-11-17 13:30",
            "2023-11-17 16:59",
        ] {
            assert!(calendar.is_office_hours(at(open)), "{open}");
        }
        for closed in [
            "2023-11-17 08:29",
            "2023-11-17 12:00",
            "2023-11-17 13:29",
            "2023-11-17 17:00",
            "2023-11-17 22:00",
            "2023-11-18 10:00", // Saturday
            "2023-10-10 10:00", // a holiday
        ] {
            assert!(!calendar.is_office_hours(at(closed)), "{closed}");
        }
        assert!(
            calendar.is_office_hours(at("2023-09-23 10:00")),
            "a make-up Saturday"
        );
    }

    #[test]
    fn f3_the_shipped_table_lists_every_year_from_112_and_a_missing_year_is_named() {
        let table = include_str!("../../../server/data/holidays.txt");
        let calendar = WorkingCalendar::parse_table(table).expect("the shipped table");
        assert_eq!(calendar.require_years(2027), Ok(()));
        assert_eq!(
            calendar.require_years(2029),
            Err(MissingYears(vec![2028, 2029]))
        );
        // 112/01/20–29 were off (春節), 112/01/07 a make-up Saturday.
        assert!(!calendar.is_working_day(ymd(2023, 1, 26)));
        assert!(calendar.is_working_day(ymd(2023, 1, 7)));
        let weekends_only = WorkingCalendar::new([], []);
        assert_eq!(
            weekends_only.require_years(2024).map_err(|error| error.to_string()),
            Err("the holiday table lists no day of 2023, 2024: add the DGPA calendar (行政機關辦公日曆表) of those years".to_owned())
        );
    }

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("test date")
    }

    /// October 2025: 中秋節 on Monday the 6th, 國慶日 on Friday the 10th.
    fn october_2025() -> WorkingCalendar {
        WorkingCalendar::new([ymd(2025, 10, 6), ymd(2025, 10, 10)], [])
    }

    #[test]
    fn f3_weekends_and_holidays_are_off_and_makeup_saturdays_are_on() {
        let calendar = WorkingCalendar::new([ymd(2025, 1, 27)], [ymd(2025, 2, 8)]);
        assert!(calendar.is_working_day(ymd(2025, 2, 7)));
        assert!(calendar.is_working_day(ymd(2025, 2, 8)));
        assert!(!calendar.is_working_day(ymd(2025, 2, 9)));
        assert!(!calendar.is_working_day(ymd(2025, 2, 15)));
        assert!(!calendar.is_working_day(ymd(2025, 1, 27)));
    }

    #[test]
    fn f3_ten_working_days_skip_weekend_and_holiday() {
        let calendar = october_2025();
        // Friday 3 → 7 8 9 | 13 14 15 16 17 | 20 21.
        assert_eq!(
            calendar.add_working_days(ymd(2025, 10, 3), 10),
            ymd(2025, 10, 21)
        );
        assert_eq!(
            calendar.working_days_between(ymd(2025, 10, 3), ymd(2025, 10, 21)),
            10
        );
        assert_eq!(
            WorkingCalendar::default().add_working_days(ymd(2025, 10, 3), 10),
            ymd(2025, 10, 17)
        );
    }

    #[test]
    fn f3_the_start_day_does_not_count() {
        let calendar = october_2025();
        assert_eq!(
            calendar.add_working_days(ymd(2025, 10, 6), 0),
            ymd(2025, 10, 6)
        );
        assert_eq!(
            calendar.add_working_days(ymd(2025, 10, 6), 1),
            ymd(2025, 10, 7)
        );
        assert_eq!(
            calendar.add_working_days(ymd(2025, 10, 4), 1),
            ymd(2025, 10, 7)
        );
        assert_eq!(
            calendar.add_working_days(ymd(2025, 10, 7), 1),
            ymd(2025, 10, 8)
        );
    }

    #[test]
    fn f3_working_days_between_counts_after_from_up_to_to() {
        let calendar = october_2025();
        assert_eq!(
            calendar.working_days_between(ymd(2025, 10, 3), ymd(2025, 10, 3)),
            0
        );
        assert_eq!(
            calendar.working_days_between(ymd(2025, 10, 9), ymd(2025, 10, 3)),
            0
        );
        assert_eq!(
            calendar.working_days_between(ymd(2025, 10, 3), ymd(2025, 10, 6)),
            0
        );
        assert_eq!(
            calendar.working_days_between(ymd(2025, 10, 3), ymd(2025, 10, 7)),
            1
        );
        assert_eq!(
            calendar.working_days_between(ymd(2025, 9, 30), ymd(2025, 10, 31)),
            21
        );
    }

    #[test]
    fn f3_adding_stops_at_the_end_of_time_instead_of_panicking() {
        let calendar = WorkingCalendar::default();
        assert_eq!(calendar.add_working_days(NaiveDate::MAX, 5), NaiveDate::MAX);
        assert!(calendar.working_days_between(NaiveDate::MIN, NaiveDate::MAX) > 0);
    }

    #[test]
    fn f3_table_reads_holidays_workdays_comments_and_blank_lines() {
        let table =
            "# 114 年\n\n2025-01-27 holiday 調整放假  # 春節前\n  2025-02-08 workday 補行上班\n";
        let calendar = WorkingCalendar::parse_table(table).expect("valid table");
        assert_eq!(
            calendar,
            WorkingCalendar::new([ymd(2025, 1, 27)], [ymd(2025, 2, 8)])
        );
        assert_eq!(
            WorkingCalendar::parse_table(""),
            Ok(WorkingCalendar::default())
        );
    }

    #[test]
    fn f3_table_errors_carry_the_line_number() {
        let parse = WorkingCalendar::parse_table;
        assert_eq!(
            parse("# x\n2025-02-30 holiday x"),
            Err(CalendarError::Date { line: 2 })
        );
        assert_eq!(
            parse("2025/01/01 holiday 元旦"),
            Err(CalendarError::Date { line: 1 })
        );
        assert_eq!(
            parse("\n\n2025-01-01 off 元旦"),
            Err(CalendarError::Kind { line: 3 })
        );
        assert_eq!(parse("2025-01-01"), Err(CalendarError::Kind { line: 1 }));
        assert_eq!(
            parse("2025-01-01 holiday # 元旦"),
            Err(CalendarError::Name { line: 1 })
        );
        assert_eq!(
            parse("2025-02-07 workday 補班"),
            Err(CalendarError::WorkdayOnWeekday { line: 1 })
        );
        assert_eq!(
            parse("2025-01-01 holiday 元旦\n2025-01-01 holiday 開國紀念日"),
            Err(CalendarError::Duplicate { line: 2 })
        );
        assert_eq!(
            CalendarError::Duplicate { line: 2 }.to_string(),
            "line 2: this date is already listed"
        );
    }

    #[test]
    fn f3_real_table_for_2025_to_2027_is_valid_and_has_the_known_days() {
        let table = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../server/data/holidays.txt"
        ));
        let calendar = WorkingCalendar::parse_table(table).expect("valid table");
        for off in [
            (2025, 1, 1),
            (2025, 1, 28),
            (2025, 2, 28),
            (2025, 4, 3),
            (2025, 10, 10),
        ] {
            assert!(
                !calendar.is_working_day(ymd(off.0, off.1, off.2)),
                "{off:?}"
            );
        }
        assert!(calendar.is_working_day(ymd(2025, 2, 8)));
        // 勞動節 closes government offices from 2026 on.
        assert!(calendar.is_working_day(ymd(2025, 5, 1)));
        assert!(!calendar.is_working_day(ymd(2026, 5, 1)));
        // 2025 gained 教師節, 光復節 and 行憲紀念日 (observed 9/29, 10/24, 12/25).
        for off in [(2025, 9, 29), (2025, 10, 24), (2025, 12, 25)] {
            assert!(
                !calendar.is_working_day(ymd(off.0, off.1, off.2)),
                "{off:?}"
            );
        }
        for year in 2025..=2027 {
            let first = ymd(year, 1, 1);
            let last = ymd(year, 12, 31);
            let off = calendar.holidays.range(first..=last).count();
            assert!((10..=20).contains(&off), "{year}: {off} weekday holidays");
        }
        assert!(
            calendar.holidays.iter().all(|date| !is_weekend(*date)),
            "weekend days are listed by their observed day"
        );
    }

    fn naive_count(calendar: &WorkingCalendar, from: NaiveDate, to: NaiveDate) -> i64 {
        from.iter_days()
            .skip(1)
            .take_while(|date| *date <= to)
            .filter(|date| calendar.is_working_day(*date))
            .count() as i64
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (0i64..800).prop_map(|offset| ymd(2025, 1, 1) + Days::new(offset.unsigned_abs()))
    }

    fn any_calendar() -> impl Strategy<Value = WorkingCalendar> {
        (
            proptest::collection::vec(any_date(), 0..40),
            proptest::collection::vec(any_date(), 0..10),
        )
            .prop_map(|(holidays, workdays)| WorkingCalendar::new(holidays, workdays))
    }

    proptest! {
        #[test]
        fn f3_working_days_between_matches_day_by_day_counting(
            calendar in any_calendar(),
            from in any_date(),
            to in any_date(),
        ) {
            prop_assert_eq!(calendar.working_days_between(from, to), naive_count(&calendar, from, to));
        }

        #[test]
        fn f3_adding_n_working_days_lands_on_a_working_day_n_days_later(
            calendar in any_calendar(),
            start in any_date(),
            n in 0u32..60,
        ) {
            let end = calendar.add_working_days(start, n);
            prop_assert_eq!(calendar.working_days_between(start, end), i64::from(n));
            prop_assert!(n == 0 || calendar.is_working_day(end));
        }

        #[test]
        fn f3_table_parse_never_panics(input in any::<String>()) {
            let _ = WorkingCalendar::parse_table(&input);
        }
    }
}
