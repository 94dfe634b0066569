//! The answer's wire format, as the ministry's service sends it:
//! `{"httpCode":"200","httpMessage":"OK","rdCode":"RS7009","rdMessage":"查詢作業完成",
//! "responseData":{"checkIdCardApply":"1"}}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// `rdCode`: what became of the request. The `RS` codes are the ministry's; the `HJ` codes are
/// this implementation's, one per reason a call is refused (docs/verification-api.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RdCode {
    /// RS7009 查詢作業完成: the query was done; see `checkIdCardApply`.
    Done,
    /// RS3811 連結機關作業管理資料未建: no grant for this orgId and apId.
    NotSetUp,
    /// RS3822 查詢條件值,不符規定: `conditionMap` is missing or a value is invalid.
    InvalidQuery,
    /// HJ2000: the connection test passed: the token, grant, address and certificate would
    /// let a verification through. Nothing was verified.
    ConnectionTested,
    /// HJ4001: no `Authorization: Bearer` JWT, or not one this service reads (RS256 only).
    MalformedToken,
    /// HJ4002: the signature does not verify with the uploaded certificate's key.
    BadSignature,
    /// HJ4003: `iat` or `exp` more than 180 s (plus 30 s of clock skew) from now, or expired.
    StaleToken,
    /// HJ4004: this `jti` was used before.
    ReplayedToken,
    /// HJ4005: `iss` is not the grant's isskey, or `jobId` / `opType` are not V2C201 / RW.
    WrongIssuer,
    /// HJ4006: no certificate uploaded yet.
    NoCertificate,
    /// HJ4030: the call does not come from the grant's registered host IP (A-N3).
    WrongAddress,
    /// HJ4031: the grant is suspended (A-N9).
    Suspended,
    /// HJ4032: the grant is revoked or deactivated (A-N8, A-N9, A-N10).
    Ended,
    /// HJ4033: the uploaded certificate has expired or was revoked.
    CertificateInvalid,
    /// HJ4290: more calls this second than the grant's rate allows; retry after `Retry-After`.
    RateLimited,
    /// HJ5000: a fault on the server's side; nothing was counted.
    Unavailable,
}

impl RdCode {
    pub fn code(self) -> &'static str {
        match self {
            RdCode::Done => "RS7009",
            RdCode::NotSetUp => "RS3811",
            RdCode::InvalidQuery => "RS3822",
            RdCode::ConnectionTested => "HJ2000",
            RdCode::MalformedToken => "HJ4001",
            RdCode::BadSignature => "HJ4002",
            RdCode::StaleToken => "HJ4003",
            RdCode::ReplayedToken => "HJ4004",
            RdCode::WrongIssuer => "HJ4005",
            RdCode::NoCertificate => "HJ4006",
            RdCode::WrongAddress => "HJ4030",
            RdCode::Suspended => "HJ4031",
            RdCode::Ended => "HJ4032",
            RdCode::CertificateInvalid => "HJ4033",
            RdCode::RateLimited => "HJ4290",
            RdCode::Unavailable => "HJ5000",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            RdCode::Done => "查詢作業完成",
            RdCode::NotSetUp => "連結機關作業管理資料未建, 請重新輸入(請檢查 orgId、apId 是否正確)",
            RdCode::InvalidQuery => "查詢條件值,不符規定",
            RdCode::ConnectionTested => "連線測試成功（未查驗任何資料）",
            RdCode::MalformedToken => "授權資料格式錯誤（需 Authorization: Bearer RS256 JWT）",
            RdCode::BadSignature => "JWT 簽章驗證失敗（須以上傳憑證之私鑰簽署）",
            RdCode::StaleToken => "JWT 已逾時或時間不符（iat、exp 須在 ±180 秒內）",
            RdCode::ReplayedToken => "JWT 識別碼（jti）已使用過",
            RdCode::WrongIssuer => "iss（isskey）、jobId 或 opType 不符",
            RdCode::NoCertificate => "尚未上傳 API 憑證",
            RdCode::WrongAddress => "來源 IP 非登錄之連線主機網路位址",
            RdCode::Suspended => "查驗權限已暫停",
            RdCode::Ended => "查驗權限已註銷或停用",
            RdCode::CertificateInvalid => "上傳之憑證已逾期或已廢止",
            RdCode::RateLimited => "查詢次數超過每秒上限，請稍後再試",
            RdCode::Unavailable => "系統暫時無法提供服務",
        }
    }

    /// The HTTP status sent with it (also in `httpCode`).
    pub fn status(self) -> StatusCode {
        match self {
            RdCode::Done | RdCode::ConnectionTested => StatusCode::OK,
            RdCode::InvalidQuery => StatusCode::BAD_REQUEST,
            RdCode::NotSetUp
            | RdCode::MalformedToken
            | RdCode::BadSignature
            | RdCode::StaleToken
            | RdCode::ReplayedToken
            | RdCode::WrongIssuer => StatusCode::UNAUTHORIZED,
            RdCode::NoCertificate
            | RdCode::WrongAddress
            | RdCode::Suspended
            | RdCode::Ended
            | RdCode::CertificateInvalid => StatusCode::FORBIDDEN,
            RdCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            RdCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// `checkIdCardApply`: the verdict of a query that was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// 1 國民身分證資料與檔存資料相符.
    Match,
    /// 2, 3, 4: no match, and today's failures for this ID number are now 1, 2 or 3.
    NoMatch { failures_today: i64 },
    /// 5: three failures today already; not compared (A-N6).
    LockedToday,
    /// 6: the ID number is no longer in use.
    NotInUse,
    /// 7: the card is reported lost (seed 004).
    ReportedLost,
    /// 8: the grant is suspended for abnormal use (A-N9); not compared.
    Abnormal,
}

impl Verdict {
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Match => "1",
            Verdict::NoMatch { failures_today: 1 } => "2",
            Verdict::NoMatch { failures_today: 2 } => "3",
            Verdict::NoMatch { .. } => "4",
            Verdict::LockedToday => "5",
            Verdict::NotInUse => "6",
            Verdict::ReportedLost => "7",
            Verdict::Abnormal => "8",
        }
    }
}

