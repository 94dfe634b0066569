//! Case types as declared state machines: a case type lists its states, its actions, and for
//! each action the states it may be taken in, the parties who may take it, an optional guard
//! and the state it leads to. [`transition`] reads that declaration and nothing else, so the
//! pages, the stores and the diagrams in `docs/cases.md` all follow one table.

use super::code::Code;
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::services::staff::role::Role;

/// Who takes an action on a case. Staff are told apart by role; their jurisdiction is checked
/// when the case is loaded (a case outside it is never found), not here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    /// A company signed in with its 工商憑證.
    Company,
    /// A citizen, with their own card or through a public form.
    Citizen,
    /// A government agency signed in with its 機關憑證.
    Agency,
    /// Back-office staff in this role.
    Staff(Role),
    /// The server itself: background jobs and detectors.
    System,
}

impl Party {
    /// The party's name in diagrams and event rows.
    pub fn code(self) -> &'static str {
        match self {
            Party::Company => "company",
            Party::Citizen => "citizen",
            Party::Agency => "agency",
            Party::Staff(role) => role.code(),
            Party::System => "system",
        }
    }

    /// The party a stored code names.
    pub fn from_code(code: &str) -> Option<Party> {
        [Party::Company, Party::Citizen, Party::Agency, Party::System]
            .into_iter()
            .chain(Role::ALL.into_iter().map(Party::Staff))
            .find(|party| party.code() == code)
    }
}

/// A message in both languages, fixed at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    pub zh_tw: &'static str,
    pub english: &'static str,
}

impl Text {
    pub const fn new(zh_tw: &'static str, english: &'static str) -> Text {
        Text { zh_tw, english }
    }
}

/// A condition an action needs beyond the case's state, over the facts the case type gathers
/// (its `Facts`). The name is shown in the diagrams.
pub struct Guard<F: 'static> {
    pub name: &'static str,
    pub check: fn(&F) -> Result<(), Text>,
}

/// One declared transition.
pub struct Rule<S: 'static, A: 'static, F: 'static> {
    /// The states the action may be taken in.
    pub from: &'static [S],
    pub action: A,
    /// Who may take it.
    pub by: &'static [Party],
    pub guard: Option<Guard<F>>,
    /// The state it leads to (the same state for an action that changes only the case's data).
    pub to: S,
}

/// A case type.
pub trait Machine: 'static {
    /// Its name in `case_events.case_type`, and the prefix of its audit actions
    /// (`api_service.case` → `api_service.case.approve`).
    const TYPE: &'static str;
    /// What people call it, for the diagrams.
    const TITLE: &'static str;
    /// Where its cases are: the table, the key column and the state column.
    const TABLE: &'static str;
    const KEY: &'static str;
    const STATE_COLUMN: &'static str;

    type State: Code;
    type Action: Code;
    /// What its guards read: the case's data and the time of the action.
    type Facts: 'static;

    /// The states a case starts in, and the action that starts it there.
    const STARTS: &'static [(Self::Action, Self::State)];
    const RULES: &'static [Rule<Self::State, Self::Action, Self::Facts>];

    /// The audit action `action` is recorded as: `<TYPE>.<action code>`, unless the audit log
    /// knew it by another name before the case type was declared; `None` for an action whose
    /// audit row another action of the same work already writes, or the service writes itself
    /// under the name and subject the log knew it by (its timeline event is still recorded).
    fn audit_action(action: Self::Action) -> Option<String> {
        Some(format!("{}.{}", Self::TYPE, action.code()))
    }

    /// The label of an event's action code in a timeline: one of the type's actions, or
    /// (for a workflow case type) one of its steps.
    fn action_label(code: &str, lang: Lang) -> Option<&'static str> {
        Self::Action::from_code(code).map(|action| action.label(lang))
    }

    /// The refusal of an action not declared from the case's state. Case types whose users
    /// already know a wording give it here.
    fn not_now(state: Self::State, action: Self::Action) -> Refused {
        Refused::new(
            Reason::NotNow,
            format!(
                "此案件目前為「{}」，不能執行「{}」。",
                state.label(Lang::ZhTw),
                action.label(Lang::ZhTw)
            ),
            format!(
                "This case is “{}”: “{}” is not possible now.",
                state.label(Lang::English),
                action.label(Lang::English)
            ),
        )
    }

    /// The refusal of an action that lost a race: another action changed the case between
    /// reading it and writing the change.
    fn overtaken() -> Refused {
        Refused::new(
            Reason::Overtaken,
            "此案件剛由他人處理，請重新整理後再確認其狀態。".into(),
            "Someone else has just acted on this case; reload it to see its state.".into(),
        )
    }
}

