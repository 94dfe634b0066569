//! The citizen certificate application (自然人憑證申請, seed 002) as a declared state machine:
//! filled in online (方法2 線上填單、臨櫃取卡), at the counter (臨櫃申請) or as an online renewal
//! (線上續卡), it waits for its card until a registrar issues it (臨櫃發證), a newer application
//! of the same citizen replaces it, or it lapses uncollected (C-1, C-2, C-4). The application,
//! counter and renewal stores take every change through [`crate::cases::Work`] on this
//! declaration.

use crate::cases::{Guard, Machine, Party, Reason, Refused, Rule, Text};
use crate::coded;
use crate::services::staff::role::Role;

coded! {
    /// Where an application stands (`moica_applications.status`).
    pub enum ApplicationStatus {
        /// 待領取: waiting at the counter.
        Submitted = "submitted", "待領取", "Waiting to be collected";
        /// 已由新申請取代.
        Superseded = "superseded", "已由新申請取代", "Replaced by a newer application";
        /// 已逾期未領取.
        Expired = "expired", "已逾期未領取", "Lapsed (not collected in time)";
        /// 已發證.
        Issued = "issued", "已發證", "Card issued";
    }
}

coded! {
    /// What is done to an application.
    pub enum ApplicationAction {
        /// 線上填單 by the citizen, with a CAPTCHA (C-2).
        Apply = "apply", "線上申請", "Apply online";
        /// 臨櫃申請: the registrar fills it in, the applicant present (C-2).
        ApplyAtCounter = "apply_at_counter", "臨櫃申請", "Apply at the counter";
        /// 線上續卡: the holder's card asks for a new one, to be mailed (C-4).
        RequestRenewal = "request_renewal", "線上續卡", "Renew online";
        /// A newer application of the same citizen replaces it; its secrets are erased.
        Supersede = "supersede", "由新申請取代", "Replace";
        /// Not collected in time; its secrets are erased.
        Expire = "expire", "逾期未領取", "Lapse";
        /// 臨櫃發證: the registrar issues the card (C-2).
        Issue = "issue", "發證", "Issue the card";
    }
}

/// The counter's refusal of an application that is no longer waiting; the registrars know this
/// wording ([`crate::services::certificate::counter::IssuanceRefusal::NotOpen`]).
pub const NOT_OPEN: Text = Text::new(
    "此申請已發證、已由新申請取代或已逾期，無法再發證；請申請人重新申請。",
    "This application was already issued, replaced or has lapsed; the citizen must apply again.",
);

/// How an applicant showed they are the citizen the application names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Proof {
    /// ID number, name and birth date — what others may know — and a CAPTCHA (線上填單).
    Knowledge,
    /// A card: the ID card shown to the registrar (臨櫃申請), or the citizen's own certificate
    /// card and its PIN (線上續卡).
    Card,
}

/// A newer application about to replace a waiting one: how each was proved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replacement {
    pub waiting: Proof,
    pub newer: Proof,
}

/// What the application's guards read beyond its status.
pub struct ApplicationFacts {
    /// Whether its time to be collected is over (now at or after `expires_at`).
    pub lapsed: bool,
    /// For [`ApplicationAction::Supersede`]: the replacement asked for; `None` otherwise.
    pub replacement: Option<Replacement>,
}

impl ApplicationFacts {
    /// The facts of an application that lapses at `expires_at`, at `now`.
    pub fn at(expires_at: i64, now: i64) -> ApplicationFacts {
        ApplicationFacts {
            lapsed: expires_at <= now,
            replacement: None,
        }
    }

    /// These facts, for a replacement of the application by a newer one.
    pub fn replaced(self, replacement: Replacement) -> ApplicationFacts {
        ApplicationFacts {
            replacement: Some(replacement),
            ..self
        }
    }
}

fn in_time(facts: &ApplicationFacts) -> Result<(), Text> {
    if facts.lapsed {
        Err(NOT_OPEN)
    } else {
        Ok(())
    }
}

fn lapsed(facts: &ApplicationFacts) -> Result<(), Text> {
    if facts.lapsed {
        Ok(())
    } else {
        Err(Text::new(
            "此申請尚在領取期限內。",
            "This application may still be collected.",
        ))
    }
}

/// A waiting application proved with a card is replaced only by one proved as well (issue 21
/// item 5): what others may know must not turn a renewal paid with the card, or an application
/// taken at the counter, into one with a stranger's e-mail, 用戶代碼 and PIN. A lapsed one can
/// no longer be collected, so anyone may replace it. Refused with [`super::IDENTITY_REFUSAL`]:
/// the visitor is not identified, and anything else would tell them that the ID number, name
/// and birth date are right and that the citizen has an application on the way.
fn proved_as_well(facts: &ApplicationFacts) -> Result<(), Text> {
    match facts.replacement {
        Some(Replacement { waiting, newer }) if newer >= waiting || facts.lapsed => Ok(()),
        _ => Err(super::IDENTITY_REFUSAL),
    }
}

