//! Back-office staff (SPEC F-6): who they are, what each role may do and where.

#[cfg(feature = "ssr")]
pub mod access;
mod manifest;
pub mod pages;
pub mod role;
#[cfg(feature = "ssr")]
pub mod store;

pub use manifest::{StaffRoutes, MANIFEST};

use role::{Jurisdiction, Role};
use serde::{Deserialize, Serialize};

/// An active staff account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub jurisdiction: Jurisdiction,
    /// When the bound certificate expires (ROC date-time); a new one must be bound before.
    pub certificate_valid_until: String,
}

impl StaffMember {
    /// How the audit log names this person.
    pub fn actor(&self) -> String {
        format!("staff:{}", self.id)
    }

    /// `action` on `subject` by this staff member, from this request's client address.
    #[cfg(feature = "ssr")]
    pub fn audit(
        &self,
        action: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> crate::platform::audit::AuditEvent {
        crate::platform::audit::AuditEvent {
            actor: self.actor(),
            source_ip: crate::platform::auth::source_ip(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            detail: detail.to_string(),
        }
    }

    /// Records [`StaffMember::audit`]'s event on its own (outside any transaction).
    #[cfg(feature = "ssr")]
    pub async fn record(
        &self,
        state: &crate::platform::AppState,
        action: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> Result<(), crate::error::PortalError> {
        let event = self.audit(action, subject, detail);
        crate::platform::audit::record(&state.db.pool, state.clock.unix(), &event)
            .await
            .map(|_| ())
            .map_err(crate::error::PortalError::unavailable)
    }
}
