//! The ID card loss service's case types (seed 004, SPEC L4-1…L4-4) as declared state
//! machines: the loss report itself (掛失 → 撤銷掛失) and the household office's follow-up of
//! it (RL03Y00: 待聯絡, 已聯絡到當事人或已確認, 未聯絡到當事人). Both live in one row of
//! `id_card_loss_reports`, each in its own state column; the stores take every change through
//! [`crate::cases::transition`] on these declarations.

use crate::cases::{Guard, Machine, Party, Reason, Refused, Rule, Text};
use crate::coded;
use crate::services::staff::role::Role;

coded! {
    /// 掛失狀態: whether the card is reported lost.
    pub enum LossStatus {
        /// 掛失中: the card is reported lost (L4-1).
        Lost = "lost", "掛失中", "Reported lost";
        /// 已撤銷掛失: the report is revoked and the card valid again (L4-2, L4-3).
        Revoked = "revoked", "已撤銷掛失", "Revoked";
    }
}

coded! {
    /// What is done to a loss report.
    pub enum LossAction {
        /// 國民身分證掛失 (L4-1, L4-3).
        Report = "report", "掛失", "Report lost";
        /// 國民身分證撤銷掛失 (L4-2, L4-3), or at a household office (issue 20 item 14).
        Revoke = "revoke", "撤銷掛失", "Revoke the report";
    }
}

coded! {
    /// How a report was made (and is revoked): online answering questions, with a revocation
    /// password, or with the citizen's own certificate (L4-3); and, for revocations only, at
    /// a household office's counter.
    pub enum Channel {
        /// 免自然人憑證: the knowledge questions and the 撤銷掛失預設密碼.
        Online = "online", "網路申辦（免自然人憑證）", "Online, without a certificate";
        /// 以自然人憑證辦理.
        Moica = "moica", "自然人憑證", "Citizen certificate";
        /// 內政服務熱線 1996: taken by telephone and entered by household office staff (issue 20
        /// item 15). No revocation password is set over the telephone.
        Phone = "phone", "電話掛失（內政服務熱線 1996）", "By telephone (1996 hotline)";
        /// 戶政事務所臨櫃: a registrar revokes after checking the person (seed 004: after three
        /// wrong passwords, 請洽戶政事務所辦理撤銷掛失). Never the channel of a report.
        Office = "office", "戶政事務所臨櫃", "At a household registration office";
    }
}

impl Channel {
    /// Password tries a revocation through this channel has taken (and gives back): the card
    /// proves who revokes, so no count of wrong passwords holds it back.
    pub fn tries_taken(self) -> i64 {
        match self {
            Channel::Online => 1,
            Channel::Moica | Channel::Phone | Channel::Office => 0,
        }
    }
}

/// What the report's guards read.
pub struct RevocationFacts {
    /// The revoking citizen proved to be the holder: the right revocation password online,
    /// their own citizen certificate, or (at a counter) the registrar checked the person and
    /// their document.
    pub holder_proven: bool,
}

const CITIZEN: &[Party] = &[Party::Citizen];
/// Who revokes at a household office: any office's registrar (the citizen may go to any).
const REGISTRAR: &[Party] = &[Party::Staff(Role::HouseholdRegistrar)];
/// Whoever revokes a report, which confirms it (seed 004 (二)3).
const REVOKERS: &[Party] = &[Party::Citizen, Party::Staff(Role::HouseholdRegistrar)];

const NO_OPEN_REPORT: Text = Text::new(
    "查無您目前國民身分證的掛失紀錄，無須撤銷掛失。",
    "Your current ID card has no open loss report to revoke.",
);
const NOT_PROVEN: Text = Text::new("撤銷掛失預設密碼錯誤。", "Wrong revocation password.");

const NOT_CHECKED: Text = Text::new(
    "請先核對當事人身分證件，再辦理撤銷掛失。",
    "Check the person's identity document before revoking the report.",
);

/// At the counter, the registrar checked the person and their document.
fn person_checked(facts: &RevocationFacts) -> Result<(), Text> {
    if facts.holder_proven {
        Ok(())
    } else {
        Err(NOT_CHECKED)
    }
}

fn holder_proven(facts: &RevocationFacts) -> Result<(), Text> {
    if facts.holder_proven {
        Ok(())
    } else {
        Err(NOT_PROVEN)
    }
}

