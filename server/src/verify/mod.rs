//! The ID-card verification API (SPEC A-11, A-N3, A-N6, A-N8): `GET /integration/rwv2c2/`,
//! wire-compatible with the ministry's service. A company's server sends a JWT signed RS256
//! with the key of the certificate it uploaded (憑證上傳); the answer says whether the ID card
//! it describes matches the registry. Codes are documented in `docs/verification-api.md`.

mod answer;
pub mod client;
mod registry;
mod token;

pub use answer::{Answer, RdCode, Verdict};

use app::platform::AppState;
use axum::extract::State;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::OnceCell;

/// What the verification endpoint holds beyond the portal's state: the key of the ID-number
/// hashes, read from the database on first use (every server process shares it).
#[derive(Clone)]
pub struct VerifyState {
    pub app: AppState,
    id_key: Arc<OnceCell<ring::hmac::Key>>,
}

impl VerifyState {
    pub fn new(app: AppState) -> VerifyState {
        VerifyState {
            app,
            id_key: Arc::new(OnceCell::new()),
        }
    }

    /// The keyed hash of an ID number: what the failure counts and the call log store.
    async fn id_hash(&self, national_id: &str) -> sqlx::Result<String> {
        let key = self
            .id_key
            .get_or_try_init(|| registry::id_hash_key(&self.app.db.pool))
            .await?;
        Ok(hex::encode(ring::hmac::sign(key, national_id.as_bytes())))
    }
}

/// Forgets request tokens that have expired (a replay of one is refused as stale anyway) and
/// failure counts of days before yesterday (A-N6 counts one day).
pub async fn purge_expired(pool: &sqlx::AnyPool, now: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM api_token_ids WHERE expires_at < $1")
        .bind(now)
        .execute(pool)
        .await?;
    let yesterday = app::platform::clock::unix_to_taipei(now - 86_400).date_naive();
    sqlx::query("DELETE FROM verification_failures WHERE day < $1")
        .bind(yesterday.format("%Y-%m-%d").to_string())
        .execute(pool)
        .await?;
    Ok(())
}

/// `GET /integration/rwv2c2/`.
pub async fn rwv2c2(State(state): State<VerifyState>, parts: Parts) -> Response {
    let started = Instant::now();
    let source_ip = client_ip(&parts);
    let outcome = answer(&state, &parts, &source_ip).await;
    let (answer, call) = match outcome {
        Ok(done) => done,
        Err(error) => {
            tracing::error!(%error, "verification failed on the server side");
            (Answer::unavailable(), None)
        }
    };
    if let Some(call) = call {
        let latency = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
        if let Err(error) =
            registry::record_call(&state.app, &call, &source_ip, &answer, latency).await
        {
            tracing::error!(%error, "recording a verification call failed");
        }
    }
    answer.into_response()
}

/// The caller's address (through trusted proxies only).
fn client_ip(parts: &Parts) -> String {
    app::platform::client::client_address(&parts.extensions)
        .map(|address| address.to_string())
        .unwrap_or_default()
}

/// Who called, once the token named a grant: what the call log records.
pub(crate) struct Caller {
    business_id: String,
    ap_id: String,
    user_id: String,
    id_hash: Option<String>,
}

async fn answer(
    state: &VerifyState,
    parts: &Parts,
    source_ip: &str,
) -> anyhow::Result<(Answer, Option<Caller>)> {
    let now = state.app.clock.unix();
    let request = match token::authenticate(&state.app, parts, source_ip, now).await? {
        Ok(request) => request,
        Err((answer, caller)) => return Ok((answer, caller)),
    };
    let mut caller = request.caller;
    let query = match token::ConditionMap::parse(&request.condition_map) {
        Ok(query) => query,
        Err(()) => return Ok((Answer::refused(RdCode::InvalidQuery), Some(caller))),
    };
    let id_hash = state.id_hash(query.person_id.as_str()).await?;
    caller.id_hash = Some(id_hash.clone());
    let verdict = registry::verify(&state.app, &query, &id_hash).await?;
    Ok((Answer::done(verdict), Some(caller)))
}
