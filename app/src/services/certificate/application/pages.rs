//! `/certificate/apply`: the notes of seed 002, the form, and the printable summary. The form
//! posts to its own page, which the server renders with the outcome, so it works the same
//! without JavaScript; the fields check themselves as the citizen types (islands).

use super::form::{self, CONTACT_FIELDS, PIN, PIN_CHOICE, PIN_CONFIRM};
use super::{
    not_given, notes, ApplicationSummary, ApplyOutcome, PinChoice, APPLY_PATH, BLANK_FORM_PATH, FEE,
};
use crate::components::buttons::{entered_correctly, ClearButton, ConfirmSubmit};
use crate::components::captcha::{new_captcha, CaptchaField, CAPTCHA_ANSWER};
use crate::components::refusal::{ErrorNotice, ErrorSummary};
use crate::components::steps::{Flow, Steps};
use crate::error::PortalError;
use crate::forms::{error_of, value};
use crate::i18n::Lang;
use crate::posted_form::posted_form;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;

/// Handles one submitted application (see [`ssr::submit`]).
#[server(endpoint = "moica_apply", input = server_fn::codec::Json)]
pub async fn submit_moica_application(
    posted: Vec<(String, String)>,
) -> Result<ApplyOutcome, PortalError> {
    ssr::submit(posted).await
}

fn title(lang: Lang) -> &'static str {
    lang.pick(
        "自然人憑證線上申請（線上填單、臨櫃取卡）",
        "Apply online for a citizen certificate (collect at an office)",
    )
}

#[component]
fn Notes(lang: Lang) -> impl IntoView {
    view! {
        <dl class="facts notes-table">
            {notes(lang).into_iter().map(|(term, text)| view! { <dt>{term}</dt><dd>{text}</dd> }).collect_view()}
        </dl>
    }
}

/// Getting a certificate, from this page to the counter (the step indicator's).
const APPLYING: &Flow = &[
    ("線上填寫申請資料", "Apply online"),
    ("列印申請摘要", "Print the summary"),
    ("臨櫃領取憑證 IC 卡", "Collect the card at an office"),
];

#[component]
pub fn MoicaApplyPage() -> impl IntoView {
    let lang = current_lang();
    let posted = posted_form().map(|form| form.0);
    let submitted = posted.clone();
    // The form is handled first, then a new CAPTCHA drawn for the form shown next.
    let page = Resource::new(
        || (),
        move |()| {
            let posted = submitted.clone();
            async move {
                let outcome = match posted {
                    Some(posted) => Some(submit_moica_application(posted).await),
                    None => None,
                };
                let captcha = match outcome {
                    Some(Ok(ApplyOutcome::Submitted(_))) => None,
                    _ => Some(new_captcha().await),
                };
                (outcome, captcha)
            }
        },
    );
    view! {
        <Title text=title(lang) />
        <h1>{title(lang)}</h1>
        <Suspense fallback=|| ()>
            {move || {
                let posted = posted.clone().unwrap_or_default();
                page.get().map(move |(outcome, captcha)| {
                    let captcha = Some(captcha.unwrap_or(Err(PortalError::Unavailable)));
                    let submitted = matches!(outcome, Some(Ok(ApplyOutcome::Submitted(_))));
                    let steps = view! { <Steps flow=APPLYING current=usize::from(submitted) lang /> };
                    let body = match outcome {
                        Some(Ok(ApplyOutcome::Submitted(summary))) => {
                            view! { <Summary summary lang /> }.into_any()
                        }
                        Some(Ok(ApplyOutcome::Invalid(errors))) => view! {
                            <ErrorSummary errors=errors.clone() lang />
                            <ApplicationFormView posted errors captcha lang />
                        }
                        .into_any(),
                        Some(Err(error)) => view! {
                            <ErrorNotice error lang />
                            <ApplicationFormView posted errors=Vec::new() captcha lang />
                        }
                        .into_any(),
                        None => view! {
                            <Intro lang />
                            <ApplicationFormView posted errors=Vec::new() captcha lang />
                        }
                        .into_any(),
                    };
                    view! { {steps} {body} }.into_any()
                })
            }}
        </Suspense>
    }
}

