//! The ministry's desk (I-2): the requests in review and the latest answered, every registered
//! system, and one request with its answer — 同意 (with the effective date and the system's
//! daily quota) or 不同意, each with its 說明. Only the ministry's reviewers may act here.

use super::form::{DAILY_QUOTA, DEFAULT_DAILY_QUOTA, EFFECTIVE_ON, NOTE};
use super::pages::{other_errors, query_id, RequestCard, RequestsTable, SystemsTable};
use super::requests::{RequestKind, RequestStatus};
use super::{RequestView, SystemView, UsageDay, DESK_CASE_PATH, DESK_PATH};
use crate::cases::timeline::TimelineEntry;
use crate::components::buttons::{asks_first, Look};
use crate::components::refusal::{ErrorSummary, Refusal};
use crate::components::table::rows_or_none;
use crate::components::timeline::CaseTimeline;
use crate::error::PortalError;
use crate::forms::{error_of, value};
use crate::i18n::Lang;
use crate::posted_form::posted_form;
use crate::services::staff::role::Role;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Who answers requests: the ministry's reviewers.
pub const DESK_ROLES: [Role; 1] = [Role::MinistryReviewer];

/// The desk's front page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Desk {
    pub pending: Vec<RequestView>,
    pub answered: Vec<RequestView>,
    /// Every system (the flag, whether it may be closed, is the applicant's concern).
    pub systems: Vec<(SystemView, bool)>,
}

#[server(endpoint = "confirmation_desk")]
pub async fn confirmation_desk() -> Result<Desk, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    crate::services::staff::access::require_staff(&state, &DESK_ROLES).await?;
    let (pending, answered) = super::store::queue(&state.db.pool).await?;
    let systems = super::store::system_views(&state.db.pool, None, state.clock.unix()).await?;
    Ok(Desk {
        pending,
        answered,
        systems,
    })
}

/// One request on the desk, and what became of a posted answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskCase {
    pub request: RequestView,
    pub timeline: Vec<TimelineEntry>,
    /// What was done, or every field to correct.
    pub outcome: Option<Result<String, Vec<PortalError>>>,
}

#[server(endpoint = "confirmation_desk_case", input = server_fn::codec::Json)]
pub async fn confirmation_desk_case(
    id: i64,
    posted: Option<Vec<(String, String)>>,
) -> Result<DeskCase, PortalError> {
    use crate::cases::actor::Actor;
    use crate::cases::Code;
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_staff(&state, &DESK_ROLES).await?;
    let outcome = match posted {
        Some(posted) => Some(
            async {
                let answer = super::form::Answer::parse(&posted)?;
                let actor = Actor::staff(&member, crate::platform::auth::source_ip());
                let request = super::store::decide(&state, &actor, id, &answer).await?;
                let lang = current_lang();
                Ok(format!(
                    "{} {}：{}",
                    request.number,
                    request.kind.label(lang),
                    request.status.label(lang)
                ))
            }
            .await,
        ),
        None => None,
    };
    let mut conn = state.db.pool.acquire().await?;
    let found = super::store::load(&mut conn, id).await?;
    let (request, timeline) = super::store::with_timeline(&mut conn, found, current_lang()).await?;
    Ok(DeskCase {
        request,
        timeline,
        outcome,
    })
}

