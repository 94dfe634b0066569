//! The ID-card verification API (SPEC A-11, A-N3, A-N6, A-N8): `GET /integration/rwv2c2/`,
//! wire-compatible with the ministry's service. A company's server sends a JWT signed RS256
//! with the key of the certificate it uploaded (憑證上傳); the answer says whether the ID card
//! it describes matches the registry. Codes are documented in `docs/verification-api.md`.

mod abnormal;
mod answer;
pub(crate) mod batch;
pub(crate) mod call_log;
pub mod client;
mod grants;
pub(crate) mod keys;
pub mod openapi;
pub(crate) mod rate;
pub mod refusals;
mod registry;
pub(crate) mod token;
pub(crate) mod token_ids;

pub use abnormal::Thresholds;
pub use answer::{Answer, RdCode, Verdict};

use app::platform::db::{Backend, Db, WAL_RESTART_PAGES};
use app::platform::id_hash::IdHashKey;
use app::platform::AppState;
use app::services::id_usage::index::{self as id_usage, Log};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use call_log::{CallLog, CallRecord};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use token_ids::TokenUse;

/// The verification API's own settings (docs/operations.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Calls a second allowed to each apId, in each server process.
    pub rate_per_second: u32,
    pub abnormal: Thresholds,
    /// How long a server answers from a grant it has read before reading it again: the most
    /// a change to a grant takes to reach every server.
    pub grant_cache: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rate_per_second: 100,
            abnormal: Thresholds::default(),
            grant_cache: Duration::from_secs(1),
        }
    }
}

/// Reads the ID-number hash key's file, making it at first start (see
/// [`crate::secrets::load_or_create`]).
pub fn load_id_key(path: &Path) -> anyhow::Result<IdHashKey> {
    Ok(IdHashKey::new(&crate::secrets::load_or_create(
        path,
        "ID-number hash key",
    )?))
}

/// What the verification endpoint holds beyond the portal's state. Cheap to clone.
#[derive(Clone)]
pub struct VerifyState {
    /// Shared, not copied: axum clones the state for every call.
    app: Arc<AppState>,
    inner: Arc<Inner>,
}

struct Inner {
    grants: grants::Grants,
    keys: keys::KeyCache,
    registry: registry::Registry,
    rate: rate::RateLimit,
    detector: abnormal::Detector,
    token_ids: token_ids::TokenIds,
    log: CallLog<CallRecord>,
    refusals: refusals::Refusals,
}

impl VerifyState {
    /// Starts, on the current runtime, the registry's reader and the writers of the call log
    /// and of the tokens used, all on the machine APIs' connection ([`Db::dedicated`], shared
    /// with the confirmation API), and the checkpoints of SQLite's log.
    pub fn new(app: AppState, settings: &Settings) -> VerifyState {
        let db = app.db.dedicated();
        if db.backend == Backend::Sqlite {
            tokio::spawn(checkpoint(app.db.clone(), db.clone()));
        }
        let log = CallLog::start(db.clone());
        let token_ids = token_ids::TokenIds::start(db.clone());
        let refusals = refusals::Refusals::start(db.clone());
        let registry = registry::Registry::start(db);
        VerifyState {
            app: Arc::new(app),
            inner: Arc::new(Inner {
                grants: grants::Grants::new(settings.grant_cache),
                keys: keys::KeyCache::new(app::pki::Purpose::ApiCertificate),
                registry,
                rate: rate::RateLimit::new(settings.rate_per_second),
                detector: abnormal::Detector::new(settings.abnormal),
                token_ids,
                log,
                refusals,
            }),
        }
    }

    /// The portal's state.
    pub(crate) fn app(&self) -> &AppState {
        &self.app
    }

    /// The key the call logs hash ID numbers with.
    pub(crate) fn id_key(&self) -> &IdHashKey {
        &self.app.id_key
    }

    /// The single use of request tokens, shared with the linked-agency API.
    pub(crate) fn token_ids(&self) -> &token_ids::TokenIds {
        &self.inner.token_ids
    }

    /// The counts of refused calls no caller was proven to make, shared with the
    /// linked-agency API.
    pub(crate) fn refusals(&self) -> &refusals::Refusals {
        &self.inner.refusals
    }

    /// Returns once every refused call answered so far is counted (every call of a proven
    /// caller is in the call log before it is answered).
    pub async fn flush(&self) {
        self.inner.refusals.flush().await;
    }
}

