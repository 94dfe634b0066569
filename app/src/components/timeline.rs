//! A case's timeline on its page (L-21: every case shows its timeline): each event the case
//! engine recorded, oldest first, with when, what, the state it led to, who, and the note.

use crate::cases::timeline::TimelineEntry;
use crate::i18n::Lang;
use leptos::prelude::*;

#[component]
pub fn CaseTimeline(entries: Vec<TimelineEntry>, lang: Lang) -> impl IntoView {
    view! {
        <section class="timeline" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">{lang.pick("案件歷程", "Case history")}</h2>
            <ol>
                {entries.into_iter().map(|entry| view! {
                    <li>
                        <time>{entry.at}</time>" "
                        <strong>{entry.action}</strong>
                        {format!("：{}", entry.to)}
                        <span class="actor">{format!("（{}）", entry.actor)}</span>
                        {entry.note.map(|note| view! { <p class="note">{note}</p> })}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
