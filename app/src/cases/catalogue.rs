//! Every case type of the portal, in one list: the diagrams of `docs/cases.md` and the check
//! that each state column's SQL `CHECK` lists the declared codes both read it.

use super::code::Code;
use super::diagram::{diagram, workflow_diagram};
use super::machine::Machine;

/// A case type's stored vocabulary, for the schema check.
pub struct StateColumn {
    pub case_type: &'static str,
    pub table: &'static str,
    pub column: &'static str,
    pub codes: Vec<&'static str>,
}

fn state_column<M: Machine>() -> StateColumn {
    StateColumn {
        case_type: M::TYPE,
        table: M::TABLE,
        column: M::STATE_COLUMN,
        codes: M::State::ALL.iter().map(|state| state.code()).collect(),
    }
}

/// Calls `$each!(Machine)` for every case type of the portal.
macro_rules! for_each_case_type {
    ($each:ident) => {
        [
            $each::<crate::services::api_service::cases::ApiCase>(),
            $each::<crate::services::api_service::cases::ApiGrant>(),
            $each::<crate::services::id_card_loss::cases::LossReport>(),
            $each::<crate::services::id_card_loss::cases::FollowUp>(),
            $each::<crate::services::certificate::cases::MoicaCertificate>(),
            $each::<crate::services::certificate::application::cases::MoicaApplication>(),
            $each::<crate::services::agency_link::cases::LinkCase>(),
            $each::<crate::services::confirmation::requests::ConfirmationRequest>(),
            $each::<crate::services::confirmation::oversight::ConfirmationSystem>(),
        ]
    };
}

/// The state column of every case type.
pub fn state_columns() -> Vec<StateColumn> {
    for_each_case_type!(state_column).into_iter().collect()
}

/// `docs/cases.md`: the state diagram of every case type.
pub fn document() -> String {
    let mut out = String::from(
        "# Case types\n\n\
         Generated from the declarations in the code by `huji cases --diagram`; do not edit by \
         hand (a test compares this file with the code). Each arrow is a declared transition: \
         the action, who may take it, and its guard.\n\n",
    );
    for section in for_each_case_type!(diagram) {
        out.push_str(&section);
        out.push('\n');
    }
    out.push_str(&workflow_diagram::<
        crate::services::agency_link::cases::Linking,
    >());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_cases_md_is_drawn_from_the_declarations() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/cases.md");
        let written = std::fs::read_to_string(path).expect("docs/cases.md");
        assert!(
            written == document(),
            "docs/cases.md differs from the declarations: run `huji cases --diagram > docs/cases.md`"
        );
    }

    #[test]
    fn every_case_type_has_its_own_name_and_a_state_column() {
        let columns = state_columns();
        let mut types: Vec<&str> = columns.iter().map(|column| column.case_type).collect();
        types.dedup();
        assert_eq!(types.len(), columns.len(), "case types are named once");
        assert!(columns.iter().all(|column| !column.codes.is_empty()));
    }
}
