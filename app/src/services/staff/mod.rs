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
}
