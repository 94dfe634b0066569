//! The cases and grants of the API service in the database. Every change is one transaction
//! that also writes its audit row and its mail; every transition is a guarded update
//! (`… WHERE status = 'pending'`), so two requests racing for one case cannot both win.

use super::form::{ApplicationForm, CompanyData};
use super::{
    offered_kinds, pending_case_message, CaseKind, CaseStatus, CaseView, GrantStatus, GrantView,
    MaterialRequest, QueuedCase, Usage,
};
use crate::domain::business_id::BusinessId;
use crate::domain::purpose::Purpose;
use crate::domain::roc_date::RocDate;
use crate::error::PortalError;
use crate::pki::{expect_business_id, Purpose as CertificatePurpose};
use crate::platform::audit::{self, AuditEvent};
use crate::platform::clock::{roc_date_time, unix_to_taipei};
use crate::platform::db::Backend;
use crate::platform::{outbox, AppState};
use crate::services::staff::StaffMember;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

/// The business registry's status of a company that is currently registered.
const REGISTERED: &str = "核准設立";

/// A case may be cancelled for 24 hours after it was submitted.
pub const CANCEL_WINDOW_SECONDS: i64 = 24 * 60 * 60;
/// Working days the company has to send material the reviewer asked for (A-N5).
pub const MATERIAL_WORKING_DAYS: u32 = 5;
/// Working days a review should take (A-N5).
pub const REVIEW_TARGET_WORKING_DAYS: i64 = 10;

fn refused(zh_tw: &str, english: &str) -> PortalError {
    PortalError::Refused {
        zh_tw: zh_tw.into(),
        english: english.into(),
    }
}

fn pending_refusal() -> PortalError {
    use crate::i18n::Lang;
    refused(
        pending_case_message(Lang::ZhTw),
        pending_case_message(Lang::English),
    )
}

/// A case someone else has decided or cancelled meanwhile.
fn already_decided() -> PortalError {
    refused(
        "此案件已有審核結果或已由申請機構取消。",
        "This case has already been decided or was cancelled by the company.",
    )
}

/// Queues a mail in the transaction of the change it reports (F-7).
async fn mail(
    conn: &mut AnyConnection,
    now: i64,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), PortalError> {
    outbox::enqueue(conn, now, to, subject, body)
        .await
        .map(drop)
        .map_err(PortalError::unavailable)
}

/// Appends the audit row of a change in its transaction (F-8).
async fn audit(conn: &mut AnyConnection, now: i64, event: AuditEvent) -> Result<(), PortalError> {
    audit::append(conn, now, &event)
        .await
        .map(drop)
        .map_err(PortalError::unavailable)
}

/// A case that must exist (it was just written in this transaction).
async fn load_case(conn: &mut AnyConnection, id: &str, now: i64) -> Result<CaseView, PortalError> {
    case(conn, id, now)
        .await
        .map_err(PortalError::unavailable)?
        .ok_or(PortalError::Unavailable)
}

/// Runs `update`, a change guarded by `status = 'pending'`, and returns the case as it now
/// is; refused when the case was decided or cancelled meanwhile (the update changed nothing).
async fn update_pending<'q>(
    conn: &mut AnyConnection,
    update: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    case_id: &str,
    now: i64,
) -> Result<CaseView, PortalError> {
    let changed = update
        .execute(&mut *conn)
        .await
        .map_err(PortalError::unavailable)?
        .rows_affected();
    if changed == 0 {
        return Err(already_decided());
    }
    load_case(conn, case_id, now).await
}

/// Who did something, for the audit log.
pub struct Actor {
    pub name: String,
    pub source_ip: String,
}

impl Actor {
    pub fn company(business_id: &str, source_ip: String) -> Actor {
        Actor {
            name: format!("company:{business_id}"),
            source_ip,
        }
    }

    /// The server itself: the periodic check, the abnormal-use detector.
    pub fn system() -> Actor {
        Actor {
            name: "system".into(),
            source_ip: "-".into(),
        }
    }

    pub fn staff(member: &StaffMember, source_ip: String) -> Actor {
        Actor {
            name: member.actor(),
            source_ip,
        }
    }

    fn event(&self, action: &str, subject: &str, detail: String) -> AuditEvent {
        AuditEvent {
            actor: self.name.clone(),
            source_ip: self.source_ip.clone(),
            action: action.into(),
            subject: subject.into(),
            detail,
        }
    }
}

const CASE_COLUMNS: &str = "id, business_id, kind, status, company_name, host_ip, contact, \
     landline, mobile, email, purpose, submitted_at, decided_at, decision_text, material_note, \
     material_due, material_reply, material_replied_at";

