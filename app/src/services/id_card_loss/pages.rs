//! The citizen's pages (seed 004 一(一)): choose 申請類別, fill the form, see the outcome. The
//! forms post to their own page, which the server renders with the outcome, so they work the
//! same without JavaScript; the fields check themselves as the citizen types (islands).

use super::form::{self, FormField};
use super::{LossOperation, LossOutcome, LossRecord};
use crate::components::buttons::ClearButton;
use crate::components::captcha::{new_captcha, CaptchaField, CAPTCHA_ANSWER};
use crate::components::refusal::{ErrorNotice, ErrorSummary};
use crate::components::steps::{Flow, Steps};
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::posted_form::posted_form;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;

/// Handles one submitted form (see [`ssr::submit`]).
#[server(endpoint = "id_card_loss", input = server_fn::codec::Json)]
pub async fn submit_id_card_loss(
    operation: LossOperation,
    posted: Vec<(String, String)>,
) -> Result<LossOutcome, PortalError> {
    ssr::submit(operation, posted).await
}

fn service_title(lang: Lang) -> &'static str {
    lang.pick(
        "國民身分證掛失暨撤銷掛失申請作業（免自然人憑證）",
        "Report a lost ID card or revoke the report (without a citizen certificate)",
    )
}

/// The alternatives the seed names wherever the online route fails.
#[component]
fn Alternatives(lang: Lang) -> impl IntoView {
    view! {
        <ul class="notes">
            <li>{lang.pick(
                "如（養）父或（養）母姓名含異體字（難字）無法登打，或經登打無法辨識者，請撥打內政服務熱線 1996 辦理國民身分證掛失，或以自然人憑證辦理國民身分證掛失或撤銷掛失，或親自至戶政事務所辦理。",
                "If a parent's name has a variant character that cannot be typed or recognised, call the 1996 hotline, use your citizen certificate, or go to any household registration office.",
            )}</li>
            <li>{lang.pick(
                "撤銷掛失預設密碼須為 4 碼，可輸入大小寫英文字或數字，請謹記。如遺失或忘記預設密碼，請以自然人憑證辦理撤銷掛失，或洽戶政事務所辦理撤銷掛失。",
                "The revocation password is 4 letters or digits (case-sensitive): remember it. If you lose or forget it, revoke the report with your citizen certificate or at a household registration office.",
            )}</li>
            <li>{lang.pick(
                "撤銷掛失時，「撤銷掛失預設密碼」如錯誤三次，將被鎖碼，無法繼續作業，請洽戶政事務所辦理撤銷掛失。",
                "Three wrong revocation passwords lock online revocation: then revoke the report at a household registration office.",
            )}</li>
        </ul>
    }
}

/// `/id-card/loss`: 申請類別.
#[component]
pub fn LossLandingPage() -> impl IntoView {
    let lang = current_lang();
    let title = service_title(lang);
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <p>{lang.pick(
            "國民身分證遺失時，可於線上辦理掛失，系統將核對您輸入的資料與戶籍資料；尋獲原證時，可以掛失時設定的撤銷掛失預設密碼辦理撤銷掛失。戶政事務所將以電話或電子郵件與您聯絡確認。",
            "If your ID card is lost you can report it here; what you enter is checked against the household register. If you find the card, revoke the report with the password you set. The household registration office will contact you to confirm.",
        )}</p>
        <h2>{lang.pick("請選擇申請類別", "Choose what to do")}</h2>
        <ul class="service-list">
            {LossOperation::ALL.into_iter().map(|operation| view! {
                <li><a href=operation.path()>{operation.title(lang)}</a></li>
            }).collect_view()}
        </ul>
        <h2>{lang.pick("以自然人憑證辦理", "With a citizen certificate")}</h2>
        <p>{lang.pick(
            "持有自然人憑證者，可插卡登入後直接辦理掛失或撤銷掛失，無須輸入上述資料及撤銷掛失預設密碼。",
            "With your citizen certificate (自然人憑證) in a card reader you can report the card lost or revoke the report without these questions or the password.",
        )}</p>
        <p><a href=super::card::PATH>{lang.pick("以自然人憑證辦理掛失／撤銷掛失", "Use my citizen certificate")}</a></p>
        <h2>{lang.pick("注意事項", "Notes")}</h2>
        <Alternatives lang />
    }
}

/// Reporting a card lost, to the office's call (the step indicator's).
const REPORTING: &Flow = &[
    ("填寫掛失資料", "Fill in the report"),
    ("掛失完成", "Reported"),
    ("戶政事務所聯絡確認", "The office contacts you"),
];

