//! 自然人憑證用戶身分確認服務 (seed 003, SPEC I-1…I-4): government agencies and financial
//! institutions register application systems whose users sign in with their 自然人憑證; an
//! enabled system asks whether a citizen certificate belongs to an ID number and is valid now.
//! This module holds the vocabulary, the records and the portal's pages (an applicant's
//! 啟用／停用 requests, the ministry's review); the mutual-TLS API is `server::confirm`.

pub mod desk;
pub mod form;
#[cfg(feature = "ssr")]
pub mod letter;
#[cfg(feature = "ssr")]
mod mail;
mod manifest;
#[cfg(feature = "ssr")]
pub mod oversee;
pub mod oversight;
pub mod pages;
pub mod requests;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod systems;
#[cfg(feature = "ssr")]
pub mod token;

pub use manifest::{ConfirmationRoutes, MANIFEST};

#[cfg(feature = "ssr")]
use crate::pki::CaFamily;
use requests::{RequestKind, RequestStatus};
use serde::{Deserialize, Serialize};

/// Where the service's pages are.
pub const NOTICES_PATH: &str = "/confirmation";
pub const REQUESTS_PATH: &str = "/confirmation/requests";
pub const REQUEST_FORM_PATH: &str = "/confirmation/requests/new";
pub const REQUEST_PATH: &str = "/confirmation/requests/case";
pub const DESK_PATH: &str = "/admin/confirmation";
pub const DESK_CASE_PATH: &str = "/admin/confirmation/case";
pub const DESK_SYSTEM_PATH: &str = "/admin/confirmation/system";

/// The signed-in applicant: an agency with its 機關憑證, or a financial institution with its
/// 工商憑證 (its 統一編號).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub kind: ApplicantKind,
    /// 機關代號 or 統一編號.
    pub id: String,
    pub name: String,
}

/// A person on a request (聯絡人, 代理人) as filed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub name: String,
    pub title: String,
    pub unit: String,
    pub email: String,
    pub phone: String,
    pub fax: String,
}

/// A request as its pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: i64,
    /// `C1151204-000001`.
    pub number: String,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub applicant_kind: ApplicantKind,
    pub applicant_id: String,
    pub organisation: String,
    pub address: String,
    pub system_name: String,
    pub certificate_serial: String,
    pub contact: PersonView,
    pub deputy: PersonView,
    /// 預定開放日期 or 預定停用日期, ROC date.
    pub planned_on: String,
    pub overview: Option<String>,
    pub reason: Option<String>,
    /// ROC date-time.
    pub filed_at: String,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
    /// The date the ministry answered, ROC date.
    pub effective_on: Option<String>,
    pub system_id: Option<i64>,
}

/// A registered system as the lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemView {
    pub id: i64,
    pub applicant_kind: ApplicantKind,
    pub organisation: String,
    pub system_name: String,
    pub certificate_serial: String,
    /// ROC dates.
    pub enabled_on: String,
    pub disabled_on: Option<String>,
    pub certificate_expires_on: String,
    /// Out of service and why, or in service (`None`), at the time of the page.
    pub state: SystemState,
    pub daily_quota: i64,
    /// Where it stands with the ministry (I-4); the deadline to improve (ROC date) and the
    /// ground of a stop.
    pub oversight: oversight::Oversight,
    pub improve_by: Option<String>,
    pub stop_ground: Option<StopGround>,
}

/// A system's calls on one Taipei day (I-4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsageDay {
    /// ROC date.
    pub day: String,
    pub calls: i64,
    /// Answered belongs or not.
    pub answered: i64,
    /// Refused with a code.
    pub refused: i64,
    pub mean_ms: f64,
    pub slowest_ms: f64,
}

crate::coded! {
    /// Whether a system is served now, and if not, why.
    pub enum SystemState {
        InService = "in_service", "服務中", "In service";
        NotYetEnabled = "not_yet_enabled", "尚未開放", "Not open yet";
        Disabled = "disabled", "已停用", "Closed";
        Stopped = "stopped", "已停止服務", "Stopped by the ministry";
        CertificateExpired = "certificate_expired", "伺服器憑證已逾期", "Server certificate expired";
    }
}

crate::coded! {
    /// 申請機關(構) (I-1, 要點二): who may register a system.
    pub enum ApplicantKind {
        /// 政府機關(構): its server certificate comes from GCA.
        Agency = "agency", "政府機關(構)", "Government agency";
        /// 受金融監督管理委員會監督之金融服務業: its server certificate comes from MOEACA or XCA.
        Financial = "financial", "金融服務業", "Financial institution";
    }
}

#[cfg(feature = "ssr")]
impl ApplicantKind {
    /// Whether a server certificate issued by `family` fits this applicant (要點三(一)).
    pub fn accepts(self, family: CaFamily) -> bool {
        match self {
            ApplicantKind::Agency => family == CaFamily::Gca,
            ApplicantKind::Financial => matches!(family, CaFamily::Moeaca | CaFamily::Xca),
        }
    }
}

crate::coded! {
    /// The grounds on which the ministry may stop a system without a request (要點六, I-4).
    pub enum StopGround {
        /// (一) 申請文件內容經查證記載不實.
        FalseData = "false_data", "申請文件內容經查證記載不實", "The application was false";
        /// (二) 因裁撤、合併或整編而變更名稱或業務調整.
        Reorganisation = "reorganisation", "申請機關(構)裁撤、合併或整編",
            "The applicant was dissolved, merged or reorganised";
        /// (三) 因移撥或業務移轉，造成申請機關(構)之權責變更.
        Transfer = "transfer", "應用系統移撥或業務移轉", "The system or its business moved elsewhere";
        /// (四) 違反第五點規定.
        RuleViolation = "rule_violation", "違反第五點規定", "Rule 5 was broken";
        /// (五) 嚴重耗損本系統效能，經要求限期改善仍未有效辦理.
        HeavyLoad = "heavy_load", "嚴重耗損本系統效能且逾期未改善",
            "Heavy load not fixed by the deadline";
    }
}

crate::coded! {
    /// A citizen certificate's status as the confirmation API answers it (I-3).
    pub enum ConfirmedStatus {
        /// 有效: issued, activated, not suspended, revoked or expired.
        Valid = "valid", "有效", "Valid";
        /// 停用, or a mailed card not activated yet: it may come back.
        Suspended = "suspended", "停用", "Suspended";
        /// 廢止: final.
        Revoked = "revoked", "廢止", "Revoked";
        /// Past its validity.
        Expired = "expired", "已逾期", "Expired";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i_1_each_applicant_presents_a_server_certificate_of_its_own_authority() {
        let accepted = |kind: ApplicantKind| {
            CaFamily::ALL
                .into_iter()
                .filter(|family| kind.accepts(*family))
                .collect::<Vec<_>>()
        };
        assert_eq!(accepted(ApplicantKind::Agency), [CaFamily::Gca]);
        assert_eq!(
            accepted(ApplicantKind::Financial),
            [CaFamily::Moeaca, CaFamily::Xca]
        );
    }
}
