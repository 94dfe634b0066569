//! Who is making this request: the session behind the cookie and the principal it holds
//! (a company signed in with its 工商憑證, an agency with its 機關憑證, a citizen or a staff
//! account signed in with a 自然人憑證).
//! Server functions call these; nothing here trusts anything the browser says but the cookie.

use super::session::{self, Session};
use super::AppState;
use crate::error::PortalError;
use leptos::prelude::use_context;
use serde::{Deserialize, Serialize};

/// The session key holding the [`Principal`].
const PRINCIPAL_KEY: &str = "principal";
/// The session key holding the [`SessionCertificate`].
const CERTIFICATE_KEY: &str = "certificate";

/// How long a session trusts the certificate it was opened with before checking it again:
/// a certificate suspended or revoked (by the RA, or on a CRL the server has loaded) ends the
/// sessions it opened within this many seconds of their next request.
pub const CERTIFICATE_RECHECK_SECONDS: i64 = 60;

/// The certificate a session was opened with, and when it was last found good.
#[derive(Serialize, Deserialize)]
struct SessionCertificate {
    /// DER, Base64.
    der: String,
    purpose: crate::pki::Purpose,
    checked_at: i64,
}

/// Who a session belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    /// A company, proven by its business certificate (工商憑證) and the 統一編號 typed with it.
    Company {
        business_id: String,
        name: String,
        certificate_serial: String,
    },
    /// A government agency, proven by its 機關憑證 (GCA) and the 機關代號 typed with it; its
    /// registry row is read afresh on every request (`services::agency::require_agency`).
    Agency { code: String, name: String },
    /// A staff account; its role and jurisdiction are read afresh on every request.
    Staff { staff_id: i64 },
    /// A citizen, proven by their own 自然人憑證 (L4-3).
    Citizen { citizen_id: i64, masked_id: String },
}

impl Principal {
    /// How the audit log names this principal.
    pub fn actor(&self) -> String {
        match self {
            Principal::Company { business_id, .. } => format!("company:{business_id}"),
            Principal::Agency { code, .. } => format!("agency:{code}"),
            Principal::Staff { staff_id } => format!("staff:{staff_id}"),
            Principal::Citizen { masked_id, .. } => format!("citizen:{masked_id}"),
        }
    }
}

fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

fn client_address() -> Option<std::net::IpAddr> {
    request_parts().and_then(|parts| super::client::client_address(&parts.extensions))
}

/// The client's address as this server saw it (for the audit log).
pub fn source_ip() -> String {
    client_address()
        .map(|address| address.to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The buckets the client counts in for per-client limits ([`super::client::limit_buckets`]).
pub fn client_buckets() -> super::client::ClientBuckets {
    super::client::limit_buckets(client_address())
}

/// The session token a request with `headers` carries.
fn token_of(headers: &http::HeaderMap) -> Option<&str> {
    let header = headers.get(http::header::COOKIE)?.to_str().ok()?;
    session::token_from_cookie_header(header)
}

/// Whether this request carries a session token at all, read without the database: what
/// only a signed-in visitor sees can be left out for the many who carry none.
pub fn carries_session() -> bool {
    request_parts().is_some_and(|parts| token_of(&parts.headers).is_some())
}

fn session_token() -> Option<String> {
    token_of(&request_parts()?.headers).map(str::to_owned)
}

/// The live session a request with `headers` carries, if any.
async fn session_of(
    state: &AppState,
    headers: &http::HeaderMap,
) -> Result<Option<Session>, PortalError> {
    let Some(token) = token_of(headers) else {
        return Ok(None);
    };
    Ok(session::load(&state.db.pool, state.clock.unix(), token).await?)
}

/// The principal of a request with `headers`, for the server's own handlers (outside a
/// page's context), e.g. to refuse a large upload before reading it.
pub async fn principal_of(
    state: &AppState,
    headers: &http::HeaderMap,
) -> Result<Option<Principal>, PortalError> {
    principal_in(state, session_of(state, headers).await?).await
}

/// This request's live session, within a page or server function; `None` outside one.
async fn request_session(state: &AppState) -> Result<Option<Session>, PortalError> {
    match request_parts() {
        Some(parts) => session_of(state, &parts.headers).await,
        None => Ok(None),
    }
}

/// The principal of this request's session, if signed in.
pub async fn current_principal(state: &AppState) -> Result<Option<Principal>, PortalError> {
    principal_in(state, request_session(state).await?).await
}

/// Who this request's session says it is, as last checked: for showing who is signed in
/// (every page's header), never for deciding what they may do. It neither re-checks the
/// certificate nor ends the session, so the page's own [`current_principal`] is the one that
/// finds a certificate no longer standing, and says so once.
pub async fn signed_in_principal(state: &AppState) -> Result<Option<Principal>, PortalError> {
    Ok(request_session(state)
        .await?
        .filter(|session| session.get::<SessionCertificate>(CERTIFICATE_KEY).is_some())
        .and_then(|session| session.get::<Principal>(PRINCIPAL_KEY)))
}

/// The certificate (DER) this request's session was opened with, if signed in: the card a
/// signature made during the session must come from (A-2…A-5).
pub async fn session_certificate(state: &AppState) -> Result<Option<Vec<u8>>, PortalError> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    Ok(request_session(state)
        .await?
        .and_then(|session| session.get::<SessionCertificate>(CERTIFICATE_KEY))
        .and_then(|certificate| STANDARD.decode(certificate.der).ok()))
}

/// The principal `session` holds, while the certificate it signed in with stands: checked
/// again (the trust store's chain, validity and CRLs, and the RA's own suspensions and
/// revocations) once [`CERTIFICATE_RECHECK_SECONDS`] have passed since the last check. A
/// session whose certificate no longer stands is ended, with a refusal that says why.
async fn principal_in(
    state: &AppState,
    session: Option<Session>,
) -> Result<Option<Principal>, PortalError> {
    let Some(mut session) = session else {
        return Ok(None);
    };
    let Some(principal) = session.get::<Principal>(PRINCIPAL_KEY) else {
        return Ok(None);
    };
    let now = state.clock.unix();
    let Some(mut certificate) = session.get::<SessionCertificate>(CERTIFICATE_KEY) else {
        end_session(state, session.token()).await?;
        return Ok(None);
    };
    if now < certificate.checked_at + CERTIFICATE_RECHECK_SECONDS {
        return Ok(Some(principal));
    }
    if !certificate_stands(state, &certificate, now).await? {
        tracing::info!(actor = %principal.actor(), "ended a session whose certificate no longer stands");
        end_session(state, session.token()).await?;
        return Err(PortalError::Refused {
            zh_tw: "您登入所用的憑證已停用、廢止或失效，已為您登出；請以有效的憑證重新登入。".into(),
            english: "The certificate you signed in with has been suspended or revoked or is no longer valid, so you have been signed out. Please sign in again with a valid certificate.".into(),
        });
    }
    certificate.checked_at = now;
    session
        .insert(CERTIFICATE_KEY, &certificate)
        .map_err(PortalError::unavailable)?;
    session::save(&state.db.pool, &session).await?;
    Ok(Some(principal))
}

/// Whether the certificate still passes the checks of sign-in and the RA has not suspended
/// or revoked it.
async fn certificate_stands(
    state: &AppState,
    certificate: &SessionCertificate,
    now: i64,
) -> Result<bool, PortalError> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    let Ok(der) = STANDARD.decode(&certificate.der) else {
        return Ok(false);
    };
    let Ok(checked) = state
        .trust
        .current()
        .check_certificate(&der, certificate.purpose, now)
    else {
        return Ok(false);
    };
    let withdrawn = crate::services::certificate::store::withdrawn(
        &state.db.pool,
        checked.fingerprint_sha256(),
    )
    .await?;
    Ok(!withdrawn)
}

