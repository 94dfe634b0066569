//! The identity confirmation API (seed 003, SPEC I-1, I-3) over real mutual TLS: the API's
//! own listener (`confirm::tls`) on a loopback socket, and a rustls client presenting a
//! system's server certificate, as a bank's or an agency's server does.

use crate::support::Portal;
use app::domain::national_id::NationalId;
use app::pki::{CaFamily, TrustStore};
use app::platform::client::TrustedProxies;
use app::services::confirmation::systems::{register, NewSystem, RegisterError};
use app::services::confirmation::ApplicantKind;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::{json, Value};
use server::confirm::{tls, ConfirmState, Settings};
use server::pki::{Issued, SubjectKey, Validity};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WANG: &str = "A123456789";
const WANG_CARD: &str = "TP03000000000001";
/// Another person of the demo registry.
const SOMEONE_ELSE: &str = "F228135791";

/// The portal with its confirmation listener, a registered bank system and 王小明's card.
struct Service {
    portal: Portal,
    state: ConfirmState,
    address: SocketAddr,
    /// What the client trusts for the listener's own certificate.
    roots: Arc<rustls::RootCertStore>,
    /// The listener's TLS settings, for another listener.
    tls: rustls::ServerConfig,
    bank: Issued,
    wang: Issued,
    _dir: tempfile::TempDir,
}

async fn service(settings: Settings) -> Service {
    let portal = Portal::start().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    // The listener's own certificate must be valid for the client's (real) clock, while the
    // portal's clock stands in 2023.
    let real_now = chrono::Utc::now().timestamp();
    let own = portal
        .pki
        .issue_server_certificate(
            CaFamily::Gca,
            "內政部",
            "localhost",
            Validity::days_from(real_now - 60, 365),
            &SubjectKey::Generate,
        )
        .expect("the listener's certificate");
    let files = own
        .write_files(&dir.path().join("listener"))
        .expect("written");
    let config = tls::server_config(&files[1], &files[0]).expect("TLS settings");
    let state = ConfirmState::new(portal.app.state.clone(), &settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listen");
    let address = listener.local_addr().expect("address");
    tokio::spawn(tls::serve(
        listener,
        config.clone(),
        server::confirm::routes(state.clone()),
        std::future::pending(),
    ));
    let mut roots = rustls::RootCertStore::empty();
    for path in std::fs::read_dir(portal.pki.trust_dir()).expect("trust dir") {
        let path = path.expect("entry").path();
        if path
            .extension()
            .is_some_and(|ext| ext == "crt" || ext == "pem")
        {
            for der in CertificateDer::pem_file_iter(&path).expect("PEM") {
                roots.add(der.expect("certificate")).expect("a root");
            }
        }
    }

    let bank = server_certificate(&portal, CaFamily::Xca, "示範商業銀行");
    register_system(
        &portal,
        ApplicantKind::Financial,
        &bank,
        portal.now() - 86_400,
        1_000,
    )
    .await
    .expect("registered");
    let wang = portal
        .recorded_citizen_card("王小明", WANG, WANG_CARD)
        .await;
    Service {
        portal,
        state,
        address,
        roots: Arc::new(roots),
        tls: config,
        bank,
        wang,
        _dir: dir,
    }
}

fn server_certificate(portal: &Portal, family: CaFamily, organisation: &str) -> Issued {
    portal
        .pki
        .issue_server_certificate(
            family,
            organisation,
            "ap.example.com.tw",
            portal.year(),
            &SubjectKey::Generate,
        )
        .expect("server certificate")
}

async fn register_system(
    portal: &Portal,
    kind: ApplicantKind,
    certificate: &Issued,
    enabled_from: i64,
    daily_quota: i64,
) -> Result<i64, RegisterError> {
    let trust = TrustStore::load(&portal.pki.trust_dir()).expect("trust store");
    register(
        &portal.app.test_db.db,
        &trust,
        &NewSystem {
            applicant_kind: kind,
            organisation: "示範機構",
            address: "臺北市中正區徐州路5號",
            system_name: "網路服務",
            certificate: certificate.certificate_pem.as_bytes(),
            serial: &certificate.serial_hex,
            enabled_from,
            daily_quota,
        },
        "staff:1",
        portal.now(),
    )
    .await
}

/// The head of a call to `path` whose body is `length` bytes.
fn head(path: &str, length: usize) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {length}\r\nConnection: close\r\n\r\n",
    )
}

/// The status and JSON answer read from `tls` to its end.
async fn answer(mut tls: impl tokio::io::AsyncRead + Unpin) -> (u16, Value) {
    let mut response = Vec::new();
    let _ = tls.read_to_end(&mut response).await;
    let text = String::from_utf8(response).expect("UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status");
    (status, serde_json::from_str(body).expect("JSON"))
}

impl Service {
    /// Posts `body` as the holder of `client` (none: no client certificate); the status and
    /// the JSON answer.
    async fn call(&self, client: Option<&Issued>, body: &str) -> (u16, Value) {
        self.call_at(server::confirm::CONFIRM_PATH, client, body)
            .await
    }

