//! The linked-agency API through the real router (SPEC L-16 … L-20, issue 18 item 6): a case
//! carried through its steps on the pages, then called by the agency's system from its
//! assigned address with its 密碼表 and, where keys were exchanged, a JWT signed with its
//! certificate's key: the connection test takes step 18 on the test day, and after go-live a
//! person query answers the approved items only.

use crate::agency_link_flow::{
    approve_keys, case_page, connect, file_for, parties, password_table_shown, post, register,
    review, schedule_test, steps_done, take, take_steps, Parties, TAIPEI_POLICE,
};
use crate::support::{body_text, Portal};
use app::services::agency_link::addresses;
use app::services::agency_link::cases::Step;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use server::link::client::{token, AgencyCredentials};
use server::link::{Operation, PASSWORD_HEADER, USER_HEADER};

const TEST: &str = "/integration/agency/v1/connection-test";
const QUERY: &str = "/integration/agency/v1/person-query";

/// A case at its connection test (steps 1–17 done), and what its agency's system holds.
struct Linked {
    portal: Portal,
    who: Parties,
    id: String,
    user: String,
    password: String,
    /// An address in the case's assigned server subnet.
    source: String,
    /// The Iss key and the certificate's key, on a case that exchanged keys.
    credentials: Option<AgencyCredentials>,
    /// The certificate's private key (PEM), on a case that exchanged keys.
    key_pem: Option<String>,
    jti: std::sync::atomic::AtomicU32,
}

/// Steps 1–17 of a household-data case for `interface` on the pages, the test scheduled at
/// `test_at` (ROC date-time), the keys exchanged (11–14) unless it is a 連結介面.
async fn linked(interface: &str, test_at: &str) -> Linked {
    let portal = Portal::start().await;
    let who = parties(&portal).await;
    let id = file_for(&portal, &who.agency, interface, "203.0.113.0/28").await;
    review(&portal, &who, &id).await;
    let (user, password) = password_table_shown(&register(&portal, &who, &id).await);
    connect(&portal, &who, &id).await;
    let (credentials, key_pem) = if interface == "link_vpn" {
        (None, None)
    } else {
        let (credentials, key_pem) = exchange_keys(&portal, &who, &id, &user).await;
        (Some(credentials), Some(key_pem))
    };
    schedule_test(&portal, &who, &id, test_at).await;
    let mut conn = portal.app.test_db.db.pool.acquire().await.expect("conn");
    let server = addresses::allocation(&mut conn, &id)
        .await
        .expect("allocation")
        .expect("assigned")
        .server;
    let source = server.hosts().next().expect("a host").to_string();
    drop(conn);
    Linked {
        portal,
        who,
        id,
        user,
        password,
        source,
        credentials,
        key_pem,
        jti: std::sync::atomic::AtomicU32::new(0),
    }
}

/// Steps 11–14 of case `id` as the parties take them on their pages: the agency hands over
/// the 機關憑證 (GCA) its system signs with, and reads on its case page the Iss key
/// 資訊服務司 issued. What the system of user `user` then holds, and the certificate's
/// private key (PEM).
async fn exchange_keys(
    portal: &Portal,
    who: &Parties,
    id: &str,
    user: &str,
) -> (AgencyCredentials, String) {
    let certificate = portal.agency_card(TAIPEI_POLICE, "臺北市政府警察局");
    take(
        portal,
        &who.agency,
        true,
        id,
        Step::S11AgencyKey,
        &[("certificate", &certificate.certificate_pem)],
    )
    .await;
    approve_keys(portal, who, id).await;
    let iss_key = case_page(portal, &who.agency, true, id)
        .await
        .text(".iss-key");
    let key_pem = certificate.private_key_pem.expect("the key");
    let credentials = AgencyCredentials::new(user, &iss_key, &key_pem).expect("credentials");
    (credentials, key_pem)
}

/// A call as the agency's system makes it; each part can be changed.
struct Call<'a> {
    path: &'a str,
    source: String,
    user: String,
    password: String,
    bearer: Option<String>,
    body: String,
}

impl Linked {
    fn next_jti(&self) -> String {
        let n = self.jti.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("link-jti-{n}")
    }

