//! What the confirmation API answers: one JSON shape for every call, a code saying what became
//! of it, and for an answered call whether the certificate belongs to the ID number and, only
//! then, its status. Codes and messages are documented in `docs/confirmation-api.md`.

use super::holders::Confirmation;
use app::cases::Code;
use app::services::confirmation::ConfirmedStatus;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// What became of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfirmCode {
    /// The question was answered: see `belongs` and `status`.
    Answered,
    /// No client certificate was presented on the TLS connection.
    ClientCertificateRequired,
    /// The client certificate is no registered system's.
    SystemUnknown,
    /// The system's opening date has not come.
    SystemNotEnabled,
    /// The system was disabled at its request.
    SystemDisabled,
    /// The ministry stopped the system (rule 6).
    SystemStopped,
    /// The system's server certificate has expired, been revoked, or no longer checks.
    ServerCertificateInvalid,
    /// More calls a second than the system is allowed.
    RateLimited,
    /// The system's calls of the day reached its quota.
    QuotaExceeded,
    /// The card was asked too many ID numbers not its holder's today (from every system).
    CertificateLocked,
    /// The body is not the request the API takes.
    MalformedRequest,
    /// The ID number is not a valid 身分證統一編號.
    MalformedId,
    /// The certificate is not a readable X.509 certificate.
    MalformedCertificate,
    /// The card number is not a citizen-certificate IC card number.
    MalformedCardNumber,
    /// The authentication token lacks a field, or is not RS256 over a readable certificate.
    MalformedToken,
    /// The token's origin is not the system's own (`https://` and its certificate's name).
    TokenOriginMismatch,
    /// The token's nonce was not issued to this system by this service, or has expired.
    TokenNonceInvalid,
    /// The card's signature in the token does not verify.
    TokenSignatureInvalid,
    /// The token's nonce was used before.
    TokenReplayed,
    /// The server could not answer; try again.
    Unavailable,
}