    /// Posts `body` to `path` as the holder of `client`; the status and the JSON answer.
    async fn call_at(&self, path: &str, client: Option<&Issued>, body: &str) -> (u16, Value) {
        let mut tls = self.connect(self.address, client).await;
        let request = format!("{}{body}", head(path, body.len()));
        tls.write_all(request.as_bytes()).await.expect("sent");
        answer(tls).await
    }

    /// A TLS connection to the listener at `address` as the holder of `client`.
    async fn connect(
        &self,
        address: SocketAddr,
        client: Option<&Issued>,
    ) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
        let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_root_certificates(self.roots.clone());
        let config = match client {
            Some(issued) => builder
                .with_client_auth_cert(
                    vec![CertificateDer::from(issued.certificate_der.clone())],
                    PrivateKeyDer::from_pem_slice(
                        issued.private_key_pem.as_deref().expect("key").as_bytes(),
                    )
                    .expect("key"),
                )
                .expect("client certificate"),
            None => builder.with_no_client_auth(),
        };
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        connector
            .connect(ServerName::try_from("localhost").expect("name"), tcp)
            .await
            .expect("the listener's certificate checks for localhost")
    }

    async fn ask(&self, client: &Issued, request: Value) -> (u16, Value) {
        self.call(Some(client), &request.to_string()).await
    }

    async fn by_certificate(&self, certificate: &Issued, id: &str) -> Value {
        let (status, answer) = self
            .ask(
                &self.bank,
                json!({ "id_number": id, "certificate": certificate.certificate_pem }),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    async fn execute(&self, sql: &str) {
        sqlx::query(sql)
            .execute(&self.portal.app.test_db.db.pool)
            .await
            .expect("changed");
    }

    /// A request as a TLS-terminating proxy at `peer` forwards it, with the bank's
    /// certificate in `copies` certificate headers.
    fn proxied(
        &self,
        peer: &str,
        copies: usize,
        body: &str,
    ) -> axum::http::Request<axum::body::Body> {
        let escaped: String = percent_encoding::utf8_percent_encode(
            &self.bank.certificate_pem,
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string();
        let mut request = axum::http::Request::post(server::confirm::CONFIRM_PATH)
            .header("content-type", "application/json");
        for _ in 0..copies {
            request = request.header(server::confirm::PROXY_CERTIFICATE_HEADER, &escaped);
        }
        let mut request = request
            .body(axum::body::Body::from(body.to_owned()))
            .expect("request");
        request.extensions_mut().insert(axum::extract::ConnectInfo(
            format!("{peer}:40000").parse::<SocketAddr>().expect("peer"),
        ));
        request
    }

    /// The API as another server on the same database serves it behind a proxy at 10.0.0.5.
    fn another_server(&self, settings: Settings) -> axum::Router {
        server::confirm::proxied_routes(ConfirmState::new(
            self.portal.app.state.clone(),
            &Settings {
                proxies: TrustedProxies::parse("10.0.0.5").expect("proxies"),
                ..settings
            },
        ))
    }

    /// The call log, oldest first: (outcome, status, id_hash).
    async fn calls(&self) -> Vec<(String, Option<String>, Option<String>)> {
        sqlx::query_as("SELECT outcome, status, id_hash FROM confirmation_calls ORDER BY id")
            .fetch_all(&self.portal.app.test_db.db.pool)
            .await
            .expect("calls")
    }
}

fn uncached() -> Settings {
    Settings {
        cache: Duration::ZERO,
        ..Settings::default()
    }
}

fn belongs(status: &str) -> Value {
    json!({ "code": "answered", "message": "查詢作業完成", "belongs": true, "status": status })
}

fn does_not_belong() -> Value {
    json!({ "code": "answered", "message": "查詢作業完成", "belongs": false })
}

#[tokio::test]
async fn i_3_a_system_learns_whether_a_certificate_belongs_to_an_id_and_its_status() {
    let service = service(uncached()).await;
    let wang = service.wang.clone();
    assert_eq!(service.by_certificate(&wang, WANG).await, belongs("valid"));
    let (status, by_card) = service
        .ask(
            &service.bank,
            json!({ "id_number": WANG, "card_number": WANG_CARD }),
        )
        .await;
    assert_eq!((status, by_card), (200, belongs("valid")));

    // Someone else's ID, a certificate the RA never recorded and an unknown card answer alike,
    // and say nothing of the certificate.
    assert_eq!(
        service.by_certificate(&wang, SOMEONE_ELSE).await,
        does_not_belong()
    );
    let stranger = service.portal.citizen_card("王小明");
    assert_eq!(
        service.by_certificate(&stranger, WANG).await,
        does_not_belong()
    );
    let (_, unknown_card) = service
        .ask(
            &service.bank,
            json!({ "id_number": WANG, "card_number": "TP03000000009999" }),
        )
        .await;
    assert_eq!(unknown_card, does_not_belong());

    service
        .execute("UPDATE moica_certificates SET status = 'suspended'")
        .await;
    assert_eq!(
        service.by_certificate(&wang, WANG).await,
        belongs("suspended")
    );
    service
        .execute("UPDATE moica_certificates SET status = 'active', awaiting_activation = TRUE")
        .await;
    assert_eq!(
        service.by_certificate(&wang, WANG).await,
        belongs("suspended")
    );
    service
        .execute("UPDATE moica_certificates SET awaiting_activation = FALSE, not_after = 1000")
        .await;
    assert_eq!(
        service.by_certificate(&wang, WANG).await,
        belongs("expired")
    );
    // Past its end a suspended certificate cannot come back.
    service
        .execute("UPDATE moica_certificates SET status = 'suspended'")
        .await;
    assert_eq!(
        service.by_certificate(&wang, WANG).await,
        belongs("expired")
    );
    service
        .execute("UPDATE moica_certificates SET status = 'revoked'")
        .await;
    assert_eq!(
        service.by_certificate(&wang, WANG).await,
        belongs("revoked")
    );
}

#[tokio::test]
async fn i_3_a_certificate_an_extension_replaced_is_still_its_holders_until_the_card_takes_the_new()
{
    let service = service(uncached()).await;
    // An extension (展期) records a new certificate; the card still holds the old one.
    service
        .execute(&format!(
            "UPDATE moica_certificates SET previous_sha256 = certificate_sha256, \
             certificate_sha256 = '{}'",
            "ab".repeat(32)
        ))
        .await;
    assert_eq!(
        service.by_certificate(&service.wang, WANG).await,
        belongs("valid")
    );
    assert_eq!(
        service.by_certificate(&service.wang, SOMEONE_ELSE).await,
        does_not_belong()
    );
}

#[tokio::test]
async fn i_3_a_revocation_on_the_cas_list_wins_over_records_that_lag() {
    let service = service(uncached()).await;
    service
        .portal
        .pki
        .revoke(&service.wang.serial_hex, service.portal.now() - 10)
        .expect("revoked by the CA");
    service.portal.app.state.trust.reload().expect("CRL read");
    assert_eq!(
        service.by_certificate(&service.wang, WANG).await,
        belongs("revoked"),
        "the records still say active"
    );
    let (_, by_card) = service
        .ask(
            &service.bank,
            json!({ "id_number": WANG, "card_number": WANG_CARD }),
        )
        .await;
    assert_eq!(by_card, belongs("revoked"));
}

#[tokio::test]
async fn i_3_only_the_registered_certificate_of_a_system_in_service_is_answered() {
    let service = service(uncached()).await;
    let question = json!({ "id_number": WANG, "card_number": WANG_CARD }).to_string();
    let code = |answer: (u16, Value)| (answer.0, answer.1["code"].as_str().map(str::to_owned));

    assert_eq!(
        code(service.call(None, &question).await),
        (401, Some("client_certificate_required".into()))
    );
    // A valid server certificate of the right authority, but no system's.
    let unregistered = server_certificate(&service.portal, CaFamily::Xca, "示範商業銀行");
    assert_eq!(
        code(service.call(Some(&unregistered), &question).await),
        (403, Some("system_unknown".into()))
    );
    // A certificate of the client's own making, with the registered one's subject.
    let forged = self_signed();
    assert_eq!(
        code(service.call(Some(&forged), &question).await),
        (403, Some("system_unknown".into()))
    );

    let cases = [
        (
            "UPDATE confirmation_systems SET enabled_from = enabled_from + 2 * 86400",
            "system_not_enabled",
        ),
        (
            // Back where it was, a day earlier, and closing where it opened (the right-hand
            // sides read the row as it was).
            "UPDATE confirmation_systems SET enabled_from = enabled_from - 3 * 86400, \
             disabled_from = enabled_from - 2 * 86400",
            "system_disabled",
        ),
        (
            "UPDATE confirmation_systems SET disabled_from = NULL, stopped_at = 1, \
             stop_ground = 'heavy_load'",
            "system_stopped",
        ),
    ];
    for (change, refusal) in cases {
        service.execute(change).await;
        assert_eq!(
            code(service.call(Some(&service.bank), &question).await),
            (403, Some(refusal.into())),
            "{change}"
        );
    }
    service
        .execute("UPDATE confirmation_systems SET stopped_at = NULL, stop_ground = NULL")
        .await;
    assert_eq!(
        code(service.call(Some(&service.bank), &question).await).0,
        200
    );

    // The system stops with its server certificate (I-2).
    service
        .portal
        .pki
        .revoke(&service.bank.serial_hex, service.portal.now() - 10)
        .expect("revoked");
    service.portal.app.state.trust.reload().expect("CRL read");
    assert_eq!(
        code(service.call(Some(&service.bank), &question).await),
        (403, Some("server_certificate_invalid".into()))
    );

    // An answered call's row is written with its answer, a refused one's by the batched writer
    // a moment later: the rows' order is not the calls' order, so compare them sorted.
    let mut outcomes: Vec<String> = service
        .calls()
        .await
        .into_iter()
        .map(|(outcome, _, _)| outcome)
        .collect();
    outcomes.sort_unstable();
    // Calls that named no system left no row: anyone can make them.
    assert_eq!(
        outcomes,
        [
            "answered",
            "server_certificate_invalid",
            "system_disabled",
            "system_not_enabled",
            "system_stopped",
        ],
        "every call is logged, refused or not"
    );
}

/// A self-signed certificate and key made by the caller, not by any authority.
fn self_signed() -> Issued {
    let key = rcgen::KeyPair::generate().expect("key");
    let mut params =
        rcgen::CertificateParams::new(vec!["ap.example.com.tw".into()]).expect("params");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "示範商業銀行");
    let certificate = params.self_signed(&key).expect("self-signed");
    Issued {
        family: CaFamily::Xca,
        serial_hex: String::new(),
        certificate_pem: certificate.pem(),
        certificate_der: certificate.der().to_vec(),
        private_key_pem: Some(key.serialize_pem()),
    }
}

#[tokio::test]
async fn i_3_bad_input_gets_its_own_code() {
    let service = service(uncached()).await;
    let cases = [
        ("not json", 400, "malformed_request"),
        (r#"{"id_number":"A123456789"}"#, 400, "malformed_request"),
        (
            r#"{"id_number":"A123456789","card_number":"TP03000000000001","certificate":"x"}"#,
            400,
            "malformed_request",
        ),
        (
            r#"{"id_number":"A123456789","card_number":"TP03000000000001","extra":1}"#,
            400,
            "malformed_request",
        ),
        (
            r#"{"id_number":"A123456780","card_number":"TP03000000000001"}"#,
            400,
            "malformed_id",
        ),
        (
            r#"{"id_number":"A123456789","certificate":"bm90IGEgY2VydGlmaWNhdGU="}"#,
            400,
            "malformed_certificate",
        ),
        (
            r#"{"id_number":"A123456789","card_number":"12"}"#,
            400,
            "malformed_card_number",
        ),
    ];
    for (body, status, code) in cases {
        let (answered, answer) = service.call(Some(&service.bank), body).await;
        assert_eq!(
            (answered, answer["code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
        assert!(answer.get("belongs").is_none(), "{answer}");
    }
}

#[tokio::test]
async fn i_3_each_system_has_a_rate_and_a_daily_quota() {
    let service = service(Settings {
        rate_per_second: 4,
        ..uncached()
    })
    .await;
    service
        .execute("UPDATE confirmation_systems SET daily_quota = 3")
        .await;
    let question = json!({ "id_number": WANG, "card_number": WANG_CARD }).to_string();
    let mut codes = Vec::new();
    for _ in 0..5 {
        let (_, answer) = service.call(Some(&service.bank), &question).await;
        codes.push(answer["code"].as_str().expect("code").to_owned());
    }
    assert_eq!(
        codes,
        [
            "answered",
            "answered",
            "answered",
            "quota_exceeded",
            "rate_limited"
        ],
        "the portal's clock stands still: all five fall in one second"
    );
    // A new second: the rate allows again, the day's quota still does not.
    service
        .portal
        .app
        .clock
        .advance(chrono::Duration::seconds(1));
    let (status, answer) = service.call(Some(&service.bank), &question).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (429, Some("quota_exceeded"))
    );
    // The next day in Taipei, the quota is whole again.
    service.portal.app.clock.advance(chrono::Duration::days(1));
    let (status, _) = service.call(Some(&service.bank), &question).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn i_3_servers_share_a_systems_daily_quota_under_a_burst() {
    use tower::ServiceExt;
    let service = service(uncached()).await;
    service
        .execute("UPDATE confirmation_systems SET daily_quota = 300")
        .await;
    let body = json!({ "id_number": WANG, "card_number": WANG_CARD }).to_string();
    let servers = [
        service.another_server(uncached()),
        service.another_server(uncached()),
    ];
    let calls = (0..400).map(|n| {
        let server = servers[n % 2].clone();
        let request = service.proxied("10.0.0.5", 1, &body);
        async move {
            let answer = server.oneshot(request).await.expect("answer");
            answer.status().as_u16()
        }
    });
    let statuses = futures_util::future::join_all(calls).await;
    let answered = statuses.iter().filter(|status| **status == 200).count();
    let refused = statuses.iter().filter(|status| **status == 429).count();
    assert_eq!(answered + refused, 400, "{statuses:?}");
    // Each server takes 3 calls of the quota at a time; what one holds unused at the end is
    // refused, never answered beyond the quota.
    assert!((296..=300).contains(&answered), "{answered} answered");
}

/// `n` valid ID numbers that are not 王小明's, as a guesser would try them.
fn guesses(n: usize) -> Vec<String> {
    ('A'..='Z')
        .flat_map(|letter| (1..=2).map(move |sex| (letter, sex)))
        .flat_map(|(letter, sex)| {
            (0..10).map(move |lead| (letter, sex, lead * 1_000_000 + 2_345_678))
        })
        .filter_map(|(letter, sex, serial)| NationalId::with_checksum(letter, sex, serial))
        .map(|id| id.as_str().to_owned())
        .filter(|id| id != WANG)
        .take(n)
        .collect()
}

#[tokio::test]
async fn i_3_a_holder_answers_five_ids_not_theirs_a_day_then_nothing() {
    let service = service(uncached()).await;
    let by_card = |id: &str| json!({ "id_number": id, "card_number": WANG_CARD });
    let wrong = guesses(6);
    for id in &wrong[..5] {
        assert_eq!(
            service.by_certificate(&service.wang, id).await,
            does_not_belong(),
            "{id}"
        );
    }
    // The sixth, and then even the right one, however the card is presented.
    let locked = (429, Some("certificate_locked".to_owned()));
    let code = |answer: (u16, Value)| (answer.0, answer.1["code"].as_str().map(str::to_owned));
    assert_eq!(
        code(service.ask(&service.bank, by_card(&wrong[5])).await),
        locked
    );
    assert_eq!(
        code(service.ask(&service.bank, by_card(WANG)).await),
        locked
    );
    let (status, answer) = service
        .ask(
            &service.bank,
            json!({ "id_number": WANG, "certificate": service.wang.certificate_pem }),
        )
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (429, Some("certificate_locked"))
    );
    assert!(answer.get("belongs").is_none(), "{answer}");
    // An unknown certificate locks the same way, so the lock tells nothing of the card.
    let stranger = service.portal.citizen_card("王小明");
    for id in &wrong[..5] {
        assert_eq!(
            service.by_certificate(&stranger, id).await,
            does_not_belong()
        );
    }
    let (status, _) = service
        .ask(
            &service.bank,
            json!({ "id_number": WANG, "certificate": stranger.certificate_pem }),
        )
        .await;
    assert_eq!(status, 429);
    // Midnight in Taipei opens it again, and the purge forgets the day a day later.
    service.portal.app.clock.advance(chrono::Duration::days(1));
    assert_eq!(
        service.by_certificate(&service.wang, WANG).await,
        belongs("valid")
    );
    let purge = || {
        server::confirm::purge_expired(&service.portal.app.test_db.db.pool, service.portal.now())
    };
    assert_eq!(
        purge().await.expect("purged"),
        0,
        "yesterday's are kept for calls in flight at midnight"
    );
    service.portal.app.clock.advance(chrono::Duration::days(1));
    assert_eq!(
        purge().await.expect("purged"),
        2,
        "王小明's misses and the unknown certificate's"
    );
}

#[tokio::test]
async fn i_3_a_burst_of_guesses_on_many_servers_gets_five_answers() {
    use tower::ServiceExt;
    let service = service(uncached()).await;
    let servers = [
        service.another_server(uncached()),
        service.another_server(uncached()),
    ];
    let calls = guesses(60).into_iter().enumerate().map(|(n, id)| {
        let server = servers[n % 2].clone();
        let body = json!({ "id_number": id, "card_number": WANG_CARD }).to_string();
        let request = service.proxied("10.0.0.5", 1, &body);
        async move {
            let answer = server.oneshot(request).await.expect("answer");
            answer.status().as_u16()
        }
    });
    let statuses = futures_util::future::join_all(calls).await;
    assert_eq!(statuses.iter().filter(|status| **status == 200).count(), 5);
    assert_eq!(statuses.iter().filter(|status| **status == 429).count(), 55);
}

#[tokio::test]
async fn i_3_an_answered_call_is_in_the_log_before_its_answer_is_sent() {
    let service = service(uncached()).await;
    let asked = (0..20).map(|n| {
        // Four misses: one short of the day's limit.
        let id = if n % 5 == 0 { SOMEONE_ELSE } else { WANG };
        service.ask(
            &service.bank,
            json!({ "id_number": id, "card_number": WANG_CARD }),
        )
    });
    let answers = futures_util::future::join_all(asked).await;
    assert!(
        answers.iter().all(|(status, _)| *status == 200),
        "{answers:?}"
    );
    // Read without waiting for the log's writer: the rows were committed with the answers.
    let logged: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT outcome, status FROM confirmation_calls ORDER BY id")
            .fetch_all(&service.portal.app.test_db.db.pool)
            .await
            .expect("calls");
    assert_eq!(logged.len(), 20);
    assert_eq!(
        logged.iter().filter(|(_, status)| status.is_none()).count(),
        4,
        "the four that did not belong have no status"
    );
    assert!(logged.iter().all(|(outcome, _)| outcome == "answered"));
}

/// Issue 22 item 1: a confirmation whose row the database will not take is answered
/// unavailable, with nothing of the person's; the next call, the row taken, is answered.
#[tokio::test]
async fn i_3_no_answer_leaves_without_its_row_in_the_call_log() {
    let service = service(uncached()).await;
    let db = &service.portal.app.test_db.db;
    let request = json!({ "id_number": WANG, "card_number": WANG_CARD });
    crate::support::refuse_rows(db, "confirmation_calls", "true").await;
    let (status, answer) = service.ask(&service.bank, request.clone()).await;
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["code"], "unavailable");
    assert!(answer.get("belongs").is_none(), "{answer}");
    let logged = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM confirmation_calls")
            .fetch_one(&db.pool)
            .await
            .expect("calls")
    };
    assert_eq!(logged().await, 0);

    crate::support::accept_rows(db, "confirmation_calls").await;
    assert_eq!(
        service.ask(&service.bank, request).await,
        (200, belongs("valid"))
    );
    assert_eq!(logged().await, 1);
}

#[tokio::test]
async fn i_3_a_call_in_progress_at_shutdown_is_answered_and_logged() {
    let service = service(uncached()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listen");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(tls::serve(
        listener,
        service.tls.clone(),
        server::confirm::routes(service.state.clone()),
        async {
            let _ = stopped.await;
        },
    ));
    let body = json!({ "id_number": WANG, "card_number": WANG_CARD }).to_string();
    let mut tls = service.connect(address, Some(&service.bank)).await;
    tls.write_all(head(server::confirm::CONFIRM_PATH, body.len()).as_bytes())
        .await
        .expect("head");
    tls.flush().await.expect("sent");
    // The head is in: the call is in progress when the server is told to stop.
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).expect("stop");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!serving.is_finished(), "it waits for the call");
    tls.write_all(body.as_bytes()).await.expect("body");
    assert_eq!(answer(tls).await, (200, belongs("valid")));
    tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .expect("the listener ends once the call is answered")
        .expect("served");
    assert_eq!(service.calls().await.len(), 1);
}

