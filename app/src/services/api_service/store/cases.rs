//! A company's cases: submission (A-2…A-6), cancellation and the reviewer's decision
//! each one unit of work over [`ApiCase`].

use super::super::cases::{
    ApiCase, ApiGrant, CaseAction, CaseFacts, CaseKind, CaseStatus, GrantAction, GrantFacts,
    GrantStatus,
};
use super::super::form::{ApplicationForm, CompanyData, CERTIFICATE};
use super::super::mail::{Closed, DeskNews, Received, ToDesk};
use super::super::signature::{self, CaseSignature};
use super::super::{offered_kinds, pending_case_message, CaseView};
use super::{case, grant, REGISTERED};
use crate::cases::actor::{Actor, NoDetail};
use crate::cases::number::letter;
use crate::cases::work::Work;
use crate::cases::Code;
use crate::domain::business_id::BusinessId;
use crate::domain::purpose::Purpose;
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::pki::{certificate_pem, expect_business_id, Purpose as CertificatePurpose};
use crate::platform::db::Backend;
use crate::platform::password;
use crate::platform::AppState;
use serde::Serialize;
use sqlx::AnyConnection;

fn refused(zh_tw: &str, english: &str) -> PortalError {
    PortalError::Refused {
        zh_tw: zh_tw.into(),
        english: english.into(),
    }
}

fn pending_refusal() -> PortalError {
    refused(
        pending_case_message(Lang::ZhTw),
        pending_case_message(Lang::English),
    )
}

fn no_such_case() -> PortalError {
    refused("查無此申請案件。", "There is no such case.")
}

/// A case that must exist (it was read or written in this transaction).
pub(super) async fn load(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
) -> Result<CaseView, PortalError> {
    case(conn, id, now).await?.ok_or(PortalError::Unavailable)
}

/// The case `id` as this work reads it, with what its guards read; a company sees only its
/// own cases (`owner`), a reviewer every case.
pub(super) async fn read(
    work: &mut Work<'_>,
    id: &str,
    owner: Option<&BusinessId>,
) -> Result<(CaseView, CaseFacts), PortalError> {
    let now = work.now;
    let case = case(work.conn(), id, now)
        .await?
        .filter(|case| owner.is_none_or(|owner| case.business_id == owner.as_str()))
        .ok_or_else(no_such_case)?;
    let submitted_at: i64 = sqlx::query_scalar("SELECT submitted_at FROM api_cases WHERE id = $1")
        .bind(id)
        .fetch_one(work.conn())
        .await?;
    let facts = CaseFacts {
        submitted_at,
        now,
        material_awaited: case
            .material
            .as_ref()
            .is_some_and(|material| material.reply.is_none()),
        extended: case.extension.is_some(),
    };
    Ok((case, facts))
}

/// The company data a case records: as typed in its form, or else as registered; what the
/// company's card signs of it ([`super::super::signature`]).
#[derive(Clone, Serialize, serde::Deserialize, Debug, PartialEq, Eq)]
pub struct Company {
    pub name: String,
    pub host_ip: String,
    pub contact: String,
    pub landline: String,
    pub mobile: String,
    pub email: String,
}

impl Company {
    pub fn typed(data: &CompanyData) -> Company {
        Company {
            name: data.company_name.to_string(),
            host_ip: data.host_ip.to_string(),
            contact: data.contact.as_str().to_owned(),
            landline: data.landline.as_str().to_owned(),
            mobile: data.mobile.as_str().to_owned(),
            email: data.email.as_str().to_owned(),
        }
    }

    pub async fn registered(conn: &mut AnyConnection, business_id: &str) -> sqlx::Result<Company> {
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT company_name, host_ip, contact, landline, mobile, email FROM api_grants \
             WHERE business_id = $1",
        )
        .bind(business_id)
        .fetch_one(conn)
        .await?;
        Ok(Company {
            name: row.try_get("company_name")?,
            host_ip: row.try_get("host_ip")?,
            contact: row.try_get("contact")?,
            landline: row.try_get("landline")?,
            mobile: row.try_get("mobile")?,
            email: row.try_get("email")?,
        })
    }
}

