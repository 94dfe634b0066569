//! Why a sign-in was refused after the certificate itself passed, in both languages.

use crate::domain::FieldError;
use crate::i18n::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignInRefusal {
    #[error("the challenge is unknown, used or expired")]
    ChallengeUnusable,
    #[error("no company with this business ID is registered")]
    CompanyNotRegistered,
    #[error("the company is not in the 核准設立 state")]
    CompanyNotActive,
    #[error("no agency with this agency code is registered")]
    AgencyNotRegistered,
    #[error("the certificate is not bound to a staff account")]
    NotStaff,
    #[error("the certificate is not recorded as any registry person's")]
    NoRegistryPerson,
    #[error("the card helper's answer is not valid base64")]
    Encoding,
}

impl SignInRefusal {
    /// The stable code written to the audit log.
    pub fn code(self) -> &'static str {
        match self {
            SignInRefusal::ChallengeUnusable => "challenge_unusable",
            SignInRefusal::CompanyNotRegistered => "company_not_registered",
            SignInRefusal::CompanyNotActive => "company_not_active",
            SignInRefusal::AgencyNotRegistered => "agency_not_registered",
            SignInRefusal::NotStaff => "not_staff",
            SignInRefusal::NoRegistryPerson => "no_registry_person",
            SignInRefusal::Encoding => "encoding",
        }
    }
}

impl FieldError for SignInRefusal {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            SignInRefusal::ChallengeUnusable => lang.pick(
                "登入驗證已逾時（2 分鐘）或已使用，請重新按「登入」。",
                "The sign-in request expired (2 minutes) or was already used; please press Sign in again.",
            ),
            SignInRefusal::CompanyNotRegistered => lang.pick(
                "查無此統一編號的公司登記資料。",
                "No company with this business ID (統一編號) is registered.",
            ),
            SignInRefusal::CompanyNotActive => lang.pick(
                "此公司登記狀態非「核准設立」，無法使用本服務。",
                "The company's registration is not active (核准設立), so it cannot use this service.",
            ),
            SignInRefusal::AgencyNotRegistered => lang.pick(
                "查無此機關代號的機關資料：貴機關尚未登錄於本系統，請洽內政部戶政司。",
                "No agency with this agency code (機關代號) is registered with this portal; please contact the Department of Household Registration.",
            ),
            SignInRefusal::NotStaff => lang.pick(
                "此憑證尚未登錄為後台工作人員帳號，請洽系統管理者。",
                "This certificate is not registered as a back-office staff account; please contact the administrator.",
            ),
            SignInRefusal::NoRegistryPerson => lang.pick(
                "此自然人憑證查無有效之申請人戶籍資料（憑證可能尚未開卡、已停用或廢止），請洽戶政事務所。",
                "This citizen certificate is not on record for a registered person (it may not be activated yet, or be suspended or revoked); please contact a household registration office.",
            ),
            SignInRefusal::Encoding => lang.pick(
                "跨平台網頁元件傳回的資料格式不正確，請更新元件後再試。",
                "The card helper returned malformed data; please update it and try again.",
            ),
        }
    }
}
