//! The pages of agency linking: each party's inbox of the steps waiting for it and the cases
//! it is a party to (L-21), and one case with its 20 steps, the forms of the viewer's steps,
//! send-back, withdrawal and cancellation, and its timeline. The same pages serve the agency
//! (under `/agency-link`) and the back office (under `/admin/agency-links`).

use super::cases::Step;
use super::documents::{size_label, Document};
use super::papers::Paper;
use super::{
    CaseDetail, Environment, InboxRow, LinkSummary, StepState, AGENCY_CASE_PATH, AGENCY_PATH,
    APPLY_PATH, STAFF_CASE_PATH, STAFF_PATH,
};
use crate::cases::Code;
use crate::components::buttons::{asks_first, Look};
use crate::components::queue::{tab_from_query, AgeCell, QueueTab, QueueTabs};
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

/// The back-office roles that work linking cases: the county units (民政局(處) and 役政單位),
/// the ministry's 戶政司 and 資訊服務司, and 中華電信.
pub const LINK_ROLES: [Role; 5] = [
    Role::CountyOfficer,
    Role::CountyMilitaryOfficer,
    Role::MinistryReviewer,
    Role::InformationServices,
    Role::ChtEngineer,
];

/// Which side's pages: the agency's or the back office's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    Agency,
    Staff,
}

impl Side {
    fn list_path(self) -> &'static str {
        match self {
            Side::Agency => AGENCY_PATH,
            Side::Staff => STAFF_PATH,
        }
    }

    fn case_path(self) -> &'static str {
        match self {
            Side::Agency => AGENCY_CASE_PATH,
            Side::Staff => STAFF_CASE_PATH,
        }
    }
}

/// A party's inbox and its cases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Desk {
    pub inbox: Vec<InboxRow>,
    pub cases: Vec<LinkSummary>,
}

/// One case page, and the outcome of a posted change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePage {
    pub detail: CaseDetail,
    pub outcome: Option<Result<String, PortalError>>,
}

#[server(endpoint = "agency_link_desk", input = server_fn::codec::Json)]
pub async fn agency_link_desk(side: Side) -> Result<Desk, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let viewer = ssr::viewer(&state, side).await?;
    Ok(Desk {
        inbox: super::progress::inbox(&state, &viewer).await?,
        cases: super::progress::cases(&state, &viewer).await?,
    })
}

#[server(endpoint = "agency_link_case", input = server_fn::codec::Json)]
pub async fn agency_link_case(
    side: Side,
    id: String,
    posted: Option<Vec<(String, String)>>,
) -> Result<CasePage, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let viewer = ssr::viewer(&state, side).await?;
    let outcome = match posted {
        // A change no page offers this viewer was forged: the page itself is refused.
        Some(posted) => match ssr::change(&state, &viewer, &id, &posted).await {
            Err(PortalError::Forbidden) => return Err(crate::platform::auth::forbidden()),
            outcome => Some(outcome),
        },
        None => None,
    };
    let detail = super::progress::detail(&state, &viewer, &id, current_lang()).await?;
    Ok(CasePage { detail, outcome })
}

const TABS: &[QueueTab] = &[
    QueueTab {
        code: "inbox",
        zh_tw: "待辦步驟",
        english: "Waiting for you",
    },
    QueueTab {
        code: "all",
        zh_tw: "全部案件",
        english: "All cases",
    },
];

/// `/admin/agency-links`: the back office's inbox.
#[component]
pub fn StaffDeskPage() -> impl IntoView {
    view! { <DeskPage side=Side::Staff /> }
}

/// `/admin/agency-links/case?id=…`.
#[component]
pub fn StaffCasePage() -> impl IntoView {
    view! { <LinkCasePage side=Side::Staff /> }
}

/// `/agency-link`: the agency's inbox and its cases.
#[component]
pub fn AgencyDeskPage() -> impl IntoView {
    view! { <DeskPage side=Side::Agency /> }
}

/// `/agency-link/case?id=…`.
#[component]
pub fn AgencyCasePage() -> impl IntoView {
    view! { <LinkCasePage side=Side::Agency /> }
}

