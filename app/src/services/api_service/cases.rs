//! The API service's case types (seed 000, SPEC §1) as declared state machines: a company's
//! case (API申請, 憑證上傳, 登錄資料修改, API停用; A-2…A-10) and the grant an approved
//! application opens (A-N8…A-N11). Pages and the store take every action through
//! [`crate::cases::transition`] on these declarations.

use crate::cases::{Guard, Machine, Party, Reason, Refused, Rule, Text};
use crate::coded;
use crate::services::staff::role::Role;

/// A case may be cancelled for 24 hours after it was submitted.
pub const CANCEL_WINDOW_SECONDS: i64 = 24 * 60 * 60;

coded! {
    /// 申請事項: what a case asks for.
    pub enum CaseKind {
        /// API申請: a first application.
        Apply = "apply", "API申請", "API application";
        /// 憑證上傳: the API certificate, taken at once.
        Certificate = "certificate", "憑證上傳", "Certificate upload";
        /// 登錄資料修改: new name, IP or contact, in effect on approval (A-4, A-N7).
        Modify = "modify", "登錄資料修改", "Change of registered data";
        /// API停用: stop using the API, in effect on approval (A-5, A-N8).
        Deactivate = "deactivate", "API停用", "API deactivation";
        /// 改善做法: after a suspension or revocation, the company's improvement plan; once
        /// approved, the company may apply again (A-N11).
        Plan = "plan", "改善做法", "Improvement plan";
    }
}

impl CaseKind {
    /// Whether the company edits its name, IP and contact in this case's form.
    pub fn edits_company_data(self) -> bool {
        matches!(self, CaseKind::Apply | CaseKind::Modify)
    }
}

coded! {
    /// 案件狀態, in the seed's words.
    pub enum CaseStatus {
        Pending = "pending", "受理中", "In review";
        Cancelled = "cancelled", "已取消", "Cancelled";
        Uploaded = "uploaded", "上傳成功", "Uploaded";
        Approved = "approved", "核准", "Approved";
        Rejected = "rejected", "駁回", "Rejected";
    }
}

coded! {
    /// What is done to a case.
    pub enum CaseAction {
        /// The company submits the case (an upload is taken at once).
        Submit = "submit", "送出申請", "Submit";
        /// 取消申請 within 24 hours.
        Cancel = "cancel", "取消申請", "Cancel";
        Approve = "approve", "核准", "Approve";
        Reject = "reject", "駁回", "Reject";
        /// 補正: the reviewer asks for more material (A-N5).
        RequestMaterial = "request_material", "通知補正", "Ask for more material";
        /// The company's answer to it.
        ReplyMaterial = "reply_material", "補正資料", "Send material";
        /// 延長審查: once, with a reason the company is told (A-N5, 必要時得延長).
        ExtendReview = "extend_review", "延長審查", "Extend the review";
    }
}

/// What the case's guards read.
pub struct CaseFacts {
    pub submitted_at: i64,
    pub now: i64,
    /// The reviewer asked for material and the company has not answered yet.
    pub material_awaited: bool,
    /// The review was extended already (it may be, once).
    pub extended: bool,
}

const EXTENDED_ALREADY: Text = Text::new(
    "此案件已延長審查一次，不得再延長。",
    "This review was extended once already and cannot be extended again.",
);

/// A review is extended once at most (A-N5).
fn not_extended(facts: &CaseFacts) -> Result<(), Text> {
    if facts.extended {
        Err(EXTENDED_ALREADY)
    } else {
        Ok(())
    }
}

const COMPANY: &[Party] = &[Party::Company];
const REVIEWER: &[Party] = &[Party::Staff(Role::MinistryReviewer)];

const CANCELLED_TOO_LATE: Text = Text::new(
    "已超過申請日期24小時，無法取消申請。",
    "A case can be cancelled only within 24 hours of its application date.",
);
const NO_MATERIAL_AWAITED: Text = Text::new(
    "此案件目前無須補正資料，或已送出補正資料。",
    "This case is not waiting for material, or your answer was already sent.",
);

fn within_cancel_window(facts: &CaseFacts) -> Result<(), Text> {
    if facts.now < facts.submitted_at + CANCEL_WINDOW_SECONDS {
        Ok(())
    } else {
        Err(CANCELLED_TOO_LATE)
    }
}

fn material_awaited(facts: &CaseFacts) -> Result<(), Text> {
    if facts.material_awaited {
        Ok(())
    } else {
        Err(NO_MATERIAL_AWAITED)
    }
}

/// A company's case (A-2…A-10).
pub struct ApiCase;

impl Machine for ApiCase {
    const TYPE: &'static str = "api_service.case";
    const TITLE: &'static str = "API service case (API介接服務案件, seed 000)";
    const TABLE: &'static str = "api_cases";
    const KEY: &'static str = "id";
    const STATE_COLUMN: &'static str = "status";
    type State = CaseStatus;
    type Action = CaseAction;
    type Facts = CaseFacts;

