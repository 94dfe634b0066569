//! The single use of request tokens (`jti`, per company; per agency link, under
//! `agency-link:<case>`, for the linked-agency API), recorded in the database so that a
//! token replayed to another server behind the same load balancer is refused too. Every call
//! needs one insert; the inserts waiting together are made one statement (group commit).

use super::batch::{placeholders, Batcher};
use app::platform::db::Db;
use std::collections::HashSet;

/// The most tokens in one insert (3 parameters each).
const MAX_BATCH: usize = 512;

struct FirstUse {
    business_id: String,
    jti: String,
    keep_until: i64,
}

#[derive(Clone)]
pub(crate) struct TokenIds(Batcher<FirstUse, bool>);

impl TokenIds {
    /// Starts the writer on the current runtime.
    pub(crate) fn start(db: Db) -> TokenIds {
        TokenIds(Batcher::start(MAX_BATCH, move |batch| {
            let db = db.clone();
            async move { insert(&db, batch).await }
        }))
    }

    /// Records the first use of `jti` by `business_id`; false when it was used before (a
    /// replay). Kept until `keep_until`, after which the token is refused as stale anyway.
    pub(crate) async fn first_use(
        &self,
        business_id: &str,
        jti: &str,
        keep_until: i64,
    ) -> sqlx::Result<bool> {
        self.0
            .call(FirstUse {
                business_id: business_id.to_owned(),
                jti: jti.to_owned(),
                keep_until,
            })
            .await
    }
}

/// Inserts the batch; for each token, whether this was its first use.
async fn insert(db: &Db, batch: Vec<FirstUse>) -> sqlx::Result<Vec<bool>> {
    let sql = format!(
        "INSERT INTO api_token_ids (business_id, jti, expires_at) VALUES {} \
         ON CONFLICT (business_id, jti) DO NOTHING RETURNING business_id, jti",
        placeholders(db.backend, batch.len(), &["TEXT", "TEXT", "BIGINT"])
    );
    let mut insert = sqlx::query_as::<_, (String, String)>(&sql);
    for request in &batch {
        insert = insert
            .bind(&request.business_id)
            .bind(&request.jti)
            .bind(request.keep_until);
    }
    let inserted: HashSet<(String, String)> =
        insert.fetch_all(&db.pool).await?.into_iter().collect();
    // A token twice in one batch: the first is its use, the second a replay.
    let mut seen = HashSet::new();
    Ok(batch
        .into_iter()
        .map(|request| {
            let key = (request.business_id, request.jti);
            inserted.contains(&key) && seen.insert(key)
        })
        .collect())
}