#[component]
fn Intro(lang: Lang) -> impl IntoView {
    view! {
        <p>{lang.pick(
            "到戶政事務所申請前，可先在此填寫申請資料，從容設定並記下「用戶代碼」與「卡片密碼」；送出後取得申請編號，列印申請摘要，攜帶至任一戶政事務所臨櫃取卡。",
            "Before going to a household registration office, fill in the application here, taking your time to choose and note your user code and card PIN. You get an application number and a summary to print and take to any office, where you collect the card.",
        )}</p>
        <div class="notice warning" id="one-certificate">
            <p><strong>{lang.pick("已持有效自然人憑證者，請勿重複申請。", "Already hold a valid citizen certificate? Do not apply again.")}</strong></p>
            <p>
                {lang.pick("一人僅能持有一張有效之自然人憑證。效期將屆者，請改辦", "One person holds one valid certificate. If yours is about to expire, ")}
                <a href=crate::services::certificate::extension::PATH>{lang.pick("線上展期", "extend it online")}</a>
                {lang.pick("或", " or ")}
                <a href=crate::services::certificate::renewal::RENEWAL_PATH>{lang.pick("線上續卡", "renew the card online")}</a>
                {lang.pick("；卡片遺失或毀損須補發者，仍可在此填寫申請，惟臨櫃領取新卡前須先廢止原憑證。", " instead. To replace a lost or damaged card you may apply here, but the old certificate is revoked at the counter before the new card is issued.")}
            </p>
        </div>
        <h2>{lang.pick("申辦須知", "Before you apply")}</h2>
        <Notes lang />
        <ul class="notes">
            <li>{lang.pick(
                "卡片密碼預設為持卡人民國出生年月日共 6 碼，例如生日為 73 年 1 月 1 日，預設密碼為 730101；您也可以自行設定 6 至 8 位數字的密碼。",
                "The card PIN is by default your ROC date of birth, 6 digits (born 73/1/1, i.e. 1984-01-01: 730101); you may set your own of 6 to 8 digits instead.",
            )}</li>
            <li>{lang.pick(
                "IC 卡在連續輸入 3 次錯誤的 PIN 碼時即被鎖住；輸入正確的用戶代碼即可線上解鎖。忘記用戶代碼者，須親至戶政事務所重設，重設後卡片密碼亦恢復為預設值。",
                "Three wrong PINs in a row lock the card; the right user code unlocks it online. If you forget the user code, a household registration office resets it, which also resets the PIN to the default.",
            )}</li>
        </ul>
        <p>
            {lang.pick("如覺得線上填寫有困難，也可以先下載、列印、填寫", "If you would rather fill it in on paper, download, print and fill in")}
            " "<a href=BLANK_FORM_PATH download>{lang.pick("自然人憑證申請表（PDF）", "the citizen certificate application form (PDF)")}</a>" "
            {lang.pick("，再攜至戶政事務所申請。", "and bring it to the office.")}
        </p>
    }
}