#[component]
pub fn LossReportPage() -> impl IntoView {
    view! { <LossFormPage operation=LossOperation::Report /> }
}

#[component]
pub fn LossQueryPage() -> impl IntoView {
    view! { <LossFormPage operation=LossOperation::Query /> }
}

#[component]
pub fn LossRevokePage() -> impl IntoView {
    view! { <LossFormPage operation=LossOperation::Revoke /> }
}

#[component]
fn LossFormPage(operation: LossOperation) -> impl IntoView {
    let lang = current_lang();
    let posted = posted_form().map(|form| form.0);
    let submitted = posted.clone();
    // The form is handled first, then a new CAPTCHA drawn for the form shown next: one after
    // the other, so the two never write at once.
    let page = Resource::new(
        || (),
        move |()| {
            let posted = submitted.clone();
            async move {
                let outcome = match posted {
                    Some(posted) => Some(submit_id_card_loss(operation, posted).await),
                    None => None,
                };
                (outcome, new_captcha().await)
            }
        },
    );
    let title = operation.title(lang);
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href="/id-card/loss">{service_title(lang)}</a></p>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || {
                let posted = posted.clone().unwrap_or_default();
                page.get().map(move |(outcome, captcha)| {
                    let reported = matches!(outcome, Some(Ok(LossOutcome::Reported { .. })));
                    let steps = (operation == LossOperation::Report).then(|| view! {
                        <Steps flow=REPORTING current=usize::from(reported) lang />
                    });
                    let body = match outcome {
                        Some(Ok(LossOutcome::Reported { reference, reported_at })) => {
                            view! { <Reported reference reported_at lang /> }.into_any()
                        }
                        Some(Ok(LossOutcome::Records(records))) => {
                            view! { <Records records lang /> }.into_any()
                        }
                        Some(Ok(LossOutcome::Revoked { reference, revoked_at })) => {
                            view! { <Revoked reference revoked_at lang /> }.into_any()
                        }
                        Some(Ok(LossOutcome::Invalid(errors))) => view! {
                            <ErrorSummary errors=errors.clone() lang />
                            <LossForm operation posted errors captcha lang />
                        }
                        .into_any(),
                        Some(Err(error)) => view! {
                            <ErrorNotice error lang />
                            <LossForm operation posted errors=Vec::new() captcha lang />
                        }
                        .into_any(),
                        None => view! {
                            <LossForm operation posted errors=Vec::new() captcha lang />
                        }
                        .into_any(),
                    };
                    view! { {steps} {body} }.into_any()
                })
            }}
        </Suspense>
        <h2>{lang.pick("注意事項", "Notes")}</h2>
        <Alternatives lang />
    }
}

/// The form, holding what was posted (never the password or the CAPTCHA answer) and the
/// server's verdict on each field.
#[component]
fn LossForm(
    operation: LossOperation,
    posted: Vec<(String, String)>,
    errors: Vec<PortalError>,
    captcha: Result<String, PortalError>,
    lang: Lang,
) -> impl IntoView {
    let fields = form::fields(operation)
        .into_iter()
        .map(|field: FormField| {
            let secret = field == form::PASSWORD;
            let value = if secret {
                String::new()
            } else {
                form::value(&posted, field.name).to_owned()
            };
            field.render(lang, value, &errors, secret)
        })
        .collect_view();
    let captcha_error = crate::forms::error_of(&errors, CAPTCHA_ANSWER, lang);
    let submit_label = match operation {
        LossOperation::Report => lang.pick("掛失", "Report lost"),
        LossOperation::Query => lang.pick("查詢", "Look up"),
        LossOperation::Revoke => lang.pick("撤銷掛失", "Revoke the report"),
    };
    view! {
        <form method="post" action=operation.path() class="card-form" novalidate>
            <p class="hint">{lang.pick("標示 * 者為必填欄位。", "Fields marked * are required.")}</p>
            {fields}
            <CaptchaField captcha error=captcha_error lang />
            <div class="buttons">
                <button type="submit">{submit_label}</button>
                <ClearButton lang />
            </div>
        </form>
    }
}