#[component]
fn DeskPage(side: Side) -> impl IntoView {
    let lang = current_lang();
    let tab = use_query_map().with_untracked(|q| q.get("tab"));
    let current = tab_from_query(TABS, tab.as_deref());
    let desk = Resource::new(|| (), move |()| agency_link_desk(side));
    let title = lang.pick("機關連結申請 案件辦理", "Agency linking: cases");
    let breadcrumb = match side {
        Side::Staff => view! { <p class="breadcrumb"><a href="/admin">{lang.pick("後台首頁", "Back office")}</a></p> }.into_any(),
        Side::Agency => view! { <p class="breadcrumb"><a href="/">{lang.pick("首頁", "Home")}</a></p> }.into_any(),
    };
    view! {
        <Title text=title />
        {breadcrumb}
        <h1>{title}</h1>
        {(side == Side::Agency).then(|| view! {
            <p><a class="button" href=APPLY_PATH>{lang.pick("提出新申請", "File a new application")}</a></p>
        })}
        <QueueTabs path=side.list_path() tabs=TABS current=current.code lang />
        <Suspense fallback=|| ()>
            {move || desk.get().map(|result| match result {
                Ok(desk) if current.code == "inbox" => view! { <Inbox rows=desk.inbox side lang /> }.into_any(),
                Ok(desk) => view! { <CaseList cases=desk.cases side lang /> }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Inbox(rows: Vec<InboxRow>, side: Side, lang: Lang) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="no-records">{lang.pick("目前沒有待您辦理的步驟。", "No step is waiting for you.")}</p> }.into_any();
    }
    view! {
        <table class="data inbox">
            <caption>{lang.pick("待您辦理的步驟（逾期者標示）", "Steps waiting for you (overdue ones flagged)")}</caption>
            <thead><tr>
                <th scope="col">{lang.pick("案件編號", "Case")}</th>
                <th scope="col">{lang.pick("申請機關", "Agency")}</th>
                <th scope="col">{lang.pick("申請介面", "Interface")}</th>
                <th scope="col">{lang.pick("待辦步驟", "Step")}</th>
                <th scope="col">{lang.pick("已過工作日", "Working days")}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let link = format!("{}?id={}", side.case_path(), row.case.id);
                    view! {
                        <tr class:overdue=row.age.overdue>
                            <td data-label=lang.pick("案件編號", "Case")><a href=link>{row.case.id}</a></td>
                            <td data-label=lang.pick("申請機關", "Agency")>{row.case.agency_name}</td>
                            <td data-label=lang.pick("申請介面", "Interface")>{row.case.interface.label(lang)}</td>
                            <td data-label=lang.pick("待辦步驟", "Step")>{row.step.label(lang)}</td>
                            <AgeCell label=lang.pick("已過工作日", "Working days") age=row.age lang />
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn CaseList(cases: Vec<LinkSummary>, side: Side, lang: Lang) -> impl IntoView {
    if cases.is_empty() {
        return view! { <p class="no-records">{lang.pick("查無申請案件。", "No case yet.")}</p> }
            .into_any();
    }
    view! {
        <table class="data">
            <thead><tr>
                <th scope="col">{lang.pick("案件編號", "Case")}</th>
                <th scope="col">{lang.pick("申請日期", "Filed")}</th>
                <th scope="col">{lang.pick("申請機關", "Agency")}</th>
                <th scope="col">{lang.pick("申請介面", "Interface")}</th>
                <th scope="col">{lang.pick("資料類別", "Data")}</th>
                <th scope="col">{lang.pick("受理單位", "County")}</th>
                <th scope="col">{lang.pick("案件狀態", "Status")}</th>
            </tr></thead>
            <tbody>
                {cases.into_iter().map(|case| {
                    let link = format!("{}?id={}", side.case_path(), case.id);
                    view! {
                        <tr>
                            <td data-label=lang.pick("案件編號", "Case")><a href=link>{case.id}</a></td>
                            <td data-label=lang.pick("申請日期", "Filed")>{case.filed_at}</td>
                            <td data-label=lang.pick("申請機關", "Agency")>{case.agency_name}</td>
                            <td data-label=lang.pick("申請介面", "Interface")>{case.interface.label(lang)}</td>
                            <td data-label=lang.pick("資料類別", "Data")>{case.data_kind.label(lang)}</td>
                            <td data-label=lang.pick("受理單位", "County")>{case.county}</td>
                            <td data-label=lang.pick("案件狀態", "Status")>{case.status.label(lang)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn LinkCasePage(side: Side) -> impl IntoView {
    let lang = current_lang();
    let id = use_query_map()
        .with_untracked(|q| q.get("id"))
        .unwrap_or_default();
    let posted = posted_form().map(|form| form.0);
    let page = Resource::new(
        || (),
        move |()| agency_link_case(side, id.clone(), posted.clone()),
    );
    let title = lang.pick("機關連結申請案件", "Agency linking case");
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href=side.list_path()>{lang.pick("機關連結申請 案件辦理", "Agency linking: cases")}</a></p>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || page.get().map(|result| match result {
                Ok(page) => view! {
                    <OutcomeNotice outcome=page.outcome lang />
                    <CaseView detail=page.detail side lang />
                }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn CaseView(detail: CaseDetail, side: Side, lang: Lang) -> impl IntoView {
    let case = detail.case;
    let action = format!("{}?id={}", side.case_path(), case.id);
    let steps = detail
        .steps
        .into_iter()
        .map(|view| {
            let (class, state) = match view.state {
                StepState::Done { at } => {
                    ("done", format!("{}{at}", lang.pick("完成於 ", "Done ")))
                }
                StepState::Ready => ("ready", lang.pick("辦理中", "Ready").to_owned()),
                StepState::Waiting => {
                    ("waiting", lang.pick("待前置步驟完成", "Waiting").to_owned())
                }
                StepState::Skipped => (
                    "skipped",
                    lang.pick("本介面免辦", "Not for this interface").to_owned(),
                ),
            };
            view! {
                <tr class=class>
                    <td data-label=lang.pick("步驟", "Step")>{view.step.label(lang)}</td>
                    <td data-label=lang.pick("辦理單位", "Taken by")>{view.party}</td>
                    <td data-label=lang.pick("辦理情形", "Progress")>{state}</td>
                </tr>
            }
        })
        .collect_view();
    let host = case.host_address.clone();
    let forms = detail
        .mine
        .into_iter()
        .map(|step| match step.taken_on_page() {
            true => {
                view! { <StepForm step action=action.clone() host=host.clone() lang /> }.into_any()
            }
            false => view! { <TestCallNotice step lang /> }.into_any(),
        })
        .collect_view();
    let send_back = detail.may_send_back.then(|| view! {
        <form method="post" action=action.clone() class="card-form">
            <input type="hidden" name="action" value="send_back" />
            <div class="field">
                <label for="reason"><span class="required" aria-hidden="true">"*"</span>{lang.pick("退回原因", "Reason for sending back")}</label>
                <span class="hint" id="reason-hint">{lang.pick("申請機關須修正之處（350字以內），如網路位址衝突", "What the agency must correct (at most 350 characters), e.g. an address conflict")}</span>
                <textarea id="reason" name="reason" rows="3" maxlength="350" required aria-describedby="reason-hint"></textarea>
            </div>
            <div class="buttons">
                {asks_first(lang.pick("退回申請機關", "Send back to the agency"), lang.pick("確定退回申請機關補正?", "Send the application back to the agency?"), Look::Warning, None)}
            </div>
        </form>
    });
    let withdraw = detail.may_withdraw.then(|| {
        view! {
            <form method="post" action=action.clone() class="inline">
                <input type="hidden" name="action" value="withdraw" />
                {asks_first(lang.pick("撤回申請", "Withdraw the application"), lang.pick("確定撤回此申請?", "Withdraw this application?"), Look::Destructive, None)}
            </form>
        }
    });
    let cancel = detail.may_cancel.then(|| {
        view! {
            <form method="post" action=action.clone() class="inline">
                <input type="hidden" name="action" value="cancel" />
                {asks_first(lang.pick("取消連結", "Cancel the link"), lang.pick("確定取消此連結?", "Cancel this link?"), Look::Destructive, None)}
            </form>
        }
    });
    let reissue = detail.may_reissue_password.then(|| view! {
        <form method="post" action=action.clone() class="card-form">
            <h2>{lang.pick("重新核發密碼表", "Issue the password table again")}</h2>
            <p class="hint">{lang.pick(
                "申請機關遺失密碼表時使用：原密碼表立即失效，新密碼表由戶役政單位交付申請機關。",
                "When the agency lost its password table: the old one stops working at once, and the county unit hands the new one over.",
            )}</p>
            <input type="hidden" name="action" value="reissue_password" />
            <div class="buttons">
                {asks_first(lang.pick("重新核發密碼表", "Issue it again"), lang.pick("確定重新核發密碼表?原密碼表將立即失效。", "Issue the table again? The old one stops working at once."), Look::Warning, None)}
            </div>
        </form>
    });
    let hand_over = detail.may_hand_over_password.then(|| view! {
        <form method="post" action=action.clone() class="card-form">
            <h2>{lang.pick("交付重新核發之密碼表", "Hand over the reissued password table")}</h2>
            <p class="hint">{lang.pick(
                "密碼表僅顯示這一次，請轉交申請機關。",
                "The table is shown this once: hand it to the agency.",
            )}</p>
            <input type="hidden" name="action" value="hand_over_password" />
            <div class="buttons"><button type="submit">{lang.pick("顯示並交付密碼表", "Show and hand over the table")}</button></div>
        </form>
    });
    view! {
        <dl class="case-card">
            <dt>{lang.pick("案件編號", "Case")}</dt><dd>{case.id.clone()}</dd>
            <dt>{lang.pick("案件狀態", "Status")}</dt><dd class="status">{case.status.label(lang)}</dd>
            <dt>{lang.pick("申請機關", "Agency")}</dt><dd>{format!("{}（{}）", case.agency_name, case.agency_code)}</dd>
            <dt>{lang.pick("申請介面", "Interface")}</dt><dd>{case.interface.label(lang)}</dd>
            <dt>{lang.pick("申請表", "Form")}</dt><dd>{case.interface.form_title()}</dd>
            <dt>{lang.pick("資料類別", "Data")}</dt><dd>{case.data_kind.label(lang)}</dd>
            <dt>{lang.pick("受理單位", "County")}</dt><dd>{case.county.clone()}</dd>
            <dt>{lang.pick("主機網路位址", "Host address")}</dt><dd>{case.host_address.clone()}</dd>
            <dt>{lang.pick("申請日期", "Filed")}</dt><dd>{case.filed_at.clone()}</dd>
            <dt>{lang.pick("連結測試日期", "Connection test")}</dt><dd>{case.test_at.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>{lang.pick("需求資料項目", "Data items")}</dt><dd>{detail.items.join("、")}</dd>
            {detail.environment.map(|environment| view! {
                <dt>{lang.pick("使用者作業環境", "User environment")}</dt>
                <dd class="environment">{match environment {
                    Environment::Created { at, case } => lang.pick(
                        format!("已建立於 {at}（案件 {case} 資料登錄）"),
                        format!("Created {at} (registration of case {case})"),
                    ),
                    Environment::Absent => lang.pick("無（尚未資料登錄或已刪除）", "None (not registered yet, or removed)").to_owned(),
                }}</dd>
            })}
        </dl>
        {detail.keys.map(|keys| view! {
            <dl class="case-card keys">
                <dt>{lang.pick("機關憑證序號", "Certificate serial")}</dt><dd><code>{keys.certificate_serial}</code></dd>
                <dt>{lang.pick("憑證有效期限", "Certificate valid until")}</dt><dd>{keys.certificate_not_after}</dd>
                <dt>{lang.pick("提供日期", "Handed over")}</dt><dd>{keys.handed_over_at}</dd>
                <dt>"Iss key"</dt>
                <dd>{match (keys.iss_key, keys.iss_key_issued) {
                    (Some(key), _) => view! { <code class="iss-key">{key}</code> }.into_any(),
                    (None, true) => lang.pick("已產製", "Issued").into_any(),
                    (None, false) => lang.pick("尚未產製", "Not issued yet").into_any(),
                }}</dd>
            </dl>
        })}
        {(!detail.addresses.is_empty()).then(|| view! {
            <table class="data addresses">
                <caption>{lang.pick("資訊服務司編訂之網路位址", "Addresses assigned by Information Services")}</caption>
                <thead><tr>
                    <th scope="col">{lang.pick("設備", "Equipment")}</th>
                    <th scope="col">{lang.pick("網路位址", "Address")}</th>
                    <th scope="col">{lang.pick("子網路遮罩", "Subnet mask")}</th>
                </tr></thead>
                <tbody>
                    {detail.addresses.into_iter().map(|(kind, network, mask)| view! {
                        <tr><td data-label=lang.pick("設備", "Equipment")>{kind}</td><td data-label=lang.pick("網路位址", "Address")>{network}</td><td data-label=lang.pick("子網路遮罩", "Subnet mask")>{mask}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <CaseFiles case_id=case.id.clone() documents=detail.documents papers=detail.papers lang />
        {forms}
        {hand_over}
        {reissue}
        {send_back}
        {withdraw}
        {cancel}
        <table class="data steps">
            <caption>{lang.pick("申請程序", "Steps")}</caption>
            <thead><tr>
                <th scope="col">{lang.pick("步驟", "Step")}</th>
                <th scope="col">{lang.pick("辦理單位", "Taken by")}</th>
                <th scope="col">{lang.pick("辦理情形", "Progress")}</th>
            </tr></thead>
            <tbody>{steps}</tbody>
        </table>
        <CaseTimeline entries=detail.timeline lang />
    }
}

/// The documents filed, for every party to download and check against their SHA-256, and
/// the paper forms, for every party to print (L-1). Plain links: the files are attachments
/// the server sends, not pages of the app (`rel="external"` keeps the router out).
#[component]
fn CaseFiles(
    case_id: String,
    documents: Vec<Document>,
    papers: Vec<Paper>,
    lang: Lang,
) -> impl IntoView {
    let heads = [
        lang.pick("文件", "Document"),
        lang.pick("檔名（下載）", "File (download)"),
        lang.pick("大小", "Size"),
        "SHA-256",
    ];
    let rows = documents
        .into_iter()
        .map(|document| {
            let href = document.download_path(&case_id);
            view! {
                <tr>
                    <td data-label=heads[0]>{document.kind.label(lang)}</td>
                    <td data-label=heads[1]><a href=href rel="external">{document.file_name}</a></td>
                    <td data-label=heads[2]>{size_label(document.size, lang)}</td>
                    <td data-label=heads[3]><code class="digest">{document.sha256}</code></td>
                </tr>
            }
        })
        .collect();
    let rows = rows_or_none(rows, heads.len(), lang);
    let papers = papers
        .into_iter()
        .map(|paper| {
            view! {
                <li><a href=paper.path(&case_id) rel="external">{format!("{}{}", paper.label(lang), lang.pick("（PDF）", " (PDF)"))}</a></li>
            }
        })
        .collect_view();
    view! {
        <table class="data documents">
            <caption>{lang.pick("申請文件", "Documents filed")}</caption>
            <thead><tr>
                {heads.map(|head| view! { <th scope="col">{head}</th> })}
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <section class="papers" aria-labelledby="papers-title">
            <h2 id="papers-title">{lang.pick("列印書表", "Forms to print")}</h2>
            <p class="hint">{lang.pick("依申請內容填妥之書表，列印後用印（機關關防）留存或函送。", "The forms filled with what was filed: print them, seal them and keep or send them.")}</p>
            <ul>{papers}</ul>
        </section>
    }
}

/// Step 18, ready for the agency: what its system does, since no form takes it.
#[component]
fn TestCallNotice(step: Step, lang: Lang) -> impl IntoView {
    view! {
        <section class="card-form step-call" aria-labelledby="step-call-heading">
            <h2 id="step-call-heading">{step.label(lang)}</h2>
            <p>{lang.pick(
                "請於排定之測試日，由貴機關系統自資訊服務司編訂之伺服器位址，以密碼表之使用者代號、密碼及機關憑證金鑰簽署之權杖呼叫連結測試（POST /integration/agency/v1/connection-test）；測試通過即完成本步驟，未通過之原因記載於案件歷程。",
                "On the scheduled test day, your system calls the connection test (POST /integration/agency/v1/connection-test) from the server address 資訊服務司 assigned, with the password table's user code and password and a token signed with the agency certificate's key; a passing call completes this step, and a failing one's reason is recorded in the case history.",
            )}</p>
            <p><a href="/integration/agency/openapi.json" rel="external">{lang.pick("機關連結 API 規格（OpenAPI）", "The linked-agency API (OpenAPI)")}</a></p>
        </section>
    }
}

/// The form of one step the viewer may take now.
#[component]
fn StepForm(
    step: Step,
    action: String,
    /// The host address filed, for step 1 filed again.
    host: String,
    lang: Lang,
) -> impl IntoView {
    let id = |name: &str| format!("{name}-{}", step.code());
    let host_address = (step == Step::S01File).then(|| view! {
        <div class="field">
            <label for=id("host_address")><span class="required" aria-hidden="true">"*"</span>{lang.pick("主機網路位址", "Host address")}</label>
            <span class="hint" id=id("host_address-hint")>{lang.pick("IPv4 位址或網段（如 203.0.113.16/28），請依退回原因修正", "An IPv4 address or network (e.g. 203.0.113.16/28), corrected as the reason for sending back asks")}</span>
            <input type="text" id=id("host_address") name="host_address" value=host required aria-describedby=id("host_address-hint") />
        </div>
    });
    let test_date = (step == Step::S16CountyTest).then(|| view! {
        <div class="field">
            <label for=id("test_at")><span class="required" aria-hidden="true">"*"</span>{lang.pick("連結測試日期時間", "Connection test date and time")}</label>
            <span class="hint" id=id("test_at-hint")>{lang.pick("民國年/月/日 時:分:秒，如 116/01/05 10:00:00", "ROC year/month/day hour:minute:second, e.g. 116/01/05 10:00:00")}</span>
            <input type="text" id=id("test_at") name="test_at" required aria-describedby=id("test_at-hint") />
        </div>
    });
    let certificate = (step == Step::S11AgencyKey).then(|| view! {
        <div class="field">
            <label for=id("certificate")><span class="required" aria-hidden="true">"*"</span>{lang.pick("機關憑證（公開金鑰憑證）", "The agency's certificate (public key)")}</label>
            <span class="hint" id=id("certificate-hint")>{lang.pick("貴機關系統簽署連結呼叫所用金鑰之機關憑證（GCA 核發，RSA 金鑰），以 PEM 格式貼上", "The GCA 機關憑證 whose (RSA) key your system signs its calls to the link with, pasted as PEM")}</span>
            <textarea id=id("certificate") name="certificate" rows="8" required spellcheck="false" class="monospace" aria-describedby=id("certificate-hint")></textarea>
        </div>
    });
    view! {
        <form method="post" action=action class="card-form step-form">
            <h2>{step.label(lang)}</h2>
            <input type="hidden" name="action" value="step" />
            <input type="hidden" name="step" value=step.code() />
            {test_date}
            {certificate}
            {host_address}
            <div class="field">
                <label for=id("note")>{lang.pick("辦理說明（選填）", "Note (optional)")}</label>
                <textarea id=id("note") name="note" rows="2" maxlength="350"></textarea>
            </div>
            <div class="buttons"><button type="submit">{lang.pick("完成此步驟", "Complete this step")}</button></div>
        </form>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::super::desk::Change;
    use super::super::password_table::PasswordTable;
    use super::super::progress::{self, StepInput, Viewer};
    use super::{Side, LINK_ROLES};
    use crate::cases::Code;
    use crate::error::PortalError;
    use crate::i18n::Lang;
    use crate::platform::clock::taipei_to_utc;
    use crate::platform::{auth, AppState};
    use crate::services::staff::access::require_staff;
    use crate::shell::current_lang;

    /// Who is asking, on `side`'s pages.
    pub async fn viewer(state: &AppState, side: Side) -> Result<Viewer, PortalError> {
        match side {
            Side::Staff => Ok(Viewer::Staff(require_staff(state, &LINK_ROLES).await?)),
            Side::Agency => {
                let agency = crate::services::agency::require_agency(state).await?;
                Ok(Viewer::Agency { code: agency.code })
            }
        }
    }

    /// Makes the posted change; what the page says it did.
    pub async fn change(
        state: &AppState,
        viewer: &Viewer,
        id: &str,
        posted: &[(String, String)],
    ) -> Result<String, PortalError> {
        let lang = current_lang();
        let ip = auth::source_ip();
        match Change::parse(posted)? {
            Change::Step {
                step,
                note,
                test_at,
                host_address,
                certificate,
            } => {
                if let Some(host) = host_address {
                    host.refuse_loopback(state.settings.development())
                        .map_err(|error| PortalError::field("host_address", &error))?;
                }
                let input = StepInput {
                    note: note.map(|note| note.as_str().to_owned()),
                    test_at: test_at.map(|at| taipei_to_utc(at.to_naive()).timestamp()),
                    host_address: host_address.map(|host| host.to_string()),
                    certificate,
                };
                let taken = progress::take(state, viewer, ip, id, step, input).await?;
                let mut told =
                    format!("{}{}", step.label(lang), lang.pick("：已完成。", ": done."));
                if let Some(table) = taken.password_table {
                    told.push_str(&shown_once(&table, lang));
                }
                if let Some(key) = taken.iss_key {
                    told.push_str(&format!(
                        "{}{key}{}",
                        lang.pick("Iss key：", " Iss key: "),
                        lang.pick(
                            "（申請機關於案件頁面可查閱）。",
                            " (the agency finds it on the case page).",
                        ),
                    ));
                }
                if taken.live {
                    told.push_str(lang.pick(
                        "雙方已確認，開始實際連結。",
                        " Both sides confirmed: the link is live.",
                    ));
                }
                Ok(told)
            }
            Change::SendBack { reason } => {
                progress::send_back(state, viewer, ip, id, reason.as_str()).await?;
                Ok(lang
                    .pick("已退回申請機關補正。", "Sent back to the agency.")
                    .to_owned())
            }
            Change::Withdraw => {
                progress::withdraw(state, viewer, ip, id).await?;
                Ok(lang
                    .pick("已撤回申請。", "The application is withdrawn.")
                    .to_owned())
            }
            Change::Cancel => {
                progress::cancel(state, viewer, ip, id).await?;
                Ok(lang
                    .pick("已取消連結。", "The link is cancelled.")
                    .to_owned())
            }
            Change::ReissuePassword => {
                progress::reissue_password(state, viewer, ip, id).await?;
                Ok(lang
                    .pick(
                        "已重新核發密碼表，原密碼表已失效；由戶役政單位交付申請機關。",
                        "The password table is issued again and the old one no longer works; the county unit hands it over.",
                    )
                    .to_owned())
            }
            Change::HandOverPassword => {
                let table = progress::hand_over_reissued(state, viewer, ip, id).await?;
                Ok(shown_once(&table, lang).trim_start().to_owned())
            }
        }
    }

    /// A 密碼表 as the page shows it, once, to the county unit handing it over.
    fn shown_once(table: &PasswordTable, lang: Lang) -> String {
        format!(
            "{}{}{}{}{}",
            lang.pick(
                "密碼表（僅顯示這一次，請轉交申請機關）：使用者代號 ",
                " Password table (shown this once: hand it to the agency): user ",
            ),
            table.agency_user,
            lang.pick("，密碼 ", ", password "),
            table.password,
            lang.pick("。", "."),
        )
    }
}
