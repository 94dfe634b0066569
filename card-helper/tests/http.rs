//! The helper's HTTP API without a socket or reader: the soft token behind the router, origin and preflight rules, size limits.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use card_helper::backend::{Backend, SoftToken};
use card_helper::card::generated_state;
use card_helper::card::{Card, FileStore};
use card_helper::helper::{router, AllowedOrigins, BODY_LIMIT};
use card_helper::personalisation::{seal, Secrets, TransportKey};
use card_helper::protocol::key_proof_message;
use common::*;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const PORTAL: &str = "https://portal.example";

/// A router over a soft token whose state file lives in `directory`.
fn soft_token_app(directory: &tempfile::TempDir) -> Router {
    let path = directory.path().join("token.json");
    activated_state().save(&path).expect("write the token");
    let card = Card::new(activated_state(), FileStore { path: path.clone() }).expect("card");
    let origins = AllowedOrigins::parse([PORTAL]).expect("origins");
    router(
        Backend::Soft(SoftToken::new(vec![(SoftToken::reader_name(&path), card)])),
        origins,
    )
}

/// A router over two soft tokens with different keys: `first.token` and `second card.token`.
fn two_token_app(directory: &tempfile::TempDir) -> Router {
    let states = [
        ("first.token", activated_state()),
        (
            "second card.token",
            generated_state("Huji Second Card", PIN, USER_CODE).expect("second card"),
        ),
    ];
    let cards = states
        .into_iter()
        .map(|(file, state)| {
            let path = directory.path().join(file);
            state.save(&path).expect("write the token");
            let card = Card::new(state, FileStore { path: path.clone() }).expect("card");
            (SoftToken::reader_name(&path), card)
        })
        .collect();
    let origins = AllowedOrigins::parse([PORTAL]).expect("origins");
    router(Backend::Soft(SoftToken::new(cards)), origins)
}

const SECOND: &str = "Huji Soft Token (second card)";
const SECOND_QUERY: &str = "reader=Huji%20Soft%20Token%20%28second%20card%29";

fn decode_b64(value: &Value) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(value.as_str().expect("base64 text"))
        .expect("base64")
}

#[tokio::test]
async fn several_soft_tokens_are_several_readers_chosen_by_name() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let app = two_token_app(&directory);
    let (_, body) = call(
        &app,
        request(Method::GET, "/v1/readers", Some(PORTAL), None),
    )
    .await;
    assert_eq!(
        body["readers"],
        json!([
            {"name": "Huji Soft Token (first)", "card_present": true},
            {"name": SECOND, "card_present": true},
        ])
    );
    let (_, first) = call(
        &app,
        request(Method::GET, "/v1/certificate", Some(PORTAL), None),
    )
    .await;
    let path = format!("/v1/certificate?{SECOND_QUERY}");
    let (status, second) = call(&app, request(Method::GET, &path, Some(PORTAL), None)).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["reader"], SECOND);
    assert_ne!(first["certificate_b64"], second["certificate_b64"]);

    let sign = json!({"challenge_b64": "AQID", "pin": PIN, "reader": SECOND});
    let (status, signed) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(sign)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    let certificate = decode_b64(&second["certificate_b64"]);
    assert!(signed_for(
        &certificate,
        PORTAL,
        &[1, 2, 3],
        &decode_b64(&signed["signature_b64"])
    ));
}

#[tokio::test]
async fn a_wrong_pin_on_one_soft_token_leaves_the_other_alone() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let app = two_token_app(&directory);
    let wrong = json!({"challenge_b64": "AA==", "pin": "999999", "reader": SECOND});
    let (status, _) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(wrong)),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, second) = call(
        &app,
        request(
            Method::GET,
            &format!("/v1/pin/status?{SECOND_QUERY}"),
            Some(PORTAL),
            None,
        ),
    )
    .await;
    assert_eq!(second["tries_left"], 2);
    let (_, first) = call(
        &app,
        request(Method::GET, "/v1/pin/status", Some(PORTAL), None),
    )
    .await;
    assert_eq!(first["tries_left"], 3);
}