/// `/admin/confirmation`.
#[component]
pub fn ConfirmationDeskPage() -> impl IntoView {
    let lang = current_lang();
    let desk = Resource::new(|| (), |()| confirmation_desk());
    let title = lang.pick(
        "自然人憑證用戶身分確認服務 申請審核",
        "Identity confirmation: requests",
    );
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href="/admin">{lang.pick("後台首頁", "Back office")}</a></p>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || desk.get().map(|result| match result {
                Ok(desk) => view! {
                    <RequestsTable requests=desk.pending lang case_path=DESK_CASE_PATH caption=lang.pick("審核中之申請", "Requests in review") />
                    <RequestsTable requests=desk.answered lang case_path=DESK_CASE_PATH caption=lang.pick("最近審核之申請", "Recently answered") />
                    <SystemsTable systems=desk.systems lang desk=true />
                }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

/// `/admin/confirmation/case?id=…`.
#[component]
pub fn ConfirmationDeskCasePage() -> impl IntoView {
    let lang = current_lang();
    let id = query_id();
    let posted = posted_form().map(|form| form.0);
    let page = Resource::new(|| (), {
        let posted = posted.clone();
        move |()| confirmation_desk_case(id, posted.clone())
    });
    let title = lang.pick("審核申請", "Answer a request");
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href=DESK_PATH>{lang.pick("身分確認服務 申請審核", "Identity confirmation: requests")}</a></p>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || page.get().map(|result| match result {
                Ok(case) => view! { <DeskCaseView case posted=posted.clone() lang /> }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn DeskCaseView(
    case: DeskCase,
    posted: Option<Vec<(String, String)>>,
    lang: Lang,
) -> impl IntoView {
    let (done, errors) = match case.outcome {
        Some(Ok(done)) => (Some(done), Vec::new()),
        Some(Err(errors)) => (None, errors),
        None => (None, Vec::new()),
    };
    let pending = case.request.status == RequestStatus::Pending;
    let action = format!("{DESK_CASE_PATH}?id={}", case.request.id);
    let shown = |name: &str, default: String| {
        posted
            .as_deref()
            .map(|posted| value(posted, name).to_owned())
            .filter(|_| !errors.is_empty())
            .unwrap_or(default)
    };
    let planned = case.request.planned_on.clone();
    let enable = case.request.kind == RequestKind::Enable;
    let quota_error = error_of(&errors, DAILY_QUOTA, lang);
    // A refusal of the certificate itself (revoked or registered since the filing) has no
    // field on this form: it is said above it.
    let answer_fields = [NOTE.name, EFFECTIVE_ON.name, DAILY_QUOTA];
    let on_form = |error: &PortalError| matches!(error, PortalError::Field { field, .. } if answer_fields.contains(&field.as_str()));
    let general = other_errors(&errors, lang, on_form);
    let on_form_errors: Vec<PortalError> = errors
        .iter()
        .filter(|error| on_form(error))
        .cloned()
        .collect();
    view! {
        {done.map(|done| view! { <div class="notice" role="status"><p>{done}</p></div> })}
        <ErrorSummary errors=on_form_errors lang />
        {general}
        <RequestCard request=case.request lang />
        <CaseTimeline entries=case.timeline lang />
        {pending.then(|| view! {
            <form method="post" action=action class="card-form">
                <h2>{lang.pick("審核結果", "The ministry's answer")}</h2>
                {NOTE.render(lang, shown(NOTE.name, String::new()), &errors, false)}
                {EFFECTIVE_ON.render_required(lang, shown(EFFECTIVE_ON.name, planned.clone()), &errors, false, false)}
                {enable.then(|| view! {
                    <div class="field">
                        <label for=DAILY_QUOTA>{lang.pick("每日查詢上限", "Daily quota")}</label>
                        <span class="hint" id="daily_quota-hint">{lang.pick("同意啟用時適用：此應用系統每日可查詢之次數", "When enabling: how many calls a day the system may make")}</span>
                        <input type="number" id=DAILY_QUOTA name=DAILY_QUOTA min="1" max="100000000"
                            value=shown(DAILY_QUOTA, DEFAULT_DAILY_QUOTA.to_string())
                            aria-describedby="daily_quota-hint daily_quota-error"
                            aria-invalid=if quota_error.is_some() { "true" } else { "false" } />
                        <span class="error" id="daily_quota-error">{quota_error}</span>
                    </div>
                })}
                <div class="buttons">
                    {asks_first(lang.pick("同意", "Approve"), lang.pick("確定同意此申請?", "Approve this request?"), Look::Primary, Some("approve"))}
                    {asks_first(lang.pick("不同意", "Do not approve"), lang.pick("確定不同意此申請?", "Refuse this request?"), Look::Destructive, Some("reject"))}
                </div>
            </form>
        })}
    }
}

/// One system on the desk (I-4): its use of the API, its timeline, and what became of a
/// posted decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeskSystem {
    pub system: SystemView,
    /// The last 30 Taipei days, oldest first.
    pub usage: Vec<UsageDay>,
    pub timeline: Vec<TimelineEntry>,
    pub outcome: Option<Result<String, Vec<PortalError>>>,
}

/// The days of use a system's page shows.
pub const USAGE_DAYS: i64 = 30;

#[server(endpoint = "confirmation_desk_system", input = server_fn::codec::Json)]
pub async fn confirmation_desk_system(
    id: i64,
    posted: Option<Vec<(String, String)>>,
) -> Result<DeskSystem, PortalError> {
    use super::oversight::ConfirmationSystem;
    use crate::cases::actor::Actor;
    use crate::cases::Code;
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_staff(&state, &DESK_ROLES).await?;
    let lang = current_lang();
    let outcome = match posted {
        Some(posted) => Some(
            async {
                let decision = super::form::OversightDecision::parse(&posted)?;
                let actor = Actor::staff(&member, crate::platform::auth::source_ip());
                let system = super::oversee::decide(&state, &actor, id, &decision)
                    .await
                    .map_err(|error| vec![error])?;
                Ok(format!(
                    "{}：{}",
                    system.system_name,
                    decision.action.label(lang)
                ))
            }
            .await,
        ),
        None => None,
    };
    let now = state.clock.unix();
    let mut conn = state.db.pool.acquire().await?;
    let system =
        super::systems::by_id(&mut conn, id)
            .await?
            .ok_or_else(|| PortalError::Refused {
                zh_tw: "查無此應用系統。".into(),
                english: "There is no such system.".into(),
            })?;
    let timeline =
        crate::cases::timeline::timeline::<ConfirmationSystem>(&mut conn, &id.to_string(), lang)
            .await?;
    drop(conn);
    Ok(DeskSystem {
        system: super::store::system_view(&system, now),
        usage: super::oversee::usage(&state.db.pool, id, now, USAGE_DAYS).await?,
        timeline,
        outcome,
    })
}

/// `/admin/confirmation/system?id=…`.
#[component]
pub fn ConfirmationDeskSystemPage() -> impl IntoView {
    let lang = current_lang();
    let id = query_id();
    let posted = posted_form().map(|form| form.0);
    let page = Resource::new(|| (), {
        let posted = posted.clone();
        move |()| confirmation_desk_system(id, posted.clone())
    });
    let title = lang.pick(
        "應用系統 使用情況及處理",
        "A system: its use and the ministry's decisions",
    );
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href=DESK_PATH>{lang.pick("身分確認服務 申請審核", "Identity confirmation: requests")}</a></p>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || page.get().map(|result| match result {
                Ok(system) => view! { <DeskSystemView system posted=posted.clone() lang /> }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

/// Calls per day as bars (an SVG image with its figures in the table below it).
#[component]
fn UsageChart(usage: Vec<UsageDay>, lang: Lang) -> impl IntoView {
    const WIDTH: f64 = 600.0;
    const HEIGHT: f64 = 160.0;
    let most = usage.iter().map(|day| day.calls).max().unwrap_or(0).max(1) as f64;
    let slot = WIDTH / usage.len().max(1) as f64;
    let label = lang.pick(
        "近30日每日查詢次數長條圖",
        "Calls per day over the last 30 days",
    );
    view! {
        <figure class="usage-chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label width="100%">
                {usage.iter().map(|day| {
                    let height = (day.calls as f64 / most) * (HEIGHT - 10.0);
                    let x = slot * usage.iter().position(|d| d.day == day.day).unwrap_or(0) as f64;
                    view! {
                        <rect x=format!("{:.1}", x + 1.0) y=format!("{:.1}", HEIGHT - height) width=format!("{:.1}", (slot - 2.0).max(1.0)) height=format!("{height:.1}")>
                            <title>{format!("{}：{}", day.day, day.calls)}</title>
                        </rect>
                    }
                }).collect_view()}
            </svg>
            <figcaption>{label}{format!("{}{}", lang.pick("（最高 ", " (highest "), most as i64)}{lang.pick(" 次）", ")")}</figcaption>
        </figure>
    }
}

#[component]
fn DeskSystemView(
    system: DeskSystem,
    posted: Option<Vec<(String, String)>>,
    lang: Lang,
) -> impl IntoView {
    use super::form::{DEADLINE, GROUND, OVERSIGHT_NOTE};
    use super::oversight::Oversight;
    use super::StopGround;
    use crate::cases::Code;
    let (done, errors) = match system.outcome {
        Some(Ok(done)) => (Some(done), Vec::new()),
        Some(Err(errors)) => (None, errors),
        None => (None, Vec::new()),
    };
    let view = system.system;
    let action = format!("{}?id={}", super::DESK_SYSTEM_PATH, view.id);
    let shown = |name: &str| {
        posted
            .as_deref()
            .filter(|_| !errors.is_empty())
            .map(|posted| value(posted, name).to_owned())
            .unwrap_or_default()
    };
    let stopped = view.oversight == Oversight::Stopped;
    let ground_error = error_of(&errors, GROUND, lang);
    let general = other_errors(&errors, lang, |error| {
        matches!(error, PortalError::Field { .. })
    });
    let total: i64 = system.usage.iter().map(|day| day.calls).sum();
    view! {
        {done.map(|done| view! { <div class="notice" role="status"><p>{done}</p></div> })}
        <ErrorSummary errors=errors.clone() lang />
        {general}
        <dl class="facts">
            <dt>{lang.pick("機關(構)", "Applicant")}</dt><dd>{format!("{}（{}）", view.organisation, view.applicant_kind.label(lang))}</dd>
            <dt>{lang.pick("應用系統", "System")}</dt><dd>{view.system_name.clone()}</dd>
            <dt>{lang.pick("伺服器憑證序號", "Certificate serial")}</dt><dd class="serial">{view.certificate_serial.clone()}</dd>
            <dt>{lang.pick("開放期間", "Open")}</dt><dd>{format!("{} – {}", view.enabled_on, view.disabled_on.clone().unwrap_or_else(|| view.certificate_expires_on.clone()))}</dd>
            <dt>{lang.pick("每日查詢上限", "Daily quota")}</dt><dd>{view.daily_quota}</dd>
            <dt>{lang.pick("狀態", "Status")}</dt><dd class="system-state">{view.state.label(lang)}</dd>
            <dt>{lang.pick("督導", "Oversight")}</dt><dd class="oversight">{view.oversight.label(lang)}
                {view.improve_by.clone().filter(|_| view.oversight == Oversight::Improving).map(|by| format!("{}{by}", lang.pick("，改善期限 ", ", improve by ")))}
                {view.stop_ground.map(|ground| format!("{}{}", lang.pick("，事由：", ", ground: "), ground.label(lang)))}</dd>
        </dl>
        <h2>{lang.pick("使用情況", "Use")}</h2>
        <UsageChart usage=system.usage.clone() lang />
        <table class="data usage">
            <caption>{format!("{}{total}", lang.pick("近30日查詢（合計）", "Calls over the last 30 days, total "))}</caption>
            <thead><tr>
                <th scope="col">{lang.pick("日期", "Day")}</th>
                <th scope="col">{lang.pick("查詢", "Calls")}</th>
                <th scope="col">{lang.pick("已回答", "Answered")}</th>
                <th scope="col">{lang.pick("拒絕", "Refused")}</th>
                <th scope="col">{lang.pick("平均回應（毫秒）", "Mean (ms)")}</th>
                <th scope="col">{lang.pick("最長回應（毫秒）", "Slowest (ms)")}</th>
            </tr></thead>
            <tbody>
                {rows_or_none(system.usage.into_iter().rev().filter(|day| day.calls > 0).map(|day| view! {
                    <tr>
                        <td data-label=lang.pick("日期", "Day")>{day.day}</td>
                        <td data-label=lang.pick("查詢", "Calls")>{day.calls}</td>
                        <td data-label=lang.pick("已回答", "Answered")>{day.answered}</td>
                        <td data-label=lang.pick("拒絕", "Refused")>{day.refused}</td>
                        <td data-label=lang.pick("平均回應（毫秒）", "Mean (ms)")>{format!("{:.2}", day.mean_ms)}</td>
                        <td data-label=lang.pick("最長回應（毫秒）", "Slowest (ms)")>{format!("{:.2}", day.slowest_ms)}</td>
                    </tr>
                }).collect(), 6, lang)}
            </tbody>
        </table>
        <CaseTimeline entries=system.timeline lang />
        {(!stopped).then(|| view! {
            <form method="post" action=action class="card-form">
                <h2>{lang.pick("處理（要點第六點、第七點）", "Decide (rules 6 and 7)")}</h2>
                {OVERSIGHT_NOTE.render(lang, shown(OVERSIGHT_NOTE.name), &errors, false)}
                {DEADLINE.render_required(lang, shown(DEADLINE.name), &errors, false, false)}
                <div class="field">
                    <label for=GROUND>{lang.pick("停止服務之事由", "Ground to stop the service")}</label>
                    <span class="hint" id="ground-hint">{lang.pick("停止服務時必填；因耗損系統效能者，須先限期改善且期限已屆滿", "Needed to stop; for load, only after a deadline to improve has passed")}</span>
                    <select id=GROUND name=GROUND aria-describedby="ground-hint ground-error"
                        aria-invalid=if ground_error.is_some() { "true" } else { "false" }>
                        <option value="">{lang.pick("（請選擇）", "(choose)")}</option>
                        {StopGround::ALL.iter().map(|ground| view! {
                            <option value=ground.code() selected=shown(GROUND) == ground.code()>{ground.label(lang)}</option>
                        }).collect_view()}
                    </select>
                    <span class="error" id="ground-error">{ground_error}</span>
                </div>
                <div class="buttons">
                    {asks_first(lang.pick("要求配合措施", "Require measures"), lang.pick("確定要求此應用系統配合措施?", "Require measures of this system?"), Look::Warning, Some("require_measures"))}
                    {asks_first(lang.pick("要求限期改善", "Set a deadline to improve"), lang.pick("確定要求此應用系統限期改善?", "Set this system a deadline to improve?"), Look::Warning, Some("require_improvement"))}
                    {asks_first(lang.pick("停止服務", "Stop the service"), lang.pick("確定停止此應用系統之服務?", "Stop this system's service?"), Look::Destructive, Some("stop"))}
                </div>
            </form>
        })}
    }
}
