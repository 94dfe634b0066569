//! The loss reports in the database (L4-1, L4-2, L4-4): matching a form against the registry,
//! and the report, look-up, revocation and office follow-up, each in one transaction with its
//! events, its mail and its audit row.

use super::form::LossForm;
use super::LossRecord;
use crate::domain::address::RegistryAddress;
use crate::error::PortalError;
use crate::platform::audit::{self, CitizenActor};
use crate::platform::clock::roc_date_time;
use crate::platform::db::Db;
use crate::platform::outbox;
use sqlx::{AnyConnection, AnyPool, Row};

/// Wrong revocation passwords that lock online revocation of a report (L4-2).
pub const PASSWORD_TRIES: i64 = 3;

/// The registry person a form was matched to, with their current card.
#[derive(Clone, Debug)]
pub struct Holder {
    pub citizen_id: i64,
    pub issuance_id: i64,
    pub name: String,
    pub household_office_code: String,
    pub county: String,
}

/// The citizen whose registry entry the form's answers match (L4-1): ID number, birth date,
/// registered address and a parent's (or adoptive parent's) name, and an ID in use with a
/// current card. `None` for any mismatch, without saying which.
pub async fn identify(pool: &AnyPool, form: &LossForm) -> sqlx::Result<Option<Holder>> {
    let row = sqlx::query(
        "SELECT c.id, c.name, c.birth_date, c.county, c.township, c.village, c.neighborhood, \
                c.street_address, c.household_office_code, c.father_name, c.mother_name, \
                c.adoptive_father_name, c.adoptive_mother_name, c.id_status, i.id \
         FROM citizens c LEFT JOIN id_card_issuances i ON i.citizen_id = c.id AND i.is_current \
         WHERE c.national_id = $1",
    )
    .bind(form.national_id.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let birth_date: String = row.get(2);
    let (county, township, village): (String, String, String) =
        (row.get(3), row.get(4), row.get(5));
    let street_address: String = row.get(7);
    let registry_address = RegistryAddress {
        county: &county,
        township: &township,
        village: &village,
        neighborhood: row.get(6),
        street_address: &street_address,
    };
    let parents: Vec<Option<String>> = (9..=12).map(|i| row.get(i)).collect();
    let id_status: String = row.get(13);
    let issuance_id: Option<i64> = row.get(14);
    let matches = birth_date == form.birth_date.to_naive().format("%Y-%m-%d").to_string()
        && form.address.matches(&registry_address)
        && parents
            .iter()
            .flatten()
            .any(|parent| form.parent_name.matches(parent))
        && id_status == "active";
    Ok(match (matches, issuance_id) {
        (true, Some(issuance_id)) => Some(Holder {
            citizen_id: row.get(0),
            issuance_id,
            name: row.get(1),
            household_office_code: row.get(8),
            county,
        }),
        _ => None,
    })
}

/// The holder signed in with their citizen certificate (L4-3): no questions to answer.
pub async fn holder_by_id(pool: &AnyPool, citizen_id: i64) -> sqlx::Result<Option<Holder>> {
    let row = sqlx::query(
        "SELECT c.id, i.id, c.name, c.household_office_code, c.county \
         FROM citizens c JOIN id_card_issuances i ON i.citizen_id = c.id AND i.is_current \
         WHERE c.id = $1 AND c.id_status = 'active'",
    )
    .bind(citizen_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| Holder {
        citizen_id: row.get(0),
        issuance_id: row.get(1),
        name: row.get(2),
        household_office_code: row.get(3),
        county: row.get(4),
    }))
}

/// How a report was made: online answering questions (with a revocation password), or with
/// the citizen's certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Online,
    Moica,
}

impl Channel {
    fn code(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Moica => "moica",
        }
    }

    /// Wrong passwords that lock revocation this way: the card proves who revokes, so no
    /// count of wrong passwords holds it back.
    /// Password tries a revocation through this channel has taken (and gives back).
    fn tries_taken(self) -> i64 {
        match self {
            Channel::Online => 1,
            Channel::Moica => 0,
        }
    }
}

/// Where the office reaches the citizen about a report.
pub struct Contact<'a> {
    pub phone: &'a str,
    pub email: &'a str,
}

