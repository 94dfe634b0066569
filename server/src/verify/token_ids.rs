//! The single use of request tokens (`jti`, per company; per agency link, under
//! `agency-link:<case>`, for the linked-agency API), recorded in the database so that a
//! token replayed to another server behind the same load balancer is refused too. Every call
//! needs one insert: a verification's is made in the transaction that compares it
//! ([`super::registry`]); the others wait together and are made one statement (group commit).

use super::batch::Batcher;
use app::platform::db::placeholders;
use app::platform::db::{Backend, Db};
use app::platform::script::Script;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashSet;

/// The most tokens in one insert (3 parameters each).
const MAX_BATCH: usize = 512;

/// The use of a request token, until it is recorded: its `jti`, under whoever signed it, kept
/// until `keep_until`, after which the token is refused as stale anyway. A call is answered
/// only once its token's use is recorded, as its first.
#[derive(Clone)]
#[must_use = "a call is answered only once its token's use is recorded"]
pub(crate) struct TokenUse {
    pub(crate) business_id: String,
    pub(crate) jti: String,
    pub(crate) keep_until: i64,
}

#[derive(Clone)]
pub(crate) struct TokenIds(Batcher<TokenUse, bool>);

impl TokenIds {
    /// Starts the writer on the current runtime.
    pub(crate) fn start(db: Db) -> TokenIds {
        TokenIds(Batcher::start(MAX_BATCH, move |batch| {
            let db = db.clone();
            async move {
                let mut connection = db.pool.acquire().await?;
                first_uses(
                    &mut connection,
                    db.backend,
                    &batch.iter().collect::<Vec<_>>(),
                )
                .await
            }
        }))
    }

    /// Records the use of a token; false when it was used before (a replay).
    pub(crate) async fn first_use(&self, token: TokenUse) -> sqlx::Result<bool> {
        self.0.call(token).await
    }
}

/// Records the use of each of `tokens` on `connection`; for each, whether this was its first
/// use. A token twice among them: the first is its use, the second a replay.
pub(crate) async fn first_uses(
    connection: &mut AnyConnection,
    backend: Backend,
    tokens: &[&TokenUse],
) -> sqlx::Result<Vec<bool>> {
    let mut script = Script::new(backend);
    let Some(spent) = spend(&mut script, tokens) else {
        return Ok(Vec::new());
    };
    first_of(script.run(connection).await?.rows(spent), tokens)
}

/// Adds to `script` the statement that records the use of each of `tokens`, unless there are
/// none; its place, whose rows [`first_of`] reads.
pub(crate) fn spend<'q>(script: &mut Script<'q>, tokens: &[&'q TokenUse]) -> Option<usize> {
    if tokens.is_empty() {
        return None;
    }
    let place = script.push(&format!(
        "INSERT INTO api_token_ids (business_id, jti, expires_at) VALUES {} \
         ON CONFLICT (business_id, jti) DO NOTHING RETURNING business_id, jti",
        placeholders(script.backend(), tokens.len(), &["TEXT", "TEXT", "BIGINT"])
    ));
    // In one order on every server, so that two transactions spending the same tokens (a
    // replay sent to two servers at once) wait for each other instead of deadlocking.
    let mut sorted = tokens.to_vec();
    sorted.sort_unstable_by(|a, b| (&a.business_id, &a.jti).cmp(&(&b.business_id, &b.jti)));
    for token in sorted {
        script
            .bind(token.business_id.as_str())
            .bind(token.jti.as_str())
            .bind(token.keep_until);
    }
    Some(place)
}

/// For each of `tokens`, whether [`spend`]'s statement, which answered `rows`, recorded its
/// first use.
pub(crate) fn first_of(rows: Vec<AnyRow>, tokens: &[&TokenUse]) -> sqlx::Result<Vec<bool>> {
    let mut inserted = rows
        .iter()
        .map(|row| Ok((row.try_get("business_id")?, row.try_get("jti")?)))
        .collect::<sqlx::Result<HashSet<(String, String)>>>()?;
    Ok(tokens
        .iter()
        .map(|token| inserted.remove(&(token.business_id.clone(), token.jti.clone())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_11_a_token_twice_in_one_batch_is_used_once_and_replayed_once() {
        let (_dir, db) = crate::verify::scratch_db().await;
        let token = |business_id: &str, jti: &str| TokenUse {
            business_id: business_id.into(),
            jti: jti.into(),
            keep_until: 1_000,
        };
        let (twice, other, theirs) = (
            token("24941832", "t"),
            token("24941832", "u"),
            token("04595257", "t"),
        );
        let mut connection = db.pool.acquire().await.expect("connection");
        let first = first_uses(
            &mut connection,
            db.backend,
            &[&twice, &other, &twice, &theirs],
        )
        .await
        .expect("recorded");
        assert_eq!(first, [true, true, false, true]);
        let again = first_uses(
            &mut connection,
            db.backend,
            &[&other, &token("24941832", "v")],
        )
        .await
        .expect("recorded");
        assert_eq!(again, [false, true]);
    }
}
