//! The OpenAPI 3.1 document of the linked-agency API, generated from its handlers and answer
//! types, served at `GET /integration/agency/openapi.json` (a document of its own: the
//! verification API's `/integration/openapi.json` stays the companies' contract).

use super::answer::LinkAnswerBody;
use super::auth::{PASSWORD_HEADER, USER_HEADER};
use super::PersonQuery;
use crate::verify::openapi::{json_response, pretty_json};
use axum::response::Response;
use std::sync::LazyLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "機關連結 API / Linked-agency API",
        description = "What a linked agency's system calls (機關連結申請, seed 001): the connection \
            test of step 18 on the scheduled day, and after go-live the person query answering \
            the case's approved data items. Every call comes from the case's address and \
            carries its 密碼表 (X-Agency-User, X-Agency-Password); every interface but 連結介面 \
            also sends a JWT signed RS256 with the key of the agency certificate of step 11, \
            whose iss is the case's Iss key. The manual is docs/agency-link-api.md.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(super::connection_test, super::person_query),
    components(schemas(LinkAnswerBody, PersonQuery)),
    modifiers(&Schemes),
    tags((name = "agency-link", description = "機關連結 / linked agencies"))
)]
struct Document;

struct Schemes;

impl Modify for Schemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "agencyUser",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                USER_HEADER,
                "The 密碼表's user code (使用者代號)",
            ))),
        );
        components.add_security_scheme(
            "agencyPassword",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                PASSWORD_HEADER,
                "The 密碼表's password",
            ))),
        );
        components.add_security_scheme(
            "bearerJwt",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "RS256, signed with the private key of the agency certificate (step 11); \
                         claims iss (Iss key), sub (user code), op, iat, exp, jti. Not read on \
                         連結介面 cases.",
                    ))
                    .build(),
            ),
        );
    }
}

static JSON: LazyLock<String> = LazyLock::new(|| pretty_json(Document::openapi()));

/// `GET /integration/agency/openapi.json`.
pub async fn document() -> Response {
    json_response(JSON.as_str())
}

#[cfg(test)]
mod tests {
    #[test]
    fn l_18_the_document_describes_both_operations_and_every_scheme() {
        let document: serde_json::Value =
            serde_json::from_str(&super::JSON).expect("a JSON document");
        let paths = &document["paths"];
        assert!(paths["/integration/agency/v1/connection-test"]["post"].is_object());
        assert!(paths["/integration/agency/v1/person-query"]["post"]["requestBody"].is_object());
        for scheme in ["agencyUser", "agencyPassword", "bearerJwt"] {
            assert!(
                document["components"]["securitySchemes"][scheme].is_object(),
                "{scheme}"
            );
        }
    }
}
