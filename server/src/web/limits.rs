//! The largest request body the server reads, path by path (issue 21 item 2). Every limit is
//! named here and held by one middleware, [`body_limit`], in front of every route: a body whose
//! `Content-Length` is over the limit is refused before a byte of it is read, and one sent
//! without a length (chunked) is cut off, and answered the same way, as soon as it passes the
//! limit — whatever the handler that was reading it would have answered.

use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A page's form (urlencoded, or multipart with a small file such as an API certificate).
pub const FORM: usize = 64 * 1024;

/// The agency linking application (`/agency-link/apply`), which carries up to five PDFs of
/// `documents::MAX_BYTES` each besides its fields; only a signed-in agency's is read.
pub const LINK_APPLICATION: usize = 5 * app::services::agency_link::documents::MAX_BYTES + FORM;

/// A server function's arguments (`/api/{fn}`): identifiers, a certificate, a signature.
pub const SERVER_FUNCTION: usize = 64 * 1024;
/// A server function's error as the portal reads it back to give it its status
/// (`web::settle_body`): an error is a few hundred bytes of JSON.
pub const SERVER_FN_ERROR: usize = 16 * 1024;

/// The form of an API-service case sent to be signed (`api_case_statement`): a [`FORM`] as
/// JSON, its file as Base64 (4/3 of it) and the JSON's own quoting.
pub const SIGNED_FORM: usize = 2 * FORM;

/// A call of the JSON APIs under `/integration/` (a person query is a few dozen bytes).
pub const INTEGRATION_API: usize = 4 * 1024;

/// A call of the identity confirmation API: an ID number and a citizen certificate (a few
/// KiB in base64 or PEM).
pub const CONFIRMATION_API: usize = 16 * 1024;

/// Anything else: pages, files and health checks take no body; an OCSP request (up to
/// `pki::ocsp::MAX_CERTIFICATES` certificate IDs of ~100 bytes) fits well within it.
pub const OTHER: usize = 4 * 1024;

/// The limit of a request to `path`.
pub fn for_path(path: &str) -> usize {
    if path == app::services::agency_link::APPLY_PATH {
        LINK_APPLICATION
    } else if app::services::manifest::form_pages().any(|page| page == path) {
        FORM
    } else if path == <app::services::api_service::signature::ApiCaseStatement as ServerFn>::PATH {
        SIGNED_FORM
    } else if path.starts_with("/api/") {
        SERVER_FUNCTION
    } else if path == crate::confirm::CONFIRM_PATH {
        CONFIRMATION_API
    } else if path.starts_with("/integration/") {
        INTEGRATION_API
    } else {
        OTHER
    }
}

/// Holds every request's body to [`for_path`]: 413 with [`too_large`] when it is over.
pub async fn body_limit(request: Request, next: Next) -> Response {
    let limit = for_path(request.uri().path());
    if declared_length(request.headers()).is_some_and(|length| length > limit as u64) {
        return too_large(limit);
    }
    // The body ends in an error once it passes the limit; whatever the handler makes of that
    // error, the client is told what happened.
    let exceeded = Arc::new(AtomicBool::new(false));
    let flag = exceeded.clone();
    let request = request.map(|body| {
        Body::new(
            http_body_util::Limited::new(body, limit).map_err(move |error| {
                if error.is::<http_body_util::LengthLimitError>() {
                    flag.store(true, Ordering::Relaxed);
                }
                error
            }),
        )
    });
    let response = next.run(request).await;
    if exceeded.load(Ordering::Relaxed) {
        too_large(limit)
    } else {
        response
    }
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
}

/// 413, saying the limit in both languages.
fn too_large(limit: usize) -> Response {
    let kib = limit / 1024;
    tracing::warn!(limit, "refused a request body over its limit");
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "請求內容超過上限 {kib} KiB，已拒絕 / The request body exceeds the limit of {kib} KiB and was refused"
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_21_2_each_path_has_its_stated_limit() {
        assert_eq!(for_path("/agency-link/apply"), LINK_APPLICATION);
        assert_eq!(for_path("/certificate/apply"), FORM);
        assert_eq!(for_path("/api/moica_apply"), SERVER_FUNCTION);
        assert_eq!(for_path("/api/api_case_statement"), SIGNED_FORM);
        assert_eq!(
            for_path("/integration/agency/v1/person-query"),
            INTEGRATION_API
        );
        assert_eq!(for_path("/"), OTHER);
    }
}
