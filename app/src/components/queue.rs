//! The back offices' work queues (A-10, L4-4, C-2; the inboxes of L-21): tabs that split a
//! queue, and each case's age in working days with its overdue flag, counted the same way
//! everywhere (`domain::calendar`: weekends and the configured holidays do not count).

use crate::i18n::Lang;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How long a case has waited, in working days, and whether that is over its target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Age {
    pub working_days: i64,
    /// Past the target the service declares (none: never overdue).
    pub overdue: bool,
}

#[cfg(feature = "ssr")]
impl Age {
    /// The age at `now` of a case waiting since `since` (Unix seconds), against a target of
    /// `target` working days, on the portal's working calendar.
    pub fn since(
        calendar: &crate::domain::calendar::WorkingCalendar,
        since: i64,
        now: i64,
        target: Option<i64>,
    ) -> Age {
        use crate::platform::clock::unix_to_taipei;
        let working_days = calendar.working_days_between(
            unix_to_taipei(since).date_naive(),
            unix_to_taipei(now).date_naive(),
        );
        Age {
            working_days,
            overdue: target.is_some_and(|target| working_days > target),
        }
    }
}

/// A queue's age column: the working days, flagged when overdue (the row takes the
/// `overdue` class from [`Age::overdue`] too, so it stands out without reading the number).
#[component]
pub fn AgeCell(
    age: Age,
    lang: Lang,
    /// The column's heading, shown beside the value when a phone stacks the row.
    #[prop(optional)]
    label: Option<&'static str>,
) -> impl IntoView {
    view! {
        <td class="age" data-label=label>{age.working_days}
            {age.overdue.then(|| lang.pick("（逾期）", " (overdue)"))}</td>
    }
}

/// One tab of a queue: its code in the address (`?tab=`) and its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueTab {
    pub code: &'static str,
    pub zh_tw: &'static str,
    pub english: &'static str,
}

/// The tabs over a queue, as links to `path?tab=<code>` (they work without JavaScript); the
/// current one is marked for assistive technology as well as by its look.
#[component]
pub fn QueueTabs(
    /// The queue page's path.
    path: &'static str,
    tabs: &'static [QueueTab],
    /// The code of the tab shown.
    current: &'static str,
    lang: Lang,
) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label=lang.pick("頁籤", "Tabs")>
            {tabs.iter().map(|tab| view! {
                <a href=format!("{path}?tab={}", tab.code)
                    aria-current=(tab.code == current).then_some("page")>{lang.pick(tab.zh_tw, tab.english)}</a>
            }).collect_view()}
        </nav>
    }
}

/// The tab a query names, or the first.
pub fn tab_from_query(tabs: &'static [QueueTab], value: Option<&str>) -> &'static QueueTab {
    tabs.iter()
        .find(|tab| Some(tab.code) == value)
        .unwrap_or(&tabs[0])
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::domain::calendar::WorkingCalendar;
    use crate::platform::clock::taipei_to_utc;
    use chrono::NaiveDate;

    fn noon(date: &str) -> i64 {
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date");
        taipei_to_utc(day.and_hms_opt(12, 0, 0).expect("time")).timestamp()
    }

    #[test]
    fn a_n5_age_counts_working_days_and_flags_past_the_target() {
        let calendar =
            WorkingCalendar::parse_table("2026-10-09 holiday 國慶日補假\n").expect("table");
        // Monday 5 October to Monday 19 October 2026: ten working days less the holiday.
        let age = Age::since(&calendar, noon("2026-10-05"), noon("2026-10-19"), Some(10));
        assert_eq!(
            age,
            Age {
                working_days: 9,
                overdue: false
            }
        );
        let late = Age::since(&calendar, noon("2026-10-05"), noon("2026-10-21"), Some(10));
        assert_eq!((late.working_days, late.overdue), (11, true));
        // No target: never overdue, however old.
        assert!(!Age::since(&calendar, noon("2026-01-05"), noon("2026-10-21"), None).overdue);
    }

    const TABS: &[QueueTab] = &[
        QueueTab {
            code: "first",
            zh_tw: "甲",
            english: "A",
        },
        QueueTab {
            code: "later",
            zh_tw: "乙",
            english: "B",
        },
    ];

    #[test]
    fn an_unknown_or_missing_tab_shows_the_first() {
        assert_eq!(tab_from_query(TABS, Some("later")).code, "later");
        assert_eq!(tab_from_query(TABS, Some("nope")).code, "first");
        assert_eq!(tab_from_query(TABS, None).code, "first");
    }
}
