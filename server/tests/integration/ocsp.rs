//! The MOICA CA's OCSP responder (RFC 6960; issue 19 item 4), asked by an independent client:
//! `openssl ocsp` over HTTP against the portal listening on a loopback port, about a card issued
//! at the counter while the registrar suspends, resumes and revokes it.

use crate::moica_issuance::wang_issued;
use crate::moica_services::{holder_suspends, serve, DELEGATE, REVOKE_IN_PERSON};
use crate::support::{body_bytes, Portal, TestApp};
use app::pki::CaFamily;
use app::platform::clock::Clock;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use base64::{engine::general_purpose::STANDARD, Engine};
use std::path::{Path, PathBuf};
use x509_cert::der::{Decode, Encode};
use x509_ocsp::{OcspRequest, OcspResponse, OcspResponseStatus};

/// The portal on a loopback port, as a relying party reaches it; the server stops with the test.
async fn listen(portal: &Portal) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let address = listener.local_addr().expect("its address");
    let router = portal.app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    format!("http://{address}{}", server::web::ocsp::PATH)
}

/// The files `openssl ocsp` reads: the MOICA CA (issuer), the root (trust anchor) and the card.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new(portal: &Portal, card_der: &[u8]) -> Files {
        let dir = tempfile::tempdir().expect("temporary directory");
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text);
        write("moica.crt", portal.pki.ca_certificate_pem(CaFamily::Moica)).expect("issuer");
        write("grca.crt", portal.pki.ca_certificate_pem(CaFamily::Grca)).expect("root");
        write("gca.crt", portal.pki.ca_certificate_pem(CaFamily::Gca)).expect("another CA");
        let card = pem::encode(&pem::Pem::new("CERTIFICATE", card_der.to_vec()));
        write("card.crt", &card).expect("card");
        Files { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Runs `openssl ocsp` with `args` in `dir` (off the runtime, which serves it meanwhile):
/// (success, stdout, stderr).
async fn openssl(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("openssl")
            .arg("ocsp")
            .args(&args)
            .current_dir(dir)
            .output()
    })
    .await
    .expect("joined")
    .expect("openssl (scripts/install-deps.sh)");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A DER request openssl makes, asking `issuer` about `about` (`-cert FILE` or `-serial N`),
/// written to `dir/out` and read back.
async fn request(dir: &Path, issuer: &str, about: [&str; 2], out: &str) -> Vec<u8> {
    let args = ["-issuer", issuer, about[0], about[1], "-reqout", out];
    let (ok, _, stderr) = openssl(dir, &args).await;
    assert!(ok, "{stderr}");
    std::fs::read(dir.join(out)).expect("request")
}

/// Asks about the card (and an unknown serial) by POST, verifying the response against the
/// root and the nonce against the request: openssl's report. openssl checks a response's
/// times against the real clock, the portal's is the tests' fixed one: `-validity_period` is
/// that difference, plus a minute (the times themselves are checked by [`at`]).
async fn ask(files: &Files, url: &str, digest: &str, portal: &Portal) -> String {
    let skew = chrono::Utc::now().timestamp() - portal.now() + 60;
    let args = [
        "-url",
        url,
        "-issuer",
        "moica.crt",
        "-CAfile",
        "grca.crt",
        digest,
        "-cert",
        "card.crt",
        "-serial",
        "0x0badcafe",
        "-validity_period",
        &skew.to_string(),
    ];
    let (ok, stdout, stderr) = openssl(files.dir.path(), &args).await;
    assert!(!stdout.contains("WARNING"), "{stdout}");
    assert!(ok, "{stdout}{stderr}");
    assert!(stderr.contains("Response verify OK"), "{stderr}");
    assert!(stdout.contains("0x0badcafe: unknown"), "{stdout}");
    stdout
}

/// `at` as openssl prints a time.
fn at(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .expect("a time")
        .format("%b %e %H:%M:%S %Y GMT")
        .to_string()
}

