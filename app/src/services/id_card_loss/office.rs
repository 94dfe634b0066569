//! 國民身分證查詢掛失作業 (RL03Y00, seed 004 一(二), SPEC L4-4): the household office of the
//! citizen's registered address contacts the citizen about each online report and records the
//! outcome; county officers and the ministry see every event of their area (通報).

use super::cases::ContactState;
use super::events::{ContactMethod, EventKind};
use crate::cases::Code;
use crate::components::queue::{tab_from_query, Age, QueueTab, QueueTabs};
use crate::components::refusal::{OutcomeNotice, Refusal};
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::posted_form::posted_form;
use crate::services::staff::role::Role;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// RL03Y00, the office's queue.
pub const PATH: &str = "/admin/id-card-loss";
/// What was reported upward.
pub const EVENTS_PATH: &str = "/admin/id-card-loss/events";

/// Who works the reports: the clerks and registrars of the office.
pub const FOLLOW_UP_ROLES: [Role; 2] = [Role::HouseholdClerk, Role::HouseholdRegistrar];
/// Who sees the events reported upward: the county and the ministry.
pub const OVERSIGHT_ROLES: [Role; 3] = [
    Role::CountyOfficer,
    Role::MinistryReviewer,
    Role::InformationServices,
];

/// The tabs of RL03Y00, in [`TABS`]' order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tab {
    /// 非上班/免自然人憑證掛失紀錄: reports made outside office hours or without a citizen
    /// certificate that no one has contacted the citizen about yet (seed 004 (二)1).
    FirstContact,
    /// 未處理查詢: reports whose citizen could not be reached; second and later contacts.
    Unresolved,
    /// 上班時間自然人憑證掛失紀錄: reports made with a citizen certificate in office hours,
    /// not contacted yet; kept out of the first tab, whose name says what it holds.
    CertificateInHours,
}

/// [`Tab`]'s codes and labels, in its order.
const TABS: &[QueueTab] = &[
    QueueTab {
        code: "first",
        zh_tw: "非上班/免自然人憑證掛失紀錄",
        english: "Outside office hours or without a certificate (first contact)",
    },
    QueueTab {
        code: "unresolved",
        zh_tw: "未處理查詢",
        english: "Not yet reached (later contacts)",
    },
    QueueTab {
        code: "in_hours",
        zh_tw: "上班時間自然人憑證掛失紀錄",
        english: "With a citizen certificate in office hours (first contact)",
    },
];

impl Tab {
    fn from_query(value: Option<String>) -> Tab {
        match tab_from_query(TABS, value.as_deref()).code {
            "unresolved" => Tab::Unresolved,
            "in_hours" => Tab::CertificateInHours,
            _ => Tab::FirstContact,
        }
    }

    fn code(self) -> &'static str {
        TABS[self as usize].code
    }
}

/// A report as the office sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeReport {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub masked_id: String,
    pub phone: String,
    pub email: String,
    pub reported_at: String,
    /// How it was made: online, with a certificate, or by telephone.
    pub channel: super::cases::Channel,
    /// Working days since the report (no target: the seed sets none).
    pub age: Age,
    pub revoked: bool,
    pub contact_attempts: i64,
}

/// One event as reported upward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpwardEvent {
    pub recorded_at: String,
    pub county: String,
    pub office: String,
    pub reference: String,
    pub kind: EventKind,
    pub method: Option<ContactMethod>,
    pub outcome: Option<ContactState>,
    pub note: Option<String>,
}

/// What recording a contact came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactOutcome {
    Recorded { reference: String },
    Invalid(PortalError),
}

#[server(endpoint = "id_card_loss_office_list")]
pub async fn office_reports(tab: Tab) -> Result<(String, Vec<OfficeReport>), PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_staff(&state, &FOLLOW_UP_ROLES).await?;
    ssr::office_reports(&state, &member, tab).await
}

#[server(endpoint = "id_card_loss_contact", input = server_fn::codec::Json)]
pub async fn record_contact(posted: Vec<(String, String)>) -> Result<ContactOutcome, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_staff(&state, &FOLLOW_UP_ROLES).await?;
    ssr::record_contact(&state, &member, &posted).await
}

#[server(endpoint = "id_card_loss_events")]
pub async fn upward_events() -> Result<Vec<UpwardEvent>, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_staff(&state, &OVERSIGHT_ROLES).await?;
    ssr::upward_events(&state, &member).await
}

