//! The check every back-office server function starts with (F-6): a signed-in staff account,
//! still active, in one of the roles the page admits. The account is read afresh on every
//! request, so disabling it or changing its role takes effect at once.

use super::{
    role::{Jurisdiction, Role},
    store, StaffMember,
};
use crate::domain::office_hours::OfficeHours;
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

/// [`require_staff`] for an action at a household office's counter (C-2, seed 002 申辦時間;
/// issue 20 item 8): refused outside the office's counter hours — its own, or 08:30–12:00 and
/// 13:30–17:00 — and on days off, with the hours named, unless the portal takes counter
/// actions at any hour (`HUJI_COUNTER_HOURS=always`).
pub async fn require_counter(state: &AppState, roles: &[Role]) -> Result<StaffMember, PortalError> {
    let member = require_staff(state, roles).await?;
    counter_open(state, &member).await?;
    Ok(member)
}

/// Whether `member`'s office counter is open now ([`require_counter`]); the refusal naming its
/// hours if not.
pub async fn counter_open(state: &AppState, member: &StaffMember) -> Result<(), PortalError> {
    if state.settings.counters_always_open {
        return Ok(());
    }
    let Jurisdiction::Office { code, .. } = &member.jurisdiction else {
        return Ok(());
    };
    let stored: Option<Option<String>> =
        sqlx::query_scalar("SELECT counter_hours FROM household_offices WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&state.db.pool)
            .await?;
    let hours = match stored.flatten() {
        Some(text) => OfficeHours::parse(&text).map_err(|error| {
            PortalError::unavailable(format!("office {code} counter hours {text:?}: {error}"))
        })?,
        None => OfficeHours::standard(),
    };
    let now = crate::platform::clock::unix_to_taipei(state.clock.unix()).naive_local();
    if hours.is_open(&state.calendar, now) {
        Ok(())
    } else {
        Err(PortalError::Refused {
            zh_tw: format!("現在非本所臨櫃服務時間，無法辦理。服務時間：上班日 {hours}。"),
            english: format!(
                "The office's counter is closed now, so this cannot be done. Counter hours: working days, {hours}."
            ),
        })
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
