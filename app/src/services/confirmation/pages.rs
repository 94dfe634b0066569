//! The applicant's pages (I-1, I-2): the service's notices and sign-in choice, the applicant's
//! systems and requests, the 申請表 for 啟用 and 停用, and one request with its timeline, its
//! withdrawal while in review, and the ministry's letter once answered. Forms post to their
//! own page; the server parses everything again.

use super::form::{typed_fields, CERTIFICATE};
use super::requests::{RequestKind, RequestStatus};
use super::{
    Applicant, PersonView, RequestView, SystemView, NOTICES_PATH, REQUESTS_PATH, REQUEST_FORM_PATH,
    REQUEST_PATH,
};
use crate::cases::timeline::TimelineEntry;
use crate::cases::Code;
use crate::components::buttons::{asks_first, Look};
use crate::components::refusal::{ErrorSummary, OutcomeNotice, Refusal};
use crate::components::timeline::CaseTimeline;
use crate::error::PortalError;
use crate::forms::{error_of, value};
use crate::i18n::Lang;
use crate::posted_form::posted_form;
use crate::services::sign_in::SignInKind;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// The `id` of the page's query (0, which no row has, when absent or not a number).
pub(super) fn query_id() -> i64 {
    use_query_map()
        .with_untracked(|q| q.get("id"))
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or_default()
}

/// The refusals of a posted form that no field on it shows (`on_form`), as alerts above it.
pub(super) fn other_errors(
    errors: &[PortalError],
    lang: Lang,
    on_form: impl Fn(&PortalError) -> bool,
) -> AnyView {
    let messages: Vec<String> = errors
        .iter()
        .filter(|error| !on_form(error))
        .map(|error| error.message(lang))
        .collect();
    messages
        .into_iter()
        .map(|message| view! { <div class="notice error" role="alert"><p>{message}</p></div> })
        .collect_view()
        .into_any()
}

/// Where the ministry's letter answering request `id` is printed.
pub fn letter_path(id: i64) -> String {
    format!("{REQUEST_PATH}/{id}/letter")
}

/// The applicant's overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub applicant: Applicant,
    /// Its systems, each with whether a 停用 request may be filed for it now.
    pub systems: Vec<(SystemView, bool)>,
    pub requests: Vec<RequestView>,
}

#[server(endpoint = "confirmation_overview")]
pub async fn confirmation_overview() -> Result<Overview, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let applicant = super::store::require_applicant(&state).await?;
    let systems =
        super::store::system_views(&state.db.pool, Some(&applicant), state.clock.unix()).await?;
    let requests = super::store::requests_of(&state.db.pool, &applicant).await?;
    Ok(Overview {
        applicant,
        systems,
        requests,
    })
}

/// The form page: who applies, for 停用 the system, and what became of a posted form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormPage {
    pub applicant: Applicant,
    pub kind: RequestKind,
    pub system: Option<SystemView>,
    /// The request filed (its id and number), or every field to correct.
    pub outcome: Option<Result<(i64, String), Vec<PortalError>>>,
}

#[server(endpoint = "confirmation_request_form", input = server_fn::codec::Json)]
pub async fn confirmation_request_form(
    kind: String,
    system: Option<i64>,
    posted: Option<Vec<(String, String)>>,
) -> Result<FormPage, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let applicant = super::store::require_applicant(&state).await?;
    let kind = RequestKind::from_code(&kind).unwrap_or(RequestKind::Enable);
    let now = state.clock.unix();
    let system = match (kind, system) {
        (RequestKind::Disable, Some(id)) => {
            super::store::system_views(&state.db.pool, Some(&applicant), now)
                .await?
                .into_iter()
                .find(|(system, closable)| system.id == id && *closable)
                .map(|(system, _)| system)
        }
        _ => None,
    };
    if kind == RequestKind::Disable && system.is_none() {
        return Err(PortalError::Refused {
            zh_tw: "請由「我的應用系統」選擇要停用之服務中系統。".into(),
            english: "Choose the system to close from your systems in service.".into(),
        });
    }
    let outcome = match posted {
        Some(mut posted) => Some(
            async {
                // The system is the one of the page, whatever else was posted.
                posted.retain(|(name, _)| name != super::form::SYSTEM);
                if let Some(system) = &system {
                    posted.push((super::form::SYSTEM.into(), system.id.to_string()));
                }
                let form = super::form::RequestForm::parse(kind, &posted)?;
                let source_ip = crate::platform::auth::source_ip();
                let id = super::store::file(&state, &applicant, &form, source_ip).await?;
                let mut conn = state.db.pool.acquire().await.map_err(|e| vec![e.into()])?;
                let number = super::store::load(&mut conn, id)
                    .await
                    .map_err(|e| vec![e.into()])?
                    .map(|request| request.number)
                    .unwrap_or_default();
                Ok((id, number))
            }
            .await,
        ),
        None => None,
    };
    Ok(FormPage {
        applicant,
        kind,
        system,
        outcome,
    })
}

