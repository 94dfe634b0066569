//! 以自然人憑證辦理國民身分證掛失或撤銷掛失 (SPEC L4-3): a citizen signed in with their own
//! citizen certificate reports the current card lost, or revokes its report, without the
//! knowledge questions or the revocation password.

use super::form::{self, FormField};
use crate::components::refusal::{ErrorNotice, ErrorSummary, Refusal};
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::posted_form::{posted_form, posted_resource};
use crate::services::sign_in::pages::SignInPage;
use crate::services::sign_in::SignInKind;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/id-card/loss/card";

/// The signed-in citizen's card and its open report, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardView {
    pub name: String,
    pub masked_id: String,
    pub card_issued_on: String,
    /// The open report: its number and when it was made.
    pub open_report: Option<(String, String)>,
}

/// What a posted form came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardOutcome {
    Reported { reference: String },
    Revoked { reference: String },
    Invalid(Vec<PortalError>),
}

#[server(endpoint = "id_card_loss_card")]
pub async fn card_overview() -> Result<CardView, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let (holder, masked_id) = ssr::require_citizen(&state).await?;
    ssr::view(&state, &holder, masked_id).await
}

#[server(endpoint = "id_card_loss_card_submit", input = server_fn::codec::Json)]
pub async fn card_submit(posted: Vec<(String, String)>) -> Result<CardOutcome, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let (holder, masked_id) = ssr::require_citizen(&state).await?;
    ssr::submit(&state, &holder, masked_id, &posted).await
}

/// `/citizen/sign-in`: a citizen's own certificate, for the services that accept it.
#[component]
pub fn CitizenSignInPage() -> impl IntoView {
    view! { <SignInPage kind=SignInKind::Citizen /> }
}

