//! A household office's counter hours on a working day (C-2, seed 002 申辦時間): by default
//! 08:30–12:00 and 13:30–17:00; an office that opens longer (an evening, a lunch hour) has its
//! own, written `08:30-12:00,13:30-20:00`.

use super::calendar::WorkingCalendar;
use chrono::{NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Spans of minutes after midnight, `[opens, closes)`, in order and apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHours(Vec<(u32, u32)>);

/// Why a written set of hours is refused.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum OfficeHoursError {
    #[error(
        "write the hours as HH:MM-HH:MM, several joined by commas, e.g. 08:30-12:00,13:30-17:00"
    )]
    Format,
    #[error(
        "each span must close after it opens, and the spans must be in order without overlapping"
    )]
    Order,
}

fn minutes(text: &str) -> Option<u32> {
    let (hours, minutes) = text.trim().split_once(':')?;
    let (hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
    // `then`, not `then_some`: the sum is reckoned only for an hour that passed, so a huge
    // one cannot overflow it.
    (hours <= 24 && minutes < 60 && hours * 60 + minutes <= 24 * 60).then(|| hours * 60 + minutes)
}

impl OfficeHours {
    /// The seed's hours: 08:30–12:00 and 13:30–17:00.
    pub fn standard() -> OfficeHours {
        OfficeHours(vec![(8 * 60 + 30, 12 * 60), (13 * 60 + 30, 17 * 60)])
    }

    /// `08:30-12:00,13:30-17:00`: spans in order, each closing after it opens.
    pub fn parse(text: &str) -> Result<OfficeHours, OfficeHoursError> {
        let spans = text
            .split(',')
            .map(|span| {
                let (opens, closes) = span.split_once('-').ok_or(OfficeHoursError::Format)?;
                Ok((
                    minutes(opens).ok_or(OfficeHoursError::Format)?,
                    minutes(closes).ok_or(OfficeHoursError::Format)?,
                ))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let ordered = spans.iter().all(|(opens, closes)| opens < closes)
            && spans.windows(2).all(|pair| pair[0].1 <= pair[1].0);
        if ordered {
            Ok(OfficeHours(spans))
        } else {
            Err(OfficeHoursError::Order)
        }
    }

    /// Whether the counter is open at `at` (Taipei local time): a working day of `calendar`,
    /// within one of the spans.
    pub fn is_open(&self, calendar: &WorkingCalendar, at: NaiveDateTime) -> bool {
        let minute = at.hour() * 60 + at.minute();
        calendar.is_working_day(at.date())
            && self
                .0
                .iter()
                .any(|(opens, closes)| (*opens..*closes).contains(&minute))
    }

    /// As stored: `08:30-12:00,13:30-17:00`.
    pub fn code(&self) -> String {
        self.spans("-", ",")
    }

    fn spans(&self, dash: &str, comma: &str) -> String {
        let at = |minute: u32| format!("{:02}:{:02}", minute / 60, minute % 60);
        self.0
            .iter()
            .map(|(opens, closes)| format!("{}{dash}{}", at(*opens), at(*closes)))
            .collect::<Vec<_>>()
            .join(comma)
    }
}

/// As shown: `08:30–12:00、13:30–17:00`.
impl fmt::Display for OfficeHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spans("–", "、"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(date: (i32, u32, u32), hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(date.0, date.1, date.2)
            .and_then(|day| day.and_hms_opt(hour, minute, 0))
            .expect("a time")
    }

    #[test]
    fn c_2_the_standard_hours_are_shown_and_stored_as_the_seed_writes_them() {
        // Which minutes they hold: `calendar::tests::c_2_office_hours_are_working_days_…`.
        let hours = OfficeHours::standard();
        assert_eq!(hours.to_string(), "08:30–12:00、13:30–17:00");
        assert_eq!(hours.code(), "08:30-12:00,13:30-17:00");
        assert_eq!(OfficeHours::parse(&hours.code()), Ok(hours));
    }

    #[test]
    fn c_2_an_office_has_hours_of_its_own_and_nonsense_is_refused() {
        let evening = OfficeHours::parse("08:00-12:00, 13:30-20:00").expect("hours");
        assert_eq!(evening.code(), "08:00-12:00,13:30-20:00");
        assert!(evening.is_open(&WorkingCalendar::default(), at((2023, 11, 17), 19, 0)));
        for (text, error) in [
            ("", OfficeHoursError::Format),
            ("8-12", OfficeHoursError::Format),
            ("08:30-25:00", OfficeHoursError::Format),
            // Found by fuzzing (fuzz/corpus/office_hours): an hour whose minutes overflow.
            ("80000000:00-09:00", OfficeHoursError::Format),
            ("12:00-08:30", OfficeHoursError::Order),
            ("08:30-12:00,11:00-17:00", OfficeHoursError::Order),
        ] {
            assert_eq!(OfficeHours::parse(text), Err(error), "{text}");
        }
    }
}