impl ConfirmCode {
    /// The code as sent and as the call log keeps it.
    pub fn code(self) -> &'static str {
        match self {
            ConfirmCode::Answered => app::services::confirmation::systems::ANSWERED,
            ConfirmCode::ClientCertificateRequired => "client_certificate_required",
            ConfirmCode::SystemUnknown => "system_unknown",
            ConfirmCode::SystemNotEnabled => "system_not_enabled",
            ConfirmCode::SystemDisabled => "system_disabled",
            ConfirmCode::SystemStopped => "system_stopped",
            ConfirmCode::ServerCertificateInvalid => "server_certificate_invalid",
            ConfirmCode::RateLimited => "rate_limited",
            ConfirmCode::QuotaExceeded => "quota_exceeded",
            ConfirmCode::CertificateLocked => "certificate_locked",
            ConfirmCode::MalformedRequest => "malformed_request",
            ConfirmCode::MalformedId => "malformed_id",
            ConfirmCode::MalformedCertificate => "malformed_certificate",
            ConfirmCode::MalformedCardNumber => "malformed_card_number",
            ConfirmCode::MalformedToken => "malformed_token",
            ConfirmCode::TokenOriginMismatch => "token_origin_mismatch",
            ConfirmCode::TokenNonceInvalid => "token_nonce_invalid",
            ConfirmCode::TokenSignatureInvalid => "token_signature_invalid",
            ConfirmCode::TokenReplayed => "token_replayed",
            ConfirmCode::Unavailable => "unavailable",
        }
    }

    /// The message for the system's operators, in zh-TW as the ministry's services write.
    fn message(self) -> &'static str {
        match self {
            ConfirmCode::Answered => "查詢作業完成",
            ConfirmCode::ClientCertificateRequired => "請以應用系統之伺服器憑證建立雙向 TLS 連線",
            ConfirmCode::SystemUnknown => "此伺服器憑證未登錄於任何已核准之應用系統",
            ConfirmCode::SystemNotEnabled => "應用系統尚未到開放日期",
            ConfirmCode::SystemDisabled => "應用系統已停用",
            ConfirmCode::SystemStopped => "應用系統已由內政部停止服務",
            ConfirmCode::ServerCertificateInvalid => "伺服器憑證已逾期、廢止或驗證失敗",
            ConfirmCode::RateLimited => "每秒查詢次數超過上限，請稍後再試",
            ConfirmCode::QuotaExceeded => "本日查詢次數已達上限",
            ConfirmCode::CertificateLocked => "此憑證本日身分比對不符次數已達上限，請於明日再查詢",
            ConfirmCode::MalformedRequest => "請求格式不符規定",
            ConfirmCode::MalformedId => "身分證統一編號格式錯誤",
            ConfirmCode::MalformedCertificate => "憑證格式錯誤",
            ConfirmCode::MalformedCardNumber => "憑證 IC 卡卡號格式錯誤",
            ConfirmCode::MalformedToken => "身分驗證權杖格式錯誤",
            ConfirmCode::TokenOriginMismatch => "身分驗證權杖之來源網址非此應用系統所有",
            ConfirmCode::TokenNonceInvalid => {
                "身分驗證權杖之隨機值非本服務發給此應用系統，或已逾時"
            }
            ConfirmCode::TokenSignatureInvalid => "身分驗證權杖之卡片簽章驗證失敗",
            ConfirmCode::TokenReplayed => "身分驗證權杖已使用過",
            ConfirmCode::Unavailable => "系統暫時無法提供服務，請稍後再試",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            ConfirmCode::Answered => StatusCode::OK,
            ConfirmCode::ClientCertificateRequired => StatusCode::UNAUTHORIZED,
            ConfirmCode::SystemUnknown
            | ConfirmCode::SystemNotEnabled
            | ConfirmCode::SystemDisabled
            | ConfirmCode::SystemStopped
            | ConfirmCode::ServerCertificateInvalid => StatusCode::FORBIDDEN,
            ConfirmCode::RateLimited
            | ConfirmCode::QuotaExceeded
            | ConfirmCode::CertificateLocked => StatusCode::TOO_MANY_REQUESTS,
            ConfirmCode::MalformedRequest
            | ConfirmCode::MalformedId
            | ConfirmCode::MalformedCertificate
            | ConfirmCode::MalformedCardNumber
            | ConfirmCode::MalformedToken
            | ConfirmCode::TokenOriginMismatch
            | ConfirmCode::TokenNonceInvalid
            | ConfirmCode::TokenSignatureInvalid => StatusCode::BAD_REQUEST,
            ConfirmCode::TokenReplayed => StatusCode::CONFLICT,
            ConfirmCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// One answer: a refusal, or a confirmation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfirmAnswer {
    pub code: ConfirmCode,
    pub confirmation: Option<Confirmation>,
}

impl ConfirmAnswer {
    pub fn refused(code: ConfirmCode) -> ConfirmAnswer {
        ConfirmAnswer {
            code,
            confirmation: None,
        }
    }

    /// The answer to a question that reached the records.
    pub fn answered(confirmation: Confirmation) -> ConfirmAnswer {
        match confirmation {
            Confirmation::Withheld => ConfirmAnswer::refused(ConfirmCode::CertificateLocked),
            _ => ConfirmAnswer {
                code: ConfirmCode::Answered,
                confirmation: Some(confirmation),
            },
        }
    }

    /// The status answered, for the call log.
    pub fn status(self) -> Option<ConfirmedStatus> {
        match self.confirmation {
            Some(Confirmation::Belongs(status)) => Some(status),
            _ => None,
        }
    }
}

/// The body of every answer.
#[derive(Serialize, ToSchema)]
pub struct AnswerBody {
    /// What became of the call (docs/confirmation-api.md).
    #[schema(example = "answered")]
    code: &'static str,
    #[schema(example = "查詢作業完成")]
    message: &'static str,
    /// Answered calls only: whether the certificate belongs to the ID number.
    #[serde(skip_serializing_if = "Option::is_none")]
    belongs: Option<bool>,
    /// Only when it belongs: `valid`, `suspended`, `revoked` or `expired`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "valid")]
    status: Option<&'static str>,
}

impl IntoResponse for ConfirmAnswer {
    fn into_response(self) -> Response {
        let body = AnswerBody {
            code: self.code.code(),
            message: self.code.message(),
            belongs: self
                .confirmation
                .map(|confirmation| matches!(confirmation, Confirmation::Belongs(_))),
            status: self.status().map(|status| status.code()),
        };
        let mut response = (self.code.status(), Json(body)).into_response();
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        if self.code == ConfirmCode::RateLimited {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        response
    }
}