#[tokio::test]
async fn an_unknown_reader_is_reader_not_found() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let app = two_token_app(&directory);
    let (status, body) = call(
        &app,
        request(
            Method::GET,
            "/v1/certificate?reader=Nope",
            Some(PORTAL),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "READER_NOT_FOUND");
    let sign = json!({"challenge_b64": "AA==", "pin": PIN, "reader": "Nope"});
    let (status, body) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(sign)),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "READER_NOT_FOUND");
}

fn request(method: Method, path: &str, origin: Option<&str>, body: Option<Value>) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:24170");
    if let Some(origin) = origin {
        builder = builder.header(header::ORIGIN, origin);
    }
    let body = match body {
        Some(body) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    builder.body(body).expect("request")
}

async fn call(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_version_handshake_names_the_protocol_and_mode() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let app = soft_token_app(&directory);
    let (status, body) = call(
        &app,
        request(Method::GET, "/v1/version", Some(PORTAL), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["protocol"], card_helper::protocol::PROTOCOL_VERSION);
    assert_eq!(body["mode"], "soft-token");
    let (_, body) = call(
        &app,
        request(Method::GET, "/v1/readers", Some(PORTAL), None),
    )
    .await;
    assert_eq!(body["readers"][0]["name"], "Huji Soft Token (token)");
}

#[tokio::test]
async fn the_soft_token_signs_a_challenge_after_the_pin() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let app = soft_token_app(&directory);
    let sign = json!({"challenge_b64": "c2VydmVyIGNoYWxsZW5nZQ==", "pin": PIN});
    let (status, body) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(sign)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    use base64::Engine;
    let decode = |value: &Value| {
        base64::engine::general_purpose::STANDARD
            .decode(value.as_str().expect("base64 text"))
            .expect("base64")
    };
    let certificate = decode(&body["certificate_b64"]);
    let signature = decode(&body["signature_b64"]);
    assert!(signed_for(
        &certificate,
        PORTAL,
        b"server challenge",
        &signature
    ));
}

#[tokio::test]
async fn a_wrong_pin_on_the_soft_token_is_persisted_in_its_file() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let app = soft_token_app(&directory);
    let sign = json!({"challenge_b64": "AA==", "pin": "999999"});
    let (status, body) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(sign)),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], json!({"code": "WRONG_PIN", "tries_left": 2}));
    assert!(body["message"]["zh-TW"]
        .as_str()
        .is_some_and(|m| m.contains("2 次")));
    let state = card_helper::card::CardState::load(&directory.path().join("token.json"));
    assert_eq!(state.expect("state").pin_tries_left, 2);
}

#[tokio::test]
async fn security_21_4_the_signature_names_the_page_that_asked() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("token.json");
    activated_state().save(&path).expect("write the token");
    let card = Card::new(activated_state(), FileStore { path: path.clone() }).expect("card");
    let other = "https://other.example";
    let origins = AllowedOrigins::parse([PORTAL, other]).expect("origins");
    let app = router(
        Backend::Soft(SoftToken::new(vec![(SoftToken::reader_name(&path), card)])),
        origins,
    );
    let sign = json!({"challenge_b64": "Y2hhbGxlbmdl", "pin": PIN});
    let (status, body) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(other), Some(sign)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let certificate = decode_b64(&body["certificate_b64"]);
    let signature = decode_b64(&body["signature_b64"]);
    assert!(signed_for(&certificate, other, b"challenge", &signature));
    // Neither the portal nor a check of the bare challenge takes it.
    assert!(!signed_for(&certificate, PORTAL, b"challenge", &signature));
    assert!(!signature_verifies(&certificate, b"challenge", &signature));
}

