//! The ministry's oversight through the case engine (I-4): each decision on a system written
//! with its timeline event, audit row and mail to the applicant's 聯絡人 in one unit of work,
//! and each system's use of the API per Taipei day from the append-only call log.

use super::mail::Oversaw;
use super::oversight::{ConfirmationSystem, Oversight, OversightAction, OversightFacts};
use super::systems::{self, System};
use super::UsageDay;
use crate::cases::actor::Actor;
use crate::cases::work::Work;
use crate::cases::Code;
use crate::error::PortalError;
use crate::platform::clock::{roc_date, taipei_day_start, taipei_to_utc};
use crate::platform::AppState;
use serde::Serialize;
use sqlx::{AnyConnection, AnyPool, Row};

pub use super::form::OversightDecision as Decision;

/// Where system `id` stands with the ministry, and its deadline to improve.
async fn standing(
    conn: &mut AnyConnection,
    id: i64,
) -> sqlx::Result<Option<(Oversight, Option<i64>)>> {
    Ok(systems::by_id(conn, id)
        .await?
        .map(|system| (system.oversight, system.improve_by)))
}

/// Where the applicant of system `id` is told: the 聯絡人 of its approved 啟用 request (none
/// for a system an operator recorded from paper).
async fn contact(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT contact_email FROM confirmation_requests \
         WHERE system_id = $1 AND kind = 'enable' AND status IN ('approved', 'in_effect') \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

#[derive(Serialize)]
struct DecisionDetail<'a> {
    ground: Option<&'static str>,
    improve_by: Option<i64>,
    note: &'a str,
}

/// Takes `decision` on system `id` as `actor` (a reviewer); the system after it.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: i64,
    decision: &Decision,
) -> Result<System, PortalError> {
    let now = state.clock.unix();
    let mut work = Work::begin(&state.db, actor, now).await?;
    let (from, improve_by) = standing(work.conn(), id).await?.ok_or_else(not_found)?;
    let deadline = decision.deadline.map(|date| {
        taipei_to_utc(date.to_naive().and_hms_opt(0, 0, 0).unwrap_or_default()).timestamp()
    });
    if decision.action == OversightAction::RequireImprovement
        && deadline.is_none_or(|by| by <= taipei_day_start(now))
    {
        return Err(PortalError::Field {
            field: "deadline".into(),
            zh_tw: "改善期限須晚於今日".into(),
            english: "The deadline must be after today".into(),
        });
    }
    let facts = OversightFacts {
        now,
        ground: decision.ground,
        improve_by,
    };
    let mut act = work
        .act::<ConfirmationSystem>(id, from, decision.action)
        .note(decision.note.as_str())
        .detail(&DecisionDetail {
            ground: decision.ground.map(Code::code),
            improve_by: deadline,
            note: decision.note.as_str(),
        });
    match decision.action {
        OversightAction::RequireImprovement => act = act.set("improve_by", deadline),
        OversightAction::Stop => {
            act = act.set("stopped_at", now).set(
                "stop_ground",
                decision.ground.map(|ground| ground.code().to_owned()),
            )
        }
        OversightAction::RequireMeasures | OversightAction::Register => {}
    }
    act.run(&facts).await?;
    let system = systems::by_id(work.conn(), id)
        .await?
        .ok_or_else(not_found)?;
    if let Some(to) = contact(work.conn(), id).await? {
        work.mail(&Oversaw {
            to,
            system: &system,
            action: decision.action,
            ground: decision.ground,
            deadline: deadline.map(roc_date),
            note: decision.note.as_str(),
        })
        .await?;
    }
    work.commit().await?;
    Ok(system)
}

fn not_found() -> PortalError {
    PortalError::Refused {
        zh_tw: "查無此應用系統。".into(),
        english: "There is no such system.".into(),
    }
}

/// System `id`'s calls per Taipei day over the `days` days up to `now`, oldest first, days
/// without calls included.
pub async fn usage(pool: &AnyPool, id: i64, now: i64, days: i64) -> sqlx::Result<Vec<UsageDay>> {
    const DAY: i64 = 86_400;
    const TAIPEI: i64 = 8 * 3_600;
    let first = taipei_day_start(now) - (days - 1) * DAY;
    let rows = sqlx::query(
        "SELECT (called_at + $1) / $2 AS day, COUNT(*) AS calls, \
                SUM(CASE WHEN outcome = $3 THEN 1 ELSE 0 END) AS answered, \
                CAST(SUM(latency_us) AS BIGINT) AS latency, MAX(latency_us) AS slowest \
         FROM confirmation_calls WHERE system_id = $4 AND called_at >= $5 GROUP BY 1",
    )
    .bind(TAIPEI)
    .bind(DAY)
    .bind(systems::ANSWERED)
    .bind(id)
    .bind(first)
    .fetch_all(pool)
    .await?;
    let mut by_day = std::collections::HashMap::new();
    for row in rows {
        let day: i64 = row.try_get("day")?;
        let calls: i64 = row.try_get("calls")?;
        let answered: i64 = row.try_get("answered")?;
        let latency: i64 = row.try_get("latency")?;
        let slowest: i64 = row.try_get("slowest")?;
        by_day.insert(day, (calls, answered, latency, slowest));
    }
    Ok((0..days)
        .map(|index| {
            let start = first + index * DAY;
            let (calls, answered, latency, slowest) = by_day
                .get(&((start + TAIPEI) / DAY))
                .copied()
                .unwrap_or_default();
            UsageDay {
                day: roc_date(start),
                calls,
                answered,
                refused: calls - answered,
                mean_ms: if calls > 0 {
                    latency as f64 / calls as f64 / 1_000.0
                } else {
                    0.0
                },
                slowest_ms: slowest as f64 / 1_000.0,
            }
        })
        .collect())
}
