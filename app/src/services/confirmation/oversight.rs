//! The ministry's oversight of registered systems (要點六、七, SPEC I-4) as a declared case
//! type: it may require measures of a system (rule 7), set a deadline to improve one whose load
//! harms the service (rule 6(五)), and stop a system on one of the five grounds of rule 6 — on
//! the ground of load only once the deadline has passed. The API refuses a stopped system at
//! once (its snapshot is read again within a second).

use super::StopGround;
use crate::cases::{Guard, Machine, Party, Rule, Text};
use crate::coded;
use crate::services::staff::role::Role;

coded! {
    /// Where a system stands with the ministry.
    pub enum Oversight {
        Normal = "normal", "正常", "Normal";
        /// 限期改善: a deadline to stop harming the service (rule 6(五)).
        Improving = "improving", "限期改善中", "Improvement required";
        /// 逕行停止服務 (rule 6).
        Stopped = "stopped", "已停止服務", "Stopped";
    }
}

coded! {
    /// What the ministry does to a system.
    pub enum OversightAction {
        /// The system is registered (an approved 啟用 request).
        Register = "register", "登記", "Register";
        /// 要求採行相關配合措施 (rule 7).
        RequireMeasures = "require_measures", "要求配合措施", "Require measures";
        /// 要求限期改善 (rule 6(五)).
        RequireImprovement = "require_improvement", "要求限期改善", "Set a deadline to improve";
        /// 逕行停止服務 on a ground of rule 6.
        Stop = "stop", "停止服務", "Stop the service";
    }
}

/// What the guards read.
pub struct OversightFacts {
    pub now: i64,
    pub ground: Option<StopGround>,
    /// The deadline to improve, if one was set.
    pub improve_by: Option<i64>,
}

const REVIEWER: &[Party] = &[Party::Staff(Role::MinistryReviewer)];

/// Rule 6(五): a system stops for its load only after a deadline to improve has passed.
fn load_deadline_passed(facts: &OversightFacts) -> Result<(), Text> {
    match (facts.ground, facts.improve_by) {
        (Some(StopGround::HeavyLoad), Some(by)) if facts.now >= by => Ok(()),
        (Some(StopGround::HeavyLoad), _) => Err(Text::new(
            "因耗損系統效能停止服務，須先要求限期改善且期限已屆滿。",
            "A system stops for its load only after a deadline to improve has passed.",
        )),
        (Some(_), _) => Ok(()),
        (None, _) => Err(Text::new(
            "請選擇停止服務之事由（要點第六點）。",
            "Choose the ground of rule 6.",
        )),
    }
}

/// A registered system under the ministry's oversight.
pub struct ConfirmationSystem;

impl Machine for ConfirmationSystem {
    const TYPE: &'static str = "confirmation.system";
    const TITLE: &'static str = "Identity confirmation system (身分確認服務 應用系統, seed 003)";
    const TABLE: &'static str = "confirmation_systems";
    const KEY: &'static str = "id";
    const STATE_COLUMN: &'static str = "oversight";
    type State = Oversight;
    type Action = OversightAction;
    type Facts = OversightFacts;

    const STARTS: &'static [(OversightAction, Oversight)] =
        &[(OversightAction::Register, Oversight::Normal)];
    const RULES: &'static [Rule<Oversight, OversightAction, OversightFacts>] = &[
        Rule {
            from: &[Oversight::Normal],
            action: OversightAction::RequireMeasures,
            by: REVIEWER,
            guard: None,
            to: Oversight::Normal,
        },
        Rule {
            from: &[Oversight::Improving],
            action: OversightAction::RequireMeasures,
            by: REVIEWER,
            guard: None,
            to: Oversight::Improving,
        },
        Rule {
            from: &[Oversight::Normal, Oversight::Improving],
            action: OversightAction::RequireImprovement,
            by: REVIEWER,
            guard: None,
            to: Oversight::Improving,
        },
        Rule {
            from: &[Oversight::Normal, Oversight::Improving],
            action: OversightAction::Stop,
            by: REVIEWER,
            guard: Some(Guard {
                name: "for load, only after the deadline to improve",
                check: load_deadline_passed,
            }),
            to: Oversight::Stopped,
        },
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::{transition, Code, Reason};

    const MINISTRY: Party = Party::Staff(Role::MinistryReviewer);

    fn stop(
        from: Oversight,
        ground: StopGround,
        improve_by: Option<i64>,
        now: i64,
    ) -> Result<Oversight, Reason> {
        transition::<ConfirmationSystem>(
            from,
            OversightAction::Stop,
            MINISTRY,
            &OversightFacts {
                now,
                ground: Some(ground),
                improve_by,
            },
        )
        .map_err(|refused| refused.reason)
    }

    #[test]
    fn i_4_the_ministry_stops_a_system_on_any_ground_of_rule_6() {
        for ground in StopGround::ALL {
            if *ground != StopGround::HeavyLoad {
                assert_eq!(
                    stop(Oversight::Normal, *ground, None, 0),
                    Ok(Oversight::Stopped)
                );
            }
        }
        assert_eq!(
            stop(Oversight::Stopped, StopGround::FalseData, None, 0),
            Err(Reason::NotNow)
        );
    }

    #[test]
    fn i_4_heavy_load_stops_a_system_only_after_its_deadline_to_improve() {
        let guard = Err(Reason::Guard(
            "for load, only after the deadline to improve",
        ));
        assert_eq!(
            stop(Oversight::Normal, StopGround::HeavyLoad, None, 100),
            guard
        );
        assert_eq!(
            stop(Oversight::Improving, StopGround::HeavyLoad, Some(200), 199),
            guard
        );
        assert_eq!(
            stop(Oversight::Improving, StopGround::HeavyLoad, Some(200), 200),
            Ok(Oversight::Stopped)
        );
    }

    #[test]
    fn i_4_only_the_ministry_oversees() {
        let facts = OversightFacts {
            now: 0,
            ground: None,
            improve_by: None,
        };
        for party in [Party::Agency, Party::Company, Party::System] {
            assert_eq!(
                transition::<ConfirmationSystem>(
                    Oversight::Normal,
                    OversightAction::RequireMeasures,
                    party,
                    &facts
                )
                .map_err(|refused| refused.reason),
                Err(Reason::NotYours)
            );
        }
    }
}