#[tokio::test]
async fn i_3_ocsp_answers_what_the_records_say_as_a_standard_client_checks_it() {
    let portal = Portal::start().await;
    let (card, cookie) = wang_issued(&portal).await;
    let files = Files::new(&portal, &card.certificate_der);
    let url = listen(&portal).await;
    let minutes = |n| portal.app.clock.advance(chrono::Duration::minutes(n));

    // Issued at the counter: good, by either hash of the issuer (SHA-1 is openssl's default),
    // for 5 minutes from the moment of the answer.
    for digest in ["-sha1", "-sha256"] {
        let report = ask(&files, &url, digest, &portal).await;
        assert!(report.contains("card.crt: good"), "{report}");
        assert!(
            report.contains(&format!("This Update: {}", at(portal.now())))
                && report.contains(&format!("Next Update: {}", at(portal.now() + 300))),
            "{report}"
        );
    }

    // 停用 at the counter: on hold from that moment, without waiting for a new CRL.
    minutes(10);
    let suspended = portal.now();
    holder_suspends(&portal, &cookie).await;
    minutes(10);
    let report = ask(&files, &url, "-sha1", &portal).await;
    assert!(
        report.contains("card.crt: revoked")
            && report.contains("Reason: certificateHold")
            && report.contains(&format!("Revocation Time: {}", at(suspended))),
        "{report}"
    );

    // 復用 brings it back; a card mailed and not yet activated (待開卡) is on hold too.
    let mut resume = DELEGATE.to_vec();
    resume.push(("service", "resume"));
    assert!(serve(&portal, &cookie, &resume).await.contains("已復用"));
    assert!(ask(&files, &url, "-sha1", &portal)
        .await
        .contains("card.crt: good"));
    let awaiting = |flag: bool| {
        sqlx::query("UPDATE moica_certificates SET awaiting_activation = $1 WHERE serial = $2")
            .bind(flag)
            .bind(card.serial_hex.clone())
            .execute(&portal.app.test_db.db.pool)
    };
    awaiting(true).await.expect("mailed");
    let report = ask(&files, &url, "-sha1", &portal).await;
    assert!(report.contains("Reason: certificateHold"), "{report}");
    awaiting(false).await.expect("activated");

    // 廢止 is final, at its time, and gives no hold reason.
    minutes(10);
    let revoked = portal.now();
    let html = serve(&portal, &cookie, &REVOKE_IN_PERSON).await;
    assert!(html.contains("已廢止"), "{html}");
    minutes(10);
    let report = ask(&files, &url, "-sha1", &portal).await;
    assert!(
        report.contains("card.crt: revoked")
            && report.contains(&format!("Revocation Time: {}", at(revoked)))
            && !report.contains("certificateHold"),
        "{report}"
    );
}

#[tokio::test]
async fn i_3_ocsp_a_revocation_the_records_do_not_hold_is_still_revoked() {
    let portal = Portal::start().await;
    // A certificate of the CA that the RA never recorded (made by `huji pki issue`): unknown,
    // until the CA revokes it outside the records (`huji pki revoke`), as it does an extended
    // card's old certificate or one whose record failed.
    let card = portal.citizen_card("陳大文");
    let files = Files::new(&portal, &card.certificate_der);
    let url = listen(&portal).await;
    let report = ask(&files, &url, "-sha1", &portal).await;
    assert!(report.contains("card.crt: unknown"), "{report}");
    let revoked = portal.now();
    portal
        .pki
        .revoke(&card.serial_hex, revoked)
        .expect("revoked");
    portal.app.clock.advance(chrono::Duration::minutes(10));
    let report = ask(&files, &url, "-sha1", &portal).await;
    assert!(
        report.contains("card.crt: revoked")
            && report.contains(&format!("Revocation Time: {}", at(revoked))),
        "{report}"
    );
}

#[tokio::test]
async fn i_3_ocsp_answers_a_get_and_echoes_the_nonce() {
    let portal = Portal::start().await;
    let (card, _) = wang_issued(&portal).await;
    let files = Files::new(&portal, &card.certificate_der);
    let request = request(
        files.dir.path(),
        "moica.crt",
        ["-cert", "card.crt"],
        "request.der",
    )
    .await;

    // RFC 6960 A.1: base64, then URL-encoded ('/' and '+' are legal in a path segment).
    let path = format!("{}/{}", server::web::ocsp::PATH, STANDARD.encode(&request));
    let response = portal.app.get(&path).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/ocsp-response"
    );
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let body = body_bytes(response).await;
    std::fs::write(files.path("response.der"), &body).expect("response");
    // openssl checks the signature, and that the nonce is the request's.
    let args = [
        "-reqin",
        "request.der",
        "-respin",
        "response.der",
        "-issuer",
        "moica.crt",
        "-CAfile",
        "grca.crt",
        "-resp_text",
    ];
    let (ok, stdout, stderr) = openssl(files.dir.path(), &args).await;
    assert!(ok, "{stdout}{stderr}");
    assert!(stderr.contains("Response verify OK"), "{stderr}");
    assert!(!stderr.contains("nonce"), "{stderr}");
    assert!(stdout.contains("Cert Status: good"), "{stdout}");
    assert!(stdout.contains("OCSP Nonce"), "{stdout}");
}

/// A POST of `body` to the responder with `content_type`.
async fn post(app: &TestApp, content_type: &str, body: Vec<u8>) -> Response {
    app.send(
        Request::post(server::web::ocsp::PATH)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("request"),
    )
    .await
}

