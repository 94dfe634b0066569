//! The comparison with the registry (A-N1), the day's failure count per ID number shared by
//! every company (A-N6), and the call log (F-8, A-N8).

use super::token::ConditionMap;
use super::{Answer, Caller, RdCode, Verdict};
use app::platform::AppState;
use sqlx::{AnyPool, Row};

/// Failed verifications of one ID number a day, counting every company (A-N6).
pub const DAILY_FAILURES: i64 = 3;

/// The key of the ID-number hashes: made once, at the first call any server makes, and kept
/// in the database so that every server process hashes alike.
pub(super) async fn id_hash_key(pool: &AnyPool) -> sqlx::Result<ring::hmac::Key> {
    const NAME: &str = "id_hash_key";
    let mut fresh = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut fresh)
        .map_err(|_| sqlx::Error::Protocol("the system random source failed".into()))?;
    sqlx::query(
        "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(NAME)
    .bind(hex::encode(fresh))
    .execute(pool)
    .await?;
    let stored: String = sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
        .bind(NAME)
        .fetch_one(pool)
        .await?;
    let bytes = hex::decode(stored).map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
    Ok(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &bytes))
}

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
    let failures: Option<i64> = sqlx::query_scalar(
        "SELECT failures FROM verification_failures WHERE id_hash = $1 AND day = $2",
    )
    .bind(id_hash)
    .bind(&day)
    .fetch_optional(pool)
    .await?;
    if failures.unwrap_or(0) >= DAILY_FAILURES {
        return Ok(Verdict::LockedToday);
    }
    let citizen = sqlx::query("SELECT id, id_status FROM citizens WHERE national_id = $1")
        .bind(query.person_id.as_str())
        .fetch_optional(pool)
        .await?;
    if let Some(citizen) = &citizen {
        let status: String = citizen.try_get("id_status")?;
        if status != "active" {
            return Ok(Verdict::NotInUse);
        }
        let citizen_id: i64 = citizen.try_get("id")?;
        let current = sqlx::query(
            "SELECT id, issue_date, CAST(apply_code AS BIGINT) AS apply_code, issue_site_id \
             FROM id_card_issuances WHERE citizen_id = $1 AND is_current",
        )
        .bind(citizen_id)
        .fetch_optional(pool)
        .await?;
        if let Some(card) = current {
            let matches = card.try_get::<String, _>("issue_date")?
                == query.apply_date.to_naive().format("%Y-%m-%d").to_string()
                && card.try_get::<i64, _>("apply_code")?.to_string() == query.apply_code.as_str()
                && card.try_get::<String, _>("issue_site_id")? == query.issue_site.as_str();
            if matches {
                let lost: Option<i64> = sqlx::query_scalar(
                    "SELECT 1 FROM id_card_loss_reports WHERE issuance_id = $1 AND status = 'lost'",
                )
                .bind(card.try_get::<i64, _>("id")?)
                .fetch_optional(pool)
                .await?;
                return Ok(if lost.is_some() {
                    Verdict::ReportedLost
                } else {
                    Verdict::Match
                });
            }
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

/// Writes the call to the log, and the grant's last use when the caller was authenticated.
pub(super) async fn record_call(
    app: &AppState,
    caller: &Caller,
    source_ip: &str,
    answer: &Answer,
    latency_us: i64,
) -> sqlx::Result<()> {
    let now = app.clock.unix();
    sqlx::query(
        "INSERT INTO api_calls (business_id, ap_id, user_id, called_at, source_ip, id_hash, \
         rd_code, verdict, latency_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&caller.business_id)
    .bind(&caller.ap_id)
    .bind(&caller.user_id)
    .bind(now)
    .bind(source_ip)
    .bind(caller.id_hash.as_deref())
    .bind(answer.rd_code.code())
    .bind(answer.verdict.map(|verdict| verdict.code()))
    .bind(latency_us)
    .execute(&app.db.pool)
    .await?;
    if matches!(answer.rd_code, RdCode::Done | RdCode::InvalidQuery) {
        sqlx::query("UPDATE api_grants SET last_used_at = $1 WHERE business_id = $2")
            .bind(now)
            .bind(&caller.business_id)
            .execute(&app.db.pool)
            .await?;
    }
    Ok(())
}
