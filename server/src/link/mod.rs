//! The linked-agency API (SPEC L-16 … L-20, issue 18 item 6): `/integration/agency/v1/…`,
//! what an agency's system calls once its case has come through the seed's steps. During the
//! scheduled test day its connection test takes step 18; once the link is live it asks for a
//! person by ID number and is answered the items approved in its case, and nothing else.
//! Who may call is checked in [`auth`]; every call its 密碼表 proved is recorded ([`calls`]),
//! the others counted ([`crate::verify::refusals`]); the manual is
//! `docs/agency-link-api.md`, the OpenAPI document `/integration/agency/openapi.json`.

mod answer;
mod auth;
mod calls;
pub mod client;
mod guard;
pub mod openapi;
mod person;

pub use answer::{LinkAnswer, LinkCode};
pub use auth::{Operation, PASSWORD_HEADER, USER_HEADER};

use crate::verify::keys::KeyCache;
use crate::verify::{refusals, VerifyState};
use app::domain::national_id::NationalId;
use app::error::PortalError;
use app::platform::clock::unix_to_taipei;
use app::services::agency_link::cases::LinkStatus;
use app::services::agency_link::progress;
use auth::{Check, LinkedCase};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use utoipa::ToSchema;

/// 連結測試's path (the `utoipa::path` attributes below repeat it, as they take literals).
pub const CONNECTION_TEST_PATH: &str = "/integration/agency/v1/connection-test";
/// The person query's path.
pub const PERSON_QUERY_PATH: &str = "/integration/agency/v1/person-query";

/// A refused test call of one kind is noted on a case's timeline at most once in this long, so
/// that a misconfigured system retrying every second does not bury the case's history.
const NOTE_EVERY_SECONDS: i64 = 10 * 60;

/// What the linked-agency API holds beyond the verification API's state, whose ID-hash key,
/// single use of tokens and trust store it shares. Cheap to clone.
#[derive(Clone)]
pub struct LinkState {
    verify: VerifyState,
    keys: Arc<KeyCache>,
    guard: Arc<guard::PasswordGuard>,
    noted: Arc<Notes>,
}

/// When a refused test call of each kind was last noted on each case.
#[derive(Default)]
struct Notes(Mutex<HashMap<(String, &'static str), i64>>);

impl Notes {
    /// Whether a refusal `code` of case `link_id` is to be noted on its timeline now.
    fn due(&self, link_id: &str, code: LinkCode, now: i64) -> bool {
        let mut noted = self.0.lock().unwrap_or_else(|e| e.into_inner());
        noted.retain(|_, at| now - *at < NOTE_EVERY_SECONDS);
        let key = (link_id.to_owned(), code.code());
        if noted.contains_key(&key) {
            return false;
        }
        noted.insert(key, now);
        true
    }
}

impl LinkState {
    pub fn new(verify: VerifyState) -> LinkState {
        LinkState {
            verify,
            keys: Arc::new(KeyCache::new(app::pki::Purpose::AgencyCard)),
            guard: Arc::new(guard::PasswordGuard::new()),
            noted: Arc::default(),
        }
    }
}

/// Whether `now` falls in the connection test's window: the Taipei calendar day of the
/// scheduled test (`test_at`, step 16), as the seed's “按訂定之測試日期”.
pub fn in_test_window(test_at: i64, now: i64) -> bool {
    unix_to_taipei(test_at).date_naive() == unix_to_taipei(now).date_naive()
}

/// The body of a person query.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonQuery {
    /// The 國民身分證統一編號 asked about.
    #[schema(example = "A123456789")]
    pub person_id: String,
}

/// 連結測試 (step 18): on the scheduled test day, while step 18 is the case's next, a call
/// that passes every check takes step 18 as the agency. A refused test call is noted on the
/// case's timeline with its reason.
#[utoipa::path(
    post,
    path = "/integration/agency/v1/connection-test",
    tag = "agency-link",
    security(("agencyUser" = [], "agencyPassword" = [], "bearerJwt" = []), ("agencyUser" = [], "agencyPassword" = [])),
    responses(
        (status = 200, description = "HJL2000 連結測試成功: step 18 taken", body = answer::LinkAnswerBody),
        (status = 409, description = "HJL4090: not the test day, or step 18 is not the case's next", body = answer::LinkAnswerBody),
        answer::Refusals,
    )
)]
pub async fn connection_test(State(state): State<LinkState>, request: Request) -> Response {
    serve(&state, request, Operation::ConnectionTest).await
}

