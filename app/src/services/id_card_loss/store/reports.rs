//! The citizen's changes to a report (L4-1…L4-3): reporting the card lost, the revocation
//! password's tries, and revoking, each one unit of work over [`LossReport`] (and the
//! [`FollowUp`] a revocation confirms).

use super::super::cases::{
    Channel, ContactFacts, ContactState, FollowUp, FollowUpAction, LossAction, LossReport,
    LossStatus, RevocationFacts,
};
use super::super::events::{ContactMethod, EventKind};
use super::super::mail::{Reported, Revoked};
use super::{
    no_open_report, open_report, record_event, reference_of, refused, revocation_locked,
    ContactEvent, Holder, OpenReport, PASSWORD_TRIES,
};
use crate::cases::actor::Actor;
use crate::cases::work::Work;
use crate::cases::Code;
use crate::domain::calendar::WorkingCalendar;
use crate::error::PortalError;
use crate::platform::clock::unix_to_taipei;
use crate::platform::db::Db;
use crate::platform::rows::RowExt;
use serde::Serialize;
use sqlx::{AnyPool, Row};

/// Where the office reaches the citizen about a report.
pub struct Contact<'a> {
    pub phone: &'a str,
    pub email: &'a str,
}

/// The audit details of a report and of a revocation.
#[derive(Serialize)]
struct ByChannel {
    channel: &'static str,
}

/// A holder whose current card has no open report: what [`report`] takes, found before the
/// revocation password is hashed, so that a card already reported is refused without the cost
/// of argon2 (which is slow on purpose; issue 21 item 6).
pub struct Unreported<'a> {
    holder: &'a Holder,
}

/// The holder, if their current card is not reported lost yet; refused otherwise (L4-1).
pub async fn unreported<'a>(
    pool: &AnyPool,
    holder: &'a Holder,
) -> Result<Unreported<'a>, PortalError> {
    match open_report(pool, holder).await? {
        Some(_) => Err(already_reported()),
        None => Ok(Unreported { holder }),
    }
}

fn already_reported() -> PortalError {
    refused(
        "您的國民身分證已掛失，無須重複掛失；可使用「掛失查詢」查看掛失紀錄。",
        "Your ID card is already reported lost. Use \"Look up loss reports\" to see the report.",
    )
}

/// How a report was made: online with its revocation password (hashed), with the citizen's
/// certificate, or by telephone, each without a password.
pub enum ReportedBy<'a> {
    Online {
        password_hash: &'a str,
    },
    Certificate,
    /// Entered by staff; `note` is recorded with the report's event.
    Phone {
        note: &'a str,
    },
}

impl ReportedBy<'_> {
    fn channel(&self) -> Channel {
        match self {
            ReportedBy::Online { .. } => Channel::Online,
            ReportedBy::Certificate => Channel::Moica,
            ReportedBy::Phone { .. } => Channel::Phone,
        }
    }
}

/// 掛失 (L4-1): marks the current card lost, keeps the revocation password hashed, tells the
/// office (the report appears in its RL03Y00 list, on the tab its channel and whether it was
/// made in office hours by `calendar` say) and mails the citizen. Returns the report
/// number and when it was made.
pub async fn report(
    db: &Db,
    calendar: &WorkingCalendar,
    now: i64,
    card: Unreported<'_>,
    contact: &Contact<'_>,
    by: ReportedBy<'_>,
    actor: &Actor,
) -> Result<(String, i64), PortalError> {
    let holder = card.holder;
    let channel = by.channel();
    let (password_hash, note) = match by {
        ReportedBy::Online { password_hash } => (Some(password_hash), None),
        ReportedBy::Certificate => (None, None),
        ReportedBy::Phone { note } => (None, Some(note)),
    };
    let mut work = Work::begin(db, actor, now).await?;
    // The report number is made from the row's id, so two reports never get the same one; a
    // unique violation here can only be the one-open-report-per-card index.
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO id_card_loss_reports \
             (reference, citizen_id, issuance_id, household_office_code, channel, phone, email, \
              password_hash, status, contact_state, reported_at, in_office_hours) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(holder.citizen_id)
    .bind(holder.issuance_id)
    .bind(&holder.household_office_code)
    .bind(channel.code())
    .bind(contact.phone)
    .bind(contact.email)
    .bind(password_hash)
    .bind(LossStatus::Lost.code())
    .bind(ContactState::Pending.code())
    .bind(now)
    .bind(calendar.is_office_hours(unix_to_taipei(now).naive_local()))
    .fetch_all(work.conn())
    .await;
    let report_id = match inserted.map(|ids| ids.first().copied()) {
        Ok(Some(id)) => id,
        Ok(None) => return Err(PortalError::Unavailable),
        // The one-open-report-per-card index: a report made since `unreported` looked.
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            return Err(already_reported())
        }
        Err(error) => return Err(error.into()),
    };
    let reference = reference_of(report_id, now);
    sqlx::query("UPDATE id_card_loss_reports SET reference = $1 WHERE id = $2")
        .bind(&reference)
        .bind(report_id)
        .execute(work.conn())
        .await?;
    // Reported upward with who entered it, when staff did.
    record_event(
        work.conn(),
        report_id,
        EventKind::Reported,
        None,
        note,
        actor.staff_id,
        now,
    )
    .await?;
    work.mail(&Reported {
        to: contact.email,
        name: &holder.name,
        reference: &reference,
        at: now,
    })
    .await?;
    work.start::<LossReport>(
        reference.as_str(),
        LossAction::Report,
        LossStatus::Lost,
        &ByChannel {
            channel: channel.code(),
        },
    )
    .await?;
    work.opened::<FollowUp>(
        reference.as_str(),
        FollowUpAction::Open,
        ContactState::Pending,
    )
    .await?;
    work.commit().await?;
    Ok((reference, now))
}

