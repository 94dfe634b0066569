//! 國民身分證領補換資料查驗作業 API 介接服務 (seed 000, SPEC §1): a company applies for the
//! verification API, uploads its API certificate, changes its registered data, asks to stop,
//! follows its cases (進度查詢) and cancels one within 24 hours; the ministry reviews the cases
//! and manages the grants.

pub mod cases;
pub mod form;
#[cfg(feature = "ssr")]
pub mod mail;
mod manifest;
#[cfg(feature = "ssr")]
pub mod manual;
pub mod pages;
pub mod review;
pub mod signature;
#[cfg(feature = "ssr")]
pub mod store;

pub use manifest::{ApiServiceRoutes, MANIFEST};

use crate::i18n::Lang;
pub use cases::{CaseKind, CaseStatus, GrantAction, GrantStatus};
use serde::{Deserialize, Serialize};

/// Where the service's pages are.
pub const NOTICES_PATH: &str = "/api-service";
pub const APPLY_PATH: &str = "/api-service/apply";
pub const FORM_PATH: &str = "/api-service/apply/form";
pub const PROGRESS_PATH: &str = "/api-service/progress";
pub const MANUAL_PATH: &str = "/api-service/manual";
/// 操作文件下載: the manual as a PDF, in the reader's language.
pub const MANUAL_PDF_PATH: &str = "/api-service/manual.pdf";
pub const REVIEW_PATH: &str = "/admin/api-cases";
pub const REVIEW_CASE_PATH: &str = "/admin/api-cases/case";

/// The company of this session, with its 統一編號 parsed; others are sent to sign in.
#[cfg(feature = "ssr")]
async fn signed_in_company() -> Result<
    (
        crate::platform::AppState,
        crate::services::company::CompanyAccount,
        crate::domain::business_id::BusinessId,
    ),
    crate::error::PortalError,
> {
    use crate::error::PortalError;
    let state = leptos::prelude::expect_context::<crate::platform::AppState>();
    let company = crate::services::company::require_company(&state).await?;
    let business_id = crate::domain::business_id::BusinessId::parse(&company.business_id)
        .map_err(|_| PortalError::Unavailable)?;
    Ok((state, company, business_id))
}

/// The 申請事項 a company may choose: a first application when it has no permission
/// (or gave it up); upload, change and deactivation once approved. After a suspension or
/// revocation the company first submits its improvement plan (改善做法), and applies again
/// once the ministry has approved it (A-N11); while suspended it may also deactivate.
pub fn offered_kinds(grant: Option<&GrantView>) -> &'static [CaseKind] {
    match grant.map(|grant| (grant.status, grant.plan_required)) {
        None | Some((GrantStatus::Revoked | GrantStatus::Deactivated, false)) => &[CaseKind::Apply],
        Some((GrantStatus::Revoked | GrantStatus::Deactivated, true)) => &[CaseKind::Plan],
        Some((GrantStatus::Active, _)) => &[
            CaseKind::Certificate,
            CaseKind::Modify,
            CaseKind::Deactivate,
        ],
        Some((GrantStatus::Suspended, true)) => &[CaseKind::Plan, CaseKind::Deactivate],
        Some((GrantStatus::Suspended, false)) => &[CaseKind::Apply, CaseKind::Deactivate],
    }
}

/// A case as the company and the reviewer see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    /// The S/N (the seed's UUID): the case's key in addresses and forms.
    pub id: String,
    /// 案件編號, `S1151202-000001`: what a person reads out (issue 24 item 9).
    pub number: String,
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
    /// The review's extension, once granted (A-N5).
    pub extension: Option<ReviewExtension>,
}

/// A review extended by the reviewer (A-N5, 必要時得延長): when, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewExtension {
    /// ROC date-time.
    pub at: String,
    pub reason: String,
}

/// The reviewer's request for more material, its due date and the company's answer (A-N5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialRequest {
    pub note: String,
    /// The company answers by this date (ROC, `112/11/24`): 5 working days.
    pub due: String,
    pub reply: Option<String>,
    pub replied_at: Option<String>,
    /// Past its due date without an answer: the reviewer may reject for it.
    pub overdue: bool,
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
    /// Overdue past the 10-working-day target.
    pub age: crate::components::queue::Age,
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
    /// Why it was last suspended, revoked or deactivated, as the company was told.
    pub status_reason: Option<String>,
}

/// The seed's refusal while a case is in review, word for word ("WARNNING" sic).
pub fn pending_case_message(lang: Lang) -> &'static str {
    lang.pick(
        "[WARNNING-02] 申請失敗 尚有案件受理中!",
        "[WARNNING-02] Application failed: a case is still in review.",
    )
}