/// `/id-card/loss/card`.
#[component]
pub fn LossByCardPage() -> impl IntoView {
    let lang = current_lang();
    let posted = posted_form().map(|form| form.0);
    let page = posted_resource(card_submit, card_overview);
    let title = lang.pick(
        "以自然人憑證辦理國民身分證掛失／撤銷掛失",
        "Report a lost ID card or revoke the report with your citizen certificate",
    );
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || {
                let posted = posted.clone().unwrap_or_default();
                page.get().map(move |(outcome, view)| {
                    let (notice, errors) = match outcome {
                        Some(Ok(CardOutcome::Reported { reference })) => (Some(view! {
                            <div class="notice" role="status"><p>{format!("{} {reference}", lang.pick(
                                "您的國民身分證已註記掛失並通報戶政事務所，通知信已寄出。掛失編號：",
                                "Your ID card is now marked lost, the office has been told and a confirmation was mailed. Report number:",
                            ))}</p></div>
                        }.into_any()), Vec::new()),
                        Some(Ok(CardOutcome::Revoked { reference })) => (Some(view! {
                            <div class="notice" role="status"><p>{format!("{} {reference}", lang.pick(
                                "已撤銷掛失，原國民身分證恢復有效。掛失編號：",
                                "The report is revoked and your ID card is valid again. Report number:",
                            ))}</p></div>
                        }.into_any()), Vec::new()),
                        Some(Ok(CardOutcome::Invalid(errors))) => (Some(view! {
                            <ErrorSummary errors=errors.clone() lang />
                        }.into_any()), errors),
                        Some(Err(error)) => (Some(view! {
                            <ErrorNotice error lang />
                        }.into_any()), Vec::new()),
                        None => (None, Vec::new()),
                    };
                    match view {
                        Ok(view) => view! {
                            {notice}
                            <CardForms view posted errors lang />
                            <p><a href=crate::services::id_usage::PATH>{lang.pick(
                                "個資使用紀錄：查看誰查驗過您的身分",
                                "Who checked my identity: your personal data use record",
                            )}</a></p>
                        }.into_any(),
                        Err(error) => view! { <Refusal error lang /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn CardForms(
    view: CardView,
    posted: Vec<(String, String)>,
    errors: Vec<PortalError>,
    lang: Lang,
) -> impl IntoView {
    let facts = view! {
        <dl class="facts">
            <dt>{lang.pick("姓名", "Name")}</dt><dd>{view.name.clone()}</dd>
            <dt>{lang.pick("國民身分證統一編號", "ID number")}</dt><dd>{view.masked_id.clone()}</dd>
            <dt>{lang.pick("證件發證日期", "Card issued on")}</dt><dd>{view.card_issued_on.clone()}</dd>
        </dl>
    };
    match view.open_report {
        Some((reference, reported_at)) => view! {
            {facts}
            <p class="open-report">{format!(
                "{} {reference}（{reported_at}）",
                lang.pick("您的國民身分證已掛失，掛失編號", "Your ID card is reported lost: report"),
            )}</p>
            <form method="post" action=PATH class="card-form">
                <input type="hidden" name="action" value="revoke" />
                <p>{lang.pick("尋獲原證時，可撤銷掛失，原證即恢復有效。", "If you found the card, revoke the report and the card is valid again.")}</p>
                <div class="buttons"><button type="submit">{lang.pick("撤銷掛失", "Revoke the report")}</button></div>
            </form>
        }
        .into_any(),
        None => {
            let fields = [form::PHONE, form::EMAIL]
                .into_iter()
                .map(|field: FormField| {
                    let value = form::value(&posted, field.name).to_owned();
                    field.render(lang, value, &errors, false)
                })
                .collect_view();
            view! {
                {facts}
                <form method="post" action=PATH class="card-form" novalidate>
                    <input type="hidden" name="action" value="report" />
                    <p>{lang.pick(
                        "請留下聯絡方式，戶政事務所將與您聯絡確認。",
                        "Leave a telephone number and e-mail address: the household registration office will contact you to confirm.",
                    )}</p>
                    {fields}
                    <div class="buttons"><button type="submit">{lang.pick("掛失", "Report lost")}</button></div>
                </form>
            }
            .into_any()
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{CardOutcome, CardView};
    use crate::cases::actor::Actor;
    use crate::error::PortalError;
    use crate::platform::auth;
    use crate::platform::AppState;
    use crate::services::id_card_loss::cases::Channel;
    use crate::services::id_card_loss::form::CardRequest;
    use crate::services::id_card_loss::store::{self, reports, Holder};

    /// The citizen signed in with their certificate, and their current card.
    pub async fn require_citizen(state: &AppState) -> Result<(Holder, String), PortalError> {
        let (citizen_id, masked_id) = auth::require_citizen(state).await?;
        let holder = store::holder_by_id(&state.db.pool, citizen_id)
            .await?
            .ok_or_else(|| PortalError::Refused {
                zh_tw: "查無您目前有效的國民身分證，請洽戶政事務所。".into(),
                english: "You have no current ID card on record; please contact a household registration office.".into(),
            })?;
        Ok((holder, masked_id))
    }

    pub async fn view(
        state: &AppState,
        holder: &Holder,
        masked_id: String,
    ) -> Result<CardView, PortalError> {
        let pool = &state.db.pool;
        let open = store::open_report(pool, holder).await?;
        let records = store::records(pool, holder).await?;
        let card_issued_on = store::current_card_issued_on(pool, holder).await?;
        let open_report = open.and_then(|open| {
            records
                .into_iter()
                .find(|record| record.reference == open.reference)
                .map(|record| (open.reference, record.reported_at))
        });
        Ok(CardView {
            name: holder.name.clone(),
            masked_id,
            card_issued_on,
            open_report,
        })
    }

    pub async fn submit(
        state: &AppState,
        holder: &Holder,
        masked_id: String,
        posted: &[(String, String)],
    ) -> Result<CardOutcome, PortalError> {
        let now = state.clock.unix();
        let actor = Actor::citizen(&masked_id, auth::source_ip());
        match CardRequest::parse(posted) {
            Some(Ok(CardRequest::Report { phone, email })) => {
                let contact = reports::Contact {
                    phone: phone.as_str(),
                    email: email.as_str(),
                };
                let card = reports::unreported(&state.db.pool, holder).await?;
                let (reference, _) = reports::report(
                    &state.db,
                    &state.calendar,
                    now,
                    card,
                    &contact,
                    reports::ReportedBy::Certificate,
                    &actor,
                )
                .await?;
                Ok(CardOutcome::Reported { reference })
            }
            Some(Ok(CardRequest::Revoke)) => {
                let open = store::open_report(&state.db.pool, holder)
                    .await?
                    .ok_or_else(store::no_open_report)?;
                reports::revoke(&state.db, now, &open, Channel::Moica, &actor, None).await?;
                Ok(CardOutcome::Revoked {
                    reference: open.reference,
                })
            }
            Some(Err(errors)) => Ok(CardOutcome::Invalid(errors)),
            None => Err(PortalError::Refused {
                zh_tw: "請選擇掛失或撤銷掛失。".into(),
                english: "Choose to report the card lost or to revoke the report.".into(),
            }),
        }
    }
}
