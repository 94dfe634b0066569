//! The portal's home page: the ministry's 網路申辦服務 navigation, group by group, each
//! service's entries as its manifest declares them; a group no service offers yet is listed
//! (so the tree matches the ministry's) but not linked.

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
        <nav class="service-tree" aria-label=lang.pick("網路申辦服務", "Online services")>
            <ul>
                {Group::ALL.into_iter().map(|group| {
                    let entries: Vec<&'static NavNode> = manifest::home(group).collect();
                    let label = group.label(lang);
                    if entries.is_empty() {
                        view! {
                            <li>
                                <span class="unavailable">
                                    {label}
                                    <small>{lang.pick("（尚未開放）", " (not yet available)")}</small>
                                </span>
                            </li>
                        }.into_any()
                    } else {
                        view! { <li><span class="group">{label}</span> <NavList nodes=entries lang /></li> }.into_any()
                    }
                }).collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn NavList(nodes: Vec<&'static NavNode>, lang: Lang) -> AnyView {
    view! {
        <ul>
            {nodes
                .into_iter()
                .map(|node| {
                    let children = (!node.children.is_empty())
                        .then(|| NavList(NavListProps { nodes: node.children.iter().collect(), lang }));
                    view! { <li><a href=node.href>{node.label(lang)}</a> {children}</li> }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
