//! 機關連結申請 (seed 001, SPEC §2, issue 18): a government agency applies to link one of its
//! systems to the registry through one interface; the county unit, the ministry's 戶政司 and
//! 資訊服務司, and 中華電信 carry the case through the seed's 20 steps (L-1 … L-20), each from its
//! own inbox (L-21); once both sides confirm the go-live, the link answers the agency's calls.

#[cfg(feature = "ssr")]
pub mod addresses;
pub mod apply;
pub mod cases;
pub mod desk;
pub mod documents;
#[cfg(feature = "ssr")]
pub mod files;
pub mod form;
pub mod items;
#[cfg(feature = "ssr")]
pub mod keys;
mod manifest;
#[cfg(feature = "ssr")]
pub mod notices;
pub mod pages;
pub mod papers;
#[cfg(feature = "ssr")]
pub mod password_table;
pub mod procedure;
#[cfg(feature = "ssr")]
pub mod progress;
#[cfg(feature = "ssr")]
pub mod store;

pub use manifest::{AgencyLinkRoutes, MANIFEST};

use crate::cases::timeline::TimelineEntry;
use crate::components::queue::Age;
use cases::{DataKind, Interface, LinkStatus, Step};
use serde::{Deserialize, Serialize};

/// Where the service's pages are.
pub const AGENCY_PATH: &str = "/agency-link";
pub const AGENCY_CASE_PATH: &str = "/agency-link/case";
pub const APPLY_PATH: &str = "/agency-link/apply";
pub const STAFF_PATH: &str = "/admin/agency-links";
pub const STAFF_CASE_PATH: &str = "/admin/agency-links/case";

/// A case as every party's lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSummary {
    pub id: String,
    /// 機關代號.
    pub agency_code: String,
    pub agency_name: String,
    pub interface: Interface,
    pub data_kind: DataKind,
    /// The 直轄市/縣(市) whose unit has the case.
    pub county: String,
    pub status: LinkStatus,
    /// 申請日期, ROC date-time.
    pub filed_at: String,
    /// The agency's host address the link is for.
    pub host_address: String,
    /// The joint connection test's date (step 16), ROC date-time.
    pub test_at: Option<String>,
}

/// A step waiting in a party's inbox (L-21).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxRow {
    pub case: LinkSummary,
    pub step: Step,
    /// Working days since the step became ready, against its target.
    pub age: Age,
}

/// Where a step of a case stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepState {
    Done {
        at: String,
    },
    /// It may be taken now.
    Ready,
    /// Steps before it are not finished yet.
    Waiting,
    /// It does not apply to the case's interface.
    Skipped,
}

/// One step of a case as its page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub step: Step,
    /// Who takes it.
    pub party: String,
    pub state: StepState,
}

/// The agency's user environment on the 連結介面 server (seed 001 step 8), as a 連結介面
/// case's page shows it: made by the agency's first registration, removed once it has no
/// application left in progress or live.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Environment {
    /// Created at `at` (ROC date-time) by the registration of case `case`.
    Created { at: String, case: String },
    /// Not there: not yet registered, or removed with the agency's last application.
    Absent,
}

/// One case as a party sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDetail {
    pub case: LinkSummary,
    /// The codes of the data items requested.
    pub items: Vec<String>,
    /// The addresses 資訊服務司 assigned (step 6): what, the subnet, its mask.
    pub addresses: Vec<(String, String, String)>,
    /// The certificate handed over at step 11 and the Iss key issued for it at step 14.
    pub keys: Option<LinkKeys>,
    /// The agency's user environment, on a 連結介面 case only.
    pub environment: Option<Environment>,
    pub steps: Vec<StepView>,
    /// The steps the viewer may take now.
    pub mine: Vec<Step>,
    pub may_send_back: bool,
    pub may_withdraw: bool,
    pub may_cancel: bool,
    /// 戶政司 may issue the 密碼表 again (past step 7, not closed).
    pub may_reissue_password: bool,
    /// The county unit holds a reissued 密碼表 to hand over (after step 8).
    pub may_hand_over_password: bool,
    pub timeline: Vec<TimelineEntry>,
    /// The documents filed, each downloadable by every party.
    pub documents: Vec<documents::Document>,
    /// The paper forms of the case, each printable by every party.
    pub papers: Vec<papers::Paper>,
}

/// A case's key exchange (steps 11–14) as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkKeys {
    /// The certificate's serial number, hex.
    pub certificate_serial: String,
    /// Its end of validity, ROC date-time.
    pub certificate_not_after: String,
    /// When the agency handed it over, ROC date-time.
    pub handed_over_at: String,
    pub iss_key_issued: bool,
    /// The Iss key itself, for the agency and 資訊服務司 only.
    pub iss_key: Option<String>,
}