#[tokio::test]
async fn i_3_the_call_log_keeps_the_id_as_its_keyed_hash_and_is_append_only() {
    let service = service(uncached()).await;
    service.by_certificate(&service.wang, WANG).await;
    let calls = service.calls().await;
    assert_eq!(
        calls,
        [(
            "answered".to_owned(),
            Some("valid".to_owned()),
            Some(service.portal.app.state.id_key.hash(WANG))
        )]
    );
    let pool = &service.portal.app.test_db.db.pool;
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT COALESCE(source_ip, '') || COALESCE(id_hash, '') FROM confirmation_calls",
    )
    .fetch_all(pool)
    .await
    .expect("rows");
    assert!(stored.iter().all(|row| !row.contains(WANG)));
    for change in [
        "UPDATE confirmation_calls SET outcome = 'system_unknown'",
        "DELETE FROM confirmation_calls",
        // PostgreSQL's: SQLite has no TRUNCATE.
        "TRUNCATE confirmation_calls",
    ] {
        assert!(sqlx::query(change).execute(pool).await.is_err(), "{change}");
    }
}

#[tokio::test]
async fn i_3_behind_a_proxy_only_the_apis_own_proxys_certificate_header_counts() {
    use axum::http::StatusCode;
    use tower::ServiceExt;
    let service = service(uncached()).await;
    let body = json!({ "id_number": WANG, "card_number": WANG_CARD }).to_string();
    let request = |peer: &str, copies: usize| service.proxied(peer, copies, &body);

    // The portal's general reverse proxy passes the public's headers on: it vouches for no
    // certificate, and without proxies of the API's own the route is not there at all.
    let portal = service.portal.server_with(&Default::default(), |state| {
        state.edit().proxies = Arc::new(TrustedProxies::parse("10.0.0.5").expect("proxies"));
    });
    let through_portal_proxy = portal
        .oneshot(request("10.0.0.5", 1))
        .await
        .expect("answer");
    assert!(
        matches!(
            through_portal_proxy.status(),
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
        ),
        "{:?}",
        through_portal_proxy.status()
    );

    let proxied = service.another_server(uncached());
    let from_proxy = proxied
        .clone()
        .oneshot(request("10.0.0.5", 1))
        .await
        .expect("answer");
    assert_eq!(from_proxy.status(), StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&crate::support::body_text(from_proxy).await).expect("JSON"),
        belongs("valid")
    );
    let forged = proxied
        .clone()
        .oneshot(request("10.0.0.9", 1))
        .await
        .expect("answer");
    assert_eq!(
        forged.status(),
        StatusCode::UNAUTHORIZED,
        "anyone may write the header"
    );
    // A proxy that appended its header to the client's would leave two.
    let appended = proxied
        .oneshot(request("10.0.0.5", 2))
        .await
        .expect("answer");
    assert_eq!(appended.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn i_1_a_system_registers_with_a_server_certificate_of_its_applicants_authority() {
    let portal = Portal::start().await;
    let agency_server = server_certificate(&portal, CaFamily::Gca, "示範市政府");
    let bank_server = server_certificate(&portal, CaFamily::Moeaca, "示範商業銀行");
    assert!(matches!(
        register_system(&portal, ApplicantKind::Financial, &agency_server, 0, 10).await,
        Err(RegisterError::WrongAuthority {
            family: CaFamily::Gca,
            ..
        })
    ));
    assert!(matches!(
        register_system(&portal, ApplicantKind::Agency, &bank_server, 0, 10).await,
        Err(RegisterError::WrongAuthority {
            family: CaFamily::Moeaca,
            ..
        })
    ));
    let citizen = portal.citizen_card("王小明");
    assert!(matches!(
        register_system(&portal, ApplicantKind::Agency, &citizen, 0, 10).await,
        Err(RegisterError::Certificate(_))
    ));
    let mut misspelled = agency_server.clone();
    misspelled.serial_hex = "01".into();
    assert!(matches!(
        register_system(&portal, ApplicantKind::Agency, &misspelled, 0, 10).await,
        Err(RegisterError::SerialMismatch { .. })
    ));
    // The serial as people write it: upper case, colons.
    let mut spelled = agency_server.clone();
    spelled.serial_hex = spelled
        .serial_hex
        .as_bytes()
        .chunks(2)
        .map(|pair| std::str::from_utf8(pair).expect("hex").to_uppercase())
        .collect::<Vec<_>>()
        .join(":");
    register_system(&portal, ApplicantKind::Agency, &spelled, 0, 10)
        .await
        .expect("registered");
    register_system(&portal, ApplicantKind::Financial, &bank_server, 0, 10)
        .await
        .expect("registered");
    assert!(matches!(
        register_system(&portal, ApplicantKind::Agency, &agency_server, 0, 10).await,
        Err(RegisterError::AlreadyRegistered)
    ));
    let audited = portal.audit_actions().await;
    assert_eq!(
        audited
            .iter()
            .filter(|(_, action)| action == "confirmation.system.register")
            .count(),
        2,
        "{audited:?}"
    );
}

/// The codes the vocabularies declare are the ones the columns' CHECKs allow.
#[tokio::test]
async fn i_3_the_stored_codes_are_the_declared_ones() {
    use app::cases::Code;
    use app::services::confirmation::{ConfirmedStatus, StopGround};
    let test_db = crate::support::fresh_db().await;
    let schema = crate::schema::Schema::read(&test_db.db).await;
    let codes = |all: &[&str]| Some(all.iter().map(|code| (*code).to_owned()).collect());
    assert_eq!(
        schema.check_values("confirmation_systems", "applicant_kind"),
        codes(
            &ApplicantKind::ALL
                .iter()
                .map(|kind| kind.code())
                .collect::<Vec<_>>()
        )
    );
    assert_eq!(
        schema.check_values("confirmation_systems", "stop_ground"),
        codes(
            &StopGround::ALL
                .iter()
                .map(|ground| ground.code())
                .collect::<Vec<_>>()
        )
    );
    assert_eq!(
        schema.check_values("confirmation_calls", "status"),
        codes(
            &ConfirmedStatus::ALL
                .iter()
                .map(|status| status.code())
                .collect::<Vec<_>>()
        )
    );
}

/// A Web eID authentication token of `card` signed by `signer`'s key over `origin` and
/// `nonce`, in a call for `id`.
fn token_call(card: &Issued, signer: &Issued, origin: &str, nonce: &str, id: &str) -> Value {
    use base64::Engine;
    use rcgen::SigningKey;
    let key =
        rcgen::KeyPair::from_pem(signer.private_key_pem.as_deref().expect("key")).expect("key");
    let signed = app::services::confirmation::token::signed_message(origin, nonce);
    let base64 = base64::engine::general_purpose::STANDARD;
    json!({
        "id_number": id,
        "web_eid_token": {
            "unverifiedCertificate": base64.encode(&card.certificate_der),
            "algorithm": "RS256",
            "signature": base64.encode(key.sign(&signed).expect("signature")),
            "format": "web-eid:1.0",
            "appVersion": "https://web-eid.eu/web-eid-app/releases/2.5.0",
        },
        "origin": origin,
        "nonce": nonce,
    })
}

impl Service {
    /// A nonce for a token, as the bank's system asks for one.
    async fn nonce(&self) -> String {
        let (status, body) = self
            .call_at(server::confirm::NONCE_PATH, Some(&self.bank), "")
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["code"], "issued");
        assert_eq!(body["expires_in"], 300);
        body["nonce"].as_str().expect("a nonce").to_owned()
    }
}