/// Takes one of the report's 3 password tries before the password is checked (L4-2): one
/// guarded update, committed at once, so however many guesses arrive at once, at most 3 are
/// ever checked. Returns the tries used so far, this one included; refused once all are used
/// (locked). A right password gives its try back when the report is revoked ([`revoke`]).
pub async fn take_password_try(
    db: &Db,
    now: i64,
    report_id: i64,
    actor: &Actor,
) -> Result<i64, PortalError> {
    let mut work = Work::begin(db, actor, now).await?;
    let used: Vec<i64> = sqlx::query_scalar(
        "UPDATE id_card_loss_reports SET password_failures = password_failures + 1 \
         WHERE id = $1 AND status = $2 AND password_failures < $3 RETURNING password_failures",
    )
    .bind(report_id)
    .bind(LossStatus::Lost.code())
    .bind(PASSWORD_TRIES)
    .fetch_all(work.conn())
    .await?;
    let used = used.first().copied().ok_or_else(revocation_locked)?;
    work.commit().await?;
    Ok(used)
}

/// The audit details of a wrong revocation password.
#[derive(Serialize)]
struct WrongPassword {
    failures: i64,
}

/// Records a wrong password whose try [`take_password_try`] took (`failures` tries used),
/// and the lock when it was the last; returns the tries left.
pub async fn wrong_password(
    db: &Db,
    now: i64,
    report: &OpenReport,
    failures: i64,
    actor: &Actor,
) -> Result<i64, PortalError> {
    let mut work = Work::begin(db, actor, now).await?;
    if failures == PASSWORD_TRIES {
        record_event(
            work.conn(),
            report.id,
            EventKind::Locked,
            None,
            None,
            None,
            now,
        )
        .await?;
    }
    work.audit(
        "id_card_loss.revoke.wrong_password",
        &report.reference,
        &WrongPassword { failures },
    )
    .await?;
    work.commit().await?;
    Ok(PASSWORD_TRIES - failures)
}

/// 撤銷掛失 (L4-2, L4-3): revokes the open report, by the right password (`channel` online,
/// whose try is given back), the citizen's certificate, or a registrar at a counter (whose
/// `note` says where and on what document, and goes upward with the event); one not yet
/// confirmed by the office is marked 已聯絡到當事人或已確認 at the same time, and that is
/// reported upward too (seed 004 (二)3). Returns when it was revoked.
pub async fn revoke(
    db: &Db,
    now: i64,
    report: &OpenReport,
    channel: Channel,
    actor: &Actor,
    note: Option<&str>,
) -> Result<i64, PortalError> {
    let mut work = Work::begin(db, actor, now).await?;
    let status: Option<LossStatus> =
        sqlx::query("SELECT status FROM id_card_loss_reports WHERE id = $1")
            .bind(report.id)
            .fetch_optional(work.conn())
            .await?
            .map(|row| row.code("status"))
            .transpose()?;
    // The caller found the report open; gone or revoked since, it was revoked by a request
    // that raced this one.
    let status = status.ok_or_else(no_open_report)?;
    let act = work
        .act::<LossReport>(report.reference.as_str(), status, LossAction::Revoke)
        .set("revoked_at", now)
        .detail(&ByChannel {
            channel: channel.code(),
        });
    // At a counter: where and on what document, on the case's timeline too.
    let act = match note {
        Some(note) => act.note(note),
        None => act,
    };
    // The caller checked the revocation password, the citizen signed in with their own
    // certificate (L4-3), or the registrar checked the person and their document.
    act.run(&RevocationFacts {
        holder_proven: true,
    })
    .await?;
    // The row is this work's now (written above), so what follows reads and changes it as it
    // stands, with no other request in between.
    sqlx::query(
        "UPDATE id_card_loss_reports SET password_failures = password_failures - $1 WHERE id = $2",
    )
    .bind(channel.tries_taken())
    .bind(report.id)
    .execute(work.conn())
    .await?;
    let row = sqlx::query("SELECT contact_state, email FROM id_card_loss_reports WHERE id = $1")
        .bind(report.id)
        .fetch_one(work.conn())
        .await?;
    let contact_state: ContactState = row.code("contact_state")?;
    let email: String = row.try_get("email")?;
    record_event(
        work.conn(),
        report.id,
        EventKind::Revoked,
        None,
        note,
        actor.staff_id,
        now,
    )
    .await?;
    if contact_state != ContactState::Confirmed {
        work.act::<FollowUp>(
            report.reference.as_str(),
            contact_state,
            FollowUpAction::ConfirmByRevocation,
        )
        .run(&ContactFacts {
            attempts: 0,
            noted: false,
        })
        .await?;
        record_event(
            work.conn(),
            report.id,
            EventKind::Contact,
            Some(ContactEvent {
                method: ContactMethod::System,
                outcome: ContactState::Confirmed,
            }),
            None,
            None,
            now,
        )
        .await?;
    }
    work.mail(&Revoked {
        to: &email,
        reference: &report.reference,
        at: now,
    })
    .await?;
    work.commit().await?;
    Ok(now)
}
