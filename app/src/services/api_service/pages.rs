//! The company's pages (seed 000 圖1–28): 申請注意事項, API介接服務申請 (choose 申請事項, fill
//! the form, confirm, see the result), API介接服務進度查詢 with 取消申請, and the 作業手冊.
//! The company proves itself with its 工商憑證 at sign-in (圖2, 圖20: 統一編號 + PIN); every
//! page after that works on that company only. Forms post to their own page (see
//! [`crate::posted_form`]), so they work without JavaScript.

use super::form::{text_field, AGREE, CERTIFICATE, COMPANY_FIELDS, PURPOSE, TOKEN};
use super::signature::{self, SignedSubmit};
use super::{
    CaseKind, CaseStatus, CaseView, GrantStatus, GrantView, APPLY_PATH, FORM_PATH, MANUAL_PATH,
    MANUAL_PDF_PATH, NOTICES_PATH, PROGRESS_PATH,
};
use crate::cases::Code;
use crate::components::buttons::{ConfirmSubmit, CopyButton};
use crate::components::refusal::{ErrorNotice, ErrorSummary, OutcomeNotice, Refusal};
use crate::components::steps::{Flow, Steps};
use crate::error::PortalError;
use crate::forms::{error_of, value};
use crate::i18n::Lang;
use crate::posted_form::posted_form;
use crate::services::company::CompanyAccount;
use crate::services::sign_in::pages::BusinessCardHelperNote;
use crate::settings::portal_settings;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

fn service_title(lang: Lang) -> &'static str {
    lang.pick(
        "國民身分證領補換資料查驗作業API介接服務",
        "ID-card verification API service",
    )
}

/// What the 申請事項 step and the form need to know about the company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyState {
    pub company: CompanyAccount,
    pub offered: Vec<CaseKind>,
    /// A case is in review, so nothing can be applied for.
    pub pending: bool,
    pub grant: Option<GrantView>,
    /// The registered contact (for forms that show it rather than edit it).
    pub contact: Option<[String; 4]>,
    /// A fresh one-time token for the form shown next.
    pub form_token: String,
}

/// What a submitted form came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubmitOutcome {
    Received {
        case: Box<CaseView>,
        isskey: Option<String>,
    },
    Invalid(Vec<PortalError>),
}

/// 進度查詢: the grant, every case, and when this was asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub company: CompanyAccount,
    pub grant: Option<GrantView>,
    pub cases: Vec<CaseView>,
    pub queried_at: String,
    /// The outcome of a cancellation or an answer posted with this request.
    pub outcome: Option<Result<String, PortalError>>,
}

#[server(endpoint = "api_service_state")]
pub async fn api_service_state() -> Result<ApplyState, PortalError> {
    ssr::apply_state().await
}

#[server(endpoint = "api_service_submit", input = server_fn::codec::Json)]
pub async fn submit_api_case(
    kind: String,
    posted: Vec<(String, String)>,
) -> Result<SubmitOutcome, PortalError> {
    ssr::submit(&kind, &posted).await
}

#[server(endpoint = "api_service_progress", input = server_fn::codec::Json)]
pub async fn api_service_progress(
    posted: Option<Vec<(String, String)>>,
) -> Result<Progress, PortalError> {
    ssr::progress(posted).await
}

/// The seed's 11 notices (圖1), one rule each (A-N1…A-N11).
fn notices(lang: Lang) -> [&'static str; 11] {
    [
        lang.pick("本查驗作業係用以查驗所輸入之國民身分證資料與內政部戶役政資訊系統檔存資料是否相符。", "This service checks whether the ID-card data you enter matches the household registry."),
        lang.pick("本查驗作業申請（使用）對象以依法須查驗國民身分證而提供服務或執行業務之「非公務機關」為限，如為公務機關請另向內政部申請機關連結作業。", "Only non-government entities that must verify ID cards by law may apply; government agencies apply for agency linking instead."),
        lang.pick("申請（使用）機構如欲取得本作業之查驗權限，應以工商憑證至內政部戶政司全球資訊網「國民身分證領補換資料查驗作業API介接服務」填寫相關資料，並同意遵守內政部訂定之相關規範。一個營利事業統一編號僅提供一個連線主機網路位址（IP）申請，重複申請者，內政部得駁回申請。", "Apply here with your business certificate (工商憑證) and agree to the ministry's rules. One business ID may register one host IP address; a duplicate application may be rejected."),
        lang.pick("申請（使用）機構應有業務上使用需求始可提出申請，且需於「使用目的/原因」欄位詳述係依何主管機關及其何項規定所需。未敘明須查驗之目的或法規依據、敘明之法規非查驗之依據或與所營事業項目不符者，內政部得駁回申請。", "You must have a business need: state in 使用目的/原因 which authority and which regulation require you to verify ID cards. An application without it, or citing a rule that does not require verification, may be rejected."),
        lang.pick("申請（使用）機構提出本查驗作業之申請後，需經內政部審核通過始可取得查驗權限，審核時間以10個工作日為原則，必要時得延長，內政部如對申請資料有所疑義，申請（使用）機構應於接獲內政部通知後5個工作日內提供相關資料以利查證，審核結果將另以電子郵件通知。", "The ministry reviews each application, normally within 10 working days (longer if needed). If it asks for more material, provide it within 5 working days. The result is sent by e-mail."),
        lang.pick("若運用本查驗作業所查驗之同一國民身分證統一編號於同日錯誤達3次（含），當日將無法再次查驗該筆資料。", "When one ID number fails verification 3 times in a day, it cannot be verified again that day."),
        lang.pick("申請（使用）機構取得本作業之查驗權限後，倘有變更連線主機網路位址（IP）之情形，應申請「登錄資料修改」。審核通過後，前次申請之連線主機網路位址（IP）將予以刪除。", "To change the host IP address, apply for 登錄資料修改 (change of registered data); on approval the previous IP address is deleted."),
        lang.pick("申請（使用）機構如有下列任一情形，應申請停用：（一）自行「停止」查驗者。（二）逾一年不使用者。（三）「營利事業統一編號變更」者，應先申請停用並經審核通過後再重新申請權限。", "Apply for deactivation when you stop verifying, when you have not used the service for a year, or when your business ID changes (deactivate first, then apply anew)."),
        lang.pick("申請（使用）機構使用本查驗作業若經內政部發現異常使用情形，將暫停查驗權限。其他連線使用情形有影響系統運作且情節重大者，內政部得立即註銷申請（使用）機構之查驗權限。", "Abnormal use suspends the permission; use that seriously affects the system lets the ministry revoke it at once."),
        lang.pick("內政部每年將不定期清查比對申請（使用）機構名稱與營利事業統一編號，如經發現已非現行登記之公司行號，或逾一年未連線使用者，內政部將立即註銷其查驗權限。", "The ministry checks company names against business IDs every year; a company no longer registered, or unused for over a year, loses its permission at once."),
        lang.pick("申請（使用）機構經內政部暫停或註銷查驗權限者，欲再度取得權限，應先提出改善做法並經內政部核可，重新提出申請。", "After a suspension or revocation, submit an improvement plan, have it approved by the ministry, and apply again."),
    ]
}

