//! 臨櫃撤銷掛失 (issue 20 item 14): a citizen who cannot revoke online — the revocation
//! password wrong three times and locked, or forgotten (seed 004: 請洽戶政事務所辦理撤銷掛失) —
//! goes to any household office. A registrar there finds the open report by the ID number,
//! checks the person and their document in person, and revokes it; the revocation is audited,
//! mailed to the citizen and reported upward with where and on what document it was done.

use super::cases::Channel;
use super::form::{self, NATIONAL_ID};
use crate::cases::Code;
use crate::coded;
use crate::components::refusal::{ErrorNotice, ErrorSummary, Refusal};
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::posted_form::{posted_form, posted_resource};
use crate::services::staff::role::Role;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/admin/id-card-loss/revoke";

/// Who revokes at the counter: the office's registrars.
pub const ROLES: [Role; 1] = [Role::HouseholdRegistrar];

/// The form's fields besides the ID number.
const REFERENCE: &str = "reference";
const DOCUMENT: &str = "document";
const CHECKED: &str = "identity_checked";

coded! {
    /// The document the registrar checked the person against.
    pub enum Document {
        /// The card reported lost, found again.
        FoundCard = "found_card", "尋獲之原國民身分證", "The ID card reported lost, found again";
        Passport = "passport", "護照", "Passport";
        DrivingLicence = "driving_licence", "駕照", "Driving licence";
        HealthCard = "health_card", "全民健康保險卡（有照片）", "National Health Insurance card (with photo)";
    }
}

/// The open report on a person's current card, as the registrar sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterReport {
    /// As the registrar typed it, for the revocation form.
    pub national_id: String,
    pub name: String,
    pub masked_id: String,
    pub reference: String,
    /// ROC date-time.
    pub reported_at: String,
    pub channel: Channel,
    /// Online revocation is locked after three wrong passwords.
    pub locked: bool,
    /// The office the report went to.
    pub office: String,
}

/// What a posted form came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CounterOutcome {
    Found(CounterReport),
    Revoked {
        reference: String,
    },
    /// Fields to fix, each named; the report again when the ID number still finds it.
    Invalid {
        errors: Vec<PortalError>,
        report: Option<CounterReport>,
    },
}

/// The registrar's office, or a refusal for anyone else.
#[server(endpoint = "id_card_loss_counter_office")]
pub async fn counter_office() -> Result<String, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_staff(&state, &ROLES).await?;
    let (_, office) = super::office::ssr::office_of(&member)?;
    Ok(office.to_owned())
}

#[server(endpoint = "id_card_loss_counter_revoke", input = server_fn::codec::Json)]
pub async fn counter_revocation(
    posted: Vec<(String, String)>,
) -> Result<CounterOutcome, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_staff(&state, &ROLES).await?;
    ssr::run(&state, &member, &posted).await
}

/// `/admin/id-card-loss/revoke`.
#[component]
pub fn CounterRevocationPage() -> impl IntoView {
    let lang = current_lang();
    let posted = posted_form().map(|form| form.0);
    let page = posted_resource(counter_revocation, counter_office);
    let title = lang.pick("臨櫃撤銷掛失", "Revoke a loss report at the counter");
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || {
                let posted = posted.clone().unwrap_or_default();
                page.get().map(move |(outcome, office)| match office {
                    Ok(office) => view! { <Counter office outcome posted lang /> }.into_any(),
                    Err(error) => view! { <Refusal error lang /> }.into_any(),
                })
            }}
        </Suspense>
    }
}

#[component]
fn Counter(
    office: String,
    outcome: Option<Result<CounterOutcome, PortalError>>,
    posted: Vec<(String, String)>,
    lang: Lang,
) -> impl IntoView {
    let (notice, errors, report) = match outcome {
        Some(Ok(CounterOutcome::Found(report))) => (None, Vec::new(), Some(report)),
        Some(Ok(CounterOutcome::Revoked { reference })) => (
            Some(view! {
                <div class="notice" role="status"><p>{format!("{} {reference}", lang.pick(
                    "已撤銷掛失，原國民身分證恢復有效；已通報直轄市、縣（市）及中央，並寄通知信予當事人。掛失編號：",
                    "The report is revoked and the ID card is valid again; it was reported upward and the citizen was mailed. Report:",
                ))}</p></div>
            }.into_any()),
            Vec::new(),
            None,
        ),
        Some(Ok(CounterOutcome::Invalid { errors, report })) => (
            Some(view! { <ErrorSummary errors=errors.clone() lang /> }.into_any()),
            errors,
            report,
        ),
        Some(Err(error)) => (Some(view! { <ErrorNotice error lang /> }.into_any()), Vec::new(), None),
        None => (None, Vec::new(), None),
    };
    let typed = form::value(&posted, NATIONAL_ID.name).to_owned();
    view! {
        <p>{format!("{}{office}", lang.pick("辦理單位：", "Office: "))}</p>
        <p>{lang.pick(
            "民眾撤銷掛失預設密碼錯誤三次遭鎖碼、忘記密碼，或無法上網辦理時，可至任一戶政事務所辦理撤銷掛失。請先核對當事人身分證件。",
            "A citizen whose revocation password is locked after three wrong tries or forgotten, or who cannot revoke online, may revoke at any household registration office. Check the person's identity document first.",
        )}</p>
        {notice}
        <form method="post" action=PATH class="search-form" novalidate>
            <input type="hidden" name="action" value="find" />
            {NATIONAL_ID.render(lang, typed, &errors, false)}
            <div class="buttons"><button type="submit">{lang.pick("查詢掛失紀錄", "Find the report")}</button></div>
        </form>
        {report.map(|report| view! { <Revocation report errors lang /> })}
    }
}