    /// A valid token for `operation`, made now.
    fn token(&self, operation: Operation) -> Option<String> {
        self.credentials.as_ref().map(|credentials| {
            token(credentials, operation, self.portal.now(), &self.next_jti()).expect("token")
        })
    }

    /// A call of `operation` that passes every check of the caller.
    fn call(&self, operation: Operation) -> Call<'static> {
        Call {
            path: match operation {
                Operation::ConnectionTest => TEST,
                Operation::PersonQuery => QUERY,
            },
            source: self.source.clone(),
            user: self.user.clone(),
            password: self.password.clone(),
            bearer: self.token(operation),
            body: match operation {
                Operation::ConnectionTest => String::new(),
                Operation::PersonQuery => r#"{"personId":"A123456789"}"#.into(),
            },
        }
    }

    /// Sends `call`; the status and the answer's JSON.
    async fn send(&self, call: Call<'_>) -> (StatusCode, serde_json::Value) {
        let response = self.respond(call).await;
        let status = response.status();
        let text = body_text(response).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON: {text}")),
        )
    }

    /// Sends `call`; the response as it is.
    async fn respond(&self, call: Call<'_>) -> axum::response::Response {
        self.portal.app.send(request(call)).await
    }

    async fn code(&self, call: Call<'_>) -> String {
        let (_, answer) = self.send(call).await;
        answer["code"].as_str().expect("a code").to_owned()
    }

    /// The code another server (`router`, on the same database) answers `call` with.
    async fn code_on(&self, router: &axum::Router, call: Call<'_>) -> String {
        use tower::ServiceExt;
        let response = router.clone().oneshot(request(call)).await.expect("answer");
        let answer: serde_json::Value =
            serde_json::from_str(&body_text(response).await).expect("JSON");
        answer["code"].as_str().expect("a code").to_owned()
    }

    async fn steps_done(&self) -> Vec<String> {
        steps_done(&self.portal, &self.id).await
    }

    /// The case's timeline as the agency's page shows it.
    async fn timeline(&self) -> Vec<String> {
        case_page(&self.portal, &self.who.agency, true, &self.id)
            .await
            .texts(".timeline li")
    }

    /// The call log: (case, operation, outcome, id hash), oldest first.
    async fn calls(&self) -> Vec<(Option<String>, String, String, Option<String>)> {
        sqlx::query_as(
            "SELECT link_id, operation, outcome, id_hash FROM agency_link_calls ORDER BY id",
        )
        .fetch_all(&self.portal.app.test_db.db.pool)
        .await
        .expect("calls")
    }
}