#[tokio::test]
async fn security_21_4_pin_tries_through_the_helper_are_paced() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let app = soft_token_app(&directory);
    let wrong = json!({"challenge_b64": "AA==", "pin": "000000"});
    let try_wrong = || {
        call(
            &app,
            request(Method::POST, "/v1/sign", Some(PORTAL), Some(wrong.clone())),
        )
    };
    let started = std::time::Instant::now();
    let (_, body) = try_wrong().await;
    assert_eq!(body["error"]["code"], "WRONG_PIN");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "the first try waits for nothing"
    );
    let (_, body) = try_wrong().await;
    assert_eq!(body["error"]["code"], "WRONG_PIN");
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "a try after a wrong PIN waits a second"
    );
    // The right PIN ends the pacing (after its own wait).
    let right = json!({"challenge_b64": "AA==", "pin": PIN});
    let (status, _) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(right.clone())),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let again = std::time::Instant::now();
    let (status, _) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(right)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(again.elapsed() < std::time::Duration::from_secs(1));
}

#[tokio::test]
async fn requests_without_an_allowed_origin_are_refused() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let app = soft_token_app(&directory);
    for origin in [
        None,
        Some("https://evil.example"),
        Some("null"),
        Some("https://portal.example:8443"),
    ] {
        let (status, body) =
            call(&app, request(Method::GET, "/v1/certificate", origin, None)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin:?}");
        assert_eq!(body["error"]["code"], "ORIGIN_NOT_ALLOWED");
    }
    let rebound = Request::builder()
        .uri("/v1/certificate")
        .header(header::HOST, "attacker.example:24170")
        .header(header::ORIGIN, PORTAL)
        .body(Body::empty())
        .expect("request");
    assert_eq!(call(&app, rebound).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_private_network_preflight_is_answered_for_allowed_origins_only() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let app = soft_token_app(&directory);
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/v1/sign")
            .header(header::HOST, "127.0.0.1:24170")
            .header(header::ORIGIN, origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .header("access-control-request-private-network", "true")
            .body(Body::empty())
            .expect("request")
    };
    let response = app
        .clone()
        .oneshot(preflight(PORTAL))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], PORTAL);
    assert_eq!(headers["access-control-allow-private-network"], "true");
    assert!(headers["access-control-allow-methods"]
        .to_str()
        .is_ok_and(|m| m.contains("POST")));
    let refused = app
        .clone()
        .oneshot(preflight("https://evil.example"))
        .await
        .expect("response");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(refused
        .headers()
        .get("access-control-allow-private-network")
        .is_none());
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_stable_codes() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let app = soft_token_app(&directory);
    let huge = json!({"challenge_b64": "A".repeat(BODY_LIMIT), "pin": PIN});
    let (status, body) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(huge)),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::PAYLOAD_TOO_LARGE, &json!("REQUEST_TOO_LARGE"))
    );
    let missing_pin = json!({"challenge_b64": "AA=="});
    let (status, body) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(missing_pin)),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::BAD_REQUEST, &json!("INVALID_REQUEST"))
    );
    let bad_challenge = json!({"challenge_b64": "not base64!", "pin": PIN});
    let (_, body) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(bad_challenge)),
    )
    .await;
    assert_eq!(body["error"]["code"], "INVALID_REQUEST");
    let bad_pin = json!({"challenge_b64": "AA==", "pin": "12"});
    let (_, body) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(bad_pin)),
    )
    .await;
    assert_eq!(body["error"]["code"], "INVALID_PIN_FORMAT");
    let (status, body) = call(
        &app,
        request(Method::GET, "/v1/unknown", Some(PORTAL), None),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::NOT_FOUND, &json!("UNKNOWN_COMMAND"))
    );
}