/// 連結查詢: once the link is live, the approved data items of the person with `personId`.
#[utoipa::path(
    post,
    path = "/integration/agency/v1/person-query",
    tag = "agency-link",
    request_body = PersonQuery,
    security(("agencyUser" = [], "agencyPassword" = [], "bearerJwt" = []), ("agencyUser" = [], "agencyPassword" = [])),
    responses(
        (status = 200, description = "HJL2001 查詢作業完成: data holds the approved items", body = answer::LinkAnswerBody),
        (status = 400, description = "HJL4000: the body is not {\"personId\": <a valid ID number>}", body = answer::LinkAnswerBody),
        (status = 404, description = "HJL4040: no such ID number", body = answer::LinkAnswerBody),
        (status = 409, description = "HJL4091: the link is not live", body = answer::LinkAnswerBody),
        answer::Refusals,
    )
)]
pub async fn person_query(State(state): State<LinkState>, request: Request) -> Response {
    serve(&state, request, Operation::PersonQuery).await
}

/// What a call came to: the answer, its case if known, the ID hash of a person query.
struct Outcome {
    answer: LinkAnswer,
    case: Option<LinkedCase>,
    id_hash: Option<String>,
    /// Refused before the 密碼表 proved the caller: anyone can send such calls, so they are only
    /// counted ([`crate::verify::refusals`]), not logged a row each.
    unproven: bool,
}

impl Outcome {
    fn only(code: LinkCode, case: Option<LinkedCase>) -> Outcome {
        Outcome {
            answer: LinkAnswer::only(code),
            case,
            id_hash: None,
            unproven: false,
        }
    }

    fn unproven(code: LinkCode, case: Option<LinkedCase>) -> Outcome {
        Outcome {
            unproven: true,
            ..Outcome::only(code, case)
        }
    }
}

/// Checks the caller, answers `operation`, and records the call.
async fn serve(state: &LinkState, request: Request, operation: Operation) -> Response {
    let started = Instant::now();
    let now = state.verify.app().clock.unix();
    let (parts, body) = request.into_parts();
    let source = app::platform::client::client_address(&parts.extensions);
    let outcome = match answer(state, &parts, body, source, operation, now).await {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::error!(%error, operation = operation.code(), "agency link call failed on the server side");
            // Whoever called is not known here: counted, like a refusal before the 密碼表.
            Outcome::unproven(LinkCode::Unavailable, None)
        }
    };
    if let Some(case) = &outcome.case {
        if operation == Operation::ConnectionTest && outcome.answer.code != LinkCode::Tested {
            note_failed_test(state, case, source, outcome.answer.code, now).await;
        }
    }
    let source_ip = source.map(|ip| ip.to_string()).unwrap_or_default();
    let link_id = outcome.case.as_ref().map(|case| case.id.as_str());
    if outcome.unproven {
        state.verify.refusals().count(refusals::Refusal {
            api: refusals::Api::AgencyLink,
            named: link_id.unwrap_or_default().to_owned(),
            code: outcome.answer.code.code(),
            at: now,
            source: &source_ip,
        });
    } else if let Err(error) = calls::record(
        &state.verify.app().db.pool,
        calls::CallRecord {
            link_id,
            called_at: now,
            source_ip,
            operation,
            outcome: outcome.answer.code,
            id_hash: outcome.id_hash,
            latency_us: i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX),
        },
    )
    .await
    {
        // No answer, and no person's data, leaves without its row in the call log (F-8).
        tracing::error!(%error, link_id = ?link_id, "writing the agency link call log failed; the call is answered unavailable");
        return LinkAnswer::only(LinkCode::Unavailable).into_response();
    }
    outcome.answer.into_response()
}

async fn answer(
    state: &LinkState,
    parts: &Parts,
    body: axum::body::Body,
    source: Option<IpAddr>,
    operation: Operation,
    now: i64,
) -> anyhow::Result<Outcome> {
    let case = match auth::authenticate(state, parts, source, operation, now).await? {
        Check::Passed(case) => case,
        Check::Unproven(code, case) => return Ok(Outcome::unproven(code, case)),
        Check::Refused(code, case) => return Ok(Outcome::only(code, Some(case))),
    };
    if matches!(case.status, LinkStatus::Withdrawn | LinkStatus::Cancelled) {
        return Ok(Outcome::only(LinkCode::Closed, Some(case)));
    }
    match operation {
        Operation::ConnectionTest => test(state, source, case, now).await,
        Operation::PersonQuery => query(state, body, case).await,
    }
}