/// The open report, and the form that revokes it.
#[component]
fn Revocation(report: CounterReport, errors: Vec<PortalError>, lang: Lang) -> impl IntoView {
    let error_of = |field: &str| {
        errors.iter().find_map(|error| match error {
            PortalError::Field { field: of, .. } if of == field => Some(error.message(lang)),
            _ => None,
        })
    };
    let document_error = error_of(DOCUMENT);
    let document_invalid = document_error.is_some();
    let checked_error = error_of(CHECKED);
    let checked_invalid = checked_error.is_some();
    view! {
        <section class="case" aria-labelledby="counter-report">
            <h2 id="counter-report">{format!("{} {}", lang.pick("掛失編號", "Report"), report.reference)}</h2>
            <dl class="facts">
                <dt>{lang.pick("姓名", "Name")}</dt><dd>{report.name.clone()}</dd>
                <dt>{lang.pick("國民身分證統一編號", "ID number")}</dt><dd>{report.masked_id.clone()}</dd>
                <dt>{lang.pick("掛失時間", "Reported at")}</dt><dd>{report.reported_at.clone()}</dd>
                <dt>{lang.pick("掛失方式", "Reported by")}</dt><dd>{report.channel.label(lang)}</dd>
                <dt>{lang.pick("受理戶政事務所", "Office")}</dt><dd>{report.office.clone()}</dd>
                <dt>{lang.pick("網路撤銷", "Online revocation")}</dt><dd>{if report.locked {
                    lang.pick("撤銷掛失預設密碼已錯誤三次並被鎖碼", "Locked after three wrong passwords")
                } else {
                    lang.pick("未鎖碼", "Not locked")
                }}</dd>
            </dl>
            <form method="post" action=PATH class="revoke-form" novalidate>
                <input type="hidden" name="action" value="revoke" />
                <input type="hidden" name=NATIONAL_ID.name value=report.national_id.clone() />
                <input type="hidden" name=REFERENCE value=report.reference.clone() />
                <fieldset id=DOCUMENT aria-invalid=document_invalid.then_some("true") aria-describedby=document_invalid.then_some("document-error")>
                    <legend>{lang.pick("所核對的證件", "Document checked")}</legend>
                    {document_error.map(|message| view! { <span class="error" id="document-error">{message}</span> })}
                    {Document::ALL.iter().map(|document| view! {
                        <label><input type="radio" name=DOCUMENT value=document.code() required />{document.label(lang)}</label>
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    {checked_error.map(|message| view! { <span class="error" id="checked-error">{message}</span> })}
                    <label>
                        <input type="checkbox" id=CHECKED name=CHECKED required aria-invalid=checked_invalid.then_some("true") aria-describedby=checked_invalid.then_some("checked-error") />
                        {lang.pick("已當面核對當事人身分，確認為本人", "I checked the person's identity in person: it is the holder")}
                    </label>
                </div>
                <div class="buttons"><button type="submit">{lang.pick("撤銷掛失", "Revoke the report")}</button></div>
            </form>
        </section>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{CounterOutcome, CounterReport, Document, CHECKED, DOCUMENT, REFERENCE};
    use crate::cases::actor::Actor;
    use crate::cases::Code;
    use crate::domain::national_id::NationalId;
    use crate::error::PortalError;
    use crate::i18n::Lang;
    use crate::platform::{audit, auth, AppState};
    use crate::services::id_card_loss::cases::Channel;
    use crate::services::id_card_loss::form::{self, NATIONAL_ID};
    use crate::services::id_card_loss::store::{self, office, reports};
    use crate::services::staff::StaffMember;
    use serde::Serialize;

    /// What the registrar asked for.
    pub(super) enum CounterRequest {
        Find(NationalId),
        Revoke {
            national_id: NationalId,
            reference: String,
            document: Document,
        },
    }

    fn field_error(field: &str, zh_tw: &str, english: &str) -> PortalError {
        PortalError::Field {
            field: field.to_owned(),
            zh_tw: zh_tw.to_owned(),
            english: english.to_owned(),
        }
    }

    impl CounterRequest {
        /// Parses the posted form: every field that does not parse, each named; with the ID
        /// number when it parsed.
        pub(super) fn parse(
            posted: &[(String, String)],
        ) -> Result<CounterRequest, (Vec<PortalError>, Option<NationalId>)> {
            let national_id = NationalId::parse(form::value(posted, NATIONAL_ID.name));
            let mut errors = Vec::new();
            if let Err(error) = &national_id {
                errors.push(PortalError::field(NATIONAL_ID.name, error));
            }
            let revoke = form::value(posted, "action") == "revoke";
            let document = Document::from_code(form::value(posted, DOCUMENT));
            if revoke {
                if document.is_none() {
                    errors.push(field_error(
                        DOCUMENT,
                        "請選擇所核對的證件。",
                        "Choose the document you checked.",
                    ));
                }
                if form::value(posted, CHECKED) != "on" {
                    errors.push(field_error(
                        CHECKED,
                        "請核對當事人身分後勾選確認。",
                        "Check the person's identity, then tick to confirm.",
                    ));
                }
            }
            match (national_id, document) {
                (Ok(national_id), _) if !revoke && errors.is_empty() => {
                    Ok(CounterRequest::Find(national_id))
                }
                (Ok(national_id), Some(document)) if errors.is_empty() => {
                    Ok(CounterRequest::Revoke {
                        national_id,
                        reference: form::value(posted, REFERENCE).to_owned(),
                        document,
                    })
                }
                (national_id, _) => Err((errors, national_id.ok())),
            }
        }
    }

    fn no_report() -> PortalError {
        PortalError::Refused {
            zh_tw: "查無此國民身分證統一編號目前證件的掛失紀錄。".into(),
            english: "The current ID card of this ID number has no open loss report.".into(),
        }
    }

    /// What a look-up found, audited: a registrar of any office may look any person up, so
    /// every look-up leaves its row (the report's number, or the masked ID when none).
    #[derive(Serialize)]
    struct Lookup {
        found: bool,
    }

    async fn found(
        state: &AppState,
        member: &StaffMember,
        national_id: &NationalId,
    ) -> Result<CounterReport, PortalError> {
        let pool = &state.db.pool;
        let open = match store::holder_by_national_id(pool, national_id).await? {
            Some(holder) => office::counter_report(pool, &holder)
                .await?
                .map(|open| (holder, open)),
            None => None,
        };
        let subject = open
            .as_ref()
            .map_or_else(|| national_id.masked(), |(_, open)| open.reference.clone());
        let event = Actor::staff(member, auth::source_ip()).event(
            "id_card_loss.counter_lookup",
            &subject,
            &Lookup {
                found: open.is_some(),
            },
        );
        audit::record(&state.db, state.clock.unix(), &event).await?;
        let (holder, open) = open.ok_or_else(no_report)?;
        Ok(CounterReport {
            national_id: national_id.as_str().to_owned(),
            name: holder.name,
            masked_id: national_id.masked(),
            reference: open.reference,
            reported_at: open.reported_at,
            channel: open.channel,
            locked: open.locked,
            office: open.office,
        })
    }

    pub async fn run(
        state: &AppState,
        member: &StaffMember,
        posted: &[(String, String)],
    ) -> Result<CounterOutcome, PortalError> {
        let (_, office_name) = super::super::office::ssr::office_of(member)?;
        match CounterRequest::parse(posted) {
            Ok(CounterRequest::Find(national_id)) => found(state, member, &national_id)
                .await
                .map(CounterOutcome::Found),
            Ok(CounterRequest::Revoke {
                national_id,
                reference,
                document,
            }) => {
                // Revoking is a counter action: only in the office's counter hours.
                crate::services::staff::access::counter_open(state, member).await?;
                let pool = &state.db.pool;
                let holder = store::holder_by_national_id(pool, &national_id)
                    .await?
                    .ok_or_else(no_report)?;
                let open = store::open_report(pool, &holder)
                    .await?
                    .ok_or_else(no_report)?;
                // The report the registrar looked at, and no other made since.
                if open.reference != reference {
                    return Err(PortalError::Refused {
                        zh_tw: "此人的掛失紀錄已有變動，請重新查詢後再辦理。".into(),
                        english:
                            "This person's report changed since you looked; find it again first."
                                .into(),
                    });
                }
                let note = format!(
                    "於{office_name}臨櫃撤銷，已核對{}",
                    document.label(Lang::ZhTw)
                );
                let actor = Actor::staff(member, auth::source_ip());
                let now = state.clock.unix();
                reports::revoke(&state.db, now, &open, Channel::Office, &actor, Some(&note))
                    .await?;
                Ok(CounterOutcome::Revoked { reference })
            }
            Err((errors, national_id)) => {
                let report = match national_id {
                    Some(national_id) => found(state, member, &national_id).await.ok(),
                    None => None,
                };
                Ok(CounterOutcome::Invalid { errors, report })
            }
        }
    }
}
