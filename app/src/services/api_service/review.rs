//! The ministry's back office for the API service: the review queue with each case's age
//! in working days, one case with approve / reject / ask for more material (an improvement
//! plan is such a case, A-N11), and the grants with suspend / revoke (A-N9). Only the
//! ministry's reviewers may act here.

use super::pages::CaseCard;
use super::{GrantAction, GrantView, QueuedCase, Usage, REVIEW_CASE_PATH, REVIEW_PATH};
use crate::cases::timeline::TimelineEntry;
use crate::cases::Code;
use crate::components::buttons::{asks_first, Look};
use crate::components::queue::AgeCell;
use crate::components::refusal::{OutcomeNotice, Refusal};
use crate::components::table::rows_or_none;
use crate::components::timeline::CaseTimeline;
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::posted_form::posted_form;
use crate::services::staff::role::Role;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// Who reviews the API service's cases: the ministry's 戶政司 reviewers.
pub const REVIEW_ROLES: [Role; 1] = [Role::MinistryReviewer];

/// The queue page: cases in review, the grants, and the outcome of a posted grant action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewQueue {
    pub cases: Vec<QueuedCase>,
    /// Each grant with its company's use of the API over the last 30 days.
    pub grants: Vec<(GrantView, Usage)>,
    pub outcome: Option<Result<String, PortalError>>,
}

/// One case page, and the outcome of a posted decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCase {
    pub case: super::CaseView,
    /// The company as the business registry has it: name and status (A-N10), if registered.
    pub registry: Option<(String, String)>,
    /// The company's permission as it is now: what a plan answers, and what an application
    /// would open again (A-N11).
    pub grant: Option<GrantView>,
    /// The company card's signature of the submission, verified again for this page; `None`
    /// for a case submitted before submissions were signed.
    pub signature: Option<super::signature::SignatureCheck>,
    /// Every event of the case, oldest first.
    pub timeline: Vec<TimelineEntry>,
    pub outcome: Option<Result<String, PortalError>>,
}

#[server(endpoint = "api_review_queue", input = server_fn::codec::Json)]
pub async fn api_review_queue(
    posted: Option<Vec<(String, String)>>,
) -> Result<ReviewQueue, PortalError> {
    ssr::queue(posted).await
}

#[server(endpoint = "api_review_case", input = server_fn::codec::Json)]
pub async fn api_review_case(
    id: String,
    posted: Option<Vec<(String, String)>>,
) -> Result<ReviewCase, PortalError> {
    ssr::case(id, posted).await
}