/// Why an action was refused, for the code (tests, and how a store reacts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The action is not declared from the case's state.
    NotNow,
    /// Declared, but not for this party.
    NotYours,
    /// The named guard said no.
    Guard(&'static str),
    /// Another action changed the case first.
    Overtaken,
}

/// A refused action: why, and what the person is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub reason: Reason,
    pub zh_tw: String,
    pub english: String,
}

impl Refused {
    pub fn new(reason: Reason, zh_tw: String, english: String) -> Refused {
        Refused {
            reason,
            zh_tw,
            english,
        }
    }

    /// A refusal with a fixed text.
    pub fn text(reason: Reason, text: Text) -> Refused {
        Refused::new(reason, text.zh_tw.into(), text.english.into())
    }
}

impl From<Refused> for PortalError {
    fn from(refused: Refused) -> PortalError {
        match refused.reason {
            // Pages offer an action only to its parties: anyone else forged the request.
            Reason::NotYours => PortalError::Forbidden,
            _ => PortalError::Refused {
                zh_tw: refused.zh_tw,
                english: refused.english,
            },
        }
    }
}

/// The state `action` by `party` leads to from `from`, or why it may not be taken. Pure: the
/// declaration and the facts decide, nothing else.
pub fn transition<M: Machine>(
    from: M::State,
    action: M::Action,
    party: Party,
    facts: &M::Facts,
) -> Result<M::State, Refused> {
    let mut declared = M::RULES
        .iter()
        .filter(|rule| rule.action == action && rule.from.contains(&from))
        .peekable();
    if declared.peek().is_none() {
        return Err(M::not_now(from, action));
    }
    let rule = declared
        .find(|rule| rule.by.contains(&party))
        .ok_or_else(|| {
            Refused::text(
                Reason::NotYours,
                Text::new("您不能執行此動作。", "You may not take this action."),
            )
        })?;
    if let Some(guard) = &rule.guard {
        (guard.check)(facts).map_err(|text| Refused::text(Reason::Guard(guard.name), text))?;
    }
    Ok(rule.to)
}

/// The actions `party` may take from `state`, guards aside: what a page offers.
pub fn offered<M: Machine>(state: M::State, party: Party) -> Vec<M::Action> {
    let mut actions = Vec::new();
    for rule in M::RULES {
        if rule.from.contains(&state) && rule.by.contains(&party) && !actions.contains(&rule.action)
        {
            actions.push(rule.action);
        }
    }
    actions
}