/// Step 18, on the test day, through the case engine.
async fn test(
    state: &LinkState,
    source: Option<IpAddr>,
    case: LinkedCase,
    now: i64,
) -> anyhow::Result<Outcome> {
    let on_the_day = case.test_at.is_some_and(|at| in_test_window(at, now));
    if case.status != LinkStatus::InProgress || !on_the_day {
        return Ok(Outcome::only(LinkCode::NotNow, Some(case)));
    }
    let taken = progress::take_test_call(
        state.verify.app(),
        &case.agency_code,
        source.map(|ip| ip.to_string()).unwrap_or_default(),
        &case.id,
    )
    .await;
    let code = match taken {
        Ok(_) => LinkCode::Tested,
        // Not the case's next step (already passed, or steps before it open).
        Err(PortalError::Refused { .. } | PortalError::Forbidden) => LinkCode::NotNow,
        Err(error) => return Err(error.into()),
    };
    Ok(Outcome::only(code, Some(case)))
}

/// The approved items of the person asked about.
async fn query(
    state: &LinkState,
    body: axum::body::Body,
    case: LinkedCase,
) -> anyhow::Result<Outcome> {
    if case.status != LinkStatus::Live {
        return Ok(Outcome::only(LinkCode::NotLive, Some(case)));
    }
    let national_id = match axum::body::to_bytes(body, crate::web::limits::INTEGRATION_API).await {
        Ok(bytes) => serde_json::from_slice::<PersonQuery>(&bytes)
            .ok()
            .and_then(|query| NationalId::parse(&query.person_id).ok()),
        Err(_) => None,
    };
    let Some(national_id) = national_id else {
        return Ok(Outcome::only(LinkCode::InvalidQuery, Some(case)));
    };
    let id_hash = state.verify.id_key().hash(national_id.as_str());
    let pool = &state.verify.app().db.pool;
    let items = app::services::agency_link::items::approved(pool, &case.id, case.data_kind).await?;
    let found = person::query(pool, &national_id, &items).await?;
    let answer = match found {
        Some(data) => LinkAnswer {
            code: LinkCode::Found,
            data: Some(data),
        },
        None => LinkAnswer::only(LinkCode::NotFound),
    };
    Ok(Outcome {
        answer,
        case: Some(case),
        id_hash: Some(id_hash),
        unproven: false,
    })
}

/// A refused test call, noted on its case's timeline (and audit trail) while the case waits
/// for its test, so that every party sees why the test failed.
async fn note_failed_test(
    state: &LinkState,
    case: &LinkedCase,
    source: Option<IpAddr>,
    code: LinkCode,
    now: i64,
) {
    if case.status != LinkStatus::InProgress
        || matches!(code, LinkCode::Unavailable)
        || !state.noted.due(&case.id, code, now)
    {
        return;
    }
    let source = source.map(|ip| ip.to_string()).unwrap_or_default();
    let (zh_tw, english) = code.messages();
    let reason = format!(
        "{} {zh_tw}（來源 {source}）/ {english} (from {source})",
        code.code()
    );
    if let Err(error) = progress::record_failed_test(
        state.verify.app(),
        &case.agency_code,
        source,
        &case.id,
        &reason,
    )
    .await
    {
        tracing::error!(%error, link_id = %case.id, "noting a failed connection test failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::platform::clock::taipei_to_utc;

    fn taipei(text: &str) -> i64 {
        let local =
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("date-time");
        taipei_to_utc(local).timestamp()
    }

    #[test]
    fn l_16_the_test_window_is_the_taipei_day_of_the_scheduled_test() {
        let test_at = taipei("2023-11-20 10:00:00");
        assert!(in_test_window(test_at, taipei("2023-11-20 00:00:00")));
        assert!(in_test_window(test_at, taipei("2023-11-20 23:59:59")));
        assert!(!in_test_window(test_at, taipei("2023-11-19 23:59:59")));
        assert!(!in_test_window(test_at, taipei("2023-11-21 00:00:00")));
    }

    #[test]
    fn l_18_a_refusal_is_noted_once_a_while_per_case_and_kind() {
        let notes = Notes::default();
        assert!(notes.due("A", LinkCode::WrongCredentials, 0));
        assert!(!notes.due("A", LinkCode::WrongCredentials, 1));
        assert!(notes.due("A", LinkCode::UnknownCaller, 1));
        assert!(notes.due("B", LinkCode::WrongCredentials, 1));
        assert!(!notes.due("A", LinkCode::WrongCredentials, NOTE_EVERY_SECONDS - 1));
        assert!(notes.due("A", LinkCode::WrongCredentials, NOTE_EVERY_SECONDS));
    }
}
