//! The identity confirmation API (seed 003, SPEC I-3): `POST /integration/confirmation/v1/confirm`.
//! A registered, enabled application system, authenticated by its server certificate over
//! mutual TLS ([`tls`]), asks whether a citizen certificate (or the card's number) belongs to
//! an ID number, and is answered that and, only if it does, the certificate's status. Every
//! call is logged ([`calls`]). The manual is `docs/confirmation-api.md`; the OpenAPI document
//! `/integration/confirmation/openapi.json`.
//!
//! Behind a TLS-terminating proxy, the proxy verifies the client certificate and forwards it
//! URL-encoded in [`PROXY_CERTIFICATE_HEADER`]. The header is believed only from the proxies
//! named for this API (`HUJI_CONFIRM_PROXIES`), which must set it afresh on every request;
//! not from the portal's general reverse proxies (`HUJI_TRUSTED_PROXIES`), which pass the
//! public's headers on. Without `HUJI_CONFIRM_PROXIES` the portal's listener has no such
//! route at all.

mod answer;
mod calls;
mod holders;
pub mod openapi;
mod systems;
pub mod tls;

pub use answer::{ConfirmAnswer, ConfirmCode};
pub use holders::{purge_expired, Confirmation, MISSES_A_DAY};

use crate::verify::call_log::{CallLog, Unrecorded};
use crate::verify::rate::RateLimit;
use app::domain::{card_number::CardNumber, national_id::NationalId};
use app::pki::UncheckedCertificate;
use app::platform::client::TrustedProxies;
use app::platform::AppState;
use app::services::confirmation::systems::OutOfService;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use calls::{Call, ConfirmCall};
use holders::{Holders, Presented};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// The API's one path (the `utoipa::path` attribute below repeats it).
pub const CONFIRM_PATH: &str = "/integration/confirmation/v1/confirm";

/// Where a trusted TLS-terminating proxy puts the client certificate it verified: PEM,
/// URL-encoded, as nginx's `$ssl_client_escaped_cert` and HAProxy's `ssl_c_der,base64` give
/// it (either is read).
pub const PROXY_CERTIFICATE_HEADER: &str = "x-client-certificate";

/// A request body must arrive within this.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The API's settings (docs/operations.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Calls a second allowed to each system, in each server process.
    pub rate_per_second: u32,
    /// How long a server answers from a system's record before reading it again: the most a
    /// change (a stop, a disable) takes to reach every server.
    pub cache: Duration,
    /// The TLS-terminating proxies whose [`PROXY_CERTIFICATE_HEADER`] is believed; none: the
    /// API is served on its own mutual-TLS listener only.
    pub proxies: TrustedProxies,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rate_per_second: 500,
            cache: Duration::from_secs(1),
            proxies: TrustedProxies::default(),
        }
    }
}

/// The client certificate of a call (DER): from the mutual-TLS listener, or from a trusted
/// proxy.
#[derive(Clone, Debug)]
pub struct ClientCertificate(pub Arc<[u8]>);

/// What the API holds beyond the portal's state. Cheap to clone.
#[derive(Clone)]
pub struct ConfirmState {
    app: Arc<AppState>,
    inner: Arc<Inner>,
}

struct Inner {
    /// The machine APIs' connection ([`app::platform::db::Db::dedicated`]), for every write
    /// the API makes: on SQLite they take turns at it rather than at the database's write
    /// lock, whose waits back off for milliseconds.
    db: app::platform::db::Db,
    systems: systems::Systems,
    holders: Holders,
    rate: RateLimit,
    log: CallLog<ConfirmCall>,
    proxies: TrustedProxies,
}

impl ConfirmState {
    /// Starts the call log's writer and the holders' batches on the current runtime, on the
    /// machine APIs' connection.
    pub fn new(app: AppState, settings: &Settings) -> ConfirmState {
        let db = app.db.dedicated();
        let log = CallLog::start(db.clone());
        let holders = Holders::start(db.clone(), &app);
        ConfirmState {
            app: Arc::new(app),
            inner: Arc::new(Inner {
                db,
                systems: systems::Systems::new(settings.cache),
                holders,
                rate: RateLimit::new(settings.rate_per_second),
                log,
                proxies: settings.proxies.clone(),
            }),
        }
    }
}

/// The API's routes, for the mutual-TLS listener.
pub fn routes<S: Clone + Send + Sync + 'static>(state: ConfirmState) -> Router<S> {
    Router::new()
        .route(CONFIRM_PATH, post(confirm))
        .route(NONCE_PATH, post(nonce))
        .route(
            "/integration/confirmation/openapi.json",
            axum::routing::get(openapi::document),
        )
        .with_state(state)
        .layer(axum::middleware::from_fn(crate::web::limits::body_limit))
}

