//! `/ocsp/moica`: the MOICA CA's OCSP responder over HTTP (RFC 6960 Appendix A; issue 19 item
//! 4): a POST with the DER request as its body, or a GET with it base64 in the path. The
//! registration authority's records say what each certificate's status is; the CA signs.

use crate::pki::ocsp::Refusal;
use app::platform::ca::OcspStatus;
use app::platform::client::{client_address, limit_buckets};
use app::platform::rate_limit::Limit;
use app::platform::AppState;
use app::services::certificate::cases::CertificateStatus;
use app::services::certificate::store::{recorded_status, RecordedStatus};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{header, Extensions, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use base64::{engine::general_purpose::STANDARD, Engine};

/// Where relying parties ask.
pub const PATH: &str = "/ocsp/moica";

/// Requests one client (an IPv6 /64) may make a minute, across all servers: a relying party
/// asks once per certificate and 5 minutes (`pki::ocsp::RESPONSE_LIFETIME_SECONDS`), so this
/// serves a busy one, and bounds the lookups and signatures an anonymous client can cost.
pub const CLIENT_LIMIT: Limit = Limit {
    max: 600,
    window_seconds: 60,
};

const REQUEST_TYPE: &str = "application/ocsp-request";
const RESPONSE_TYPE: &str = "application/ocsp-response";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, post(by_post))
        .route(&format!("{PATH}/{{*request}}"), get(by_get))
}

async fn by_post(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if !content_type.eq_ignore_ascii_case(REQUEST_TYPE) {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "OCSP 查詢須為 application/ocsp-request / An OCSP request is application/ocsp-request",
        )
            .into_response();
    }
    answer(&state, &extensions, &body).await
}

/// RFC 6960 A.1: the request base64, then URL-encoded (the path arrives decoded).
async fn by_get(
    State(state): State<AppState>,
    extensions: Extensions,
    Path(request): Path<String>,
) -> Response {
    match STANDARD.decode(request.trim_start_matches('/')) {
        Ok(der) => answer(&state, &extensions, &der).await,
        Err(_) => ocsp(Refusal::Malformed.response()),
    }
}

async fn answer(state: &AppState, extensions: &Extensions, request_der: &[u8]) -> Response {
    let client = limit_buckets(client_address(extensions));
    match CLIENT_LIMIT
        .hit_client(&state.db.pool, "ocsp", &client, state.clock.unix())
        .await
    {
        Ok(Ok(())) => {}
        // Over the limit: the OCSP answer for "ask again later" (RFC 6960 §4.2.1).
        Ok(Err(_)) => return ocsp(Refusal::TryLater.response()),
        Err(error) => {
            tracing::error!(%error, "OCSP: the rate limit could not be counted");
            return ocsp(Refusal::Internal.response());
        }
    }
    let Some(ca) = &state.moica_ca else {
        // No MOICA CA here (HUJI_MOICA_CA_DIR unset): not authoritative for anything.
        return ocsp(Refusal::Unauthorized.response());
    };
    let serials = match ca.ocsp_serials(request_der) {
        Ok(serials) => serials,
        Err(refusal) => return ocsp(refusal),
    };
    let mut statuses = Vec::with_capacity(serials.len());
    for serial in &serials {
        match recorded_status(&state.db.pool, serial).await {
            Ok(recorded) => statuses.push(status(recorded)),
            Err(error) => {
                tracing::error!(%error, "OCSP: the certificate records could not be read");
                return ocsp(Refusal::Internal.response());
            }
        }
    }
    ocsp(ca.ocsp_response(request_der, &statuses, state.clock.unix()))
}

/// What a relying party is told of a recorded certificate: on hold while suspended or waiting
/// for 開卡 (nothing signs in with it meanwhile), revoked once revoked.
fn status(recorded: Option<RecordedStatus>) -> OcspStatus {
    match recorded {
        None => OcspStatus::Unknown,
        Some(RecordedStatus {
            status: CertificateStatus::Revoked,
            changed_at,
            ..
        }) => OcspStatus::Revoked { at: changed_at },
        Some(RecordedStatus {
            status: CertificateStatus::Suspended,
            changed_at,
            ..
        })
        | Some(RecordedStatus {
            awaiting_activation: true,
            changed_at,
            ..
        }) => OcspStatus::OnHold { since: changed_at },
        Some(_) => OcspStatus::Good,
    }
}

fn ocsp(der: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(RESPONSE_TYPE),
            ),
            // Each answer is of its moment, and may carry the client's nonce.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        der,
    )
        .into_response()
}
