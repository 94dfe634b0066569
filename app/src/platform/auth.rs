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

/// The client's address as this server saw it (for the audit log and the per-client limits).
pub fn source_ip() -> String {
    request_parts()
        .and_then(|parts| super::client::client_address(&parts.extensions))
        .map(|address| address.to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The session token a request with `headers` carries.
fn token_of(headers: &http::HeaderMap) -> Option<&str> {
    let header = headers.get(http::header::COOKIE)?.to_str().ok()?;
    session::token_from_cookie_header(header)
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

/// The live session of this request, if any.
pub async fn current_session(state: &AppState) -> Result<Option<Session>, PortalError> {
    match request_parts() {
        Some(parts) => session_of(state, &parts.headers).await,
        None => Ok(None),
    }
}

/// The principal of a request with `headers`, for the server's own handlers (outside a
/// page's context), e.g. to refuse a large upload before reading it.
pub async fn principal_of(
    state: &AppState,
    headers: &http::HeaderMap,
) -> Result<Option<Principal>, PortalError> {
    Ok(session_of(state, headers)
        .await?
        .and_then(|session| session.get::<Principal>(PRINCIPAL_KEY)))
}

/// The principal of this request's session, if signed in.
pub async fn current_principal(state: &AppState) -> Result<Option<Principal>, PortalError> {
    Ok(current_session(state)
        .await?
        .and_then(|session| session.get::<Principal>(PRINCIPAL_KEY)))
}

/// Signs `principal` in: any session the browser had is ended and a new one begins (so a
/// session id planted before sign-in is worthless after it), and its cookie is set.
pub async fn open_session(state: &AppState, principal: &Principal) -> Result<(), PortalError> {
    let pool = &state.db.pool;
    if let Some(token) = session_token() {
        session::destroy(pool, &token).await?;
    }
    let mut fresh = session::create(pool, state.clock.unix()).await?;
    fresh
        .insert(PRINCIPAL_KEY, principal)
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
    if let Some(token) = session_token() {
        session::destroy(&state.db.pool, &token).await?;
    }
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
