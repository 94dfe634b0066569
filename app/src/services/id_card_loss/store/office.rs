//! The household office's side of the reports (RL03Y00, L4-4): its lists, the contacts it
//! records (one unit of work over [`FollowUp`] each) and the events reported upward.

use super::super::cases::{
    Channel, ContactFacts, ContactState, FollowUp, FollowUpAction, LossStatus,
};
use super::super::events::{ContactMethod, EventKind};
use super::super::form::ContactRecord;
use super::super::office::{OfficeReport, Tab, UpwardEvent};
use super::{record_event, refused, ContactEvent};
use crate::cases::actor::Actor;
use crate::cases::work::Work;
use crate::cases::{Code, Machine};
use crate::components::queue::Age;
use crate::domain::national_id::NationalId;
use crate::error::PortalError;
use crate::platform::clock::roc_date_time;
use crate::platform::db::Db;
use crate::platform::rows::RowExt;
use crate::platform::AppState;
use serde::Serialize;
use sqlx::{AnyPool, Row};

/// The reports of office `office_code` on `tab`, oldest first.
pub async fn office_reports(
    state: &AppState,
    office_code: &str,
    tab: Tab,
) -> Result<Vec<OfficeReport>, PortalError> {
    // 免自然人憑證 is every channel but the certificate (online, by telephone); its code is
    // a constant of this crate.
    let moica = Channel::Moica.code();
    let (filter, contact_state) = match tab {
        Tab::FirstContact => (
            format!(
                "r.contact_state = $2 AND r.contact_attempts = 0 \
                 AND (r.channel <> '{moica}' OR NOT r.in_office_hours)"
            ),
            ContactState::Pending,
        ),
        Tab::CertificateInHours => (
            format!(
                "r.contact_state = $2 AND r.contact_attempts = 0 \
                 AND r.channel = '{moica}' AND r.in_office_hours"
            ),
            ContactState::Pending,
        ),
        Tab::Unresolved => ("r.contact_state = $2".to_owned(), ContactState::Unreachable),
    };
    let rows = sqlx::query(&format!(
        "SELECT r.id, r.reference, c.name, c.national_id, r.phone, r.email, r.reported_at, \
                r.status, r.contact_attempts, r.channel \
         FROM id_card_loss_reports r JOIN citizens c ON c.id = r.citizen_id \
         WHERE r.household_office_code = $1 AND {filter} ORDER BY r.reported_at, r.id"
    ))
    .bind(office_code)
    .bind(contact_state.code())
    .fetch_all(&state.db.pool)
    .await?;
    let now = state.clock.unix();
    let mut reports = Vec::with_capacity(rows.len());
    for row in rows {
        let national_id: String = row.try_get("national_id")?;
        let status: LossStatus = row.code("status")?;
        reports.push(OfficeReport {
            id: row.try_get("id")?,
            reference: row.try_get("reference")?,
            name: row.try_get("name")?,
            masked_id: NationalId::parse(&national_id)
                .map(|id| id.masked())
                .unwrap_or_default(),
            phone: row.try_get("phone")?,
            email: row.try_get("email")?,
            reported_at: roc_date_time(row.try_get("reported_at")?),
            channel: row.code("channel")?,
            age: Age::since(&state.calendar, row.try_get("reported_at")?, now, None),
            revoked: status == LossStatus::Revoked,
            contact_attempts: row.try_get("contact_attempts")?,
        });
    }
    Ok(reports)
}

/// The open report on a holder's current card as a registrar at a counter sees it (issue 20
/// item 14).
pub struct CounterOpenReport {
    pub reference: String,
    /// ROC date-time.
    pub reported_at: String,
    pub channel: Channel,
    /// Online revocation is locked (three wrong passwords).
    pub locked: bool,
    /// The office the report went to.
    pub office: String,
}

/// The open report on `holder`'s current card, with its office, if any.
pub async fn counter_report(
    pool: &AnyPool,
    holder: &super::Holder,
) -> Result<Option<CounterOpenReport>, PortalError> {
    let row = sqlx::query(
        "SELECT r.reference, r.reported_at, r.channel, r.password_failures, o.name AS office \
         FROM id_card_loss_reports r JOIN household_offices o ON o.code = r.household_office_code \
         WHERE r.issuance_id = $1 AND r.status = $2",
    )
    .bind(holder.issuance_id)
    .bind(LossStatus::Lost.code())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let failures: i64 = row.try_get("password_failures")?;
    Ok(Some(CounterOpenReport {
        reference: row.try_get("reference")?,
        reported_at: roc_date_time(row.try_get("reported_at")?),
        channel: row.code("channel")?,
        locked: failures >= super::PASSWORD_TRIES,
        office: row.try_get("office")?,
    }))
}

