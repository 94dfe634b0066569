//! Workflows: case types whose progress is a set of steps rather than one state — steps that
//! apply only to some cases (by an attribute such as the interface kind), parallel branches
//! that must all finish before a join, and steps that need every named party to confirm
//! (both sides of a go-live). As with [`super::machine`], a workflow is a declaration and
//! the functions here read nothing else; they are pure, so every step, skip and join is tested
//! without a database.

use super::code::Code;
use super::machine::{Machine, Party, Reason, Refused, Text};

/// Whether a step applies to a case with these attributes; the name is shown in diagrams.
pub struct Applies<A: 'static> {
    pub name: &'static str,
    pub check: fn(&A) -> bool,
}

/// One declared step.
pub struct StepRule<S: 'static, A: 'static> {
    pub step: S,
    /// The steps that must be finished (done, or skipped as not applying) first; more than one
    /// makes this step the join of parallel branches.
    pub after: &'static [S],
    /// Who completes it.
    pub by: &'static [Party],
    /// Every party in `by` must confirm it (both sides), not just one of them.
    pub all_confirm: bool,
    /// `None`: every case takes this step.
    pub applies: Option<Applies<A>>,
    /// Working days the step should take once it is ready (the inbox's overdue flag).
    pub due_working_days: u32,
}

/// A workflow case type: the steps of the cases of a [`Machine`] while they are in its
/// `OPEN` state.
pub trait Workflow: 'static {
    /// The case type as a whole: its table, its states, its timeline and audit names.
    type Case: Machine;
    /// The state in which steps are taken.
    const OPEN: <Self::Case as Machine>::State;
    /// The case type's action that taking a step is (who may take steps at all, in which state).
    const STEP: <Self::Case as Machine>::Action;
    /// Its action that sends a case back.
    const SEND_BACK: <Self::Case as Machine>::Action;
    const TITLE: &'static str;
    type Step: Code;
    /// What decides which steps apply.
    type Attrs: 'static;
    const STEPS: &'static [StepRule<Self::Step, Self::Attrs>];
}

/// How far a case has come: the steps done, and the confirmations of steps not yet done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress<S> {
    pub done: Vec<S>,
    pub confirmed: Vec<(S, Party)>,
}

impl<S> Default for Progress<S> {
    /// A case that has taken no step yet.
    fn default() -> Self {
        Progress {
            done: Vec::new(),
            confirmed: Vec::new(),
        }
    }
}

/// The declaration of `step` (every step of a workflow is declared once).
pub fn rule<W: Workflow>(step: W::Step) -> &'static StepRule<W::Step, W::Attrs> {
    W::STEPS
        .iter()
        .find(|rule| rule.step == step)
        .unwrap_or_else(|| panic!("{} declares no step {step:?}", W::Case::TYPE))
}

/// Whether `step` applies to a case with `attrs`.
pub fn applies<W: Workflow>(step: W::Step, attrs: &W::Attrs) -> bool {
    rule::<W>(step)
        .applies
        .as_ref()
        .is_none_or(|applies| (applies.check)(attrs))
}

/// Whether `step` needs nothing more: done, or skipped for this case once the steps before
/// it are finished (a skipped step in a chain does not let what follows it start early).
fn finished<W: Workflow>(progress: &Progress<W::Step>, step: W::Step, attrs: &W::Attrs) -> bool {
    progress.done.contains(&step)
        || (!applies::<W>(step, attrs)
            && rule::<W>(step)
                .after
                .iter()
                .all(|before| finished::<W>(progress, *before, attrs)))
}

/// The steps that may be taken now: applying, not done, and every step before them finished.
pub fn ready<W: Workflow>(progress: &Progress<W::Step>, attrs: &W::Attrs) -> Vec<W::Step> {
    W::STEPS
        .iter()
        .filter(|rule| {
            applies::<W>(rule.step, attrs)
                && !progress.done.contains(&rule.step)
                && rule
                    .after
                    .iter()
                    .all(|before| finished::<W>(progress, *before, attrs))
        })
        .map(|rule| rule.step)
        .collect()
}

