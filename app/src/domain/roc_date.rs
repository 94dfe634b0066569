//! Dates and date-times in the Republic of China (民國) calendar, as Taiwanese forms write them:
//! `112/11/17`, compact `1121107`, and `112/11/17 14:35:04`.

use super::{is_digits, normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};
use std::fmt;

/// ROC year 1 is Gregorian 1912.
const YEAR_OFFSET: i32 = 1911;
/// The compact form has three year digits, so every date from 民國 1 to 999 can be written.
const MAX_ROC_YEAR: i32 = 999;

/// 民國日期.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RocDate(NaiveDate);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RocDateError {
    #[error("date is required")]
    Missing,
    #[error("date must be written as 112/11/17 or 1121117")]
    Format,
    #[error("ROC year must be 1 or later")]
    YearZero,
    #[error("no such date in the calendar")]
    NoSuchDate,
}

impl FieldError for RocDateError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            RocDateError::Missing => required_message(lang),
            RocDateError::Format => lang.pick(
                "日期格式錯誤：請以民國年/月/日填寫（如 112/11/17），或 7 位數字（如 1121117）",
                "Write the date as ROC year/month/day (e.g. 112/11/17) or as 7 digits (e.g. 1121117)",
            ),
            RocDateError::YearZero => lang.pick(
                "民國年應為 1 年以後",
                "The ROC (Minguo) year must be 1 or later",
            ),
            RocDateError::NoSuchDate => lang.pick(
                "日期不存在，請確認月份與日期（如 2 月沒有 30 日）",
                "This date does not exist; check the month and day (e.g. February has no 30th)",
            ),
        }
    }
}

/// Parses the digits of a date part; `None` unless they are `lengths` ASCII digits.
fn number(text: &str, lengths: std::ops::RangeInclusive<usize>) -> Option<u32> {
    if is_digits(text, lengths) {
        text.parse().ok()
    } else {
        None
    }
}

impl RocDate {
    /// Reads `112/11/17` (year 1–3 digits, month and day 1–2) or `1121117` (exactly 7 digits).
    pub fn parse(input: &str) -> Result<RocDate, RocDateError> {
        let text = normalize_input(input);
        if text.is_empty() {
            return Err(RocDateError::Missing);
        }
        let parts: Vec<&str> = if text.contains('/') {
            text.split('/').collect()
        } else if is_digits(&text, 7..=7) {
            vec![
                text.get(..3).unwrap_or_default(),
                text.get(3..5).unwrap_or_default(),
                text.get(5..).unwrap_or_default(),
            ]
        } else {
            return Err(RocDateError::Format);
        };
        let (year, month, day) = match parts.as_slice() {
            [year, month, day] => (
                number(year, 1..=3),
                number(month, 1..=2),
                number(day, 1..=2),
            ),
            _ => return Err(RocDateError::Format),
        };
        let (Some(year), Some(month), Some(day)) = (year, month, day) else {
            return Err(RocDateError::Format);
        };
        if year == 0 {
            return Err(RocDateError::YearZero);
        }
        let gregorian_year = i32::try_from(year).map_err(|_| RocDateError::Format)? + YEAR_OFFSET;
        NaiveDate::from_ymd_opt(gregorian_year, month, day)
            .map(RocDate)
            .ok_or(RocDateError::NoSuchDate)
    }

    /// `None` before 民國 1 (1912) or after 民國 999.
    pub fn from_naive(date: NaiveDate) -> Option<RocDate> {
        (1..=MAX_ROC_YEAR)
            .contains(&(date.year() - YEAR_OFFSET))
            .then_some(RocDate(date))
    }

    pub fn to_naive(self) -> NaiveDate {
        self.0
    }

    pub fn roc_year(self) -> i32 {
        self.0.year() - YEAR_OFFSET
    }

    /// `112/11/07`: year unpadded, month and day two digits.
    pub fn display_slash(self) -> String {
        format!(
            "{}/{:02}/{:02}",
            self.roc_year(),
            self.0.month(),
            self.0.day()
        )
    }

