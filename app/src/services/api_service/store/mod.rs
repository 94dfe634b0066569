//! The API service's cases and grants in the database. Reading is here; the changes are in
//! [`cases`] and [`grants`], each one unit of work ([`crate::cases::work::Work`]) over the
//! declarations in [`super::cases`].

mod cases;
mod grants;
mod material;

pub use cases::{cancel, decide, submit, Company, Receipt};
pub use grants::{change_grant, periodic_check, suspend_for_abnormal_use, CheckFinding};
pub use material::{extend_review, reply_material, request_material};

use super::cases::{CaseStatus, CANCEL_WINDOW_SECONDS};
use super::{CaseView, GrantView, MaterialRequest, QueuedCase, ReviewExtension, Usage};
use crate::components::queue::Age;
use crate::domain::roc_date::RocDate;
use crate::platform::clock::{roc_date_compact, roc_date_time, unix_to_taipei};
use crate::platform::rows::RowExt;
use crate::platform::AppState;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

/// The business registry's status of a company that is currently registered.
const REGISTERED: &str = "核准設立";

/// Working days the company has to send material the reviewer asked for (A-N5).
pub const MATERIAL_WORKING_DAYS: u32 = 5;
/// Working days a review should take (A-N5).
pub const REVIEW_TARGET_WORKING_DAYS: i64 = 10;
/// Working days an extension adds to the review (A-N5, 必要時得延長; our choice: as long again).
pub const REVIEW_EXTENSION_WORKING_DAYS: i64 = 10;

const CASE_COLUMNS: &str =
    "id, number, business_id, kind, status, company_name, host_ip, contact, \
     landline, mobile, email, purpose, submitted_at, decided_at, decision_text, material_note, \
     material_due, material_reply, material_replied_at, review_extended_at, extension_reason";

fn case_view(row: &AnyRow, now: i64) -> sqlx::Result<CaseView> {
    let status: CaseStatus = row.code("status")?;
    let submitted_at: i64 = row.try_get("submitted_at")?;
    let material_note: Option<String> = row.try_get("material_note")?;
    let material_due: Option<String> = row.try_get("material_due")?;
    let today = unix_to_taipei(now)
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let material = material_note
        .zip(material_due)
        .map(|(note, due)| -> sqlx::Result<MaterialRequest> {
            let reply: Option<String> = row.try_get("material_reply")?;
            Ok(MaterialRequest {
                note,
                // ISO dates compare as text.
                overdue: reply.is_none() && today > due,
                due: roc_display(&due),
                reply,
                replied_at: row
                    .try_get::<Option<i64>, _>("material_replied_at")?
                    .map(roc_date_time),
            })
        })
        .transpose()?;
    let extension = row
        .try_get::<Option<i64>, _>("review_extended_at")?
        .map(|at| -> sqlx::Result<ReviewExtension> {
            Ok(ReviewExtension {
                at: roc_date_time(at),
                reason: row
                    .try_get::<Option<String>, _>("extension_reason")?
                    .unwrap_or_default(),
            })
        })
        .transpose()?;
    Ok(CaseView {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        business_id: row.try_get("business_id")?,
        kind: row.code("kind")?,
        status,
        company_name: row.try_get("company_name")?,
        host_ip: row.try_get("host_ip")?,
        contact: row.try_get("contact")?,
        landline: row.try_get("landline")?,
        mobile: row.try_get("mobile")?,
        email: row.try_get("email")?,
        purpose: row.try_get("purpose")?,
        submitted_at: roc_date_time(submitted_at),
        decided_at: row
            .try_get::<Option<i64>, _>("decided_at")?
            .map(roc_date_time),
        decision_text: row.try_get("decision_text")?,
        cancellable: status == CaseStatus::Pending && now < submitted_at + CANCEL_WINDOW_SECONDS,
        material,
        extension,
    })
}

/// `2023-11-24` as `112/11/24`.
fn roc_display(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .ok()
        .and_then(RocDate::from_naive)
        .map(RocDate::display_slash)
        .unwrap_or_default()
}

const GRANT_COLUMNS: &str = "business_id, ap_id, company_name, host_ip, contact, landline, \
     mobile, email, status, certificate_serial, certificate_not_before, certificate_not_after, \
     isskey, last_used_at, plan_required_since, status_reason";

fn grant_view(row: &AnyRow) -> sqlx::Result<GrantView> {
    Ok(GrantView {
        company_name: row.try_get("company_name")?,
        business_id: row.try_get("business_id")?,
        host_ip: row.try_get("host_ip")?,
        status: row.code("status")?,
        ap_id: row.try_get("ap_id")?,
        certificate_serial: row.try_get("certificate_serial")?,
        valid_from: row
            .try_get::<Option<i64>, _>("certificate_not_before")?
            .map(roc_date_compact),
        valid_to: row
            .try_get::<Option<i64>, _>("certificate_not_after")?
            .map(roc_date_compact),
        isskey: row.try_get("isskey")?,
        last_used_at: row
            .try_get::<Option<i64>, _>("last_used_at")?
            .map(roc_date_time),
        plan_required: row
            .try_get::<Option<i64>, _>("plan_required_since")?
            .is_some(),
        status_reason: row.try_get("status_reason")?,
    })
}