/// Every second, SQLite's write-ahead log copied into the database file off every call's path
/// (see [`Db::checkpoint`]).
async fn checkpoint(db: Db, writer: Db) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(error) = db.checkpoint(&writer, WAL_RESTART_PAGES).await {
            tracing::error!(%error, "checkpoint of the database log failed");
        }
    }
}

/// How long the call log keeps a call (F-8): five years, counted as 1,827 days so that two
/// leap days in them still make five full years. Migration 0042's triggers hold the same
/// number, and refuse to delete a younger row.
pub const CALL_LOG_RETENTION: i64 = 1_827 * 86_400;

/// How long a request token's use is kept after the token expired. A token is found fresh
/// when its call arrives but spent when its batch runs, later; a replay arriving meanwhile must
/// still find its first use. Ten minutes is far beyond any batch's wait.
const TOKEN_KEPT_AFTER_EXPIRY: i64 = 600;

/// Forgets request tokens expired for [`TOKEN_KEPT_AFTER_EXPIRY`] (a replay of one is refused
/// as stale anyway), failure counts of days before yesterday (A-N6 counts one day), and calls
/// past the call log's retention, with their rows of the person's index: by the database's own
/// clock, as its triggers count, whatever the portal's.
pub async fn purge_expired(db: &Db, now: i64) -> sqlx::Result<()> {
    let pool = &db.pool;
    let database_now = match db.backend {
        Backend::Sqlite => "CAST(strftime('%s', 'now') AS INTEGER)",
        Backend::Postgres => "CAST(extract(epoch FROM now()) AS BIGINT)",
    };
    let mut transaction = db.begin_write().await?;
    let cutoff: i64 = sqlx::query_scalar(&format!("SELECT {database_now} - {CALL_LOG_RETENTION}"))
        .fetch_one(&mut *transaction)
        .await?;
    id_usage::delete_calls_until(&mut transaction, db.backend, Log::Verifications, cutoff).await?;
    transaction.commit().await?;
    sqlx::query("DELETE FROM api_token_ids WHERE expires_at < $1")
        .bind(now - TOKEN_KEPT_AFTER_EXPIRY)
        .execute(pool)
        .await?;
    let yesterday = app::platform::clock::unix_to_taipei(now - 86_400).date_naive();
    sqlx::query("DELETE FROM verification_failures WHERE day < $1")
        .bind(yesterday.format("%Y-%m-%d").to_string())
        .execute(pool)
        .await?;
    refusals::purge_expired(pool, now).await
}

/// The middleware in front of every endpoint of the API. It checks the caller
/// ([`token::authenticate`]) and answers a refusal itself; a grant suspended for abnormal use
/// (A-N9) is answered 8 before anything is read. It records every call of a proven caller,
/// accepted or refused, in the call log, with what the endpoint answered; a call naming a
/// grant but not signed by it is only counted ([`refusals`]).
pub async fn authenticated(
    State(state): State<VerifyState>,
    request: Request,
    next: Next,
) -> Response {
    // The endpoints answer GET only, as the OpenAPI document says. Another method (HEAD too,
    // whose answer would be a verdict nobody reads) is refused before the token is read:
    // nothing is spent, compared, counted or logged as an answer the endpoint never gave.
    if request.method() != Method::GET {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET")]).into_response();
    }
    let started = Instant::now();
    let now = state.app.clock.unix();
    let (mut parts, body) = request.into_parts();
    let source_ip = client_ip(&parts);
    let call_of = |caller| Call {
        caller,
        at: now,
        source_ip: source_ip.clone(),
        started,
    };
    let (response, call) = match token::authenticate(&state, &parts, &source_ip, now).await {
        Ok(token::Check::Passed(request)) if request.abnormal => (
            once_spent(&state, request.token, Answer::done(Verdict::Abnormal))
                .await
                .into_response(),
            Some(call_of(request.caller)),
        ),
        Ok(token::Check::Passed(request)) => {
            let call = call_of(request.caller);
            parts.extensions.insert(Authenticated {
                call: call.clone(),
                condition_map: request.condition_map,
                token: request.token,
            });
            let response = next.run(Request::from_parts(parts, body)).await;
            (response, Some(call))
        }
        Ok(token::Check::Refused(answer, caller)) => (answer.into_response(), caller.map(call_of)),
        Err(error) => {
            tracing::error!(%error, "verification failed on the server side");
            (Answer::unavailable().into_response(), None)
        }
    };
    let Some(call) = call else {
        return response;
    };
    let answer = response
        .extensions()
        .get::<Answer>()
        .copied()
        .unwrap_or_else(Answer::unavailable);
    if !call.caller.signed {
        state.inner.refusals.count(refusals::Refusal {
            api: refusals::Api::Verification,
            named: format!("{}/{}", call.caller.business_id, call.caller.ap_id),
            code: answer.rd_code.code(),
            at: now,
            source: &call.source_ip,
        });
        return response;
    }
    // A verification's row was written in the transaction that decided it.
    if response.extensions().get::<Recorded>().is_some() {
        return response;
    }
    // The answer leaves only once its call is in the log (F-8): one that cannot be written is
    // answered unavailable instead, as a call the service could not take.
    match state.inner.log.record(call.record(answer, None)).await {
        Ok(()) => response,
        Err(call_log::Unrecorded) => Answer::unavailable().into_response(),
    }
}