/// One request and what became of a posted withdrawal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    pub request: RequestView,
    pub timeline: Vec<TimelineEntry>,
    pub outcome: Option<Result<String, PortalError>>,
}

#[server(endpoint = "confirmation_request", input = server_fn::codec::Json)]
pub async fn confirmation_request(
    id: i64,
    posted: Option<Vec<(String, String)>>,
) -> Result<RequestPage, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let applicant = super::store::require_applicant(&state).await?;
    let outcome = match posted {
        Some(posted) if value(&posted, "action") == "withdraw" => Some(
            super::store::withdraw(&state, &applicant, id, crate::platform::auth::source_ip())
                .await
                .map(|request| {
                    let lang = current_lang();
                    format!(
                        "{}{}",
                        request.number,
                        lang.pick(" 已撤回。", " was withdrawn.")
                    )
                }),
        ),
        Some(_) => Some(Err(PortalError::Forbidden)),
        None => None,
    };
    let mut conn = state.db.pool.acquire().await?;
    let found = super::store::load_own(&mut conn, &applicant, id).await?;
    let (request, timeline) = super::store::with_timeline(&mut conn, found, current_lang()).await?;
    Ok(RequestPage {
        request,
        timeline,
        outcome,
    })
}

/// `/confirmation`: what the service is, who may apply (要點二、三), and the two sign-ins.
#[component]
pub fn ConfirmationNoticesPage() -> impl IntoView {
    let lang = current_lang();
    let title = lang.pick(
        "自然人憑證用戶身分確認服務",
        "Citizen certificate identity confirmation",
    );
    let next = crate::components::layout::encode_query_value(REQUESTS_PATH);
    let agency = format!("{}?next={next}", SignInKind::Agency.sign_in_path());
    let company = format!("{}?next={next}", SignInKind::Company.sign_in_path());
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <p>{lang.pick(
            "自然人憑證僅載有姓名及身分證統一編號末四碼。本服務供以自然人憑證驗證使用者身分之應用系統，確認憑證是否屬於某身分證統一編號，及其目前是否有效。",
            "A citizen certificate names its holder and only the last four digits of the ID number. This service tells an application system whose users sign in with their citizen certificate whether a certificate belongs to an ID number, and whether it is valid now.",
        )}</p>
        <h2>{lang.pick("申請資格", "Who may apply")}</h2>
        <ul>
            <li>{lang.pick(
                "政府機關(構)：應向政府憑證管理中心(GCA)申請伺服器應用軟體憑證。",
                "Government agencies, with a server certificate from GCA.",
            )}</li>
            <li>{lang.pick(
                "受金融監督管理委員會監督之金融服務業：應向工商憑證管理中心(MOEACA)或組織及團體憑證管理中心(XCA)申請伺服器應用軟體憑證。",
                "Financial institutions supervised by the Financial Supervisory Commission, with a server certificate from MOEACA or XCA.",
            )}</li>
        </ul>
        <p>{lang.pick(
            "應用系統之使用對象須為一般民眾，並以自然人憑證作為身分驗證方式。啟用或停用應於預定日期一個月前提出申請；本部審核後回覆審核結果並通知生效日期。",
            "The system's users must be the public, authenticating with their citizen certificate. Enabling or disabling is requested at least a month ahead; the ministry answers with its decision and the effective date.",
        )}</p>
        <h2>{lang.pick("線上申請", "Apply online")}</h2>
        <ul class="links">
            <li><a href=agency>{lang.pick("政府機關(構)：以機關憑證登入", "Government agency: sign in with the agency card")}</a></li>
            <li><a href=company>{lang.pick("金融服務業：以工商憑證登入", "Financial institution: sign in with the business card")}</a></li>
        </ul>
    }
}