    /// `1121107`: three-digit year, two-digit month and day.
    pub fn display_compact(self) -> String {
        format!(
            "{:03}{:02}{:02}",
            self.roc_year(),
            self.0.month(),
            self.0.day()
        )
    }
}

impl fmt::Display for RocDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_slash())
    }
}

impl fmt::Debug for RocDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RocDate({})", self.display_slash())
    }
}

parse_from_string!(RocDate, RocDateError);

impl From<RocDate> for String {
    fn from(value: RocDate) -> String {
        value.display_slash()
    }
}

/// 民國日期時間, to the second, on the 24-hour clock.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RocDateTime(NaiveDateTime);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RocDateTimeError {
    #[error("date and time are required")]
    Missing,
    #[error("date and time must be written as 112/11/17 14:35:04")]
    Format,
    #[error(transparent)]
    Date(#[from] RocDateError),
    #[error("no such time of day")]
    NoSuchTime,
}

impl FieldError for RocDateTimeError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            RocDateTimeError::Missing => required_message(lang),
            RocDateTimeError::Format => lang.pick(
                "日期時間格式錯誤：請以民國年/月/日 時:分:秒填寫（24 小時制，如 112/11/17 14:35:04）",
                "Write the date and time as ROC year/month/day hour:minute:second, 24-hour (e.g. 112/11/17 14:35:04)",
            ),
            RocDateTimeError::Date(error) => error.message(lang),
            RocDateTimeError::NoSuchTime => lang.pick(
                "時間不存在：時應為 0 至 23，分與秒應為 0 至 59",
                "No such time: hours run from 0 to 23, minutes and seconds from 0 to 59",
            ),
        }
    }
}

impl RocDateTime {
    /// Reads `112/11/17 14:35:04` (the date in either form [`RocDate::parse`] reads, then the
    /// time with seconds).
    pub fn parse(input: &str) -> Result<RocDateTime, RocDateTimeError> {
        let text = normalize_input(input);
        if text.is_empty() {
            return Err(RocDateTimeError::Missing);
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        let [date, time] = words.as_slice() else {
            return Err(RocDateTimeError::Format);
        };
        let date = RocDate::parse(date)?;
        let fields: Vec<Option<u32>> = time.split(':').map(|part| number(part, 1..=2)).collect();
        let [Some(hour), Some(minute), Some(second)] = fields.as_slice() else {
            return Err(RocDateTimeError::Format);
        };
        NaiveTime::from_hms_opt(*hour, *minute, *second)
            .map(|time| RocDateTime(date.to_naive().and_time(time)))
            .ok_or(RocDateTimeError::NoSuchTime)
    }

    /// `None` outside 民國 1 to 999. Fractions of a second are dropped, as the written form has
    /// none.
    pub fn from_naive(date_time: NaiveDateTime) -> Option<RocDateTime> {
        RocDate::from_naive(date_time.date())?;
        Some(RocDateTime(
            date_time.with_nanosecond(0).unwrap_or(date_time),
        ))
    }

    pub fn to_naive(self) -> NaiveDateTime {
        self.0
    }

    pub fn date(self) -> RocDate {
        RocDate(self.0.date())
    }
}

impl fmt::Display for RocDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:02}:{:02}:{:02}",
            self.date(),
            self.0.hour(),
            self.0.minute(),
            self.0.second()
        )
    }
}

impl fmt::Debug for RocDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RocDateTime({self})")
    }
}

parse_from_string!(RocDateTime, RocDateTimeError);

impl From<RocDateTime> for String {
    fn from(value: RocDateTime) -> String {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("test date")
    }

