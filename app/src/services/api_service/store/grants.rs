//! A company's grant: the ministry's suspension and revocation (A-N9), the abnormal-use
//! detector's suspension (A-N9) and the periodic check (A-N10), each one unit of work over
//! [`ApiGrant`]. Each requires an improvement plan before the company applies again (A-N11);
//! the plan is a case of its own (see `cases::take_effect`).

use super::super::cases::{ApiGrant, GrantAction, GrantFacts, GrantStatus};
use super::super::mail::{AbnormalUse, GrantChanged};
use super::super::GrantView;
use super::{grant, REGISTERED};
use crate::cases::actor::{Actor, NoDetail};
use crate::cases::work::{Mail, Work};
use crate::cases::{Code, Machine};
use crate::domain::company_name::CompanyName;
use crate::error::PortalError;
use crate::platform::clock::{roc_date_time, unix_to_taipei};
use crate::platform::db::Db;
use crate::platform::outbox;

/// Suspends or revokes a company's grant with the reason, and tells the company. From then on
/// an improvement plan is required before a new application (A-N11).
pub async fn change_grant(
    db: &Db,
    now: i64,
    actor: &Actor,
    business_id: &str,
    action: GrantAction,
    reason: &str,
) -> Result<GrantView, PortalError> {
    let mut work = Work::begin(db, actor, now).await?;
    let before = grant(work.conn(), business_id)
        .await?
        // No grant at all is refused like a grant in the wrong state.
        .ok_or_else(|| PortalError::from(ApiGrant::not_now(GrantStatus::Active, action)))?;
    let mut act = work
        .act::<ApiGrant>(business_id, before.status, action)
        .set("status_reason", reason)
        .set("status_changed_at", now)
        .set("plan_required_since", now)
        .note(reason)
        .detail(&NoDetail {});
    if action == GrantAction::SuspendAbnormal {
        act = act.set("abnormal_since", now);
    }
    act.run(&GrantFacts {
        plan_required: before.plan_required,
    })
    .await?;
    let grant = grant(work.conn(), business_id)
        .await?
        .ok_or(PortalError::Unavailable)?;
    let email: String = sqlx::query_scalar("SELECT email FROM api_grants WHERE business_id = $1")
        .bind(business_id)
        .fetch_one(work.conn())
        .await?;
    work.mail(&GrantChanged {
        to: &email,
        grant: &grant,
        action,
        reason,
        when: &roc_date_time(now),
    })
    .await?;
    work.commit().await?;
    Ok(grant)
}

/// The abnormal-use detector's finding (A-N9): suspends the grant, tells the company as a
/// reviewer's suspension would, and tells the review desk why. `Ok(false)`: it was not active
/// (already suspended, say by another server's detector).
pub async fn suspend_for_abnormal_use(
    db: &Db,
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
    let mail = AbnormalUse {
        desk: review_mailbox,
        grant: &grant,
        reason: &reason,
        when: &roc_date_time(now),
    };
    let mut conn = db.pool.acquire().await?;
    outbox::enqueue(&mut conn, now, mail.to(), &mail.subject(), &mail.body()).await?;
    Ok(true)
}

/// Why the periodic check revoked a grant (A-N10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFinding {
    /// No longer a company registered as 核准設立.
    NotRegistered,
    /// The name the grant was given under is not the business registry's name for its
    /// 統一編號: the company on file is no longer the one registered there.
    NameMismatch,
    /// Not called for over a year (counted from approval when never called).
    Unused,
}

impl CheckFinding {
    fn reason(self) -> &'static str {
        match self {
            CheckFinding::NotRegistered => {
                "經清查已非現行登記之公司行號，依注意事項第十點註銷查驗權限 / no longer a registered company (A-N10)"
            }
            CheckFinding::NameMismatch => {
                "經清查申請機構名稱與營利事業統一編號之登記名稱不符，依注意事項第十點註銷查驗權限；請提出改善做法經核可後，以登記名稱重新申請 / the company name does not match the business registry's name for its 統一編號 (A-N10); once an improvement plan is approved, apply again under the registered name"
            }
            CheckFinding::Unused => {
                "逾一年未連線使用，依注意事項第十點註銷查驗權限 / unused for over a year (A-N10)"
            }
        }
    }
}

/// A live grant as the periodic check reads it.
#[derive(sqlx::FromRow)]
struct LiveGrant {
    business_id: String,
    company_name: String,
    registry_status: Option<String>,
    registry_name: Option<String>,
    /// The last call, or the approval or the (former) reinstatement when there was none since.
    last_used: i64,
}

/// Whether the name a grant was given under is the business registry's, both tidied as a
/// company types its name ([`CompanyName::parse`]: full-width forms and spacing).
fn same_name(granted: &str, registered: Option<&str>) -> bool {
    match (
        CompanyName::parse(granted),
        registered.map(CompanyName::parse),
    ) {
        (Ok(granted), Some(Ok(registered))) => granted == registered,
        _ => false,
    }
}

/// The ministry's periodic check (A-N10): compares each live grant's company — its status and
/// its name against the 統一編號's registered name — with the business registry, and its last
/// use with the calendar; a company no longer registered, one whose name no longer matches, or
/// one whose grant has not been used for over a year, loses it at once and is told by mail. Safe to run on
/// several servers at once: each revocation is a guarded update.
pub async fn periodic_check(db: &Db, now: i64) -> Result<Vec<(String, CheckFinding)>, PortalError> {
    // The year of non-use runs from the last call, or from the approval when there was none
    // since (a grant opened again by a new application is a new grant, with its year afresh).
    // An active grant changed since its last use was reinstated (by the ministry's hand, as
    // the portal once allowed): its year runs from then.
    let rows: Vec<LiveGrant> = sqlx::query_as(
        "SELECT g.business_id, g.company_name, c.status AS registry_status, \
                c.name AS registry_name, \
                CASE WHEN g.status = $1 AND g.status_changed_at > COALESCE(g.last_used_at, g.approved_at) \
                     THEN g.status_changed_at ELSE COALESCE(g.last_used_at, g.approved_at) END AS last_used \
         FROM api_grants g LEFT JOIN companies c ON c.business_id = g.business_id \
         WHERE g.status IN ($1, $2) ORDER BY g.business_id",
    )
    .bind(GrantStatus::Active.code())
    .bind(GrantStatus::Suspended.code())
    .fetch_all(&db.pool)
    .await?;
    let today = unix_to_taipei(now).date_naive();
    let actor = Actor::system();
    let mut revoked = Vec::new();
    for row in rows {
        let a_year_on = unix_to_taipei(row.last_used)
            .date_naive()
            .checked_add_months(chrono::Months::new(12))
            .unwrap_or(today);
        let finding = if row.registry_status.as_deref() != Some(REGISTERED) {
            CheckFinding::NotRegistered
        } else if !same_name(&row.company_name, row.registry_name.as_deref()) {
            CheckFinding::NameMismatch
        } else if today > a_year_on {
            CheckFinding::Unused
        } else {
            continue;
        };
        // Boxed: the unit of work is a large future, kept off the stack of this loop's.
        match Box::pin(change_grant(
            db,
            now,
            &actor,
            &row.business_id,
            GrantAction::Revoke,
            finding.reason(),
        ))
        .await
        {
            Ok(_) => revoked.push((row.business_id, finding)),
            // Changed meanwhile (another server's check, a reviewer): nothing to do.
            Err(PortalError::Refused { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(revoked)
}