/// `/confirmation/requests`: the applicant's systems and requests.
#[component]
pub fn ConfirmationRequestsPage() -> impl IntoView {
    let lang = current_lang();
    let overview = Resource::new(|| (), |()| confirmation_overview());
    let title = lang.pick(
        "身分確認服務 申請案件",
        "Identity confirmation: your requests",
    );
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href=NOTICES_PATH>{lang.pick("自然人憑證用戶身分確認服務", "Identity confirmation service")}</a></p>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || overview.get().map(|result| match result {
                Ok(overview) => view! { <OverviewView overview lang /> }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn OverviewView(overview: Overview, lang: Lang) -> impl IntoView {
    let enable = format!("{REQUEST_FORM_PATH}?kind=enable");
    view! {
        <dl class="facts">
            <dt>{lang.pick("申請機關(構)", "Applicant")}</dt><dd>{overview.applicant.name.clone()}</dd>
            <dt>{overview.applicant.kind.label(lang)}</dt><dd>{overview.applicant.id.clone()}</dd>
        </dl>
        <p><a class="button" href=enable>{lang.pick("申請啟用應用系統", "Request enabling a system")}</a></p>
        <SystemsTable systems=overview.systems lang desk=false />
        <RequestsTable requests=overview.requests lang case_path=REQUEST_PATH caption=lang.pick("申請案件", "Requests") />
    }
}

/// A table of systems: an applicant's own (`desk` false), each with a link to request its
/// closing when one may be filed; or every system, for the ministry's desk.
#[component]
pub fn SystemsTable(systems: Vec<(SystemView, bool)>, lang: Lang, desk: bool) -> impl IntoView {
    let caption = if desk {
        lang.pick("已登記之應用系統", "Registered systems")
    } else {
        lang.pick("我的應用系統", "Your systems")
    };
    if systems.is_empty() {
        return view! { <h2>{caption}</h2><p class="no-records">{lang.pick("尚無已核准之應用系統。", "No system has been approved yet.")}</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption>{caption}</caption>
            <thead><tr>
                {desk.then(|| view! { <th scope="col">{lang.pick("機關(構)", "Applicant")}</th> })}
                <th scope="col">{lang.pick("應用系統", "System")}</th>
                <th scope="col">{lang.pick("伺服器憑證序號", "Certificate serial")}</th>
                <th scope="col">{lang.pick("開放日期", "Opens")}</th>
                <th scope="col">{lang.pick("停用日期", "Closes")}</th>
                <th scope="col">{lang.pick("憑證到期", "Certificate expires")}</th>
                {desk.then(|| view! { <th scope="col">{lang.pick("每日查詢上限", "Daily quota")}</th> })}
                <th scope="col">{lang.pick("狀態", "Status")}</th>
                {(!desk).then(|| view! { <th scope="col">{lang.pick("處理", "Action")}</th> })}
            </tr></thead>
            <tbody>
                {systems.into_iter().map(|(system, closable)| {
                    let close = format!("{REQUEST_FORM_PATH}?kind=disable&system={}", system.id);
                    let applicant = format!("{}（{}）", system.organisation, system.applicant_kind.label(lang));
                    view! {
                        <tr>
                            {desk.then(|| view! { <td data-label=lang.pick("機關(構)", "Applicant")>{applicant}</td> })}
                            <td data-label=lang.pick("應用系統", "System")>{if desk {
                                let link = format!("{}?id={}", super::DESK_SYSTEM_PATH, system.id);
                                view! { <a href=link>{system.system_name}</a> }.into_any()
                            } else {
                                system.system_name.into_any()
                            }}</td>
                            <td data-label=lang.pick("伺服器憑證序號", "Certificate serial") class="serial">{system.certificate_serial}</td>
                            <td data-label=lang.pick("開放日期", "Opens")>{system.enabled_on}</td>
                            <td data-label=lang.pick("停用日期", "Closes")>{system.disabled_on.unwrap_or_default()}</td>
                            <td data-label=lang.pick("憑證到期", "Certificate expires")>{system.certificate_expires_on}</td>
                            {desk.then(|| view! { <td data-label=lang.pick("每日查詢上限", "Daily quota")>{system.daily_quota}</td> })}
                            <td data-label=lang.pick("狀態", "Status")>{system.state.label(lang)}
                                {system.improve_by.filter(|_| system.oversight == super::oversight::Oversight::Improving).map(|by| format!("{}{by}", lang.pick("（限期改善至 ", " (improve by "))
                                    + lang.pick("）", ")"))}</td>
                            {(!desk).then(|| view! {
                                <td data-label=lang.pick("處理", "Action")>{closable.then(|| view! { <a href=close>{lang.pick("申請停用", "Request closing")}</a> })}</td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A table of requests linking to `case_path?id=…`.
#[component]
pub fn RequestsTable(
    requests: Vec<RequestView>,
    lang: Lang,
    case_path: &'static str,
    caption: &'static str,
) -> impl IntoView {
    if requests.is_empty() {
        return view! { <h2>{caption}</h2><p class="no-records">{lang.pick("尚無申請案件。", "No request yet.")}</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption>{caption}</caption>
            <thead><tr>
                <th scope="col">{lang.pick("案件編號", "Number")}</th>
                <th scope="col">{lang.pick("申請日期", "Filed")}</th>
                <th scope="col">{lang.pick("申請機關(構)", "Applicant")}</th>
                <th scope="col">{lang.pick("應用系統", "System")}</th>
                <th scope="col">{lang.pick("申請項目", "Request")}</th>
                <th scope="col">{lang.pick("預定日期", "Planned")}</th>
                <th scope="col">{lang.pick("狀態", "Status")}</th>
                <th scope="col">{lang.pick("生效日期", "Effective")}</th>
            </tr></thead>
            <tbody>
                {requests.into_iter().map(|request| {
                    let link = format!("{case_path}?id={}", request.id);
                    view! {
                        <tr>
                            <td data-label=lang.pick("案件編號", "Number")><a href=link>{request.number}</a></td>
                            <td data-label=lang.pick("申請日期", "Filed")>{request.filed_at}</td>
                            <td data-label=lang.pick("申請機關(構)", "Applicant")>{request.organisation}</td>
                            <td data-label=lang.pick("應用系統", "System")>{request.system_name}</td>
                            <td data-label=lang.pick("申請項目", "Request")>{request.kind.label(lang)}</td>
                            <td data-label=lang.pick("預定日期", "Planned")>{request.planned_on}</td>
                            <td data-label=lang.pick("狀態", "Status")>{request.status.label(lang)}</td>
                            <td data-label=lang.pick("生效日期", "Effective")>{request.effective_on.unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// `/confirmation/requests/new?kind=enable|disable[&system=…]`: the 申請表.
#[component]
pub fn ConfirmationRequestFormPage() -> impl IntoView {
    let lang = current_lang();
    let query = use_query_map();
    let kind = query
        .with_untracked(|q| q.get("kind"))
        .unwrap_or_else(|| "enable".into());
    let system = query
        .with_untracked(|q| q.get("system"))
        .and_then(|id| id.parse::<i64>().ok());
    let posted = posted_form().map(|form| form.0);
    let page = Resource::new(|| (), {
        let posted = posted.clone();
        move |()| confirmation_request_form(kind.clone(), system, posted.clone())
    });
    let title = lang.pick(
        "自然人憑證用戶身分確認服務系統申請表",
        "Identity confirmation service: request form",
    );
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href=REQUESTS_PATH>{lang.pick("身分確認服務 申請案件", "Your requests")}</a></p>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || page.get().map(|result| match result {
                Ok(FormPage { outcome: Some(Ok((id, number))), .. }) => {
                    let link = format!("{REQUEST_PATH}?id={id}");
                    view! {
                        <div class="notice" role="status">
                            <p>{lang.pick("已送出申請，案件編號：", "Filed. Request number: ")}<a href=link>{number}</a></p>
                        </div>
                    }.into_any()
                }
                Ok(page) => view! { <RequestForm page posted=posted.clone() lang /> }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn RequestForm(page: FormPage, posted: Option<Vec<(String, String)>>, lang: Lang) -> impl IntoView {
    let errors = match page.outcome {
        Some(Err(errors)) => errors,
        _ => Vec::new(),
    };
    let shown = |name: &str| {
        posted
            .as_deref()
            .map(|posted| value(posted, name).to_owned())
            .unwrap_or_default()
    };
    let notice = view! { <ErrorSummary errors=errors.clone() lang /> };
    let general = other_errors(&errors, lang, |error| {
        matches!(error, PortalError::Field { .. })
    });
    let action = match &page.system {
        Some(system) => format!(
            "{REQUEST_FORM_PATH}?kind={}&system={}",
            page.kind.code(),
            system.id
        ),
        None => format!("{REQUEST_FORM_PATH}?kind={}", page.kind.code()),
    };
    let fields = typed_fields(page.kind);
    let (particulars, rest) = fields.split_at(fields.len() - 14);
    let (people, asked) = rest.split_at(12);
    let certificate_error = error_of(&errors, CERTIFICATE, lang);
    let certificate = (page.kind == RequestKind::Enable).then(|| view! {
        <div class="field">
            <label for=CERTIFICATE><span class="required" aria-hidden="true">"*"</span>{lang.pick("伺服器應用軟體憑證檔案", "Server certificate file")}</label>
            <span class="hint" id="certificate-hint">{match page.applicant.kind {
                super::ApplicantKind::Agency => lang.pick("政府憑證管理中心(GCA)簽發之伺服器應用軟體憑證（.cer、.crt 或 .pem）", "Your server certificate from GCA (.cer, .crt or .pem)"),
                super::ApplicantKind::Financial => lang.pick("工商憑證管理中心(MOEACA)或組織及團體憑證管理中心(XCA)簽發之伺服器應用軟體憑證（.cer、.crt 或 .pem）", "Your server certificate from MOEACA or XCA (.cer, .crt or .pem)"),
            }}</span>
            <input type="file" id=CERTIFICATE name=CERTIFICATE accept=".cer,.crt,.pem,.der"
                aria-describedby="certificate-hint certificate-error"
                aria-invalid=if certificate_error.is_some() { "true" } else { "false" } />
            <span class="error" id="certificate-error">{certificate_error}</span>
        </div>
    });
    let system = page.system.clone().map(|system| view! {
        <dl class="facts">
            <dt>{lang.pick("機關(構)名稱", "Agency or institution")}</dt><dd>{system.organisation}</dd>
            <dt>{lang.pick("應用系統中文名稱", "Application system")}</dt><dd>{system.system_name}</dd>
            <dt>{lang.pick("伺服器憑證序號", "Server certificate serial number")}</dt><dd class="serial">{system.certificate_serial}</dd>
            <dt>{lang.pick("開放日期", "Opened")}</dt><dd>{system.enabled_on}</dd>
        </dl>
    }.into_any());
    let render = |fields: &[crate::forms::FormField]| {
        fields
            .iter()
            .map(|field| field.render(lang, shown(field.name), &errors, false))
            .collect_view()
    };
    view! {
        {notice}
        {general}
        <form method="post" action=action enctype="multipart/form-data" class="card-form" novalidate>
            <p class="hint">{lang.pick("標註星號(*)表示此欄位必須填寫；除審核結果欄外請確實填寫所有欄位。", "Fields marked * are required: every field but the ministry's answer.")}</p>
            <h2>{lang.pick("申請項目：", "Request: ")}{page.kind.label(lang)}</h2>
            <h2>{lang.pick("申請機關(構)資料", "The applicant")}</h2>
            {system.unwrap_or_else(|| view! {
                <dl class="facts">
                    <dt>{lang.pick("機關(構)名稱", "Agency or institution")}</dt><dd>{page.applicant.name.clone()}</dd>
                </dl>
            }.into_any())}
            {render(particulars)}
            {certificate}
            <fieldset>
                <legend>{lang.pick("聯絡人", "Contact")}</legend>
                {render(&people[..6])}
            </fieldset>
            <fieldset>
                <legend>{lang.pick("代理人", "Deputy")}</legend>
                {render(&people[6..])}
            </fieldset>
            {render(asked)}
            {(page.kind == RequestKind::Enable).then(|| view! {
                <p class="hint">{lang.pick("開放至伺服器憑證有效期限日止。", "The system stays open until its server certificate expires.")}</p>
            })}
            <div class="buttons">
                <button type="submit">{lang.pick("送出申請", "File the request")}</button>
            </div>
        </form>
    }
}

/// `/confirmation/requests/case?id=…`.
#[component]
pub fn ConfirmationRequestPage() -> impl IntoView {
    let lang = current_lang();
    let id = query_id();
    let posted = posted_form().map(|form| form.0);
    let page = Resource::new(|| (), move |()| confirmation_request(id, posted.clone()));
    let title = lang.pick("申請案件", "Request");
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href=REQUESTS_PATH>{lang.pick("身分確認服務 申請案件", "Your requests")}</a></p>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || page.get().map(|result| match result {
                Ok(page) => {
                    let pending = page.request.status == RequestStatus::Pending;
                    let action = format!("{REQUEST_PATH}?id={}", page.request.id);
                    view! {
                        <OutcomeNotice outcome=page.outcome lang />
                        <RequestCard request=page.request lang />
                        <CaseTimeline entries=page.timeline lang />
                        {pending.then(|| view! {
                            <form method="post" action=action class="card-form">
                                <div class="buttons">
                                    {asks_first(lang.pick("撤回申請", "Withdraw the request"), lang.pick("確定撤回此申請?", "Withdraw this request?"), Look::Destructive, Some("withdraw"))}
                                </div>
                            </form>
                        })}
                    }.into_any()
                }
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

fn person_rows(label: &'static str, person: PersonView, lang: Lang) -> impl IntoView {
    view! {
        <tr><th scope="row">{label}</th><td>
            {format!("{}（{}，{}）", person.name, person.title, person.unit)}<br />
            {format!("E-mail：{}", person.email)}<br />
            {format!("{}{}　{}{}", lang.pick("電話：", "Tel: "), person.phone, lang.pick("傳真：", "Fax: "), person.fax)}
        </td></tr>
    }
}

/// Every field of a request as filed, and the ministry's answer.
#[component]
pub fn RequestCard(request: RequestView, lang: Lang) -> impl IntoView {
    let decided = request.decided_at.is_some();
    let letter = letter_path(request.id);
    let planned = match request.kind {
        RequestKind::Enable => lang.pick("預定開放日期", "Planned opening date"),
        RequestKind::Disable => lang.pick("預定停用日期", "Planned closing date"),
    };
    view! {
        <table class="data record">
            <caption>{format!("{} {}", request.number, request.kind.label(lang))}</caption>
            <tbody>
                <tr><th scope="row">{lang.pick("狀態", "Status")}</th><td class="status">{request.status.label(lang)}</td></tr>
                <tr><th scope="row">{lang.pick("申請日期", "Filed")}</th><td>{request.filed_at}</td></tr>
                <tr><th scope="row">{lang.pick("機關(構)名稱", "Agency or institution")}</th><td>{format!("{}（{} {}）", request.organisation, request.applicant_kind.label(lang), request.applicant_id)}</td></tr>
                <tr><th scope="row">{lang.pick("機關(構)地址", "Address")}</th><td>{request.address}</td></tr>
                <tr><th scope="row">{lang.pick("應用系統中文名稱", "Application system")}</th><td>{request.system_name}</td></tr>
                <tr><th scope="row">{lang.pick("伺服器憑證序號", "Server certificate serial")}</th><td class="serial">{request.certificate_serial}</td></tr>
                {person_rows(lang.pick("聯絡人", "Contact"), request.contact, lang)}
                {person_rows(lang.pick("代理人", "Deputy"), request.deputy, lang)}
                <tr><th scope="row">{planned}</th><td>{request.planned_on}</td></tr>
                {request.overview.map(|overview| view! { <tr><th scope="row">{lang.pick("應用系統概述", "System overview")}</th><td>{overview}</td></tr> })}
                {request.reason.map(|reason| view! { <tr><th scope="row">{lang.pick("停用原因", "Reason")}</th><td>{reason}</td></tr> })}
                {request.decided_at.map(|at| view! { <tr><th scope="row">{lang.pick("審核日期", "Answered")}</th><td>{at}</td></tr> })}
                {request.decision_note.map(|note| view! { <tr><th scope="row">{lang.pick("說明", "Explanation")}</th><td class="decision">{note}</td></tr> })}
                {request.effective_on.map(|on| view! { <tr><th scope="row">{lang.pick("生效日期", "Effective date")}</th><td class="effective">{on}</td></tr> })}
            </tbody>
        </table>
        {decided.then(|| view! {
            <p><a href=letter download>{lang.pick("列印審核結果函（PDF）", "Print the ministry's letter (PDF)")}</a></p>
        })}
    }
}