fn refused(zh_tw: &str, english: &str) -> PortalError {
    PortalError::Refused {
        zh_tw: zh_tw.into(),
        english: english.into(),
    }
}

async fn record_event(
    conn: &mut AnyConnection,
    report_id: i64,
    kind: &str,
    contact: Option<(&str, &str, Option<&str>)>,
    staff_id: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    let (method, outcome, note) = match contact {
        Some((method, outcome, note)) => (Some(method), Some(outcome), note),
        None => (None, None, None),
    };
    sqlx::query(
        "INSERT INTO id_card_loss_events \
             (report_id, kind, contact_method, outcome, note, staff_id, county, recorded_at) \
         SELECT $1, $2, $3, $4, $5, $6, o.county, $7 \
         FROM id_card_loss_reports r JOIN household_offices o ON o.code = r.household_office_code \
         WHERE r.id = $1",
    )
    .bind(report_id)
    .bind(kind)
    .bind(method)
    .bind(outcome)
    .bind(note)
    .bind(staff_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// 掛失 (L4-1): marks the current card lost, keeps the revocation password hashed, tells the
/// office (the report appears in its RL03Y00 list) and mails the citizen.
pub async fn report(
    db: &Db,
    now: i64,
    holder: &Holder,
    contact: &Contact<'_>,
    password_hash: Option<&str>,
    actor: &CitizenActor,
) -> Result<(String, i64), PortalError> {
    let channel = if password_hash.is_some() {
        Channel::Online
    } else {
        Channel::Moica
    };
    let mut tx = db.begin_write().await.map_err(PortalError::unavailable)?;
    // The report number is made from the row's id, so two reports never get the same one; a
    // unique violation here can only be the one-open-report-per-card index.
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO id_card_loss_reports \
             (reference, citizen_id, issuance_id, household_office_code, channel, phone, email, \
              password_hash, reported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(holder.citizen_id)
    .bind(holder.issuance_id)
    .bind(&holder.household_office_code)
    .bind(channel.code())
    .bind(contact.phone)
    .bind(contact.email)
    .bind(password_hash)
    .bind(now)
    .fetch_all(&mut *tx)
    .await;
    let report_id = match inserted.map(|ids| ids.first().copied()) {
        Ok(Some(id)) => id,
        Ok(None) => return Err(PortalError::Unavailable),
        // The one-open-report-per-card index: this card is already reported lost.
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            return Err(refused(
                "您的國民身分證已掛失，無須重複掛失；可使用「掛失查詢」查看掛失紀錄。",
                "Your ID card is already reported lost. Use \"Look up loss reports\" to see the report.",
            ))
        }
        Err(error) => return Err(PortalError::unavailable(error)),
    };
    let reference = reference_of(report_id, now);
    sqlx::query("UPDATE id_card_loss_reports SET reference = $1 WHERE id = $2")
        .bind(&reference)
        .bind(report_id)
        .execute(&mut *tx)
        .await
        .map_err(PortalError::unavailable)?;
    record_event(&mut tx, report_id, "reported", None, None, now)
        .await
        .map_err(PortalError::unavailable)?;
    let when = roc_date_time(now);
    outbox::enqueue(
        &mut tx,
        now,
        contact.email,
        "國民身分證掛失通知 / ID card loss report",
        &format!(
            "{name} 您好：\n\n您已於 {when} 以網路申辦國民身分證掛失，掛失編號 {reference}。\n\
             戶政事務所將以電話或電子郵件與您聯絡確認。如非本人申請，請立即洽戶政事務所或撥打 1996。\n\
             尋獲原證時，可於網站以「撤銷掛失預設密碼」辦理撤銷掛失。\n\n\
             Your ID card was reported lost online on {when} (report {reference}). The household \
             registration office will contact you to confirm. If you did not make this report, \
             contact any household registration office or call 1996 at once.\n",
            name = holder.name,
        ),
    )
    .await
    .map_err(PortalError::unavailable)?;
    audit::append(
        &mut tx,
        now,
        &actor.audit(
            "id_card_loss.report",
            &reference,
            format!("{{\"channel\":\"{}\"}}", channel.code()),
        ),
    )
    .await
    .map_err(PortalError::unavailable)?;
    tx.commit().await.map_err(PortalError::unavailable)?;
    Ok((reference, now))
}

/// 查詢 (L4-1): the holder's reports, newest first.
pub async fn records(pool: &AnyPool, holder: &Holder) -> sqlx::Result<Vec<LossRecord>> {
    let rows = sqlx::query(
        "SELECT r.reference, r.reported_at, r.revoked_at, i.issue_date \
         FROM id_card_loss_reports r JOIN id_card_issuances i ON i.id = r.issuance_id \
         WHERE r.citizen_id = $1 ORDER BY r.reported_at DESC, r.id DESC",
    )
    .bind(holder.citizen_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let issued: String = row.get(3);
            LossRecord {
                reference: row.get(0),
                reported_at: roc_date_time(row.get(1)),
                revoked_at: row.get::<Option<i64>, _>(2).map(roc_date_time),
                card_issued_on: roc_day(&issued),
            }
        })
        .collect())
}

