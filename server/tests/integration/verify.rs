//! The verification API through the real router (A-11, A-N3, A-N6): requests signed by the
//! company's client with the key of the certificate it uploaded in the portal, from its
//! registered address.

use crate::api_service::{
    api_certificate, approved, company, regain, reviewer, upload, Company, SHRIMP, SHRIMP_NAME,
};
use crate::support::Portal;
use crate::support::{accept_rows, body_text, refuse_rows};
use app::domain::roc_date::RocDate;
use app::platform::clock::Clock;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use server::pki::Issued;
use server::verify::client::{token, Credentials, Query};
use server::verify::{Settings, Thresholds};

const REGISTERED_IP: &str = "127.0.0.115";
const VERIFY: &str = "/integration/rwv2c2/";
const CONNECTION_TEST: &str = "/integration/rwv2c2/connection-test";

/// A portal where the demo company has a grant for 127.0.0.115 and an uploaded certificate.
struct Api {
    portal: Portal,
    credentials: Credentials,
    /// The uploaded certificate's private key, as the company keeps it.
    key_pem: String,
    /// The uploaded certificate's serial, to revoke it.
    serial: String,
    jti: std::sync::atomic::AtomicU32,
}

/// The company uploads a new API certificate (憑證上傳) to its grant: the credentials its
/// client then signs with, and the certificate.
async fn uploaded(portal: &Portal, company: &Company) -> (Credentials, Issued) {
    let certificate = api_certificate(portal, SHRIMP);
    let html = upload(portal, company, certificate.certificate_pem.as_bytes()).await;
    assert!(html.contains("上傳成功"), "{html}");
    let (ap_id, isskey): (String, String) =
        sqlx::query_as("SELECT ap_id, isskey FROM api_grants WHERE business_id = $1")
            .bind(SHRIMP)
            .fetch_one(&portal.app.test_db.db.pool)
            .await
            .expect("grant");
    let key = certificate.private_key_pem.as_deref().expect("the key");
    let credentials = Credentials::new(SHRIMP, &ap_id, &isskey, key).expect("credentials");
    (credentials, certificate)
}

/// The API's settings in these tests: grants read on every call, as the tests change them
/// under the server and call at once (the grant cache has its own test).
fn settings() -> Settings {
    Settings {
        grant_cache: std::time::Duration::ZERO,
        ..Settings::default()
    }
}

impl Api {
    async fn start() -> Api {
        Api::start_with(&settings()).await
    }

    async fn start_with(settings: &Settings) -> Api {
        let portal = Portal::start_with(settings).await;
        let (shrimp, _) = approved(&portal).await;
        let (credentials, certificate) = uploaded(&portal, &shrimp).await;
        Api {
            portal,
            credentials,
            key_pem: certificate.private_key_pem.expect("the key"),
            serial: certificate.serial_hex,
            jti: std::sync::atomic::AtomicU32::new(0),
        }
    }

    fn next_jti(&self) -> String {
        let n = self.jti.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("test-jti-{n}")
    }

    /// A valid token for `query`, made now.
    fn token(&self, query: &Query) -> String {
        token(
            &self.credentials,
            "clerk-01",
            query,
            self.portal.now(),
            &self.next_jti(),
        )
        .expect("token")
    }

    /// Calls the API with `authorization` from `ip`: the status and the JSON answer.
    async fn call_from(
        &self,
        authorization: Option<&str>,
        ip: &str,
    ) -> (StatusCode, serde_json::Value) {
        send(&self.portal.app.router, authorization, ip).await
    }

    /// Calls the connection test with `authorization` from `ip`.
    async fn connection_test_from(
        &self,
        authorization: Option<&str>,
        ip: &str,
    ) -> (StatusCode, serde_json::Value) {
        send_to(&self.portal.app.router, CONNECTION_TEST, authorization, ip).await
    }

    async fn call(&self, token: &str) -> (StatusCode, serde_json::Value) {
        self.call_from(Some(&format!("Bearer {token}")), REGISTERED_IP)
            .await
    }

    /// The verdict (`checkIdCardApply`) of a valid request for `query`.
    async fn verdict(&self, query: &Query) -> String {
        let (status, answer) = self.call(&self.token(query)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["rdCode"], "RS7009");
        answer["responseData"]["checkIdCardApply"]
            .as_str()
            .expect("a verdict")
            .to_owned()
    }

    /// The call log (every call answered is in it): rdCode, verdict, ID-number hash.
    async fn logged_calls(&self) -> Vec<(String, Option<String>, Option<String>)> {
        sqlx::query_as("SELECT rd_code, verdict, id_hash FROM api_calls ORDER BY id")
            .fetch_all(&self.portal.app.test_db.db.pool)
            .await
            .expect("calls")
    }

    /// The grant's last use (A-N8).
    async fn last_used(&self) -> Option<i64> {
        sqlx::query_scalar("SELECT last_used_at FROM api_grants WHERE business_id = $1")
            .bind(SHRIMP)
            .fetch_one(&self.portal.app.test_db.db.pool)
            .await
            .expect("grant")
    }

    /// The grant's names and isskey with another company's certificate key: what a forger who
    /// knows them but not the key signs with.
    fn forged(&self) -> Credentials {
        let stranger = api_certificate(&self.portal, "04595257");
        Credentials::new(
            &self.credentials.org_id,
            &self.credentials.ap_id,
            &self.credentials.isskey,
            stranger.private_key_pem.as_deref().expect("key"),
        )
        .expect("credentials")
    }

    async fn rd_code(&self, token: &str) -> String {
        let (_, answer) = self.call(token).await;
        answer["rdCode"].as_str().expect("rdCode").to_owned()
    }
}

/// A call of `path` with `authorization` from `peer`, through proxies that forwarded
/// `forwarded`.
fn verification_request(
    path: &str,
    authorization: Option<&str>,
    peer: &str,
    forwarded: &[&str],
) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    for line in forwarded {
        request = request.header("x-forwarded-for", *line);
    }
    let mut request = request.body(Body::empty()).expect("request");
    let address: std::net::SocketAddr = format!("{peer}:40000").parse().expect("address");
    request.extensions_mut().insert(ConnectInfo(address));
    request
}

/// Calls the verification of the server `router` with `authorization` from `ip`.
async fn send(
    router: &axum::Router,
    authorization: Option<&str>,
    ip: &str,
) -> (StatusCode, serde_json::Value) {
    send_to(router, VERIFY, authorization, ip).await
}

/// Calls `path` of the server `router` with `authorization` from `ip`.
async fn send_to(
    router: &axum::Router,
    path: &str,
    authorization: Option<&str>,
    ip: &str,
) -> (StatusCode, serde_json::Value) {
    use tower::ServiceExt;
    let request = verification_request(path, authorization, ip, &[]);
    let response = router.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let body = body_text(response).await;
    (status, serde_json::from_str(&body).expect("JSON"))
}

/// 王小明's current card: 換發 on 2021-06-15 (民國 110) in 臺北市.
fn wang_current() -> Query {
    Query {
        person_id: "A123456789".into(),
        apply_code: "3".into(),
        apply_yyymmdd: "1100615".into(),
        issue_site_id: "63000".into(),
    }
}

