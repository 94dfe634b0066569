//! State diagrams drawn from the case types' declarations (Mermaid), for `docs/cases.md`:
//! `huji cases --diagram` prints them, and a test holds the document to them, so a diagram
//! cannot drift from the code.

use super::code::Code;
use super::machine::{Machine, Party};
use super::workflow::Workflow;
use crate::i18n::Lang;
use std::fmt::Write;

/// The Mermaid state diagram of case type `M`, with its heading.
pub fn diagram<M: Machine>() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {} (`{}`)\n", M::TITLE, M::TYPE);
    let _ = writeln!(
        out,
        "Stored in `{}.{}`, keyed by `{}`.\n",
        M::TABLE,
        M::STATE_COLUMN,
        M::KEY
    );
    out.push_str("```mermaid\nstateDiagram-v2\n");
    for state in M::State::ALL {
        let _ = writeln!(
            out,
            "    state \"{} {}\" as {}",
            state.label(Lang::ZhTw),
            state.code(),
            state.code()
        );
    }
    for (action, state) in M::STARTS {
        let _ = writeln!(out, "    [*] --> {}: {}", state.code(), action.code());
    }
    for rule in M::RULES {
        let parties: Vec<&str> = rule.by.iter().map(|party: &Party| party.code()).collect();
        let guard = rule
            .guard
            .as_ref()
            .map(|guard| format!(" if {}", guard.name))
            .unwrap_or_default();
        for from in rule.from {
            let _ = writeln!(
                out,
                "    {} --> {}: {} by {}{}",
                from.code(),
                rule.to.code(),
                rule.action.code(),
                parties.join(" or "),
                guard
            );
        }
    }
    out.push_str("```\n");
    out
}

/// The Mermaid flow chart of workflow `W`: each step with who takes it and, if it does not
/// apply to every case, to which; an arrow from each step that must be finished first.
pub fn workflow_diagram<W: Workflow>() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## {} (`{}`)
",
        W::TITLE,
        W::Case::TYPE
    );
    let _ = writeln!(
        out,
        "Taken while the case is `{}`; progress is stored in `workflow_steps`. A step with \
         several arrows into it waits for all of them (a join); a step that does not apply to \
         a case counts as finished once the steps before it are.\n",
        W::OPEN.code()
    );
    out.push_str("```mermaid\nflowchart TD\n");
    for rule in W::STEPS {
        let parties: Vec<&str> = rule.by.iter().map(|party: &Party| party.code()).collect();
        let only = rule
            .applies
            .as_ref()
            .map(|applies| format!("<br/>only: {}", applies.name))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    {}[\"{}<br/>by {}{}\"]",
            rule.step.code(),
            rule.step.label(Lang::ZhTw),
            parties.join(" and "),
            only
        );
        for before in rule.after {
            let _ = writeln!(out, "    {} --> {}", before.code(), rule.step.code());
        }
    }
    out.push_str("```\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::machine::tests::Review;

    #[test]
    fn a_diagram_shows_every_state_start_and_declared_transition() {
        let diagram = diagram::<Review>();
        assert!(diagram.starts_with("## Review (`test.review`)"));
        assert!(diagram.contains("    state \"受理中 open\" as open\n"));
        assert!(diagram.contains("    [*] --> open: file\n"));
        assert!(diagram.contains("    open --> done: close by ministry_reviewer\n"));
        assert!(
            diagram.contains("    open --> withdrawn: withdraw by company if within the window\n")
        );
        assert!(diagram.contains("    done --> open: note by ministry_reviewer or system\n"));
    }
}