/// Signs `principal` in with `certificate`: any session the browser had is ended and a new
/// one begins (so a session id planted before sign-in is worthless after it), and its cookie
/// is set. The session lasts while the certificate stands (see [`principal_in`]).
pub async fn open_session(
    state: &AppState,
    principal: &Principal,
    certificate: &crate::pki::CheckedCertificate,
) -> Result<(), PortalError> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    let pool = &state.db.pool;
    if let Some(token) = session_token() {
        session::destroy(pool, &token).await?;
    }
    let now = state.clock.unix();
    let mut fresh = session::create(pool, now).await?;
    fresh
        .insert(PRINCIPAL_KEY, principal)
        .map_err(PortalError::unavailable)?;
    fresh
        .insert(
            CERTIFICATE_KEY,
            &SessionCertificate {
                der: STANDARD.encode(certificate.der()),
                purpose: certificate.purpose(),
                checked_at: now,
            },
        )
        .map_err(PortalError::unavailable)?;
    session::save(pool, &fresh).await?;
    set_cookie(&session::cookie(
        fresh.token(),
        state.settings.secure_cookies(),
    ));
    Ok(())
}

/// Ends this request's session and clears its cookie.
pub async fn close_session(state: &AppState) -> Result<(), PortalError> {
    match session_token() {
        Some(token) => end_session(state, &token).await,
        None => {
            set_cookie(&session::expired_cookie(state.settings.secure_cookies()));
            Ok(())
        }
    }
}

/// Ends the session `token` and, within a page or server function, clears its cookie.
async fn end_session(state: &AppState, token: &str) -> Result<(), PortalError> {
    session::destroy(&state.db.pool, token).await?;
    set_cookie(&session::expired_cookie(state.settings.secure_cookies()));
    Ok(())
}

fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// Refuses the request: a 403 page or server-function answer.
pub fn forbidden() -> PortalError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    PortalError::Forbidden
}

/// The citizen signed in with their own certificate: their registry id and masked ID number.
/// Anyone else is sent to the citizen sign-in, to come back afterwards.
pub async fn require_citizen(state: &AppState) -> Result<(i64, String), PortalError> {
    match current_principal(state).await? {
        Some(Principal::Citizen {
            citizen_id,
            masked_id,
        }) => Ok((citizen_id, masked_id)),
        _ => Err(sign_in_required(
            crate::services::sign_in::SignInKind::Citizen.sign_in_path(),
        )),
    }
}

/// Sends a signed-out visitor of a page to `sign_in_path`, to come back afterwards.
pub fn sign_in_required(sign_in_path: &str) -> PortalError {
    let here = request_parts()
        .map(|parts| parts.uri.path().to_owned())
        .unwrap_or_default();
    let target = if here.starts_with("/api/") || here.is_empty() {
        sign_in_path.to_owned()
    } else {
        format!(
            "{sign_in_path}?next={}",
            crate::components::layout::encode_query_value(&here)
        )
    };
    leptos_axum::redirect(&target);
    PortalError::SignInRequired
}