#[component]
fn Reported(reference: String, reported_at: String, lang: Lang) -> impl IntoView {
    view! {
        <section class="result" aria-live="polite">
            <h2>{lang.pick("掛失完成", "Reported lost")}</h2>
            <p>{lang.pick(
                "您的國民身分證已註記掛失，並已通報戶政事務所；通知信已寄至您的電子信箱。戶政事務所將以電話或電子郵件與您聯絡確認。",
                "Your ID card is now marked lost and the household registration office has been told; a confirmation was sent to your e-mail. The office will contact you to confirm.",
            )}</p>
            <dl class="facts">
                <dt>{lang.pick("掛失編號", "Report number")}</dt><dd class="reference">{reference}</dd>
                <dt>{lang.pick("掛失時間", "Reported at")}</dt><dd>{reported_at}</dd>
            </dl>
            <p>{lang.pick("尋獲原證時，請以掛失時設定的撤銷掛失預設密碼辦理撤銷掛失。", "If you find the card, revoke the report with the password you set.")}</p>
            <p><a href="/id-card/loss">{lang.pick("回申請類別", "Back")}</a></p>
        </section>
    }
}

#[component]
fn Records(records: Vec<LossRecord>, lang: Lang) -> impl IntoView {
    let body = if records.is_empty() {
        view! { <p class="no-records">{lang.pick("無掛失紀錄。", "No loss record.")}</p> }
            .into_any()
    } else {
        view! {
            <table class="data">
                <caption>{lang.pick("您的國民身分證掛失紀錄", "Your loss reports")}</caption>
                <thead><tr>
                    <th scope="col">{lang.pick("掛失編號", "Report number")}</th>
                    <th scope="col">{lang.pick("證件發證日期", "Card issued on")}</th>
                    <th scope="col">{lang.pick("掛失時間", "Reported at")}</th>
                    <th scope="col">{lang.pick("狀態", "Status")}</th>
                </tr></thead>
                <tbody>
                    {records.into_iter().map(|record| {
                        let status = match &record.revoked_at {
                            Some(at) => format!("{} {at}", lang.pick("已撤銷掛失", "Revoked")),
                            None => lang.pick("掛失中", "Reported lost").to_owned(),
                        };
                        view! {
                            <tr>
                                <td data-label=lang.pick("掛失編號", "Report number")>{record.reference}</td>
                                <td data-label=lang.pick("證件發證日期", "Card issued on")>{record.card_issued_on}</td>
                                <td data-label=lang.pick("掛失時間", "Reported at")>{record.reported_at}</td>
                                <td data-label=lang.pick("狀態", "Status")>{status}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="result" aria-live="polite">
            <h2>{lang.pick("查詢結果", "Result")}</h2>
            {body}
            <p><a href="/id-card/loss">{lang.pick("回申請類別", "Back")}</a></p>
        </section>
    }
}

#[component]
fn Revoked(reference: String, revoked_at: String, lang: Lang) -> impl IntoView {
    view! {
        <section class="result" aria-live="polite">
            <h2>{lang.pick("撤銷掛失完成", "Report revoked")}</h2>
            <p>{lang.pick(
                "您的國民身分證已撤銷掛失，恢復有效，並已通報戶政事務所；通知信已寄至掛失時留存的電子信箱。",
                "The loss report is revoked and your ID card is valid again; the household registration office has been told and a confirmation was sent to the e-mail given with the report.",
            )}</p>
            <dl class="facts">
                <dt>{lang.pick("掛失編號", "Report number")}</dt><dd class="reference">{reference}</dd>
                <dt>{lang.pick("撤銷時間", "Revoked at")}</dt><dd>{revoked_at}</dd>
            </dl>
            <p><a href="/id-card/loss">{lang.pick("回申請類別", "Back")}</a></p>
        </section>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::super::form::LossForm;
    use super::super::store;
    use super::super::{identity_refusal, LossOperation, LossOutcome};
    use crate::cases::actor::Actor;
    use crate::error::PortalError;
    use crate::i18n::Lang;
    use crate::platform::captcha::{FailureBuckets, Gate};
    use crate::platform::password as argon2_password;
    use crate::platform::{auth, clock::roc_date_time, AppState};
    use crate::services::id_card_loss::cases::Channel;
    use crate::services::id_card_loss::store::reports;
    use leptos::prelude::expect_context;

    fn too_many(retry_after: i64) -> PortalError {
        let minutes = (retry_after + 59) / 60;
        PortalError::Refused {
            zh_tw: format!("驗證失敗次數過多，請於 {minutes} 分鐘後再試，或撥打內政服務熱線 1996、親自至戶政事務所辦理。"),
            english: format!("Too many failed attempts. Try again in {minutes} minutes, call the 1996 hotline, or go to a household registration office."),
        }
    }

    fn wrong_password(tries_left: i64) -> PortalError {
        PortalError::Field {
            field: super::form::PASSWORD.name.into(),
            zh_tw: format!("撤銷掛失預設密碼錯誤，尚可再試 {tries_left} 次；錯誤三次將被鎖碼。"),
            english: format!("Wrong revocation password: {tries_left} tries left; three wrong passwords lock online revocation."),
        }
    }

    /// Checks the form, the CAPTCHA, the client's failure count and the registry, in that
    /// order, and then does what the citizen asked.
    pub async fn submit(
        operation: LossOperation,
        posted: Vec<(String, String)>,
    ) -> Result<LossOutcome, PortalError> {
        let state = expect_context::<AppState>();
        let pool = &state.db.pool;
        let now = state.clock.unix();
        let form = match LossForm::parse(operation, &posted) {
            Ok(form) => form,
            Err(errors) => return Ok(LossOutcome::Invalid(errors)),
        };
        let source_ip = auth::source_ip();
        let buckets = FailureBuckets::new("id-card-loss", &state.id_key, &form.national_id);
        match Gate::pass(pool, now, &form.captcha_id, &form.captcha_answer, &buckets).await? {
            Gate::Open => {}
            Gate::WrongAnswer => {
                return Ok(LossOutcome::Invalid(vec![
                    crate::components::captcha::wrong_answer(),
                ]))
            }
            Gate::TooMany { retry_after } => return Err(too_many(retry_after)),
        }
        let Some(holder) = store::identify(pool, &form).await? else {
            tracing::info!(operation = ?operation, "loss report form did not match the registry");
            return Err(identity_refusal());
        };
        Gate::refund(pool, now, &buckets).await?;
        let actor = Actor::citizen(&form.national_id.masked(), source_ip);
        let password = form.password.as_ref().map(|p| p.expose().to_owned());
        match (operation, password) {
            (LossOperation::Report, Some(password)) => {
                // A card already reported is refused before argon2 spends its time.
                let card = reports::unreported(pool, &holder).await?;
                let hash = argon2_password::hash(password).await?;
                let contact = reports::Contact {
                    phone: form.phone.as_str(),
                    email: form.email.as_str(),
                };
                let (reference, at) = reports::report(
                    &state.db,
                    &state.calendar,
                    now,
                    card,
                    &contact,
                    reports::ReportedBy::Online {
                        password_hash: &hash,
                    },
                    &actor,
                )
                .await?;
                Ok(LossOutcome::Reported {
                    reference,
                    reported_at: roc_date_time(at),
                })
            }
            (LossOperation::Query, _) => {
                Ok(LossOutcome::Records(store::records(pool, &holder).await?))
            }
            (LossOperation::Revoke, Some(password)) => {
                let Some(report) = store::open_report(pool, &holder).await? else {
                    return Err(store::no_open_report());
                };
                // A report made with a citizen certificate or by telephone has no password:
                // revoke it with the certificate or at an office.
                let Some(hash) = report.password_hash.clone() else {
                    return Err(PortalError::Refused {
                        zh_tw: "此掛失係以自然人憑證或電話辦理，未設撤銷掛失預設密碼，請以自然人憑證或至戶政事務所辦理撤銷掛失。".into(),
                        english: "This report was made with a citizen certificate or by telephone and has no revocation password: revoke it with a citizen certificate or at a household registration office.".into(),
                    });
                };
                // The try is taken before the password is checked, so that concurrent guesses
                // cannot check more than three.
                let failures =
                    reports::take_password_try(&state.db, now, report.id, &actor).await?;
                if !argon2_password::matches(password, Some(hash)).await? {
                    let left =
                        reports::wrong_password(&state.db, now, &report, failures, &actor).await?;
                    return Ok(LossOutcome::Invalid(vec![if left == 0 {
                        let locked = store::revocation_locked();
                        PortalError::Field {
                            field: super::form::PASSWORD.name.into(),
                            zh_tw: locked.message(Lang::ZhTw),
                            english: locked.message(Lang::English),
                        }
                    } else {
                        wrong_password(left)
                    }]));
                }
                let at =
                    reports::revoke(&state.db, now, &report, Channel::Online, &actor, None).await?;
                Ok(LossOutcome::Revoked {
                    reference: report.reference,
                    revoked_at: roc_date_time(at),
                })
            }
            // The form's parser asks for a password exactly when the operation needs one.
            (LossOperation::Report | LossOperation::Revoke, None) => Err(PortalError::Unavailable),
        }
    }
}
