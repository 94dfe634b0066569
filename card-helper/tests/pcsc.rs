//! The card helper through the real PC/SC stack: pcscd with vsmartcard's vpcd reader and the virtual card, driven over HTTP. Run it with `scripts/pcsc-test.sh`.

mod common;

use base64::{engine::general_purpose::STANDARD, Engine};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const PORTAL: &str = "https://portal.example";
/// Set by scripts/pcsc-test.sh to the vpcd port of the private pcscd it started.
const VPCD_ENV: &str = "HUJI_PCSC_TEST_VPCD";

fn vpcd_address() -> String {
    std::env::var(VPCD_ENV).unwrap_or_else(|_| {
        panic!(
            "{VPCD_ENV} is not set: these tests need pcscd with the vpcd reader. \
             Run them with scripts/pcsc-test.sh, which starts pcscd and sets it."
        )
    })
}

/// A virtual card in the vpcd reader and a helper serving HTTP on a free port.
struct Rig {
    _directory: tempfile::TempDir,
    state_path: PathBuf,
    card: Option<Child>,
    _helper: Child,
    base: String,
    http: reqwest::Client,
}

impl Rig {
    async fn start() -> Rig {
        let vpcd = vpcd_address();
        let directory = tempfile::tempdir().expect("temporary directory");
        let state_path = directory.path().join("card.json");
        activated_state()
            .save(&state_path)
            .expect("write the card state");
        let (helper, base) = start_helper(&[]).await;
        let mut rig = Rig {
            _directory: directory,
            state_path,
            card: None,
            _helper: helper,
            base,
            http: reqwest::Client::new(),
        };
        // The previous test's card must be seen gone before this one goes in.
        rig.wait_for_card(false).await;
        let card = Command::new(env!("CARGO_BIN_EXE_huji-virtual-card"))
            .args(["--state", path_text(&rig.state_path), "--vpcd", &vpcd])
            .kill_on_drop(true)
            .spawn()
            .expect("start the virtual card");
        rig.card = Some(card);
        rig.wait_for_card(true).await;
        rig
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("Origin", PORTAL)
            .send()
            .await
            .expect("reach the helper");
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Origin", PORTAL)
            .json(&body)
            .send()
            .await
            .expect("reach the helper");
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    async fn sign(&self, pin: &str) -> (StatusCode, Value) {
        let challenge = STANDARD.encode(b"single-use server challenge");
        self.post("/v1/sign", json!({"challenge_b64": challenge, "pin": pin}))
            .await
    }

    /// Waits until the first vpcd reader shows (or no longer shows) a card.
    async fn wait_for_card(&self, present: bool) {
        let started = Instant::now();
        loop {
            let (_, body) = self.get("/v1/readers").await;
            let shown = body["readers"]
                .as_array()
                .is_some_and(|readers| readers.iter().any(|r| r["card_present"] == true));
            if shown == present {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "the card never became {}: {body}",
                if present { "present" } else { "absent" }
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Pulls the card out: the virtual card process stops and vpcd loses it.
    async fn remove_card(&mut self) {
        if let Some(mut card) = self.card.take() {
            card.kill().await.expect("stop the virtual card");
        }
    }
}

fn path_text(path: &std::path::Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

/// Starts `huji-card-helper` on a free port and returns it with its base URL.
async fn start_helper(environment: &[(&str, &str)]) -> (Child, String) {
    let mut helper = Command::new(env!("CARGO_BIN_EXE_huji-card-helper"))
        .args(["--port", "0", "--allow-origin", PORTAL])
        .env("RUST_LOG", "warn")
        .envs(environment.iter().copied())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the helper");
    let stdout = helper.stdout.take().expect("helper stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .await
        .expect("read the helper's address");
    let base = line
        .trim()
        .rsplit_once(' ')
        .map(|(_, url)| url.to_owned())
        .expect("the helper prints its address");
    (helper, base)
}

#[tokio::test]
async fn pcsc_reads_the_certificate_and_signs_a_challenge() {
    let rig = Rig::start().await;
    let (status, readers) = rig.get("/v1/readers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(readers["readers"]
        .as_array()
        .is_some_and(|all| all.iter().any(|r| r["name"] == "Virtual PCD 00 00")));

    let (status, body) = rig.get("/v1/certificate").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let certificate = STANDARD
        .decode(body["certificate_b64"].as_str().expect("certificate"))
        .expect("base64");
    assert_eq!(certificate, activated_state().certificate);

    let (status, body) = rig.sign(PIN).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["algorithm"], "RS256");
    let signature = STANDARD
        .decode(body["signature_b64"].as_str().expect("signature"))
        .expect("base64");
    assert!(signed_for(
        &certificate,
        PORTAL,
        b"single-use server challenge",
        &signature
    ));
}

#[tokio::test]
async fn pcsc_two_wrong_pins_then_the_right_one_reset_the_counter() {
    let rig = Rig::start().await;
    let (status, body) = rig.sign("000000").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], json!({"code": "WRONG_PIN", "tries_left": 2}));
    let (_, body) = rig.sign("000000").await;
    assert_eq!(body["error"], json!({"code": "WRONG_PIN", "tries_left": 1}));
    let (_, body) = rig.get("/v1/pin/status").await;
    assert_eq!(
        body,
        json!({"tries_left": 1, "max_tries": 3, "blocked": false})
    );
    let (status, body) = rig.sign(PIN).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = rig.get("/v1/pin/status").await;
    assert_eq!(
        body,
        json!({"tries_left": 3, "max_tries": 3, "blocked": false})
    );
    let persisted = card_helper::card::CardState::load(&rig.state_path).expect("state");
    assert_eq!(persisted.pin_tries_left, 3);
}

#[tokio::test]
async fn pcsc_three_wrong_pins_block_and_the_user_code_unlocks() {
    let rig = Rig::start().await;
    rig.sign("000000").await;
    rig.sign("000000").await;
    let (status, body) = rig.sign("000000").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], json!({"code": "PIN_BLOCKED"}));
    assert!(body["message"]["zh-TW"]
        .as_str()
        .is_some_and(|m| m.contains("用戶代碼")));
    let (_, body) = rig.sign(PIN).await;
    assert_eq!(body["error"]["code"], "PIN_BLOCKED");
    let (_, body) = rig.get("/v1/pin/status").await;
    assert_eq!(body["blocked"], true);

    let unlock = |code: &str| json!({"user_code": code, "new_pin": "246810"});
    let (_, body) = rig.post("/v1/pin/unlock", unlock("WRONG123")).await;
    assert_eq!(
        body["error"],
        json!({"code": "WRONG_USER_CODE", "tries_left": 2})
    );
    let (status, body) = rig.post("/v1/pin/unlock", unlock(USER_CODE)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"tries_left": 3, "max_tries": 3, "blocked": false})
    );
    let (_, body) = rig.sign(PIN).await;
    assert_eq!(body["error"], json!({"code": "WRONG_PIN", "tries_left": 2}));
    let (status, _) = rig.sign("246810").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn pcsc_the_pin_changes_with_the_old_pin() {
    let rig = Rig::start().await;
    let change = |old: &str| json!({"old_pin": old, "new_pin": "135790"});
    let (_, body) = rig.post("/v1/pin/change", change("000000")).await;
    assert_eq!(body["error"], json!({"code": "WRONG_PIN", "tries_left": 2}));
    let (status, body) = rig.post("/v1/pin/change", change(PIN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = rig.sign("135790").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn pcsc_a_removed_card_is_reported() {
    let mut rig = Rig::start().await;
    let (status, _) = rig.get("/v1/certificate").await;
    assert_eq!(status, StatusCode::OK);
    rig.remove_card().await;
    rig.wait_for_card(false).await;
    for path in ["/v1/certificate", "/v1/pin/status"] {
        let (status, body) = rig.get(path).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let code = body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            code == "NO_CARD" || code == "CARD_REMOVED",
            "{path}: {body}"
        );
    }
    let (_, body) = rig.sign(PIN).await;
    assert!(body["message"]["en"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn pcsc_other_origins_are_refused_and_the_private_network_preflight_answered() {
    let rig = Rig::start().await;
    let refused = rig
        .http
        .get(format!("{}/v1/certificate", rig.base))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .expect("reach the helper");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let no_origin = rig
        .http
        .get(format!("{}/v1/certificate", rig.base))
        .send()
        .await
        .expect("reach the helper");
    assert_eq!(no_origin.status(), StatusCode::FORBIDDEN);

    let preflight = rig
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/v1/sign", rig.base))
        .header("Origin", PORTAL)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .header("Access-Control-Request-Private-Network", "true")
        .send()
        .await
        .expect("reach the helper");
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], PORTAL);
    assert_eq!(headers["access-control-allow-private-network"], "true");
}

#[tokio::test]
async fn pcsc_a_stopped_pc_sc_service_is_reported() {
    // The environment variable is still required, so this never passes outside the script.
    vpcd_address();
    let (_helper, base) =
        start_helper(&[("PCSCLITE_CSOCK_NAME", "/nonexistent/huji/pcscd.comm")]).await;
    let response = reqwest::Client::new()
        .get(format!("{base}/v1/certificate"))
        .header("Origin", PORTAL)
        .send()
        .await
        .expect("reach the helper");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(body["error"]["code"], "PCSC_UNAVAILABLE");
}