/// 國民身分證領補換資料查驗作業API介接服務管理規範 (A-R1…A-R5), folded. On the form the
/// agreement box (`children`) sits inside the fold, under the rules: it cannot be seen, let
/// alone ticked, before the rules are opened, with or without JavaScript (issue 20 item 5).
/// `open` shows them unfolded (a form sent back for the box).
#[component]
fn ManagementRules(
    lang: Lang,
    #[prop(optional)] open: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let summary = if children.is_some() {
        lang.pick(
            "國民身分證領補換資料查驗作業API介接服務管理規範（請點此展開詳閱，閱畢於下方勾選同意）",
            "Management rules of the ID-card verification API service (open and read them, then agree below them)",
        )
    } else {
        lang.pick(
            "國民身分證領補換資料查驗作業API介接服務管理規範",
            "Management rules of the ID-card verification API service",
        )
    };
    view! {
        <details class="rules" open=open>
            <summary>{summary}</summary>
            <ol class="notes">
                <li>{lang.pick("申請（使用）機構不得透過第三方軟體、程式批次測試本服務或影響本服務正常運作。", "Do not batch-test the service with third-party software or programs, or otherwise disturb its operation.")}</li>
                <li>{lang.pick("申請（使用）機構應確保資訊系統之安全，防止非法入侵、取得、竄改、毀損於本查驗作業所取得之資料。", "Keep your systems secure against intrusion, and the data obtained here against theft, tampering and damage.")}</li>
                <li>{lang.pick("申請（使用）機構於本查驗作業所取得之資料，須負保密義務，如：紀錄、圖片、手稿、資料庫及其他相關資料，包括且不限於以文字、聲音、影像、軟體等形式紀錄者。", "Keep everything obtained here confidential, in whatever form it is recorded.")}</li>
                <li>{lang.pick("對於前條所定資訊，申請（使用）機構應遵循「個人資料保護法」規定，並不得有下列行為：1. 提供、交付、洩漏或以任何方式或因任何原因而移轉予第三者。2. 擅自使用於非受指定或委託之工作內容。3. 擅自拷貝、照相或以其他方法複製全部或部分內容。4. 以任何方式提供第三人使用或參考。", "Follow the Personal Data Protection Act: never give, leak or transfer the data to anyone, use it for anything else, copy it, or let a third party use or see it.")}</li>
                <li>{lang.pick("申請（使用）機構如有違反上述規定之情形，內政部得不經預告、通知而逕行註銷查驗權限，倘有不當使用或侵犯個人隱私，依刑法、個人資料保護法或其他相關規定追究其責。", "A breach lets the ministry revoke the permission without notice; misuse or invasion of privacy is pursued under the Criminal Code, the Personal Data Protection Act and other laws.")}</li>
            </ol>
            {children.map(|children| children())}
        </details>
    }
}

/// Filing an API-service case, page by page (the step indicator's).
const FILING: &Flow = &[
    ("選擇申請事項", "Choose the application"),
    ("填寫申請資料", "Fill in the form"),
    ("申請完成", "Done"),
];

