//! Finding applications at the counter (C-2): by 申請編號 or ID number, with the applicant's
//! registry entry checked again, and the online renewals waiting for their card. Every look-up
//! reads registry data, so each is audited like any other access.

use super::{ApplicationStatus, CounterApplication, IssuanceRefusal, WaitingRenewal};
use crate::cases::actor::{Actor, NoDetail};
use crate::cases::Code;
use crate::components::queue::Age;
use crate::domain::card_number::CardNumber;
use crate::domain::national_id::NationalId;
use crate::domain::roc_date::RocDate;
use crate::error::PortalError;
use crate::platform::clock::{roc_date, roc_date_time, unix_to_taipei};
use crate::platform::rows::RowExt;
use crate::platform::{audit, auth, AppState};
use crate::services::certificate::application::cases::ApplicationFacts;
use crate::services::certificate::application::store::{registry_entry, REGISTRY_COLUMNS};
use crate::services::certificate::application::{mobile_read, PinChoice};
use crate::services::certificate::eligibility::{self, Ineligible};
use crate::services::certificate::papers::CardFace;
use crate::services::certificate::renewal::payment::is_paid;
use crate::services::certificate::store::cards_in_force;
use crate::services::staff::role::Jurisdiction;
use crate::services::staff::StaffMember;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

/// An application row with its applicant's registry entry.
pub(super) struct Found {
    pub id: i64,
    pub national_id: NationalId,
    pub user_code_sealed: Option<String>,
    pub pin_sealed: Option<String>,
    /// Its status as stored (the view shows a lapsed one as lapsed before the job closes it).
    pub status: ApplicationStatus,
    pub expires_at: i64,
    pub birth_date: NaiveDate,
    pub citizen_id: i64,
    /// The certificate an online renewal renews (its old card runs out on its own).
    pub renewal_of: Option<i64>,
    pub view: CounterApplication,
}

impl Found {
    /// What the application's guards read at `now`.
    pub fn facts(&self, now: i64) -> ApplicationFacts {
        ApplicationFacts::at(self.expires_at, now)
    }
}

fn select() -> String {
    format!(
        "SELECT a.id, a.reference, a.email, a.mobile, a.pin_choice, a.user_code_sealed, \
                a.pin_sealed, a.status, a.submitted_at, a.expires_at, a.renewal_of, a.citizen_id, \
                c.national_id, c.name, c.county, c.township, {REGISTRY_COLUMNS} \
         FROM moica_applications a JOIN citizens c ON c.id = a.citizen_id"
    )
}

/// The application `query` names: a 申請編號, or an ID number (that citizen's latest).
pub(super) async fn load(
    pool: &AnyPool,
    query: &str,
    now: i64,
) -> Result<Option<Found>, PortalError> {
    let query = query.trim();
    let row = if is_reference(query) {
        sqlx::query(&format!("{} WHERE a.reference = $1", select()))
            .bind(query)
            .fetch_optional(pool)
            .await?
    } else {
        let id = NationalId::parse(query)
            .map_err(|_| PortalError::field("q", &IssuanceRefusal::BadQuery))?;
        sqlx::query(&format!(
            "{} WHERE c.national_id = $1 ORDER BY a.id DESC LIMIT 1",
            select()
        ))
        .bind(id.as_str().to_owned())
        .fetch_optional(pool)
        .await?
    };
    let Some(mut found) = row.map(|row| found(&row, now)).transpose()? else {
        return Ok(None);
    };
    let mut conn = pool.acquire().await?;
    found.view.cards_in_force =
        cards_in_force(&mut conn, found.citizen_id, now, found.renewal_of).await?;
    found.view.unpaid = found.view.renewal && !is_paid(&mut conn, found.id).await?;
    Ok(Some(found))
}

/// Whether `query` has the form of a 申請編號 (`M1151129-000042`).
fn is_reference(query: &str) -> bool {
    query.starts_with('M') && query.len() == 15
}