/// The form, holding what was posted (never the 用戶代碼, PIN or CAPTCHA answer) and the
/// server's verdict on each field.
#[component]
pub(crate) fn ApplicationFormView(
    posted: Vec<(String, String)>,
    errors: Vec<PortalError>,
    /// The CAPTCHA of the online form; `None` at the counter.
    captcha: Option<Result<String, PortalError>>,
    lang: Lang,
    /// Where the form posts: the online page or the counter's.
    #[prop(default = APPLY_PATH)]
    action: &'static str,
) -> impl IntoView {
    let secret = |name: &str| {
        [
            form::USER_CODE.name,
            form::USER_CODE_CONFIRM.name,
            PIN.name,
            PIN_CONFIRM.name,
        ]
        .contains(&name)
    };
    let contact = CONTACT_FIELDS
        .into_iter()
        .map(|field| {
            let shown = if secret(field.name) {
                String::new()
            } else {
                value(&posted, field.name).to_owned()
            };
            field.render_required(
                lang,
                shown,
                &errors,
                secret(field.name),
                form::required(&field),
            )
        })
        .collect_view();
    let chosen = PinChoice::from_code(value(&posted, PIN_CHOICE)) == Some(PinChoice::Chosen);
    let choice_error = error_of(&errors, PIN_CHOICE, lang);
    let pins = [PIN, PIN_CONFIRM]
        .into_iter()
        .map(|field| field.render_required(lang, String::new(), &errors, true, false))
        .collect_view();
    let captcha_error = error_of(&errors, CAPTCHA_ANSWER, lang);
    view! {
        <form method="post" action=action class="card-form" novalidate>
            <p class="hint">{lang.pick("標示 * 者為必填欄位。", "Fields marked * are required.")}</p>
            {contact}
            <fieldset class="field" id=PIN_CHOICE aria-describedby="pin_choice-error">
                <legend>
                    <span class="required" aria-hidden="true">"*"</span>
                    {lang.pick("卡片密碼（PIN 碼）設定", "Card PIN")}
                </legend>
                <label>
                    <input type="radio" name=PIN_CHOICE value=PinChoice::Default.code() checked=!chosen />
                    {PinChoice::Default.label(lang)}
                </label>
                <label>
                    <input type="radio" name=PIN_CHOICE value=PinChoice::Chosen.code() checked=chosen />
                    {PinChoice::Chosen.label(lang)}
                </label>
                <span class="error" id="pin_choice-error">{choice_error}</span>
            </fieldset>
            // Hidden while 使用預設密碼 is chosen (CSS, so without JavaScript too): nothing to type.
            <div class="chosen-pin">{pins}</div>
            {captcha.map(|captcha| view! { <CaptchaField captcha error=captcha_error lang /> })}
            <div class="buttons">
                <ConfirmSubmit
                    label=lang.pick("送出申請", "Submit the application").to_owned()
                    question=entered_correctly(lang).to_owned()
                />
                <ClearButton lang />
            </div>
        </form>
    }
}