#[tokio::test]
async fn i_3_a_web_eid_token_is_answered_once_for_the_systems_origin_and_its_nonce() {
    let service = service(uncached()).await;
    let origin = "https://ap.example.com.tw";
    let nonce = service.nonce().await;
    let call = token_call(&service.wang, &service.wang, origin, &nonce, WANG);
    assert_eq!(
        service.ask(&service.bank, call.clone()).await,
        (200, belongs("valid"))
    );
    // The same token again: replayed.
    let (status, body) = service.ask(&service.bank, call).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("token_replayed"))
    );
    // Someone else's ID number: does not belong, as for a certificate.
    let nonce = service.nonce().await;
    let call = token_call(&service.wang, &service.wang, origin, &nonce, &guesses(1)[0]);
    assert_eq!(
        service.ask(&service.bank, call).await,
        (200, does_not_belong())
    );

    let asked = &service;
    let refused = |call: Value| async move {
        let (status, body) = asked.ask(&asked.bank, call).await;
        (status, body["code"].as_str().unwrap_or_default().to_owned())
    };
    let bad = |code: &str| (400, code.to_owned());
    // Another origin, a name of no system's: refused before the nonce is used.
    let nonce = service.nonce().await;
    let elsewhere = token_call(
        &service.wang,
        &service.wang,
        "https://evil.example.com",
        &nonce,
        WANG,
    );
    assert_eq!(refused(elsewhere).await, bad("token_origin_mismatch"));
    // Signed by another card's key.
    let other = service.portal.citizen_card("陳大文");
    let forged = token_call(&service.wang, &other, origin, &nonce, WANG);
    assert_eq!(refused(forged).await, bad("token_signature_invalid"));
    // The nonce is still unused after those refusals.
    let good = token_call(&service.wang, &service.wang, origin, &nonce, WANG);
    assert_eq!(
        service.ask(&service.bank, good).await,
        (200, belongs("valid"))
    );
    // A nonce this service did not issue, or issued more than five minutes ago.
    let made_up = format!(
        "{}.{}.{}",
        service.portal.now(),
        "ab".repeat(16),
        "00".repeat(32)
    );
    let call = token_call(&service.wang, &service.wang, origin, &made_up, WANG);
    assert_eq!(refused(call).await, bad("token_nonce_invalid"));
    let nonce = service.nonce().await;
    service
        .portal
        .app
        .clock
        .advance(chrono::Duration::seconds(300));
    let late = token_call(&service.wang, &service.wang, origin, &nonce, WANG);
    assert_eq!(refused(late).await, bad("token_nonce_invalid"));
    // A token without its nonce, or of another algorithm.
    let mut partial = token_call(&service.wang, &service.wang, origin, &nonce, WANG);
    partial.as_object_mut().expect("object").remove("nonce");
    assert_eq!(refused(partial).await, bad("malformed_token"));
    let mut es = token_call(&service.wang, &service.wang, origin, &nonce, WANG);
    es["web_eid_token"]["algorithm"] = json!("ES256");
    assert_eq!(refused(es).await, bad("malformed_token"));
    // No nonce without the system's certificate.
    let (status, body) = service.call_at(server::confirm::NONCE_PATH, None, "").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("client_certificate_required"))
    );
    // Every call is in the log, refusals included, by their codes.
    let outcomes: Vec<String> = service
        .calls()
        .await
        .into_iter()
        .map(|call| call.0)
        .collect();
    for code in [
        "token_replayed",
        "token_origin_mismatch",
        "token_signature_invalid",
        "token_nonce_invalid",
    ] {
        assert!(
            outcomes.iter().any(|outcome| outcome == code),
            "{code}: {outcomes:?}"
        );
    }
    // Used nonces are forgotten once expired.
    let purged = app::services::confirmation::token::purge_used(
        &service.portal.app.test_db.db.pool,
        service.portal.now() + 300,
    )
    .await
    .expect("purged");
    assert_eq!(purged, 3);
}