/// A call of a proven caller, until its row is in the call log.
#[derive(Clone)]
pub(crate) struct Call {
    caller: Caller,
    /// The moment of the call, on the portal's clock.
    at: i64,
    source_ip: String,
    started: Instant,
}

impl Call {
    /// The call's row in the call log, answered `answer` about the ID number whose keyed hash
    /// is `id_hash`; its latency is the time until now.
    fn record(&self, answer: Answer, id_hash: Option<String>) -> CallRecord {
        CallRecord {
            used: matches!(answer.rd_code, RdCode::Done | RdCode::InvalidQuery),
            business_id: self.caller.business_id.clone(),
            ap_id: self.caller.ap_id.clone(),
            user_id: self.caller.user_id.clone(),
            called_at: self.at,
            source_ip: self.source_ip.clone(),
            id_hash,
            rd_code: answer.rd_code.code(),
            verdict: answer.verdict.map(Verdict::code),
            latency_us: i64::try_from(self.started.elapsed().as_micros()).unwrap_or(i64::MAX),
        }
    }
}

/// A call that [`authenticated`] let through: what the endpoint behind it may use.
#[derive(Clone)]
pub struct Authenticated {
    call: Call,
    /// The JWT's `conditionMap`, unparsed.
    condition_map: String,
    /// The use of the call's token, which the endpoint records before it answers anything
    /// but a refusal of the replay.
    token: TokenUse,
}

/// `answer`, once `token`'s use is recorded as its first; the replay's refusal when it was
/// used before.
async fn once_spent(state: &VerifyState, token: TokenUse, answer: Answer) -> Answer {
    match state.inner.token_ids.first_use(token).await {
        Ok(true) => answer,
        Ok(false) => Answer::only(RdCode::ReplayedToken),
        Err(error) => {
            tracing::error!(%error, "recording a request token's use failed");
            Answer::unavailable()
        }
    }
}

/// Marks an answer whose call's row is already written.
#[derive(Clone)]
struct Recorded;

/// Verifies the ID card described by the JWT's `conditionMap`.
///
/// Every answer, accepted or refused, has the same JSON shape; `rdCode` says what became of
/// the call and `responseData.checkIdCardApply` the verdict.
#[utoipa::path(
    get,
    path = "/integration/rwv2c2/",
    tag = "verification",
    security(("bearerJwt" = [])),
    responses(
        (status = 200, description = "RS7009 查詢作業完成: see checkIdCardApply", body = answer::AnswerBody),
        (status = 400, description = "RS3822 查詢條件值,不符規定: conditionMap invalid", body = answer::AnswerBody),
        answer::Refusals,
    )
)]
pub async fn rwv2c2(
    State(state): State<VerifyState>,
    Extension(call): Extension<Authenticated>,
) -> Response {
    match verify(&state, call).await {
        Ok(answer) => {
            let mut response = answer.into_response();
            response.extensions_mut().insert(Recorded);
            response
        }
        Err(error) => {
            tracing::error!(%error, "verification failed on the server side");
            Answer::unavailable().into_response()
        }
    }
}