fn case_view(row: &AnyRow, now: i64) -> sqlx::Result<CaseView> {
    let decode = |column: &str, value: String| sqlx::Error::ColumnDecode {
        index: column.into(),
        source: format!("unknown value {value}").into(),
    };
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let kind = CaseKind::from_code(&kind).ok_or_else(|| decode("kind", kind))?;
    let status = CaseStatus::from_code(&status).ok_or_else(|| decode("status", status))?;
    let submitted_at: i64 = row.try_get("submitted_at")?;
    let material_note: Option<String> = row.try_get("material_note")?;
    let material_due: Option<String> = row.try_get("material_due")?;
    let material_reply: Option<String> = row.try_get("material_reply")?;
    let material_replied_at: Option<i64> = row.try_get("material_replied_at")?;
    let material = material_note
        .zip(material_due)
        .map(|(note, due)| MaterialRequest {
            note,
            due: roc_display(&due),
            reply: material_reply,
            replied_at: material_replied_at.map(roc_date_time),
        });
    Ok(CaseView {
        id: row.try_get("id")?,
        business_id: row.try_get("business_id")?,
        kind,
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

/// A stored instant as the compact ROC date of A-7 (`1121107`).
fn compact_date(unix: i64) -> String {
    RocDate::from_naive(unix_to_taipei(unix).date_naive())
        .map(RocDate::display_compact)
        .unwrap_or_default()
}

const GRANT_COLUMNS: &str = "business_id, ap_id, company_name, host_ip, contact, landline, \
     mobile, email, status, certificate_serial, certificate_not_before, certificate_not_after, \
     isskey, last_used_at, plan_required_since";

fn grant_view(row: &AnyRow) -> sqlx::Result<GrantView> {
    let status: String = row.try_get("status")?;
    Ok(GrantView {
        company_name: row.try_get("company_name")?,
        business_id: row.try_get("business_id")?,
        host_ip: row.try_get("host_ip")?,
        status: GrantStatus::from_code(&status).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "status".into(),
            source: format!("unknown value {status}").into(),
        })?,
        ap_id: row.try_get("ap_id")?,
        certificate_serial: row.try_get("certificate_serial")?,
        valid_from: row
            .try_get::<Option<i64>, _>("certificate_not_before")?
            .map(compact_date),
        valid_to: row
            .try_get::<Option<i64>, _>("certificate_not_after")?
            .map(compact_date),
        isskey: row.try_get("isskey")?,
        last_used_at: row
            .try_get::<Option<i64>, _>("last_used_at")?
            .map(roc_date_time),
        plan_required: row
            .try_get::<Option<i64>, _>("plan_required_since")?
            .is_some(),
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

/// The company data a case records when its form does not edit it: the registered data.
fn registered(grant: &GrantView, contact: &GrantContact) -> [String; 6] {
    [
        grant.company_name.clone(),
        grant.host_ip.clone(),
        contact.contact.clone(),
        contact.landline.clone(),
        contact.mobile.clone(),
        contact.email.clone(),
    ]
}

fn typed(data: &CompanyData) -> [String; 6] {
    [
        data.company_name.to_string(),
        data.host_ip.to_string(),
        data.contact.as_str().to_owned(),
        data.landline.as_str().to_owned(),
        data.mobile.as_str().to_owned(),
        data.email.as_str().to_owned(),
    ]
}

struct GrantContact {
    contact: String,
    landline: String,
    mobile: String,
    email: String,
}

async fn grant_contact(conn: &mut AnyConnection, business_id: &str) -> sqlx::Result<GrantContact> {
    let row = sqlx::query(
        "SELECT contact, landline, mobile, email FROM api_grants WHERE business_id = $1",
    )
    .bind(business_id)
    .fetch_one(conn)
    .await?;
    Ok(GrantContact {
        contact: row.try_get("contact")?,
        landline: row.try_get("landline")?,
        mobile: row.try_get("mobile")?,
        email: row.try_get("email")?,
    })
}

/// What a submission returns: the case as stored, and the isskey for an upload.
#[derive(Clone, Debug)]
pub struct Receipt {
    pub case: CaseView,
    pub isskey: Option<String>,
}

/// The receipt of the case a form with `token` already made, if it did.
async fn resubmitted(
    conn: &mut AnyConnection,
    business_id: &BusinessId,
    token: &str,
    now: i64,
) -> Result<Option<Receipt>, PortalError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT id FROM api_cases WHERE submission_token = $1 AND business_id = $2",
    )
    .bind(token)
    .bind(business_id.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(PortalError::unavailable)?;
    let Some(id) = id else {
        return Ok(None);
    };
    let case = load_case(conn, &id, now).await?;
    let isskey = match case.status {
        CaseStatus::Uploaded => grant(conn, business_id.as_str())
            .await
            .map_err(PortalError::unavailable)?
            .and_then(|grant| grant.isskey),
        _ => None,
    };
    Ok(Some(Receipt { case, isskey }))
}

/// A 32-character key from the operating system's CSPRNG.
fn new_isskey() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    use rand::TryRngCore;
    Alphanumeric.sample_string(&mut rand::rngs::OsRng.unwrap_err(), 32)
}

/// An apId: `AP` and eight random characters that cannot be misread.
fn new_ap_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let tail: String = (0..8)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("AP{tail}")
}

/// Takes a company's application (A-2…A-6). 憑證上傳 takes effect at once; the others wait
/// for review. The company's state decides which kinds it may submit, and the unique
/// index on pending cases refuses a second one however the requests interleave.
pub async fn submit(
    state: &AppState,
    business_id: &BusinessId,
    actor: &Actor,
    form: ApplicationForm,
) -> Result<Receipt, PortalError> {
    let now = state.clock.unix();
    let token = uuid::Uuid::parse_str(&form.token)
        .map_err(|_| {
            refused(
                "此申請表單已失效，請重新開啟申請頁面。",
                "This form is no longer valid; please open the application page again.",
            )
        })?
        .to_string();
    let mut tx = state
        .db
        .begin_write()
        .await
        .map_err(PortalError::unavailable)?;
    // The same form sent again (a double click, a reload): the receipt of the first.
    if let Some(receipt) = resubmitted(&mut tx, business_id, &token, now).await? {
        return Ok(receipt);
    }
    // On PostgreSQL, hold the grant's row: an upload and a case, or a reviewer's change of
    // the grant, then happen one after the other (SQLite's BEGIN IMMEDIATE already does).
    if state.db.backend == Backend::Postgres {
        sqlx::query("SELECT business_id FROM api_grants WHERE business_id = $1 FOR UPDATE")
            .bind(business_id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(PortalError::unavailable)?;
    }
    let grant = grant(&mut tx, business_id.as_str())
        .await
        .map_err(PortalError::unavailable)?;
    if !offered_kinds(grant.as_ref()).contains(&form.kind) {
        return Err(refused(
            "目前的申請狀態不能申請此申請事項。",
            "This kind of application is not available in your company's current state.",
        ));
    }
    if form.kind == CaseKind::Apply {
        let registered: Option<String> =
            sqlx::query_scalar("SELECT status FROM companies WHERE business_id = $1")
                .bind(business_id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(PortalError::unavailable)?;
        if registered.as_deref() != Some(REGISTERED) {
            return Err(refused(
                "貴公司於商工登記非核准設立之現行登記，無法申請。",
                "Your company is not currently registered (核准設立) in the business registry, so it cannot apply.",
            ));
        }
    }
    let company = match (&form.company, &grant) {
        (Some(data), _) => typed(data),
        (None, Some(grant)) => {
            let contact = grant_contact(&mut tx, business_id.as_str())
                .await
                .map_err(PortalError::unavailable)?;
            registered(grant, &contact)
        }
        (None, None) => return Err(PortalError::Unavailable),
    };
    let id = uuid::Uuid::new_v4().to_string();
    let mut isskey = None;
    let status = if let Some(file) = &form.certificate {
        let checked = state
            .trust
            .current()
            .check_certificate(file, CertificatePurpose::ApiCertificate, now)
            .and_then(|checked| expect_business_id(&checked, business_id).map(|()| checked))
            .map_err(|error| PortalError::field(super::form::CERTIFICATE, &error))?;
        let pending: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM api_cases WHERE business_id = $1 AND status = 'pending'",
        )
        .bind(business_id.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(PortalError::unavailable)?;
        if pending.is_some() {
            return Err(pending_refusal());
        }
        let key = new_isskey();
        let stored = sqlx::query(
            "UPDATE api_grants SET certificate_pem = $1, certificate_serial = $2, \
             certificate_not_before = $3, certificate_not_after = $4, isskey = $5 \
             WHERE business_id = $6 AND status = 'active'",
        )
        .bind(pem(checked.der()))
        .bind(checked.serial_hex().to_uppercase())
        .bind(checked.not_before())
        .bind(checked.not_after())
        .bind(&key)
        .bind(business_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(PortalError::unavailable)?
        .rows_affected();
        if stored != 1 {
            return Err(refused(
                "貴公司之查驗權限目前未啟用，無法上傳憑證。",
                "Your permission is not active, so no certificate can be uploaded.",
            ));
        }
        isskey = Some(key);
        CaseStatus::Uploaded
    } else {
        CaseStatus::Pending
    };
    let inserted = sqlx::query(
        "INSERT INTO api_cases (id, business_id, kind, status, company_name, host_ip, contact, \
         landline, mobile, email, purpose, submitted_at, decided_at, submission_token) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&id)
    .bind(business_id.as_str())
    .bind(form.kind.code())
    .bind(status.code())
    .bind(&company[0])
    .bind(&company[1])
    .bind(&company[2])
    .bind(&company[3])
    .bind(&company[4])
    .bind(&company[5])
    .bind(form.purpose.as_str())
    .bind(now)
    .bind((status == CaseStatus::Uploaded).then_some(now))
    .bind(&token)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        // Another case in review, or this very form sent twice at once.
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            drop(tx);
            let mut conn = state
                .db
                .pool
                .acquire()
                .await
                .map_err(PortalError::unavailable)?;
            return resubmitted(&mut conn, business_id, &token, now)
                .await?
                .ok_or_else(pending_refusal);
        }
        Err(error) => return Err(PortalError::unavailable(error)),
    }
    let when = roc_date_time(now);
    let kind_zh = form.kind.label(crate::i18n::Lang::ZhTw);
    let kind_en = form.kind.label(crate::i18n::Lang::English);
    let (result_zh, result_en) = match status {
        CaseStatus::Uploaded => ("上傳成功", "uploaded"),
        _ => ("已受理", "received; it will be reviewed"),
    };
    mail(
        &mut tx,
        now,
        &company[5],
        &format!("國民身分證領補換資料查驗作業API介接服務 {kind_zh} {result_zh} / {kind_en}"),
        &format!(
            "{name} 您好：\n\n貴公司於 {when} 申請「{kind_zh}」，申請結果：{result_zh}。\nS/N：{id}\n\
             審核結果將另以電子郵件通知；進度可於「API介接服務進度查詢」查詢。\n\n\
             Your {kind_en} of {when} was {result_en}. S/N: {id}\n\
             The result of a review is sent by e-mail; follow your cases under \"API service progress\".\n",
            name = company[0],
        ),
    )
    .await?;
    if status == CaseStatus::Pending {
        mail(
            &mut tx,
            now,
            &state.settings.review_mailbox,
            &format!("[API介接服務] 新案件 {kind_zh}：{name}", name = company[0]),
            &format!(
                "新案件待審核 / A new case is waiting for review.\n\n申請事項：{kind_zh}\n公司名稱：{name}\n\
                 營利事業統一編號：{business_id}\n申請日期：{when}\nS/N：{id}\n審核時間以10個工作日為原則。\n",
                name = company[0],
            ),
        )
        .await?;
    }
    audit(
        &mut tx,
        now,
        actor.event(
            "api_service.case.submit",
            &id,
            format!(
                "{{\"kind\":\"{}\",\"status\":\"{}\"}}",
                form.kind.code(),
                status.code()
            ),
        ),
    )
    .await?;
    let case = load_case(&mut tx, &id, now).await?;
    tx.commit().await.map_err(PortalError::unavailable)?;
    tracing::info!(case = %id, kind = form.kind.code(), "API service case submitted");
    Ok(Receipt { case, isskey })
}

/// A certificate as Base64 PEM, as the company uploaded it.
fn pem(der: &[u8]) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// The company cancels its own case in review within 24 hours of submitting it. The
/// update names all three conditions, so it cannot pass alongside a decision.
pub async fn cancel(
    state: &AppState,
    business_id: &BusinessId,
    actor: &Actor,
    case_id: &str,
) -> Result<CaseView, PortalError> {
    let now = state.clock.unix();
    let mut tx = state
        .db
        .begin_write()
        .await
        .map_err(PortalError::unavailable)?;
    let cancelled = sqlx::query(
        "UPDATE api_cases SET status = 'cancelled', decided_at = $1 \
         WHERE id = $2 AND business_id = $3 AND status = 'pending' AND submitted_at > $4",
    )
    .bind(now)
    .bind(case_id)
    .bind(business_id.as_str())
    .bind(now - CANCEL_WINDOW_SECONDS)
    .execute(&mut *tx)
    .await
    .map_err(PortalError::unavailable)?
    .rows_affected();
    let case = case(&mut tx, case_id, now)
        .await
        .map_err(PortalError::unavailable)?
        .filter(|case| case.business_id == business_id.as_str());
    let Some(case) = case else {
        return Err(refused("查無此申請案件。", "There is no such case."));
    };
    if cancelled == 0 {
        return Err(if case.status != CaseStatus::Pending {
            refused(
                "此案件已有審核結果或已取消，無法取消申請。",
                "This case has already been decided or cancelled.",
            )
        } else {
            refused(
                "已超過申請日期24小時，無法取消申請。",
                "A case can be cancelled only within 24 hours of its application date.",
            )
        });
    }
    audit(
        &mut tx,
        now,
        actor.event("api_service.case.cancel", case_id, "{}".into()),
    )
    .await
    .map_err(PortalError::unavailable)?;
    tx.commit().await.map_err(PortalError::unavailable)?;
    Ok(case)
}

/// A reviewer's decision on a case in review. On approval the case takes effect: an
/// API申請 creates the grant with a new apId, a 登錄資料修改 replaces the registered data (the
/// old IP is gone, A-N7), an API停用 deactivates the grant (A-N8).
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    staff_id: i64,
    case_id: &str,
    approve: bool,
    result: &Purpose,
) -> Result<CaseView, PortalError> {
    let now = state.clock.unix();
    let mut tx = state
        .db
        .begin_write()
        .await
        .map_err(PortalError::unavailable)?;
    let status = if approve {
        CaseStatus::Approved
    } else {
        CaseStatus::Rejected
    };
    let update = sqlx::query(
        "UPDATE api_cases SET status = $1, decided_at = $2, decision_text = $3, decided_by = $4 \
         WHERE id = $5 AND status = 'pending'",
    )
    .bind(status.code())
    .bind(now)
    .bind(result.as_str())
    .bind(staff_id)
    .bind(case_id);
    let case = update_pending(&mut tx, update, case_id, now).await?;
    if approve {
        take_effect(&mut tx, &case, now)
            .await
            .map_err(PortalError::unavailable)?;
    }
    let when = roc_date_time(now);
    let (kind_zh, kind_en) = (
        case.kind.label(crate::i18n::Lang::ZhTw),
        case.kind.label(crate::i18n::Lang::English),
    );
    let (verdict_zh, verdict_en) = (
        status.label(crate::i18n::Lang::ZhTw),
        status.label(crate::i18n::Lang::English),
    );
    mail(
        &mut tx,
        now,
        &case.email,
        &format!("國民身分證領補換資料查驗作業API介接服務 審核結果：{verdict_zh} / {verdict_en}"),
        &format!(
            "{name} 您好：\n\n貴公司於 {submitted} 申請之「{kind_zh}」（S/N：{id}）已於 {when} 審核完畢。\n\
             審核結果：{verdict_zh}\n{text}\n\n\
             Your {kind_en} of {submitted} (S/N {id}) was decided on {when}: {verdict_en}.\n",
            name = case.company_name,
            submitted = case.submitted_at,
            id = case.id,
            text = result.as_str(),
        ),
    )
    .await?;
    audit(
        &mut tx,
        now,
        actor.event(
            if approve {
                "api_service.case.approve"
            } else {
                "api_service.case.reject"
            },
            case_id,
            format!("{{\"kind\":\"{}\"}}", case.kind.code()),
        ),
    )
    .await?;
    tx.commit().await.map_err(PortalError::unavailable)?;
    Ok(case)
}

async fn take_effect(conn: &mut AnyConnection, case: &CaseView, now: i64) -> sqlx::Result<()> {
    match case.kind {
        CaseKind::Apply => {
            sqlx::query("DELETE FROM api_grants WHERE business_id = $1")
                .bind(&case.business_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO api_grants (business_id, ap_id, company_name, host_ip, contact, \
                 landline, mobile, email, status, status_changed_at, approved_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $9)",
            )
            .bind(&case.business_id)
            .bind(new_ap_id())
            .bind(&case.company_name)
            .bind(&case.host_ip)
            .bind(&case.contact)
            .bind(&case.landline)
            .bind(&case.mobile)
            .bind(&case.email)
            .bind(now)
            .execute(conn)
            .await?;
        }
        CaseKind::Modify => {
            sqlx::query(
                "UPDATE api_grants SET company_name = $1, host_ip = $2, contact = $3, \
                 landline = $4, mobile = $5, email = $6 WHERE business_id = $7",
            )
            .bind(&case.company_name)
            .bind(&case.host_ip)
            .bind(&case.contact)
            .bind(&case.landline)
            .bind(&case.mobile)
            .bind(&case.email)
            .bind(&case.business_id)
            .execute(conn)
            .await?;
        }
        CaseKind::Deactivate => {
            sqlx::query(
                "UPDATE api_grants SET status = 'deactivated', status_changed_at = $1, \
                 status_reason = $2 WHERE business_id = $3 AND status IN ('active', 'suspended')",
            )
            .bind(now)
            .bind(&case.purpose)
            .bind(&case.business_id)
            .execute(conn)
            .await?;
        }
        // Uploads take effect when submitted and are never reviewed.
        CaseKind::Certificate => {}
    }
    Ok(())
}

/// The reviewer asks the company for more material (A-N5): the case stays in review and the
/// company has 5 working days, shown as a date on both sides.
pub async fn request_material(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    note: &Purpose,
) -> Result<CaseView, PortalError> {
    let now = state.clock.unix();
    let due = state
        .calendar
        .add_working_days(state.clock.today_taipei(), MATERIAL_WORKING_DAYS);
    let mut tx = state
        .db
        .begin_write()
        .await
        .map_err(PortalError::unavailable)?;
    let update = sqlx::query(
        "UPDATE api_cases SET material_note = $1, material_due = $2 \
         WHERE id = $3 AND status = 'pending'",
    )
    .bind(note.as_str())
    .bind(due.format("%Y-%m-%d").to_string())
    .bind(case_id);
    let case = update_pending(&mut tx, update, case_id, now).await?;
    let due_text = case
        .material
        .as_ref()
        .map(|material| material.due.clone())
        .unwrap_or_default();
    mail(
        &mut tx,
        now,
        &case.email,
        "國民身分證領補換資料查驗作業API介接服務 補正資料通知 / More material needed",
        &format!(
            "{name} 您好：\n\n貴公司申請之「{kind}」（S/N：{id}）需補充下列資料，請於 {due_text} 前提供：\n{note}\n\n\
             Your application (S/N {id}) needs more material, due by {due_text} (ROC date):\n{note}\n",
            name = case.company_name,
            kind = case.kind.label(crate::i18n::Lang::ZhTw),
            id = case.id,
            note = note.as_str(),
        ),
    )
    .await?;
    audit(
        &mut tx,
        now,
        actor.event(
            "api_service.case.request_material",
            case_id,
            format!("{{\"due\":\"{due}\"}}"),
        ),
    )
    .await?;
    tx.commit().await.map_err(PortalError::unavailable)?;
    Ok(case)
}

/// The company answers the reviewer's request for more material (A-N5), once, while the case
/// is in review; the review desk is told.
pub async fn reply_material(
    state: &AppState,
    business_id: &BusinessId,
    actor: &Actor,
    case_id: &str,
    reply: &Purpose,
) -> Result<CaseView, PortalError> {
    let now = state.clock.unix();
    let mut tx = state
        .db
        .begin_write()
        .await
        .map_err(PortalError::unavailable)?;
    let update = sqlx::query(
        "UPDATE api_cases SET material_reply = $1, material_replied_at = $2 \
         WHERE id = $3 AND business_id = $4 AND status = 'pending' \
         AND material_note IS NOT NULL AND material_reply IS NULL",
    )
    .bind(reply.as_str())
    .bind(now)
    .bind(case_id)
    .bind(business_id.as_str());
    let case = update_pending(&mut tx, update, case_id, now)
        .await
        .map_err(|_| {
            refused(
                "此案件目前無須補正資料，或已送出補正資料。",
                "This case is not waiting for material, or your answer was already sent.",
            )
        })?;
    mail(
        &mut tx,
        now,
        &state.settings.review_mailbox,
        &format!(
            "[API介接服務] 補正資料 {name} S/N {case_id}",
            name = case.company_name
        ),
        &format!(
            "{name}（{business_id}）已送出補正資料 / The company answered:\n\n{reply}\n",
            name = case.company_name,
            business_id = case.business_id,
            reply = reply.as_str(),
        ),
    )
    .await?;
    audit(
        &mut tx,
        now,
        actor.event("api_service.case.reply_material", case_id, "{}".into()),
    )
    .await?;
    tx.commit().await.map_err(PortalError::unavailable)?;
    Ok(case)
}

/// What the ministry may do to a grant (A-N9, A-N11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum GrantAction {
    Suspend,
    /// The abnormal-use detector's suspension (A-N9): calls answer checkIdCardApply 8 until a
    /// reviewer reinstates the grant. Not offered to reviewers.
    SuspendAbnormal,
    Reinstate,
    Revoke,
    /// 核可改善做法: the company's improvement plan is approved, so it may apply again (A-N11).
    ApprovePlan,
}

impl GrantAction {
    pub fn from_code(code: &str) -> Option<GrantAction> {
        match code {
            "suspend" => Some(GrantAction::Suspend),
            "reinstate" => Some(GrantAction::Reinstate),
            "revoke" => Some(GrantAction::Revoke),
            "approve_plan" => Some(GrantAction::ApprovePlan),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            GrantAction::Suspend => "suspend",
            GrantAction::SuspendAbnormal => "suspend_abnormal",
            GrantAction::Reinstate => "reinstate",
            GrantAction::Revoke => "revoke",
            GrantAction::ApprovePlan => "approve_plan",
        }
    }

    /// The change (SQL `SET` after the status and reason) and the state the grant must be in.
    /// Suspending or revoking requires an improvement plan before a new application; the
    /// ministry reinstates, or approves the plan, when it has accepted one (A-N11).
    fn transition(self) -> (&'static str, &'static str) {
        match self {
            GrantAction::Suspend => (
                "status = 'suspended', plan_required_since = $3",
                "status = 'active'",
            ),
            GrantAction::SuspendAbnormal => (
                "status = 'suspended', plan_required_since = $3, abnormal_since = $3",
                "status = 'active'",
            ),
            GrantAction::Reinstate => (
                "status = 'active', plan_required_since = NULL, abnormal_since = NULL",
                "status = 'suspended'",
            ),
            GrantAction::Revoke => (
                "status = 'revoked', plan_required_since = $3",
                "status IN ('active', 'suspended')",
            ),
            GrantAction::ApprovePlan => (
                "plan_required_since = NULL",
                "status IN ('revoked', 'deactivated') AND plan_required_since IS NOT NULL",
            ),
        }
    }

    /// What was done, as the company is told, in both languages.
    pub fn told(self) -> (&'static str, &'static str) {
        match self {
            GrantAction::Suspend | GrantAction::SuspendAbnormal => {
                ("查驗權限已暫停", "Your permission is suspended")
            }
            GrantAction::Reinstate => ("查驗權限已恢復", "Your permission is reinstated"),
            GrantAction::Revoke => ("查驗權限已註銷", "Your permission is revoked"),
            GrantAction::ApprovePlan => (
                "改善做法已經內政部核可，得重新提出申請",
                "Your improvement plan is approved: you may apply again",
            ),
        }
    }
}

/// Suspends, reinstates or revokes a company's grant, or approves its improvement plan, with
/// the reason, and tells the company.
pub async fn change_grant(
    db: &crate::platform::db::Db,
    now: i64,
    actor: &Actor,
    business_id: &str,
    action: GrantAction,
    reason: &str,
) -> Result<GrantView, PortalError> {
    let (change, guard) = action.transition();
    let mut tx = db.begin_write().await.map_err(PortalError::unavailable)?;
    let changed = sqlx::query(&format!(
        "UPDATE api_grants SET {change}, status_reason = $1, status_changed_at = $3 \
         WHERE business_id = $2 AND {guard}"
    ))
    .bind(reason)
    .bind(business_id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(PortalError::unavailable)?
    .rows_affected();
    if changed == 0 {
        return Err(refused(
            "此權限目前的狀態不能執行此動作。",
            "The permission is not in a state that allows this.",
        ));
    }
    let grant = grant(&mut tx, business_id)
        .await
        .map_err(PortalError::unavailable)?
        .ok_or(PortalError::Unavailable)?;
    let email = grant_contact(&mut tx, business_id)
        .await
        .map_err(PortalError::unavailable)?
        .email;
    let (label_zh, label_en) = action.told();
    mail(
        &mut tx,
        now,
        &email,
        &format!("國民身分證領補換資料查驗作業API介接服務 {label_zh} / {label_en}"),
        &format!(
            "{name} 您好：\n\n貴公司（apId {ap_id}）{label_zh}（{when}）。\n說明：{reason}\n\
             經暫停或註銷查驗權限者，欲再度取得權限，應先提出改善做法並經內政部核可，重新提出申請。\n\n\
             {label_en} (apId {ap_id}, {when}). {reason}\n",
            name = grant.company_name,
            ap_id = grant.ap_id,
            when = roc_date_time(now),
        ),
    )
    .await?;
    audit(
        &mut tx,
        now,
        actor.event(
            &format!("api_service.grant.{}", action.code()),
            business_id,
            "{}".into(),
        ),
    )
    .await?;
    tx.commit().await.map_err(PortalError::unavailable)?;
    Ok(grant)
}

/// The abnormal-use detector's finding (A-N9): suspends the grant, tells the company as a
/// reviewer's suspension would, and tells the review desk why. `Ok(false)`: it was not active
/// (already suspended, say by another server's detector).
pub async fn suspend_for_abnormal_use(
    db: &crate::platform::db::Db,
    now: i64,
    business_id: &str,
    finding: &str,
    review_mailbox: &str,
) -> Result<bool, PortalError> {
    let reason = format!("系統偵測異常使用 / Abnormal use detected: {finding}");
    let grant = match change_grant(
        db,
        now,
        &Actor::system(),
        business_id,
        GrantAction::SuspendAbnormal,
        &reason,
    )
    .await
    {
        Ok(grant) => grant,
        Err(PortalError::Refused { .. }) => return Ok(false),
        Err(error) => return Err(error),
    };
    let mut conn = db.pool.acquire().await.map_err(PortalError::unavailable)?;
    mail(
        &mut conn,
        now,
        review_mailbox,
        &format!(
            "[API介接服務] 異常使用暫停 {name} apId {ap_id}",
            name = grant.company_name,
            ap_id = grant.ap_id
        ),
        &format!(
            "{name}（{business_id}，apId {ap_id}）之查驗權限已由系統暫停（{when}）。
             {reason}
請檢視其使用情形，決定恢復或註銷。
",
            name = grant.company_name,
            ap_id = grant.ap_id,
            when = roc_date_time(now),
        ),
    )
    .await?;
    Ok(true)
}

/// The review queue: every case in review, oldest first, with its age in working days
/// (A-N5: the review should take 10).
pub async fn queue(state: &AppState) -> sqlx::Result<Vec<QueuedCase>> {
    let now = state.clock.unix();
    let today = state.clock.today_taipei();
    let rows = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM api_cases WHERE status = 'pending' \
         ORDER BY submitted_at, id"
    ))
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let submitted: i64 = row.try_get("submitted_at")?;
            let day = unix_to_taipei(submitted).date_naive();
            let age = state.calendar.working_days_between(day, today);
            Ok(QueuedCase {
                case: case_view(row, now)?,
                age_working_days: age,
                overdue: age > REVIEW_TARGET_WORKING_DAYS,
            })
        })
        .collect()
}