/// 戶政事務所 registrars take applications and issue cards at any office
/// ([`crate::services::certificate::counter::ISSUING_ROLES`]).
const REGISTRAR: Party = Party::Staff(Role::HouseholdRegistrar);

/// A citizen certificate application.
pub struct MoicaApplication;

impl Machine for MoicaApplication {
    const TYPE: &'static str = "moica_application";
    const TITLE: &'static str = "自然人憑證申請 (citizen certificate application)";
    const TABLE: &'static str = "moica_applications";
    const KEY: &'static str = "reference";
    const STATE_COLUMN: &'static str = "status";
    type State = ApplicationStatus;
    type Action = ApplicationAction;
    type Facts = ApplicationFacts;

    const STARTS: &'static [(ApplicationAction, ApplicationStatus)] = &[
        (ApplicationAction::Apply, ApplicationStatus::Submitted),
        (
            ApplicationAction::ApplyAtCounter,
            ApplicationStatus::Submitted,
        ),
        (
            ApplicationAction::RequestRenewal,
            ApplicationStatus::Submitted,
        ),
    ];

    const RULES: &'static [Rule<ApplicationStatus, ApplicationAction, ApplicationFacts>] = &[
        // Whoever files the newer application: the citizen online or renewing, or a registrar
        // at the counter, if proved as well as the waiting one. A lapsed one not yet closed is
        // replaced all the same.
        Rule {
            from: &[ApplicationStatus::Submitted],
            action: ApplicationAction::Supersede,
            by: &[Party::Citizen, REGISTRAR],
            guard: Some(Guard {
                name: "proved as well",
                check: proved_as_well,
            }),
            to: ApplicationStatus::Superseded,
        },
        Rule {
            from: &[ApplicationStatus::Submitted],
            action: ApplicationAction::Expire,
            by: &[Party::System],
            guard: Some(Guard {
                name: "lapsed",
                check: lapsed,
            }),
            to: ApplicationStatus::Expired,
        },
        Rule {
            from: &[ApplicationStatus::Submitted],
            action: ApplicationAction::Issue,
            by: &[REGISTRAR],
            guard: Some(Guard {
                name: "in time",
                check: in_time,
            }),
            to: ApplicationStatus::Issued,
        },
    ];

    /// The audit log knew these actions before the case type: a submission as
    /// `moica_application.submit` (online or at the counter), a renewal as
    /// `moica_renewal.request`, an issuance as `moica_issuance.issue`. A replacement is in the
    /// newer application's row (`replaced`), and a lapse was never audited.
    fn audit_action(action: ApplicationAction) -> Option<String> {
        match action {
            ApplicationAction::Apply | ApplicationAction::ApplyAtCounter => {
                Some("moica_application.submit".into())
            }
            ApplicationAction::RequestRenewal => Some("moica_renewal.request".into()),
            ApplicationAction::Issue => Some("moica_issuance.issue".into()),
            ApplicationAction::Supersede | ApplicationAction::Expire => None,
        }
    }

    fn not_now(_: ApplicationStatus, _: ApplicationAction) -> Refused {
        Refused::text(Reason::NotNow, NOT_OPEN)
    }

    /// Another counter issued it, or a newer application replaced it, a moment ago.
    fn overtaken() -> Refused {
        Refused::text(Reason::Overtaken, NOT_OPEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::machine::starts;
    use crate::cases::{transition, Code};
    use crate::error::PortalError;

    const PARTIES: [Party; 5] = [
        REGISTRAR,
        Party::Staff(Role::HouseholdClerk),
        Party::Citizen,
        Party::Company,
        Party::System,
    ];

    /// Every replacement a test asks about: none, and each pair of proofs.
    fn replacements() -> Vec<Option<Replacement>> {
        let proofs = [Proof::Knowledge, Proof::Card];
        std::iter::once(None)
            .chain(proofs.iter().flat_map(|&waiting| {
                proofs
                    .iter()
                    .map(move |&newer| Some(Replacement { waiting, newer }))
            }))
            .collect()
    }

    /// Every (state, action, party, lapsed, replacement) of an application, against the allowed
    /// transitions written out here a second time from the seed (C-2): only a waiting
    /// application moves; the registrar issues it while it may be collected, the job closes it
    /// once it may not, and whoever files a newer one replaces it — if proved as well, or once
    /// it lapsed (issue 21 item 5).
    #[test]
    fn c_2_every_application_transition_allowed_and_refused() {
        use ApplicationAction::*;
        use ApplicationStatus::*;
        type Allowed = (
            ApplicationStatus,
            ApplicationAction,
            &'static [Party],
            fn(&ApplicationFacts) -> bool,
        );
        // (from, action, by, only when) → the state it leads to is below.
        let allowed: &[(Allowed, ApplicationStatus)] = &[
            (
                (
                    Submitted,
                    Supersede,
                    &[Party::Citizen, REGISTRAR],
                    |facts| {
                        facts.replacement.is_some_and(|replacement| {
                            facts.lapsed
                                || replacement.waiting == Proof::Knowledge
                                || replacement.newer == Proof::Card
                        })
                    },
                ),
                Superseded,
            ),
            (
                (Submitted, Expire, &[Party::System], |facts| facts.lapsed),
                Expired,
            ),
            (
                (Submitted, Issue, &[REGISTRAR], |facts| !facts.lapsed),
                Issued,
            ),
        ];
        for lapsed in [false, true] {
            for replacement in replacements() {
                let facts = ApplicationFacts {
                    lapsed,
                    replacement,
                };
                for &state in ApplicationStatus::ALL {
                    for &action in ApplicationAction::ALL {
                        for party in PARTIES {
                            let expected = allowed
                                .iter()
                                .find(|((s, a, by, when), _)| {
                                    (*s, *a) == (state, action)
                                        && by.contains(&party)
                                        && when(&facts)
                                })
                                .map(|(_, to)| *to);
                            let got =
                                transition::<MoicaApplication>(state, action, party, &facts).ok();
                            assert_eq!(
                                got, expected,
                                "{state:?} {action:?} by {party:?}, lapsed {lapsed}, {replacement:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn security_21_5_knowledge_alone_never_replaces_a_waiting_card_proved_application() {
        let replace = |waiting, newer, lapsed| {
            let facts = ApplicationFacts {
                lapsed,
                replacement: Some(Replacement { waiting, newer }),
            };
            transition::<MoicaApplication>(
                ApplicationStatus::Submitted,
                ApplicationAction::Supersede,
                Party::Citizen,
                &facts,
            )
        };
        let refused =
            replace(Proof::Card, Proof::Knowledge, false).expect_err("a renewal stays waiting");
        assert_eq!(refused.reason, Reason::Guard("proved as well"));
        assert_eq!(
            PortalError::from(refused),
            super::super::identity_refusal(),
            "told like a mismatch, nothing more"
        );
        assert!(replace(Proof::Card, Proof::Card, false).is_ok());
        assert!(replace(Proof::Knowledge, Proof::Knowledge, false).is_ok());
        assert!(replace(Proof::Card, Proof::Knowledge, true).is_ok());
    }

    #[test]
    fn c_2_an_application_starts_waiting_online_at_the_counter_or_as_a_renewal() {
        for action in [
            ApplicationAction::Apply,
            ApplicationAction::ApplyAtCounter,
            ApplicationAction::RequestRenewal,
        ] {
            assert!(starts::<MoicaApplication>(
                action,
                ApplicationStatus::Submitted
            ));
        }
        for &state in &ApplicationStatus::ALL[1..] {
            assert!(!starts::<MoicaApplication>(ApplicationAction::Apply, state));
        }
        assert!(!starts::<MoicaApplication>(
            ApplicationAction::Issue,
            ApplicationStatus::Issued
        ));
    }

    #[test]
    fn c_2_an_application_no_longer_waiting_is_refused_in_the_counters_words() {
        let issued = transition::<MoicaApplication>(
            ApplicationStatus::Issued,
            ApplicationAction::Issue,
            REGISTRAR,
            &ApplicationFacts::at(1, 0),
        )
        .expect_err("issued once");
        assert_eq!(
            (issued.reason, issued.zh_tw.as_str()),
            (Reason::NotNow, NOT_OPEN.zh_tw)
        );
        let lapsed = transition::<MoicaApplication>(
            ApplicationStatus::Submitted,
            ApplicationAction::Issue,
            REGISTRAR,
            &ApplicationFacts::at(0, 0),
        )
        .expect_err("lapsed");
        assert_eq!(lapsed.reason, Reason::Guard("in time"));
        assert_eq!(lapsed.english, NOT_OPEN.english);
        assert_eq!(
            MoicaApplication::overtaken().zh_tw,
            NOT_OPEN.zh_tw,
            "a race lost is told like an application no longer waiting"
        );
    }

    #[test]
    fn c_2_the_statuses_keep_their_codes_and_the_counters_labels() {
        let codes: Vec<&str> = ApplicationStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, ["submitted", "superseded", "expired", "issued"]);
        assert_eq!(
            ApplicationStatus::Submitted.label(crate::i18n::Lang::ZhTw),
            "待領取"
        );
        assert_eq!(
            ApplicationStatus::Expired.label(crate::i18n::Lang::English),
            "Lapsed (not collected in time)"
        );
    }
}