#[tokio::test]
async fn f_8_a_citizen_reads_which_systems_asked_about_their_id_number() {
    use app::services::id_usage::PATH;
    let service = service(uncached()).await;
    let portal = &service.portal;
    // Signed out, the record asks for the citizen's own certificate.
    let page = portal.page(PATH, None).await;
    assert_eq!(page.status(), axum::http::StatusCode::FOUND);
    assert_eq!(
        page.headers()[axum::http::header::LOCATION],
        "/citizen/sign-in?next=/citizen/usage"
    );

    let wang = service.wang.clone();
    assert_eq!(service.by_certificate(&wang, WANG).await, belongs("valid"));
    // The first call is read from the person's index, the later ones from the log after it.
    let copied =
        app::services::id_usage::index::catch_up(&portal.app.test_db.db, portal.now()).await;
    assert_eq!(copied.expect("the index job"), 1);
    // Another card shown as 王小明's is answered "does not belong"; he sees that it was tried.
    let stranger = portal.citizen_card("王小明");
    assert_eq!(
        service.by_certificate(&stranger, WANG).await,
        does_not_belong()
    );
    // A question about someone else's ID number is theirs, not his.
    assert_eq!(
        service.by_certificate(&wang, SOMEONE_ELSE).await,
        does_not_belong()
    );

    let cookie = portal.session("Citizen", "", &wang).await;
    let html = crate::support::body_text(portal.page(PATH, Some(&cookie)).await).await;
    assert!(html.contains("A1*****789"), "{html}");
    assert_eq!(html.matches("示範機構／網路服務").count(), 2, "{html}");
    assert!(html.contains("確認為您的憑證，狀態：有效"), "{html}");
    assert!(html.contains("所出示的憑證不是您的"), "{html}");
    // He was neither verified by a company nor queried by an agency's link.
    assert_eq!(html.matches("無紀錄。").count(), 2, "{html}");
    assert!(
        !html.contains(WANG),
        "the page shows the ID number masked only"
    );
}