/// Each company's use of the verification API since `since` (Unix seconds), from the call log.
pub async fn usage_since(
    pool: &AnyPool,
    since: i64,
) -> sqlx::Result<std::collections::HashMap<String, Usage>> {
    let rows: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT business_id, COUNT(*), \
                SUM(CASE WHEN verdict = '1' THEN 1 ELSE 0 END), \
                SUM(CASE WHEN verdict IN ('2', '3', '4') THEN 1 ELSE 0 END), \
                SUM(CASE WHEN rd_code <> 'RS7009' THEN 1 ELSE 0 END) \
         FROM api_calls WHERE called_at >= $1 AND signed = 1 GROUP BY business_id",
    )
    .bind(since)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(business_id, calls, matches, no_matches, refused)| {
            (
                business_id,
                Usage {
                    calls,
                    matches,
                    no_matches,
                    refused,
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

/// Why the periodic check revoked a grant (A-N10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFinding {
    /// No longer a company registered as 核准設立.
    NotRegistered,
    /// Not called for over a year (counted from approval when never called).
    Unused,
}

impl CheckFinding {
    fn reason(self) -> &'static str {
        match self {
            CheckFinding::NotRegistered => {
                "經清查已非現行登記之公司行號，依注意事項第十點註銷查驗權限 / no longer a registered company (A-N10)"
            }
            CheckFinding::Unused => {
                "逾一年未連線使用，依注意事項第十點註銷查驗權限 / unused for over a year (A-N10)"
            }
        }
    }
}

/// The ministry's periodic check (A-N10): compares each live grant's company with the business
/// registry and its last use with the calendar; a company no longer registered, or whose grant
/// has not been used for over a year, loses it at once and is told by mail. Safe to run on
/// several servers at once: each revocation is a guarded update.
pub async fn periodic_check(
    db: &crate::platform::db::Db,
    now: i64,
) -> Result<Vec<(String, CheckFinding)>, PortalError> {
    // The year of non-use runs from the last call, or from the approval or the reinstatement
    // when there was none since (a reinstated grant gets its year afresh).
    let rows: Vec<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT g.business_id, c.status, \
                CASE WHEN g.status = 'active' AND g.status_changed_at > COALESCE(g.last_used_at, g.approved_at) \
                     THEN g.status_changed_at ELSE COALESCE(g.last_used_at, g.approved_at) END \
         FROM api_grants g LEFT JOIN companies c ON c.business_id = g.business_id \
         WHERE g.status IN ('active', 'suspended') ORDER BY g.business_id",
    )
    .fetch_all(&db.pool)
    .await
    .map_err(PortalError::unavailable)?;
    let today = unix_to_taipei(now).date_naive();
    let actor = Actor::system();
    let mut revoked = Vec::new();
    for (business_id, registry_status, last_used) in rows {
        let a_year_on = unix_to_taipei(last_used)
            .date_naive()
            .checked_add_months(chrono::Months::new(12))
            .unwrap_or(today);
        let finding = if registry_status.as_deref() != Some(REGISTERED) {
            CheckFinding::NotRegistered
        } else if today > a_year_on {
            CheckFinding::Unused
        } else {
            continue;
        };
        match change_grant(
            db,
            now,
            &actor,
            &business_id,
            GrantAction::Revoke,
            finding.reason(),
        )
        .await
        {
            Ok(_) => revoked.push((business_id, finding)),
            // Changed meanwhile (another server's check, a reviewer): nothing to do.
            Err(PortalError::Refused { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(revoked)
}