/// The printable summary to bring to the office.
#[component]
fn Summary(summary: ApplicationSummary, lang: Lang) -> impl IntoView {
    let pin = match summary.pin_choice {
        PinChoice::Default => lang.pick(
            "使用預設密碼（民國出生年月日 6 碼）",
            "The default PIN (ROC date of birth, 6 digits)",
        ),
        PinChoice::Chosen => lang.pick(
            "已自行設定（本表不列印密碼，請自行牢記）",
            "Set by you (not printed here: remember it)",
        ),
    };
    let collect = match lang {
        Lang::ZhTw => format!("請於 {} 前至任一戶政事務所臨櫃取卡", summary.collect_by),
        Lang::English => format!(
            "Collect the card at any household registration office by {}",
            summary.collect_by
        ),
    };
    view! {
        <section class="result summary" aria-live="polite">
            <h2>{lang.pick("線上申請完成", "Application received")}</h2>
            <p>{lang.pick(
                "請列印或記下本申請摘要，攜帶本人國民身分證正本及工本費至任一戶政事務所臨櫃取卡；通知信已寄至您的電子郵件信箱。",
                "Print or note this summary and bring it, your original ID card and the fee to any household registration office to collect the card; a notice was sent to your e-mail.",
            )}</p>
            {summary.replaced.map(|old| view! {
                <p class="notice">{match lang {
                    Lang::ZhTw => format!("先前的申請 {old} 已由本申請取代，不再有效。"),
                    Lang::English => format!("Your earlier application {old} is replaced by this one and no longer valid."),
                }}</p>
            })}
            <dl class="facts">
                <dt>{lang.pick("申請編號", "Application number")}</dt><dd class="reference">{summary.reference}</dd>
                <dt>{lang.pick("姓名", "Name")}</dt><dd>{summary.name}</dd>
                <dt>{lang.pick("國民身分證統一編號", "ID number")}</dt><dd>{summary.masked_id}</dd>
                <dt>{lang.pick("出生年月日", "Date of birth")}</dt><dd>{summary.birth_date}</dd>
                <dt>{lang.pick("電子郵件信箱", "E-mail")}</dt><dd>{summary.email}</dd>
                <dt>{lang.pick("手機號碼", "Mobile number")}</dt><dd>{not_given(summary.mobile, lang)}</dd>
                <dt>{lang.pick("用戶代碼", "User code")}</dt><dd>{lang.pick("已設定（本表不列印，請自行牢記）", "Set by you (not printed here: remember it)")}</dd>
                <dt>{lang.pick("卡片密碼", "Card PIN")}</dt><dd>{pin}</dd>
                <dt>{lang.pick("申請時間", "Applied at")}</dt><dd>{summary.submitted_at}</dd>
                <dt>{lang.pick("取卡期限", "Collect by")}</dt><dd>{collect}</dd>
                <dt>{lang.pick("工本費", "Fee")}</dt><dd>{format!("NT$ {FEE}")}</dd>
            </dl>
            <h3>{lang.pick("臨櫃取卡須知", "At the office")}</h3>
            <Notes lang />
            <p class="no-print">{lang.pick("以瀏覽器列印此頁即可存成紙本或 PDF。", "Print this page from the browser to keep it on paper or as a PDF.")}</p>
        </section>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::super::form::ApplicationForm;
    use super::super::store;
    use super::super::{identity_refusal, ApplyOutcome};
    use crate::cases::actor::Actor;
    use crate::error::PortalError;
    use crate::platform::captcha::{FailureBuckets, Gate};
    use crate::platform::{auth, AppState};
    use crate::services::certificate::eligibility;
    use leptos::prelude::expect_context;

    fn too_many(retry_after: i64) -> PortalError {
        let minutes = (retry_after + 59) / 60;
        PortalError::Refused {
            zh_tw: format!("驗證失敗次數過多，請於 {minutes} 分鐘後再試，或攜帶國民身分證正本親至戶政事務所申請。"),
            english: format!("Too many failed attempts. Try again in {minutes} minutes, or apply in person at a household registration office."),
        }
    }

    /// Checks the form, the CAPTCHA, the client's failure count, the registry (identity and
    /// 申辦資格) in that order, and then takes the application. The visitor is identified by
    /// knowledge alone, so whatever stops the application after the CAPTCHA — a mismatch, a
    /// reason of 申辦資格, or a waiting application proved with a card — is one answer and one
    /// failure (issue 21 item 5): a reason named would tell a stranger that the ID number, name
    /// and birth date are right, and something of the registry besides.
    pub async fn submit(posted: Vec<(String, String)>) -> Result<ApplyOutcome, PortalError> {
        let state = expect_context::<AppState>();
        let pool = &state.db.pool;
        let now = state.clock.unix();
        let form = match ApplicationForm::parse(&posted) {
            Ok(form) => form,
            Err(errors) => return Ok(ApplyOutcome::Invalid(errors)),
        };
        let source_ip = auth::source_ip();
        let buckets = FailureBuckets::new("moica-apply", &state.id_key, &form.national_id);
        match Gate::pass(pool, now, &form.captcha_id, &form.captcha_answer, &buckets).await? {
            Gate::Open => {}
            Gate::WrongAnswer => {
                return Ok(ApplyOutcome::Invalid(vec![
                    crate::components::captcha::wrong_answer(),
                ]))
            }
            Gate::TooMany { retry_after } => return Err(too_many(retry_after)),
        }
        let today = state.clock.today_taipei();
        let eligible = store::identify(pool, &form).await?.filter(|applicant| {
            let checked = eligibility::check(&applicant.facts, today);
            if let Err(reasons) = &checked {
                tracing::info!(?reasons, "certificate application refused: not eligible");
            }
            checked.is_ok()
        });
        let Some(applicant) = eligible else {
            tracing::info!("certificate application refused");
            return Err(identity_refusal());
        };
        let actor = Actor::citizen(&form.national_id.masked(), source_ip);
        let summary = store::submit(
            &state.db,
            &state.seal,
            now,
            &applicant,
            &form,
            &actor,
            store::Filing::Online,
        )
        .await?;
        tracing::info!(reference = %summary.reference, "certificate application taken");
        // Only now is the try given back; a refund that fails costs the client one try, not
        // the application.
        if let Err(error) = Gate::refund(pool, now, &buckets).await {
            tracing::warn!(%error, "a matched application's try was not given back");
        }
        Ok(ApplyOutcome::Submitted(summary))
    }
}