fn found(row: &AnyRow, now: i64) -> Result<Found, PortalError> {
    let entry = registry_entry(row)?;
    let national_id = NationalId::parse(&row.try_get::<String, _>("national_id")?)
        .map_err(|_| PortalError::unavailable("registry ID number does not parse"))?;
    let expires_at: i64 = row.try_get("expires_at")?;
    let status: ApplicationStatus = row.code("status")?;
    // Lapsed but not yet closed by the job: it is lapsed all the same.
    let shown =
        if status == ApplicationStatus::Submitted && ApplicationFacts::at(expires_at, now).lapsed {
            ApplicationStatus::Expired
        } else {
            status
        };
    let today = unix_to_taipei(now).date_naive();
    let mut ineligible = eligibility::check(&entry.facts, today)
        .err()
        .unwrap_or_default();
    if !entry.in_use {
        // An ID number no longer in use is no registered person.
        ineligible.insert(0, Ineligible::NotRegistered);
        ineligible.dedup();
    }
    let roc = |date: NaiveDate| {
        RocDate::from_naive(date)
            .map(RocDate::display_slash)
            .unwrap_or_default()
    };
    let birth_date = entry.facts.birth_date;
    let collect_by = unix_to_taipei(expires_at - 1).date_naive();
    let county: String = row.try_get("county")?;
    let township: String = row.try_get("township")?;
    let pin_choice: String = row.try_get("pin_choice")?;
    let renewal_of: Option<i64> = row.try_get("renewal_of")?;
    Ok(Found {
        id: row.try_get("id")?,
        citizen_id: row.try_get("citizen_id")?,
        renewal_of,
        user_code_sealed: row.try_get("user_code_sealed")?,
        pin_sealed: row.try_get("pin_sealed")?,
        status,
        expires_at,
        birth_date,
        view: CounterApplication {
            reference: row.try_get("reference")?,
            name: row.try_get("name")?,
            masked_id: national_id.masked(),
            birth_date: roc(birth_date),
            registered_in: format!("{county}{township}"),
            email: row.try_get("email")?,
            mobile: mobile_read(row.try_get("mobile")?),
            pin_choice: PinChoice::from_code(&pin_choice).unwrap_or(PinChoice::Default),
            submitted_at: roc_date_time(row.try_get("submitted_at")?),
            collect_by: roc(collect_by),
            status: shown,
            ineligible,
            renewal: renewal_of.is_some(),
            cards_in_force: Vec::new(),
            unpaid: false,
        },
        national_id,
    })
}

/// Records `action` on `subject` by the registrar, on its own: a step that changes no case.
pub(super) async fn record(
    state: &AppState,
    member: &StaffMember,
    action: &str,
    subject: &str,
    detail: &impl Serialize,
) -> Result<(), PortalError> {
    record_from(state, member, auth::source_ip(), action, subject, detail).await
}

/// [`record`] for a request from `source_ip` outside the server functions.
async fn record_from(
    state: &AppState,
    member: &StaffMember,
    source_ip: String,
    action: &str,
    subject: &str,
    detail: &impl Serialize,
) -> Result<(), PortalError> {
    let event = Actor::staff(member, source_ip).event(action, subject, detail);
    audit::record(&state.db, state.clock.unix(), &event).await?;
    Ok(())
}

/// Application `reference` for its 憑證申請書 (issue 20 item 11), audited: one waiting for
/// its card (any office issues it, and finds it at the counter), or one issued at the
/// registrar's own office (for its files); never one replaced or lapsed. `None` also for a
/// query that is not a 申請編號.
pub async fn for_paper(
    state: &AppState,
    member: &StaffMember,
    source_ip: String,
    reference: &str,
) -> Result<Option<CounterApplication>, PortalError> {
    let Jurisdiction::Office { code: office, .. } = &member.jurisdiction else {
        return Ok(None);
    };
    if !is_reference(reference) {
        return Ok(None);
    }
    let pool = &state.db.pool;
    let Some(found) = load(pool, reference, state.clock.unix()).await? else {
        return Ok(None);
    };
    let printable = match found.view.status {
        ApplicationStatus::Submitted => true,
        ApplicationStatus::Issued => {
            let issued_at: Option<String> = sqlx::query_scalar(
                "SELECT household_office_code FROM moica_applications WHERE id = $1",
            )
            .bind(found.id)
            .fetch_one(pool)
            .await?;
            issued_at.as_deref() == Some(office.as_str())
        }
        _ => false,
    };
    if !printable {
        return Ok(None);
    }
    record_from(
        state,
        member,
        source_ip,
        "moica_issuance.print_application",
        &found.view.reference,
        &NoDetail {},
    )
    .await?;
    Ok(Some(found.view))
}

