//! The single use of request tokens (`jti`, per company), recorded in the database so that a
//! token replayed to another server behind the same load balancer is refused too. Every call
//! needs one insert; under load one writer task gathers the inserts that are waiting and makes
//! them one statement (group commit), so the database sees one write per batch.

use sqlx::AnyPool;
use std::collections::HashSet;
use tokio::sync::{mpsc, oneshot};

/// The most tokens in one insert (3 parameters each).
const MAX_BATCH: usize = 512;

struct FirstUse {
    business_id: String,
    jti: String,
    keep_until: i64,
    answer: oneshot::Sender<sqlx::Result<bool>>,
}

#[derive(Clone)]
pub(super) struct TokenIds {
    sender: mpsc::Sender<FirstUse>,
}

impl TokenIds {
    /// Starts the writer on the current runtime.
    pub(super) fn start(pool: AnyPool) -> TokenIds {
        let (sender, receiver) = mpsc::channel(MAX_BATCH * 8);
        tokio::spawn(writer(pool, receiver));
        TokenIds { sender }
    }

    /// Records the first use of `jti` by `business_id`; false when it was used before (a
    /// replay). Kept until `keep_until`, after which the token is refused as stale anyway.
    pub(super) async fn first_use(
        &self,
        business_id: &str,
        jti: &str,
        keep_until: i64,
    ) -> sqlx::Result<bool> {
        let (answer, answered) = oneshot::channel();
        let request = FirstUse {
            business_id: business_id.to_owned(),
            jti: jti.to_owned(),
            keep_until,
            answer,
        };
        let stopped = || sqlx::Error::Protocol("the token writer has stopped".into());
        self.sender.send(request).await.map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

async fn writer(pool: AnyPool, mut receiver: mpsc::Receiver<FirstUse>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match insert(&pool, &batch).await {
            Ok(inserted) => {
                // A token twice in one batch: the first is its use, the second a replay.
                let mut seen = HashSet::new();
                for request in batch.drain(..) {
                    let key = (request.business_id, request.jti);
                    let first = inserted.contains(&key) && seen.insert(key);
                    let _ = request.answer.send(Ok(first));
                }
            }
            Err(error) => {
                let message = error.to_string();
                for request in batch.drain(..) {
                    let _ = request
                        .answer
                        .send(Err(sqlx::Error::Protocol(message.clone())));
                }
            }
        }
    }
}

/// Inserts the batch; the tokens that were new.
async fn insert(pool: &AnyPool, batch: &[FirstUse]) -> sqlx::Result<HashSet<(String, String)>> {
    let rows = (0..batch.len())
        .map(|row| format!("(${}, ${}, ${})", row * 3 + 1, row * 3 + 2, row * 3 + 3))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO api_token_ids (business_id, jti, expires_at) VALUES {rows} \
         ON CONFLICT (business_id, jti) DO NOTHING RETURNING business_id, jti"
    );
    let mut insert = sqlx::query_as::<_, (String, String)>(&sql);
    for request in batch {
        insert = insert
            .bind(&request.business_id)
            .bind(&request.jti)
            .bind(request.keep_until);
    }
    Ok(insert.fetch_all(pool).await?.into_iter().collect())
}