/// A company may apply only while it is registered as 核准設立 in the business registry.
async fn registered(conn: &mut AnyConnection, business_id: &str) -> Result<(), PortalError> {
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM companies WHERE business_id = $1")
            .bind(business_id)
            .fetch_optional(conn)
            .await?;
    if status.as_deref() == Some(REGISTERED) {
        Ok(())
    } else {
        Err(refused(
            "貴公司於商工登記非核准設立之現行登記，無法申請。",
            "Your company is not currently registered (核准設立) in the business registry, so it cannot apply.",
        ))
    }
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
    .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    let case = load(conn, &id, now).await?;
    let isskey = match case.status {
        CaseStatus::Uploaded => grant(conn, business_id.as_str())
            .await?
            .and_then(|grant| grant.isskey),
        _ => None,
    };
    Ok(Some(Receipt { case, isskey }))
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

/// The audit details of a submission.
#[derive(Serialize)]
struct Submitted<'a> {
    kind: &'static str,
    status: &'static str,
    /// The SHA-256 of the content the company's card signed, and the card's serial.
    signed_content: &'a str,
    signed_by: &'a str,
}

/// Takes a company's application (A-2…A-6). 憑證上傳 takes effect at once; the others wait
/// for review. The company's state decides which kinds it may submit, and the unique
/// index on pending cases refuses a second one however the requests interleave.
pub async fn submit(
    state: &AppState,
    business_id: &BusinessId,
    actor: &Actor,
    form: ApplicationForm,
    signature: &CaseSignature,
) -> Result<Receipt, PortalError> {
    let token = uuid::Uuid::parse_str(&form.token)
        .map_err(|_| {
            refused(
                "此申請表單已失效，請重新開啟申請頁面。",
                "This form is no longer valid; please open the application page again.",
            )
        })?
        .to_string();
    let mut work = Work::begin(&state.db, actor, state.clock.unix()).await?;
    let now = work.now;
    // The same form sent again (a double click, a reload): the receipt of the first.
    if let Some(receipt) = resubmitted(work.conn(), business_id, &token, now).await? {
        signature.resubmits(work.conn(), &receipt.case.id).await?;
        return Ok(receipt);
    }
    // On PostgreSQL, hold the grant's row: an upload and a case, or a reviewer's change of
    // the grant, then happen one after the other (SQLite's BEGIN IMMEDIATE already does).
    if state.db.backend == Backend::Postgres {
        sqlx::query("SELECT business_id FROM api_grants WHERE business_id = $1 FOR UPDATE")
            .bind(business_id.as_str())
            .fetch_optional(work.conn())
            .await?;
    }
    let grant = grant(work.conn(), business_id.as_str()).await?;
    if !offered_kinds(grant.as_ref()).contains(&form.kind) {
        return Err(refused(
            "目前的申請狀態不能申請此申請事項。",
            "This kind of application is not available in your company's current state.",
        ));
    }
    if form.kind == CaseKind::Apply {
        registered(work.conn(), business_id.as_str()).await?;
    }
    let company = match (&form.company, &grant) {
        (Some(data), _) => Company::typed(data),
        (None, Some(_)) => Company::registered(work.conn(), business_id.as_str()).await?,
        (None, None) => return Err(PortalError::Unavailable),
    };
    signature.covers(&company)?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut isskey = None;
    let status = if let Some(file) = &form.certificate {
        let checked = state
            .trust
            .current()
            .check_certificate(file, CertificatePurpose::ApiCertificate, now)
            .and_then(|checked| expect_business_id(&checked, business_id).map(|()| checked))
            .map_err(|error| PortalError::field(CERTIFICATE, &error))?;
        let pending: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM api_cases WHERE business_id = $1 AND status = $2")
                .bind(business_id.as_str())
                .bind(CaseStatus::Pending.code())
                .fetch_optional(work.conn())
                .await?;
        if pending.is_some() {
            return Err(pending_refusal());
        }
        let key = password::iss_key();
        let stored = sqlx::query(
            "UPDATE api_grants SET certificate_pem = $1, certificate_serial = $2, \
             certificate_not_before = $3, certificate_not_after = $4, isskey = $5 \
             WHERE business_id = $6 AND status = $7",
        )
        .bind(certificate_pem(checked.der()))
        .bind(checked.serial_hex().to_uppercase())
        .bind(checked.not_before())
        .bind(checked.not_after())
        .bind(&key)
        .bind(business_id.as_str())
        .bind(GrantStatus::Active.code())
        .execute(work.conn())
        .await?
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
    let number = crate::cases::number::allocate(work.conn(), letter::API_SERVICE, now).await?;
    let inserted = sqlx::query(
        "INSERT INTO api_cases (id, business_id, kind, status, company_name, host_ip, contact, \
         landline, mobile, email, purpose, submitted_at, decided_at, submission_token, number) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&id)
    .bind(business_id.as_str())
    .bind(form.kind.code())
    .bind(status.code())
    .bind(&company.name)
    .bind(&company.host_ip)
    .bind(&company.contact)
    .bind(&company.landline)
    .bind(&company.mobile)
    .bind(&company.email)
    .bind(form.purpose.as_str())
    .bind(now)
    .bind((status == CaseStatus::Uploaded).then_some(now))
    .bind(&token)
    .bind(&number)
    .execute(work.conn())
    .await;
    match inserted {
        Ok(_) => {}
        // Another case in review, or this very form sent twice at once.
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            drop(work);
            let mut conn = state.db.pool.acquire().await?;
            let receipt = resubmitted(&mut conn, business_id, &token, now)
                .await?
                .ok_or_else(pending_refusal)?;
            signature.resubmits(&mut conn, &receipt.case.id).await?;
            return Ok(receipt);
        }
        Err(error) => return Err(error.into()),
    }
    signature::record(work.conn(), &id, signature, now).await?;
    let case = load(work.conn(), &id, now).await?;
    work.mail(&Received { case: &case }).await?;
    if status == CaseStatus::Pending {
        work.mail(&ToDesk {
            desk: &state.settings.review_mailbox,
            case: &case,
            news: DeskNews::New,
        })
        .await?;
    }
    work.start::<ApiCase>(
        id.as_str(),
        CaseAction::Submit,
        status,
        &Submitted {
            kind: form.kind.code(),
            status: status.code(),
            signed_content: signature.audited().0,
            signed_by: signature.audited().1,
        },
    )
    .await?;
    work.commit().await?;
    tracing::info!(case = %id, kind = form.kind.code(), "API service case submitted");
    Ok(Receipt { case, isskey })
}

/// The company cancels its own case in review within 24 hours of submitting it.
pub async fn cancel(
    state: &AppState,
    business_id: &BusinessId,
    actor: &Actor,
    case_id: &str,
) -> Result<CaseView, PortalError> {
    let mut work = Work::begin(&state.db, actor, state.clock.unix()).await?;
    let now = work.now;
    let (case, facts) = read(&mut work, case_id, Some(business_id)).await?;
    work.act::<ApiCase>(case_id, case.status, CaseAction::Cancel)
        .set("decided_at", now)
        .detail(&NoDetail {})
        .run(&facts)
        .await?;
    let case = load(work.conn(), case_id, now).await?;
    work.mail(&Closed {
        case: &case,
        result: None,
    })
    .await?;
    work.mail(&ToDesk {
        desk: &state.settings.review_mailbox,
        case: &case,
        news: DeskNews::Cancelled,
    })
    .await?;
    work.commit().await?;
    Ok(case)
}

/// The audit details of a decision.
#[derive(Serialize)]
struct Decision {
    kind: &'static str,
}

/// A reviewer's decision on a case in review. On approval the case takes effect: an
/// API申請 opens the grant with a new apId, a 登錄資料修改 replaces the registered data (the
/// old IP is gone, A-N7), an API停用 deactivates the grant (A-N8), an improvement plan lets
/// the company apply again (A-N11).
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    approve: bool,
    result: &Purpose,
) -> Result<CaseView, PortalError> {
    let mut work = Work::begin(&state.db, actor, state.clock.unix()).await?;
    let now = work.now;
    let (case, facts) = read(&mut work, case_id, None).await?;
    let action = if approve {
        CaseAction::Approve
    } else {
        CaseAction::Reject
    };
    work.act::<ApiCase>(case_id, case.status, action)
        .set("decided_at", now)
        .set("decision_text", result.as_str())
        .set("decided_by", actor.staff_id)
        .note(result.as_str())
        .detail(&Decision {
            kind: case.kind.code(),
        })
        .run(&facts)
        .await?;
    let case = load(work.conn(), case_id, now).await?;
    if approve {
        take_effect(&mut work, &case, result.as_str()).await?;
    }
    work.mail(&Closed {
        case: &case,
        result: Some(result.as_str()),
    })
    .await?;
    work.commit().await?;
    Ok(case)
}