/// The same routes on the portal's plain listener, for a TLS-terminating proxy in front: the
/// certificate comes from [`PROXY_CERTIFICATE_HEADER`] of one of the API's proxies. None when
/// no proxy is named.
pub fn proxied_routes<S: Clone + Send + Sync + 'static>(state: ConfirmState) -> Router<S> {
    if state.inner.proxies.is_empty() {
        return Router::new();
    }
    routes(state.clone()).layer(axum::middleware::from_fn_with_state(
        state,
        proxied_certificate,
    ))
}

async fn proxied_certificate(
    State(state): State<ConfirmState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    // Exactly one: a proxy that appends its header instead of replacing it would otherwise
    // leave the client's own first.
    let mut values = request.headers().get_all(PROXY_CERTIFICATE_HEADER).iter();
    let forwarded = match (values.next(), values.next()) {
        (Some(value), None) => value.to_str().ok().map(str::to_owned),
        _ => None,
    };
    request.extensions_mut().remove::<ClientCertificate>();
    if let (Some(peer), Some(forwarded)) = (peer, forwarded) {
        if state.inner.proxies.trusts(peer) {
            let text = percent_encoding::percent_decode_str(&forwarded).decode_utf8_lossy();
            if let Ok(der) = app::pki::certificate_der(text.as_bytes()) {
                request
                    .extensions_mut()
                    .insert(ClientCertificate(Arc::from(der)));
            }
        }
    }
    next.run(request).await
}

/// A confirmation request: the ID number, and the user's certificate or its card number.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// 身分證統一編號 as the user gave it to the system.
    #[schema(example = "A123456789")]
    id_number: String,
    /// The certificate the user signed in with: DER in base64, or PEM.
    #[serde(default)]
    certificate: Option<String>,
    /// Or the 憑證 IC 卡卡號 printed on the card (its newest certificate is answered).
    #[serde(default)]
    #[schema(example = "TP03000000000001")]
    card_number: Option<String>,
    /// Or the Web eID authentication token the user's card made at sign-in, over `origin` and
    /// `nonce` (a nonce from `POST /integration/confirmation/v1/nonce`).
    #[serde(default)]
    web_eid_token: Option<WebEidToken>,
    /// With a token: the origin the user signed in at, `https://` and the system's DNS name.
    #[serde(default)]
    #[schema(example = "https://bank.example.com")]
    origin: Option<String>,
    /// With a token: the nonce it was made over.
    #[serde(default)]
    nonce: Option<String>,
}

/// A Web eID authentication token (format `web-eid:1.0`): the card's certificate and its
/// signature over `SHA-256(origin) ‖ SHA-256(nonce)`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebEidToken {
    /// The card's authentication certificate, DER in base64.
    unverified_certificate: String,
    /// `RS256`, the algorithm of citizen cards.
    #[schema(example = "RS256")]
    algorithm: String,
    /// The signature, base64.
    signature: String,
    #[schema(example = "web-eid:1.0")]
    format: String,
    /// The browser extension's version, as Web eID sends it (not read).
    #[serde(default)]
    #[allow(dead_code)]
    app_version: Option<String>,
}

/// A nonce for a Web eID authentication token, valid for five minutes and one call.
#[derive(serde::Serialize, ToSchema)]
pub struct NonceBody {
    #[schema(example = "issued")]
    code: &'static str,
    nonce: String,
    /// Seconds it may be used for.
    expires_in: i64,
}

/// The path of the nonces.
pub const NONCE_PATH: &str = "/integration/confirmation/v1/nonce";