/// `/api-service`: 申請注意事項 (圖1) and the way in.
#[component]
pub fn ApiServiceNoticesPage() -> impl IntoView {
    let lang = current_lang();
    let title = service_title(lang);
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <ul class="service-list">
            <li><a href=APPLY_PATH>{lang.pick("API介接服務申請", "Apply")}</a></li>
            <li><a href=PROGRESS_PATH>{lang.pick("API介接服務進度查詢", "Progress of your cases")}</a></li>
            <li><a href=MANUAL_PATH>{lang.pick("API介接服務作業手冊", "Operation manual")}</a></li>
        </ul>
        <h2>{lang.pick("申請注意事項", "Before you apply")}</h2>
        <ol class="notes">
            {notices(lang).into_iter().map(|text| view! { <li>{text}</li> }).collect_view()}
        </ol>
        <ManagementRules lang />
        <p><a class="button start" href=APPLY_PATH>{lang.pick("開始申請", "Start your application")}</a></p>
        <BusinessCardHelperNote lang />
    }
}

/// `/api-service/apply` (圖2, 3, 8, 19): the company and the 申請事項 its state allows.
#[component]
pub fn ApiApplyPage() -> impl IntoView {
    let lang = current_lang();
    let state = Resource::new(|| (), |()| api_service_state());
    let title = lang.pick("API介接服務申請", "Apply for the API service");
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href=NOTICES_PATH>{service_title(lang)}</a></p>
        <h1>{title}</h1>
        <Steps flow=FILING current=0 lang />
        <Suspense fallback=|| ()>
            {move || state.get().map(|result| match result {
                Ok(state) => view! { <KindChooser state lang /> }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
        <BusinessCardHelperNote lang />
    }
}

#[component]
fn KindChooser(state: ApplyState, lang: Lang) -> impl IntoView {
    // After a suspension or revocation (A-N11): first the plan, then, once it is approved, a
    // new application.
    let suspended_or_revoked = state
        .grant
        .as_ref()
        .is_some_and(|grant| matches!(grant.status, GrantStatus::Suspended | GrantStatus::Revoked));
    let plan = if state.offered.contains(&CaseKind::Plan) {
        Some(lang.pick(
            "貴公司之查驗權限經內政部暫停或註銷，欲再度取得權限，應先提出改善做法（申請事項「改善做法」）並經內政部核可，再重新提出申請。",
            "Your permission was suspended or revoked: submit an improvement plan (the application 'Improvement plan'); once the ministry approves it, apply again.",
        ))
    } else if suspended_or_revoked && state.offered.contains(&CaseKind::Apply) {
        Some(lang.pick(
            "貴公司之改善做法已經內政部核可，請重新提出API申請以再度取得查驗權限。",
            "Your improvement plan is approved: make a new API application to regain the permission.",
        ))
    } else {
        None
    }
    .map(|text| view! { <div class="notice" role="status"><p>{text}</p></div> });
    let warning = state.pending.then(|| {
        view! {
            <div class="notice error" role="alert">
                <p>{super::pending_case_message(lang)}</p>
                <p><a href=PROGRESS_PATH>{lang.pick("前往進度查詢", "See your cases")}</a></p>
            </div>
        }
    });
    view! {
        {plan}
        {warning}
        <form method="get" action=FORM_PATH class="card-form">
            <p class="hint">{lang.pick("標註星號(*)表示此欄位必須填寫", "Fields marked * are required.")}</p>
            <h2>{lang.pick("1. 單位資料", "1. Company")}</h2>
            <dl class="facts">
                <dt>{lang.pick("營利事業統一編號", "Business ID")}</dt><dd>{state.company.business_id.clone()}</dd>
                <dt>{lang.pick("公司名稱", "Company")}</dt><dd>{state.company.name.clone()}</dd>
            </dl>
            <h2>{lang.pick("2. 申請事項", "2. Application")}</h2>
            <div class="field">
                <label for="kind"><span class="required" aria-hidden="true">"*"</span>{lang.pick("申請事項", "Application")}</label>
                <select id="kind" name="kind" required disabled=state.pending>
                    {state.offered.iter().map(|kind| view! {
                        <option value=kind.code()>{kind.label(lang)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="buttons">
                <button type="submit" disabled=state.pending>{lang.pick("下一頁", "Next")}</button>
                <a class="button" href=NOTICES_PATH>{lang.pick("返回", "Back")}</a>
            </div>
        </form>
    }
    .into_any()
}

/// `/api-service/apply/form?kind=…` (圖4, 10, 14, 17), and its result (圖7, 12, 15, 18).
#[component]
pub fn ApiFormPage() -> impl IntoView {
    let lang = current_lang();
    let query = use_query_map();
    let kind_code = query.with_untracked(|q| q.get("kind")).unwrap_or_default();
    let Some(kind) = CaseKind::from_code(&kind_code) else {
        let error = PortalError::Refused {
            zh_tw: "無此申請事項。".into(),
            english: "There is no such kind of application.".into(),
        };
        return view! { <Refusal error lang /> }.into_any();
    };
    let posted = posted_form().map(|form| form.0);
    let submitted = posted.clone();
    let page = Resource::new(
        || (),
        move |()| {
            let posted = submitted.clone();
            let kind_code = kind.code().to_owned();
            async move {
                let outcome = match posted {
                    Some(posted) => Some(submit_api_case(kind_code, posted).await),
                    None => None,
                };
                (outcome, api_service_state().await)
            }
        },
    );
    let title = kind.label(lang);
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href=NOTICES_PATH>{service_title(lang)}</a> " › " <a href=APPLY_PATH>{lang.pick("API介接服務申請", "Apply")}</a></p>
        <h1>{service_title(lang)} "：" {title}</h1>
        <Suspense fallback=|| ()>
            {move || {
                let posted = posted.clone();
                page.get().map(move |(outcome, state)| {
                    let state = match state {
                        Ok(state) => state,
                        Err(error) => return view! { <Refusal error lang /> }.into_any(),
                    };
                    let received = matches!(outcome, Some(Ok(SubmitOutcome::Received { .. })));
                    let steps = view! { <Steps flow=FILING current=if received { 2 } else { 1 } lang /> };
                    let body = match outcome {
                        Some(Ok(SubmitOutcome::Received { case, isskey })) => {
                            view! { <CaseReceipt case=*case isskey lang /> }.into_any()
                        }
                        Some(Ok(SubmitOutcome::Invalid(errors))) => view! {
                            <ErrorSummary errors=errors.clone() lang />
                            <ApplicationFormView kind state posted errors lang />
                        }
                        .into_any(),
                        Some(Err(error)) => view! {
                            <ErrorNotice error lang />
                            <ApplicationFormView kind state posted errors=Vec::new() lang />
                        }
                        .into_any(),
                        None if !state.offered.contains(&kind) || state.pending => view! {
                            <div class="notice error" role="alert">
                                <p>{if state.pending {
                                    super::pending_case_message(lang)
                                } else {
                                    lang.pick("目前的申請狀態不能申請此申請事項。", "This kind of application is not available in your company's current state.")
                                }}</p>
                                <p><a href=APPLY_PATH>{lang.pick("返回", "Back")}</a></p>
                            </div>
                        }
                        .into_any(),
                        None => view! {
                            <ApplicationFormView kind state posted errors=Vec::new() lang />
                        }
                        .into_any(),
                    };
                    view! { {steps} {body} }.into_any()
                })
            }}
        </Suspense>
        <BusinessCardHelperNote lang />
    }
    .into_any()
}

/// The form of one 申請事項: what was posted, else the registered data.
#[component]
fn ApplicationFormView(
    kind: CaseKind,
    state: ApplyState,
    posted: Option<Vec<(String, String)>>,
    errors: Vec<PortalError>,
    lang: Lang,
) -> impl IntoView {
    let registered = |name: &str| -> String {
        let grant = state.grant.as_ref();
        let contact = state.contact.as_ref();
        match name {
            "company_name" => grant.map(|g| g.company_name.clone()),
            "host_ip" => grant.map(|g| g.host_ip.clone()),
            "contact" => contact.map(|c| c[0].clone()),
            "landline" => contact.map(|c| c[1].clone()),
            "mobile" => contact.map(|c| c[2].clone()),
            "email" => contact.map(|c| c[3].clone()),
            _ => None,
        }
        .unwrap_or_default()
    };
    let shown = |name: &str| -> String {
        match &posted {
            Some(posted) => value(posted, name).to_owned(),
            None if name == PURPOSE.name && kind == CaseKind::Certificate => lang
                .pick("上傳非IC卡憑證", "Upload of the API certificate")
                .to_owned(),
            None => registered(name),
        }
    };
    let company = if kind.edits_company_data() {
        let [name, ip, contact, landline, mobile, email] = COMPANY_FIELDS;
        view! {
            <h2>{lang.pick("1. 單位資料", "1. Company")}</h2>
            {name.render(lang, shown(name.name), &errors, false)}
            {ip.render(lang, shown(ip.name), &errors, false)}
            <BusinessIdFact id=state.company.business_id.clone() lang />
            <h2>{lang.pick("2. 聯絡人資料", "2. Contact")}</h2>
            {contact.render(lang, shown(contact.name), &errors, false)}
            {landline.render(lang, shown(landline.name), &errors, false)}
            {mobile.render(lang, shown(mobile.name), &errors, false)}
            {email.render(lang, shown(email.name), &errors, false)}
        }
        .into_any()
    } else {
        view! {
            <h2>{lang.pick("1. 單位資料", "1. Company")}</h2>
            <dl class="facts">
                {COMPANY_FIELDS.into_iter().map(|field| view! {
                    <dt>{field.label(lang)}</dt><dd>{registered(field.name)}</dd>
                }).collect_view()}
            </dl>
            <BusinessIdFact id=state.company.business_id.clone() lang />
        }
        .into_any()
    };
    // A form shown again with its errors keeps its token: it has made no case yet.
    let token = posted
        .as_ref()
        .map(|posted| value(posted, TOKEN).to_owned())
        .filter(|token| !token.is_empty())
        .unwrap_or_else(|| state.form_token.clone());
    let certificate_error = error_of(&errors, CERTIFICATE, lang);
    let agree_error = error_of(&errors, AGREE, lang);
    // A form sent back for another field keeps the tick, with the rules it was given under.
    let agreed = posted
        .as_ref()
        .is_some_and(|posted| value(posted, AGREE) == "yes");
    let certificate = (kind == CaseKind::Certificate).then(|| {
        view! {
            <div class="field">
                <label for=CERTIFICATE>
                    <span class="required" aria-hidden="true">"*"</span>
                    {lang.pick("非IC卡憑證", "API certificate (not on an IC card)")}
                </label>
                <span class="hint" id="certificate-hint">{lang.pick(
                    "*.cer 憑證檔案，須以 Base64 編碼（亦接受 DER）",
                    "A *.cer file, Base64 (PEM) encoded; DER is accepted too",
                )}</span>
                <input type="file" id=CERTIFICATE name=CERTIFICATE accept=".cer,.crt,.pem,.der" required
                    aria-describedby="certificate-hint certificate-error"
                    aria-invalid=if certificate_error.is_some() { "true" } else { "false" } />
                <span class="error" id="certificate-error">{certificate_error}</span>
            </div>
        }
    });
    let action = format!("{FORM_PATH}?kind={}", kind.code());
    let text = text_field(kind);
    view! {
        <form method="post" action=action enctype="multipart/form-data" class="card-form" novalidate>
            <p class="hint">{lang.pick("標註星號(*)表示此欄位必須填寫", "Fields marked * are required.")}</p>
            <input type="hidden" name=TOKEN value=token />
            {company}
            <h2>"3. " {text_heading(kind, lang)}</h2>
            {text.render(lang, shown(text.name), &errors, false)}
            <h2>{lang.pick("4. 憑證資料", "4. Certificate")}</h2>
            {certificate}
            <SignedSubmit kind=kind.code().to_owned() lang helper_url=portal_settings().card_helper_url
                error=error_of(&errors, signature::PIN, lang)>
                <h2>{lang.pick("5. 服務管理規範", "5. Management rules")}</h2>
                <ManagementRules lang open=agree_error.is_some() || agreed>
                    <div class="field checkbox">
                        <input type="checkbox" id=AGREE name=AGREE value="yes" required checked=agreed
                            aria-describedby="agree-error"
                            aria-invalid=if agree_error.is_some() { "true" } else { "false" } />
                        <label for=AGREE>{lang.pick(
                            "我已詳閱並同意遵守國民身分證領補換資料查驗作業API介接服務管理規範",
                            "I have read and agree to the management rules of the ID-card verification API service",
                        )}</label>
                        <span class="error" id="agree-error">{agree_error.clone()}</span>
                    </div>
                </ManagementRules>
            </SignedSubmit>
        </form>
    }
}

/// What a case's free text is called where it is shown: the seed's 申請目的/原因, or the
/// improvement plan (A-N11).
fn text_heading(kind: CaseKind, lang: Lang) -> &'static str {
    match kind {
        CaseKind::Plan => text_field(kind).label(lang),
        _ => lang.pick("申請目的/原因", "Purpose"),
    }
}

#[component]
fn BusinessIdFact(id: String, lang: Lang) -> impl IntoView {
    view! {
        <dl class="facts">
            <dt>{lang.pick("營利事業統一編號", "Business ID")}</dt><dd>{id}</dd>
        </dl>
    }
}

/// The result of a submission (圖7, 12, 15, 18).
#[component]
fn CaseReceipt(case: CaseView, isskey: Option<String>, lang: Lang) -> impl IntoView {
    let result = match case.status {
        CaseStatus::Uploaded => lang.pick("上傳成功", "Uploaded"),
        _ => lang.pick("已受理", "Received"),
    };
    view! {
        <section class="result" aria-live="polite">
            <dl class="facts">
                <dt>{lang.pick("公司名稱", "Company")}</dt><dd>{case.company_name}</dd>
                <dt>{lang.pick("營利事業統一編號", "Business ID")}</dt><dd>{case.business_id}</dd>
                <dt>{lang.pick("聯絡電話", "Telephone")}</dt>
                <dd>{lang.pick("（市話）", "(landline) ")}{case.landline}{lang.pick(" （手機）", " (mobile) ")}{case.mobile}</dd>
                <dt>{lang.pick("電子信箱", "E-mail")}</dt><dd>{case.email}</dd>
                <dt>{lang.pick("申請事由", "Application")}</dt><dd>{case.kind.label(lang)}</dd>
                <dt>{lang.pick("申請日期", "Date")}</dt><dd>{case.submitted_at}</dd>
                <dt>{lang.pick("連線主機網路位址", "Host IP address")}</dt><dd>{case.host_ip}</dd>
                <dt>{text_heading(case.kind, lang)}</dt><dd class="purpose">{case.purpose}</dd>
                {isskey.map(|key| view! { <dt>"isskey"</dt><dd class="isskey">{key}</dd> })}
            </dl>
            <p class="outcome">{lang.pick("申請結果：", "Result: ")}<strong>{result}</strong></p>
            <p class="reference">
                {lang.pick("案件編號：", "Case number: ")}<strong class="case-number">{case.number}</strong>
                <br />"S/N: "<span class="serial">{case.id}</span>
            </p>
            <p><a href=PROGRESS_PATH>{lang.pick("前往進度查詢", "See your cases")}</a></p>
        </section>
    }
}

/// `/api-service/progress` (圖21–28): the grant and every case, with 取消申請.
#[component]
pub fn ApiProgressPage() -> impl IntoView {
    let lang = current_lang();
    let posted = posted_form().map(|form| form.0);
    let progress = Resource::new(
        || (),
        move |()| {
            let posted = posted.clone();
            api_service_progress(posted)
        },
    );
    let title = lang.pick(
        "API介接服務案件進度查詢作業",
        "Progress of your API service cases",
    );
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href=NOTICES_PATH>{service_title(lang)}</a></p>
        <h1>{service_title(lang)} {lang.pick("案件進度查詢作業", ": progress")}</h1>
        <Suspense fallback=|| ()>
            {move || progress.get().map(|result| match result {
                Ok(progress) => view! { <ProgressView progress lang /> }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
        <BusinessCardHelperNote lang />
    }
}

#[component]
fn ProgressView(progress: Progress, lang: Lang) -> impl IntoView {
    let outcome = progress.outcome;
    let count = progress.cases.len();
    view! {
        <OutcomeNotice outcome lang />
        <GrantHeader grant=progress.grant company=progress.company lang />
        <p class="summary">
            {lang.pick("查詢結果：計", "Found ")}<strong class="count">{count}</strong>{lang.pick("筆申請資料", " applications")}
            " " {lang.pick("查詢日期時間：", "as of ")}{progress.queried_at}
        </p>
        {progress.cases.into_iter().map(|case| view! { <CaseCard case lang company_view=true /> }).collect_view()}
    }
}

#[component]
fn GrantHeader(grant: Option<GrantView>, company: CompanyAccount, lang: Lang) -> impl IntoView {
    let copy = lang.pick("複製", "Copy").to_owned();
    let done = lang.pick("已複製", "Copied").to_owned();
    let optional = |value: Option<String>| value.unwrap_or_else(|| "—".into());
    match grant {
        None => view! {
            <dl class="facts grant">
                <dt>{lang.pick("公司名稱", "Company")}</dt><dd>{company.name}</dd>
                <dt>{lang.pick("營利事業統一編號", "Business ID")}</dt><dd>{company.business_id}</dd>
                <dt>{lang.pick("啟用狀態", "Status")}</dt><dd>{lang.pick("尚未核准", "Not yet approved")}</dd>
            </dl>
        }
        .into_any(),
        Some(grant) => view! {
            <dl class="facts grant">
                <dt>{lang.pick("公司名稱", "Company")}</dt><dd>{grant.company_name}</dd>
                <dt>{lang.pick("營利事業統一編號", "Business ID")}</dt><dd>{grant.business_id}</dd>
                <dt>{lang.pick("主機連線IP位址", "Host IP address")}</dt><dd class="host-ip">{grant.host_ip}</dd>
                <dt>{lang.pick("憑證序號", "Certificate serial")}</dt><dd>{optional(grant.certificate_serial)}</dd>
                <dt>{lang.pick("有效起始日期", "Valid from")}</dt><dd>{optional(grant.valid_from)}</dd>
                <dt>{lang.pick("有效迄止日期", "Valid to")}</dt><dd>{optional(grant.valid_to)}</dd>
                <dt>{lang.pick("啟用狀態", "Status")}</dt><dd class="grant-status">{grant.status.label(lang)}</dd>
                <dt>"isskey"</dt>
                <dd>{match grant.isskey {
                    Some(key) => view! {
                        <code class="isskey">{key.clone()}</code>
                        " " <CopyButton value=key label=copy.clone() done=done.clone() />
                    }.into_any(),
                    None => view! { <span>{lang.pick("尚未上傳憑證", "No certificate uploaded yet")}</span> }.into_any(),
                }}</dd>
                <dt>"apId"</dt>
                <dd><code class="ap-id">{grant.ap_id.clone()}</code> " " <CopyButton value=grant.ap_id label=copy done /></dd>
            </dl>
        }
        .into_any(),
    }
}

/// One case as 進度查詢 and the back office show it (圖21–28).
#[component]
pub fn CaseCard(case: CaseView, lang: Lang, company_view: bool) -> impl IntoView {
    let decision = case
        .decided_at
        .clone()
        .filter(|_| matches!(case.status, CaseStatus::Approved | CaseStatus::Rejected));
    let manual = (company_view
        && case.kind == CaseKind::Apply
        && case.status == CaseStatus::Approved)
        .then(|| view! { <p><a class="button" href=MANUAL_PDF_PATH download>{lang.pick("操作文件下載", "Download the operation manual")}</a></p> });
    let cancel = (company_view && case.cancellable).then(|| {
        view! {
            <form method="post" action=PROGRESS_PATH class="inline">
                <input type="hidden" name="action" value="cancel" />
                <input type="hidden" name="case_id" value=case.id.clone() />
                <ConfirmSubmit
                    label=lang.pick("取消申請", "Cancel application").to_owned()
                    question=lang.pick("確定要取消此申請案件嗎?", "Cancel this application?").to_owned()
                />
            </form>
        }
    });
    let extension = case.extension.clone().map(|extension| {
        view! {
            <p class="extension">
                {lang.pick("延長審查：", "Review extended: ")}{extension.reason}
                " (" {extension.at} ")"
            </p>
        }
        .into_any()
    });
    let material = case.material.clone().map(|material| {
        let answer = match (material.reply, material.replied_at) {
            (Some(reply), Some(at)) => view! {
                <p class="material-reply">{lang.pick("補正說明：", "Your answer: ")}{reply} " (" {at} ")"</p>
            }
            .into_any(),
            _ if company_view && case.status == CaseStatus::Pending => {
                let field = format!("reply-{}", case.id);
                view! {
                    <form method="post" action=PROGRESS_PATH class="card-form">
                        <input type="hidden" name="action" value="reply" />
                        <input type="hidden" name="case_id" value=case.id.clone() />
                        <div class="field">
                            <label for=field.clone()>{lang.pick("補正說明", "Your answer")}</label>
                            <textarea id=field name="reply" rows="3" maxlength="350" required></textarea>
                        </div>
                        <button type="submit">{lang.pick("送出補正資料", "Send the answer")}</button>
                    </form>
                }
                .into_any()
            }
            _ => ().into_any(),
        };
        view! {
            <p class="material">
                {lang.pick("補正資料：", "More material requested: ")}{material.note}
                " " {lang.pick("（請於 ", "(due by ")}{material.due}{lang.pick(" 前提供）", ")")}
                {material.overdue.then(|| view! {
                    " " <strong class="overdue">{lang.pick("已逾補正期限", "Past the due date")}</strong>
                })}
            </p>
            {answer}
        }
        .into_any()
    });
    view! {
        <table class="data case" data-case=case.id.clone()>
            <caption class="visually-hidden">{case.kind.label(lang)} " " {case.submitted_at.clone()}</caption>
            <tbody>
                <tr>
                    <th scope="row">{lang.pick("公司資訊", "Company")}</th>
                    <td>{lang.pick("公司名稱：", "Name: ")}{case.company_name.clone()}</td>
                    <td>{lang.pick("營利事業統一編號：", "Business ID: ")}{case.business_id.clone()}</td>
                </tr>
                <tr>
                    <th scope="row">{lang.pick("聯絡資訊", "Contact")}</th>
                    <td>{lang.pick("聯絡人：", "Contact: ")}{case.contact.clone()} " "
                        {lang.pick("聯絡電話：（市話）", "Tel: (landline) ")}{case.landline.clone()}
                        {lang.pick(" （手機）", " (mobile) ")}{case.mobile.clone()}</td>
                    <td>{lang.pick("電子信箱：", "E-mail: ")}{case.email.clone()}</td>
                </tr>
                <tr>
                    <th scope="row">{lang.pick("申請資訊", "Application")}</th>
                    <td>{lang.pick("申請事項：", "Kind: ")}{case.kind.label(lang)} " "
                        {lang.pick("連線主機網路位址：", "Host IP: ")}{case.host_ip.clone()}</td>
                    <td>{lang.pick("申請日期：", "Date: ")}{case.submitted_at.clone()}<br />
                        {lang.pick("案件編號：", "Case number: ")}<span class="case-number">{case.number.clone()}</span></td>
                </tr>
                <tr>
                    <th scope="row">{text_heading(case.kind, lang)}</th>
                    <td colspan="2" class="purpose">{case.purpose.clone()}</td>
                </tr>
                <tr>
                    <th scope="row">{lang.pick("案件狀態", "Status")}</th>
                    <td colspan="2">
                        <strong class="case-status">{case.status.label(lang)}</strong>
                        {decision.map(|at| view! {
                            " " {lang.pick("審核日期：", "Decided: ")}{at}
                            <p class="decision">{lang.pick("審核結果：", "Result: ")}{case.decision_text.clone().unwrap_or_default()}</p>
                        })}
                        {extension}
                        {material}
                        {cancel}
                        {manual}
                    </td>
                </tr>
            </tbody>
        </table>
    }
}

/// The API's operation manual (操作文件) in `lang`, rendered from the project's own
/// `docs/verification-api.zh-TW.md` or `docs/verification-api.md`, so the page and the
/// repository never disagree. The two files link to each other; on the page that link is the
/// language switch.
#[server(endpoint = "api_operation_manual")]
pub async fn api_operation_manual(lang: Lang) -> Result<String, PortalError> {
    use pulldown_cmark::{Event, Tag};
    let events = super::manual::parser(lang).map(|mut event| {
        if let Event::Start(Tag::Link { dest_url, .. }) = &mut event {
            let linked = match &**dest_url {
                "verification-api.zh-TW.md" => Some(Lang::ZhTw),
                "verification-api.md" => Some(Lang::English),
                _ => None,
            };
            if let Some(linked) = linked {
                *dest_url = format!("/lang/{}?next={MANUAL_PATH}", linked.tag()).into();
            }
        }
        event
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    Ok(html)
}

/// `/api-service/manual`: API介接服務作業手冊, with the operation manual (操作文件) of the API,
/// printable as it is.
#[component]
pub fn ApiManualPage() -> impl IntoView {
    let lang = current_lang();
    let manual = Resource::new(move || lang, api_operation_manual);
    let title = lang.pick("API介接服務作業手冊", "API service operation manual");
    view! {
        <Title text=title />
        <p class="breadcrumb no-print"><a href=NOTICES_PATH>{service_title(lang)}</a></p>
        <h1>{title}</h1>
        <h2>{lang.pick("申請流程", "How applications flow")}</h2>
        <ul class="notes">
            <li>{lang.pick("首次API申請：API申請 → 案件核准 → 憑證上傳；或案件駁回。", "First time: API application → approved → upload the API certificate; or rejected.")}</li>
            <li>{lang.pick("非首次API申請：憑證上傳（即時生效，取得 isskey）。", "Afterwards: certificate upload (takes effect at once and issues the isskey).")}</li>
            <li>{lang.pick("非首次API申請：登錄資料修改 → 案件核准或駁回；核准後前次申請之連線主機網路位址（IP）予以刪除。", "Change of registered data → approved or rejected; on approval the previous host IP is deleted.")}</li>
            <li>{lang.pick("非首次API申請：API停用 → 案件核准或駁回。", "API deactivation → approved or rejected.")}</li>
            <li>{lang.pick("尚有案件受理中時，無法再提出申請；受理中之案件可於申請日期後24小時內取消。", "While a case is in review no other can be made; a case in review can be cancelled within 24 hours of its application date.")}</li>
        </ul>
        <p class="no-print"><a class="button" href=MANUAL_PDF_PATH download>{lang.pick("操作文件下載（PDF）", "Download the operation manual (PDF)")}</a></p>
        <Suspense fallback=|| ()>
            {move || manual.get().map(|result| match result {
                Ok(html) => view! { <article class="manual" id="api" inner_html=html></article> }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::super::form::ApplicationForm;
    use super::super::offered_kinds;
    use super::super::signature;
    use super::super::signed_in_company;
    use super::super::store::{self, Receipt};
    use super::super::CaseKind;
    use super::{ApplyState, Progress, SubmitOutcome};
    use crate::cases::actor::Actor;
    use crate::cases::Code;
    use crate::domain::purpose::Purpose;
    use crate::error::PortalError;
    use crate::forms::value;
    use crate::platform::{auth, clock::roc_date_time};

    pub async fn apply_state() -> Result<ApplyState, PortalError> {
        let (state, company, business_id) = signed_in_company().await?;
        let mut conn = state.db.pool.acquire().await?;
        let grant = store::grant(&mut conn, business_id.as_str()).await?;
        let contact = store::grant_contact(&mut conn, business_id.as_str()).await?;
        let pending = store::has_case_in_review(&mut conn, business_id.as_str()).await?;
        Ok(ApplyState {
            offered: offered_kinds(grant.as_ref()).to_vec(),
            company,
            pending,
            grant,
            contact,
            form_token: uuid::Uuid::new_v4().to_string(),
        })
    }

    pub async fn submit(
        kind: &str,
        posted: &[(String, String)],
    ) -> Result<SubmitOutcome, PortalError> {
        let (state, _, business_id) = signed_in_company().await?;
        let kind = CaseKind::from_code(kind).ok_or_else(|| PortalError::Refused {
            zh_tw: "無此申請事項。".into(),
            english: "There is no such kind of application.".into(),
        })?;
        let form = match ApplicationForm::parse(kind, posted) {
            Ok(form) => form,
            Err(errors) => return Ok(SubmitOutcome::Invalid(errors)),
        };
        if let Some(error) = form.loopback_host(state.settings.development()) {
            return Ok(SubmitOutcome::Invalid(vec![error]));
        }
        let signature = match signature::verify(&state, &business_id, &form, posted).await {
            Ok(signature) => signature,
            Err(error @ PortalError::Field { .. }) => {
                return Ok(SubmitOutcome::Invalid(vec![error]))
            }
            Err(error) => return Err(error),
        };
        let actor = Actor::company(business_id.as_str(), auth::source_ip());
        match store::submit(&state, &business_id, &actor, form, &signature).await {
            Ok(Receipt { case, isskey }) => Ok(SubmitOutcome::Received {
                case: Box::new(case),
                isskey,
            }),
            Err(error @ PortalError::Field { .. }) => Ok(SubmitOutcome::Invalid(vec![error])),
            Err(error) => Err(error),
        }
    }

    pub async fn progress(posted: Option<Vec<(String, String)>>) -> Result<Progress, PortalError> {
        let (state, company, business_id) = signed_in_company().await?;
        let lang = crate::shell::current_lang();
        let outcome = match posted {
            Some(posted) => {
                let actor = Actor::company(business_id.as_str(), auth::source_ip());
                let case_id = value(&posted, "case_id");
                Some(match value(&posted, "action") {
                    "cancel" => store::cancel(&state, &business_id, &actor, case_id)
                        .await
                        .map(|_| lang.pick("取消成功", "Cancelled").to_owned()),
                    "reply" => match Purpose::parse(value(&posted, "reply")) {
                        Ok(reply) => {
                            store::reply_material(&state, &business_id, &actor, case_id, &reply)
                                .await
                                .map(|_| {
                                    lang.pick("補正資料已送出", "Your answer was sent")
                                        .to_owned()
                                })
                        }
                        Err(error) => Err(PortalError::refused(&error)),
                    },
                    _ => Err(PortalError::Forbidden),
                })
            }
            None => None,
        };
        let now = state.clock.unix();
        let mut conn = state.db.pool.acquire().await?;
        let grant = store::grant(&mut conn, business_id.as_str()).await?;
        drop(conn);
        let cases = store::cases(&state.db.pool, business_id.as_str(), now).await?;
        Ok(Progress {
            company,
            grant,
            cases,
            queried_at: roc_date_time(now),
            outcome,
        })
    }
}