/// 王小明's current card, said to be issued in another place: a failure (A-N6).
fn wang_wrong_place() -> Query {
    Query {
        issue_site_id: "65000".into(),
        ..wang_current()
    }
}

/// 王小明's previous card, superseded in 2021.
fn wang_superseded() -> Query {
    Query {
        apply_yyymmdd: "0940520".into(),
        ..wang_current()
    }
}

#[tokio::test]
async fn a_11_the_current_card_matches_and_the_answer_has_the_ministrys_shape() {
    let api = Api::start().await;
    let (status, answer) = api.call(&api.token(&wang_current())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer,
        serde_json::json!({
            "httpCode": "200",
            "httpMessage": "OK",
            "rdCode": "RS7009",
            "rdMessage": "查詢作業完成",
            "responseData": { "checkIdCardApply": "1" }
        })
    );
    // A superseded card is no match, and counts as the ID number's first failure today.
    assert_eq!(api.verdict(&wang_superseded()).await, "2");
    // Every call is logged with a keyed hash of the ID number, never the number.
    let logged = api.logged_calls().await;
    assert_eq!(logged.len(), 2);
    assert_eq!(logged[0].1.as_deref(), Some("1"));
    let hash = logged[0].2.clone().expect("a hash");
    assert_eq!(hash.len(), 64);
    assert!(!hash.contains("A123456789"));
    assert_eq!(
        api.last_used().await,
        Some(api.portal.now()),
        "A-N8: the grant's last use"
    );
    // the reviewer sees the company's use, a refused call included.
    let replayed = api.token(&wang_current());
    api.call(&replayed).await;
    assert_eq!(api.rd_code(&replayed).await, "HJ4004");
    api.portal.app.verify.flush().await;
    let reviewer = reviewer(&api.portal).await;
    let queue = body_text(api.portal.page("/admin/api-cases", Some(&reviewer)).await).await;
    assert!(queue.contains("4（2／1／1）"), "{queue}");
}

#[tokio::test]
async fn l4_a_card_reported_lost_answers_7_and_a_voided_id_answers_6() {
    let api = Api::start().await;
    let pool = &api.portal.app.test_db.db.pool;
    sqlx::query(
        "INSERT INTO id_card_loss_reports (reference, citizen_id, issuance_id, \
         household_office_code, channel, phone, email, password_hash, reported_at) \
         SELECT 'L-test', c.id, i.id, c.household_office_code, 'online', '0912345678', \
                'wang@example.com', NULL, $1 \
         FROM citizens c JOIN id_card_issuances i ON i.citizen_id = c.id AND i.is_current \
         WHERE c.national_id = 'A123456789'",
    )
    .bind(api.portal.now())
    .execute(pool)
    .await
    .expect("a loss report");
    assert_eq!(api.verdict(&wang_current()).await, "7");
    sqlx::query("UPDATE citizens SET id_status = 'voided' WHERE national_id = 'A123456789'")
        .execute(pool)
        .await
        .expect("voided");
    assert_eq!(api.verdict(&wang_current()).await, "6");
}

#[tokio::test]
async fn a_n6_fifty_concurrent_wrong_attempts_count_three_then_the_id_is_locked_until_midnight() {
    let api = Api::start().await;
    let wrong = wang_wrong_place();
    let tokens: Vec<String> = (0..50).map(|_| api.token(&wrong)).collect();
    let answers = futures_util::future::join_all(tokens.iter().map(|token| api.call(token))).await;
    let mut verdicts: Vec<String> = answers
        .iter()
        .map(|(_, answer)| {
            answer["responseData"]["checkIdCardApply"]
                .as_str()
                .unwrap_or("?")
                .to_owned()
        })
        .collect();
    verdicts.sort();
    let count = |code: &str| verdicts.iter().filter(|v| *v == code).count();
    assert_eq!(
        (count("2"), count("3"), count("4"), count("5")),
        (1, 1, 1, 47)
    );
    // Locked for everyone today: even the right card is not compared.
    assert_eq!(api.verdict(&wang_current()).await, "5");
    // Taipei midnight: a new day, a new count.
    let clock = &api.portal.app.clock;
    clock.set(
        app::platform::clock::next_taipei_midnight(clock.now_utc()) - chrono::Duration::seconds(1),
    );
    assert_eq!(api.verdict(&wang_current()).await, "5");
    clock.advance(chrono::Duration::seconds(1));
    assert_eq!(api.verdict(&wang_current()).await, "1");
}