/// `call` as the agency's system sends it, from its address.
fn request(call: Call<'_>) -> Request<Body> {
    let mut request = Request::post(call.path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(USER_HEADER, call.user)
        .header(PASSWORD_HEADER, call.password);
    if let Some(bearer) = call.bearer {
        request = request.header(header::AUTHORIZATION, format!("Bearer {bearer}"));
    }
    let mut request = request.body(Body::from(call.body)).expect("request");
    let peer: std::net::SocketAddr = format!("{}:40000", call.source).parse().expect("peer");
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

/// The test day of every case here: the day of the test clock (112/11/17).
const TODAY: &str = "112/11/17 10:00:00";

#[tokio::test]
async fn l_18_a_signed_test_call_on_the_test_day_takes_step_18() {
    let link = linked("api_vpn", TODAY).await;
    // A wrong password first: refused, and the case says why.
    let mut wrong = link.call(Operation::ConnectionTest);
    wrong.password = "WrongPassword2345678".into();
    assert_eq!(link.code(wrong).await, "HJL4011");
    assert!(!link.steps_done().await.contains(&"s18".to_owned()));

    let (status, answer) = link.send(link.call(Operation::ConnectionTest)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["code"], "HJL2000");
    assert!(link.steps_done().await.contains(&"s18".to_owned()));
    let passed: Option<i64> =
        sqlx::query_scalar("SELECT test_passed_at FROM agency_links WHERE id = $1")
            .bind(&link.id)
            .fetch_one(&link.portal.app.test_db.db.pool)
            .await
            .expect("case");
    assert_eq!(passed, Some(link.portal.now()));
    let timeline = link.timeline().await;
    assert!(
        timeline
            .iter()
            .any(|entry| entry.contains("連結測試未通過") && entry.contains("HJL4011")),
        "{timeline:?}"
    );
    assert!(
        timeline
            .iter()
            .any(|entry| entry.contains("18. 申請機關進行連結測試")),
        "{timeline:?}"
    );
    let actions = link.portal.audit_actions().await;
    assert!(actions.contains(&(
        format!("agency:{TAIPEI_POLICE}"),
        "agency_link.case.s18".into()
    )));

    // Step 18 is done: another test call takes nothing.
    assert_eq!(
        link.code(link.call(Operation::ConnectionTest)).await,
        "HJL4090"
    );
    let calls = link.calls().await;
    assert_eq!(calls.len(), 2);
    assert!(calls
        .iter()
        .all(
            |(case, operation, _, id_hash)| case.as_deref() == Some(link.id.as_str())
                && operation == "connection_test"
                && id_hash.is_none()
        ));
    let outcomes: Vec<&str> = calls.iter().map(|call| call.2.as_str()).collect();
    assert_eq!(outcomes, ["HJL2000", "HJL4090"]);
    // The wrong password, before the 密碼表 proved anyone: counted under the case.
    assert_eq!(
        link.portal.app.refused_calls().await,
        [(
            "agency-link".to_owned(),
            link.id.clone(),
            "HJL4011".to_owned(),
            1,
            1
        )]
    );
}

#[tokio::test]
async fn l_16_a_test_call_on_another_day_is_refused_and_noted() {
    let link = linked("link_vpn", "112/11/20 10:00:00").await;
    assert_eq!(
        link.code(link.call(Operation::ConnectionTest)).await,
        "HJL4090"
    );
    assert!(!link.steps_done().await.contains(&"s18".to_owned()));
    let timeline = link.timeline().await;
    assert!(
        timeline.iter().any(|entry| entry.contains("HJL4090")),
        "{timeline:?}"
    );
    // On the day it passes, by address and 密碼表 (連結介面 exchanges no keys).
    link.portal.app.clock.advance(chrono::Duration::days(3));
    assert_eq!(
        link.code(link.call(Operation::ConnectionTest)).await,
        "HJL2000"
    );
    assert!(link.steps_done().await.contains(&"s18".to_owned()));
}

#[tokio::test]
async fn l_18_a_caller_is_refused_without_the_address_password_key_or_a_fresh_token() {
    let link = linked("api_vpn", TODAY).await;
    let op = Operation::ConnectionTest;

    let mut elsewhere = link.call(op);
    elsewhere.source = "198.51.100.9".into();
    let mut stranger = link.call(op);
    stranger.user = format!("{TAIPEI_POLICE}-ZZZZZZZZ");
    let (status, from_elsewhere) = link.send(elsewhere).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, unknown) = link.send(stranger).await;
    assert_eq!(from_elsewhere, unknown, "a stranger learns nothing");
    assert_eq!(unknown["code"], "HJL4030");

    let mut no_password = link.call(op);
    no_password.password = String::new();
    assert_eq!(link.code(no_password).await, "HJL4010");
    let mut no_token = link.call(op);
    no_token.bearer = None;
    assert_eq!(link.code(no_token).await, "HJL4012");

    let credentials = link.credentials.as_ref().expect("keys");
    let now = link.portal.now();
    let sign = |iss: &str, key: &str, operation: Operation| {
        let other = AgencyCredentials::new(&link.user, iss, key).expect("credentials");
        token(&other, operation, now, &link.next_jti()).expect("token")
    };
    let own_key = link.key_pem.clone().expect("keys");
    let mut wrong_iss = link.call(op);
    wrong_iss.bearer = Some(sign("NotTheIssKeyOfThisCase0000000000", &own_key, op));
    assert_eq!(link.code(wrong_iss).await, "HJL4015");
    let mut wrong_op = link.call(op);
    wrong_op.bearer = Some(sign(&credentials.iss_key, &own_key, Operation::PersonQuery));
    assert_eq!(link.code(wrong_op).await, "HJL4015");
    let stranger_card = link.portal.agency_card(TAIPEI_POLICE, "臺北市政府警察局");
    let mut other_key = link.call(op);
    other_key.bearer = Some(sign(
        &credentials.iss_key,
        stranger_card.private_key_pem.as_deref().expect("key"),
        op,
    ));
    assert_eq!(link.code(other_key).await, "HJL4013");
    let mut no_iss = link.call(op);
    no_iss.bearer = Some(token_without_iss(&own_key, now));
    assert_eq!(link.code(no_iss).await, "HJL4012");
    let mut stale = link.call(op);
    stale.bearer = Some(token(credentials, op, now - 3_600, &link.next_jti()).expect("token"));
    assert_eq!(link.code(stale).await, "HJL4014");

    // Step 18 is not taken by any of them; a valid call is, once; its token replayed is not.
    assert!(!link.steps_done().await.contains(&"s18".to_owned()));
    let call = link.call(op);
    let replay = Call {
        bearer: call.bearer.clone(),
        ..link.call(op)
    };
    assert_eq!(link.code(call).await, "HJL2000");
    assert_eq!(link.code(replay).await, "HJL4016");

    // Every call the 密碼表 proved is in the log. The three before are only counted: the one
    // from elsewhere under its case, the others under no one (issue 21 item 6).
    let calls = link.calls().await;
    assert_eq!(calls.len(), 8);
    assert!(calls
        .iter()
        .all(|call| call.0.as_deref() == Some(link.id.as_str())));
    let refused = |named: &str, code: &str| {
        (
            "agency-link".to_owned(),
            named.to_owned(),
            code.to_owned(),
            1,
            1,
        )
    };
    assert_eq!(
        link.portal.app.refused_calls().await,
        [
            refused("", "HJL4010"),
            refused("", "HJL4030"),
            refused(&link.id, "HJL4030"),
        ]
    );
}

/// A token signed with `key` whose claims name no Iss key.
fn token_without_iss(key: &str, now: i64) -> String {
    let claims = serde_json::json!({
        "sub": "anyone", "op": "connection_test", "iat": now, "exp": now + 60, "jti": "no-iss",
    });
    let key = server::verify::client::signing_key(key).expect("key");
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &key,
    )
    .expect("token")
}