    const STARTS: &'static [(CaseAction, CaseStatus)] = &[
        (CaseAction::Submit, CaseStatus::Pending),
        (CaseAction::Submit, CaseStatus::Uploaded),
    ];
    const RULES: &'static [Rule<CaseStatus, CaseAction, CaseFacts>] = &[
        Rule {
            from: &[CaseStatus::Pending],
            action: CaseAction::Cancel,
            by: COMPANY,
            guard: Some(Guard {
                name: "within 24 hours of submission",
                check: within_cancel_window,
            }),
            to: CaseStatus::Cancelled,
        },
        Rule {
            from: &[CaseStatus::Pending],
            action: CaseAction::Approve,
            by: REVIEWER,
            guard: None,
            to: CaseStatus::Approved,
        },
        Rule {
            from: &[CaseStatus::Pending],
            action: CaseAction::Reject,
            by: REVIEWER,
            guard: None,
            to: CaseStatus::Rejected,
        },
        Rule {
            from: &[CaseStatus::Pending],
            action: CaseAction::RequestMaterial,
            by: REVIEWER,
            guard: None,
            to: CaseStatus::Pending,
        },
        Rule {
            from: &[CaseStatus::Pending],
            action: CaseAction::ExtendReview,
            by: REVIEWER,
            guard: Some(Guard {
                name: "not extended before",
                check: not_extended,
            }),
            to: CaseStatus::Pending,
        },
        Rule {
            from: &[CaseStatus::Pending],
            action: CaseAction::ReplyMaterial,
            by: COMPANY,
            guard: Some(Guard {
                name: "material asked for and not yet sent",
                check: material_awaited,
            }),
            to: CaseStatus::Pending,
        },
    ];

    /// The wordings the company and the reviewers have always seen.
    fn not_now(_: CaseStatus, action: CaseAction) -> Refused {
        match action {
            CaseAction::Cancel => Refused::text(
                Reason::NotNow,
                Text::new(
                    "此案件已有審核結果或已取消，無法取消申請。",
                    "This case has already been decided or cancelled.",
                ),
            ),
            CaseAction::ReplyMaterial => Refused::text(Reason::NotNow, NO_MATERIAL_AWAITED),
            _ => ApiCase::overtaken(),
        }
    }

    fn overtaken() -> Refused {
        Refused::text(
            Reason::Overtaken,
            Text::new(
                "此案件已有審核結果或已由申請機構取消。",
                "This case has already been decided or was cancelled by the company.",
            ),
        )
    }
}

coded! {
    /// 啟用狀態: the state of a company's permission.
    pub enum GrantStatus {
        /// 啟用: may call the API.
        Active = "active", "啟用", "Active";
        /// 暫停: suspended (A-N9); the company regains it only by an approved improvement plan
        /// and a new application (A-N11).
        Suspended = "suspended", "暫停", "Suspended";
        /// 註銷: revoked by the ministry (A-N9, A-N10); apply anew after an improvement plan
        /// (A-N11).
        Revoked = "revoked", "註銷", "Revoked";
        /// 停用: deactivated at the company's request (A-N8).
        Deactivated = "deactivated", "停用", "Deactivated";
    }
}

coded! {
    /// What is done to a grant.
    pub enum GrantAction {
        /// An approved API申請 opens the grant (again, after a revocation or deactivation).
        Open = "open", "核准開通", "Open";
        Suspend = "suspend", "暫停", "Suspend";
        /// The abnormal-use detector's suspension (A-N9): calls answer checkIdCardApply 8 until
        /// an approved improvement plan and a new application open the grant again (A-N11).
        /// Not offered to reviewers.
        SuspendAbnormal = "suspend_abnormal", "異常使用暫停", "Suspend for abnormal use";
        Revoke = "revoke", "註銷", "Revoke";
        /// 核可改善做法: the reviewer's approval of the company's 改善做法 case, so it may
        /// apply again (A-N11).
        ApprovePlan = "approve_plan", "核可改善做法", "Approve the improvement plan";
        /// An approved API停用 (A-N8).
        Deactivate = "deactivate", "停用", "Deactivate";
    }
}

impl GrantAction {
    /// The actions a reviewer takes on a grant from the grants list.
    pub const REVIEWER_ACTIONS: [GrantAction; 2] = [GrantAction::Suspend, GrantAction::Revoke];

