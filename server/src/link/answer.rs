//! The answer's wire format: one JSON shape for every answer, accepted or refused —
//! `{"code":"HJL2000","message":"連結測試成功","messageEn":"The connection test passed."}`,
//! with `data` on a person query. Every code is documented in `docs/agency-link-api.md`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// What became of a call: one code per outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkCode {
    /// HJL2000: the connection test passed and took step 18.
    Tested,
    /// HJL2001: the person query was done; `data` holds the approved items.
    Found,
    /// HJL4000: the body is not `{"personId": "<a valid ID number>"}`.
    InvalidQuery,
    /// HJL4040: no person with this ID number in the registry.
    NotFound,
    /// HJL4010: no `X-Agency-User` or `X-Agency-Password` header, or not readable.
    MissingCredentials,
    /// HJL4011: the user code and password are not the case's 密碼表.
    WrongCredentials,
    /// HJL4012: no `Authorization: Bearer` RS256 JWT with the claims this API reads.
    MalformedToken,
    /// HJL4013: the JWT's signature does not verify with the case's certificate key.
    BadSignature,
    /// HJL4014: `iat` / `exp` out of bounds (±180 s, 30 s of skew), or expired.
    StaleToken,
    /// HJL4015: `iss` is not the case's Iss key, `sub` not the user code or `op` not this
    /// operation.
    WrongIssuer,
    /// HJL4016: this `jti` was used before.
    ReplayedToken,
    /// HJL4030: the call does not come from the case's address, or the user code is no
    /// case's: a stranger learns nothing more.
    UnknownCaller,
    /// HJL4031: the key exchange (steps 11–14) is not finished: no certificate or Iss key.
    NoKey,
    /// HJL4032: the case is withdrawn or cancelled.
    Closed,
    /// HJL4033: the case's certificate has expired or was revoked.
    CertificateInvalid,
    /// HJL4090: not now: outside the scheduled test day, or step 18 is not the case's next.
    NotNow,
    /// HJL4091: the link is not live (steps 19 and 20 not both confirmed).
    NotLive,
    /// HJL4290: too many wrong passwords for this user code: locked for a while.
    LockedOut,
    /// HJL5000: a fault on the server's side.
    Unavailable,
}

impl LinkCode {
    pub fn code(self) -> &'static str {
        match self {
            LinkCode::Tested => "HJL2000",
            LinkCode::Found => app::services::agency_link::items::FOUND,
            LinkCode::InvalidQuery => "HJL4000",
            LinkCode::NotFound => "HJL4040",
            LinkCode::MissingCredentials => "HJL4010",
            LinkCode::WrongCredentials => "HJL4011",
            LinkCode::MalformedToken => "HJL4012",
            LinkCode::BadSignature => "HJL4013",
            LinkCode::StaleToken => "HJL4014",
            LinkCode::WrongIssuer => "HJL4015",
            LinkCode::ReplayedToken => "HJL4016",
            LinkCode::UnknownCaller => "HJL4030",
            LinkCode::NoKey => "HJL4031",
            LinkCode::Closed => "HJL4032",
            LinkCode::CertificateInvalid => "HJL4033",
            LinkCode::NotNow => "HJL4090",
            LinkCode::NotLive => "HJL4091",
            LinkCode::LockedOut => "HJL4290",
            LinkCode::Unavailable => "HJL5000",
        }
    }

    /// The message in zh-TW and in English.
    pub fn messages(self) -> (&'static str, &'static str) {
        match self {
            LinkCode::Tested => ("連結測試成功", "The connection test passed."),
            LinkCode::Found => ("查詢作業完成", "The query was done."),
            LinkCode::InvalidQuery => (
                "查詢條件不符規定（需 personId：國民身分證統一編號）",
                "The query is invalid: send personId, a valid ID number.",
            ),
            LinkCode::NotFound => ("查無此統一編號", "No person has this ID number."),
            LinkCode::MissingCredentials => (
                "缺少使用者代號或密碼（X-Agency-User、X-Agency-Password）",
                "The user code or password is missing (X-Agency-User, X-Agency-Password).",
            ),
            LinkCode::WrongCredentials => (
                "使用者代號或密碼錯誤",
                "The user code or password is wrong.",
            ),
            LinkCode::MalformedToken => (
                "授權資料格式錯誤（需 Authorization: Bearer RS256 JWT）",
                "No readable token: send Authorization: Bearer with an RS256 JWT.",
            ),
            LinkCode::BadSignature => (
                "JWT 簽章驗證失敗（須以機關憑證之私鑰簽署）",
                "The JWT's signature does not verify with the agency certificate's key.",
            ),
            LinkCode::StaleToken => (
                "JWT 已逾時或時間不符（iat、exp 須在 ±180 秒內）",
                "The JWT has expired or its times are out of bounds (iat, exp within 180 s).",
            ),
            LinkCode::WrongIssuer => (
                "iss（Iss key）、sub（使用者代號）或 op（作業）不符",
                "iss (the Iss key), sub (the user code) or op (the operation) does not match.",
            ),
            LinkCode::ReplayedToken => ("JWT 識別碼（jti）已使用過", "This jti was used before."),
            LinkCode::UnknownCaller => (
                "來源位址或使用者代號不符",
                "The source address or the user code does not match a linked case.",
            ),
            LinkCode::NoKey => (
                "金鑰交換尚未完成（機關憑證或 Iss key）",
                "The key exchange is not finished (agency certificate or Iss key).",
            ),
            LinkCode::Closed => (
                "申請案件已撤回或已取消連結",
                "The case is withdrawn or the link cancelled.",
            ),
            LinkCode::CertificateInvalid => (
                "機關憑證已逾期或已廢止",
                "The agency certificate has expired or was revoked.",
            ),
            LinkCode::NotNow => (
                "非排定之連結測試日期，或目前不在連結測試步驟",
                "Not the scheduled test day, or the case is not at its connection test.",
            ),
            LinkCode::NotLive => ("尚未開始實際連結", "The link is not live yet."),
            LinkCode::LockedOut => (
                "密碼錯誤次數過多，請稍後再試",
                "Too many wrong passwords: try again later.",
            ),
            LinkCode::Unavailable => (
                "系統暫時無法提供服務",
                "The service is unavailable for the moment.",
            ),
        }
    }

    /// The HTTP status sent with it.
    pub fn status(self) -> StatusCode {
        match self {
            LinkCode::Tested | LinkCode::Found => StatusCode::OK,
            LinkCode::InvalidQuery => StatusCode::BAD_REQUEST,
            LinkCode::NotFound => StatusCode::NOT_FOUND,
            LinkCode::MissingCredentials
            | LinkCode::WrongCredentials
            | LinkCode::MalformedToken
            | LinkCode::BadSignature
            | LinkCode::StaleToken
            | LinkCode::WrongIssuer
            | LinkCode::ReplayedToken => StatusCode::UNAUTHORIZED,
            LinkCode::UnknownCaller
            | LinkCode::NoKey
            | LinkCode::Closed
            | LinkCode::CertificateInvalid => StatusCode::FORBIDDEN,
            LinkCode::NotNow | LinkCode::NotLive => StatusCode::CONFLICT,
            LinkCode::LockedOut => StatusCode::TOO_MANY_REQUESTS,
            LinkCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// An answer: its code, and on a person query the items found.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkAnswer {
    pub code: LinkCode,
    pub data: Option<serde_json::Map<String, serde_json::Value>>,
}

impl LinkAnswer {
    pub fn only(code: LinkCode) -> LinkAnswer {
        LinkAnswer { code, data: None }
    }
}

/// The refusals both operations may answer, as the OpenAPI document lists them: the checks of
/// the caller in front of either.
#[derive(utoipa::IntoResponses)]
#[expect(
    dead_code,
    reason = "it describes answers for the OpenAPI document; never built"
)]
pub(super) enum Refusals {
    /// HJL4010–HJL4016: credentials or token refused
    #[response(status = 401)]
    Unauthorized(LinkAnswerBody),
    /// HJL4030–HJL4033: address, key exchange, case closed, certificate
    #[response(status = 403)]
    Forbidden(LinkAnswerBody),
    /// HJL4290: locked out after wrong passwords
    #[response(status = 429)]
    TooManyRequests(LinkAnswerBody),
    /// HJL5000: unavailable
    #[response(status = 503)]
    Unavailable(LinkAnswerBody),
}