#[tokio::test]
async fn a_11_every_refusal_has_its_own_code() {
    let api = Api::start().await;
    let pool = &api.portal.app.test_db.db.pool;
    let now = api.portal.now();
    let query = wang_current();

    // No token, or not a JWT.
    let (status, answer) = api.call_from(None, REGISTERED_IP).await;
    assert_eq!(
        (status, answer["rdCode"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("HJ4001"))
    );
    assert_eq!(api.rd_code("not-a-jwt").await, "HJ4001");

    // Signed with another key (another company's certificate): the signature fails.
    let forged = api.forged();
    let forged_token = token(&forged, "u", &query, now, "forged-1").expect("token");
    assert_eq!(api.rd_code(&forged_token).await, "HJ4002");

    // Replayed: the same token twice.
    let once = api.token(&query);
    assert_eq!(api.rd_code(&once).await, "RS7009");
    assert_eq!(api.rd_code(&once).await, "HJ4004");

    // Made 10 minutes ago: expired.
    let old = token(&api.credentials, "u", &query, now - 600, "old-1").expect("token");
    assert_eq!(api.rd_code(&old).await, "HJ4003");

    // A wrong isskey; a wrong apId.
    let wrong_key = Credentials::new(
        &api.credentials.org_id,
        &api.credentials.ap_id,
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        &api.key_pem,
    )
    .expect("credentials");
    assert_eq!(
        api.rd_code(&token(&wrong_key, "u", &query, now, "k-1").expect("t"))
            .await,
        "HJ4005"
    );
    let wrong_ap = Credentials::new(
        &api.credentials.org_id,
        "APNOTMINE",
        &api.credentials.isskey,
        &api.key_pem,
    )
    .expect("credentials");
    assert_eq!(
        api.rd_code(&token(&wrong_ap, "u", &query, now, "k-2").expect("t"))
            .await,
        "RS3811"
    );

    // From another address (A-N3).
    let (status, answer) = api
        .call_from(Some(&format!("Bearer {}", api.token(&query))), "127.0.0.9")
        .await;
    assert_eq!(
        (status, answer["rdCode"].as_str()),
        (StatusCode::FORBIDDEN, Some("HJ4030"))
    );

    // A conditionMap that does not parse.
    let bad = Query {
        apply_code: "9".into(),
        ..query.clone()
    };
    let (status, answer) = api.call(&api.token(&bad)).await;
    assert_eq!(
        (status, answer["rdCode"].as_str()),
        (StatusCode::BAD_REQUEST, Some("RS3822"))
    );
    assert_eq!(answer["responseData"], serde_json::json!({}));

    // Suspended, then deactivated.
    for (status, code) in [("suspended", "HJ4031"), ("deactivated", "HJ4032")] {
        sqlx::query("UPDATE api_grants SET status = $1 WHERE business_id = $2")
            .bind(status)
            .bind(SHRIMP)
            .execute(pool)
            .await
            .expect("status");
        assert_eq!(api.rd_code(&api.token(&query)).await, code);
    }
    // Nothing refused was compared: the ID number has no failure today.
    let failures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM verification_failures")
        .fetch_one(pool)
        .await
        .expect("count");
    assert_eq!(failures, 0);
}

#[tokio::test]
async fn a_11_an_expired_certificate_is_refused() {
    let api = Api::start().await;
    // The test PKI's certificates are valid for a year from a minute before "now".
    api.portal.app.clock.advance(chrono::Duration::days(366));
    assert_eq!(api.rd_code(&api.token(&wang_current())).await, "HJ4033");
}

#[tokio::test]
async fn a_n3_behind_a_trusted_proxy_the_forwarded_address_counts_and_only_then() {
    use app::platform::client::TrustedProxies;
    use tower::ServiceExt;
    let api = Api::start().await;
    let router = api.portal.server_with(&settings(), |state| {
        state.edit().proxies =
            std::sync::Arc::new(TrustedProxies::parse("10.0.0.5").expect("proxies"));
    });
    let call = |peer: &'static str, forwarded: &'static [&'static str]| {
        let token = api.token(&wang_current());
        let router = router.clone();
        async move {
            let request =
                verification_request(VERIFY, Some(&format!("Bearer {token}")), peer, forwarded);
            let response = router.oneshot(request).await.expect("response");
            let answer: serde_json::Value =
                serde_json::from_str(&body_text(response).await).expect("JSON");
            answer["rdCode"].as_str().expect("rdCode").to_owned()
        }
    };
    // Through the proxy, the address it forwards is the caller's.
    assert_eq!(call("10.0.0.5", &[REGISTERED_IP]).await, "RS7009");
    // A forged entry left of what the proxy saw does not count.
    assert_eq!(
        call("10.0.0.5", &["127.0.0.115, 198.51.100.7"]).await,
        "HJ4030"
    );
    // Nor does one sent as a header line of its own: the lines are one list, read from the end.
    assert_eq!(
        call("10.0.0.5", &["127.0.0.115", "198.51.100.7"]).await,
        "HJ4030"
    );
    // From anyone else the header is ignored.
    assert_eq!(call("198.51.100.7", &[REGISTERED_IP]).await, "HJ4030");
    assert_eq!(call(REGISTERED_IP, &[]).await, "RS7009");
}

#[tokio::test]
async fn security_21_8_a_loopback_caller_matches_a_grant_only_in_development() {
    let api = Api::start().await;
    // The grant is for 127.0.0.115, the seed's example: a development portal answers it.
    assert_eq!(api.verdict(&wang_current()).await, "1");
    // A production portal (served over HTTPS) takes a loopback caller for what it may be:
    // this machine, or every client of a proxy it was not told about.
    let production = api.portal.server_with(&settings(), |state| {
        state.edit().settings = std::sync::Arc::new(app::platform::state::PortalSettings {
            public_origin: "https://huji.example.gov.tw".into(),
            ..(*state.settings).clone()
        });
    });
    let token = api.token(&wang_current());
    let (_, answer) = send(&production, Some(&format!("Bearer {token}")), REGISTERED_IP).await;
    assert_eq!(answer["rdCode"], "HJ4030", "{answer}");
}

#[tokio::test]
async fn a_11_a_stranger_learns_nothing_of_the_grant_before_its_signature_verifies() {
    let api = Api::start().await;
    let pool = &api.portal.app.test_db.db.pool;
    let now = api.portal.now();
    let forged = api.forged();
    sqlx::query("UPDATE api_grants SET status = 'suspended' WHERE business_id = $1")
        .bind(SHRIMP)
        .execute(pool)
        .await
        .expect("suspend");
    let forged_token = token(&forged, "u", &wang_current(), now, "forged-1").expect("token");
    assert_eq!(api.rd_code(&forged_token).await, "HJ4002");
    assert_eq!(api.rd_code(&api.token(&wang_current())).await, "HJ4031");
    // Nor of its certificate.
    api.portal.app.clock.advance(chrono::Duration::days(366));
    let later = api.portal.now();
    let forged_token = token(&forged, "u", &wang_current(), later, "forged-2").expect("token");
    assert_eq!(api.rd_code(&forged_token).await, "HJ4002");
    assert_eq!(api.rd_code(&api.token(&wang_current())).await, "HJ4033");
    // Forged calls are not the company's: only counted, under the grant they named, a row an
    // hour; its call log and its figures hold the signed ones (issue 21 item 6).
    let named = format!("{SHRIMP}/{}", api.credentials.ap_id);
    assert_eq!(
        api.portal.app.refused_calls().await,
        [("verification".to_owned(), named, "HJ4002".to_owned(), 2, 2)]
    );
    let logged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_calls WHERE business_id = $1")
        .bind(SHRIMP)
        .fetch_one(pool)
        .await
        .expect("calls");
    assert_eq!(logged, 2);
    let usage = app::services::api_service::store::usage_since(pool, 0)
        .await
        .expect("usage");
    assert_eq!(usage.get(SHRIMP).map(|usage| usage.calls), Some(2));
}

#[tokio::test]
async fn a_n9_a_change_to_a_grant_reaches_the_api_within_the_grant_cache_time() {
    let keep_for = std::time::Duration::from_millis(400);
    let api = Api::start_with(&Settings {
        grant_cache: keep_for,
        ..settings()
    })
    .await;
    assert_eq!(api.verdict(&wang_current()).await, "1");
    let suspended = std::time::Instant::now();
    sqlx::query("UPDATE api_grants SET status = 'suspended' WHERE business_id = $1")
        .bind(SHRIMP)
        .execute(&api.portal.app.test_db.db.pool)
        .await
        .expect("suspend");
    // Another server suspended it: this one answers from the grant it read a moment ago…
    let answered = api.verdict(&wang_current()).await;
    if suspended.elapsed() < keep_for {
        assert_eq!(answered, "1");
    }
    // …and reads it again once that moment has passed.
    tokio::time::sleep(keep_for).await;
    assert_eq!(api.rd_code(&api.token(&wang_current())).await, "HJ4031");
}

#[tokio::test]
async fn security_21_6_a_grant_found_missing_is_not_looked_up_again_within_the_cache_time() {
    let keep_for = std::time::Duration::from_millis(400);
    let api = Api::start_with(&Settings {
        grant_cache: keep_for,
        ..settings()
    })
    .await;
    let renamed = Credentials::new(SHRIMP, "AP-RENAMED", &api.credentials.isskey, &api.key_pem)
        .expect("credentials");
    let call = |jti: &str| {
        token(&renamed, "clerk-01", &wang_current(), api.portal.now(), jti).expect("token")
    };
    assert_eq!(api.rd_code(&call("renamed-1")).await, "RS3811");
    let looked_up = std::time::Instant::now();
    sqlx::query("UPDATE api_grants SET ap_id = 'AP-RENAMED' WHERE business_id = $1")
        .bind(SHRIMP)
        .execute(&api.portal.app.test_db.db.pool)
        .await
        .expect("rename");
    // This server found no such grant a moment ago and does not read again…
    let answered = api.rd_code(&call("renamed-2")).await;
    if looked_up.elapsed() < keep_for {
        assert_eq!(answered, "RS3811");
    }
    // …until that moment has passed.
    tokio::time::sleep(keep_for).await;
    assert_eq!(api.rd_code(&call("renamed-3")).await, "RS7009");
}

#[tokio::test]
async fn a_11_a_revoked_certificate_is_refused_once_the_new_crl_is_loaded() {
    let api = Api::start().await;
    assert_eq!(api.verdict(&wang_current()).await, "1");
    let now = api.portal.now();
    api.portal.pki.revoke(&api.serial, now).expect("revoke");
    api.portal.app.state.trust.reload().expect("reload");
    assert_eq!(api.rd_code(&api.token(&wang_current())).await, "HJ4033");
}

#[tokio::test]
async fn a_11_a_grant_over_its_rate_is_told_to_retry_after_a_second() {
    let api = Api::start_with(&Settings {
        rate_per_second: 3,
        ..settings()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(api.verdict(&wang_current()).await, "1");
    }
    let held = api.token(&wang_current());
    let request = verification_request(VERIFY, Some(&format!("Bearer {held}")), REGISTERED_IP, &[]);
    let response = api.portal.app.send(request).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        response
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.as_bytes()),
        Some(&b"1"[..])
    );
    let answer: serde_json::Value = serde_json::from_str(&body_text(response).await).expect("JSON");
    assert_eq!(answer["rdCode"], "HJ4290");
    // The refused token was not spent: the next second it is answered.
    api.portal.app.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(api.rd_code(&held).await, "RS7009");
}

