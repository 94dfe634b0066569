//! Pre-applications in the database (C-1, C-2): matching the applicant against the registry,
//! and the application itself — one open per citizen, its 用戶代碼 and PIN sealed, with its
//! notice mail and audit row in the same transaction.

use super::form::ApplicationForm;
use super::{ApplicationSummary, COLLECT_WITHIN_DAYS};
use crate::domain::roc_date::RocDate;
use crate::error::PortalError;
use crate::platform::audit::{self, AuditEvent, CitizenActor};
use crate::platform::clock::{case_reference, roc_date_time, taipei_to_utc, unix_to_taipei};
use crate::platform::db::Db;
use crate::platform::outbox;
use crate::platform::seal::SealKey;
use crate::services::certificate::eligibility::RegistryFacts;
use crate::services::staff::StaffMember;
use chrono::NaiveDate;
use sqlx::{AnyConnection, AnyPool, Row};

/// The registry person an application was matched to.
#[derive(Clone, Debug)]
pub struct Applicant {
    pub citizen_id: i64,
    pub name: String,
    pub facts: RegistryFacts,
}

/// The applicant whose registry entry the ID number, name and birth date match, with an ID
/// number in use; `None` for any mismatch, without saying which.
pub async fn identify(pool: &AnyPool, form: &ApplicationForm) -> sqlx::Result<Option<Applicant>> {
    let row = sqlx::query(
        "SELECT id, name, birth_date, id_status, CAST(nationality_registered AS INTEGER), \
                CAST(under_guardianship AS INTEGER) \
         FROM citizens WHERE national_id = $1",
    )
    .bind(form.national_id.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let name: String = row.get(1);
    let birth_date: String = row.get(2);
    let id_status: String = row.get(3);
    let Ok(birth_date) = NaiveDate::parse_from_str(&birth_date, "%Y-%m-%d") else {
        return Ok(None);
    };
    let matches = form.name.matches(&name)
        && birth_date == form.birth_date.to_naive()
        && id_status == "active";
    Ok(matches.then(|| Applicant {
        citizen_id: row.get(0),
        name,
        facts: RegistryFacts {
            birth_date,
            nationality_registered: row.get::<i64, _>(4) != 0,
            under_guardianship: row.get::<i64, _>(5) != 0,
        },
    }))
}

/// Who takes an application: the citizen online, a registrar at the counter, or the citizen's
/// card renewing the certificate with this id online (線上續卡, C-4).
#[derive(Clone, Copy)]
pub enum Taker<'a> {
    Citizen(&'a CitizenActor),
    Registrar(&'a StaffMember),
    Renewal(&'a CitizenActor, i64),
}

impl Taker<'_> {
    fn channel(self) -> super::Channel {
        match self {
            Taker::Citizen(_) | Taker::Renewal(..) => super::Channel::Online,
            Taker::Registrar(_) => super::Channel::Counter,
        }
    }

    fn renewal_of(self) -> Option<i64> {
        match self {
            Taker::Renewal(_, certificate) => Some(certificate),
            _ => None,
        }
    }

    fn audit(self, subject: &str, detail: serde_json::Value) -> AuditEvent {
        match self {
            Taker::Citizen(citizen) => {
                citizen.audit("moica_application.submit", subject, detail.to_string())
            }
            Taker::Registrar(member) => member.audit("moica_application.submit", subject, detail),
            Taker::Renewal(citizen, _) => {
                citizen.audit("moica_renewal.request", subject, detail.to_string())
            }
        }
    }
}

/// The label a sealed secret of application `id` is bound to.
pub fn seal_label(id: i64, field: &str) -> String {
    format!("moica-application:{id}:{field}")
}

/// Takes the application: supersedes the citizen's open one (its secrets erased), stores this
/// one with the 用戶代碼 and a chosen PIN sealed, mails the notice and audits it.
pub async fn submit(
    db: &Db,
    seal: &SealKey,
    now: i64,
    applicant: &Applicant,
    form: &ApplicationForm,
    taker: Taker<'_>,
) -> Result<ApplicationSummary, PortalError> {
    // Two submissions racing on PostgreSQL: the second's insert waits for the first and then
    // breaks the one-open index; tried again, it supersedes the first like any later one.
    let mut attempts = 0;
    loop {
        attempts += 1;
        match try_submit(db, seal, now, applicant, form, taker).await {
            Err(Failure::Raced) if attempts < 3 => continue,
            Err(Failure::Raced) => return Err(PortalError::Unavailable),
            Err(Failure::Database(error)) => return Err(PortalError::unavailable(error)),
            Err(Failure::Sealing) => return Err(PortalError::Unavailable),
            Ok(summary) => return Ok(summary),
        }
    }
}

enum Failure {
    Raced,
    Sealing,
    Database(sqlx::Error),
}

impl From<sqlx::Error> for Failure {
    fn from(error: sqlx::Error) -> Failure {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => Failure::Raced,
            _ => Failure::Database(error),
        }
    }
}

async fn try_submit(
    db: &Db,
    seal: &SealKey,
    now: i64,
    applicant: &Applicant,
    form: &ApplicationForm,
    taker: Taker<'_>,
) -> Result<ApplicationSummary, Failure> {
    let today = unix_to_taipei(now).date_naive();
    let collect_by = today + chrono::Days::new(COLLECT_WITHIN_DAYS);
    let expires_at = taipei_to_utc(
        (collect_by + chrono::Days::new(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default(),
    )
    .timestamp();
    let mut tx = db.begin_write().await?;
    // The open application this one replaces, if any: its secrets go, and its e-mail hears of
    // it, so that nobody replaces someone's application unnoticed.
    let replaced: Option<(String, String)> = sqlx::query_as(
        "UPDATE moica_applications \
         SET status = 'superseded', user_code_sealed = NULL, pin_sealed = NULL \
         WHERE citizen_id = $1 AND status = 'submitted' RETURNING reference, email",
    )
    .bind(applicant.citizen_id)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .next();
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO moica_applications \
             (reference, citizen_id, channel, email, mobile, pin_choice, submitted_at, expires_at, \
              renewal_of) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(applicant.citizen_id)
    .bind(taker.channel().code())
    .bind(form.email.as_str())
    .bind(form.mobile.as_str())
    .bind(form.pin_choice().code())
    .bind(now)
    .bind(expires_at)
    .bind(taker.renewal_of())
    .fetch_all(&mut *tx)
    .await?
    .first()
    .copied()
    .ok_or(Failure::Database(sqlx::Error::RowNotFound))?;
    let reference = case_reference('M', id, now);
    let user_code = seal
        .seal(form.user_code.expose(), &seal_label(id, "user_code"))
        .ok_or(Failure::Sealing)?;
    let pin = match &form.pin {
        Some(pin) => Some(
            seal.seal(pin.expose(), &seal_label(id, "pin"))
                .ok_or(Failure::Sealing)?,
        ),
        None => None,
    };
    sqlx::query(
        "UPDATE moica_applications SET reference = $1, user_code_sealed = $2, pin_sealed = $3 \
         WHERE id = $4",
    )
    .bind(&reference)
    .bind(&user_code)
    .bind(pin.as_deref())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let summary = ApplicationSummary {
        reference,
        name: applicant.name.clone(),
        masked_id: form.national_id.masked(),
        birth_date: form.birth_date.display_slash(),
        email: form.email.as_str().to_owned(),
        mobile: form.mobile.as_str().to_owned(),
        pin_choice: form.pin_choice(),
        submitted_at: roc_date_time(now),
        collect_by: RocDate::from_naive(collect_by)
            .map(RocDate::display_slash)
            .unwrap_or_default(),
        replaced: replaced.as_ref().map(|(reference, _)| reference.clone()),
    };
    match taker {
        Taker::Renewal(..) => notify_renewal(&mut tx, now, &summary).await?,
        _ => notify(&mut tx, now, &summary).await?,
    };
    if let Some((old, email)) = &replaced {
        notify_replaced(&mut tx, now, &summary, old, email).await?;
    }
    audit::append(
        &mut tx,
        now,
        &taker.audit(
            &summary.reference,
            serde_json::json!({
                "pin_choice": summary.pin_choice.code(),
                "replaced": summary.replaced,
            }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(summary)
}

/// 線上續卡申請通知: the fee and postage, the mailing and the activation to come; no secret.
async fn notify_renewal(
    conn: &mut AnyConnection,
    now: i64,
    summary: &ApplicationSummary,
) -> sqlx::Result<i64> {
    outbox::enqueue(
        conn,
        now,
        &summary.email,
        "自然人憑證線上續卡申請通知 / Citizen certificate renewal received",
        &format!(
            "{name} 您好：\n\n您已於 {at} 線上申請自然人憑證續卡，申請編號 {reference}。\n\
             費用：IC 卡工本費 {fee} 元＋掛號郵資處理費 {postage} 元，共 {total} 元。\n\
             新卡製妥後將以掛號寄至您的戶籍地址；收到後請至網路申辦服務「憑證線上開卡」，\
             將新卡插入讀卡機並以 PIN 碼（預設為民國出生年月日 6 碼）完成開卡，開卡前新卡無法使用。\n\
             如非本人申請，請洽戶政事務所或撥打內政服務熱線 1996。\n\n\
             You applied online on {at} to renew your citizen certificate (application \
             {reference}). Fee: NT${fee} for the card and NT${postage} registered postage, \
             NT${total} in all. The new card is mailed to your registered address; when it \
             arrives, activate it online (Activate a mailed card) with the card in a reader and \
             its PIN (your ROC date of birth, 6 digits): it cannot be used before. If you did \
             not apply, contact a household registration office or call 1996.\n",
            name = summary.name,
            at = summary.submitted_at,
            reference = summary.reference,
            fee = super::FEE,
            postage = super::POSTAGE,
            total = super::FEE + super::POSTAGE,
        ),
    )
    .await
}

/// The notice to the e-mail given: what was applied for and what to bring; no secret.
async fn notify(
    conn: &mut AnyConnection,
    now: i64,
    summary: &ApplicationSummary,
) -> sqlx::Result<i64> {
    outbox::enqueue(
        conn,
        now,
        &summary.email,
        "自然人憑證線上申請通知 / Citizen certificate application received",
        &format!(
            "{name} 您好：\n\n您已於 {at} 線上填寫自然人憑證申請，申請編號 {reference}。\n\
             請於 {collect_by} 前，攜帶本人國民身分證正本及 IC 卡工本費 {fee} 元，親至任一戶政事務所\
             （週一至週五 8:30–12:00、13:30–17:00）領取自然人憑證 IC 卡。\n\
             如非本人申請，請洽戶政事務所或撥打內政服務熱線 1996。\n\n\
             You applied online for a citizen certificate on {at} (application {reference}). \
             Collect the card in person at any household registration office by {collect_by}, \
             bringing your original ID card and the fee of NT${fee} (Monday to Friday, \
             8:30–12:00 and 13:30–17:00). If you did not apply, contact a household \
             registration office or call 1996.\n",
            name = summary.name,
            at = summary.submitted_at,
            reference = summary.reference,
            collect_by = summary.collect_by,
            fee = super::FEE,
        ),
    )
    .await
}

/// The notice to the e-mail of the application `old` that `summary` replaced.
async fn notify_replaced(
    conn: &mut AnyConnection,
    now: i64,
    summary: &ApplicationSummary,
    old: &str,
    email: &str,
) -> sqlx::Result<i64> {
    outbox::enqueue(
        conn,
        now,
        email,
        "自然人憑證申請已由新申請取代 / Citizen certificate application replaced",
        &format!(
            "{name} 您好：\n\n您的自然人憑證申請 {old} 已於 {at} 由新的線上申請 {new} 取代，原申請之用戶代碼及密碼已刪除。\n\
             如非本人申請，請儘速攜帶國民身分證正本洽戶政事務所，或撥打內政服務熱線 1996。\n\n\
             Your citizen certificate application {old} was replaced on {at} by a new online \
             application, {new}; the codes of the earlier one are deleted. If you did not make \
             the new application, contact a household registration office with your ID card or \
             call 1996 at once.\n",
            name = summary.name,
            at = summary.submitted_at,
            new = summary.reference,
        ),
    )
    .await
}

/// Closes the applications not collected in time and erases their secrets. The number closed.
pub async fn close_expired(pool: &AnyPool, now: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE moica_applications \
         SET status = 'expired', user_code_sealed = NULL, pin_sealed = NULL \
         WHERE expires_at <= $1 AND status = 'submitted'",
    )
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected())
}

#[cfg(test)]
mod tests {
    #[test]
    fn c2_application_numbers_carry_the_roc_date() {
        // 2026-11-28 12:00 in Taipei.
        assert_eq!(
            crate::platform::clock::case_reference('M', 42, 1_795_838_400),
            "M1151128-000042"
        );
    }
}