    /// What was done, as the company is told, in both languages.
    pub fn told(self) -> Text {
        match self {
            GrantAction::Suspend | GrantAction::SuspendAbnormal => {
                Text::new("查驗權限已暫停", "Your permission is suspended")
            }
            GrantAction::Revoke => Text::new("查驗權限已註銷", "Your permission is revoked"),
            GrantAction::ApprovePlan => Text::new(
                "改善做法已經內政部核可，得重新提出申請",
                "Your improvement plan is approved: you may apply again",
            ),
            GrantAction::Open => Text::new("查驗權限已開通", "Your permission is open"),
            GrantAction::Deactivate => {
                Text::new("查驗權限已停用", "Your permission is deactivated")
            }
        }
    }
}

/// What the grant's guards read.
pub struct GrantFacts {
    /// Suspended or revoked, and no improvement plan approved yet (A-N11).
    pub plan_required: bool,
}

fn plan_required(facts: &GrantFacts) -> Result<(), Text> {
    if facts.plan_required {
        Ok(())
    } else {
        Err(GRANT_NOT_NOW)
    }
}

const GRANT_NOT_NOW: Text = Text::new(
    "此權限目前的狀態不能執行此動作。",
    "The permission is not in a state that allows this.",
);
const REVIEWER_OR_SYSTEM: &[Party] = &[Party::Staff(Role::MinistryReviewer), Party::System];

/// A company's permission to call the verification API (A-7, A-N8…A-N11).
pub struct ApiGrant;

impl Machine for ApiGrant {
    const TYPE: &'static str = "api_service.grant";
    const TITLE: &'static str = "Verification API grant (查驗權限, seed 000)";
    const TABLE: &'static str = "api_grants";
    const KEY: &'static str = "business_id";
    const STATE_COLUMN: &'static str = "status";
    type State = GrantStatus;
    type Action = GrantAction;
    type Facts = GrantFacts;