#[tokio::test]
async fn l_18_a_burst_of_wrong_passwords_reaches_the_check_five_times_then_locks() {
    let link = linked("link_vpn", TODAY).await;
    let guesses = (0..12).map(|n| {
        let mut call = link.call(Operation::ConnectionTest);
        call.password = format!("Guess{n:015}");
        link.code(call)
    });
    let codes = futures_util::future::join_all(guesses).await;
    let wrong = codes.iter().filter(|code| *code == "HJL4011").count();
    let locked = codes.iter().filter(|code| *code == "HJL4290").count();
    assert_eq!((wrong, locked), (5, 7), "{codes:?}");
    // Locked: even the right password is not checked until the lockout ends.
    assert_eq!(
        link.code(link.call(Operation::ConnectionTest)).await,
        "HJL4290"
    );
    link.portal.app.clock.advance(chrono::Duration::minutes(15));
    assert_eq!(
        link.code(link.call(Operation::ConnectionTest)).await,
        "HJL2000"
    );
}

/// The lockout is one across the servers behind a load balancer (issue 21, the per-process
/// gap): each server verifies the right password once and gives its attempt back, then a
/// burst of wrong guesses spread over both reaches argon2 five times in all.
#[tokio::test]
async fn l_18_the_lockout_holds_across_servers_and_a_right_password_gives_its_attempt_back() {
    let link = linked("link_vpn", TODAY).await;
    let other = link
        .portal
        .server_with(&server::verify::Settings::default(), |_| {});
    assert_eq!(
        link.code(link.call(Operation::ConnectionTest)).await,
        "HJL2000"
    );
    // Step 18 is taken now: the other server passes the password and then says "not now".
    assert_eq!(
        link.code_on(&other, link.call(Operation::ConnectionTest))
            .await,
        "HJL4090"
    );
    let guess = |n: usize| {
        let mut call = link.call(Operation::ConnectionTest);
        call.password = format!("Guess{n:015}");
        call
    };
    let here = (0..6).map(|n| link.code(guess(n)));
    let there = (6..12).map(|n| link.code_on(&other, guess(n)));
    let (here, there) = futures_util::future::join(
        futures_util::future::join_all(here),
        futures_util::future::join_all(there),
    )
    .await;
    let codes: Vec<String> = here.into_iter().chain(there).collect();
    let wrong = codes.iter().filter(|code| *code == "HJL4011").count();
    let locked = codes.iter().filter(|code| *code == "HJL4290").count();
    assert_eq!((wrong, locked), (5, 7), "{codes:?}");
}

