//! 國民身分證領補換資料查驗作業 API 介接服務 (seed 000, SPEC §1): a company applies for the
//! verification API, uploads its API certificate, changes its registered data, asks to stop,
//! follows its cases (進度查詢) and cancels one within 24 hours; the ministry reviews the cases
//! and manages the grants.

pub mod form;
pub mod islands;
pub mod pages;
pub mod review;
#[cfg(feature = "ssr")]
pub mod store;

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// Where the service's pages are.
pub const NOTICES_PATH: &str = "/api-service";
pub const APPLY_PATH: &str = "/api-service/apply";
pub const FORM_PATH: &str = "/api-service/apply/form";
pub const PROGRESS_PATH: &str = "/api-service/progress";
pub const MANUAL_PATH: &str = "/api-service/manual";
pub const REVIEW_PATH: &str = "/admin/api-cases";
pub const REVIEW_CASE_PATH: &str = "/admin/api-cases/case";

/// 申請事項: what a case asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseKind {
    /// API申請: a first application.
    Apply,
    /// 憑證上傳: the API certificate, taken at once.
    Certificate,
    /// 登錄資料修改: new name, IP or contact, in effect on approval (A-4, A-N7).
    Modify,
    /// API停用: stop using the API, in effect on approval (A-5, A-N8).
    Deactivate,
}

impl CaseKind {
    pub const ALL: [CaseKind; 4] = [
        CaseKind::Apply,
        CaseKind::Certificate,
        CaseKind::Modify,
        CaseKind::Deactivate,
    ];

    /// The stored and URL name.
    pub fn code(self) -> &'static str {
        match self {
            CaseKind::Apply => "apply",
            CaseKind::Certificate => "certificate",
            CaseKind::Modify => "modify",
            CaseKind::Deactivate => "deactivate",
        }
    }

    pub fn from_code(code: &str) -> Option<CaseKind> {
        CaseKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The seed's name (申請事項 in the menu, 申請事由 on the result).
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            CaseKind::Apply => lang.pick("API申請", "API application"),
            CaseKind::Certificate => lang.pick("憑證上傳", "Certificate upload"),
            CaseKind::Modify => lang.pick("登錄資料修改", "Change of registered data"),
            CaseKind::Deactivate => lang.pick("API停用", "API deactivation"),
        }
    }

    /// Whether the company edits its name, IP and contact in this case's form.
    pub fn edits_company_data(self) -> bool {
        matches!(self, CaseKind::Apply | CaseKind::Modify)
    }
}

/// 案件狀態.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseStatus {
    Pending,
    Cancelled,
    Uploaded,
    Approved,
    Rejected,
}

impl CaseStatus {
    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Pending => "pending",
            CaseStatus::Cancelled => "cancelled",
            CaseStatus::Uploaded => "uploaded",
            CaseStatus::Approved => "approved",
            CaseStatus::Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Option<CaseStatus> {
        [
            CaseStatus::Pending,
            CaseStatus::Cancelled,
            CaseStatus::Uploaded,
            CaseStatus::Approved,
            CaseStatus::Rejected,
        ]
        .into_iter()
        .find(|status| status.code() == code)
    }

    /// The seed's wording: 受理中, 已取消, 上傳成功, 核准, 駁回.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            CaseStatus::Pending => lang.pick("受理中", "In review"),
            CaseStatus::Cancelled => lang.pick("已取消", "Cancelled"),
            CaseStatus::Uploaded => lang.pick("上傳成功", "Uploaded"),
            CaseStatus::Approved => lang.pick("核准", "Approved"),
            CaseStatus::Rejected => lang.pick("駁回", "Rejected"),
        }
    }
}

/// The state of a company's permission (啟用狀態).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GrantStatus {
    /// 啟用: may call the API.
    Active,
    /// 暫停: suspended for abnormal use (A-N9); the ministry may reinstate it.
    Suspended,
    /// 註銷: revoked by the ministry (A-N9, A-N10); apply anew after an improvement plan (A-N11).
    Revoked,
    /// 停用: deactivated at the company's request (A-N8).
    Deactivated,
}