/// 國民身分證掛失: a report that the citizen's current card is lost (L4-1…L4-3).
pub struct LossReport;

impl Machine for LossReport {
    const TYPE: &'static str = "id_card_loss";
    const TITLE: &'static str = "ID card loss report (國民身分證掛失, seed 004)";
    const TABLE: &'static str = "id_card_loss_reports";
    const KEY: &'static str = "reference";
    const STATE_COLUMN: &'static str = "status";
    type State = LossStatus;
    type Action = LossAction;
    type Facts = RevocationFacts;

    const STARTS: &'static [(LossAction, LossStatus)] = &[(LossAction::Report, LossStatus::Lost)];
    const RULES: &'static [Rule<LossStatus, LossAction, RevocationFacts>] = &[
        Rule {
            from: &[LossStatus::Lost],
            action: LossAction::Revoke,
            by: CITIZEN,
            guard: Some(Guard {
                name: "the right password or the citizen certificate",
                check: holder_proven,
            }),
            to: LossStatus::Revoked,
        },
        Rule {
            from: &[LossStatus::Lost],
            action: LossAction::Revoke,
            by: REGISTRAR,
            guard: Some(Guard {
                name: "the person checked in person at the counter",
                check: person_checked,
            }),
            to: LossStatus::Revoked,
        },
    ];

    /// The wording citizens have always seen: a revoked report is no open report.
    fn not_now(_: LossStatus, _: LossAction) -> Refused {
        Refused::text(Reason::NotNow, NO_OPEN_REPORT)
    }

    /// Revoked (or locked) by a request that raced this one.
    fn overtaken() -> Refused {
        Refused::text(Reason::Overtaken, NO_OPEN_REPORT)
    }
}

coded! {
    /// 聯絡結果: where the office's follow-up of a report stands (RL03Y00).
    pub enum ContactState {
        /// No one has reached the citizen yet (非上班/免自然人憑證掛失紀錄).
        Pending = "pending", "待聯絡", "Not yet contacted";
        /// 已聯絡到當事人或已確認.
        Confirmed = "confirmed", "已聯絡到當事人或已確認", "Reached the citizen, or confirmed";
        /// 未聯絡到當事人或受委託人/法定代理人 (未處理查詢).
        Unreachable = "unreachable", "未聯絡到當事人或受委託人/法定代理人", "Could not reach the citizen, their delegate or legal representative";
    }
}

coded! {
    /// What is done in the follow-up of a report.
    pub enum FollowUpAction {
        /// The report opens its follow-up.
        Open = "open", "掛失通報", "Reported to the office";
        /// The office reached the citizen, or confirmed the report (L4-4).
        Reach = "reach", "已聯絡到當事人或已確認", "Reached the citizen";
        /// The office could not reach the citizen (L4-4).
        Miss = "miss", "未聯絡到當事人", "Could not reach the citizen";
        /// The report was revoked (by the citizen, or at a counter), which confirms it (seed
        /// 004 (二)3).
        ConfirmByRevocation = "revocation", "撤銷掛失視為已確認", "Confirmed by the revocation";
    }
}

impl ContactState {
    /// The outcomes a clerk records (聯絡結果).
    pub const OUTCOMES: [ContactState; 2] = [ContactState::Confirmed, ContactState::Unreachable];
}

impl FollowUpAction {
    /// The action that records a contact with `outcome`.
    pub fn contact(outcome: ContactState) -> FollowUpAction {
        match outcome {
            ContactState::Unreachable => FollowUpAction::Miss,
            ContactState::Pending | ContactState::Confirmed => FollowUpAction::Reach,
        }
    }
}

/// What the follow-up's guards read.
pub struct ContactFacts {
    /// Contacts recorded before this one.
    pub attempts: i64,
    /// The clerk wrote 其他說明.
    pub noted: bool,
}

/// Who works the reports: the clerks and registrars of the office.
const OFFICE: &[Party] = &[
    Party::Staff(Role::HouseholdClerk),
    Party::Staff(Role::HouseholdRegistrar),
];
const OPEN: &[ContactState] = &[ContactState::Pending, ContactState::Unreachable];