#[tokio::test]
async fn l_20_after_go_live_a_person_query_answers_the_approved_items_only() {
    let link = linked("link_vpn", TODAY).await;
    // Before go-live: refused.
    assert_eq!(
        link.code(link.call(Operation::PersonQuery)).await,
        "HJL4091"
    );
    assert_eq!(
        link.code(link.call(Operation::ConnectionTest)).await,
        "HJL2000"
    );
    let live = [Step::S19AgencyLive, Step::S20CountyLive];
    take_steps(&link.portal, &link.who, &link.id, &live).await;

    let (status, answer) = link.send(link.call(Operation::PersonQuery)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["code"], "HJL2001");
    // The case asked for the ID number and the name: nothing else comes back.
    assert_eq!(
        answer["data"],
        serde_json::json!({"household.national_id": "A123456789", "household.name": "王小明"})
    );
    let mut unknown = link.call(Operation::PersonQuery);
    unknown.body = r#"{"personId":"B123456780"}"#.into();
    assert_eq!(link.code(unknown).await, "HJL4040");
    for bad in [
        r#"{"personId":"A123456788"}"#,
        "{}",
        "not json",
        r#"{"personId":"A123456789","x":1}"#,
    ] {
        let mut invalid = link.call(Operation::PersonQuery);
        invalid.body = bad.into();
        assert_eq!(link.code(invalid).await, "HJL4000", "{bad}");
    }
    // A body past the limit, sent without a length: cut off there and answered 413
    // (issue 21 item 2), never read as a query.
    let mut oversized = link.call(Operation::PersonQuery);
    oversized.body = format!(
        r#"{{"personId":"A123456789","x":"{}"}}"#,
        "a".repeat(server::web::limits::INTEGRATION_API)
    );
    let response = link.respond(oversized).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body_text(response).await.contains("KiB"));
    let mut elsewhere = link.call(Operation::PersonQuery);
    elsewhere.source = "203.0.113.3".into();
    assert_eq!(
        link.code(elsewhere).await,
        "HJL4030",
        "not from the filed host over the VPN"
    );

    // Every call logged; the ID number only as its keyed hash.
    let calls = link.calls().await;
    let hash = id_hash("A123456789");
    let queries: Vec<_> = calls
        .iter()
        .filter(|call| call.1 == "person_query" && call.2 == "HJL2001")
        .collect();
    assert_eq!(queries.len(), 1);
    assert_eq!(queries[0].3.as_deref(), Some(hash.as_str()));
    let stored: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM agency_link_calls WHERE id_hash LIKE '%A123456789%' \
         OR source_ip LIKE '%A123456789%'",
    )
    .fetch_one(&link.portal.app.test_db.db.pool)
    .await
    .expect("count");
    assert_eq!(stored, 0);

    // F-8, issue 20 item 18: 王小明 reads which agency queried him and what it was given; the
    // query for an unknown number and the refused calls are not his. The calls are read from
    // the person's index.
    let copied =
        app::services::id_usage::index::catch_up(&link.portal.app.test_db.db, link.portal.now())
            .await;
    assert_eq!(
        copied.expect("the index job"),
        2,
        "his query and the unknown number's"
    );
    let card = link
        .portal
        .recorded_citizen_card("王小明", "A123456789", "TP03000000012345")
        .await;
    let cookie = link.portal.session("Citizen", "", &card).await;
    let usage = body_text(
        link.portal
            .page(app::services::id_usage::PATH, Some(&cookie))
            .await,
    )
    .await;
    assert_eq!(
        usage.matches("已提供：國民身分證統一編號、姓名").count(),
        1,
        "{usage}"
    );
    assert!(usage.contains("臺北市政府警察局"), "{usage}");

    // Cancelled: refused at once.
    let (_, cancelled) = post(
        &link.portal,
        &link.who.agency,
        true,
        &link.id,
        &[("action", "cancel")],
    )
    .await;
    assert!(
        cancelled
            .notices()
            .iter()
            .any(|notice| notice.contains("取消")),
        "{:?}",
        cancelled.alerts()
    );
    let (status, refused) = link.send(link.call(Operation::PersonQuery)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(refused.get("data").is_none());
}

