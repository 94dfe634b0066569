//! The OpenAPI 3.1 document of the verification API, generated from the handler and the answer
//! types, served at `GET /integration/openapi.json`.

use super::answer::{AnswerBody, ResponseData};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The name of the security scheme: `Authorization: Bearer <JWT>`.
const BEARER: &str = "bearerJwt";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "國民身分證領補換資料查驗作業 API / ID-card verification API",
        description = "Wire-compatible with the ministry's V2C201 service. The JWT is signed RS256 \
            with the key of the certificate uploaded in 憑證上傳; its claims and every code are \
            described in the operation manual (/api-service/manual).",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(super::rwv2c2, super::connection_test),
    components(schemas(AnswerBody, ResponseData)),
    modifiers(&BearerJwt),
    tags((name = "verification", description = "查驗作業 / verification"))
)]
struct Document;

struct BearerJwt;

impl Modify for BearerJwt {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "RS256, signed with the private key of the uploaded API certificate",
                    ))
                    .build(),
            ),
        );
    }
}

static JSON: LazyLock<String> = LazyLock::new(|| pretty_json(Document::openapi()));

/// An OpenAPI document as the JSON its endpoint serves.
pub(crate) fn pretty_json(document: utoipa::openapi::OpenApi) -> String {
    document
        .to_pretty_json()
        .unwrap_or_else(|error| serde_json::json!({ "error": error.to_string() }).to_string())
}

/// The response serving a document made by [`pretty_json`].
pub(crate) fn json_response(json: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        json,
    )
        .into_response()
}

/// `GET /integration/openapi.json`.
pub async fn document() -> Response {
    json_response(JSON.as_str())
}