    #[test]
    fn f2_roc_date_reads_slash_and_compact_forms() {
        assert_eq!(
            RocDate::parse("112/11/17").map(RocDate::to_naive),
            Ok(ymd(2023, 11, 17))
        );
        assert_eq!(
            RocDate::parse("112/1/7").map(RocDate::to_naive),
            Ok(ymd(2023, 1, 7))
        );
        assert_eq!(
            RocDate::parse("1/01/01").map(RocDate::to_naive),
            Ok(ymd(1912, 1, 1))
        );
        assert_eq!(
            RocDate::parse("089/2/29").map(RocDate::to_naive),
            Ok(ymd(2000, 2, 29))
        );
        assert_eq!(
            RocDate::parse("1121107").map(RocDate::to_naive),
            Ok(ymd(2023, 11, 7))
        );
        assert_eq!(
            RocDate::parse("0890229").map(RocDate::to_naive),
            Ok(ymd(2000, 2, 29))
        );
        assert_eq!(
            RocDate::parse(" １１２／１１／１７ ").map(RocDate::to_naive),
            Ok(ymd(2023, 11, 17))
        );
    }

    #[test]
    fn f2_roc_date_displays_padded_month_and_day() {
        let date = RocDate::parse("112/11/7").expect("valid");
        assert_eq!(date.display_slash(), "112/11/07");
        assert_eq!(date.display_compact(), "1121107");
        assert_eq!(date.to_string(), "112/11/07");
        let early = RocDate::parse("89/2/29").expect("valid");
        assert_eq!(early.display_slash(), "89/02/29");
        assert_eq!(early.display_compact(), "0890229");
        assert_eq!(early.roc_year(), 89);
    }

    #[test]
    fn f2_roc_date_rejects_impossible_calendar_dates_with_their_own_message() {
        assert_eq!(RocDate::parse("112/02/30"), Err(RocDateError::NoSuchDate));
        assert_eq!(RocDate::parse("112/02/29"), Err(RocDateError::NoSuchDate));
        assert_eq!(RocDate::parse("112/13/01"), Err(RocDateError::NoSuchDate));
        assert_eq!(RocDate::parse("112/00/10"), Err(RocDateError::NoSuchDate));
        assert_eq!(RocDate::parse("1120230"), Err(RocDateError::NoSuchDate));
        assert_ne!(
            RocDateError::NoSuchDate.message(Lang::ZhTw),
            RocDateError::Format.message(Lang::ZhTw)
        );
    }

    #[test]
    fn f2_roc_date_year_zero_does_not_exist() {
        assert_eq!(RocDate::parse("0/01/01"), Err(RocDateError::YearZero));
        assert_eq!(RocDate::parse("0000101"), Err(RocDateError::YearZero));
        assert_eq!(RocDate::from_naive(ymd(1911, 12, 31)), None);
        assert_eq!(
            RocDate::from_naive(ymd(1912, 1, 1)).map(RocDate::roc_year),
            Some(1)
        );
        assert_eq!(RocDate::from_naive(ymd(2911, 1, 1)), None);
    }

    #[test]
    fn f2_roc_date_rejects_other_shapes() {
        assert_eq!(RocDate::parse(""), Err(RocDateError::Missing));
        assert_eq!(RocDate::parse("-1/01/01"), Err(RocDateError::Format));
        assert_eq!(RocDate::parse("1000/01/01"), Err(RocDateError::Format));
        assert_eq!(RocDate::parse("112/011/01"), Err(RocDateError::Format));
        assert_eq!(RocDate::parse("112/11"), Err(RocDateError::Format));
        assert_eq!(RocDate::parse("112/11/17/1"), Err(RocDateError::Format));
        assert_eq!(RocDate::parse("112//17"), Err(RocDateError::Format));
        assert_eq!(RocDate::parse("112111"), Err(RocDateError::Format));
        assert_eq!(RocDate::parse("11211170"), Err(RocDateError::Format));
        assert_eq!(RocDate::parse("2023-11-17"), Err(RocDateError::Format));
        assert_eq!(RocDate::parse("112/+1/17"), Err(RocDateError::Format));
    }