/// What an approved case changes in the grant.
async fn take_effect(
    work: &mut Work<'_>,
    case: &CaseView,
    result: &str,
) -> Result<(), PortalError> {
    let now = work.now;
    // The grant as it is now, held for the rest of this work (on PostgreSQL too: the write
    // changes nothing but takes the row's lock), so that a suspension or revocation since the
    // case was filed is seen here, or waits for this decision.
    sqlx::query("UPDATE api_grants SET business_id = business_id WHERE business_id = $1")
        .bind(&case.business_id)
        .execute(work.conn())
        .await?;
    let current = grant(work.conn(), &case.business_id).await?;
    match case.kind {
        CaseKind::Apply => {
            // Suspended or revoked since it was filed, or no longer registered: an application
            // may not open the grant again without an approved plan (A-N11).
            if !offered_kinds(current.as_ref()).contains(&CaseKind::Apply) {
                return Err(refused(
                    "此申請提出後，查驗權限已經暫停或註銷，須先核可新的改善做法，不能核准此申請；請駁回。",
                    "The permission was suspended or revoked after this application was made: it cannot be approved before a new improvement plan is; reject it.",
                ));
            }
            registered(work.conn(), &case.business_id).await?;
            // A company applying again after a suspension, revocation or deactivation gets a
            // new grant (A-N11).
            sqlx::query("DELETE FROM api_grants WHERE business_id = $1")
                .bind(&case.business_id)
                .execute(work.conn())
                .await?;
            sqlx::query(
                "INSERT INTO api_grants (business_id, ap_id, company_name, host_ip, contact, \
                 landline, mobile, email, status, status_changed_at, approved_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            )
            .bind(&case.business_id)
            .bind(new_ap_id())
            .bind(&case.company_name)
            .bind(&case.host_ip)
            .bind(&case.contact)
            .bind(&case.landline)
            .bind(&case.mobile)
            .bind(&case.email)
            .bind(GrantStatus::Active.code())
            .bind(now)
            .execute(work.conn())
            .await?;
            // The case's approval is the audit row of the grant's opening.
            work.opened::<ApiGrant>(
                case.business_id.as_str(),
                GrantAction::Open,
                GrantStatus::Active,
            )
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
            .execute(work.conn())
            .await?;
        }
        CaseKind::Deactivate => {
            let grant = current.ok_or(PortalError::Unavailable)?;
            work.act::<ApiGrant>(
                case.business_id.as_str(),
                grant.status,
                GrantAction::Deactivate,
            )
            .set("status_changed_at", now)
            .set("status_reason", case.purpose.as_str())
            .note(result)
            .detail(&NoDetail {})
            .run(&GrantFacts {
                plan_required: grant.plan_required,
            })
            .await?;
        }
        // The plan is approved: the grant stays as it is, and the company may apply again
        // (A-N11). A second approval of one plan finds none required and is refused.
        CaseKind::Plan => {
            let grant = current.ok_or(PortalError::Unavailable)?;
            // A plan answers the sanction it was filed under: one imposed after it (a
            // revocation of the suspended grant, say) needs a plan of its own.
            let (since, submitted_at): (Option<i64>, i64) = sqlx::query_as(
                "SELECT g.plan_required_since, c.submitted_at FROM api_grants g \
                 JOIN api_cases c ON c.business_id = g.business_id WHERE c.id = $1",
            )
            .bind(&case.id)
            .fetch_one(work.conn())
            .await?;
            if since.is_some_and(|since| since > submitted_at) {
                return Err(refused(
                    "此改善做法提出後，查驗權限又經暫停或註銷：請駁回，由申請機構就新的處分另提改善做法。",
                    "The permission was suspended or revoked again after this plan was made: reject it, and the company files a plan for the new decision.",
                ));
            }
            work.act::<ApiGrant>(
                case.business_id.as_str(),
                grant.status,
                GrantAction::ApprovePlan,
            )
            .set("plan_required_since", None::<i64>)
            .only_if_equals("plan_required_since", since)
            .note(result)
            .detail(&NoDetail {})
            .run(&GrantFacts {
                plan_required: grant.plan_required,
            })
            .await?;
        }
        // Uploads take effect when submitted and are never reviewed.
        CaseKind::Certificate => {}
    }
    Ok(())
}