/// Whether every step that applies is done.
pub fn complete<W: Workflow>(progress: &Progress<W::Step>, attrs: &W::Attrs) -> bool {
    W::STEPS
        .iter()
        .all(|rule| finished::<W>(progress, rule.step, attrs))
}

/// When `step` became (or becomes) ready, from when each step was done (`done_at`) and when
/// the case started: the latest finish among the steps before it, a skipped step finishing
/// when the steps before it did. An inbox counts a step's age from here.
pub fn ready_since<W: Workflow>(done_at: &[(W::Step, i64)], step: W::Step, started: i64) -> i64 {
    rule::<W>(step)
        .after
        .iter()
        .map(|before| {
            done_at
                .iter()
                .find(|(done, _)| done == before)
                .map(|(_, at)| *at)
                .unwrap_or_else(|| ready_since::<W>(done_at, *before, started))
        })
        .fold(started, i64::max)
}

fn refused(reason: Reason, zh_tw: &'static str, english: &'static str) -> Refused {
    Refused::text(reason, Text::new(zh_tw, english))
}

/// `party` completes (or, for a step every party confirms, confirms) `step`: the progress
/// after it, or why not.
pub fn take<W: Workflow>(
    progress: &Progress<W::Step>,
    step: W::Step,
    party: Party,
    attrs: &W::Attrs,
) -> Result<Progress<W::Step>, Refused> {
    let rule = rule::<W>(step);
    if !applies::<W>(step, attrs) {
        return Err(refused(
            Reason::NotNow,
            "此案件不須辦理此步驟。",
            "This step does not apply to this case.",
        ));
    }
    if progress.done.contains(&step) {
        return Err(refused(
            Reason::NotNow,
            "此步驟已完成。",
            "This step is already done.",
        ));
    }
    if !ready::<W>(progress, attrs).contains(&step) {
        return Err(refused(
            Reason::NotNow,
            "前置步驟尚未完成。",
            "The steps before this one are not finished yet.",
        ));
    }
    if !rule.by.contains(&party) {
        return Err(refused(
            Reason::NotYours,
            "您不能執行此步驟。",
            "You may not take this step.",
        ));
    }
    let mut next = progress.clone();
    if rule.all_confirm {
        if next.confirmed.contains(&(step, party)) {
            return Err(refused(
                Reason::NotNow,
                "您已確認此步驟，待另一方確認。",
                "You have confirmed this step; the other side has not yet.",
            ));
        }
        next.confirmed.push((step, party));
        let everyone = rule
            .by
            .iter()
            .all(|party| next.confirmed.contains(&(step, *party)));
        if !everyone {
            return Ok(next);
        }
        next.confirmed.retain(|(confirmed, _)| *confirmed != step);
    }
    next.done.push(step);
    Ok(next)
}

