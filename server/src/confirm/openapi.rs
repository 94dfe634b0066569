//! The OpenAPI 3.1 document of the identity confirmation API, generated from the handler and
//! its types, served at `GET /integration/confirmation/openapi.json`.

use super::answer::AnswerBody;
use super::{ConfirmRequest, NonceBody, WebEidToken};
use crate::verify::openapi::{json_response, pretty_json};
use axum::response::Response;
use std::sync::LazyLock;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "自然人憑證用戶身分確認服務 API / Identity confirmation API",
        description = "For application systems registered under the ministry's 自然人憑證用戶身分確認\
            服務系統申請要點. Called over mutual TLS with the system's registered server \
            certificate as the client certificate; every call is logged. Codes are described in \
            the operation manual (docs/confirmation-api.md).",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(super::confirm, super::nonce),
    components(schemas(AnswerBody, ConfirmRequest, NonceBody, WebEidToken)),
    tags((name = "confirmation", description = "身分確認 / identity confirmation"))
)]
struct Document;

static JSON: LazyLock<String> = LazyLock::new(|| pretty_json(Document::openapi()));

/// `GET /integration/confirmation/openapi.json`.
pub async fn document() -> Response {
    json_response(JSON.as_str())
}
