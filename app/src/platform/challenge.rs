//! Single-use sign-in challenges (F-5): the server hands out a random value, the card signs
//! it, and the signature is accepted once, within two minutes. Consuming is one guarded
//! update, so two requests racing with the same challenge cannot both succeed.

use super::rate_limit::Limit;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sqlx::AnyPool;

/// How long a challenge may be signed after it was issued.
pub const LIFETIME_SECONDS: i64 = 120;

/// Challenges one client address may draw without being signed in (to sign in, or for a
/// card's own services): far more than people retrying their cards need, even behind one
/// office's address, and a bound on the rows anyone can make (issue 21 item 6).
pub const ISSUE_LIMIT: Limit = Limit {
    max: 300,
    window_seconds: 600,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// What the card signs, as text (43 URL-safe characters: 256 random bits).
    pub value: String,
    pub expires_at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    #[error("the challenge is unknown, already used or expired")]
    Unusable,
}

/// The purpose of card sign-in challenges.
pub const SIGN_IN: &str = "sign-in";

/// A fresh challenge for `purpose` (e.g. [`SIGN_IN`]); only a consume for the same purpose
/// takes it.
pub async fn issue(pool: &AnyPool, now: i64, purpose: &str) -> sqlx::Result<Challenge> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let value = URL_SAFE_NO_PAD.encode(bytes);
    let expires_at = now + LIFETIME_SECONDS;
    sqlx::query(
        "INSERT INTO sign_in_challenges (id, created_at, expires_at, purpose) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(&value)
    .bind(now)
    .bind(expires_at)
    .bind(purpose)
    .execute(pool)
    .await?;
    Ok(Challenge { value, expires_at })
}

/// A fresh challenge for `purpose`, drawn by `client` (its limit buckets,
/// [`super::auth::client_buckets`]) before signing in;
/// `Err(retry_after)` once the client has drawn [`ISSUE_LIMIT`].
pub async fn issue_to_client(
    pool: &AnyPool,
    now: i64,
    purpose: &str,
    client: &super::client::ClientBuckets,
) -> sqlx::Result<Result<Challenge, i64>> {
    if let Err(retry_after) = ISSUE_LIMIT
        .hit_client(pool, "challenge", client, now)
        .await?
    {
        return Ok(Err(retry_after));
    }
    issue(pool, now, purpose).await.map(Ok)
}

/// Marks the challenge used (on the pool, or inside a caller's transaction); succeeds for
/// exactly one caller, only before it expires and only
/// for the purpose it was issued for.
pub async fn consume<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    now: i64,
    value: &str,
    purpose: &str,
) -> sqlx::Result<Result<(), ChallengeError>> {
    let taken = sqlx::query(
        "UPDATE sign_in_challenges SET used_at = $1 \
         WHERE id = $2 AND used_at IS NULL AND expires_at > $1 AND purpose = $3",
    )
    .bind(now)
    .bind(value)
    .bind(purpose)
    .execute(executor)
    .await?
    .rows_affected();
    Ok(if taken == 1 {
        Ok(())
    } else {
        Err(ChallengeError::Unusable)
    })
}

/// Removes challenges that can no longer be used; run by a background job.
pub async fn purge_expired(pool: &AnyPool, now: i64) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM sign_in_challenges WHERE expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}