/// Card data of `n` people nobody has: each a mismatch of a different ID number.
fn strangers(n: usize) -> Vec<Query> {
    (0..n)
        .map(|i| {
            let body = format!("A1{:07}", 2_000_000 + i);
            // The check digit that makes the number valid.
            let id = (0..10)
                .map(|digit| format!("{body}{digit}"))
                .find(|id| app::domain::national_id::NationalId::parse(id).is_ok())
                .expect("a valid ID number");
            Query {
                person_id: id,
                ..wang_current()
            }
        })
        .collect()
}

async fn review_desk_mail(api: &Api) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE to_addr = $1 AND subject LIKE $2")
        .bind("api-review@example.gov.tw")
        .bind("%異常使用暫停%")
        .fetch_one(&api.portal.app.test_db.db.pool)
        .await
        .expect("outbox")
}

#[tokio::test]
async fn a_n9_a_n11_a_burst_of_mismatches_suspends_the_grant_until_a_plan_and_a_new_application() {
    let api = Api::start_with(&Settings {
        abnormal: Thresholds {
            mismatches: 5,
            ..Thresholds::default()
        },
        ..settings()
    })
    .await;
    for (n, query) in strangers(5).iter().enumerate() {
        assert_eq!(api.verdict(query).await, "2", "call {n}");
    }
    // The fifth mismatch was the finding: the grant is suspended, calls answer 8, the
    // connection test too.
    assert_eq!(api.verdict(&wang_current()).await, "8");
    let (_, tested) = api
        .connection_test_from(
            Some(&format!("Bearer {}", api.token(&wang_current()))),
            REGISTERED_IP,
        )
        .await;
    assert_eq!(tested["responseData"]["checkIdCardApply"], "8", "{tested}");
    assert_eq!(review_desk_mail(&api).await, 1);
    let reviewer = reviewer(&api.portal).await;
    // No reviewer reinstates it by hand (A-N11)…
    let (_, html) = api
        .portal
        .post_page(
            "/admin/api-cases",
            Some(&reviewer),
            &[
                ("business_id", SHRIMP),
                ("action", "reinstate"),
                ("reason", "已說明為測試資料"),
            ],
        )
        .await;
    assert!(html.contains("您沒有執行此項作業的權限"), "{html}");
    assert_eq!(api.verdict(&wang_current()).await, "8");
    // …it returns by an approved improvement plan and a new application, approved: a new
    // grant, with a new apId, to which the company uploads its certificate again.
    let shrimp = company(&api.portal, SHRIMP, SHRIMP_NAME).await;
    regain(&api.portal, &shrimp, &reviewer).await;
    // The old credentials name an apId that is no more.
    assert_eq!(api.rd_code(&api.token(&wang_current())).await, "RS3811");
    let (credentials, _) = uploaded(&api.portal, &shrimp).await;
    assert_ne!(credentials.ap_id, api.credentials.ap_id);
    let (api, credentials) = (&api, &credentials);
    let call = move |jti: &'static str| {
        let token = token(
            credentials,
            "clerk-01",
            &wang_current(),
            api.portal.now(),
            jti,
        )
        .expect("token");
        async move { api.call(&token).await.1 }
    };
    assert_eq!(
        call("regained-1").await["responseData"]["checkIdCardApply"],
        "1"
    );
    // A reviewer's own suspension is not abnormal use: it is refused as suspended.
    api.portal
        .post_page(
            "/admin/api-cases",
            Some(&reviewer),
            &[
                ("business_id", SHRIMP),
                ("action", "suspend"),
                ("reason", "查核中"),
            ],
        )
        .await;
    assert_eq!(call("regained-2").await["rdCode"], "HJ4031");
}

#[tokio::test]
async fn a_n9_a_sweep_of_distinct_id_numbers_suspends_the_grant() {
    let api = Api::start_with(&Settings {
        abnormal: Thresholds {
            distinct_ids: 4,
            ..Thresholds::default()
        },
        // With the production grant cache: the server that suspends forgets the grant at once.
        ..Settings::default()
    })
    .await;
    // Asking about the same person again and again is not a sweep.
    for _ in 0..6 {
        assert_eq!(api.verdict(&wang_current()).await, "1");
    }
    for query in strangers(3) {
        assert_eq!(api.verdict(&query).await, "2");
    }
    assert_eq!(api.verdict(&wang_current()).await, "8");
    assert_eq!(review_desk_mail(&api).await, 1);
}

#[tokio::test]
async fn a_n9_a_volume_far_above_the_companys_normal_suspends_the_grant() {
    let api = Api::start_with(&Settings {
        abnormal: Thresholds {
            window_seconds: 600,
            volume_factor: 10,
            volume_floor: 8,
            ..Thresholds::default()
        },
        // With the production grant cache: the server that suspends forgets the grant at once.
        ..Settings::default()
    })
    .await;
    // A new company's normal is nothing: the floor applies.
    for _ in 0..7 {
        assert_eq!(api.verdict(&wang_current()).await, "1");
    }
    assert_eq!(
        api.verdict(&wang_current()).await,
        "1",
        "the eighth call is the finding"
    );
    assert_eq!(api.verdict(&wang_current()).await, "8");
}

