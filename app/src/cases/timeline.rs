//! A case's timeline: every event of it, oldest first, as the case engine recorded them in
//! `case_events`; every party that works on a case sees it.

use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::code::Code, super::machine::Machine, crate::i18n::Lang,
    crate::platform::clock::roc_date_time, sqlx::AnyConnection,
};

/// One event as stored.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
struct EventRow {
    from_state: Option<String>,
    to_state: String,
    action: String,
    actor: String,
    at: i64,
    note: Option<String>,
}

/// One event as shown: labels in the page's language, the time in ROC form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// `112/11/17 14:35:04`.
    pub at: String,
    pub action: String,
    pub from: Option<String>,
    pub to: String,
    pub actor: String,
    pub note: Option<String>,
}

/// The timeline of case `key` of type `M`, labelled in `lang`.
#[cfg(feature = "ssr")]
pub async fn timeline<M: Machine>(
    conn: &mut AnyConnection,
    key: &str,
    lang: Lang,
) -> sqlx::Result<Vec<TimelineEntry>> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT from_state, to_state, action, actor, at, note FROM case_events \
         WHERE case_type = $1 AND case_id = $2 ORDER BY id",
    )
    .bind(M::TYPE)
    .bind(key)
    .fetch_all(conn)
    .await?;
    let state = |code: &str| {
        M::State::from_code(code).map_or_else(|| code.to_owned(), |s| s.label(lang).to_owned())
    };
    Ok(rows
        .into_iter()
        .map(|row| TimelineEntry {
            at: roc_date_time(row.at),
            action: M::action_label(&row.action, lang)
                .map_or_else(|| row.action.clone(), str::to_owned),
            from: row.from_state.as_deref().map(state),
            to: state(&row.to_state),
            actor: row.actor,
            note: row.note,
        })
        .collect())
}