impl GrantStatus {
    pub fn code(self) -> &'static str {
        match self {
            GrantStatus::Active => "active",
            GrantStatus::Suspended => "suspended",
            GrantStatus::Revoked => "revoked",
            GrantStatus::Deactivated => "deactivated",
        }
    }

    pub fn from_code(code: &str) -> Option<GrantStatus> {
        [
            GrantStatus::Active,
            GrantStatus::Suspended,
            GrantStatus::Revoked,
            GrantStatus::Deactivated,
        ]
        .into_iter()
        .find(|status| status.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            GrantStatus::Active => lang.pick("啟用", "Active"),
            GrantStatus::Suspended => lang.pick("暫停", "Suspended"),
            GrantStatus::Revoked => lang.pick("註銷", "Revoked"),
            GrantStatus::Deactivated => lang.pick("停用", "Deactivated"),
        }
    }
}

/// The 申請事項 a company may choose: a first application when it has no permission
/// (or gave it up); upload, change and deactivation once approved; only deactivation while
/// suspended, since reinstatement is the ministry's. After a suspension or revocation, a new
/// application waits until the ministry approves the company's improvement plan (A-N11).
pub fn offered_kinds(grant: Option<&GrantView>) -> &'static [CaseKind] {
    match grant.map(|grant| (grant.status, grant.plan_required)) {
        None | Some((GrantStatus::Revoked | GrantStatus::Deactivated, false)) => &[CaseKind::Apply],
        Some((GrantStatus::Revoked | GrantStatus::Deactivated, true)) => &[],
        Some((GrantStatus::Active, _)) => &[
            CaseKind::Certificate,
            CaseKind::Modify,
            CaseKind::Deactivate,
        ],
        Some((GrantStatus::Suspended, _)) => &[CaseKind::Deactivate],
    }
}

/// A case as the company and the reviewer see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    /// The S/N.
    pub id: String,
    pub business_id: String,
    pub kind: CaseKind,
    pub status: CaseStatus,
    pub company_name: String,
    pub host_ip: String,
    pub contact: String,
    pub landline: String,
    pub mobile: String,
    pub email: String,
    pub purpose: String,
    /// 申請日期, `112/11/17 14:35:04`.
    pub submitted_at: String,
    /// 審核日期 (or when it was cancelled or uploaded).
    pub decided_at: Option<String>,
    /// 審核結果.
    pub decision_text: Option<String>,
    /// Whether the company may still cancel it (受理中 and within 24 hours, A-9).
    pub cancellable: bool,
    /// More material the reviewer asked for (A-N5).
    pub material: Option<MaterialRequest>,
}

/// The reviewer's request for more material, its due date and the company's answer (A-N5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialRequest {
    pub note: String,
    /// The company answers by this date (ROC, `112/11/24`): 5 working days.
    pub due: String,
    pub reply: Option<String>,
    pub replied_at: Option<String>,
}

/// A company's use of the verification API over the last 30 days (A-10, for A-N9).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub calls: i64,
    pub matches: i64,
    pub no_matches: i64,
    /// Calls refused before any comparison (bad token, wrong address, …).
    pub refused: i64,
}

/// A case in the review queue, with its age in working days (A-N5, A-10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedCase {
    pub case: CaseView,
    pub age_working_days: i64,
    /// Older than the 10-working-day target.
    pub overdue: bool,
}

/// The company's permission, as 進度查詢 shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    pub company_name: String,
    pub business_id: String,
    pub host_ip: String,
    pub status: GrantStatus,
    pub ap_id: String,
    /// 憑證序號, 有效起始日期 and 有效迄止日期 (`1121107`), once a certificate is uploaded.
    pub certificate_serial: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub isskey: Option<String>,
    /// The last verification call (A-N8, A-N10), ROC date-time; `None` if never called.
    pub last_used_at: Option<String>,
    /// Suspended or revoked, and no improvement plan approved yet (A-N11).
    pub plan_required: bool,
}

/// The seed's refusal while a case is in review, word for word ("WARNNING" sic).
pub fn pending_case_message(lang: Lang) -> &'static str {
    lang.pick(
        "[WARNNING-02] 申請失敗 尚有案件受理中!",
        "[WARNNING-02] Application failed: a case is still in review.",
    )
}