/// The holder's current card's issue date (ROC).
pub async fn current_card_issued_on(pool: &AnyPool, holder: &Holder) -> sqlx::Result<String> {
    let issued: String =
        sqlx::query_scalar("SELECT issue_date FROM id_card_issuances WHERE id = $1")
            .bind(holder.issuance_id)
            .fetch_one(pool)
            .await?;
    Ok(roc_day(&issued))
}

/// A registry date (`YYYY-MM-DD`) as the ROC date people read (`110/06/15`).
fn roc_day(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .ok()
        .and_then(crate::domain::roc_date::RocDate::from_naive)
        .map(|d| d.display_slash())
        .unwrap_or_else(|| iso.to_owned())
}

/// The open report on the holder's current card: id, reference, password hash.
pub async fn open_report(
    pool: &AnyPool,
    holder: &Holder,
) -> sqlx::Result<Option<(i64, String, Option<String>)>> {
    let row = sqlx::query(
        "SELECT id, reference, password_hash FROM id_card_loss_reports \
         WHERE issuance_id = $1 AND status = 'lost'",
    )
    .bind(holder.issuance_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| (row.get(0), row.get(1), row.get(2))))
}

pub fn no_open_report() -> PortalError {
    refused(
        "查無您目前國民身分證的掛失紀錄，無須撤銷掛失。",
        "Your current ID card has no open loss report to revoke.",
    )
}

pub fn revocation_locked() -> PortalError {
    refused(
        "撤銷掛失預設密碼已錯誤三次並被鎖碼，無法繼續作業，請洽戶政事務所辦理撤銷掛失。",
        "The revocation password was wrong three times and online revocation is locked. Please revoke the report at a household registration office.",
    )
}

/// Takes one of the report's 3 password tries before the password is checked (L4-2): one
/// guarded update, so however many guesses arrive at once, at most 3 are ever checked.
/// Returns the tries used so far, this one included; refused once all are used (locked).
/// A right password gives its try back when the report is revoked.
pub async fn take_password_try(pool: &AnyPool, report_id: i64) -> Result<i64, PortalError> {
    let used: Vec<i64> = sqlx::query_scalar(
        "UPDATE id_card_loss_reports SET password_failures = password_failures + 1 \
         WHERE id = $1 AND status = 'lost' AND password_failures < $2 RETURNING password_failures",
    )
    .bind(report_id)
    .bind(PASSWORD_TRIES)
    .fetch_all(pool)
    .await
    .map_err(PortalError::unavailable)?;
    used.first().copied().ok_or_else(revocation_locked)
}

/// Records a wrong password whose try [`take_password_try`] took (`failures` tries used),
/// and the lock when it was the last; returns the tries left.
pub async fn wrong_password(
    pool: &AnyPool,
    now: i64,
    report_id: i64,
    failures: i64,
    reference: &str,
    actor: &CitizenActor,
) -> Result<i64, PortalError> {
    let mut tx = pool.begin().await.map_err(PortalError::unavailable)?;
    if failures == PASSWORD_TRIES {
        record_event(&mut tx, report_id, "locked", None, None, now)
            .await
            .map_err(PortalError::unavailable)?;
    }
    audit::append(
        &mut tx,
        now,
        &actor.audit(
            "id_card_loss.revoke.wrong_password",
            reference,
            format!("{{\"failures\":{failures}}}"),
        ),
    )
    .await
    .map_err(PortalError::unavailable)?;
    tx.commit().await.map_err(PortalError::unavailable)?;
    Ok(PASSWORD_TRIES - failures)
}

