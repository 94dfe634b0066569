//! The helper's HTTP routes: each turns a request into a [`Command`], runs it off the async runtime, and answers JSON.

use super::commands::{Command, PageOrigin, Personalising, PinPace, Reply};
use super::origin::{guard, AllowedOrigins};
use crate::backend::Backend;
use crate::protocol::{HelperError, ReaderQuery};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Extension, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 16 * 1024;

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

/// What the routes share: the card backend, the pacing of PIN tries and the personalisations
/// under way.
struct Helper {
    backend: Backend,
    pace: PinPace,
    personalising: Personalising,
}

/// The whole helper service, testable without a socket.
pub fn router(backend: Backend, origins: AllowedOrigins) -> Router {
    let helper = Arc::new(Helper {
        backend,
        pace: PinPace::default(),
        personalising: Personalising::default(),
    });
    Router::new()
        .route("/v1/version", get(|s| run(s, Ok(Command::Version))))
        .route("/v1/readers", get(|s| run(s, Ok(Command::Readers))))
        .route(
            "/v1/certificate",
            get(|s, query| run(s, reader_query(query).map(Command::Certificate))),
        )
        .route(
            "/v1/pin/status",
            get(|s, query| run(s, reader_query(query).map(Command::PinStatus))),
        )
        .route(
            "/v1/sign",
            post(|s, Extension(origin): Extension<PageOrigin>, body| {
                run(s, parse(body).map(|request| Command::Sign(request, origin)))
            }),
        )
        .route(
            "/v1/pin/unlock",
            post(|s, body| run(s, parse(body).map(Command::UnlockPin))),
        )
        .route(
            "/v1/pin/change",
            post(|s, body| run(s, parse(body).map(Command::ChangePin))),
        )
        .route(
            "/v1/issue/key",
            post(|s, Extension(origin): Extension<PageOrigin>, body| {
                run(
                    s,
                    parse(body).map(|request| Command::IssueKey(request, origin)),
                )
            }),
        )
        .route(
            "/v1/issue/certificate",
            post(|s, Extension(origin): Extension<PageOrigin>, body| {
                run(
                    s,
                    parse(body).map(|request| Command::WriteCertificate(request, origin)),
                )
            }),
        )
        .route(
            "/v1/card/reset-counter",
            get(|s, query| run(s, reader_query(query).map(Command::ResetCounter))),
        )
        .route(
            "/v1/card/reset",
            post(|s, body| run(s, parse(body).map(Command::ResetUserCode))),
        )
        .route(
            "/v1/certificate/replace-authorized",
            post(|s, body| run(s, parse(body).map(Command::AuthorizedReplace))),
        )
        .route(
            "/v1/certificate/replace",
            post(|s, body| run(s, parse(body).map(Command::ReplaceCertificate))),
        )
        .fallback(|| async { error_response(&HelperError::UnknownCommand) })
        .method_not_allowed_fallback(|| async { error_response(&HelperError::UnknownCommand) })
        .with_state(helper)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(Arc::new(origins), guard))
}

/// Decodes the optional `?reader=` of the GET commands.
fn reader_query(
    query: Result<Query<ReaderQuery>, QueryRejection>,
) -> Result<ReaderQuery, HelperError> {
    query
        .map(|Query(query)| query)
        .map_err(|_| HelperError::InvalidRequest {
            reason: "the query may only name a reader".to_owned(),
        })
}

/// Decodes a JSON body into a request type, mapping every failure to a stable code.
fn parse<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, HelperError> {
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => HelperError::RequestTooLarge,
        _ => HelperError::InvalidRequest {
            reason: "unreadable body".to_owned(),
        },
    })?;
    serde_json::from_slice(&body).map_err(|error| HelperError::InvalidRequest {
        // serde_json's messages name fields and positions, never values.
        reason: format!("{:?} at column {}", error.classify(), error.column()),
    })
}

async fn run(State(helper): State<Arc<Helper>>, command: Result<Command, HelperError>) -> Response {
    let id = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
    let command = match command {
        Ok(command) => command,
        Err(error) => return answer(id, "invalid", Err(error)),
    };
    let name = command.name();
    let outcome = tokio::task::spawn_blocking(move || {
        command.execute(&helper.backend, &helper.pace, &helper.personalising)
    })
    .await
    .unwrap_or(Err(HelperError::Internal));
    answer(id, name, outcome)
}

fn answer(id: u64, name: &str, outcome: Result<Reply, HelperError>) -> Response {
    match outcome {
        Ok(reply) => {
            tracing::info!(request = id, command = name, "ok");
            Json(reply).into_response()
        }
        Err(error) => {
            let code = serde_json::to_value(&error).ok().and_then(|value| {
                value
                    .get("code")
                    .and_then(|c| c.as_str().map(str::to_owned))
            });
            tracing::info!(request = id, command = name, error = ?code, "refused");
            error_response(&error)
        }
    }
}

/// The JSON body and HTTP status of an error.
pub(crate) fn error_response(error: &HelperError) -> Response {
    let status =
        StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(error.to_response())).into_response()
}
