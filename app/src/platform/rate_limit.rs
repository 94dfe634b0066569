//! Fixed-window rate limits kept in the database, so that every server process behind a load
//! balancer counts against the same limit. A hit is one atomic upsert.

use super::client::ClientBuckets;
use crate::error::PortalError;
use sqlx::AnyPool;

/// What an IPv6 /48 may use of a per-client limit, in clients' worth: a subscriber holding
/// many /64s gets a few clients' share, not one for each /64.
pub const NETWORK_SHARE: i64 = 16;

/// A limit of `max` hits per `window_seconds` for each bucket.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: i64,
    pub window_seconds: i64,
}

impl Limit {
    fn window_start(self, now: i64) -> i64 {
        now - now.rem_euclid(self.window_seconds)
    }

    /// Counts a hit; `Err(retry_after_seconds)` once the bucket is over its limit. On a
    /// transaction's connection the hit stands or falls with the transaction.
    pub async fn hit<'e>(
        self,
        executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
        bucket: &str,
        now: i64,
    ) -> sqlx::Result<Result<(), i64>> {
        let start = self.window_start(now);
        // fetch_all: SQLite commits a RETURNING statement only once it has been stepped to
        // its end (see captcha::check).
        let hits: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1 \
             RETURNING hits",
        )
        .bind(bucket)
        .bind(start)
        .fetch_all(executor)
        .await?;
        let hits = hits.first().copied().unwrap_or(1);
        Ok(if hits > self.max {
            Err(start + self.window_seconds - now)
        } else {
            Ok(())
        })
    }

    /// Counts a hit of `client` on the limit called `name`: in the client's bucket, then, for
    /// an IPv6 client, in its /48's, which holds [`NETWORK_SHARE`] times as many;
    /// `Err(retry_after_seconds)` once either is over. A client already over its own limit
    /// does not count against its network.
    pub async fn hit_client(
        self,
        pool: &AnyPool,
        name: &str,
        client: &ClientBuckets,
        now: i64,
    ) -> sqlx::Result<Result<(), i64>> {
        if let Err(retry_after) = self
            .hit(pool, &format!("{name}:{}", client.client), now)
            .await?
        {
            return Ok(Err(retry_after));
        }
        match &client.network {
            Some(network) => {
                self.network()
                    .hit(pool, &format!("{name}:{network}"), now)
                    .await
            }
            None => Ok(Ok(())),
        }
    }

    /// Takes back a hit of `client` counted by [`Limit::hit_client`] at `now`.
    pub async fn refund_client(
        self,
        pool: &AnyPool,
        name: &str,
        client: &ClientBuckets,
        now: i64,
    ) -> sqlx::Result<()> {
        self.refund(pool, &format!("{name}:{}", client.client), now)
            .await?;
        if let Some(network) = &client.network {
            self.network()
                .refund(pool, &format!("{name}:{network}"), now)
                .await?;
        }
        Ok(())
    }

    /// The limit of a whole /48.
    fn network(self) -> Limit {
        Limit {
            max: self.max * NETWORK_SHARE,
            ..self
        }
    }

    /// Takes back a hit counted at `now` (same window): for a limit on failures, where each
    /// attempt is counted before it is tried, so that concurrent attempts cannot all slip
    /// under the limit, and a success gives its hit back.
    pub async fn refund(self, pool: &AnyPool, bucket: &str, now: i64) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE rate_limits SET hits = hits - 1 \
             WHERE bucket = $1 AND window_start = $2 AND hits > 0",
        )
        .bind(bucket)
        .bind(self.window_start(now))
        .execute(pool)
        .await
        .map(drop)
    }
}

/// The answer to a request over its limit, `retry_after` seconds before the window ends: 429
/// with `Retry-After`, and when to come back in both languages.
pub fn too_many_requests(retry_after: i64) -> PortalError {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::TOO_MANY_REQUESTS);
        response.insert_header(
            http::header::RETRY_AFTER,
            http::HeaderValue::from(retry_after),
        );
    }
    let minutes = (retry_after + 59) / 60;
    PortalError::Refused {
        zh_tw: format!("嘗試次數過多，請於 {minutes} 分鐘後再試。"),
        english: format!("Too many attempts. Please try again in {minutes} minutes."),
    }
}

pub async fn purge_expired(pool: &AnyPool, before: i64) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(before)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}