#[tokio::test]
async fn pin_change_and_unlock_through_the_api() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let app = soft_token_app(&directory);
    let change = json!({"old_pin": PIN, "new_pin": "112233"});
    let (status, body) = call(
        &app,
        request(Method::POST, "/v1/pin/change", Some(PORTAL), Some(change)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let wrong = json!({"challenge_b64": "AA==", "pin": PIN});
    for expected in [
        json!({"code": "WRONG_PIN", "tries_left": 2}),
        json!({"code": "WRONG_PIN", "tries_left": 1}),
        json!({"code": "PIN_BLOCKED"}),
    ] {
        let (_, body) = call(
            &app,
            request(Method::POST, "/v1/sign", Some(PORTAL), Some(wrong.clone())),
        )
        .await;
        assert_eq!(body["error"], expected);
    }
    let (_, body) = call(
        &app,
        request(Method::GET, "/v1/pin/status", Some(PORTAL), None),
    )
    .await;
    assert_eq!(
        body,
        json!({"tries_left": 0, "max_tries": 3, "blocked": true})
    );
    let unlock = json!({"user_code": "WRONG999", "new_pin": "445566"});
    let (_, body) = call(
        &app,
        request(Method::POST, "/v1/pin/unlock", Some(PORTAL), Some(unlock)),
    )
    .await;
    assert_eq!(
        body["error"],
        json!({"code": "WRONG_USER_CODE", "tries_left": 2})
    );
    let unlock = json!({"user_code": USER_CODE, "new_pin": "445566"});
    let (_, body) = call(
        &app,
        request(Method::POST, "/v1/pin/unlock", Some(PORTAL), Some(unlock)),
    )
    .await;
    assert_eq!(
        body,
        json!({"tries_left": 3, "max_tries": 3, "blocked": false})
    );
}

#[tokio::test]
async fn c2_security_21_10_a_blank_card_is_personalised_from_a_sealed_box_and_then_refuses_it() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("blank.token");
    let blank = blank_factory_state();
    blank.save(&path).expect("write the token");
    let card = Card::new(blank, FileStore { path: path.clone() }).expect("card");
    const OTHER: &str = "https://other.example";
    let origins = AllowedOrigins::parse([PORTAL, OTHER]).expect("origins");
    let app = router(
        Backend::Soft(SoftToken::new(vec![(SoftToken::reader_name(&path), card)])),
        origins,
    );
    let issue_key_from = |origin: &str| {
        request(
            Method::POST,
            "/v1/issue/key",
            Some(origin),
            Some(json!({"challenge_b64": "cHJvb2Y="})),
        )
    };
    let issue_key = || issue_key_from(PORTAL);
    // What the RA seals to the helper's transport key for `certificate` (issue 21 item 10).
    let secrets = Secrets {
        user_code: "Lin2026code".into(),
        pin: "790715".into(),
        management_key: MANAGEMENT_KEY.to_vec(),
    };
    let write_from = |origin: &str, certificate: &[u8], sealed: &[u8]| {
        use base64::Engine;
        let certificate_b64 = base64::engine::general_purpose::STANDARD.encode(certificate);
        let personalisation_b64 = base64::engine::general_purpose::STANDARD.encode(sealed);
        request(
            Method::POST,
            "/v1/issue/certificate",
            Some(origin),
            Some(json!({
                "certificate_b64": certificate_b64,
                "personalisation_b64": personalisation_b64,
            })),
        )
    };
    let write = |certificate: &[u8], sealed: &[u8]| write_from(PORTAL, certificate, sealed);

    // A certificate of another key is refused, and the card stays open for personalisation.
    let (status, body) = call(&app, issue_key()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let other = activated_state().certificate;
    let sealed = seal(&decode_b64(&body["transport_key_b64"]), &other, &secrets).expect("seal");
    let (status, body) = call(&app, write(&other, &sealed)).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::BAD_REQUEST, &json!("INVALID_REQUEST"))
    );

    let (status, body) = call(&app, issue_key()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Meanwhile the card holds an interim PIN and 用戶代碼 nobody was told, and no
    // management key: nothing of the citizen's was written for the refused certificate.
    let interim = card_helper::card::CardState::load(&path).expect("the token");
    assert!(!["000000", "790715"].contains(&interim.pin.as_str()));
    assert!(!["FACTORY1", "Lin2026code"].contains(&interim.user_code.as_str()));
    assert_eq!(interim.management_key, None);
    // A page of another allowed origin can neither start over on this card nor write it.
    let (_, other_page) = call(&app, issue_key_from(OTHER)).await;
    assert_eq!(other_page["error"]["code"], json!("CARD_IN_USE"));
    let certificate = issue_certificate(&decode_b64(&body["public_key_b64"]));
    // The new key signed the challenge ("proof") with the transport key the helper made: the
    // card holds the key the RA certifies, and the RA seals to this helper.
    let transport_key = decode_b64(&body["transport_key_b64"]);
    let transport_key_b64 = body["transport_key_b64"]
        .as_str()
        .expect("the transport key");
    let key_proof = key_proof_message(PORTAL, transport_key_b64, b"proof");
    assert!(signature_verifies(
        &certificate,
        &key_proof,
        &decode_b64(&body["signature_b64"])
    ));
    // The card's factory key attests its number, that key and that proof (issue 21 item 10).
    assert_eq!(body["card_number"], json!(CARD_NUMBER));
    assert!(attested(
        &decode_b64(&body["public_key_b64"]),
        &key_proof,
        &decode_b64(&body["attestation_b64"])
    ));
    // Sealed for another certificate, or to another key, it does not open: nothing is written.
    let sealed = seal(&transport_key, &other, &secrets).expect("seal");
    let (_, body) = call(&app, write(&certificate, &sealed)).await;
    assert_eq!(body["error"]["code"], json!("PERSONALISATION_SEALED"));
    let stranger = TransportKey::generate().public_key();
    let sealed = seal(&stranger, &certificate, &secrets).expect("seal");
    let (_, body) = call(&app, write(&certificate, &sealed)).await;
    assert_eq!(body["error"]["code"], json!("PERSONALISATION_SEALED"));
    let sealed = seal(&transport_key, &certificate, &secrets).expect("seal");
    let (_, body) = call(&app, write_from(OTHER, &certificate, &sealed)).await;
    assert_eq!(body["error"]["code"], json!("PERSONALISATION_SEALED"));
    assert_eq!(
        card_helper::card::CardState::load(&path)
            .expect("the token")
            .management_key,
        None
    );
    let sign = json!({"challenge_b64": "aGVsbG8=", "pin": "790715"});
    let (_, body) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(sign.clone())),
    )
    .await;
    assert_eq!(body["error"]["code"], json!("CARD_NOT_ACTIVATED"));

    let (status, body) = call(&app, write(&certificate, &sealed)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(decode_b64(&body["certificate_b64"]), certificate);
    // Activated, the card attests nothing again: its factory data is gone.
    let used = card_helper::card::CardState::load(&path).expect("the token");
    assert!(used.activated && used.factory.is_none());

    // Activated: it signs with the PIN set at issuance, and personalisation is over.
    let (status, body) = call(
        &app,
        request(Method::POST, "/v1/sign", Some(PORTAL), Some(sign)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(signed_for(
        &certificate,
        PORTAL,
        b"hello",
        &decode_b64(&body["signature_b64"])
    ));
    let (status, body) = call(&app, issue_key()).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::CONFLICT, &json!("CARD_ACTIVATED"))
    );
    // The transport key went with the personalisation: the same box does not open again.
    let (_, body) = call(&app, write(&certificate, &sealed)).await;
    assert_eq!(body["error"]["code"], json!("PERSONALISATION_SEALED"));
    // The 用戶代碼 set at issuance is the one that unlocks.
    let unlock = json!({"user_code": "Lin2026code", "new_pin": "112233"});
    let (status, body) = call(
        &app,
        request(Method::POST, "/v1/pin/unlock", Some(PORTAL), Some(unlock)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // 用戶代碼重設 with the key stored at personalisation (C-3): counter, then the reset.
    let (status, body) = call(
        &app,
        request(Method::GET, "/v1/card/reset-counter", Some(PORTAL), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["counter"], json!(0));
    let reset = |user_code: &str, key: &[u8]| {
        use base64::Engine;
        use hmac::{Hmac, Mac};
        let message = card_helper::protocol::reset_authorization_message(0, user_code, "790715");
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("key");
        mac.update(message.as_bytes());
        let authorization_b64 =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        request(
            Method::POST,
            "/v1/card/reset",
            Some(PORTAL),
            Some(json!({
                "user_code": user_code,
                "pin": "790715",
                "authorization_b64": authorization_b64,
            })),
        )
    };
    let (status, body) = call(&app, reset("Reset2026", &[9u8; 32])).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::FORBIDDEN, &json!("NOT_AUTHORIZED"))
    );
    let (status, body) = call(&app, reset("Reset2026", &MANAGEMENT_KEY)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let unlock = json!({"user_code": "Reset2026", "new_pin": "790715"});
    let (status, body) = call(
        &app,
        request(Method::POST, "/v1/pin/unlock", Some(PORTAL), Some(unlock)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The card management key the portal would hand over at personalisation.
const MANAGEMENT_KEY: [u8; 32] = [5u8; 32];

#[tokio::test]
async fn c4_an_extended_certificate_replaces_the_old_one_only_with_the_pin_and_the_same_key() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("extension.token");
    activated_state().save(&path).expect("write the token");
    let card = Card::new(activated_state(), FileStore { path: path.clone() }).expect("card");
    let reader = SoftToken::reader_name(&path);
    let origins = AllowedOrigins::parse([PORTAL]).expect("origins");
    let app = router(Backend::Soft(SoftToken::new(vec![(reader, card)])), origins);
    let replace = |certificate: &[u8], pin: &str| {
        use base64::Engine;
        let certificate_b64 = base64::engine::general_purpose::STANDARD.encode(certificate);
        request(
            Method::POST,
            "/v1/certificate/replace",
            Some(PORTAL),
            Some(json!({ "certificate_b64": certificate_b64, "pin": pin })),
        )
    };
    let on_card = || async {
        let (_, body) = call(
            &app,
            request(Method::GET, "/v1/certificate", Some(PORTAL), None),
        )
        .await;
        decode_b64(&body["certificate_b64"])
    };
    let spki = {
        let old = activated_state().certificate;
        let (_, parsed) = x509_parser::parse_x509_certificate(&old).expect("parse");
        parsed.public_key().raw.to_vec()
    };
    let extended = issue_certificate(&spki);

    let (_, body) = call(&app, replace(&extended, "000000")).await;
    assert_eq!(body["error"], json!({"code": "WRONG_PIN", "tries_left": 2}));
    let stranger_key = rcgen::KeyPair::generate().expect("another key");
    let stranger = rcgen::CertificateParams::default()
        .self_signed(&stranger_key)
        .expect("a certificate of another key")
        .der()
        .to_vec();
    let (status, body) = call(&app, replace(&stranger, PIN)).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::BAD_REQUEST, &json!("INVALID_REQUEST"))
    );
    assert_eq!(on_card().await, activated_state().certificate);

    let (status, body) = call(&app, replace(&extended, PIN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(decode_b64(&body["certificate_b64"]), extended);
    assert_eq!(on_card().await, extended);
}

#[tokio::test]
async fn c2_security_21_10_a_blank_card_without_a_factory_key_is_not_issued_onto() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("unknown.token");
    let blank = card_helper::card::blank_state("000000", "FACTORY1", None).expect("blank card");
    let card = Card::new(blank, FileStore { path: path.clone() }).expect("card");
    let app = router(
        Backend::Soft(SoftToken::new(vec![(SoftToken::reader_name(&path), card)])),
        AllowedOrigins::parse([PORTAL]).expect("origins"),
    );
    let issue_key = json!({"challenge_b64": "cHJvb2Y="});
    let (status, body) = call(
        &app,
        request(Method::POST, "/v1/issue/key", Some(PORTAL), Some(issue_key)),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::CONFLICT, &json!("NO_FACTORY_KEY"))
    );
}
