//! 電話掛失 (seed 004: 撥打內政服務熱線 1996 辦理國民身分證掛失; issue 20 item 15): a
//! citizen who cannot report online — the registry's answers cannot be typed (a rare
//! character in the parent's name), or they have no computer at hand — calls the hotline, and
//! household office staff of any office enter the report into the same system while the
//! citizen is on the line. The questions are the online form's (the registry checks them the
//! same way); no CAPTCHA, since a person types them, and no revocation password, since none is
//! set over the telephone: the report is revoked with the citizen's certificate or at an
//! office. The report is marked as taken by telephone, goes to the office of the registered
//! address like any other (on RL03Y00's 非上班／免自然人憑證 tab), and its event names who
//! entered it.

use super::form::{self, FormField};
use super::LossOperation;
use crate::components::refusal::{ErrorNotice, ErrorSummary, Refusal};
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::posted_form::{posted_form, posted_resource};
use crate::services::staff::role::Role;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/admin/id-card-loss/phone";

/// Who takes reports by telephone: the staff of every household office.
pub const ROLES: [Role; 2] = [Role::HouseholdClerk, Role::HouseholdRegistrar];

/// What a posted form came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneOutcome {
    Reported {
        reference: String,
        /// ROC date-time.
        reported_at: String,
    },
    Invalid(Vec<PortalError>),
}

/// The staff member's office, or a refusal for anyone else.
#[server(endpoint = "id_card_loss_phone_office")]
pub async fn phone_office() -> Result<String, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_staff(&state, &ROLES).await?;
    let (_, office) = super::office::ssr::office_of(&member)?;
    Ok(office.to_owned())
}

#[server(endpoint = "id_card_loss_phone_report", input = server_fn::codec::Json)]
pub async fn phone_report(posted: Vec<(String, String)>) -> Result<PhoneOutcome, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_staff(&state, &ROLES).await?;
    ssr::report(&state, &member, &posted).await
}

/// `/admin/id-card-loss/phone`.
#[component]
pub fn PhoneReportPage() -> impl IntoView {
    let lang = current_lang();
    let posted = posted_form().map(|form| form.0);
    let page = posted_resource(phone_report, phone_office);
    let title = lang.pick(
        "電話掛失受理（內政服務熱線 1996）",
        "Take a loss report by telephone (1996 hotline)",
    );
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || {
                let posted = posted.clone().unwrap_or_default();
                page.get().map(move |(outcome, office)| match office {
                    Ok(office) => view! { <PhoneForm office outcome posted lang /> }.into_any(),
                    Err(error) => view! { <Refusal error lang /> }.into_any(),
                })
            }}
        </Suspense>
    }
}

