//! The reviewer's request for more material and the company's answer, and the review's
//! extension (A-N5), each one unit of work over [`ApiCase`]: the case stays in review, and
//! each side is told by mail.

use super::super::cases::{ApiCase, CaseAction};
use super::super::mail::{MaterialAsked, MaterialSent, ReviewExtended};
use super::super::CaseView;
use super::cases::{load, read};
use super::MATERIAL_WORKING_DAYS;
use crate::cases::actor::{Actor, NoDetail};
use crate::cases::work::Work;
use crate::domain::business_id::BusinessId;
use crate::domain::purpose::Purpose;
use crate::error::PortalError;
use crate::platform::AppState;
use serde::Serialize;

/// The audit details of a request for material.
#[derive(Serialize)]
struct MaterialDue {
    due: String,
}

/// The reviewer asks the company for more material (A-N5): the case stays in review and the
/// company has 5 working days, shown as a date on both sides.
pub async fn request_material(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    note: &Purpose,
) -> Result<CaseView, PortalError> {
    let due = state
        .calendar
        .add_working_days(state.clock.today_taipei(), MATERIAL_WORKING_DAYS);
    let mut work = Work::begin(&state.db, actor, state.clock.unix()).await?;
    let now = work.now;
    let (case, facts) = read(&mut work, case_id, None).await?;
    let due = due.format("%Y-%m-%d").to_string();
    work.act::<ApiCase>(case_id, case.status, CaseAction::RequestMaterial)
        .set("material_note", note.as_str())
        .set("material_due", due.clone())
        .note(note.as_str())
        .detail(&MaterialDue { due })
        .run(&facts)
        .await?;
    let case = load(work.conn(), case_id, now).await?;
    let due_text = case
        .material
        .as_ref()
        .map(|material| material.due.clone())
        .unwrap_or_default();
    work.mail(&MaterialAsked {
        case: &case,
        note: note.as_str(),
        due: &due_text,
    })
    .await?;
    work.commit().await?;
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
    let mut work = Work::begin(&state.db, actor, state.clock.unix()).await?;
    let now = work.now;
    let (case, facts) = read(&mut work, case_id, Some(business_id)).await?;
    work.act::<ApiCase>(case_id, case.status, CaseAction::ReplyMaterial)
        .set("material_reply", reply.as_str())
        .set("material_replied_at", now)
        // A second answer racing the first finds this already set.
        .only_if("material_note IS NOT NULL AND material_reply IS NULL")
        .detail(&NoDetail {})
        .run(&facts)
        .await?;
    let case = load(work.conn(), case_id, now).await?;
    work.mail(&MaterialSent {
        desk: &state.settings.review_mailbox,
        case: &case,
        reply: reply.as_str(),
    })
    .await?;
    work.commit().await?;
    Ok(case)
}

/// The reviewer extends the review once (A-N5, 必要時得延長) with `reason`, which the company
/// is told by mail and sees on its case; the queue gives the case
/// [`super::REVIEW_EXTENSION_WORKING_DAYS`] more before it is overdue.
pub async fn extend_review(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    reason: &Purpose,
) -> Result<CaseView, PortalError> {
    let mut work = Work::begin(&state.db, actor, state.clock.unix()).await?;
    let now = work.now;
    let (case, facts) = read(&mut work, case_id, None).await?;
    work.act::<ApiCase>(case_id, case.status, CaseAction::ExtendReview)
        .set("review_extended_at", now)
        .set("extension_reason", reason.as_str())
        // A second extension racing the first finds this already set.
        .only_if("review_extended_at IS NULL")
        .note(reason.as_str())
        .detail(&NoDetail {})
        .run(&facts)
        .await?;
    let case = load(work.conn(), case_id, now).await?;
    work.mail(&ReviewExtended {
        case: &case,
        reason: reason.as_str(),
    })
    .await?;
    work.commit().await?;
    Ok(case)
}
