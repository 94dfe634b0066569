//! Why a certificate was refused, or why the trust store could not be read, in both languages.

use crate::domain::FieldError;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Every reason a presented certificate is refused; each has its own message for the person.
///
/// It has no server-only dependency, so a server function can return it to the page as is.
#[derive(thiserror::Error, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertificateError {
    #[error("the certificate cannot be read")]
    Malformed,
    #[error("the certificate has expired")]
    Expired,
    #[error("the certificate is not valid yet")]
    NotYetValid,
    #[error("the certificate has been revoked")]
    Revoked,
    #[error("the certificate was not issued by a trusted certificate authority")]
    UnknownIssuer,
    #[error("this kind of certificate cannot be used here")]
    WrongType,
    #[error("the certificate's key usage does not allow this use")]
    WrongKeyUsage,
    #[error("a signature does not verify")]
    BadSignature,
    #[error("the certificate's business ID differs from the one entered")]
    BusinessIdMismatch,
    #[error("the certificate's agency code differs from the one entered")]
    AgencyCodeMismatch,
    #[error("no revocation list of the issuing authority is available")]
    CrlUnavailable,
    #[error("the revocation list of the issuing authority is out of date")]
    CrlStale,
}

impl FieldError for CertificateError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            CertificateError::Malformed => lang.pick(
                "無法讀取憑證內容，請確認插入的是正確的憑證 IC 卡",
                "The certificate cannot be read; please check that the right certificate IC card is inserted",
            ),
            CertificateError::Expired => lang.pick(
                "憑證已逾有效期限，請向憑證管理中心申請展期或換發",
                "The certificate has expired; please renew it with its certificate authority",
            ),
            CertificateError::NotYetValid => lang.pick(
                "憑證尚未生效，請於生效日後再使用",
                "The certificate is not valid yet; please use it after its start date",
            ),
            CertificateError::Revoked => lang.pick(
                "憑證已被廢止或停用，無法使用",
                "The certificate has been revoked or suspended and cannot be used",
            ),
            CertificateError::UnknownIssuer => lang.pick(
                "憑證不是由本系統信任的憑證管理中心所簽發",
                "The certificate was not issued by a certificate authority this service trusts",
            ),
            CertificateError::WrongType => lang.pick(
                "憑證種類不符，請使用本服務要求的憑證（例如工商憑證或自然人憑證）",
                "This is the wrong kind of certificate; please use the one this service asks for (for example a business or citizen certificate)",
            ),
            CertificateError::WrongKeyUsage => lang.pick(
                "憑證的金鑰用途不允許此項使用",
                "The certificate's key usage does not allow this use",
            ),
            CertificateError::BadSignature => lang.pick(
                "簽章驗證失敗",
                "The signature does not verify",
            ),
            CertificateError::BusinessIdMismatch => lang.pick(
                "憑證的統一編號與輸入的統一編號不符",
                "The certificate's business ID (統一編號) differs from the one entered",
            ),
            CertificateError::AgencyCodeMismatch => lang.pick(
                "憑證的機關代號與輸入的機關代號不符",
                "The certificate's agency code (機關代號) differs from the one entered",
            ),
            CertificateError::CrlUnavailable => lang.pick(
                "暫時無法確認憑證的廢止狀態，請稍後再試",
                "The certificate's revocation status cannot be checked right now; please try again later",
            ),
            CertificateError::CrlStale => lang.pick(
                "憑證廢止清冊已過期，暫時無法確認憑證狀態，請稍後再試",
                "The revocation list is out of date, so the certificate's status cannot be checked; please try again later",
            ),
        }
    }
}

/// Why the trust store directory could not be loaded (an operator's problem, not a person's).
#[derive(thiserror::Error, Debug)]
pub enum TrustStoreError {
    #[error("cannot read the trust store {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a PEM certificate or CRL")]
    Unreadable { path: PathBuf },
    #[error("the trust store {path} holds no self-signed root certificate")]
    NoRoot { path: PathBuf },
}
