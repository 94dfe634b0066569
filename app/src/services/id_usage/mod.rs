//! 個資使用紀錄 (issue 20 item 18): a citizen signed in with their own 自然人憑證 reads every
//! call of the portal's machine APIs that asked about their ID number — the companies that
//! verified their ID card (seed 000), the agencies whose link queried their household data
//! (seed 001) and the systems that asked whether a citizen certificate is theirs (seed 003) —
//! with who asked, when, and what was answered, as Aadhaar shows residents their
//! authentication history. The call logs keep the ID number only as its keyed hash
//! ([`crate::platform::id_hash`]); the page finds the citizen's calls by that hash.

#[cfg(feature = "ssr")]
pub mod index;
mod manifest;
#[cfg(feature = "ssr")]
mod store;

pub use manifest::{IdUsageRoutes, MANIFEST};

use crate::cases::Code;
use crate::components::refusal::Refusal;
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::services::agency_link::items::Item;
use crate::services::confirmation::ConfirmedStatus;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/citizen/usage";

/// How many calls of each kind the page lists, newest first.
pub const SHOWN: usize = 100;

/// The signed-in citizen's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageView {
    pub name: String,
    pub masked_id: String,
    pub verifications: Listing<Verification>,
    pub link_queries: Listing<LinkQuery>,
    pub confirmations: Listing<Confirmation>,
}

/// The newest [`SHOWN`] calls of one kind, and whether there are older ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing<T> {
    pub rows: Vec<T>,
    pub more: bool,
}

/// A company's call of the verification API (國民身分證領補換資料查驗, A-11).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// ROC date-time (Taipei).
    pub at: String,
    pub company: String,
    pub business_id: String,
    /// `checkIdCardApply` when the comparison was made or refused (1–8).
    pub verdict: Option<String>,
}

/// An agency's person query through its registry link (L-20).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkQuery {
    pub at: String,
    pub agency: String,
    /// The data items the link returned; empty: nothing was returned.
    pub items: Vec<Item>,
}

/// A registered system's question whether a citizen certificate belongs to this ID number
/// (I-3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub at: String,
    pub organisation: String,
    pub system: String,
    pub answer: Confirmed,
}

/// What a confirmation call was answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Confirmed {
    /// The certificate is this person's, with its status.
    Theirs(ConfirmedStatus),
    /// The certificate shown is not this person's.
    NotTheirs,
    /// Not answered: the API's code (docs/confirmation-api.md).
    Refused(String),
}

#[server(endpoint = "id_usage")]
pub async fn usage_record() -> Result<UsageView, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    store::record(&state).await
}