/// The face of card `card_number` (卡號, 姓名, 使用期限), audited: only a card whose
/// certificate is in force (active and not expired) and was issued at the registrar's own
/// office.
pub async fn card_face(
    state: &AppState,
    member: &StaffMember,
    source_ip: String,
    card_number: &str,
) -> Result<Option<CardFace>, PortalError> {
    let Jurisdiction::Office { code, .. } = &member.jurisdiction else {
        return Ok(None);
    };
    let Ok(card) = CardNumber::parse(card_number) else {
        return Ok(None);
    };
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT z.name, m.not_after FROM moica_certificates m JOIN citizens z ON z.id = m.citizen_id \
         WHERE m.card_number = $1 AND m.status = 'active' AND m.household_office_code = $2 \
           AND m.not_after > $3",
    )
    .bind(card.as_str().to_owned())
    .bind(code.clone())
    .bind(state.clock.unix())
    .fetch_optional(&state.db.pool)
    .await?;
    let Some((name, not_after)) = row else {
        return Ok(None);
    };
    record_from(
        state,
        member,
        source_ip,
        "moica_certificate.print_face",
        card.as_str(),
        &NoDetail {},
    )
    .await?;
    Ok(Some(CardFace {
        card_number: card.as_str().to_owned(),
        name,
        valid_until: roc_date(not_after),
    }))
}

pub async fn find(
    state: &AppState,
    member: &StaffMember,
    query: &str,
) -> Result<Option<CounterApplication>, PortalError> {
    let found = load(&state.db.pool, query, state.clock.unix()).await?;
    if let Some(found) = &found {
        record(
            state,
            member,
            "moica_issuance.view",
            &found.view.reference,
            &NoDetail {},
        )
        .await?;
    }
    Ok(found.map(|found| found.view))
}

/// Most renewals a page lists.
const RENEWALS_LISTED: i64 = 100;

/// A waiting renewal as listed.
#[derive(sqlx::FromRow)]
struct Waiting {
    reference: String,
    name: String,
    national_id: String,
    submitted_at: i64,
    paid: i64,
}

/// The audit detail of a list.
#[derive(Serialize)]
struct Listed {
    count: usize,
}

pub async fn waiting_renewals(
    state: &AppState,
    member: &StaffMember,
) -> Result<Vec<WaitingRenewal>, PortalError> {
    let now = state.clock.unix();
    let rows: Vec<Waiting> = sqlx::query_as(
        "SELECT a.reference, c.name, c.national_id, a.submitted_at, \
                CASE WHEN p.status = 'paid' THEN 1 ELSE 0 END AS paid \
         FROM moica_applications a JOIN citizens c ON c.id = a.citizen_id \
         LEFT JOIN renewal_payments p ON p.application_id = a.id \
         WHERE a.renewal_of IS NOT NULL AND a.status = $1 AND a.expires_at > $2 \
         ORDER BY a.submitted_at, a.id LIMIT $3",
    )
    .bind(ApplicationStatus::Submitted.code())
    .bind(now)
    .bind(RENEWALS_LISTED)
    .fetch_all(&state.db.pool)
    .await?;
    // Listing applicants reads registry data: audited like a look-up.
    record(
        state,
        member,
        "moica_issuance.list_renewals",
        "moica_applications",
        &Listed { count: rows.len() },
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| WaitingRenewal {
            reference: row.reference,
            name: row.name,
            masked_id: NationalId::parse(&row.national_id)
                .map(|id| id.masked())
                .unwrap_or_default(),
            submitted_at: roc_date_time(row.submitted_at),
            age: Age::since(&state.calendar, row.submitted_at, now, None),
            paid: row.paid == 1,
        })
        .collect())
}
