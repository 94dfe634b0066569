//! Government agencies (issue 18, SPEC §2): the registry of the agencies the portal knows
//! (`agencies`), their sign-in with the 機關憑證 (GCA) IC card, and the session of a signed-in
//! agency, which the agency linking pages require.

use crate::error::PortalError;
use crate::services::sign_in::pages::SignInPage;
use crate::services::sign_in::SignInKind;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in agency, as the registry has it on this request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AgencySession {
    /// 機關代號.
    pub code: String,
    pub name: String,
    /// The 直轄市/縣市 it lies in, as staff jurisdictions name it (`臺北市`).
    pub county: String,
    /// Where notices to the agency go.
    pub email: String,
}

/// The agency with this 機關代號 in the registry, if any. Sign-in and every agency request
/// read it.
#[cfg(feature = "ssr")]
pub async fn by_code(
    conn: &mut sqlx::AnyConnection,
    code: &str,
) -> sqlx::Result<Option<AgencySession>> {
    sqlx::query_as("SELECT code, name, county, email FROM agencies WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// The agency of this session, read afresh from the registry (an agency removed from it is
/// signed out); signed-out visitors, and sessions of anyone else, are sent to the agency
/// sign-in, to come back afterwards.
#[cfg(feature = "ssr")]
pub async fn require_agency(
    state: &crate::platform::AppState,
) -> Result<AgencySession, PortalError> {
    use crate::platform::auth::{self, Principal};
    if let Some(Principal::Agency { code, .. }) = auth::current_principal(state).await? {
        let mut conn = state.db.pool.acquire().await?;
        if let Some(agency) = by_code(&mut conn, &code).await? {
            return Ok(agency);
        }
    }
    Err(auth::sign_in_required(SignInKind::Agency.sign_in_path()))
}

/// The signed-in agency, for the pages that show who is asking.
#[server(endpoint = "agency_overview")]
pub async fn agency_overview() -> Result<AgencySession, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    require_agency(&state).await
}

/// 機關憑證登入.
#[component]
pub fn AgencySignInPage() -> impl IntoView {
    view! { <SignInPage kind=SignInKind::Agency /> }
}
