//! The loss reports in the database (L4-1…L4-4): matching a form against the registry and the
//! reads the pages show; each change is one unit of work over the case types of
//! [`super::cases`], in [`reports`] (the citizen's) and [`office`] (the household office's).

pub mod office;
pub mod reports;

use super::cases::{ContactState, LossStatus};
use super::events::{ContactMethod, EventKind};
use super::form::LossForm;
use super::LossRecord;
use crate::cases::Code;
use crate::domain::address::RegistryAddress;
use crate::domain::national_id::NationalId;
use crate::error::PortalError;
use crate::platform::clock::roc_date_time;
use sqlx::{AnyConnection, AnyPool, FromRow, Row};

/// Wrong revocation passwords that lock online revocation of a report (L4-2).
pub const PASSWORD_TRIES: i64 = 3;

/// The registry person a form was matched to, with their current card.
#[derive(Clone, Debug, FromRow)]
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
        "SELECT c.id AS citizen_id, c.name, c.birth_date, c.county, c.township, c.village, \
                c.neighborhood, c.street_address, c.household_office_code, c.father_name, \
                c.mother_name, c.adoptive_father_name, c.adoptive_mother_name, c.id_status, \
                i.id AS issuance_id \
         FROM citizens c LEFT JOIN id_card_issuances i ON i.citizen_id = c.id AND i.is_current \
         WHERE c.national_id = $1",
    )
    .bind(form.national_id.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let birth_date: String = row.try_get("birth_date")?;
    let county: String = row.try_get("county")?;
    let township: String = row.try_get("township")?;
    let village: String = row.try_get("village")?;
    let street_address: String = row.try_get("street_address")?;
    let registry_address = RegistryAddress {
        county: &county,
        township: &township,
        village: &village,
        neighborhood: row.try_get("neighborhood")?,
        street_address: &street_address,
    };
    let mut parents = Vec::new();
    for column in [
        "father_name",
        "mother_name",
        "adoptive_father_name",
        "adoptive_mother_name",
    ] {
        parents.push(row.try_get::<Option<String>, _>(column)?);
    }
    let id_status: String = row.try_get("id_status")?;
    let issuance_id: Option<i64> = row.try_get("issuance_id")?;
    let matches = birth_date == form.birth_date.to_naive().format("%Y-%m-%d").to_string()
        && form.address.matches(&registry_address)
        && parents
            .iter()
            .flatten()
            .any(|parent| form.parent_name.matches(parent))
        && id_status == "active";
    Ok(match (matches, issuance_id) {
        (true, Some(issuance_id)) => Some(Holder {
            citizen_id: row.try_get("citizen_id")?,
            issuance_id,
            name: row.try_get("name")?,
            household_office_code: row.try_get("household_office_code")?,
            county,
        }),
        _ => None,
    })
}

/// The holder with this ID number, as a registrar at a counter finds them (any office's).
pub async fn holder_by_national_id(
    pool: &AnyPool,
    national_id: &NationalId,
) -> sqlx::Result<Option<Holder>> {
    sqlx::query_as(
        "SELECT c.id AS citizen_id, i.id AS issuance_id, c.name, c.household_office_code, c.county \
         FROM citizens c JOIN id_card_issuances i ON i.citizen_id = c.id AND i.is_current \
         WHERE c.national_id = $1 AND c.id_status = 'active'",
    )
    .bind(national_id.as_str())
    .fetch_optional(pool)
    .await
}

/// The holder signed in with their citizen certificate (L4-3): no questions to answer.
pub async fn holder_by_id(pool: &AnyPool, citizen_id: i64) -> sqlx::Result<Option<Holder>> {
    sqlx::query_as(
        "SELECT c.id AS citizen_id, i.id AS issuance_id, c.name, c.household_office_code, c.county \
         FROM citizens c JOIN id_card_issuances i ON i.citizen_id = c.id AND i.is_current \
         WHERE c.id = $1 AND c.id_status = 'active'",
    )
    .bind(citizen_id)
    .fetch_optional(pool)
    .await
}

/// A report as its citizen's look-up reads it.
#[derive(FromRow)]
struct RecordRow {
    reference: String,
    reported_at: i64,
    revoked_at: Option<i64>,
    issue_date: String,
}

/// 查詢 (L4-1): the holder's reports, newest first.
pub async fn records(pool: &AnyPool, holder: &Holder) -> sqlx::Result<Vec<LossRecord>> {
    let rows: Vec<RecordRow> = sqlx::query_as(
        "SELECT r.reference, r.reported_at, r.revoked_at, i.issue_date \
         FROM id_card_loss_reports r JOIN id_card_issuances i ON i.id = r.issuance_id \
         WHERE r.citizen_id = $1 ORDER BY r.reported_at DESC, r.id DESC",
    )
    .bind(holder.citizen_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| LossRecord {
            reference: row.reference,
            reported_at: roc_date_time(row.reported_at),
            revoked_at: row.revoked_at.map(roc_date_time),
            card_issued_on: roc_day(&row.issue_date),
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

/// The open report on a holder's current card.
#[derive(Clone, Debug, FromRow)]
pub struct OpenReport {
    pub id: i64,
    /// 掛失編號.
    pub reference: String,
    /// The revocation password's argon2id hash; `None` for a report made with a certificate.
    pub password_hash: Option<String>,
}

/// The open report on the holder's current card, if any.
pub async fn open_report(pool: &AnyPool, holder: &Holder) -> sqlx::Result<Option<OpenReport>> {
    sqlx::query_as(
        "SELECT id, reference, password_hash FROM id_card_loss_reports \
         WHERE issuance_id = $1 AND status = $2",
    )
    .bind(holder.issuance_id)
    .bind(LossStatus::Lost.code())
    .fetch_optional(pool)
    .await
}

fn refused(zh_tw: &str, english: &str) -> PortalError {
    PortalError::Refused {
        zh_tw: zh_tw.into(),
        english: english.into(),
    }
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

/// A contact as reported upward: how, and with what outcome.
struct ContactEvent {
    method: ContactMethod,
    outcome: ContactState,
}

/// Appends an event of report `report_id` to what is reported upward, in the county of the
/// report's office, with its remarks (其他說明) and the staff member who made it, if any.
async fn record_event(
    conn: &mut AnyConnection,
    report_id: i64,
    kind: EventKind,
    contact: Option<ContactEvent>,
    note: Option<&str>,
    staff_id: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    let (method, outcome) = match contact {
        Some(contact) => (Some(contact.method.code()), Some(contact.outcome.code())),
        None => (None, None),
    };
    sqlx::query(
        "INSERT INTO id_card_loss_events \
             (report_id, kind, contact_method, outcome, note, staff_id, county, recorded_at) \
         SELECT $1, $2, $3, $4, $5, $6, o.county, $7 \
         FROM id_card_loss_reports r JOIN household_offices o ON o.code = r.household_office_code \
         WHERE r.id = $1",
    )
    .bind(report_id)
    .bind(kind.code())
    .bind(method)
    .bind(outcome)
    .bind(note)
    .bind(staff_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A report number: `L`, the ROC date and the report's row id (e.g. `L1151128-000042`).
fn reference_of(report_id: i64, now: i64) -> String {
    crate::platform::clock::case_reference(
        crate::cases::number::letter::ID_CARD_LOSS,
        report_id,
        now,
    )
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