#[tokio::test]
async fn a_11_a_token_id_is_single_use_per_company() {
    let api = Api::start().await;
    let now = api.portal.now();
    let once = token(&api.credentials, "u", &wang_current(), now, "shared-jti").expect("token");
    assert_eq!(api.rd_code(&once).await, "RS7009");
    assert_eq!(api.rd_code(&once).await, "HJ4004");
    // Another company's token with the same jti is its own.
    let pool = &api.portal.app.test_db.db.pool;
    sqlx::query("INSERT INTO api_token_ids (business_id, jti, expires_at) VALUES ($1, $2, $3)")
        .bind("04595257")
        .bind("another-jti")
        .bind(now + 600)
        .execute(pool)
        .await
        .expect("another company's token");
    let theirs = token(&api.credentials, "u", &wang_current(), now, "another-jti").expect("token");
    assert_eq!(api.rd_code(&theirs).await, "RS7009");
}

/// A second server beside `api`'s with the same `settings`: its own connection pool, caches,
/// rate, batches and call log; the same database.
async fn second_server(api: &Api, settings: &Settings) -> axum::Router {
    second_server_and_api(api, settings).await.0
}

/// [`second_server`], with its verification API's state (to flush its refusal counts).
async fn second_server_and_api(
    api: &Api,
    settings: &Settings,
) -> (axum::Router, server::verify::VerifyState) {
    let db = crate::support::reconnect(&api.portal.app.test_db).await;
    let trust = app::pki::ReloadableTrustStore::load(&api.portal.pki.trust_dir()).expect("trust");
    let state = crate::support::state_with_trust(&db, &api.portal.app.clock, trust);
    let verify = server::verify::VerifyState::new(state.clone(), settings);
    let confirm = server::confirm::ConfirmState::new(state.clone(), &Default::default());
    let router = server::web::router(
        state,
        verify.clone(),
        confirm,
        crate::support::test_metrics(),
        crate::support::test_printer(),
    );
    (router, verify)
}

/// `checkIdCardApply` of each answer ("?" when there is none).
fn verdicts(answers: &[(StatusCode, serde_json::Value)]) -> Vec<&str> {
    answers
        .iter()
        .map(|(_, answer)| {
            answer["responseData"]["checkIdCardApply"]
                .as_str()
                .unwrap_or("?")
        })
        .collect()
}

#[tokio::test]
async fn a_n6_two_servers_on_one_database_count_fifty_concurrent_wrong_attempts_to_three() {
    let api = Api::start().await;
    let second = second_server(&api, &settings()).await;
    let servers = [&api.portal.app.router, &second];
    let wrong = wang_wrong_place();
    let tokens: Vec<String> = (0..50)
        .map(|_| format!("Bearer {}", api.token(&wrong)))
        .collect();
    let answers = futures_util::future::join_all(
        tokens
            .iter()
            .enumerate()
            .map(|(n, token)| send(servers[n % 2], Some(token), REGISTERED_IP)),
    )
    .await;
    let mut verdicts = verdicts(&answers);
    verdicts.sort_unstable();
    let count = |code: &str| verdicts.iter().filter(|v| **v == code).count();
    assert_eq!(
        (count("2"), count("3"), count("4"), count("5")),
        (1, 1, 1, 47)
    );
    // Locked on both servers.
    for server in servers {
        let token = format!("Bearer {}", api.token(&wang_current()));
        let (_, answer) = send(server, Some(&token), REGISTERED_IP).await;
        assert_eq!(answer["responseData"]["checkIdCardApply"], "5");
    }
}

/// Holds every call's first write, the single use of its token, until the transaction
/// returned ends: calls sent meanwhile wait, and then go on together, as calls arriving in the
/// same instant at a busy server do.
async fn hold_calls(db: &app::platform::db::Db) -> sqlx::Transaction<'static, sqlx::Any> {
    // On SQLite the transaction holds the database's write lock.
    let mut transaction = db.begin_write().await.expect("begin");
    if db.backend == app::platform::db::Backend::Postgres {
        sqlx::query("LOCK TABLE api_token_ids IN EXCLUSIVE MODE")
            .execute(&mut *transaction)
            .await
            .expect("lock");
    }
    transaction
}

/// A company guessing 王小明's card: 99 wrong guesses (each another date of issue, some also
/// another apply code or place) and the right one, shuffled and sent at once, half to each of
/// two servers on one database; twenty rounds, the count cleared between them as midnight would.
///
/// Every comparison that fails is counted, so at most three are answered 2, 3 and 4 and every
/// other guess is answered 5 without being compared. The right guess is compared only while
/// fewer than three failures are counted or being counted: when it is among the first three
/// compared (3 in 100, the order being random), it answers 1. Compared against a count
/// read before the others' failures were counted, it answered 1 in 6 or 7 rounds of 10; more
/// than four rounds of twenty (odds about 1 in 4,000 when the rule holds) fail the test.
#[tokio::test]
async fn a_n6_a_hundred_guesses_at_once_on_two_servers_get_three_comparisons_that_fail() {
    use rand::seq::SliceRandom;
    let settings = Settings {
        // The guesses are the test, not abuse: neither the rate nor the detector may answer.
        rate_per_second: 10_000,
        abnormal: Thresholds {
            mismatches: 100_000,
            ..Thresholds::default()
        },
        ..settings()
    };
    let api = Api::start_with(&settings).await;
    let second = second_server(&api, &settings).await;
    let servers = [&api.portal.app.router, &second];
    let right = wang_current();
    let issued = chrono::NaiveDate::from_ymd_opt(2021, 6, 15).expect("date");
    // (the guess, whether it is the right one)
    let guesses: Vec<(Query, bool)> = (1..100)
        .map(|n| {
            let date = RocDate::from_naive(issued + chrono::Duration::days(n)).expect("date");
            let wrong = Query {
                apply_yyymmdd: date.display_compact(),
                apply_code: if n % 3 == 0 { "1" } else { "3" }.into(),
                issue_site_id: if n % 5 == 0 { "65000" } else { "63000" }.into(),
                ..right.clone()
            };
            (wrong, false)
        })
        .chain(std::iter::once((right.clone(), true)))
        .collect();
    let pool = &api.portal.app.test_db.db.pool;
    let mut right_answered_1 = 0;
    for round in 0..20 {
        let mut calls: Vec<(bool, String)> = guesses
            .iter()
            .map(|(guess, is_right)| (*is_right, format!("Bearer {}", api.token(guess))))
            .collect();
        calls.shuffle(&mut rand::thread_rng());
        let held = hold_calls(&api.portal.app.test_db.db).await;
        let (answers, ()) = tokio::join!(
            futures_util::future::join_all(calls.iter().enumerate().map(|(n, (_, token))| send(
                servers[n % 2],
                Some(token),
                REGISTERED_IP
            )),),
            async {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                held.rollback().await.expect("let the calls go");
            }
        );
        let verdicts = verdicts(&answers);
        let (mut wrong, mut right_verdict) = (Vec::new(), None);
        for ((is_right, _), verdict) in calls.iter().zip(&verdicts) {
            if *is_right {
                right_verdict = Some(*verdict);
            } else {
                wrong.push(*verdict);
            }
        }
        wrong.sort_unstable();
        let count = |code: &str| wrong.iter().filter(|v| **v == code).count();
        assert_eq!(
            (count("2"), count("3"), count("4"), count("5")),
            (1, 1, 1, 96),
            "round {round}: {verdicts:?}"
        );
        match right_verdict {
            Some("1") => right_answered_1 += 1,
            Some("5") => {}
            other => panic!("round {round}: the right guess answered {other:?}"),
        }
        // The third failure is counted: the right card is not compared again today, anywhere.
        for server in servers {
            let token = format!("Bearer {}", api.token(&right));
            let (_, answer) = send(server, Some(&token), REGISTERED_IP).await;
            assert_eq!(answer["responseData"]["checkIdCardApply"], "5");
        }
        // The next round is another day.
        sqlx::query("DELETE FROM verification_failures")
            .execute(pool)
            .await
            .expect("a new day");
    }
    assert!(
        right_answered_1 <= 4,
        "the right guess was compared after three failures in {right_answered_1} rounds of 20"
    );
}