/// Confirms whether a citizen certificate belongs to an ID number, and its status.
///
/// Exactly one of `certificate` and `card_number` is given. An unknown certificate, an
/// unknown card and an ID number that is not the holder's all answer `belongs: false`, with
/// no status.
#[utoipa::path(
    post,
    path = "/integration/confirmation/v1/confirm",
    tag = "confirmation",
    request_body = ConfirmRequest,
    responses(
        (status = 200, description = "answered: see belongs and status", body = answer::AnswerBody),
        (status = 400, description = "malformed_request, malformed_id, malformed_certificate or malformed_card_number", body = answer::AnswerBody),
        (status = 401, description = "client_certificate_required", body = answer::AnswerBody),
        (status = 403, description = "system_unknown, system_not_enabled, system_disabled, system_stopped or server_certificate_invalid", body = answer::AnswerBody),
        (status = 413, description = "the body is over 16 KiB"),
        (status = 429, description = "rate_limited, quota_exceeded or certificate_locked", body = answer::AnswerBody),
        (status = 503, description = "unavailable", body = answer::AnswerBody),
    )
)]
pub async fn confirm(State(state): State<ConfirmState>, request: Request) -> Response {
    let started = Instant::now();
    let now = state.app.clock.unix();
    let (parts, body) = request.into_parts();
    let source_ip = app::platform::client::client_address(&parts.extensions)
        .map(|address| address.to_string())
        .unwrap_or_default();
    // The limit itself is held, and answered 413, by `web::limits::body_limit`.
    let read = tokio::time::timeout(
        BODY_TIMEOUT,
        axum::body::to_bytes(body, crate::web::limits::CONFIRMATION_API),
    );
    let Ok(Ok(body)) = read.await else {
        return ConfirmAnswer::refused(ConfirmCode::MalformedRequest).into_response();
    };
    let mut call = Call {
        called_at: now,
        started,
        source_ip,
        system_id: None,
        id_hash: None,
        logged: false,
    };
    let answer = match answer(&state, &parts, &body, &mut call).await {
        Ok(answer) => answer,
        Err(error) => {
            tracing::error!(%error, "confirmation failed on the server side");
            ConfirmAnswer::refused(ConfirmCode::Unavailable)
        }
    };
    if call.logged {
        return answer.into_response();
    }
    // A call that names no registered system is nobody's call to account for, and anyone can
    // make one: it is refused without a row, so that strangers cannot fill the append-only log.
    let Some(row) = call.row(&answer) else {
        tracing::debug!(source_ip = %call.source_ip, code = answer.code.code(), "confirmation call of no system");
        return answer.into_response();
    };
    // Its answer leaves only with its row written (F-8); without it, the call was not taken.
    match state.inner.log.record(row).await {
        Ok(()) => answer.into_response(),
        Err(Unrecorded) => ConfirmAnswer::refused(ConfirmCode::Unavailable).into_response(),
    }
}

async fn answer(
    state: &ConfirmState,
    parts: &Parts,
    body: &[u8],
    call: &mut Call,
) -> anyhow::Result<ConfirmAnswer> {
    use ConfirmCode::*;
    let now = call.called_at;
    let trust = state.app.trust.current();
    let system = match caller(state, parts, &trust, now, &mut call.system_id).await? {
        Ok(system) => system,
        Err(refused) => return Ok(refused),
    };
    let system = &system;
    let Ok(request) = serde_json::from_slice::<ConfirmRequest>(body) else {
        return Ok(ConfirmAnswer::refused(MalformedRequest));
    };
    let Ok(id) = NationalId::parse(&request.id_number) else {
        return Ok(ConfirmAnswer::refused(MalformedId));
    };
    let presented = match (
        &request.certificate,
        &request.card_number,
        &request.web_eid_token,
    ) {
        (Some(text), None, None) => match app::pki::certificate_der(text.as_bytes())
            .ok()
            .filter(|der| UncheckedCertificate::read(der).is_some())
        {
            Some(der) => Presented::Certificate(der),
            None => return Ok(ConfirmAnswer::refused(MalformedCertificate)),
        },
        (None, Some(number), None) => match CardNumber::parse(number) {
            Ok(number) => Presented::Card(number),
            Err(_) => return Ok(ConfirmAnswer::refused(MalformedCardNumber)),
        },
        (None, None, Some(token)) => {
            match web_eid(state, parts, &trust, system.id, token, &request, now).await? {
                Ok(der) => Presented::Certificate(der),
                Err(code) => return Ok(ConfirmAnswer::refused(code)),
            }
        }
        _ => return Ok(ConfirmAnswer::refused(MalformedRequest)),
    };
    if !state
        .inner
        .systems
        .take_quota(&state.inner.db.pool, system, now)
        .await?
    {
        return Ok(ConfirmAnswer::refused(QuotaExceeded));
    }
    call.id_hash = Some(state.app.id_key.hash(id.as_str()));
    let confirmation = state
        .inner
        .holders
        .confirm(presented, id.as_str(), call.clone())
        .await?;
    call.logged = true;
    Ok(ConfirmAnswer::answered(confirmation))
}

