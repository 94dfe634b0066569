//! The comparison with the registry (A-N1), the day's failure count per ID number shared by
//! every company (A-N6).

use super::token::ConditionMap;
use super::Verdict;
use app::platform::AppState;
use sqlx::Row;

/// Failed verifications of one ID number a day, counting every company (A-N6).
pub const DAILY_FAILURES: i64 = 3;

/// Compares the card described with the registry. Three failures for one ID number on one
/// Taipei day, from whoever asked, stop comparisons until midnight: the count is one guarded
/// upsert, so concurrent wrong attempts count exactly to three.
pub(super) async fn verify(
    app: &AppState,
    query: &ConditionMap,
    id_hash: &str,
) -> anyhow::Result<Verdict> {
    let pool = &app.db.pool;
    let day = app.clock.today_taipei().format("%Y-%m-%d").to_string();
    // One statement whether or not the ID number exists, so that the time an answer takes
    // does not tell which.
    let row = sqlx::query(
        "SELECT (SELECT f.failures FROM verification_failures f \
                 WHERE f.id_hash = $2 AND f.day = $3) AS failures, \
                c.id_status, i.issue_date, CAST(i.apply_code AS BIGINT) AS apply_code, \
                i.issue_site_id, \
                CASE WHEN EXISTS (SELECT 1 FROM id_card_loss_reports r \
                                  WHERE r.issuance_id = i.id AND r.status = 'lost') \
                     THEN 1 ELSE 0 END AS lost \
         FROM (SELECT CAST($1 AS TEXT) AS national_id) q \
         LEFT JOIN citizens c ON c.national_id = q.national_id \
         LEFT JOIN id_card_issuances i ON i.citizen_id = c.id AND i.is_current",
    )
    .bind(query.person_id.as_str())
    .bind(id_hash)
    .bind(&day)
    .fetch_one(pool)
    .await?;
    if row.try_get::<Option<i64>, _>("failures")?.unwrap_or(0) >= DAILY_FAILURES {
        return Ok(Verdict::LockedToday);
    }
    match row.try_get::<Option<String>, _>("id_status")?.as_deref() {
        Some("active") | None => {}
        Some(_) => return Ok(Verdict::NotInUse),
    }
    let card = (
        row.try_get::<Option<String>, _>("issue_date")?,
        row.try_get::<Option<i64>, _>("apply_code")?,
        row.try_get::<Option<String>, _>("issue_site_id")?,
    );
    if let (Some(issue_date), Some(apply_code), Some(issue_site)) = card {
        let matches = issue_date == query.apply_date.to_naive().format("%Y-%m-%d").to_string()
            && apply_code.to_string() == query.apply_code.as_str()
            && issue_site == query.issue_site.as_str();
        if matches {
            return Ok(if row.try_get::<i64, _>("lost")? == 1 {
                Verdict::ReportedLost
            } else {
                Verdict::Match
            });
        }
    }
    // No match (an unknown ID number answers the same, so it cannot be probed).
    let counted: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO verification_failures (id_hash, day, failures) VALUES ($1, $2, 1) \
         ON CONFLICT (id_hash, day) DO UPDATE \
         SET failures = verification_failures.failures + 1 \
         WHERE verification_failures.failures < $3 \
         RETURNING failures",
    )
    .bind(id_hash)
    .bind(&day)
    .bind(DAILY_FAILURES)
    .fetch_all(pool)
    .await?;
    Ok(match counted.first() {
        Some(&failures_today) => Verdict::NoMatch { failures_today },
        // Others' failures reached three while this one was compared.
        None => Verdict::LockedToday,
    })
}
