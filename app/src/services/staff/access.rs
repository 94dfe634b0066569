//! The check every back-office server function starts with (F-6): a signed-in staff account,
//! still active, in one of the roles the page admits. The account is read afresh on every
//! request, so disabling it or changing its role takes effect at once.

use super::{role::Role, store, StaffMember};
use crate::error::PortalError;
use crate::platform::auth::{self, Principal};
use crate::platform::AppState;
use crate::services::sign_in::SignInKind;

/// The staff member making this request, if their role is one of `roles`; otherwise a
/// redirect to the staff sign-in (not signed in) or a 403 (signed in, wrong role).
pub async fn require_staff(state: &AppState, roles: &[Role]) -> Result<StaffMember, PortalError> {
    let sign_in = || auth::sign_in_required(SignInKind::Staff.sign_in_path());
    let Some(Principal::Staff { staff_id }) = auth::current_principal(state).await? else {
        return Err(sign_in());
    };
    let Some(member) = store::by_id(&state.db.pool, staff_id).await? else {
        auth::close_session(state).await?;
        return Err(sign_in());
    };
    if roles.contains(&member.role) {
        Ok(member)
    } else {
        tracing::warn!(staff = member.id, role = %member.role, "refused a page outside the role");
        Err(auth::forbidden())
    }
}

/// [`require_staff`] for a route outside the server functions (a file download): the staff
/// member signed in on `headers`, if their account is active and their role one of `roles`.
pub async fn staff_on(
    state: &AppState,
    headers: &http::HeaderMap,
    roles: &[Role],
) -> Result<Option<StaffMember>, PortalError> {
    let Some(Principal::Staff { staff_id }) = auth::principal_of(state, headers).await? else {
        return Ok(None);
    };
    let member = store::by_id(&state.db.pool, staff_id).await?;
    Ok(member.filter(|member| roles.contains(&member.role)))
}