#[component]
fn PhoneForm(
    office: String,
    outcome: Option<Result<PhoneOutcome, PortalError>>,
    posted: Vec<(String, String)>,
    lang: Lang,
) -> impl IntoView {
    let (notice, errors, posted) = match outcome {
        Some(Ok(PhoneOutcome::Reported {
            reference,
            reported_at,
        })) => (
            Some(view! {
                <div class="notice done" role="status">
                    <p>{lang.pick(
                        "已受理電話掛失：國民身分證已註記掛失，並通知戶籍地戶政事務所；通知信已寄至民眾之電子信箱。請告知民眾掛失編號，撤銷掛失須以自然人憑證或至戶政事務所辦理。",
                        "The report is taken: the ID card is marked lost, the office of the registered address is told, and the citizen was mailed. Tell the caller the report number; it is revoked with a citizen certificate or at a household registration office.",
                    )}</p>
                    <dl class="facts">
                        <dt>{lang.pick("掛失編號", "Report number")}</dt><dd class="reference">{reference}</dd>
                        <dt>{lang.pick("掛失時間", "Reported at")}</dt><dd>{reported_at}</dd>
                    </dl>
                </div>
            }.into_any()),
            Vec::new(),
            // A report taken: the form starts empty for the next call.
            Vec::new(),
        ),
        Some(Ok(PhoneOutcome::Invalid(errors))) => {
            (Some(view! { <ErrorSummary errors=errors.clone() lang /> }.into_any()), errors, posted)
        }
        Some(Err(error)) => (Some(view! { <ErrorNotice error lang /> }.into_any()), Vec::new(), posted),
        None => (None, Vec::new(), posted),
    };
    let fields = form::fields(LossOperation::Query)
        .into_iter()
        .map(|field: FormField| {
            let value = form::value(&posted, field.name).to_owned();
            field.render(lang, value, &errors, false)
        })
        .collect_view();
    view! {
        <p>{format!("{}{office}", lang.pick("受理單位：", "Office: "))}</p>
        <p>{lang.pick(
            "依來電民眾所述逐項輸入，系統即與戶籍資料核對；資料相符即完成掛失，並由戶籍地戶政事務所依 RL03Y00 聯絡確認。電話掛失不設撤銷掛失預設密碼。",
            "Type what the caller tells you, item by item; the registry checks it. When it matches, the card is reported lost and the office of the registered address follows it up in RL03Y00. No revocation password is set over the telephone.",
        )}</p>
        {notice}
        <form method="post" action=PATH class="card-form" novalidate>
            <p class="hint">{lang.pick("標示 * 者為必填欄位。", "Fields marked * are required.")}</p>
            {fields}
            <div class="buttons">
                <button type="submit">{lang.pick("受理掛失", "Take the report")}</button>
            </div>
        </form>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::PhoneOutcome;
    use crate::cases::actor::Actor;
    use crate::error::PortalError;
    use crate::platform::captcha::{FailureBuckets, Gate};
    use crate::platform::rate_limit::Limit;
    use crate::platform::{audit, auth, clock::roc_date_time, AppState};
    use crate::services::id_card_loss::form::LossForm;
    use crate::services::id_card_loss::store::{self, reports};
    use crate::services::staff::StaffMember;
    use serde::Serialize;

    /// The audit detail of a telephone look-up that took no report.
    #[derive(Serialize)]
    struct Lookup<'a> {
        outcome: &'a str,
        masked_id: String,
    }

    /// Reports one staff member may take by telephone in a day: far more than a desk takes,
    /// few enough that nobody marks a town's cards lost.
    const REPORTS: Limit = Limit {
        max: 50,
        window_seconds: 86_400,
    };

    fn too_many(retry_after: i64) -> PortalError {
        let minutes = (retry_after + 59) / 60;
        PortalError::Refused {
            zh_tw: format!("電話掛失查核或受理次數已達上限，請於 {minutes} 分鐘後再試，或請民眾以自然人憑證或親至戶政事務所辦理。"),
            english: format!("Too many telephone look-ups or reports: try again in {minutes} minutes, or have the citizen use a citizen certificate or come to an office."),
        }
    }

    pub async fn report(
        state: &AppState,
        member: &StaffMember,
        posted: &[(String, String)],
    ) -> Result<PhoneOutcome, PortalError> {
        let (_, office) = super::super::office::ssr::office_of(member)?;
        let form = match LossForm::parse_by_phone(posted) {
            Ok(form) => form,
            Err(errors) => return Ok(PhoneOutcome::Invalid(errors)),
        };
        let pool = &state.db.pool;
        let now = state.clock.unix();
        let actor = Actor::staff(member, auth::source_ip());
        // Staff of any office may type anyone's details: the misses count against the person as
        // online (and against the staff member), and every look-up that takes no report leaves
        // its row, named by the keyed hash of the ID number.
        let buckets = FailureBuckets::new("id-card-loss-phone", &state.id_key, &form.national_id);
        let staff_bucket = format!("id-card-loss-phone:staff:{}", member.id);
        if let Gate::TooMany { retry_after } =
            Gate::pass_staff(pool, now, &staff_bucket, &buckets).await?
        {
            return Err(too_many(retry_after));
        }
        let subject = format!("person:{}", state.id_key.hash(form.national_id.as_str()));
        let lookup = |outcome| {
            actor.event(
                "id_card_loss.phone_lookup",
                &subject,
                &Lookup {
                    outcome,
                    masked_id: form.national_id.masked(),
                },
            )
        };
        let Some(holder) = store::identify(pool, &form).await? else {
            audit::record(&state.db, now, &lookup("mismatch")).await?;
            return Err(PortalError::Refused {
                zh_tw: "來電民眾所述資料與戶籍資料不符，未受理掛失。請與民眾逐項再確認；如仍無法確認，請民眾以自然人憑證辦理，或親至戶政事務所辦理。".into(),
                english: "What the caller gave does not match the household register: nothing was reported. Check each item again with the caller; if it still does not match, the citizen reports with a citizen certificate or at a household registration office.".into(),
            });
        };
        Gate::refund_staff(pool, now, &staff_bucket, &buckets).await?;
        let card = match reports::unreported(pool, &holder).await {
            Ok(card) => card,
            Err(refused) => {
                audit::record(&state.db, now, &lookup("already_reported")).await?;
                return Err(refused);
            }
        };
        if let Err(retry_after) = REPORTS
            .hit(
                pool,
                &format!("id-card-loss-phone:reports:{}", member.id),
                now,
            )
            .await?
        {
            return Err(too_many(retry_after));
        }
        let contact = reports::Contact {
            phone: form.phone.as_str(),
            email: form.email.as_str(),
        };
        let note = format!("內政服務熱線 1996 電話掛失，{office}受理");
        let (reference, at) = reports::report(
            &state.db,
            &state.calendar,
            now,
            card,
            &contact,
            reports::ReportedBy::Phone { note: &note },
            &actor,
        )
        .await?;
        Ok(PhoneOutcome::Reported {
            reference,
            reported_at: roc_date_time(at),
        })
    }
}