/// The registered system calling, if it may call now: known by its client certificate, in
/// service, its certificate checking, within its rate; otherwise the refusal. `system_id`
/// learns which system it is as soon as that is known.
async fn caller(
    state: &ConfirmState,
    parts: &Parts,
    trust: &app::pki::TrustStore,
    now: i64,
    system_id: &mut Option<i64>,
) -> anyhow::Result<Result<app::services::confirmation::systems::System, ConfirmAnswer>> {
    use ConfirmCode::*;
    let Some(ClientCertificate(der)) = parts.extensions.get::<ClientCertificate>() else {
        return Ok(Err(ConfirmAnswer::refused(ClientCertificateRequired)));
    };
    let fingerprint = hex::encode(Sha256::digest(der));
    let Some(known) = state
        .inner
        .systems
        .get(&state.app.db.pool, trust, der, &fingerprint, now)
        .await?
    else {
        return Ok(Err(ConfirmAnswer::refused(SystemUnknown)));
    };
    let system = known.system;
    *system_id = Some(system.id);
    let refused = |code| Ok(Err(ConfirmAnswer::refused(code)));
    match system.out_of_service(now) {
        Some(OutOfService::NotYetEnabled) => return refused(SystemNotEnabled),
        Some(OutOfService::Disabled) => return refused(SystemDisabled),
        Some(OutOfService::Stopped(_)) => return refused(SystemStopped),
        Some(OutOfService::CertificateExpired) => return refused(ServerCertificateInvalid),
        None => {}
    }
    if !known.certificate_checks {
        return refused(ServerCertificateInvalid);
    }
    if !state.inner.rate.allow(&system.id.to_string(), now) {
        return refused(RateLimited);
    }
    Ok(Ok(system))
}

/// The certificate of a Web eID token made for system `system_id`, once its origin is the
/// system's, its nonce this service's for the system, unexpired and unused (now used), and
/// the card's signature verifies; otherwise the refusal's code.
async fn web_eid(
    state: &ConfirmState,
    parts: &Parts,
    trust: &app::pki::TrustStore,
    system_id: i64,
    token: &WebEidToken,
    request: &ConfirmRequest,
    now: i64,
) -> anyhow::Result<Result<Vec<u8>, ConfirmCode>> {
    use app::services::confirmation::token;
    use base64::Engine;
    use ConfirmCode::*;
    let (Some(origin), Some(nonce)) = (&request.origin, &request.nonce) else {
        return Ok(Err(MalformedToken));
    };
    let base64 = base64::engine::general_purpose::STANDARD;
    let certificate = base64
        .decode(&token.unverified_certificate)
        .ok()
        .filter(|der| UncheckedCertificate::read(der).is_some());
    let signature = base64.decode(&token.signature).ok();
    let (Some(der), Some(signature)) = (certificate, signature) else {
        return Ok(Err(MalformedToken));
    };
    if token.algorithm != "RS256" || token.format != "web-eid:1.0" {
        return Ok(Err(MalformedToken));
    }
    // The system's names, from the client certificate the caller was known by.
    let names = parts
        .extensions
        .get::<ClientCertificate>()
        .and_then(|ClientCertificate(server)| {
            trust
                .check_certificate(server, app::pki::Purpose::ServerCertificate, now)
                .ok()
        })
        .map(|checked| checked.dns_names().to_vec())
        .unwrap_or_default();
    if !token::origin_is_systems(origin, &names) {
        return Ok(Err(TokenOriginMismatch));
    }
    if !token::nonce_is_valid(&state.app.id_key, system_id, nonce, now) {
        return Ok(Err(TokenNonceInvalid));
    }
    let signed = token::signed_message(origin, nonce);
    if !UncheckedCertificate::read(&der)
        .is_some_and(|card| card.verifies_rs256(&signed, &signature))
    {
        return Ok(Err(TokenSignatureInvalid));
    }
    if !token::use_nonce(&state.inner.db.pool, nonce, now).await? {
        return Ok(Err(TokenReplayed));
    }
    Ok(Ok(der))
}

/// Issues a nonce for a Web eID authentication token to the calling system.
#[utoipa::path(
    post,
    path = "/integration/confirmation/v1/nonce",
    tag = "confirmation",
    responses(
        (status = 200, description = "issued: the nonce, valid for expires_in seconds and one call", body = NonceBody),
        (status = 401, description = "client_certificate_required", body = answer::AnswerBody),
        (status = 403, description = "system_unknown, system_not_enabled, system_disabled, system_stopped or server_certificate_invalid", body = answer::AnswerBody),
        (status = 429, description = "rate_limited", body = answer::AnswerBody),
        (status = 503, description = "unavailable", body = answer::AnswerBody),
    )
)]
pub async fn nonce(State(state): State<ConfirmState>, request: Request) -> Response {
    let now = state.app.clock.unix();
    let (parts, _) = request.into_parts();
    let trust = state.app.trust.current();
    match caller(&state, &parts, &trust, now, &mut None).await {
        Ok(Ok(system)) => axum::Json(NonceBody {
            code: "issued",
            nonce: app::services::confirmation::token::issue_nonce(
                &state.app.id_key,
                system.id,
                now,
            ),
            expires_in: app::services::confirmation::token::NONCE_SECONDS,
        })
        .into_response(),
        Ok(Err(refused)) => refused.into_response(),
        Err(error) => {
            tracing::error!(%error, "issuing a nonce failed on the server side");
            ConfirmAnswer::refused(ConfirmCode::Unavailable).into_response()
        }
    }
}