/// The audit details of a contact.
#[derive(Serialize)]
struct ContactDetail {
    attempt: i64,
    method: &'static str,
    outcome: &'static str,
}

/// Records one contact attempt (L4-4) on a report of office `office_code`, as the next
/// attempt: a second form posted for the same attempt (two clerks at once) is refused, and so
/// is a report of another office, which looks the same as no report at all. Returns the
/// report's number.
pub async fn record_contact(
    db: &Db,
    now: i64,
    office_code: &str,
    contact: &ContactRecord,
    actor: &Actor,
) -> Result<String, PortalError> {
    let mut work = Work::begin(db, actor, now).await?;
    let row = sqlx::query(
        "SELECT reference, contact_attempts, contact_state FROM id_card_loss_reports \
         WHERE id = $1 AND household_office_code = $2",
    )
    .bind(contact.report_id)
    .bind(office_code)
    .fetch_optional(work.conn())
    .await?;
    let Some(row) = row else {
        return Err(refused("查無此掛失紀錄。", "No such report."));
    };
    let reference: String = row.try_get("reference")?;
    let attempts: i64 = row.try_get("contact_attempts")?;
    let state: ContactState = row.code("contact_state")?;
    let mut act = work
        .act::<FollowUp>(
            reference.as_str(),
            state,
            FollowUpAction::contact(contact.outcome),
        )
        .detail(&ContactDetail {
            attempt: attempts + 1,
            method: contact.method.code(),
            outcome: contact.outcome.code(),
        });
    if let Some(note) = &contact.note {
        act = act.note(note.clone());
    }
    act.run(&ContactFacts {
        attempts,
        noted: contact.note.is_some(),
    })
    .await?;
    // The attempt is counted only if no other contact was recorded since it was read: of two
    // clerks recording the same attempt, one is refused even when the state stays the same.
    let counted = sqlx::query(
        "UPDATE id_card_loss_reports SET contact_attempts = contact_attempts + 1 \
         WHERE id = $1 AND contact_attempts = $2",
    )
    .bind(contact.report_id)
    .bind(attempts)
    .execute(work.conn())
    .await?
    .rows_affected();
    if counted != 1 {
        return Err(FollowUp::overtaken().into());
    }
    record_event(
        work.conn(),
        contact.report_id,
        EventKind::Contact,
        Some(ContactEvent {
            method: contact.method,
            outcome: contact.outcome,
        }),
        contact.note.as_deref(),
        actor.staff_id,
        now,
    )
    .await?;
    work.commit().await?;
    Ok(reference)
}

/// The events reported upward in `county` (all of them for `None`), newest first.
pub async fn upward_events(
    pool: &AnyPool,
    county: Option<String>,
) -> Result<Vec<UpwardEvent>, PortalError> {
    let rows = sqlx::query(
        "SELECT e.recorded_at, e.county, o.name AS office, r.reference, e.kind, \
                e.contact_method, e.outcome, e.note \
         FROM id_card_loss_events e \
         JOIN id_card_loss_reports r ON r.id = e.report_id \
         JOIN household_offices o ON o.code = r.household_office_code \
         WHERE ($1 IS NULL OR e.county = $1) ORDER BY e.recorded_at DESC, e.id DESC LIMIT 500",
    )
    .bind(county)
    .fetch_all(pool)
    .await?;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let method: Option<String> = row.try_get("contact_method")?;
        let outcome: Option<String> = row.try_get("outcome")?;
        events.push(UpwardEvent {
            recorded_at: roc_date_time(row.try_get("recorded_at")?),
            county: row.try_get("county")?,
            office: row.try_get("office")?,
            reference: row.try_get("reference")?,
            kind: row.code::<EventKind>("kind")?,
            method: method.as_deref().and_then(ContactMethod::from_code),
            outcome: outcome.as_deref().and_then(ContactState::from_code),
            note: row.try_get("note")?,
        });
    }
    Ok(events)
}