#[tokio::test]
async fn security_21_6_a_flood_naming_a_grant_from_elsewhere_is_counted_not_logged() {
    let api = Api::start().await;
    let named = format!("{SHRIMP}/{}", api.credentials.ap_id);
    let api = &api;
    let router = &api.portal.app.router;
    // Each of a burst of calls from an address not the grant's, whatever its token.
    let burst = |from: &'static str| {
        futures_util::future::join_all((0..100).map(move |_| async move {
            let bearer = format!("Bearer {}", api.token(&wang_current()));
            send(router, Some(&bearer), from).await.1["rdCode"].clone()
        }))
    };
    let answers = burst("198.51.100.7").await;
    assert!(answers.iter().all(|code| code == "HJ4030"), "{answers:?}");
    assert_eq!(
        api.portal.app.refused_calls().await,
        [(
            "verification".to_owned(),
            named.clone(),
            "HJ4030".to_owned(),
            100,
            1
        )]
    );
    // Counted again on top, in the same row of the hour, with the latest address; a count
    // of an earlier moment written after it adds to the row but leaves the latest address.
    api.portal.app.clock.advance(chrono::Duration::seconds(10));
    burst("198.51.100.8").await;
    api.portal.app.verify.flush().await;
    api.portal.app.clock.advance(chrono::Duration::seconds(-5));
    send(
        router,
        Some(&format!("Bearer {}", api.token(&wang_current()))),
        "198.51.100.9",
    )
    .await;
    assert_eq!(
        api.portal.app.refused_calls().await,
        [(
            "verification".to_owned(),
            named,
            "HJ4030".to_owned(),
            201,
            1
        )]
    );
    let last: String = sqlx::query_scalar("SELECT last_source FROM refused_calls")
        .fetch_one(&api.portal.app.test_db.db.pool)
        .await
        .expect("row");
    assert_eq!(last, "198.51.100.8");
    assert!(api.logged_calls().await.is_empty());
    // The company's own call still answers and is logged.
    assert_eq!(api.verdict(&wang_current()).await, "1");
    assert_eq!(api.logged_calls().await.len(), 1);
}

#[tokio::test]
async fn security_21_6_servers_add_their_counts_of_refused_calls_into_one_row_a_key() {
    let api = Api::start().await;
    let (second, second_api) = second_server_and_api(&api, &settings()).await;
    let forged = api.forged();
    let now = api.portal.now();
    let forged_token = token(&forged, "u", &wang_current(), now, "forged").expect("token");
    let forged_bearer = format!("Bearer {forged_token}");
    let servers = [&api.portal.app.router, &second];
    for _ in 0..3 {
        // On each server at once: calls from elsewhere and forged calls from the grant's own
        // address, two keys each; then both servers write their counts at once.
        let calls = servers.iter().flat_map(|server| {
            (0..20).flat_map(|_| [(*server, "198.51.100.7"), (*server, REGISTERED_IP)])
        });
        let answers = futures_util::future::join_all(
            calls.map(|(server, from)| send(server, Some(&forged_bearer), from)),
        )
        .await;
        assert!(answers
            .iter()
            .all(|(_, answer)| answer["rdCode"] == "HJ4030" || answer["rdCode"] == "HJ4002"));
        futures_util::future::join(api.portal.app.verify.flush(), second_api.flush()).await;
    }
    let named = format!("{SHRIMP}/{}", api.credentials.ap_id);
    let counted = |code: &str| {
        (
            "verification".to_owned(),
            named.clone(),
            code.to_owned(),
            120,
            1,
        )
    };
    assert_eq!(
        api.portal.app.refused_calls().await,
        [counted("HJ4002"), counted("HJ4030")]
    );
}

#[tokio::test]
async fn a_11_the_connection_test_passes_the_same_checks_and_verifies_nothing() {
    let api = Api::start().await;
    let token = api.token(&wang_current());
    let bearer = format!("Bearer {token}");
    let (status, answer) = api.connection_test_from(Some(&bearer), REGISTERED_IP).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer,
        serde_json::json!({
            "httpCode": "200",
            "httpMessage": "OK",
            "rdCode": "HJ2000",
            "rdMessage": "連線測試成功（未查驗任何資料）",
            "responseData": {}
        })
    );
    // The same checks as a verification: the token is used now, for either endpoint.
    assert_eq!(api.rd_code(&token).await, "HJ4004");
    let (_, replayed) = api.connection_test_from(Some(&bearer), REGISTERED_IP).await;
    assert_eq!(replayed["rdCode"], "HJ4004");
    let fresh = format!("Bearer {}", api.token(&wang_current()));
    let (status, elsewhere) = api.connection_test_from(Some(&fresh), "127.0.0.116").await;
    assert_eq!(
        (status, &elsewhere["rdCode"]),
        (StatusCode::FORBIDDEN, &"HJ4030".into())
    );
    let (status, anonymous) = api.connection_test_from(None, REGISTERED_IP).await;
    assert_eq!(
        (status, &anonymous["rdCode"]),
        (StatusCode::UNAUTHORIZED, &"HJ4001".into())
    );
    // Recorded, without an ID number's hash, and not a use of the grant (A-N8); the call
    // from elsewhere is only counted, and the anonymous one names no company.
    let logged = api.logged_calls().await;
    assert_eq!(logged.first(), Some(&("HJ2000".to_owned(), None, None)));
    assert_eq!(logged.len(), 3, "{logged:?}");
    let refused = api.portal.app.refused_calls().await;
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!((refused[0].2.as_str(), refused[0].3), ("HJ4030", 1));
    assert_eq!(api.last_used().await, None);
    // Nothing was counted against 王小明's ID number.
    assert_eq!(api.verdict(&wang_current()).await, "1");
}

#[tokio::test]
async fn a_11_the_openapi_document_describes_the_api_as_served() {
    let app = crate::support::spawn_app().await;
    let response = app.get("/integration/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let document: serde_json::Value =
        serde_json::from_str(&body_text(response).await).expect("JSON");
    assert!(document["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.1")));
    let operation = &document["paths"]["/integration/rwv2c2/"]["get"];
    assert_eq!(operation["security"][0]["bearerJwt"], serde_json::json!([]));
    for status in ["200", "400", "401", "403", "429", "503"] {
        assert!(operation["responses"][status].is_object(), "{status}");
    }
    assert!(operation["responses"]["429"]["headers"]["Retry-After"].is_object());
    let test = &document["paths"]["/integration/rwv2c2/connection-test"]["get"];
    assert_eq!(test["security"][0]["bearerJwt"], serde_json::json!([]));
    for status in ["200", "401", "403", "429", "503"] {
        assert!(test["responses"][status].is_object(), "{status}");
    }
    assert_eq!(
        document["components"]["securitySchemes"]["bearerJwt"]["scheme"],
        "bearer"
    );
    let answer = &document["components"]["schemas"]["VerificationAnswer"];
    for field in [
        "httpCode",
        "httpMessage",
        "rdCode",
        "rdMessage",
        "responseData",
    ] {
        assert!(answer["properties"][field].is_object(), "{field}");
    }
}