/// The OCSP response to the request `body`.
async fn answer(app: &TestApp, body: Vec<u8>) -> OcspResponse {
    let response = post(app, "application/ocsp-request", body).await;
    assert_eq!(response.status(), StatusCode::OK);
    OcspResponse::from_der(&body_bytes(response).await).expect("an OCSP response")
}

/// The status of the response to `body`, which must be a refusal: unsigned, as RFC 6960 has it.
async fn refused(app: &TestApp, body: Vec<u8>) -> OcspResponseStatus {
    let answer = answer(app, body).await;
    assert!(answer.response_bytes.is_none(), "a refusal is not signed");
    answer.response_status
}

#[tokio::test]
async fn i_3_ocsp_refuses_other_authorities_malformed_oversized_and_too_many_requests() {
    let portal = Portal::start().await;
    let (card, _) = wang_issued(&portal).await;
    let files = Files::new(&portal, &card.certificate_der);
    let about = ["-serial", "0x0badcafe"];
    let theirs = request(files.dir.path(), "gca.crt", about, "gca.der").await;
    let moica = request(files.dir.path(), "moica.crt", about, "moica.der").await;

    // Another authority's certificate: this responder does not speak for it.
    assert_eq!(
        refused(&portal.app, theirs).await,
        OcspResponseStatus::Unauthorized
    );
    assert_eq!(
        refused(&portal.app, b"not DER".to_vec()).await,
        OcspResponseStatus::MalformedRequest
    );
    // More than 16 certificates, none, and a nonce over 32 bytes (RFC 8954) are malformed.
    let ours = OcspRequest::from_der(&moica).expect("openssl's request");
    let mut many = ours.clone();
    let entry = many.tbs_request.request_list[0].clone();
    many.tbs_request.request_list = vec![entry; server::pki::ocsp::MAX_CERTIFICATES + 1];
    let mut none = ours.clone();
    none.tbs_request.request_list.clear();
    let mut long_nonce = ours.clone();
    let nonce = long_nonce
        .tbs_request
        .request_extensions
        .as_mut()
        .and_then(|extensions| extensions.first_mut())
        .expect("openssl adds a nonce");
    nonce.extn_value = x509_cert::der::asn1::OctetString::new(
        x509_cert::der::asn1::OctetString::new(vec![7; 33])
            .expect("nonce")
            .to_der()
            .expect("DER"),
    )
    .expect("extension value");
    for request in [many, none, long_nonce] {
        assert_eq!(
            refused(&portal.app, request.to_der().expect("DER")).await,
            OcspResponseStatus::MalformedRequest
        );
    }
    // The same request, within limits, is answered.
    let mut within = ours;
    let entry = within.tbs_request.request_list[0].clone();
    within.tbs_request.request_list = vec![entry; server::pki::ocsp::MAX_CERTIFICATES];
    let within = answer(&portal.app, within.to_der().expect("DER")).await;
    assert_eq!(within.response_status, OcspResponseStatus::Successful);

    // A POST of another type is not read as a request; no CSRF token is asked of a POST here.
    let form = post(
        &portal.app,
        "application/x-www-form-urlencoded",
        moica.clone(),
    )
    .await;
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // A client over its limit a minute, counted in the database for every server, is told to
    // try later (these requests come from no address: the bucket `unknown`), until the next
    // minute.
    let limit = server::web::ocsp::CLIENT_LIMIT;
    let now = portal.now();
    sqlx::query(
        "UPDATE rate_limits SET hits = $1 WHERE bucket = 'ocsp:unknown' AND window_start = $2",
    )
    .bind(limit.max)
    .bind(now - now.rem_euclid(limit.window_seconds))
    .execute(&portal.app.test_db.db.pool)
    .await
    .expect("the client's count");
    assert_eq!(
        refused(&portal.app, moica.clone()).await,
        OcspResponseStatus::TryLater
    );
    portal
        .app
        .clock
        .advance(chrono::Duration::seconds(limit.window_seconds));
    let again = answer(&portal.app, moica).await;
    assert_eq!(again.response_status, OcspResponseStatus::Successful);
}

#[tokio::test]
async fn i_3_without_a_moica_ca_the_responder_speaks_for_no_one() {
    let app = crate::support::spawn_app().await;
    let portal_pki = tempfile::tempdir().expect("temporary directory");
    let pki = server::pki::Pki::init(portal_pki.path(), app.clock.unix() - 60).expect("PKI");
    let dir = portal_pki.path();
    std::fs::write(
        dir.join("moica-issuer.crt"),
        pki.ca_certificate_pem(CaFamily::Moica),
    )
    .expect("issuer");
    let request = request(dir, "moica-issuer.crt", ["-serial", "0x01"], "request.der").await;
    assert_eq!(
        refused(&app, request).await,
        OcspResponseStatus::Unauthorized
    );
}