    const STARTS: &'static [(GrantAction, GrantStatus)] =
        &[(GrantAction::Open, GrantStatus::Active)];
    const RULES: &'static [Rule<GrantStatus, GrantAction, GrantFacts>] = &[
        Rule {
            from: &[GrantStatus::Active],
            action: GrantAction::Suspend,
            by: REVIEWER,
            guard: None,
            to: GrantStatus::Suspended,
        },
        Rule {
            from: &[GrantStatus::Active],
            action: GrantAction::SuspendAbnormal,
            by: &[Party::System],
            guard: None,
            to: GrantStatus::Suspended,
        },
        // The periodic check revokes as the system (A-N10).
        Rule {
            from: &[GrantStatus::Active, GrantStatus::Suspended],
            action: GrantAction::Revoke,
            by: REVIEWER_OR_SYSTEM,
            guard: None,
            to: GrantStatus::Revoked,
        },
        // Approving a plan leaves the grant as it is: a new application opens it (A-N11).
        Rule {
            from: &[GrantStatus::Suspended],
            action: GrantAction::ApprovePlan,
            by: REVIEWER,
            guard: Some(Guard {
                name: "an improvement plan is required",
                check: plan_required,
            }),
            to: GrantStatus::Suspended,
        },
        Rule {
            from: &[GrantStatus::Revoked],
            action: GrantAction::ApprovePlan,
            by: REVIEWER,
            guard: Some(Guard {
                name: "an improvement plan is required",
                check: plan_required,
            }),
            to: GrantStatus::Revoked,
        },
        Rule {
            from: &[GrantStatus::Deactivated],
            action: GrantAction::ApprovePlan,
            by: REVIEWER,
            guard: Some(Guard {
                name: "an improvement plan is required",
                check: plan_required,
            }),
            to: GrantStatus::Deactivated,
        },
        // The reviewer's approval of the company's API停用 (A-N8).
        Rule {
            from: &[GrantStatus::Active, GrantStatus::Suspended],
            action: GrantAction::Deactivate,
            by: REVIEWER,
            guard: None,
            to: GrantStatus::Deactivated,
        },
    ];

    fn not_now(_: GrantStatus, _: GrantAction) -> Refused {
        Refused::text(Reason::NotNow, GRANT_NOT_NOW)
    }

    fn overtaken() -> Refused {
        Refused::text(Reason::Overtaken, GRANT_NOT_NOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::{transition, Code};

    const REVIEWER_PARTY: Party = Party::Staff(Role::MinistryReviewer);
    const PARTIES: [Party; 4] = [
        Party::Company,
        REVIEWER_PARTY,
        Party::System,
        Party::Citizen,
    ];

    fn case_facts(hours_since_submission: i64, material_awaited: bool) -> CaseFacts {
        CaseFacts {
            submitted_at: 0,
            now: hours_since_submission * 3600,
            material_awaited,
            extended: false,
        }
    }

    /// Every (state, action, party) of the case, against the allowed transitions written out
    /// here a second time from the seed (A-6…A-10, A-N5): whatever is not listed is refused.
    #[test]
    fn a_8_every_case_transition_allowed_and_refused() {
        use CaseAction::*;
        use CaseStatus::*;
        let allowed: &[(CaseStatus, CaseAction, Party, CaseStatus)] = &[
            (Pending, Cancel, Party::Company, Cancelled),
            (Pending, Approve, REVIEWER_PARTY, Approved),
            (Pending, Reject, REVIEWER_PARTY, Rejected),
            (Pending, RequestMaterial, REVIEWER_PARTY, Pending),
            (Pending, ReplyMaterial, Party::Company, Pending),
            (Pending, ExtendReview, REVIEWER_PARTY, Pending),
        ];
        let facts = case_facts(1, true);
        for &state in CaseStatus::ALL {
            for &action in CaseAction::ALL {
                for party in PARTIES {
                    let expected = allowed
                        .iter()
                        .find(|(s, a, p, _)| (*s, *a, *p) == (state, action, party))
                        .map(|(.., to)| *to);
                    let got = transition::<ApiCase>(state, action, party, &facts).ok();
                    assert_eq!(got, expected, "{state:?} {action:?} by {party:?}");
                }
            }
        }
    }

    #[test]
    fn a_9_a_case_is_cancelled_only_within_24_hours_and_only_while_in_review() {
        let late = transition::<ApiCase>(
            CaseStatus::Pending,
            CaseAction::Cancel,
            Party::Company,
            &case_facts(24, false),
        )
        .expect_err("24 hours on");
        assert_eq!(late.zh_tw, "已超過申請日期24小時，無法取消申請。");
        let decided = transition::<ApiCase>(
            CaseStatus::Approved,
            CaseAction::Cancel,
            Party::Company,
            &case_facts(1, false),
        )
        .expect_err("decided");
        assert_eq!(decided.zh_tw, "此案件已有審核結果或已取消，無法取消申請。");
    }

    #[test]
    fn a_n5_a_review_is_extended_once_only() {
        let once = CaseFacts {
            extended: true,
            ..case_facts(1, false)
        };
        let again = transition::<ApiCase>(
            CaseStatus::Pending,
            CaseAction::ExtendReview,
            REVIEWER_PARTY,
            &once,
        )
        .expect_err("extended before");
        assert_eq!(again.zh_tw, "此案件已延長審查一次，不得再延長。");
    }

    #[test]
    fn a_n5_material_is_sent_once_and_only_when_asked_for() {
        let refused = transition::<ApiCase>(
            CaseStatus::Pending,
            CaseAction::ReplyMaterial,
            Party::Company,
            &case_facts(1, false),
        )
        .expect_err("nothing asked");
        assert_eq!(
            refused.reason,
            Reason::Guard("material asked for and not yet sent")
        );
    }

    /// Every (state, action, party) of the grant (A-N8…A-N11).
    #[test]
    fn a_n9_every_grant_transition_allowed_and_refused() {
        use GrantAction::*;
        use GrantStatus::*;
        let allowed: &[(GrantStatus, GrantAction, Party, GrantStatus)] = &[
            (Active, Suspend, REVIEWER_PARTY, Suspended),
            (Active, SuspendAbnormal, Party::System, Suspended),
            (Active, Revoke, REVIEWER_PARTY, Revoked),
            (Active, Revoke, Party::System, Revoked),
            (Suspended, Revoke, REVIEWER_PARTY, Revoked),
            (Suspended, Revoke, Party::System, Revoked),
            (Suspended, ApprovePlan, REVIEWER_PARTY, Suspended),
            (Revoked, ApprovePlan, REVIEWER_PARTY, Revoked),
            (Deactivated, ApprovePlan, REVIEWER_PARTY, Deactivated),
            (Active, Deactivate, REVIEWER_PARTY, Deactivated),
            (Suspended, Deactivate, REVIEWER_PARTY, Deactivated),
        ];
        let facts = GrantFacts {
            plan_required: true,
        };
        for &state in GrantStatus::ALL {
            for &action in GrantAction::ALL {
                for party in PARTIES {
                    let expected = allowed
                        .iter()
                        .find(|(s, a, p, _)| (*s, *a, *p) == (state, action, party))
                        .map(|(.., to)| *to);
                    let got = transition::<ApiGrant>(state, action, party, &facts).ok();
                    assert_eq!(got, expected, "{state:?} {action:?} by {party:?}");
                }
            }
        }
    }

    #[test]
    fn a_n11_an_improvement_plan_is_approved_only_when_one_is_required() {
        let refused = transition::<ApiGrant>(
            GrantStatus::Revoked,
            GrantAction::ApprovePlan,
            REVIEWER_PARTY,
            &GrantFacts {
                plan_required: false,
            },
        )
        .expect_err("no plan required");
        assert_eq!(refused.zh_tw, "此權限目前的狀態不能執行此動作。");
    }
}