/// Sends the case back to `step`: it and every step that (transitively) follows it are to be
/// taken again, their confirmations forgotten; the parallel branches not after it stay done.
pub fn send_back<W: Workflow>(progress: &Progress<W::Step>, step: W::Step) -> Progress<W::Step> {
    let mut undone = vec![step];
    let mut grew = true;
    while grew {
        grew = false;
        for rule in W::STEPS {
            if !undone.contains(&rule.step) && rule.after.iter().any(|s| undone.contains(s)) {
                undone.push(rule.step);
                grew = true;
            }
        }
    }
    Progress {
        done: progress
            .done
            .iter()
            .copied()
            .filter(|s| !undone.contains(s))
            .collect(),
        confirmed: progress
            .confirmed
            .iter()
            .copied()
            .filter(|(s, _)| !undone.contains(s))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded;
    use crate::services::staff::role::Role;

    coded! {
        /// A linking process in miniature: file, review, three parallel branches of which one
        /// applies to VPN links only, a join, and a go-live both sides confirm.
        enum Step {
            File = "file", "申請", "File";
            Review = "review", "審查", "Review";
            Firewall = "firewall", "防火牆設定", "Firewall";
            Line = "line", "線路", "Line";
            Keys = "keys", "金鑰交換", "Key exchange";
            Test = "test", "連線測試", "Connection test";
            GoLive = "go_live", "上線確認", "Go-live";
        }
    }

    struct Link {
        vpn: bool,
    }

    coded! {
        enum State {
            Open = "open", "辦理中", "Open";
        }
    }

    coded! {
        enum Action {
            TakeStep = "step", "辦理步驟", "Take a step";
            Back = "back", "退回", "Send back";
        }
    }

    /// The miniature's case as a whole: always open.
    struct Case;

    impl Machine for Case {
        const TYPE: &'static str = "test.linking";
        const TITLE: &'static str = "Linking";
        const TABLE: &'static str = "links";
        const KEY: &'static str = "id";
        const STATE_COLUMN: &'static str = "status";
        type State = State;
        type Action = Action;
        type Facts = ();
        const STARTS: &'static [(Action, State)] = &[];
        const RULES: &'static [crate::cases::Rule<State, Action, ()>] = &[];
    }

    struct Linking;

    const AGENCY: Party = Party::Agency;
    const REVIEWER: Party = Party::Staff(Role::MinistryReviewer);
    const IT: Party = Party::Staff(Role::InformationServices);
    const CHT: Party = Party::Staff(Role::ChtEngineer);

    impl Workflow for Linking {
        type Case = Case;
        const OPEN: State = State::Open;
        const STEP: Action = Action::TakeStep;
        const SEND_BACK: Action = Action::Back;
        const TITLE: &'static str = "Linking";
        type Step = Step;
        type Attrs = Link;
        const STEPS: &'static [StepRule<Step, Link>] = &[
            StepRule {
                step: Step::File,
                after: &[],
                by: &[AGENCY],
                all_confirm: false,
                applies: None,
                due_working_days: 0,
            },
            StepRule {
                step: Step::Review,
                after: &[Step::File],
                by: &[REVIEWER],
                all_confirm: false,
                applies: None,
                due_working_days: 10,
            },
            StepRule {
                step: Step::Firewall,
                after: &[Step::Review],
                by: &[IT],
                all_confirm: false,
                applies: None,
                due_working_days: 5,
            },
            StepRule {
                step: Step::Line,
                after: &[Step::Review],
                by: &[CHT],
                all_confirm: false,
                applies: Some(Applies {
                    name: "VPN links",
                    check: |link: &Link| link.vpn,
                }),
                due_working_days: 5,
            },
            StepRule {
                step: Step::Keys,
                after: &[Step::Review],
                by: &[AGENCY],
                all_confirm: false,
                applies: None,
                due_working_days: 5,
            },
            StepRule {
                step: Step::Test,
                after: &[Step::Firewall, Step::Line, Step::Keys],
                by: &[IT],
                all_confirm: false,
                applies: None,
                due_working_days: 3,
            },
            StepRule {
                step: Step::GoLive,
                after: &[Step::Test],
                by: &[AGENCY, IT],
                all_confirm: true,
                applies: None,
                due_working_days: 3,
            },
        ];
    }

    fn take_all(progress: Progress<Step>, steps: &[(Step, Party)], link: &Link) -> Progress<Step> {
        steps.iter().fold(progress, |progress, (step, party)| {
            take::<Linking>(&progress, *step, *party, link)
                .unwrap_or_else(|refused| panic!("{step:?} by {party:?}: {refused:?}"))
        })
    }

    #[test]
    fn parallel_branches_open_together_and_join_only_when_all_are_done() {
        let vpn = Link { vpn: true };
        let reviewed = take_all(
            Progress::default(),
            &[(Step::File, AGENCY), (Step::Review, REVIEWER)],
            &vpn,
        );
        assert_eq!(
            ready::<Linking>(&reviewed, &vpn),
            [Step::Firewall, Step::Line, Step::Keys]
        );
        let two_of_three = take_all(
            reviewed,
            &[(Step::Keys, AGENCY), (Step::Firewall, IT)],
            &vpn,
        );
        assert_eq!(ready::<Linking>(&two_of_three, &vpn), [Step::Line]);
        let early = take::<Linking>(&two_of_three, Step::Test, IT, &vpn).expect_err("join");
        assert_eq!(early.reason, Reason::NotNow);
        let joined = take_all(two_of_three, &[(Step::Line, CHT)], &vpn);
        assert_eq!(ready::<Linking>(&joined, &vpn), [Step::Test]);
    }

    #[test]
    fn a_step_that_does_not_apply_is_skipped_and_cannot_be_taken() {
        let internet = Link { vpn: false };
        let reviewed = take_all(
            Progress::default(),
            &[(Step::File, AGENCY), (Step::Review, REVIEWER)],
            &internet,
        );
        assert_eq!(
            ready::<Linking>(&reviewed, &internet),
            [Step::Firewall, Step::Keys]
        );
        let skipped = take::<Linking>(&reviewed, Step::Line, CHT, &internet).expect_err("skip");
        assert_eq!(skipped.english, "This step does not apply to this case.");
        let joined = take_all(
            reviewed,
            &[(Step::Firewall, IT), (Step::Keys, AGENCY)],
            &internet,
        );
        assert_eq!(ready::<Linking>(&joined, &internet), [Step::Test]);
    }

    #[test]
    fn a_skipped_step_is_finished_only_when_the_steps_before_it_are() {
        let internet = Link { vpn: false };
        // Line is skipped but follows Review: with the other branches done and the review not,
        // the test still waits.
        let progress = Progress {
            done: vec![Step::File, Step::Firewall, Step::Keys],
            confirmed: Vec::new(),
        };
        assert_eq!(ready::<Linking>(&progress, &internet), [Step::Review]);
    }

    #[test]
    fn a_step_is_ready_since_the_last_step_before_it_finished() {
        let done_at = [
            (Step::File, 100),
            (Step::Review, 200),
            (Step::Firewall, 500),
            (Step::Keys, 300),
        ];
        assert_eq!(ready_since::<Linking>(&done_at, Step::File, 50), 50);
        assert_eq!(ready_since::<Linking>(&done_at, Step::Keys, 50), 200);
        // The skipped line finished with the review; the firewall came last.
        assert_eq!(ready_since::<Linking>(&done_at, Step::Test, 50), 500);
    }

    #[test]
    fn go_live_needs_both_sides_once_each() {
        let link = Link { vpn: false };
        let tested = take_all(
            Progress::default(),
            &[
                (Step::File, AGENCY),
                (Step::Review, REVIEWER),
                (Step::Firewall, IT),
                (Step::Keys, AGENCY),
                (Step::Test, IT),
            ],
            &link,
        );
        let half = take_all(tested, &[(Step::GoLive, AGENCY)], &link);
        assert!(!complete::<Linking>(&half, &link));
        let twice = take::<Linking>(&half, Step::GoLive, AGENCY, &link).expect_err("twice");
        assert_eq!(twice.reason, Reason::NotNow);
        let live = take_all(half, &[(Step::GoLive, IT)], &link);
        assert!(complete::<Linking>(&live, &link));
        assert!(live.confirmed.is_empty());
    }

    #[test]
    fn a_step_is_taken_by_its_party_only_and_once() {
        let link = Link { vpn: true };
        let filed = take_all(Progress::default(), &[(Step::File, AGENCY)], &link);
        let wrong = take::<Linking>(&filed, Step::Review, AGENCY, &link).expect_err("party");
        assert_eq!(wrong.reason, Reason::NotYours);
        let again = take::<Linking>(&filed, Step::File, AGENCY, &link).expect_err("twice");
        assert_eq!(again.english, "This step is already done.");
    }

    #[test]
    fn sending_back_reopens_the_step_and_what_follows_it_only() {
        let link = Link { vpn: true };
        let progress = take_all(
            Progress::default(),
            &[
                (Step::File, AGENCY),
                (Step::Review, REVIEWER),
                (Step::Firewall, IT),
                (Step::Keys, AGENCY),
                (Step::Line, CHT),
                (Step::Test, IT),
                (Step::GoLive, AGENCY),
            ],
            &link,
        );
        let back = send_back::<Linking>(&progress, Step::Keys);
        assert_eq!(
            back.done,
            [Step::File, Step::Review, Step::Firewall, Step::Line]
        );
        assert!(
            back.confirmed.is_empty(),
            "the go-live confirmation is void"
        );
        assert_eq!(ready::<Linking>(&back, &link), [Step::Keys]);
    }
}