#[tokio::test]
async fn a_11_a_token_sent_twenty_times_at_once_is_answered_once() {
    let api = Api::start().await;
    let token = format!("Bearer {}", api.token(&wang_current()));
    let answers = futures_util::future::join_all(
        (0..20).map(|_| send(&api.portal.app.router, Some(&token), REGISTERED_IP)),
    )
    .await;
    let codes: Vec<&str> = answers
        .iter()
        .map(|(_, answer)| answer["rdCode"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        codes.iter().filter(|code| **code == "RS7009").count(),
        1,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|code| **code == "HJ4004").count(),
        19,
        "{codes:?}"
    );
}

#[tokio::test]
async fn a_11_an_invalid_querys_token_is_spent_and_each_call_logged_once() {
    let api = Api::start().await;
    let invalid = api.token(&Query {
        apply_code: "9".into(),
        ..wang_current()
    });
    assert_eq!(api.rd_code(&invalid).await, "RS3822");
    assert_eq!(api.rd_code(&invalid).await, "HJ4004");
    let logged: Vec<_> = api
        .logged_calls()
        .await
        .into_iter()
        .map(|(code, verdict, id_hash)| (code, verdict.is_some() || id_hash.is_some()))
        .collect();
    assert_eq!(
        logged,
        [("RS3822".to_owned(), false), ("HJ4004".to_owned(), false)]
    );
    assert_eq!(
        api.last_used().await,
        Some(api.portal.now()),
        "A-N8: a query asked is a use"
    );
}

/// A wrong guess's token replayed at once to two servers: the replays are refused in the
/// transaction that compares the first use, so one comparison fails and is counted, not twenty.
#[tokio::test]
async fn a_11_a_n6_a_token_replayed_to_two_servers_at_once_is_compared_once() {
    let api = Api::start().await;
    let second = second_server(&api, &settings()).await;
    let servers = [&api.portal.app.router, &second];
    let wrong = wang_wrong_place();
    let token = format!("Bearer {}", api.token(&wrong));
    let held = hold_calls(&api.portal.app.test_db.db).await;
    let (answers, ()) = tokio::join!(
        futures_util::future::join_all((0..20).map(|n| send(
            servers[n % 2],
            Some(&token),
            REGISTERED_IP
        ))),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            held.rollback().await.expect("let the calls go");
        }
    );
    let mut codes: Vec<&str> = answers
        .iter()
        .map(|(_, answer)| answer["rdCode"].as_str().unwrap_or("?"))
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, [&["HJ4004"; 19][..], &["RS7009"]].concat());
    assert_eq!(verdicts(&answers).iter().filter(|v| **v == "2").count(), 1);
    let failures: Vec<i64> = sqlx::query_scalar("SELECT failures FROM verification_failures")
        .fetch_all(&api.portal.app.test_db.db.pool)
        .await
        .expect("counts");
    assert_eq!(failures, [1]);
    // Each call is in the log once, as it was answered; only the compared one names the ID.
    let logged = api.logged_calls().await;
    assert_eq!(logged.len(), 20);
    let compared: Vec<_> = logged
        .iter()
        .filter(|(code, ..)| code == "RS7009")
        .collect();
    assert_eq!(compared.len(), 1);
    assert_eq!(compared[0].1.as_deref(), Some("2"));
    assert!(logged
        .iter()
        .filter(|(code, ..)| code == "HJ4004")
        .all(|(_, verdict, id_hash)| verdict.is_none() && id_hash.is_none()));
}

/// Calls about several people decided in one batch, a replay among them: every other call is
/// compared with its own person's record (A-N1), and only first uses are counted (A-N6).
#[tokio::test]
async fn a_n6_a_replay_in_a_batch_leaves_each_other_call_compared_with_its_own_person() {
    let api = Api::start().await;
    let router = &api.portal.app.router;
    let people = strangers(3);
    let spent = format!("Bearer {}", api.token(&people[0]));
    assert_eq!(
        send(router, Some(&spent), REGISTERED_IP).await.1["rdCode"],
        "RS7009"
    );
    // The first call waits alone in its batch for the held lock; the others, sent meanwhile,
    // the replay first, are decided together in the next.
    let calls = [
        (0, format!("Bearer {}", api.token(&people[1]))),
        (100, spent),
        (200, format!("Bearer {}", api.token(&wang_current()))),
        (200, format!("Bearer {}", api.token(&people[2]))),
    ];
    let held = hold_calls(&api.portal.app.test_db.db).await;
    let (answers, ()) = tokio::join!(
        futures_util::future::join_all(calls.iter().map(|(after, token)| async move {
            tokio::time::sleep(std::time::Duration::from_millis(*after)).await;
            send(router, Some(token), REGISTERED_IP).await
        })),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            held.rollback().await.expect("let the calls go");
        }
    );
    let codes: Vec<&str> = answers
        .iter()
        .map(|(_, answer)| answer["rdCode"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(codes, ["RS7009", "HJ4004", "RS7009", "RS7009"]);
    let verdict = |n: usize| answers[n].1["responseData"]["checkIdCardApply"].clone();
    assert_eq!(verdict(0), "2");
    assert_eq!(
        verdict(2),
        "1",
        "王小明's own card, compared with his record"
    );
    assert_eq!(verdict(3), "2");
    // One failure for each stranger asked, the replayed one's counted at its first use only.
    let failures: Vec<i64> = sqlx::query_scalar("SELECT failures FROM verification_failures")
        .fetch_all(&api.portal.app.test_db.db.pool)
        .await
        .expect("counts");
    assert_eq!(failures, [1, 1, 1]);
}

#[tokio::test]
async fn f_8_a_citizen_reads_every_verification_of_their_id_card() {
    use crate::api_service::SHRIMP_NAME;
    let api = Api::start().await;
    assert_eq!(api.verdict(&wang_current()).await, "1");
    // The page reads the calls the person's index holds and those it has not copied yet.
    let copied =
        app::services::id_usage::index::catch_up(&api.portal.app.test_db.db, api.portal.now())
            .await
            .expect("the index job");
    assert_eq!(copied, 1);
    assert_eq!(api.verdict(&wang_superseded()).await, "2");
    // A refusal before the token was read names no one.
    api.call_from(None, REGISTERED_IP).await;
    api.portal.app.verify.flush().await;

    let portal = &api.portal;
    let card = portal
        .recorded_citizen_card("王小明", "A123456789", "TP03000000012345")
        .await;
    let cookie = portal.session("Citizen", "", &card).await;
    let html = body_text(
        portal
            .page(app::services::id_usage::PATH, Some(&cookie))
            .await,
    )
    .await;
    let company = format!("{SHRIMP_NAME}（統一編號 {SHRIMP}）");
    assert_eq!(html.matches(&company).count(), 2, "{html}");
    // Newest first: the mismatch, then the match.
    let mismatch = html.find("資料不符").expect("the mismatch");
    let matched = html.find("資料相符").expect("the match");
    assert!(mismatch < matched, "{html}");
    let now = app::platform::clock::roc_date_time(portal.now());
    assert!(html.contains(&now), "{now}: {html}");
}

/// The rows of the call log, read straight from the database: nothing flushed first.
async fn stored_calls(api: &Api) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM api_calls")
        .fetch_one(&api.portal.app.test_db.db.pool)
        .await
        .expect("count")
}