/// 撤銷掛失 (L4-2): revokes the open report; one not yet confirmed by the office is marked
/// 已聯絡到當事人或已確認 at the same time, and that is reported upward too (seed 004 (二)3).
pub async fn revoke(
    db: &Db,
    now: i64,
    report_id: i64,
    reference: &str,
    channel: Channel,
    actor: &CitizenActor,
) -> Result<i64, PortalError> {
    let email = report_email(&db.pool, report_id)
        .await
        .map_err(PortalError::unavailable)?;
    let mut tx = db.begin_write().await.map_err(PortalError::unavailable)?;
    let previous_state: Option<String> = sqlx::query_scalar(
        "SELECT contact_state FROM id_card_loss_reports WHERE id = $1 AND status = 'lost'",
    )
    .bind(report_id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(PortalError::unavailable)?;
    // Online, the right password's try (taken by take_password_try) is given back.
    let revoked = sqlx::query(
        "UPDATE id_card_loss_reports SET status = 'revoked', revoked_at = $2, \
             contact_state = 'confirmed', password_failures = password_failures - $3 \
         WHERE id = $1 AND status = 'lost'",
    )
    .bind(report_id)
    .bind(now)
    .bind(channel.tries_taken())
    .execute(&mut *tx)
    .await
    .map_err(PortalError::unavailable)?
    .rows_affected();
    if previous_state.is_none() || revoked != 1 {
        // Revoked or locked by a request that raced this one.
        return Err(no_open_report());
    }
    record_event(&mut tx, report_id, "revoked", None, None, now)
        .await
        .map_err(PortalError::unavailable)?;
    if previous_state.as_deref() != Some("confirmed") {
        record_event(
            &mut tx,
            report_id,
            "contact",
            Some(("system", "confirmed", None)),
            None,
            now,
        )
        .await
        .map_err(PortalError::unavailable)?;
    }
    outbox::enqueue(
        &mut tx,
        now,
        &email,
        "國民身分證撤銷掛失通知 / ID card loss report revoked",
        &format!(
            "您已於 {when} 以網路申辦國民身分證撤銷掛失（掛失編號 {reference}），原國民身分證恢復有效。\n\
             如非本人申請，請立即洽戶政事務所或撥打 1996。\n\n\
             The loss report {reference} was revoked online on {when}; the ID card is valid again. \
             If you did not do this, contact any household registration office or call 1996 at once.\n",
            when = roc_date_time(now),
        ),
    )
    .await
    .map_err(PortalError::unavailable)?;
    audit::append(
        &mut tx,
        now,
        &actor.audit(
            "id_card_loss.revoke",
            reference,
            format!("{{\"channel\":\"{}\"}}", channel.code()),
        ),
    )
    .await
    .map_err(PortalError::unavailable)?;
    tx.commit().await.map_err(PortalError::unavailable)?;
    Ok(now)
}

/// The e-mail address a report was made with.
async fn report_email(pool: &AnyPool, report_id: i64) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT email FROM id_card_loss_reports WHERE id = $1")
        .bind(report_id)
        .fetch_one(pool)
        .await
}

/// A report number: `L`, the ROC date and the report's row id (e.g. `L1151128-000042`).
fn reference_of(report_id: i64, now: i64) -> String {
    crate::platform::clock::case_reference('L', report_id, now)
}

#[cfg(test)]
mod tests {
    #[test]
    fn l4_1_report_numbers_carry_the_roc_date() {
        // 2026-11-28 12:00 in Taipei.
        let reference = super::reference_of(42, 1_795_838_400);
        assert_eq!(reference, "L1151128-000042");
        assert_eq!(
            super::reference_of(1_234_567, 1_795_838_400),
            "L1151128-1234567"
        );
    }
}
