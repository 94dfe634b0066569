//! The portal's home page, its service-start page: the ministry's 網路申辦服務 group by group,
//! each a card saying what it is for, with each service's entries as its manifest declares
//! them; a group no service offers yet is shown (so the groups match the ministry's) but not
//! linked.

use crate::i18n::Lang;
use crate::services::manifest::{self, Group, NavNode};
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=lang.pick("首頁", "Home") />
        <h1>{lang.pick("網路申辦服務", "Online services")}</h1>
        <p class="lead">
            {lang.pick(
                "在這裡辦理國民身分證掛失、查驗 API 介接申請與自然人憑證等戶政網路服務。",
                "Report a lost ID card, apply for the ID verification API, manage your citizen certificate and more.",
            )}
        </p>
        <nav class="service-groups" aria-label=lang.pick("網路申辦服務", "Online services")>
            {Group::ALL.into_iter().map(|group| {
                let entries: Vec<&'static NavNode> = manifest::home(group).collect();
                let offered = if entries.is_empty() {
                    view! {
                        <p class="unavailable">{lang.pick("尚未開放", "Not yet available")}</p>
                    }.into_any()
                } else {
                    view! {
                        <ul class="services">
                            {entries.into_iter().map(|node| view! { <Service node lang /> }).collect_view()}
                        </ul>
                    }.into_any()
                };
                view! {
                    <section class="service-group">
                        <h2>{group.label(lang)}</h2>
                        <p class="hint">{group.summary(lang)}</p>
                        {offered}
                    </section>
                }
            }).collect_view()}
        </nav>
    }
}

/// One service: its title as a link to where it starts, and its tasks under it.
#[component]
fn Service(node: &'static NavNode, lang: Lang) -> AnyView {
    let tasks = (!node.children.is_empty()).then(|| {
        view! {
            <ul class="tasks">
                {node.children.iter().map(|task| view! {
                    <li><a href=task.href>{task.label(lang)}</a></li>
                }).collect_view()}
            </ul>
        }
    });
    view! { <li><a class="service" href=node.href>{node.label(lang)}</a> {tasks}</li> }.into_any()
}