/// Whether a case may start in `state` by `action`.
pub fn starts<M: Machine>(action: M::Action, state: M::State) -> bool {
    M::STARTS.contains(&(action, state))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::coded;

    coded! {
        /// A small review process for the engine's own tests.
        pub enum Step {
            Open = "open", "受理中", "Open";
            Done = "done", "已結案", "Done";
            Withdrawn = "withdrawn", "已撤回", "Withdrawn";
        }
    }

    coded! {
        pub enum Act {
            File = "file", "申請", "File";
            Close = "close", "結案", "Close";
            Withdraw = "withdraw", "撤回", "Withdraw";
            Note = "note", "註記", "Note";
        }
    }

    /// Whether the withdrawal window is still open.
    pub struct Window(pub bool);

    pub struct Review;

    fn within_window(window: &Window) -> Result<(), Text> {
        if window.0 {
            Ok(())
        } else {
            Err(Text::new("已逾期限。", "Too late."))
        }
    }

    impl Machine for Review {
        const TYPE: &'static str = "test.review";
        const TITLE: &'static str = "Review";
        const TABLE: &'static str = "reviews";
        const KEY: &'static str = "id";
        const STATE_COLUMN: &'static str = "status";
        type State = Step;
        type Action = Act;
        type Facts = Window;
        const STARTS: &'static [(Act, Step)] = &[(Act::File, Step::Open)];
        const RULES: &'static [Rule<Step, Act, Window>] = &[
            Rule {
                from: &[Step::Open],
                action: Act::Close,
                by: &[Party::Staff(Role::MinistryReviewer)],
                guard: None,
                to: Step::Done,
            },
            Rule {
                from: &[Step::Open],
                action: Act::Withdraw,
                by: &[Party::Company],
                guard: Some(Guard {
                    name: "within the window",
                    check: within_window,
                }),
                to: Step::Withdrawn,
            },
            Rule {
                from: &[Step::Open, Step::Done],
                action: Act::Note,
                by: &[Party::Staff(Role::MinistryReviewer), Party::System],
                guard: None,
                to: Step::Open,
            },
        ];
    }

    const REVIEWER: Party = Party::Staff(Role::MinistryReviewer);

    #[test]
    fn declared_transitions_lead_where_declared() {
        let open = Window(true);
        assert_eq!(
            transition::<Review>(Step::Open, Act::Close, REVIEWER, &open),
            Ok(Step::Done)
        );
        assert_eq!(
            transition::<Review>(Step::Open, Act::Withdraw, Party::Company, &open),
            Ok(Step::Withdrawn)
        );
        assert_eq!(
            transition::<Review>(Step::Done, Act::Note, Party::System, &open),
            Ok(Step::Open)
        );
    }

    #[test]
    fn undeclared_state_wrong_party_and_failed_guard_are_refused_with_their_reason() {
        let reason = |from, action, party, open| {
            transition::<Review>(from, action, party, &Window(open)).map_err(|r| r.reason)
        };
        assert_eq!(
            reason(Step::Done, Act::Close, REVIEWER, true),
            Err(Reason::NotNow)
        );
        assert_eq!(
            reason(Step::Open, Act::Close, Party::Company, true),
            Err(Reason::NotYours)
        );
        assert_eq!(
            reason(Step::Open, Act::Withdraw, Party::Company, false),
            Err(Reason::Guard("within the window"))
        );
        // Starting is not a transition.
        assert_eq!(
            reason(Step::Open, Act::File, Party::Company, true),
            Err(Reason::NotNow)
        );
    }

    #[test]
    fn refusals_are_bilingual_and_a_wrong_party_is_forbidden() {
        let refused = transition::<Review>(Step::Done, Act::Close, REVIEWER, &Window(true))
            .expect_err("closed twice");
        assert_eq!(refused.zh_tw, "此案件目前為「已結案」，不能執行「結案」。");
        assert_eq!(
            refused.english,
            "This case is “Done”: “Close” is not possible now."
        );
        let forbidden = transition::<Review>(Step::Open, Act::Close, Party::Citizen, &Window(true))
            .expect_err("not a reviewer");
        assert_eq!(PortalError::from(forbidden), PortalError::Forbidden);
    }

    #[test]
    fn pages_are_offered_the_declared_actions_of_the_party() {
        assert_eq!(
            offered::<Review>(Step::Open, REVIEWER),
            vec![Act::Close, Act::Note]
        );
        assert_eq!(
            offered::<Review>(Step::Open, Party::Company),
            vec![Act::Withdraw]
        );
        assert!(offered::<Review>(Step::Withdrawn, REVIEWER).is_empty());
        assert!(starts::<Review>(Act::File, Step::Open));
        assert!(!starts::<Review>(Act::File, Step::Done));
    }
}