const NOTE_REQUIRED: Text = Text::new(
    "第二次以後聯絡不到當事人時，請填寫其他說明。",
    "From the second contact on, say what else was tried in the remarks.",
);

/// From the second contact on, an unreachable citizen needs 其他說明 (seed 004 (二)2(2)).
fn noted_from_the_second_contact(facts: &ContactFacts) -> Result<(), Text> {
    if facts.attempts == 0 || facts.noted {
        Ok(())
    } else {
        Err(NOTE_REQUIRED)
    }
}

/// 國民身分證查詢掛失作業 (RL03Y00): the office's follow-up of a report (L4-4).
pub struct FollowUp;

impl Machine for FollowUp {
    const TYPE: &'static str = "id_card_loss.follow_up";
    const TITLE: &'static str =
        "Office follow-up of a loss report (查詢掛失作業 RL03Y00, seed 004)";
    const TABLE: &'static str = "id_card_loss_reports";
    const KEY: &'static str = "reference";
    const STATE_COLUMN: &'static str = "contact_state";
    type State = ContactState;
    type Action = FollowUpAction;
    type Facts = ContactFacts;

    const STARTS: &'static [(FollowUpAction, ContactState)] =
        &[(FollowUpAction::Open, ContactState::Pending)];
    const RULES: &'static [Rule<ContactState, FollowUpAction, ContactFacts>] = &[
        Rule {
            from: OPEN,
            action: FollowUpAction::Reach,
            by: OFFICE,
            guard: None,
            to: ContactState::Confirmed,
        },
        Rule {
            from: OPEN,
            action: FollowUpAction::Miss,
            by: OFFICE,
            guard: Some(Guard {
                name: "remarks from the second contact on",
                check: noted_from_the_second_contact,
            }),
            to: ContactState::Unreachable,
        },
        Rule {
            from: OPEN,
            action: FollowUpAction::ConfirmByRevocation,
            by: REVOKERS,
            guard: None,
            to: ContactState::Confirmed,
        },
    ];

    /// Every contact is audited as `id_card_loss.contact`, as it always was; the revocation's
    /// confirmation is accounted for by the revocation's own audit row.
    fn audit_action(action: FollowUpAction) -> Option<String> {
        match action {
            FollowUpAction::Reach | FollowUpAction::Miss => Some("id_card_loss.contact".into()),
            FollowUpAction::Open | FollowUpAction::ConfirmByRevocation => None,
        }
    }

    /// The wording the clerks have always seen.
    fn not_now(_: ContactState, _: FollowUpAction) -> Refused {
        Refused::text(
            Reason::NotNow,
            Text::new(
                "此掛失紀錄已確認，無須再聯絡。",
                "This report is already confirmed.",
            ),
        )
    }

    fn overtaken() -> Refused {
        Refused::text(
            Reason::Overtaken,
            Text::new(
                "此掛失紀錄剛由其他人更新，請重新查看。",
                "Someone else just updated this report; please look again.",
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::{transition, Code};

    const CLERK: Party = Party::Staff(Role::HouseholdClerk);
    const REGISTRAR: Party = Party::Staff(Role::HouseholdRegistrar);
    const PARTIES: [Party; 6] = [
        Party::Citizen,
        CLERK,
        REGISTRAR,
        Party::Staff(Role::CountyOfficer),
        Party::Company,
        Party::System,
    ];

    /// Every (state, action, party) of the report, against the allowed transitions written out
    /// here a second time from the seed: only the citizen, or a registrar at the counter,
    /// revokes an open report.
    #[test]
    fn l4_2_every_report_transition_allowed_and_refused() {
        let allowed = [
            (
                LossStatus::Lost,
                LossAction::Revoke,
                Party::Citizen,
                LossStatus::Revoked,
            ),
            (
                LossStatus::Lost,
                LossAction::Revoke,
                REGISTRAR,
                LossStatus::Revoked,
            ),
        ];
        let proven = RevocationFacts {
            holder_proven: true,
        };
        for &state in LossStatus::ALL {
            for &action in LossAction::ALL {
                for party in PARTIES {
                    let expected = allowed
                        .iter()
                        .find(|(s, a, p, _)| (*s, *a, *p) == (state, action, party))
                        .map(|(.., to)| *to);
                    let got = transition::<LossReport>(state, action, party, &proven).ok();
                    assert_eq!(got, expected, "{state:?} {action:?} by {party:?}");
                }
            }
        }
    }

    #[test]
    fn l4_2_a_revoked_report_and_an_unproven_holder_are_refused_in_their_words() {
        let again = transition::<LossReport>(
            LossStatus::Revoked,
            LossAction::Revoke,
            Party::Citizen,
            &RevocationFacts {
                holder_proven: true,
            },
        )
        .expect_err("revoked twice");
        assert_eq!(
            again.zh_tw,
            "查無您目前國民身分證的掛失紀錄，無須撤銷掛失。"
        );
        let unproven = transition::<LossReport>(
            LossStatus::Lost,
            LossAction::Revoke,
            Party::Citizen,
            &RevocationFacts {
                holder_proven: false,
            },
        )
        .expect_err("wrong password");
        assert_eq!(
            unproven.reason,
            Reason::Guard("the right password or the citizen certificate")
        );
    }

    #[test]
    fn l4_3_a_certificate_takes_no_password_try() {
        assert_eq!(Channel::Online.tries_taken(), 1);
        assert_eq!(Channel::Moica.tries_taken(), 0);
    }

    /// Every (state, action, party) of the follow-up (L4-4, seed 004 (二)3).
    #[test]
    fn l4_4_every_follow_up_transition_allowed_and_refused() {
        use ContactState::*;
        use FollowUpAction::*;
        let mut allowed = Vec::new();
        for from in [Pending, Unreachable] {
            for staff in [CLERK, REGISTRAR] {
                allowed.push((from, Reach, staff, Confirmed));
                allowed.push((from, Miss, staff, Unreachable));
            }
            allowed.push((from, ConfirmByRevocation, Party::Citizen, Confirmed));
            allowed.push((from, ConfirmByRevocation, REGISTRAR, Confirmed));
        }
        let facts = ContactFacts {
            attempts: 0,
            noted: false,
        };
        for &state in ContactState::ALL {
            for &action in FollowUpAction::ALL {
                for party in PARTIES {
                    let expected = allowed
                        .iter()
                        .find(|(s, a, p, _)| (*s, *a, *p) == (state, action, party))
                        .map(|(.., to)| *to);
                    let got = transition::<FollowUp>(state, action, party, &facts).ok();
                    assert_eq!(got, expected, "{state:?} {action:?} by {party:?}");
                }
            }
        }
    }

    #[test]
    fn l4_4_a_later_unreachable_contact_needs_remarks_and_a_confirmed_report_no_contact() {
        let unnoted = ContactFacts {
            attempts: 1,
            noted: false,
        };
        let refused = transition::<FollowUp>(
            ContactState::Unreachable,
            FollowUpAction::Miss,
            CLERK,
            &unnoted,
        )
        .expect_err("no remarks");
        assert_eq!(
            refused.zh_tw,
            "第二次以後聯絡不到當事人時，請填寫其他說明。"
        );
        assert_eq!(
            transition::<FollowUp>(
                ContactState::Unreachable,
                FollowUpAction::Reach,
                CLERK,
                &unnoted
            ),
            Ok(ContactState::Confirmed)
        );
        let noted = ContactFacts {
            attempts: 1,
            noted: true,
        };
        assert_eq!(
            transition::<FollowUp>(
                ContactState::Unreachable,
                FollowUpAction::Miss,
                CLERK,
                &noted
            ),
            Ok(ContactState::Unreachable)
        );
        let confirmed = transition::<FollowUp>(
            ContactState::Confirmed,
            FollowUpAction::Reach,
            CLERK,
            &noted,
        )
        .expect_err("already confirmed");
        assert_eq!(confirmed.zh_tw, "此掛失紀錄已確認，無須再聯絡。");
    }

    #[test]
    fn l4_4_contacts_keep_their_audit_name_and_the_revocation_writes_its_own() {
        assert_eq!(
            FollowUp::audit_action(FollowUpAction::Miss).as_deref(),
            Some("id_card_loss.contact")
        );
        assert_eq!(
            FollowUp::audit_action(FollowUpAction::ConfirmByRevocation),
            None
        );
        assert_eq!(
            LossReport::audit_action(LossAction::Revoke).as_deref(),
            Some("id_card_loss.revoke")
        );
    }
}