    #[test]
    fn f2_roc_date_time_reads_24_hour_time_with_seconds() {
        let at = RocDateTime::parse("112/11/17 14:35:04").expect("valid");
        assert_eq!(
            at.to_naive(),
            ymd(2023, 11, 17).and_hms_opt(14, 35, 4).expect("time")
        );
        assert_eq!(at.to_string(), "112/11/17 14:35:04");
        assert_eq!(at.date().display_compact(), "1121117");
        assert_eq!(
            RocDateTime::parse("112/1/7  9:05:00").map(|t| t.to_string()),
            Ok("112/01/07 09:05:00".into())
        );
    }

    #[test]
    fn f2_roc_date_time_names_the_wrong_part() {
        assert_eq!(RocDateTime::parse(""), Err(RocDateTimeError::Missing));
        assert_eq!(
            RocDateTime::parse("112/11/17"),
            Err(RocDateTimeError::Format)
        );
        assert_eq!(
            RocDateTime::parse("112/11/17 14:35"),
            Err(RocDateTimeError::Format)
        );
        assert_eq!(
            RocDateTime::parse("112/11/17 2:35:04 PM"),
            Err(RocDateTimeError::Format)
        );
        assert_eq!(
            RocDateTime::parse("112/11/17 14:35:004"),
            Err(RocDateTimeError::Format)
        );
        assert_eq!(
            RocDateTime::parse("112/11/17 24:00:00"),
            Err(RocDateTimeError::NoSuchTime)
        );
        assert_eq!(
            RocDateTime::parse("112/11/17 23:60:00"),
            Err(RocDateTimeError::NoSuchTime)
        );
        assert_eq!(
            RocDateTime::parse("112/11/17 23:59:60"),
            Err(RocDateTimeError::NoSuchTime)
        );
        assert_eq!(
            RocDateTime::parse("112/02/30 14:35:04"),
            Err(RocDateTimeError::Date(RocDateError::NoSuchDate))
        );
        assert_eq!(
            RocDateTimeError::Date(RocDateError::NoSuchDate).message(Lang::English),
            RocDateError::NoSuchDate.message(Lang::English)
        );
    }

    #[test]
    fn f2_roc_dates_deserialise_only_through_parse() {
        assert_eq!(
            deserialize_str::<RocDate>("1121107").map(String::from),
            Ok("112/11/07".into())
        );
        assert!(deserialize_str::<RocDate>("112/02/30").is_err());
        assert!(deserialize_str::<RocDateTime>("112/11/17 14:35:04").is_ok());
        assert!(deserialize_str::<RocDateTime>("112/11/17 14:35").is_err());
    }

    fn any_roc_date() -> impl Strategy<Value = RocDate> {
        let first = ymd(1912, 1, 1).num_days_from_ce();
        let last = ymd(2910, 12, 31).num_days_from_ce();
        (first..=last).prop_map(|days| {
            RocDate::from_naive(NaiveDate::from_num_days_from_ce_opt(days).expect("in range"))
                .expect("in ROC range")
        })
    }

    proptest! {
        #[test]
        fn f2_roc_date_parsers_never_panic(input in any::<String>()) {
            let _ = RocDate::parse(&input);
            let _ = RocDateTime::parse(&input);
        }

        #[test]
        fn f2_roc_date_both_forms_round_trip(date in any_roc_date()) {
            prop_assert_eq!(RocDate::parse(&date.display_slash()), Ok(date));
            prop_assert_eq!(RocDate::parse(&date.display_compact()), Ok(date));
            prop_assert_eq!(RocDate::parse(&date.to_string()), Ok(date));
        }

        #[test]
        fn f2_roc_date_time_round_trips(date in any_roc_date(), seconds in 0u32..86_400) {
            let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0).expect("in day");
            let at = RocDateTime::from_naive(date.to_naive().and_time(time)).expect("in range");
            prop_assert_eq!(RocDateTime::parse(&at.to_string()), Ok(at));
        }
    }
}
