//! 申辦資格 (C-1): who may apply for a citizen certificate — 18 or older on the day, a national
//! registered in Taiwan, not under guardianship. Checked when the citizen applies online and
//! again at the counter, since time passes between the two.

use crate::coded;
use crate::domain::roc_date::RocDate;
use crate::error::PortalError;
use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The age from which one may apply.
pub const MINIMUM_AGE: i32 = 18;

coded! {
    /// Whether a 國民身分證統一編號 is in use (`citizens.id_status`): a voided one names no
    /// registered person.
    pub enum IdStatus {
        Active = "active", "使用中", "In use";
        Voided = "voided", "已註銷", "Voided";
    }
}

/// What the registry says about an applicant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistryFacts {
    pub birth_date: NaiveDate,
    /// 設籍於本國: has a household registration in Taiwan.
    pub nationality_registered: bool,
    /// 受監護宣告.
    pub under_guardianship: bool,
}

/// Why someone may not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ineligible {
    NotRegistered,
    UnderGuardianship,
    Minor { turns_18_on: NaiveDate },
}

/// The day someone born on `birth` turns 18: the same month and day 18 years later, and for a
/// 29 February birth in a common year, 1 March (age counts from the day of birth, Civil Code
/// art. 124; the day before the birthday they are still 17).
pub fn eighteenth_birthday(birth: NaiveDate) -> NaiveDate {
    let year = birth.year() + MINIMUM_AGE;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
        .unwrap_or(NaiveDate::MAX)
}

/// Every reason `facts` do not meet 申辦資格 on `today`, in a fixed order; `Ok` when none.
pub fn check(facts: &RegistryFacts, today: NaiveDate) -> Result<(), Vec<Ineligible>> {
    let mut reasons = Vec::new();
    if !facts.nationality_registered {
        reasons.push(Ineligible::NotRegistered);
    }
    if facts.under_guardianship {
        reasons.push(Ineligible::UnderGuardianship);
    }
    let turns_18_on = eighteenth_birthday(facts.birth_date);
    if today < turns_18_on {
        reasons.push(Ineligible::Minor { turns_18_on });
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(reasons)
    }
}

impl Ineligible {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Ineligible::NotRegistered => lang
                .pick(
                    "自然人憑證限設籍於國內之國民申請；您目前未設有戶籍，請洽戶政事務所。",
                    "Only nationals with a household registration in Taiwan can apply; you have none at present. Please ask a household registration office.",
                )
                .to_owned(),
            Ineligible::UnderGuardianship => lang
                .pick(
                    "受監護宣告者不得申請自然人憑證；如有疑問請洽戶政事務所。",
                    "A person under guardianship (受監護宣告) cannot apply for a citizen certificate; please ask a household registration office.",
                )
                .to_owned(),
            Ineligible::Minor { turns_18_on } => {
                let roc = RocDate::from_naive(*turns_18_on)
                    .map(RocDate::display_slash)
                    .unwrap_or_default();
                match lang {
                    Lang::ZhTw => format!(
                        "自然人憑證須年滿 18 歲始得申請；您將於 {roc} 年滿 18 歲，屆時即可申請。"
                    ),
                    Lang::English => format!(
                        "You must be 18 or older to apply; you can apply from {roc} ({turns_18_on})."
                    ),
                }
            }
        }
    }
}

/// The refusal shown for `reasons`: every one of them, so nobody comes back to learn the next.
pub fn refusal(reasons: &[Ineligible]) -> PortalError {
    let join = |lang| {
        reasons
            .iter()
            .map(|reason| reason.message(lang))
            .collect::<Vec<_>>()
            .join(" ")
    };
    PortalError::Refused {
        zh_tw: join(Lang::ZhTw),
        english: join(Lang::English),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn adult(birth: NaiveDate) -> RegistryFacts {
        RegistryFacts {
            birth_date: birth,
            nationality_registered: true,
            under_guardianship: false,
        }
    }

    #[test]
    fn c1_eighteen_on_the_birthday_not_the_day_before() {
        let facts = adult(date(2009, 6, 1));
        assert_eq!(
            check(&facts, date(2027, 5, 31)),
            Err(vec![Ineligible::Minor {
                turns_18_on: date(2027, 6, 1)
            }])
        );
        assert_eq!(check(&facts, date(2027, 6, 1)), Ok(()));
    }

    #[test]
    fn c1_a_leap_day_birth_turns_18_on_the_first_of_march() {
        assert_eq!(eighteenth_birthday(date(2008, 2, 29)), date(2026, 3, 1));
        assert_eq!(eighteenth_birthday(date(2012, 2, 29)), date(2030, 3, 1));
        assert_eq!(eighteenth_birthday(date(2010, 2, 28)), date(2028, 2, 28));
        let facts = adult(date(2008, 2, 29));
        assert!(check(&facts, date(2026, 2, 28)).is_err());
        assert_eq!(check(&facts, date(2026, 3, 1)), Ok(()));
    }

    #[test]
    fn c1_guardianship_and_registration_refuse_at_any_age_and_every_reason_is_given() {
        let facts = RegistryFacts {
            birth_date: date(2009, 6, 1),
            nationality_registered: false,
            under_guardianship: true,
        };
        assert_eq!(
            check(&facts, date(2026, 11, 29)),
            Err(vec![
                Ineligible::NotRegistered,
                Ineligible::UnderGuardianship,
                Ineligible::Minor {
                    turns_18_on: date(2027, 6, 1)
                },
            ])
        );
        let old = RegistryFacts {
            birth_date: date(1950, 3, 20),
            ..facts
        };
        assert_eq!(
            check(&old, date(2026, 11, 29)),
            Err(vec![
                Ineligible::NotRegistered,
                Ineligible::UnderGuardianship
            ])
        );
    }

    #[test]
    fn c1_reasons_speak_both_languages() {
        let minor = Ineligible::Minor {
            turns_18_on: date(2027, 6, 1),
        };
        assert!(minor.message(Lang::ZhTw).contains("116/06/01"));
        assert!(minor.message(Lang::English).contains("2027-06-01"));
        let PortalError::Refused { zh_tw, english } =
            refusal(&[Ineligible::UnderGuardianship, minor])
        else {
            panic!("a refusal");
        };
        assert!(zh_tw.contains("受監護宣告") && zh_tw.contains("年滿 18 歲"));
        assert!(english.contains("guardianship") && english.contains("18 or older"));
    }

    proptest! {
        #[test]
        fn c1_once_old_enough_always_old_enough(
            birth_days in 0i64..40_000,
            first in 0i64..40_000,
            later in 0i64..5_000,
        ) {
            let base = date(1930, 1, 1);
            let facts = adult(base + chrono::Duration::days(birth_days));
            let day = base + chrono::Duration::days(first);
            if check(&facts, day).is_ok() {
                prop_assert!(check(&facts, day + chrono::Duration::days(later)).is_ok());
            }
        }
    }
}
