//! The ministry's desk (I-2): the requests in review and the latest answered, every registered
//! system, and one request with its answer — 同意 (with the effective date and the system's
//! daily quota) or 不同意, each with its 說明. Only the ministry's reviewers may act here.

use super::form::{DAILY_QUOTA, DEFAULT_DAILY_QUOTA, EFFECTIVE_ON, NOTE};
use super::pages::{RequestCard, RequestsTable, SystemsTable};
use super::requests::{RequestKind, RequestStatus};
use super::{RequestView, SystemView, DESK_CASE_PATH, DESK_PATH};
use crate::cases::timeline::TimelineEntry;
use crate::components::refusal::{FixFieldsNotice, Refusal};
use crate::components::timeline::CaseTimeline;
use crate::error::PortalError;
use crate::forms::{error_of, value};
use crate::i18n::Lang;
use crate::posted_form::posted_form;
use crate::services::staff::role::Role;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
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
    let id = use_query_map()
        .with_untracked(|q| q.get("id"))
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or_default();
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
    let general = errors
        .iter()
        .filter(|error| !on_form(error))
        .map(|error| view! { <div class="notice error" role="alert"><p>{error.message(lang)}</p></div> })
        .collect_view();
    let fix = errors.iter().any(on_form);
    view! {
        {done.map(|done| view! { <div class="notice" role="status"><p>{done}</p></div> })}
        {fix.then(|| view! { <FixFieldsNotice lang /> })}
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
                    <button type="submit" name="action" value="approve">{lang.pick("同意", "Approve")}</button>
                    <button type="submit" name="action" value="reject">{lang.pick("不同意", "Do not approve")}</button>
                </div>
            </form>
        })}
    }
}
