//! 啟用 and 停用 requests (要點三、四, SPEC I-2) as a declared case type: an agency or a
//! financial institution files one with the seed's 申請表, may withdraw it while it is in
//! review, and the ministry answers 同意 (with the effective date) or 不同意, each with a 說明.
//! On its effective date a background job records that the approved request took effect.

use crate::cases::{Guard, Machine, Party, Rule, Text};
use crate::coded;
use crate::services::staff::role::Role;

coded! {
    /// 申請項目.
    pub enum RequestKind {
        /// 啟用: open an application system to the service.
        Enable = "enable", "啟用", "Enable";
        /// 停用: close it.
        Disable = "disable", "停用", "Disable";
    }
}

coded! {
    /// Where a request stands.
    pub enum RequestStatus {
        Pending = "pending", "審核中", "In review";
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
        /// 同意: the system opens (or closes) on the effective date.
        Approved = "approved", "同意", "Approved";
        /// 不同意.
        Rejected = "rejected", "不同意", "Not approved";
        /// The effective date has come: the system is open (or closed).
        InEffect = "in_effect", "已生效", "In effect";
    }
}

coded! {
    /// What is done to a request.
    pub enum RequestAction {
        File = "file", "送出申請", "File";
        Withdraw = "withdraw", "撤回申請", "Withdraw";
        Approve = "approve", "同意", "Approve";
        Reject = "reject", "不同意", "Do not approve";
        /// The job, on the effective date.
        TakeEffect = "take_effect", "生效", "Take effect";
    }
}

/// The request prefix of its number (`C1151204-000001`).
pub const PREFIX: char = crate::cases::number::letter::CONFIRMATION_REQUEST;

/// What the guards read.
pub struct RequestFacts {
    pub now: i64,
    /// The date the ministry answered (Taipei midnight), once approved.
    pub effective_from: Option<i64>,
}

const APPLICANT: &[Party] = &[Party::Agency, Party::Company];
const REVIEWER: &[Party] = &[Party::Staff(Role::MinistryReviewer)];

fn effective_date_reached(facts: &RequestFacts) -> Result<(), Text> {
    match facts.effective_from {
        Some(from) if from <= facts.now => Ok(()),
        _ => Err(Text::new(
            "尚未到生效日期。",
            "The effective date has not come.",
        )),
    }
}

/// A 啟用 or 停用 request.
pub struct ConfirmationRequest;

impl Machine for ConfirmationRequest {
    const TYPE: &'static str = "confirmation.request";
    const TITLE: &'static str =
        "Identity confirmation request (身分確認服務 啟用／停用申請, seed 003)";
    const TABLE: &'static str = "confirmation_requests";
    const KEY: &'static str = "id";
    const STATE_COLUMN: &'static str = "status";
    type State = RequestStatus;
    type Action = RequestAction;
    type Facts = RequestFacts;

    const STARTS: &'static [(RequestAction, RequestStatus)] =
        &[(RequestAction::File, RequestStatus::Pending)];
    const RULES: &'static [Rule<RequestStatus, RequestAction, RequestFacts>] = &[
        Rule {
            from: &[RequestStatus::Pending],
            action: RequestAction::Withdraw,
            by: APPLICANT,
            guard: None,
            to: RequestStatus::Withdrawn,
        },
        Rule {
            from: &[RequestStatus::Pending],
            action: RequestAction::Approve,
            by: REVIEWER,
            guard: None,
            to: RequestStatus::Approved,
        },
        Rule {
            from: &[RequestStatus::Pending],
            action: RequestAction::Reject,
            by: REVIEWER,
            guard: None,
            to: RequestStatus::Rejected,
        },
        Rule {
            from: &[RequestStatus::Approved],
            action: RequestAction::TakeEffect,
            by: &[Party::System],
            guard: Some(Guard {
                name: "on or after the effective date",
                check: effective_date_reached,
            }),
            to: RequestStatus::InEffect,
        },
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::{transition, Reason};

    const REVIEWER: Party = Party::Staff(Role::MinistryReviewer);

    fn facts(now: i64, effective_from: Option<i64>) -> RequestFacts {
        RequestFacts {
            now,
            effective_from,
        }
    }

    #[test]
    fn i_2_the_ministry_answers_a_request_and_only_the_applicant_withdraws_it() {
        use RequestAction::*;
        use RequestStatus::*;
        let open = facts(0, None);
        let go = |from, action, party| {
            transition::<ConfirmationRequest>(from, action, party, &open).map_err(|r| r.reason)
        };
        assert_eq!(go(Pending, Approve, REVIEWER), Ok(Approved));
        assert_eq!(go(Pending, Reject, REVIEWER), Ok(Rejected));
        assert_eq!(go(Pending, Withdraw, Party::Agency), Ok(Withdrawn));
        assert_eq!(go(Pending, Withdraw, Party::Company), Ok(Withdrawn));
        assert_eq!(go(Pending, Approve, Party::Agency), Err(Reason::NotYours));
        assert_eq!(go(Pending, Withdraw, REVIEWER), Err(Reason::NotYours));
        assert_eq!(go(Approved, Withdraw, Party::Company), Err(Reason::NotNow));
        assert_eq!(go(Rejected, Approve, REVIEWER), Err(Reason::NotNow));
    }

    #[test]
    fn i_2_an_approved_request_takes_effect_on_its_date_and_not_before() {
        let take = |now| {
            transition::<ConfirmationRequest>(
                RequestStatus::Approved,
                RequestAction::TakeEffect,
                Party::System,
                &facts(now, Some(1_000)),
            )
            .map_err(|r| r.reason)
        };
        assert_eq!(
            take(999),
            Err(Reason::Guard("on or after the effective date"))
        );
        assert_eq!(take(1_000), Ok(RequestStatus::InEffect));
    }
}