/// Every answer's body.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkAnswerBody {
    /// What became of the call (HJL2000 …), see the manual.
    #[schema(example = "HJL2001")]
    pub code: &'static str,
    #[schema(example = "查詢作業完成")]
    pub message: &'static str,
    #[schema(example = "The query was done.")]
    pub message_en: &'static str,
    /// On HJL2001 only: the case's approved data items, by item code
    /// (`household.name`, …); an item the registry holds nothing for is `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>, example = json!({"household.name": "王小明"}))]
    pub data: Option<serde_json::Map<String, serde_json::Value>>,
}

impl IntoResponse for LinkAnswer {
    fn into_response(self) -> Response {
        let (message, message_en) = self.code.messages();
        let mut response = (
            self.code.status(),
            Json(LinkAnswerBody {
                code: self.code.code(),
                message,
                message_en,
                data: self.data,
            }),
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.code == LinkCode::LockedOut {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(super::guard::LOCKOUT_SECONDS_TEXT),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[LinkCode] = &[
        LinkCode::Tested,
        LinkCode::Found,
        LinkCode::InvalidQuery,
        LinkCode::NotFound,
        LinkCode::MissingCredentials,
        LinkCode::WrongCredentials,
        LinkCode::MalformedToken,
        LinkCode::BadSignature,
        LinkCode::StaleToken,
        LinkCode::WrongIssuer,
        LinkCode::ReplayedToken,
        LinkCode::UnknownCaller,
        LinkCode::NoKey,
        LinkCode::Closed,
        LinkCode::CertificateInvalid,
        LinkCode::NotNow,
        LinkCode::NotLive,
        LinkCode::LockedOut,
        LinkCode::Unavailable,
    ];

    #[test]
    fn l_18_every_code_is_unique_documented_and_its_status_matches_its_class() {
        let manual = include_str!("../../../docs/agency-link-api.md");
        let mut seen = std::collections::HashSet::new();
        for code in ALL {
            assert!(seen.insert(code.code()), "{code:?} twice");
            assert!(manual.contains(code.code()), "{code:?} not in the manual");
            let class = &code.code()[3..4];
            let status = code.status().as_u16().to_string();
            assert_eq!(&status[..1], class, "{code:?}");
            let (zh_tw, english) = code.messages();
            assert!(!zh_tw.is_empty() && english.is_ascii(), "{code:?}");
        }
    }
}