/// Issue 22 item 1: a call's answer leaves the server only once its row is committed, so a
/// crash right after the answer loses nothing; a call whose row cannot be written is answered
/// unavailable, not answered and forgotten, and its comparison is not kept either.
#[tokio::test]
async fn f_8_a_calls_answer_leaves_only_once_its_row_is_written() {
    let api = Api::start().await;
    assert_eq!(api.verdict(&wang_current()).await, "1");
    assert_eq!(
        stored_calls(&api).await,
        1,
        "the row is there with the answer"
    );

    // The database stops taking rows of the call log.
    let db = &api.portal.app.test_db.db;
    refuse_rows(db, "api_calls", "true").await;
    let (status, answer) = api.call(&api.token(&wang_current())).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(answer["rdCode"], "HJ5000");
    // No verdict leaves without its row.
    assert_eq!(answer["responseData"], serde_json::json!({}));
    assert_eq!(stored_calls(&api).await, 1);
    // Nor is a comparison kept without it: a wrong card whose row was refused counts no
    // failure of the ID number (A-N6).
    let (status, _) = api.call(&api.token(&wang_superseded())).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let failures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM verification_failures")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(failures, 0, "the comparison went with its row");

    // Taken again, the next call is answered and logged.
    accept_rows(db, "api_calls").await;
    assert_eq!(api.verdict(&wang_current()).await, "1");
    assert_eq!(stored_calls(&api).await, 2);
}

/// Issue 22 item 1: the call log is append-only like the audit log; the purge removes a call
/// only after its five years, and the database itself refuses to remove a younger one.
#[tokio::test]
async fn f_8_the_call_log_is_append_only_and_kept_five_years() {
    let api = Api::start().await;
    let db = &api.portal.app.test_db.db;
    let pool = &db.pool;
    // The database's clock is the real one: rows an hour either side of the retention by it.
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let retention = server::verify::CALL_LOG_RETENTION;
    assert_eq!(retention, 1_827 * 86_400, "five years with two leap days");
    for (user, at) in [
        ("old", today - retention - 3_600),
        ("young", today - retention + 3_600),
    ] {
        sqlx::query(
            "INSERT INTO api_calls (business_id, ap_id, user_id, called_at, source_ip, \
             rd_code, latency_us, signed) VALUES ($1, 'ap', $2, $3, '127.0.0.1', 'RS7009', 1, 1)",
        )
        .bind(SHRIMP)
        .bind(user)
        .bind(at)
        .execute(pool)
        .await
        .expect("insert");
    }
    let mut changes = vec![
        ("UPDATE api_calls SET rd_code = 'HJ4004'", "append-only"),
        (
            "DELETE FROM api_calls WHERE user_id = 'young'",
            "kept for five years",
        ),
        ("DELETE FROM api_calls", "kept for five years"),
    ];
    if db.backend == app::platform::db::Backend::Postgres {
        changes.push(("TRUNCATE api_calls", "append-only"));
    }
    for (change, refusal) in changes {
        let error = sqlx::query(change).execute(pool).await.unwrap_err();
        assert!(error.to_string().contains(refusal), "{change}: {error}");
    }
    assert_eq!(stored_calls(&api).await, 2);

    // The portal's clock is not the one that counts: ten years ahead, it purges no sooner.
    server::verify::purge_expired(db, today + 10 * 365 * 86_400)
        .await
        .expect("purge");
    let kept: Vec<String> = sqlx::query_scalar("SELECT user_id FROM api_calls")
        .fetch_all(pool)
        .await
        .expect("kept");
    assert_eq!(kept, ["young"]);
}

/// Issue 22 item 1: one call whose row the database refuses fails its own answer, not the
/// others written in the same batch; an operator id the database could not store (NUL on
/// PostgreSQL) is kept without its control characters.
#[tokio::test]
async fn f_8_a_row_the_database_refuses_fails_its_own_call_only() {
    let api = Api::start().await;
    let pool = &api.portal.app.test_db.db.pool;
    refuse_rows(
        &api.portal.app.test_db.db,
        "api_calls",
        "NEW.user_id = 'bad'",
    )
    .await;
    let signed = |user: &str| {
        token(
            &api.credentials,
            user,
            &wang_current(),
            api.portal.now(),
            &api.next_jti(),
        )
        .expect("token")
    };
    // Thirty calls at once, so that they share batches: one of them is the refused one.
    let users: Vec<String> = (0..30)
        .map(|n| match n {
            7 => "bad".to_owned(),
            13 => "clerk\u{0}-13\u{7}".to_owned(),
            n => format!("clerk-{n}"),
        })
        .collect();
    let tokens: Vec<String> = users.iter().map(|user| signed(user)).collect();
    let answers = futures_util::future::join_all(tokens.iter().map(|token| api.call(token))).await;
    for (user, (status, answer)) in users.iter().zip(&answers) {
        if user == "bad" {
            assert_eq!(status, &StatusCode::SERVICE_UNAVAILABLE, "{answer}");
        } else {
            assert_eq!(status, &StatusCode::OK, "{user:?}: {answer}");
        }
    }
    let logged: Vec<String> = sqlx::query_scalar("SELECT user_id FROM api_calls")
        .fetch_all(pool)
        .await
        .expect("logged");
    assert_eq!(logged.len(), 29);
    assert!(logged.iter().any(|user| user == "clerk-13"), "{logged:?}");
    assert!(!logged.iter().any(|user| user == "bad"));
}

/// A method the endpoints do not answer is refused before the token is read: the token is not
/// spent and no answer the endpoint never gave is logged. HEAD too, whose verdict nobody reads.
#[tokio::test]
async fn a_11_another_method_than_get_is_refused_before_the_token_is_read() {
    use tower::ServiceExt;
    let api = Api::start().await;
    let token = api.token(&wang_current());
    for method in ["OPTIONS", "HEAD", "POST"] {
        let mut request =
            verification_request(VERIFY, Some(&format!("Bearer {token}")), REGISTERED_IP, &[]);
        *request.method_mut() = method.parse().expect("method");
        let answer = api
            .portal
            .app
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("answer");
        if method == "POST" {
            // The portal's cross-site check refuses a state-changing method even earlier.
            assert_eq!(answer.status(), StatusCode::FORBIDDEN);
        } else {
            assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
            assert_eq!(answer.headers()[header::ALLOW], "GET", "{method}");
        }
    }
    assert_eq!(stored_calls(&api).await, 0);
    let (status, answer) = api.call(&token).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the token is still unspent: {answer}"
    );
}