/// The keyed hash of `national_id` under the test apps' ID-hash key ([7; 32]).
fn id_hash(national_id: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &[7; 32]);
    hex::encode(ring::hmac::sign(&key, national_id.as_bytes()))
}

#[tokio::test]
async fn l_18_the_agency_api_document_is_served_beside_the_verification_apis() {
    let app = crate::support::spawn_app().await;
    let response = app.get("/integration/agency/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let document: serde_json::Value =
        serde_json::from_str(&body_text(response).await).expect("JSON");
    let query = &document["paths"]["/integration/agency/v1/person-query"]["post"];
    for status in ["200", "400", "401", "403", "404", "409", "429", "503"] {
        assert!(query["responses"][status].is_object(), "{status}");
    }
    // The companies' document stays theirs.
    let verification = app.get("/integration/openapi.json").await;
    let verification: serde_json::Value =
        serde_json::from_str(&body_text(verification).await).expect("JSON");
    assert!(verification["paths"]["/integration/agency/v1/person-query"].is_null());
}

#[tokio::test]
async fn l_18_security_21_6_a_call_without_credentials_is_refused_and_counted_without_a_case() {
    let app = crate::support::spawn_app().await;
    let mut request = Request::post(TEST).body(Body::empty()).expect("request");
    let peer: std::net::SocketAddr = "198.51.100.9:40000".parse().expect("peer");
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let answer: serde_json::Value = serde_json::from_str(&body_text(response).await).expect("JSON");
    assert_eq!(answer["code"], "HJL4010");
    // Anyone can send it: counted, naming no case, not logged a row each (issue 21 item 6).
    let logged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agency_link_calls")
        .fetch_one(&app.test_db.db.pool)
        .await
        .expect("calls");
    assert_eq!(logged, 0);
    assert_eq!(
        app.refused_calls().await,
        [(
            "agency-link".to_owned(),
            String::new(),
            "HJL4010".to_owned(),
            1,
            1
        )]
    );
    let source: String = sqlx::query_scalar("SELECT last_source FROM refused_calls")
        .fetch_one(&app.test_db.db.pool)
        .await
        .expect("row");
    assert_eq!(source, "198.51.100.9");
}

/// F-8, issue 22 item 1: a person query is answered, with the person's data, only once its
/// row is in the call log; one whose row cannot be written is answered HJL5000 with no data.
/// The log is append-only.
#[tokio::test]
async fn f_8_a_person_query_answers_only_with_its_row_in_the_call_log() {
    let link = linked("link_vpn", TODAY).await;
    // The test day's connection test (step 18), then go-live.
    assert_eq!(
        link.code(link.call(Operation::ConnectionTest)).await,
        "HJL2000"
    );
    let live = [Step::S19AgencyLive, Step::S20CountyLive];
    take_steps(&link.portal, &link.who, &link.id, &live).await;
    let db = &link.portal.app.test_db.db;
    crate::support::refuse_rows(db, "agency_link_calls", "true").await;
    let (status, answer) = link.send(link.call(Operation::PersonQuery)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(answer["code"], "HJL5000");
    assert!(!answer.to_string().contains("王小明"), "{answer}");
    assert_eq!(link.calls().await.len(), 1, "the connection test's only");

    crate::support::accept_rows(db, "agency_link_calls").await;
    let (status, answer) = link.send(link.call(Operation::PersonQuery)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(link.calls().await.len(), 2);
    for change in [
        "UPDATE agency_link_calls SET outcome = 'HJL5000'",
        "DELETE FROM agency_link_calls",
    ] {
        let error = sqlx::query(change).execute(&db.pool).await.unwrap_err();
        assert!(
            error.to_string().contains("append-only"),
            "{change}: {error}"
        );
    }
}