/// `responseData`: `{"checkIdCardApply": "1"}` when the query was done, else `{}` (the
/// ministry's clients expect an object either way).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct ResponseData {
    /// The verdict, `1`–`8` (docs/verification-api.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, pattern = "^[1-8]$", example = "1")]
    check_id_card_apply: Option<&'static str>,
}

/// The answer to every call, in the ministry's wire format.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = VerificationAnswer)]
pub(super) struct AnswerBody {
    /// The HTTP status, as text.
    #[schema(pattern = "^[0-9]{3}$", example = "200")]
    http_code: String,
    #[schema(value_type = String, example = "OK")]
    http_message: &'static str,
    /// `RS…` the ministry's codes, `HJ…` this service's (docs/verification-api.md).
    #[schema(value_type = String, pattern = "^(RS|HJ)[0-9]{4}$", example = "RS7009")]
    rd_code: &'static str,
    #[schema(value_type = String, example = "查詢作業完成")]
    rd_message: &'static str,
    response_data: ResponseData,
}

/// The refusals every endpoint of the API may answer, as the OpenAPI document lists them (the
/// middleware in front of them answers these).
#[derive(utoipa::IntoResponses)]
#[expect(
    dead_code,
    reason = "it describes answers for the OpenAPI document; never built"
)]
pub(super) enum Refusals {
    /// RS3811, HJ4001–HJ4005: the caller or its token is refused
    #[response(status = 401)]
    Unauthorized(AnswerBody),
    /// HJ4006, HJ4030–HJ4033: the grant may not be used now
    #[response(status = 403)]
    Forbidden(AnswerBody),
    /// HJ4290: over the grant's rate
    #[response(status = 429, headers(("Retry-After" = String, description = "Seconds to wait")))]
    TooManyRequests(AnswerBody),
    /// HJ5000: a fault on the server's side
    #[response(status = 503)]
    Unavailable(AnswerBody),
}

/// One answer: the outcome code and, when the query was done, the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    pub rd_code: RdCode,
    pub verdict: Option<Verdict>,
}

impl Answer {
    pub fn done(verdict: Verdict) -> Answer {
        Answer {
            rd_code: RdCode::Done,
            verdict: Some(verdict),
        }
    }

    /// An answer with no verdict: a refusal, or the connection test's.
    pub fn only(rd_code: RdCode) -> Answer {
        Answer {
            rd_code,
            verdict: None,
        }
    }

    pub fn unavailable() -> Answer {
        Answer::only(RdCode::Unavailable)
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let status = self.rd_code.status();
        let body = AnswerBody {
            http_code: status.as_u16().to_string(),
            http_message: status.canonical_reason().unwrap_or_default(),
            rd_code: self.rd_code.code(),
            rd_message: self.rd_code.message(),
            response_data: ResponseData {
                check_id_card_apply: self.verdict.map(Verdict::code),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if self.rd_code == RdCode::RateLimited {
            // The rate is counted per second.
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        // For the call log (see `super::authenticated`).
        response.extensions_mut().insert(self);
        response
    }
}