/// `/admin/id-card-loss`: RL03Y00 for the office's clerks.
#[component]
pub fn OfficeLossReportsPage() -> impl IntoView {
    let lang = current_lang();
    let query = use_query_map();
    let tab = Tab::from_query(query.read_untracked().get("tab"));
    let posted = posted_form().map(|form| form.0);
    // The contact is recorded before the list is read, so the list shows it (and the two
    // never write at once).
    let page = Resource::new(
        || (),
        move |()| {
            let posted = posted.clone();
            async move {
                let contact = match posted {
                    Some(posted) => Some(record_contact(posted).await),
                    None => None,
                };
                (contact, office_reports(tab).await)
            }
        },
    );
    let title = lang.pick(
        "國民身分證查詢掛失作業 (RL03Y00)",
        "ID card loss reports (RL03Y00)",
    );
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <QueueTabs path=PATH tabs=TABS current=tab.code() lang />
        <Suspense fallback=|| ()>
            {move || page.get().map(move |(contact, reports)| {
                let outcome = contact.map(|outcome| match outcome {
                    Ok(ContactOutcome::Recorded { reference }) => Ok(format!(
                        "{} {reference}",
                        lang.pick("已更新掛失紀錄並通報直轄市、縣（市）及中央：", "Recorded and reported upward:"),
                    )),
                    Ok(ContactOutcome::Invalid(error)) | Err(error) => Err(error),
                });
                let notice = view! { <OutcomeNotice outcome lang /> };
                match reports {
                    Ok((office, reports)) => view! {
                        {notice}
                        <p>{office}</p>
                        <ReportList reports tab lang />
                    }.into_any(),
                    Err(error) => view! { <Refusal error lang /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportList(reports: Vec<OfficeReport>, tab: Tab, lang: Lang) -> impl IntoView {
    if reports.is_empty() {
        return view! { <p class="no-records">{lang.pick("目前沒有待處理的掛失紀錄。", "No reports to work.")}</p> }.into_any();
    }
    reports
        .into_iter()
        .map(|report| {
            let id = report.id;
            let field = |name: &str| format!("{name}-{id}");
            view! {
                <section class="case" aria-labelledby=field("case")>
                    <h2 id=field("case")>{format!("{} {}", lang.pick("掛失編號", "Report"), report.reference)}</h2>
                    <dl class="facts">
                        <dt>{lang.pick("姓名", "Name")}</dt><dd>{report.name.clone()}</dd>
                        <dt>{lang.pick("國民身分證統一編號", "ID number")}</dt><dd>{report.masked_id.clone()}</dd>
                        <dt>{lang.pick("聯絡電話", "Telephone")}</dt><dd>{report.phone.clone()}</dd>
                        <dt>{lang.pick("電子信箱", "E-mail")}</dt><dd>{report.email.clone()}</dd>
                        <dt>{lang.pick("掛失時間", "Reported at")}</dt><dd>{report.reported_at.clone()}</dd>
                        <dt>{lang.pick("掛失方式", "Reported by")}</dt><dd class="channel">{report.channel.label(lang)}</dd>
                        <dt>{lang.pick("已過工作日", "Working days since")}</dt><dd>{report.age.working_days}</dd>
                        <dt>{lang.pick("聯絡次數", "Contacts so far")}</dt><dd>{report.contact_attempts}</dd>
                        <dt>{lang.pick("狀態", "Status")}</dt><dd>{if report.revoked { lang.pick("已撤銷掛失", "Revoked") } else { lang.pick("掛失中", "Reported lost") }}</dd>
                    </dl>
                    <form method="post" action=format!("{PATH}?tab={}", tab.code()) class="contact-form">
                        <input type="hidden" name="report" value=id.to_string() />
                        <fieldset>
                            <legend>{lang.pick("聯絡方式", "Contacted by")}</legend>
                            {ContactMethod::BY_CLERK.into_iter().map(|method| view! {
                                <label><input type="radio" name="method" value=method.code() required />{method.label(lang)}</label>
                            }).collect_view()}
                        </fieldset>
                        <fieldset>
                            <legend>{lang.pick("聯絡結果", "Outcome")}</legend>
                            {ContactState::OUTCOMES.into_iter().map(|outcome| view! {
                                <label><input type="radio" name="outcome" value=outcome.code() required />{outcome.label(lang)}</label>
                            }).collect_view()}
                        </fieldset>
                        {(tab == Tab::Unresolved).then(|| view! {
                            <div class="field">
                                <label for=field("note")>{lang.pick("其他說明", "Other remarks")}</label>
                                <textarea id=field("note") name="note" maxlength="200"></textarea>
                            </div>
                        })}
                        <div class="buttons"><button type="submit">{lang.pick("更新掛失紀錄", "Record the contact")}</button></div>
                    </form>
                </section>
            }
        })
        .collect_view()
        .into_any()
}

/// `/admin/id-card-loss/events`: what was reported upward, for the county and the ministry.
#[component]
pub fn UpwardEventsPage() -> impl IntoView {
    let lang = current_lang();
    let events = Resource::new(|| (), |()| upward_events());
    let title = lang.pick(
        "國民身分證掛失通報紀錄",
        "ID card loss reports: events reported upward",
    );
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || events.get().map(move |events| {
                match events {
                    Ok(events) if events.is_empty() => view! { <p class="no-records">{lang.pick("尚無通報紀錄。", "Nothing reported yet.")}</p> }.into_any(),
                    Ok(events) => view! {
                        <table class="data">
                            <caption>{lang.pick("轄區內的通報紀錄，新者在前", "Events in your area, newest first")}</caption>
                            <thead><tr>
                                <th scope="col">{lang.pick("時間", "When")}</th>
                                <th scope="col">{lang.pick("縣市", "County")}</th>
                                <th scope="col">{lang.pick("戶政事務所", "Office")}</th>
                                <th scope="col">{lang.pick("掛失編號", "Report")}</th>
                                <th scope="col">{lang.pick("事項", "Event")}</th>
                                <th scope="col">{lang.pick("聯絡結果", "Outcome")}</th>
                                <th scope="col">{lang.pick("其他說明", "Remarks")}</th>
                            </tr></thead>
                            <tbody>
                                {events.into_iter().map(|event| view! {
                                    <tr>
                                        <td data-label=lang.pick("時間", "When")>{event.recorded_at}</td>
                                        <td data-label=lang.pick("縣市", "County")>{event.county}</td>
                                        <td data-label=lang.pick("戶政事務所", "Office")>{event.office}</td>
                                        <td data-label=lang.pick("掛失編號", "Report")>{event.reference}</td>
                                        <td data-label=lang.pick("事項", "Event")>{event.kind.label(lang)}{event.method.map(|m| format!("（{}）", m.label(lang)))}</td>
                                        <td data-label=lang.pick("聯絡結果", "Outcome")>{event.outcome.map(|o| o.label(lang))}</td>
                                        <td data-label=lang.pick("其他說明", "Remarks")>{event.note}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <Refusal error lang /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(feature = "ssr")]
pub(super) mod ssr {
    use super::{ContactOutcome, OfficeReport, Tab, UpwardEvent};
    use crate::cases::actor::Actor;
    use crate::error::PortalError;
    use crate::platform::{auth, AppState};
    use crate::services::id_card_loss::form::ContactRecord;
    use crate::services::id_card_loss::store::office as store;
    use crate::services::staff::role::Jurisdiction;
    use crate::services::staff::StaffMember;

    /// The office a clerk works for (their jurisdiction is always one office).
    pub(in crate::services::id_card_loss) fn office_of(
        member: &StaffMember,
    ) -> Result<(&str, &str), PortalError> {
        match &member.jurisdiction {
            Jurisdiction::Office { code, name, .. } => Ok((code, name)),
            _ => Err(crate::platform::auth::forbidden()),
        }
    }

    pub async fn office_reports(
        state: &AppState,
        member: &StaffMember,
        tab: Tab,
    ) -> Result<(String, Vec<OfficeReport>), PortalError> {
        let (code, name) = office_of(member)?;
        let reports = store::office_reports(state, code, tab).await?;
        Ok((name.to_owned(), reports))
    }

    /// Records one contact attempt (L4-4); every refusal is shown beside the list.
    pub async fn record_contact(
        state: &AppState,
        member: &StaffMember,
        posted: &[(String, String)],
    ) -> Result<ContactOutcome, PortalError> {
        let (code, _) = office_of(member)?;
        let contact = match ContactRecord::parse(posted) {
            Ok(contact) => contact,
            Err(error) => return Ok(ContactOutcome::Invalid(error)),
        };
        let actor = Actor::staff(member, auth::source_ip());
        match store::record_contact(&state.db, state.clock.unix(), code, &contact, &actor).await {
            Ok(reference) => Ok(ContactOutcome::Recorded { reference }),
            Err(error @ PortalError::Refused { .. }) => Ok(ContactOutcome::Invalid(error)),
            Err(error) => Err(error),
        }
    }

    pub async fn upward_events(
        state: &AppState,
        member: &StaffMember,
    ) -> Result<Vec<UpwardEvent>, PortalError> {
        let county = match &member.jurisdiction {
            Jurisdiction::National => None,
            Jurisdiction::County { county } => Some(county.clone()),
            Jurisdiction::Office { .. } => return Err(crate::platform::auth::forbidden()),
        };
        store::upward_events(&state.db.pool, county).await
    }
}