/// Checks a company's set-up without verifying anyone: the same token, grant, address,
/// certificate, rate and single use of the `jti` as a verification (`conditionMap` is not
/// read), answered HJ2000 when all of them pass. It reads nothing from the registry, counts
/// towards no failure and no use of the grant (A-N8), and is recorded in the call log.
#[utoipa::path(
    get,
    path = "/integration/rwv2c2/connection-test",
    tag = "verification",
    security(("bearerJwt" = [])),
    responses(
        (status = 200, description = "HJ2000 連線測試成功; or RS7009 with checkIdCardApply 8 when the grant is suspended for abnormal use", body = answer::AnswerBody),
        answer::Refusals,
    )
)]
pub async fn connection_test(
    State(state): State<VerifyState>,
    Extension(call): Extension<Authenticated>,
) -> Answer {
    once_spent(&state, call.token, Answer::only(RdCode::ConnectionTested)).await
}

/// The caller's address (through trusted proxies only).
fn client_ip(parts: &Parts) -> String {
    app::platform::client::client_address(&parts.extensions)
        .map(|address| address.to_string())
        .unwrap_or_default()
}

/// Who called, once the token named a grant: what the call log records.
#[derive(Clone)]
pub(crate) struct Caller {
    business_id: String,
    ap_id: String,
    user_id: String,
    /// The signature verified: the caller is the company it names.
    signed: bool,
}

/// The answer to an authenticated call, its row of the call log written with it (or perhaps
/// written, when the answer is that the service is unavailable); an error when nothing was.
async fn verify(state: &VerifyState, authenticated: Authenticated) -> anyhow::Result<Answer> {
    let Authenticated {
        call,
        condition_map,
        token,
    } = authenticated;
    let query = token::ConditionMap::parse(&condition_map).ok();
    let id_hash = query
        .as_ref()
        .map(|query| state.id_key().hash(query.person_id.as_str()));
    let asked = query.as_ref().zip(id_hash.as_deref());
    let verdict = match state
        .inner
        .registry
        .verify(&state.app, asked, &call, token)
        .await
    {
        call_log::Outcome::Written(registry::Decided::Compared(verdict)) => verdict,
        call_log::Outcome::Written(decided) => return Ok(decided.answer()),
        call_log::Outcome::Unwritten => {
            anyhow::bail!("nothing was compared: the row was not written")
        }
        // It may be on record already, with its verdict: it is not written again.
        call_log::Outcome::Unknown => return Ok(Answer::unavailable()),
    };
    // The verdict is reached and on record: a suspension that fails cannot take it back.
    if let Some(id_hash) = &id_hash {
        if let Err(error) = watch(state, &call, id_hash, verdict).await {
            tracing::error!(%error, "suspending a grant for abnormal use failed");
        }
    }
    Ok(Answer::done(verdict))
}

/// Shows a verification to the abnormal-use detector (A-N9), and suspends the grant on a
/// finding.
async fn watch(
    state: &VerifyState,
    call: &Call,
    id_hash: &str,
    verdict: Verdict,
) -> anyhow::Result<()> {
    let business_id = &call.caller.business_id;
    let finding = state
        .inner
        .detector
        .observe(&state.app.db.pool, business_id, call.at, id_hash, verdict)
        .await;
    if let Some(finding) = finding {
        let suspended = app::services::api_service::store::suspend_for_abnormal_use(
            &state.app.db,
            call.at,
            business_id,
            &finding,
            &state.app.settings.review_mailbox,
        )
        .await
        .map_err(|error| anyhow::anyhow!("suspending for abnormal use: {error:?}"))?;
        state.inner.grants.forget(business_id);
        if suspended {
            tracing::warn!(%business_id, %finding, "grant suspended for abnormal use");
        }
    }
    Ok(())
}

/// A SQLite database of its own, in a directory removed when the first value is dropped.
#[cfg(test)]
pub(crate) async fn scratch_db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("scratch.db").display());
    let key = app::platform::audit::AuditKey::new(&[7; 32]);
    let db = Db::connect(&url, 2, key).await.expect("database");
    (dir, db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_11_the_id_hash_key_is_made_once_and_read_back_by_every_server() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("secrets/id-hash.key");
        let first = load_id_key(&path).expect("made");
        let second = load_id_key(&path).expect("read");
        assert_eq!(first.hash("A123456789"), second.hash("A123456789"));
        assert_ne!(first.hash("A123456789"), first.hash("A123456780"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not hex").expect("spoil");
        assert!(load_id_key(&path).is_err());
    }
}