/// `/admin/api-cases`.
#[component]
pub fn ApiReviewQueuePage() -> impl IntoView {
    let lang = current_lang();
    let posted = posted_form().map(|form| form.0);
    let queue = Resource::new(
        || (),
        move |()| {
            let posted = posted.clone();
            api_review_queue(posted)
        },
    );
    let title = lang.pick(
        "國民身分證領補換資料查驗作業API介接服務 案件審核",
        "API service: review",
    );
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href="/admin">{lang.pick("後台首頁", "Back office")}</a></p>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || queue.get().map(|result| match result {
                Ok(queue) => view! { <QueueView queue lang /> }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn QueueView(queue: ReviewQueue, lang: Lang) -> impl IntoView {
    let cases = if queue.cases.is_empty() {
        view! { <p class="no-records">{lang.pick("目前沒有受理中的案件。", "No case is waiting for review.")}</p> }.into_any()
    } else {
        view! {
            <table class="data">
                <caption>{lang.pick("受理中案件（審核時間以10個工作日為原則）", "Cases in review (target: 10 working days)")}</caption>
                <thead><tr>
                    <th scope="col">{lang.pick("申請日期", "Submitted")}</th>
                    <th scope="col">{lang.pick("公司名稱", "Company")}</th>
                    <th scope="col">{lang.pick("營利事業統一編號", "Business ID")}</th>
                    <th scope="col">{lang.pick("申請事項", "Kind")}</th>
                    <th scope="col">{lang.pick("已過工作日", "Working days")}</th>
                    <th scope="col">{lang.pick("案件編號", "Case number")}</th>
                </tr></thead>
                <tbody>
                    {queue.cases.into_iter().map(|queued| {
                        let case = queued.case;
                        let link = format!("{REVIEW_CASE_PATH}?id={}", case.id);
                        view! {
                            <tr class:overdue=queued.age.overdue>
                                <td data-label=lang.pick("申請日期", "Submitted")>{case.submitted_at}</td>
                                <td data-label=lang.pick("公司名稱", "Company")>{case.company_name}</td>
                                <td data-label=lang.pick("營利事業統一編號", "Business ID")>{case.business_id}</td>
                                <td data-label=lang.pick("申請事項", "Kind")>{case.kind.label(lang)}</td>
                                <AgeCell label=lang.pick("已過工作日", "Working days") age=queued.age lang />
                                <td data-label=lang.pick("案件編號", "Case number")><a href=link>{case.number}</a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <OutcomeNotice outcome=queue.outcome lang />
        <h2>{lang.pick("案件審核", "Review queue")}</h2>
        {cases}
        <h2>{lang.pick("查驗權限", "Permissions")}</h2>
        <table class="data">
            <thead><tr>
                <th scope="col">{lang.pick("營利事業統一編號", "Business ID")}</th>
                <th scope="col">{lang.pick("公司名稱", "Company")}</th>
                <th scope="col">"apId"</th>
                <th scope="col">{lang.pick("主機連線IP位址", "Host IP")}</th>
                <th scope="col">{lang.pick("啟用狀態", "Status")}</th>
                <th scope="col">{lang.pick("最後使用時間", "Last used")}</th>
                <th scope="col">{lang.pick("近30日查驗（相符／不符／拒絕）", "Last 30 days: calls (match / no match / refused)")}</th>
                <th scope="col">{lang.pick("處理", "Action")}</th>
            </tr></thead>
            <tbody>
                {rows_or_none(queue.grants.into_iter().map(|(grant, usage)| {
                    let field = |name: &str| format!("{name}-{}", grant.business_id);
                    view! {
                        <tr>
                            <td data-label=lang.pick("營利事業統一編號", "Business ID")>{grant.business_id.clone()}</td>
                            <td data-label=lang.pick("公司名稱", "Company")>{grant.company_name.clone()}</td>
                            <td data-label="apId">{grant.ap_id.clone()}</td>
                            <td data-label=lang.pick("主機連線IP位址", "Host IP")>{grant.host_ip.clone()}</td>
                            <td data-label=lang.pick("啟用狀態", "Status") class="grant-status">{grant.status.label(lang)}
                                {grant.plan_required.then(|| lang.pick("（須提出改善做法）", " (improvement plan required)"))}</td>
                            <td data-label=lang.pick("最後使用時間", "Last used")>{grant.last_used_at.clone().unwrap_or_else(|| lang.pick("尚未使用", "Never").to_owned())}</td>
                            <td data-label=lang.pick("近30日查驗（相符／不符／拒絕）", "Last 30 days: calls (match / no match / refused)") class="usage">{format!(
                                "{}（{}／{}／{}）",
                                usage.calls, usage.matches, usage.no_matches, usage.refused
                            )}</td>
                            <td data-label=lang.pick("處理", "Action")>
                                <form method="post" action=REVIEW_PATH class="inline">
                                    <input type="hidden" name="business_id" value=grant.business_id.clone() />
                                    <label for=field("action")>{lang.pick("動作", "Action")}</label>
                                    <select id=field("action") name="action">
                                        {GrantAction::REVIEWER_ACTIONS.map(|action| view! {
                                            <option value=action.code()>{action.label(lang)}</option>
                                        })}
                                    </select>
                                    <label for=field("reason")>{lang.pick("原因", "Reason")}</label>
                                    <input type="text" id=field("reason") name="reason" maxlength="350" required />
                                    {asks_first(lang.pick("送出", "Apply"), lang.pick("確定對此公司執行所選動作?", "Apply the chosen action to this company?"), Look::Warning, None)}
                                </form>
                            </td>
                        </tr>
                    }
                    .into_any()
                }).collect(), 8, lang)}
            </tbody>
        </table>
    }
    .into_any()
}

/// `/admin/api-cases/case?id=…`.
#[component]
pub fn ApiReviewCasePage() -> impl IntoView {
    let lang = current_lang();
    let id = use_query_map()
        .with_untracked(|q| q.get("id"))
        .unwrap_or_default();
    let posted = posted_form().map(|form| form.0);
    let case = Resource::new(
        || (),
        move |()| {
            let (id, posted) = (id.clone(), posted.clone());
            api_review_case(id, posted)
        },
    );
    let title = lang.pick("案件審核", "Review a case");
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href=REVIEW_PATH>{lang.pick("案件審核", "Review queue")}</a></p>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || case.get().map(|result| match result {
                Ok(review) => {
                    let pending = review.case.status == super::CaseStatus::Pending;
                    let extendable = review.case.extension.is_none();
                    let action = format!("{REVIEW_CASE_PATH}?id={}", review.case.id);
                    let registry = match review.registry {
                        Some((name, status)) => {
                            let differs = name != review.case.company_name;
                            view! {
                                <p class=if differs { "notice error" } else { "notice" }>
                                    {lang.pick("商工登記：", "Business registry: ")}{name} "（" {status} "）"
                                    {differs.then(|| lang.pick("　與申請之公司名稱不符", " — differs from the name applied with"))}
                                </p>
                            }
                            .into_any()
                        }
                        None => view! {
                            <p class="notice error">{lang.pick("商工登記：查無此統一編號", "Business registry: no such business ID")}</p>
                        }
                        .into_any(),
                    };
                    let grant = review.grant.map(|grant| view! {
                        <p class="notice grant">
                            {lang.pick("查驗權限：", "Permission: ")}{grant.status.label(lang)}
                            {grant.plan_required.then(|| lang.pick("（須提出改善做法）", " (improvement plan required)"))}
                            {grant.status_reason.map(|reason| view! {
                                " " {lang.pick("原因：", "Reason: ")}{reason}
                            })}
                        </p>
                    });
                    let signature = match review.signature {
                        Some(check) => view! {
                            <p class=if check.holds { "notice signature" } else { "notice error signature" }>
                                {lang.pick("工商憑證簽章：", "Business certificate signature: ")}
                                <strong>{if check.holds {
                                    lang.pick("驗證相符", "verified")
                                } else {
                                    lang.pick("驗證不符，簽章與案件內容不一致", "does NOT verify against the case")
                                }}</strong>
                                " " {lang.pick("（簽章者：", "(signed by ")}{check.signer}
                                {lang.pick("，憑證序號：", ", certificate serial ")}<code>{check.serial}</code>
                                {lang.pick("，簽章受理時間：", ", taken at ")}{check.signed_at}{lang.pick("）", ")")}
                            </p>
                        }
                        .into_any(),
                        None => view! {
                            <p class="notice signature">{lang.pick(
                                "工商憑證簽章：本案件送出時尚未以卡片簽章。",
                                "Business certificate signature: this case was submitted before submissions were signed.",
                            )}</p>
                        }
                        .into_any(),
                    };
                    view! {
                        <OutcomeNotice outcome=review.outcome lang />
                        {registry}
                        {grant}
                        {signature}
                        <CaseCard case=review.case lang company_view=false />
                        <CaseTimeline entries=review.timeline lang />
                        {pending.then(|| view! {
                            <form method="post" action=action class="card-form">
                                <div class="field">
                                    <label for="decision"><span class="required" aria-hidden="true">"*"</span>{lang.pick("審核結果", "Result")}</label>
                                    <span class="hint" id="decision-hint">{lang.pick("核准、駁回之說明、需補正之資料，或延長審查之原因（350字以內）", "The reason for the decision, the material needed, or why the review is extended (at most 350 characters)")}</span>
                                    <textarea id="decision" name="text" rows="3" maxlength="350" required aria-describedby="decision-hint"></textarea>
                                </div>
                                <div class="buttons">
                                    {asks_first(lang.pick("核准", "Approve"), lang.pick("確定核准此案件?", "Approve this case?"), Look::Primary, Some("approve"))}
                                    {asks_first(lang.pick("駁回", "Reject"), lang.pick("確定駁回此案件?", "Reject this case?"), Look::Destructive, Some("reject"))}
                                    {asks_first(lang.pick("通知補正資料", "Ask for more material"), lang.pick("確定通知申請公司補正資料?", "Ask the company for more material?"), Look::Warning, Some("material"))}
                                    {extendable.then(|| asks_first(lang.pick("延長審查", "Extend the review"), lang.pick("確定延長審查?", "Extend the review?"), Look::Secondary, Some("extend")))}
                                </div>
                            </form>
                        }.into_any())}
                    }
                    .into_any()
                }
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::super::cases::ApiCase;
    use super::super::form::{Decision, GrantChange, ReviewAction};
    use super::super::store;
    use super::{ReviewCase, ReviewQueue, REVIEW_ROLES};
    use crate::cases::actor::Actor;
    use crate::cases::timeline::timeline;
    use crate::cases::Code;
    use crate::error::PortalError;
    use crate::platform::{auth, AppState};
    use crate::services::staff::access::require_staff;
    use leptos::prelude::expect_context;

    pub async fn queue(posted: Option<Vec<(String, String)>>) -> Result<ReviewQueue, PortalError> {
        let state = expect_context::<AppState>();
        let member = require_staff(&state, &REVIEW_ROLES).await?;
        let outcome = match posted {
            Some(posted) => Some(
                async {
                    let change = GrantChange::parse(&posted)?;
                    let actor = Actor::staff(&member, auth::source_ip());
                    let grant = store::change_grant(
                        &state.db,
                        state.clock.unix(),
                        &actor,
                        &change.business_id,
                        change.action,
                        change.reason.as_str(),
                    )
                    .await?;
                    let told = change.action.told();
                    Ok(format!(
                        "{} {}：{}",
                        grant.company_name,
                        grant.business_id,
                        crate::shell::current_lang().pick(told.zh_tw, told.english)
                    ))
                }
                .await,
            ),
            None => None,
        };
        let cases = store::queue(&state).await?;
        let mut usage =
            store::usage_since(&state.db.pool, state.clock.unix() - 30 * 86_400).await?;
        let grants = store::grants(&state.db.pool)
            .await?
            .into_iter()
            .map(|grant| {
                let used = usage.remove(&grant.business_id).unwrap_or_default();
                (grant, used)
            })
            .collect();
        Ok(ReviewQueue {
            cases,
            grants,
            outcome,
        })
    }

    pub async fn case(
        id: String,
        posted: Option<Vec<(String, String)>>,
    ) -> Result<ReviewCase, PortalError> {
        let state = expect_context::<AppState>();
        let member = require_staff(&state, &REVIEW_ROLES).await?;
        let outcome = match posted {
            Some(posted) => Some(
                async {
                    let decision = Decision::parse(&posted)?;
                    let note = decision.text;
                    let actor = Actor::staff(&member, auth::source_ip());
                    let lang = crate::shell::current_lang();
                    match decision.action {
                        ReviewAction::Approve | ReviewAction::Reject => {
                            let approve = decision.action == ReviewAction::Approve;
                            let case = store::decide(&state, &actor, &id, approve, &note).await?;
                            Ok(format!(
                                "{}：{}",
                                case.kind.label(lang),
                                if approve {
                                    lang.pick("核准", "approved")
                                } else {
                                    lang.pick("駁回", "rejected")
                                }
                            ))
                        }
                        ReviewAction::ExtendReview => {
                            store::extend_review(&state, &actor, &id, &note).await?;
                            Ok(lang
                                .pick(
                                    "已延長審查，並通知申請機構。",
                                    "The review is extended and the company was told.",
                                )
                                .to_owned())
                        }
                        ReviewAction::AskForMaterial => {
                            let case = store::request_material(&state, &actor, &id, &note).await?;
                            let due = case
                                .material
                                .map(|material| material.due)
                                .unwrap_or_default();
                            Ok(format!(
                                "{}{due}",
                                lang.pick(
                                    "已通知補正資料，期限 ",
                                    "More material requested, due by "
                                )
                            ))
                        }
                    }
                }
                .await,
            ),
            None => None,
        };
        let mut conn = state.db.pool.acquire().await?;
        let case = store::case(&mut conn, &id, state.clock.unix())
            .await?
            .ok_or_else(|| PortalError::Refused {
                zh_tw: "查無此申請案件。".into(),
                english: "There is no such case.".into(),
            })?;
        let registry = crate::services::company::registration(&mut conn, &case.business_id).await?;
        let grant = store::grant(&mut conn, &case.business_id).await?;
        let timeline =
            timeline::<ApiCase>(&mut conn, &case.id, crate::shell::current_lang()).await?;
        drop(conn);
        let signature = super::super::signature::check(&state, &case).await?;
        Ok(ReviewCase {
            case,
            registry,
            grant,
            signature,
            timeline,
            outcome,
        })
    }
}