/// `/citizen/usage`.
#[component]
pub fn IdUsagePage() -> impl IntoView {
    let lang = current_lang();
    let page = Resource::new(|| (), |()| usage_record());
    let title = lang.pick("個資使用紀錄", "Who checked my identity");
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || page.get().map(move |view| match view {
                Ok(view) => view! { <Record view lang /> }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Record(view: UsageView, lang: Lang) -> impl IntoView {
    view! {
        <p>{lang.pick(
            "以下為各機關（構）與公司透過本部介接服務查驗或查詢您的身分資料的紀錄，由新到舊排列。如有您不認識的查驗，請洽該單位或內政部戶政司。",
            "Below, newest first, is every check of your identity that companies, agencies and institutions made through the ministry's interfaces. If you do not recognise one, contact that organisation or the Department of Household Registration.",
        )}</p>
        <dl class="facts">
            <dt>{lang.pick("姓名", "Name")}</dt><dd>{view.name}</dd>
            <dt>{lang.pick("國民身分證統一編號", "ID number")}</dt><dd>{view.masked_id}</dd>
        </dl>
        <Section
            lang
            caption=lang.pick("國民身分證領補換資料查驗", "ID card verifications (by companies)")
            party=lang.pick("查驗公司", "Company")
            more=view.verifications.more
            rows=view.verifications.rows.into_iter().map(|row| (
                row.at,
                format!("{}（{} {}）", row.company, lang.pick("統一編號", "business ID"), row.business_id),
                verdict_text(row.verdict.as_deref(), lang).to_owned(),
            )).collect()
        />
        <Section
            lang
            caption=lang.pick("機關連結查詢戶籍資料", "Household data queried by agencies' links")
            party=lang.pick("查詢機關", "Agency")
            more=view.link_queries.more
            rows=view.link_queries.rows.into_iter().map(|row| (
                row.at,
                row.agency,
                link_text(&row.items, lang),
            )).collect()
        />
        <Section
            lang
            caption=lang.pick("自然人憑證用戶身分確認", "Citizen certificate identity confirmations")
            party=lang.pick("確認機關（構）／應用系統", "Organisation / system")
            more=view.confirmations.more
            rows=view.confirmations.rows.into_iter().map(|row| (
                row.at,
                format!("{}／{}", row.organisation, row.system),
                confirmed_text(&row.answer, lang),
            )).collect()
        />
    }
}

/// One kind of call: when, who, and what was answered.
#[component]
fn Section(
    lang: Lang,
    caption: &'static str,
    party: &'static str,
    rows: Vec<(String, String, String)>,
    more: bool,
) -> impl IntoView {
    let body = if rows.is_empty() {
        view! { <p class="no-records">{lang.pick("無紀錄。", "None.")}</p> }.into_any()
    } else {
        view! {
            <table class="data">
                <thead><tr>
                    <th scope="col">{lang.pick("時間", "When")}</th>
                    <th scope="col">{party}</th>
                    <th scope="col">{lang.pick("結果", "Result")}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|(at, who, result)| view! {
                        <tr><td data-label=lang.pick("時間", "When")>{at}</td><td data-label=party>{who}</td><td data-label=lang.pick("結果", "Result")>{result}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let more = more.then(|| {
        view! {
            <p class="more">{format!(
                "{SHOWN}{}",
                lang.pick(" 筆以前的紀錄未列出。", " most recent shown; older calls are not listed."),
            )}</p>
        }
    });
    view! {
        <section class="usage-record">
            <h2>{caption}</h2>
            {body}
            {more}
        </section>
    }
}

/// What a verification's `checkIdCardApply` told the company (docs/verification-api.md).
fn verdict_text(verdict: Option<&str>, lang: Lang) -> &'static str {
    match verdict {
        Some("1") => lang.pick("資料相符", "Matched the register"),
        Some("2" | "3" | "4") => lang.pick("資料不符", "Did not match the register"),
        Some("5") => lang.pick(
            "未比對：當日查驗不符已達 3 次",
            "Not compared: three mismatches that day already",
        ),
        Some("6") => lang.pick("統一編號已停止使用", "The ID number is no longer in use"),
        Some("7") => lang.pick("國民身分證已掛失", "The ID card is reported lost"),
        Some("8") => lang.pick(
            "未比對：該公司的使用已暫停",
            "Not compared: the company's use was suspended",
        ),
        _ => lang.pick("未完成查驗", "Not checked"),
    }
}

/// What an agency's link returned.
fn link_text(items: &[Item], lang: Lang) -> String {
    if items.is_empty() {
        return lang.pick("未提供資料", "Nothing returned").to_owned();
    }
    let labels: Vec<&str> = items.iter().map(|item| item.label(lang)).collect();
    format!(
        "{}{}",
        lang.pick("已提供：", "Returned: "),
        labels.join(lang.pick("、", ", "))
    )
}

/// What a confirmation call told the system.
fn confirmed_text(answer: &Confirmed, lang: Lang) -> String {
    match answer {
        Confirmed::Theirs(status) => format!(
            "{}{}",
            lang.pick(
                "確認為您的憑證，狀態：",
                "Confirmed as your certificate, status: "
            ),
            status.label(lang)
        ),
        Confirmed::NotTheirs => lang
            .pick(
                "所出示的憑證不是您的，已答覆「不符」",
                "The certificate shown is not yours; answered that it does not belong to you",
            )
            .to_owned(),
        Confirmed::Refused(code) => refusal_text(code, lang).to_owned(),
    }
}

/// Why a confirmation call naming this person was not answered, in words (the API's codes,
/// docs/confirmation-api.md).
fn refusal_text(code: &str, lang: Lang) -> &'static str {
    match code {
        "certificate_locked" => lang.pick(
            "未答覆：所出示的憑證當日被詢問不符之身分證號已達上限",
            "Not answered: the certificate shown had been asked about too many ID numbers not its holder's that day",
        ),
        "rate_limited" | "quota_exceeded" => lang.pick(
            "未答覆：該系統查詢已達上限",
            "Not answered: the system was over its limit",
        ),
        "unavailable" => lang.pick(
            "未答覆：本部系統暫時無法處理",
            "Not answered: the ministry's system could not answer then",
        ),
        code if code.starts_with("token_") || code.starts_with("malformed_") => lang.pick(
            "未答覆：查詢所附之憑證資料不正確",
            "Not answered: the certificate data sent with the question was not valid",
        ),
        _ => lang.pick("未答覆", "Not answered"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f_8_every_verdict_reads_as_what_the_company_was_told() {
        let told: Vec<&str> = ["1", "2", "3", "4", "5", "6", "7", "8"]
            .into_iter()
            .map(|code| verdict_text(Some(code), Lang::ZhTw))
            .collect();
        assert_eq!(told[0], "資料相符");
        assert!(told[1..4].iter().all(|text| *text == "資料不符"));
        assert!(told[4..]
            .iter()
            .all(|text| *text != "資料不符" && *text != "資料相符"));
        assert_eq!(verdict_text(None, Lang::ZhTw), "未完成查驗");
        assert_eq!(
            link_text(
                &[Item::HouseholdNationalId, Item::HouseholdName],
                Lang::ZhTw
            ),
            "已提供：國民身分證統一編號、姓名"
        );
        assert_eq!(link_text(&[], Lang::English), "Nothing returned");
        // No API code reaches the page as it is.
        for code in [
            "certificate_locked",
            "token_replayed",
            "answered",
            "unavailable",
        ] {
            let text = confirmed_text(&Confirmed::Refused(code.into()), Lang::ZhTw);
            assert!(
                text.starts_with("未答覆") && !text.contains(code),
                "{code}: {text}"
            );
        }
    }
}
