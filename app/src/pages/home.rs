//! The portal's home page: the ministry's 網路申辦服務 navigation, service by service.

use crate::i18n::Lang;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;

/// One entry of the service tree. `href: None` marks a service this portal does not offer yet;
/// it is listed (so the tree matches the ministry's) but not linked.
struct NavNode {
    zh: &'static str,
    en: &'static str,
    href: Option<&'static str>,
    children: &'static [NavNode],
}

const fn leaf(zh: &'static str, en: &'static str, href: Option<&'static str>) -> NavNode {
    NavNode {
        zh,
        en,
        href,
        children: &[],
    }
}

/// 網路申辦服務, as the ministry's site arranges it.
const SERVICES: &[NavNode] = &[
    NavNode {
        zh: "國民身分證",
        en: "National ID card",
        href: None,
        children: &[
            leaf(
                "國民身分證掛失／撤銷掛失",
                "Report a lost ID card / revoke a report",
                Some("/id-card/loss"),
            ),
            NavNode {
                zh: "國民身分證領補換資料查驗作業 API 介接服務",
                en: "ID card issuance-data verification API service",
                href: Some("/api-service"),
                children: &[
                    leaf(
                        "申請注意事項",
                        "Notices for applicants",
                        Some("/api-service"),
                    ),
                    leaf(
                        "API介接服務申請",
                        "Apply for the API service",
                        Some("/api-service/apply"),
                    ),
                    leaf(
                        "API介接服務進度查詢",
                        "Application progress",
                        Some("/api-service/progress"),
                    ),
                    leaf(
                        "API介接服務作業手冊",
                        "Operation manual",
                        Some("/api-service/manual"),
                    ),
                ],
            },
        ],
    },
    NavNode {
        zh: "自然人憑證",
        en: "Citizen digital certificate (MOICA)",
        href: None,
        children: &[
            leaf(
                "線上申請（線上填單、臨櫃取卡）",
                "Apply online, collect at an office",
                Some("/certificate/apply"),
            ),
            leaf(
                "PIN 碼變更／鎖卡解碼",
                "Change the PIN or unlock the card",
                Some("/certificate/pin"),
            ),
            leaf(
                "憑證線上展期",
                "Extend the certificate online",
                Some("/certificate/extension"),
            ),
            leaf(
                "憑證線上續卡",
                "Renew the certificate online",
                Some("/certificate/renewal"),
            ),
            leaf(
                "憑證線上開卡",
                "Activate a mailed card",
                Some("/certificate/activation"),
            ),
            leaf(
                "憑證 IC 卡號查詢",
                "Certificate status look-up",
                Some("/certificate/status"),
            ),
        ],
    },
    leaf("機關連結申請", "Agency linking application", None),
    leaf("身分確認服務", "Identity confirmation service", None),
];

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
            <NavList nodes=SERVICES lang />
        </nav>
    }
}

#[component]
fn NavList(nodes: &'static [NavNode], lang: Lang) -> AnyView {
    view! {
        <ul>
            {nodes
                .iter()
                .map(|node| {
                    let label = lang.pick(node.zh, node.en);
                    let entry = match node.href {
                        Some(href) => view! { <a href=href>{label}</a> }.into_any(),
                        None if node.children.is_empty() => {
                            view! {
                                <span class="unavailable">
                                    {label}
                                    <small>{lang.pick("（尚未開放）", " (not yet available)")}</small>
                                </span>
                            }
                                .into_any()
                        }
                        None => view! { <span class="group">{label}</span> }.into_any(),
                    };
                    let children = (!node.children.is_empty())
                        .then(|| NavList(NavListProps { nodes: node.children, lang }));
                    view! { <li>{entry} {children}</li> }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