/// The company's grant, if it ever had one approved.
pub async fn grant(conn: &mut AnyConnection, business_id: &str) -> sqlx::Result<Option<GrantView>> {
    let row = sqlx::query(&format!(
        "SELECT {GRANT_COLUMNS} FROM api_grants WHERE business_id = $1"
    ))
    .bind(business_id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(grant_view).transpose()
}

/// Every case of the company, newest first.
pub async fn cases(pool: &AnyPool, business_id: &str, now: i64) -> sqlx::Result<Vec<CaseView>> {
    sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM api_cases WHERE business_id = $1 \
         ORDER BY submitted_at DESC, id DESC"
    ))
    .bind(business_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| case_view(row, now))
    .collect()
}

/// One case, by S/N.
pub async fn case(conn: &mut AnyConnection, id: &str, now: i64) -> sqlx::Result<Option<CaseView>> {
    let row = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM api_cases WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(|row| case_view(row, now)).transpose()
}

/// The contact a company's permission has on record (contact, landline, mobile, e-mail), to
/// fill a change's form in.
pub async fn grant_contact(
    conn: &mut AnyConnection,
    business_id: &str,
) -> sqlx::Result<Option<[String; 4]>> {
    let row = sqlx::query(
        "SELECT contact, landline, mobile, email FROM api_grants WHERE business_id = $1",
    )
    .bind(business_id)
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok([
            row.try_get("contact")?,
            row.try_get("landline")?,
            row.try_get("mobile")?,
            row.try_get("email")?,
        ])
    })
    .transpose()
}

/// Whether the company has a case in review (a second one must wait, A-9).
pub async fn has_case_in_review(conn: &mut AnyConnection, business_id: &str) -> sqlx::Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM api_cases WHERE business_id = $1 AND status = $2")
            .bind(business_id)
            .bind(crate::cases::Code::code(CaseStatus::Pending))
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// The review queue: every case in review, oldest first, with its age in working days
/// (A-N5: the review should take 10).
pub async fn queue(state: &AppState) -> sqlx::Result<Vec<QueuedCase>> {
    let now = state.clock.unix();
    let rows = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM api_cases WHERE status = $1 ORDER BY submitted_at, id"
    ))
    .bind(crate::cases::Code::code(CaseStatus::Pending))
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let case = case_view(row, now)?;
            // An extended review has as long again before it is overdue.
            let target = REVIEW_TARGET_WORKING_DAYS
                + if case.extension.is_some() {
                    REVIEW_EXTENSION_WORKING_DAYS
                } else {
                    0
                };
            Ok(QueuedCase {
                case,
                age: Age::since(
                    &state.calendar,
                    row.try_get("submitted_at")?,
                    now,
                    Some(target),
                ),
            })
        })
        .collect()
}

/// One company's calls in the call log, as counted for the review page.
#[derive(sqlx::FromRow)]
struct UsageRow {
    business_id: String,
    calls: i64,
    matches: i64,
    no_matches: i64,
    refused: i64,
}

/// Each company's use of the verification API since `since` (Unix seconds), from the call log.
pub async fn usage_since(
    pool: &AnyPool,
    since: i64,
) -> sqlx::Result<std::collections::HashMap<String, Usage>> {
    let rows: Vec<UsageRow> = sqlx::query_as(
        "SELECT business_id, COUNT(*) AS calls, \
                SUM(CASE WHEN verdict = '1' THEN 1 ELSE 0 END) AS matches, \
                SUM(CASE WHEN verdict IN ('2', '3', '4') THEN 1 ELSE 0 END) AS no_matches, \
                SUM(CASE WHEN rd_code <> 'RS7009' THEN 1 ELSE 0 END) AS refused \
         FROM api_calls WHERE called_at >= $1 AND signed = 1 GROUP BY business_id",
    )
    .bind(since)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            (
                row.business_id,
                Usage {
                    calls: row.calls,
                    matches: row.matches,
                    no_matches: row.no_matches,
                    refused: row.refused,
                },
            )
        })
        .collect())
}

/// Every grant, for the reviewer's list: without the isskey, which is the company's secret.
pub async fn grants(pool: &AnyPool) -> sqlx::Result<Vec<GrantView>> {
    sqlx::query(&format!(
        "SELECT {GRANT_COLUMNS} FROM api_grants ORDER BY business_id"
    ))
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        grant_view(row).map(|grant| GrantView {
            isskey: None,
            ..grant
        })
    })
    .collect()
}
