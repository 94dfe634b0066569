//! Who did something: the one actor every case change, audit row and timeline event names.

use super::machine::Party;
use crate::platform::audit::AuditEvent;
use crate::services::staff::StaffMember;
use serde::Serialize;

/// The person or process behind an action, as the audit log and the case timeline name it:
/// `company:<統一編號>`, `agency:<機關代號>`, `citizen:<masked ID number>` (never the full
/// one), `staff:<id>` or `system`, from the client address the server saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub party: Party,
    pub name: String,
    pub source_ip: String,
    /// The staff account, for the columns that record who decided.
    pub staff_id: Option<i64>,
}

impl Actor {
    /// A company signed in with its 工商憑證.
    pub fn company(business_id: &str, source_ip: String) -> Actor {
        Actor {
            party: Party::Company,
            name: format!("company:{business_id}"),
            source_ip,
            staff_id: None,
        }
    }

    /// A government agency signed in with its 機關憑證, named by its 機關代號.
    pub fn agency(code: &str, source_ip: String) -> Actor {
        Actor {
            party: Party::Agency,
            name: format!("agency:{code}"),
            source_ip,
            staff_id: None,
        }
    }

    /// A citizen acting without an account (a public form, or their own card), named by the
    /// masked ID number.
    pub fn citizen(masked_id: &str, source_ip: String) -> Actor {
        Actor {
            party: Party::Citizen,
            name: format!("citizen:{masked_id}"),
            source_ip,
            staff_id: None,
        }
    }

    /// A staff member, in their role.
    pub fn staff(member: &StaffMember, source_ip: String) -> Actor {
        Actor {
            party: Party::Staff(member.role),
            name: member.actor(),
            source_ip,
            staff_id: Some(member.id),
        }
    }

    /// The server itself: background jobs and detectors.
    pub fn system() -> Actor {
        Actor {
            party: Party::System,
            name: "system".into(),
            source_ip: "-".into(),
            staff_id: None,
        }
    }

    /// `action` on `subject` by this actor, with its typed details as JSON.
    pub fn event(&self, action: &str, subject: &str, detail: &impl Serialize) -> AuditEvent {
        AuditEvent {
            actor: self.name.clone(),
            source_ip: self.source_ip.clone(),
            action: action.into(),
            subject: subject.into(),
            detail: serde_json::to_string(detail).unwrap_or_else(|_| "{}".into()),
        }
    }
}

/// The audit detail of an action that has nothing to add.
#[derive(Serialize)]
pub struct NoDetail {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agency_is_named_by_its_code_in_the_agency_party() {
        let actor = Actor::agency("379130000C", "127.0.0.1".into());
        assert_eq!(actor.party, Party::Agency);
        assert_eq!(actor.name, "agency:379130000C");
        assert_eq!(actor.staff_id, None);
        assert_eq!(
            actor.event("x", "y", &NoDetail {}).actor,
            "agency:379130000C"
        );
    }
}
