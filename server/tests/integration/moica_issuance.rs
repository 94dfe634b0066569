//! Counter issuance of citizen certificates through the real router (C-2): a registrar's
//! session, the server functions the counter page calls, the card's key and the registrar's
//! signature made here as the blank card and the registrar's card would make them, and the
//! development MOICA CA behind the RA.

use crate::id_card_loss::{pool, submit, with};
use crate::moica_application::{application, chosen_pin, reference_in, wang, APPLY};
use crate::support::Portal;
use crate::support::{body_text, card_key_proof, card_signed};
use app::pki::{Purpose, TrustStore};
use app::services::certificate::counter::{
    issuance_statement, ApplicationStatus, CounterApplication, IssuanceTicket, IssuedCard,
    KEY_PROOF,
};
use app::services::certificate::proof::card_statement;
use app::services::staff::role::Role;
use axum::http::StatusCode;
use base64::{engine::general_purpose::STANDARD, Engine};
use card_helper::personalisation::{Secrets, TransportKey};
use rcgen::{KeyPair, PublicKeyData, SigningKey};
use server::pki::Issued;
use std::sync::LazyLock;

/// A statement made from the challenge of a fresh ticket.
type Statement<'a> = dyn Fn(&str) -> String + 'a;

pub(crate) const CARD: &str = "TP04000000012345";

/// A registrar of 新北市板橋區戶政事務所, signed in: their card and session cookie. Any office
/// may issue to a citizen registered anywhere.
pub(crate) async fn registrar(portal: &Portal) -> (Issued, String) {
    let card = portal
        .staff("陳建志", Role::HouseholdRegistrar, "office:65000010")
        .await;
    let cookie = portal.session("Staff", "", &card).await;
    (card, cookie)
}

/// The card helper's one-time transport key, the one of every issuance here.
static TRANSPORT: LazyLock<TransportKey> = LazyLock::new(TransportKey::generate);

/// What the RA sealed to the card helper for `issued`: as the helper opens it.
pub(crate) fn personalisation(issued: &IssuedCard) -> Secrets {
    let certificate = STANDARD.decode(&issued.certificate_b64).expect("base64");
    let sealed = STANDARD
        .decode(&issued.personalisation_b64)
        .expect("base64");
    TRANSPORT
        .open(&certificate, &sealed)
        .expect("sealed to the helper")
}

/// A blank card's key pair: the card makes one; here an RSA key the PKI made stands in.
pub(crate) fn blank_card_key(portal: &Portal) -> KeyPair {
    let pem = portal.citizen_card("空白卡").private_key_pem.expect("key");
    KeyPair::from_pem(&pem).expect("key")
}

async fn call(
    portal: &Portal,
    function: &str,
    form: &[(&str, &str)],
    cookie: &str,
) -> (StatusCode, String) {
    let response = portal
        .post(&format!("/api/{function}"), form, Some(cookie))
        .await;
    let status = response.status();
    (status, body_text(response).await)
}

async fn apply(portal: &Portal, form: &[(&'static str, String)]) -> String {
    let (status, html) = submit(portal, APPLY, form).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    reference_in(&html)
}

/// `begin` for `reference`, the contacts confirmed, which must be refused: the refusal's body.
pub(crate) async fn begin_refused(portal: &Portal, cookie: &str, reference: &str) -> String {
    let (status, body) = call(
        portal,
        "moica_counter_begin",
        &[("reference", reference), ("contacts_confirmed", "true")],
        cookie,
    )
    .await;
    assert_ne!(status, StatusCode::OK, "{body}");
    body
}

/// The counter's application form posted to its page: the status and the page.
async fn post_counter_form(
    portal: &Portal,
    cookie: &str,
    form: &[(&'static str, String)],
) -> (StatusCode, String) {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    portal
        .post_page("/admin/certificate/issue", Some(cookie), &fields)
        .await
}

/// `begin` for `reference`, the registrar having confirmed its number and contacts with the
/// applicant.
async fn begin(portal: &Portal, cookie: &str, reference: &str) -> IssuanceTicket {
    let (status, body) = call(
        portal,
        "moica_counter_begin",
        &[("reference", reference), ("contacts_confirmed", "true")],
        cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("a ticket")
}

/// What the counter page sends once the card made `key` (and proved it) and `signer` signed
/// `statement`.
#[allow(clippy::too_many_arguments)]
async fn issue_signed(
    portal: &Portal,
    cookie: &str,
    reference: &str,
    card_number: &str,
    challenge: &str,
    key: &KeyPair,
    registrar: &Issued,
    signer: &KeyPair,
    statement: &str,
) -> (StatusCode, String) {
    let request = Signed::honest(
        reference,
        card_number,
        challenge,
        key,
        registrar,
        signer,
        statement,
    );
    issue_request(portal, cookie, &request).await
}

/// An issuance as the page sends it: the card's `key`, the proof of it made with `prover`,
/// and the `statement` signed by `signer`.
struct Signed<'a> {
    reference: &'a str,
    card_number: &'a str,
    challenge: &'a str,
    key: &'a KeyPair,
    prover: &'a KeyPair,
    registrar: &'a Issued,
    signer: &'a KeyPair,
    statement: &'a str,
    /// The transport key the page sends; the card's proof names the helper's, [`TRANSPORT`].
    sealed_to: &'a TransportKey,
    /// The number the card's chip carries, whose factory key attests the card's key; `None`
    /// for a page posing as a blank card, with a key of its own.
    chip: Option<&'a str>,
    /// The key the chip attests (the card's own, `key`, when it is honest).
    attested: &'a KeyPair,
}

impl<'a> Signed<'a> {
    /// An honest issuance onto `card_number`: the card's own key proves itself and is attested
    /// by the chip of that number, and the codes are sealed to the helper.
    fn honest(
        reference: &'a str,
        card_number: &'a str,
        challenge: &'a str,
        key: &'a KeyPair,
        registrar: &'a Issued,
        signer: &'a KeyPair,
        statement: &'a str,
    ) -> Signed<'a> {
        Signed {
            reference,
            card_number,
            challenge,
            key,
            prover: key,
            registrar,
            signer,
            statement,
            sealed_to: &TRANSPORT,
            chip: Some(card_number),
            attested: key,
        }
    }
}

async fn issue_request(
    portal: &Portal,
    cookie: &str,
    request: &Signed<'_>,
) -> (StatusCode, String) {
    let Signed {
        reference,
        card_number,
        challenge,
        key,
        prover,
        registrar,
        signer,
        statement,
        sealed_to,
        chip,
        attested,
    } = request;
    let public_key = STANDARD.encode(key.subject_public_key_info());
    let signature = STANDARD.encode(
        signer
            .sign(&card_signed(statement.as_bytes()))
            .expect("signature"),
    );
    let helper_transport_key = STANDARD.encode(TRANSPORT.public_key());
    let transport_key = STANDARD.encode(sealed_to.public_key());
    let proof = card_statement(KEY_PROOF, challenge, card_number);
    let key_proof = card_key_proof(&helper_transport_key, proof.as_bytes());
    let key_signature = STANDARD.encode(prover.sign(&key_proof).expect("signature"));
    let attestation = STANDARD.encode(attest(
        portal,
        *chip,
        &attested.subject_public_key_info(),
        &key_proof,
    ));
    let certificate = STANDARD.encode(&registrar.certificate_der);
    call(
        portal,
        "moica_counter_issue",
        &[
            ("reference", reference),
            ("card_number", card_number),
            ("challenge", challenge),
            ("public_key_b64", &public_key),
            ("transport_key_b64", &transport_key),
            ("certificate_b64", &certificate),
            ("signature_b64", &signature),
            ("key_signature_b64", &key_signature),
            ("attestation_b64", &attestation),
        ],
        cookie,
    )
    .await
}

/// What the blank card numbered `chip` answers when it attests that it made `spki` and signed
/// `key_proof` with it; `None`: a tag under a key of the page's own.
fn attest(portal: &Portal, chip: Option<&str>, spki: &[u8], key_proof: &[u8]) -> Vec<u8> {
    use ring::hmac;
    let (number, factory_key) = match chip {
        Some(number) => (
            number,
            portal.pki.card_factory_key(number).expect("factory key"),
        ),
        None => (CARD, [7; 32]),
    };
    let digest = ring::digest::digest(&ring::digest::SHA256, key_proof);
    let message = card_helper::protocol::card_attestation_message(number, spki, digest.as_ref());
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &factory_key), &message)
        .as_ref()
        .to_vec()
}

/// The statement over issuing `reference` onto `card_number` with the card's `key`, and the
/// registrar's own key that signs it.
fn signed_by(
    registrar: &Issued,
    challenge: &str,
    reference: &str,
    card_number: &str,
    key: &KeyPair,
) -> (String, KeyPair) {
    let statement = issuance_statement(
        challenge,
        reference,
        card_number,
        &STANDARD.encode(key.subject_public_key_info()),
    );
    let signer =
        KeyPair::from_pem(registrar.private_key_pem.as_deref().expect("key")).expect("key");
    (statement, signer)
}

/// The whole issuance as the page runs it, signed by `registrar`'s own key.
pub(crate) async fn issue(
    portal: &Portal,
    cookie: &str,
    reference: &str,
    card_number: &str,
    key: &KeyPair,
    registrar: &Issued,
) -> (StatusCode, String) {
    let ticket = begin(portal, cookie, reference).await;
    let (statement, signer) = signed_by(registrar, &ticket.challenge, reference, card_number, key);
    issue_signed(
        portal,
        cookie,
        reference,
        card_number,
        &ticket.challenge,
        key,
        registrar,
        &signer,
        &statement,
    )
    .await
}

/// [`issue`] onto a fresh blank card.
pub(crate) async fn issue_on_blank(
    portal: &Portal,
    cookie: &str,
    reference: &str,
    card_number: &str,
    registrar: &Issued,
) -> (StatusCode, String) {
    let key = blank_card_key(portal);
    issue(portal, cookie, reference, card_number, &key, registrar).await
}

async fn status_of(portal: &Portal, reference: &str) -> (String, Option<String>, Option<String>) {
    sqlx::query_as(
        "SELECT status, user_code_sealed, pin_sealed FROM moica_applications WHERE reference = $1",
    )
    .bind(reference)
    .fetch_one(pool(portal))
    .await
    .expect("application")
}

async fn certificates(portal: &Portal) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM moica_certificates")
        .fetch_one(pool(portal))
        .await
        .expect("count")
}

#[tokio::test]
async fn c2_a_registrar_of_any_office_issues_the_pre_applied_card_and_the_citizen_signs_in_with_it()
{
    let portal = Portal::start().await;
    let reference = apply(&portal, &chosen_pin(wang(), "135790")).await;
    let (registrar, cookie) = registrar(&portal).await;

    // Found by 申請編號 and by ID number, checked against the registry again.
    for query in [reference.as_str(), "A123456789"] {
        let (status, body) =
            call(&portal, "moica_counter_find", &[("query", query)], &cookie).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let found: Option<CounterApplication> = serde_json::from_str(&body).expect("JSON");
        let found = found.expect("the application");
        assert_eq!(
            (found.reference.as_str(), found.name.as_str()),
            (reference.as_str(), "王小明")
        );
        assert_eq!(
            (found.status, found.issuable()),
            (ApplicationStatus::Submitted, true)
        );
        assert_eq!(found.masked_id, "A1*****789");
        assert!(!body.contains("Code2024x") && !body.contains("135790"));
    }

    // The ticket is the challenge alone: the registrar's page never reads the codes.
    let (status, body) = call(
        &portal,
        "moica_counter_begin",
        &[("reference", &reference), ("contacts_confirmed", "true")],
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!body.contains("Code2024x") && !body.contains("135790"));
    let ticket: IssuanceTicket = serde_json::from_str(&body).expect("a ticket");

    let key = blank_card_key(&portal);
    let (statement, signer) = signed_by(&registrar, &ticket.challenge, &reference, CARD, &key);
    let send = || {
        issue_signed(
            &portal,
            &cookie,
            &reference,
            CARD,
            &ticket.challenge,
            &key,
            &registrar,
            &signer,
            &statement,
        )
    };
    let (status, body) = send().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let issued: IssuedCard = serde_json::from_str(&body).expect("JSON");
    assert_eq!((issued.card_number.as_str(), issued.fee), (CARD, 250));
    // What the card is personalised with is sealed to the card helper alone (issue 21 item
    // 10): the citizen's codes and the card's management key.
    assert!(!body.contains("Code2024x") && !body.contains("135790"));
    let secrets = personalisation(&issued);
    assert_eq!(
        (secrets.user_code.as_str(), secrets.pin.as_str()),
        ("Code2024x", "135790")
    );
    let management_key = portal
        .pki
        .card_management_key(&key.subject_public_key_info())
        .expect("key");
    assert_eq!(secrets.management_key, management_key.to_vec());
    // 112/11/17 + 5 years.
    assert!(
        issued.not_after.starts_with("117/11/17"),
        "{}",
        issued.not_after
    );

    // The certificate: MOICA's, for 王小明 …6789, of exactly the card's key.
    let der = STANDARD.decode(&issued.certificate_b64).expect("base64");
    let trust = TrustStore::load(&portal.pki.trust_dir()).expect("trust store");
    let checked = trust
        .check_certificate(&der, Purpose::CitizenCard, portal.now())
        .expect("valid");
    assert_eq!(
        (checked.subject_name(), checked.id_last4()),
        (Some("王小明"), Some("6789"))
    );
    assert_eq!(
        checked.public_key_spki(),
        key.subject_public_key_info().as_slice()
    );

    // Recorded with its application, fee, office and registrar; the codes are gone.
    let (application_id, fee, office, issued_by, card): (Option<i64>, Option<i64>, Option<String>, Option<i64>, String) = sqlx::query_as(
        "SELECT application_id, fee, household_office_code, issued_by, card_number FROM moica_certificates",
    )
    .fetch_one(pool(&portal))
    .await
    .expect("the certificate row");
    assert!(application_id.is_some() && issued_by.is_some());
    assert_eq!(
        (fee, office.as_deref(), card.as_str()),
        (Some(250), Some("65000010"), CARD)
    );
    assert_eq!(
        status_of(&portal, &reference).await,
        ("issued".into(), None, None)
    );

    // The notice names the card, never the codes.
    let (body,): (String,) = sqlx::query_as(
        "SELECT body FROM outbox WHERE subject LIKE '自然人憑證發證通知%' AND to_addr = 'applicant@example.com'",
    )
    .fetch_one(pool(&portal))
    .await
    .expect("the notice");
    assert!(body.contains(CARD) && body.contains(&issued.serial));
    assert!(!body.contains("Code2024x") && !body.contains("135790"));
    let actions: Vec<String> = portal
        .audit_actions()
        .await
        .into_iter()
        .map(|(_, action)| action)
        .collect();
    for action in [
        "moica_issuance.view",
        "moica_issuance.begin",
        "moica_issuance.issue",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }

    // The challenge served once; the application cannot be issued twice.
    let (status, body) = send().await;
    assert_ne!(status, StatusCode::OK);
    assert!(body.contains("已逾時") || body.contains("已使用"), "{body}");
    let body = begin_refused(&portal, &cookie, &reference).await;
    assert!(body.contains("已發證"), "{body}");

    // The first sign-in with the new card (its key signs the challenge).
    let card = Issued {
        family: app::pki::CaFamily::Moica,
        serial_hex: issued.serial.clone(),
        certificate_pem: String::new(),
        certificate_der: der,
        private_key_pem: Some(key.serialize_pem()),
    };
    let response = portal.sign_in("Citizen", "", &card).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        body_text(response).await
    );
}

#[tokio::test]
async fn c2_the_ra_refuses_a_forged_registrar_signature_and_issues_nothing() {
    let portal = Portal::start().await;
    let reference = apply(&portal, &wang()).await;
    let (registrar, cookie) = registrar(&portal).await;
    let key = blank_card_key(&portal);
    let public_key = STANDARD.encode(key.subject_public_key_info());
    let own = KeyPair::from_pem(registrar.private_key_pem.as_deref().expect("key")).expect("key");
    let forger = blank_card_key(&portal);

    // Another key under the registrar's certificate; the registrar's key over another card
    // number than the one sent; over another challenge.
    let right = |challenge: &str| issuance_statement(challenge, &reference, CARD, &public_key);
    let other_card = |challenge: &str| {
        issuance_statement(challenge, &reference, "TP04000000099999", &public_key)
    };
    let other_challenge = |_: &str| issuance_statement("another", &reference, CARD, &public_key);
    let cases: [(&KeyPair, &Statement); 3] = [
        (&forger, &right),
        (&own, &other_card),
        (&own, &other_challenge),
    ];
    for (signer, statement) in cases {
        let ticket = begin(&portal, &cookie, &reference).await;
        let (status, body) = issue_signed(
            &portal,
            &cookie,
            &reference,
            CARD,
            &ticket.challenge,
            &key,
            &registrar,
            signer,
            &statement(&ticket.challenge),
        )
        .await;
        assert_ne!(status, StatusCode::OK);
        assert!(body.contains("註冊中心拒絕"), "{body}");
    }
    assert_eq!(certificates(&portal).await, 0);
    assert_eq!(status_of(&portal, &reference).await.0, "submitted");
    let refused = portal.audited("moica_issuance.refused").await;
    assert_eq!(refused, 3);
}

#[tokio::test]
async fn c2_the_ra_refuses_a_signature_by_another_staff_members_card() {
    let portal = Portal::start().await;
    let reference = apply(&portal, &wang()).await;
    let (_, cookie) = registrar(&portal).await;
    let colleague = portal
        .staff("李小華", Role::HouseholdRegistrar, "office:63000030")
        .await;
    let key = blank_card_key(&portal);
    let (status, body) = issue(&portal, &cookie, &reference, CARD, &key, &colleague).await;
    assert_ne!(status, StatusCode::OK);
    assert!(body.contains("非目前登入之登記人員"), "{body}");
    assert_eq!(certificates(&portal).await, 0);
}

#[tokio::test]
async fn c2_only_registrars_work_the_counter() {
    let portal = Portal::start().await;
    let reference = apply(&portal, &wang()).await;
    let clerk = portal
        .staff("李小華", Role::HouseholdClerk, "office:63000030")
        .await;
    let cookie = portal.session("Staff", "", &clerk).await;
    for (function, field) in [
        ("moica_counter_find", "query"),
        ("moica_counter_begin", "reference"),
    ] {
        let (status, body) = call(&portal, function, &[(field, &reference)], &cookie).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{function}: {body}");
        assert!(!body.contains("王小明"));
    }
    let response = portal
        .post("/api/moica_counter_find", &[("query", &reference)], None)
        .await;
    assert_ne!(response.status(), StatusCode::OK);
    let (status, _) = call(
        &portal,
        "moica_counter_issue",
        &[
            ("reference", &reference),
            ("card_number", CARD),
            ("challenge", "x"),
            ("public_key_b64", "AA=="),
            ("transport_key_b64", "AA=="),
            ("certificate_b64", "AA=="),
            ("signature_b64", "AA=="),
            ("key_signature_b64", "AA=="),
            ("attestation_b64", "AA=="),
        ],
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn c1_the_counter_checks_eligibility_again_and_refuses_a_citizen_now_under_guardianship() {
    let portal = Portal::start().await;
    let reference = apply(&portal, &wang()).await;
    sqlx::query("UPDATE citizens SET under_guardianship = TRUE WHERE national_id = 'A123456789'")
        .execute(pool(&portal))
        .await
        .expect("registry change");
    let (_, cookie) = registrar(&portal).await;
    let (_, body) = call(
        &portal,
        "moica_counter_find",
        &[("query", &reference)],
        &cookie,
    )
    .await;
    let found: Option<CounterApplication> = serde_json::from_str(&body).expect("JSON");
    let found = found.expect("found");
    assert!(!found.issuable());
    assert_eq!(found.ineligible.len(), 1);
    let body = begin_refused(&portal, &cookie, &reference).await;
    assert!(body.contains("受監護宣告"), "{body}");
}

#[tokio::test]
async fn c2_a_card_number_holding_an_active_certificate_is_not_issued_again() {
    let portal = Portal::start().await;
    let wang_reference = apply(&portal, &wang()).await;
    let lin_reference = apply(&portal, &application("F228135791", "林美玲", "79/7/15")).await;
    let (registrar, cookie) = registrar(&portal).await;
    let (status, body) = issue_on_blank(&portal, &cookie, &wang_reference, CARD, &registrar).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = issue_on_blank(&portal, &cookie, &lin_reference, CARD, &registrar).await;
    assert_ne!(status, StatusCode::OK);
    assert!(body.contains("已有有效之憑證"), "{body}");
    assert_eq!(status_of(&portal, &lin_reference).await.0, "submitted");
    // The default PIN is the ROC birth date.
    let (status, body) = issue_on_blank(
        &portal,
        &cookie,
        &lin_reference,
        "TP04000000054321",
        &registrar,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let issued: IssuedCard = serde_json::from_str(&body).expect("JSON");
    assert_eq!(personalisation(&issued).pin, "790715");
}

#[tokio::test]
async fn c2_a_search_that_is_neither_reference_nor_id_number_is_named() {
    let portal = Portal::start().await;
    let (_, cookie) = registrar(&portal).await;
    let (_, body) = call(
        &portal,
        "moica_counter_find",
        &[("query", "nobody")],
        &cookie,
    )
    .await;
    assert!(body.contains("請輸入申請編號"), "{body}");
    let (status, body) = call(
        &portal,
        "moica_counter_find",
        &[("query", "F228135791")],
        &cookie,
    )
    .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "null"));
}

#[tokio::test]
async fn c2_the_counter_page_shows_the_application_and_the_issuing_island() {
    let portal = Portal::start().await;
    let reference = apply(&portal, &wang()).await;
    let (_, cookie) = registrar(&portal).await;
    let (status, html) = portal
        .post_page(
            "/admin/certificate/issue",
            Some(&cookie),
            &[("q", &reference)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for shown in [
        "王小明",
        "A1*****789",
        "73/01/01",
        "待領取",
        "NT$250",
        "製發憑證",
    ] {
        assert!(html.contains(shown), "{shown} in {html}");
    }
    let home = body_text(portal.page("/admin", Some(&cookie)).await).await;
    assert!(home.contains("/admin/certificate/issue"), "{home}");
}

/// 王小明's card issued at the counter on [`CARD`] (default PIN), as his card helper would
/// hold it, and the registrar's session cookie.
pub(crate) async fn wang_issued(portal: &Portal) -> (Issued, String) {
    let reference = apply(portal, &wang()).await;
    let (registrar, cookie) = registrar(portal).await;
    let key = blank_card_key(portal);
    let (status, body) = issue(portal, &cookie, &reference, CARD, &key, &registrar).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let issued: IssuedCard = serde_json::from_str(&body).expect("JSON");
    let card = Issued {
        family: app::pki::CaFamily::Moica,
        serial_hex: issued.serial,
        certificate_pem: String::new(),
        certificate_der: STANDARD.decode(&issued.certificate_b64).expect("base64"),
        private_key_pem: Some(key.serialize_pem()),
    };
    (card, cookie)
}

/// How many MOICA certificates the development CA has issued and revoked so far.
fn moica_issued_and_revoked(portal: &Portal) -> (usize, usize) {
    let dir = portal.pki.trust_dir();
    let dir = dir.parent().expect("the PKI directory");
    let issued = std::fs::read_dir(dir.join("issued/moica"))
        .map(|entries| entries.count())
        .unwrap_or(0);
    let revoked = std::fs::read_to_string(dir.join("revoked/moica.txt"))
        .map(|text| text.lines().count())
        .unwrap_or(0);
    (issued, revoked)
}

#[tokio::test]
async fn c2_a_certificate_the_ra_could_not_record_is_revoked_again() {
    let portal = Portal::start().await;
    let reference = apply(&portal, &wang()).await;
    let (registrar, cookie) = registrar(&portal).await;
    // The record fails after the CA issued: closing the application is refused.
    let statements: &[&str] = match crate::support::backend(&portal.app.test_db) {
        app::platform::db::Backend::Sqlite => &[
            "CREATE TRIGGER refuse_issue BEFORE UPDATE ON moica_applications \
             WHEN NEW.status = 'issued' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ],
        app::platform::db::Backend::Postgres => &[
            "CREATE FUNCTION refuse_issue() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_issue BEFORE UPDATE ON moica_applications FOR EACH ROW \
             WHEN (NEW.status = 'issued') EXECUTE FUNCTION refuse_issue()",
        ],
    };
    for statement in statements {
        sqlx::query(statement)
            .execute(pool(&portal))
            .await
            .expect("trigger");
    }
    let before = moica_issued_and_revoked(&portal);
    let (status, _) = issue_on_blank(&portal, &cookie, &reference, CARD, &registrar).await;
    assert_ne!(status, StatusCode::OK);
    let after = moica_issued_and_revoked(&portal);
    // The blank-card stand-in is one issuance; the CA's certificate for the card the other.
    assert_eq!(
        (after.0 - before.0, after.1 - before.1),
        (2, 1),
        "{before:?} {after:?}"
    );
    assert_eq!(certificates(&portal).await, 0);
    assert_eq!(status_of(&portal, &reference).await.0, "submitted");
}

#[tokio::test]
async fn c2_a_challenge_serves_only_its_own_issuance() {
    let portal = Portal::start().await;
    let reference = apply(&portal, &wang()).await;
    let (registrar, cookie) = registrar(&portal).await;
    let key = blank_card_key(&portal);
    let signer =
        KeyPair::from_pem(registrar.private_key_pem.as_deref().expect("key")).expect("key");
    let public_key = STANDARD.encode(key.subject_public_key_info());
    // A sign-in challenge, and another registrar's issuance challenge, are refused.
    let sign_in = portal.challenge().await;
    let (colleague_card, colleague) = {
        let card = portal
            .staff("李小華", Role::HouseholdRegistrar, "office:63000030")
            .await;
        let cookie = portal.session("Staff", "", &card).await;
        (card, cookie)
    };
    drop(colleague_card);
    let theirs = begin(&portal, &colleague, &reference).await.challenge;
    for challenge in [sign_in, theirs] {
        let statement = issuance_statement(&challenge, &reference, CARD, &public_key);
        let (status, body) = issue_signed(
            &portal, &cookie, &reference, CARD, &challenge, &key, &registrar, &signer, &statement,
        )
        .await;
        assert_ne!(status, StatusCode::OK);
        assert!(body.contains("已逾時") || body.contains("已使用"), "{body}");
    }
    // An ID number is no reference for issuing.
    begin_refused(&portal, &cookie, "A123456789").await;
    assert_eq!(certificates(&portal).await, 0);
}

#[tokio::test]
async fn c2_a_card_number_whose_certificate_is_suspended_or_revoked_is_still_used() {
    let portal = Portal::start().await;
    let wang_reference = apply(&portal, &wang()).await;
    let lin_reference = apply(&portal, &application("F228135791", "林美玲", "79/7/15")).await;
    let (registrar, cookie) = registrar(&portal).await;
    let (status, body) = issue_on_blank(&portal, &cookie, &wang_reference, CARD, &registrar).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Revoked too (issue 21 item 10): a blank card made again with a used number gets nothing.
    for status in ["suspended", "revoked"] {
        sqlx::query("UPDATE moica_certificates SET status = $1 WHERE card_number = $2")
            .bind(status)
            .bind(CARD)
            .execute(pool(&portal))
            .await
            .expect("status");
        let (code, body) = issue_on_blank(&portal, &cookie, &lin_reference, CARD, &registrar).await;
        assert_ne!(code, StatusCode::OK, "{status}");
        assert!(body.contains("已有有效之憑證，或為已使用之卡片"), "{body}");
    }
    assert_eq!(status_of(&portal, &lin_reference).await.0, "submitted");
}

#[tokio::test]
async fn c2_without_a_pre_application_the_registrar_takes_one_at_the_counter_and_issues_it() {
    let portal = Portal::start().await;
    let (registrar, cookie) = registrar(&portal).await;
    // Nothing online: the search offers the counter form, with the ID number filled in.
    let (_, html) = portal
        .post_page(
            "/admin/certificate/issue",
            Some(&cookie),
            &[("q", "A123456789")],
        )
        .await;
    assert!(
        html.contains("臨櫃填寫申請書") && html.contains("value=\"A123456789\""),
        "{html}"
    );
    assert!(
        !html.contains("captcha"),
        "no CAPTCHA at the counter: {html}"
    );

    // A field that does not parse is named, and nothing is stored.
    let typed = chosen_pin(wang(), "246813");
    let mut bad = typed.clone();
    bad.retain(|(k, _)| *k != "email");
    let (status, html) = post_counter_form(&portal, &cookie, &bad).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("請修正下列標示的欄位"), "{html}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM moica_applications")
        .fetch_one(pool(&portal))
        .await
        .expect("count");
    assert_eq!(count, 0);

    // The whole form: taken as a counter application and shown ready to issue.
    let (status, html) = post_counter_form(&portal, &cookie, &typed).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("待領取") && html.contains("製發憑證"),
        "{html}"
    );
    let (reference, channel): (String, String) =
        sqlx::query_as("SELECT reference, channel FROM moica_applications")
            .fetch_one(pool(&portal))
            .await
            .expect("the application");
    assert_eq!(channel, "counter");
    assert!(html.contains(&reference));
    let (status, body) = issue_on_blank(&portal, &cookie, &reference, CARD, &registrar).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let secrets = personalisation(&serde_json::from_str(&body).expect("JSON"));
    assert_eq!(
        (secrets.user_code.as_str(), secrets.pin.as_str()),
        ("Code2024x", "246813")
    );
    let submitted_by: String =
        sqlx::query_scalar("SELECT actor FROM audit_log WHERE action = 'moica_application.submit'")
            .fetch_one(pool(&portal))
            .await
            .expect("audit");
    assert!(submitted_by.starts_with("staff:"), "{submitted_by}");
}

#[tokio::test]
async fn c2_a_counter_application_is_checked_against_the_registry() {
    let portal = Portal::start().await;
    let (_, cookie) = registrar(&portal).await;
    let wrong = application("A123456789", "王小華", "73/1/1");
    let (_, html) = post_counter_form(&portal, &cookie, &wrong).await;
    assert!(html.contains("身分資料與戶籍資料不符"), "{html}");
    let minor = application("E109273648", "張家豪", "98/6/1");
    let (_, html) = post_counter_form(&portal, &cookie, &minor).await;
    assert!(html.contains("年滿 18 歲"), "{html}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM moica_applications")
        .fetch_one(pool(&portal))
        .await
        .expect("count");
    assert_eq!(count, 0);
    // Clerks cannot take one.
    let clerk = portal
        .staff("李小華", Role::HouseholdClerk, "office:63000030")
        .await;
    let clerk = portal.session("Staff", "", &clerk).await;
    let (_, html) = post_counter_form(&portal, &clerk, &wang()).await;
    assert!(html.contains("403 無權限"), "{html}");
}

#[tokio::test]
async fn c2_the_ra_refuses_a_card_that_does_not_prove_it_holds_the_key_to_certify() {
    let portal = Portal::start().await;
    let reference = apply(&portal, &wang()).await;
    let (registrar, cookie) = registrar(&portal).await;
    let ticket = begin(&portal, &cookie, &reference).await;
    let key = blank_card_key(&portal);
    let (statement, signer) = signed_by(&registrar, &ticket.challenge, &reference, CARD, &key);
    // Someone else's key signs the proof: the key offered for certification is not the card's.
    let other = blank_card_key(&portal);
    let request = Signed {
        prover: &other,
        ..Signed::honest(
            &reference,
            CARD,
            &ticket.challenge,
            &key,
            &registrar,
            &signer,
            &statement,
        )
    };
    let (status, body) = issue_request(&portal, &cookie, &request).await;
    assert_ne!(status, StatusCode::OK);
    assert!(body.contains("未能以新產生之金鑰簽章"), "{body}");
    assert_eq!(certificates(&portal).await, 0);
    assert!(portal
        .audit_actions()
        .await
        .iter()
        .any(|(_, action)| action == "moica_issuance.refused"));
}

/// Issue 21 item 10: a page that relays the card's answer but sends a transport key of its own,
/// to have the citizen's codes sealed to it, is refused: the card's proof names the helper's
/// key, which the page cannot change. Nothing is issued and the codes stay sealed at rest.
#[tokio::test]
async fn security_21_10_a_transport_key_the_card_did_not_sign_is_refused() {
    let portal = Portal::start().await;
    let reference = apply(&portal, &chosen_pin(wang(), "135790")).await;
    let (registrar, cookie) = registrar(&portal).await;
    let ticket = begin(&portal, &cookie, &reference).await;
    let key = blank_card_key(&portal);
    let (statement, signer) = signed_by(&registrar, &ticket.challenge, &reference, CARD, &key);
    let page_key = TransportKey::generate();
    let request = Signed {
        sealed_to: &page_key,
        ..Signed::honest(
            &reference,
            CARD,
            &ticket.challenge,
            &key,
            &registrar,
            &signer,
            &statement,
        )
    };
    let (status, body) = issue_request(&portal, &cookie, &request).await;
    assert_ne!(status, StatusCode::OK);
    assert!(body.contains("未能以新產生之金鑰簽章"), "{body}");
    assert!(!body.contains("personalisation_b64"), "{body}");
    assert_eq!(certificates(&portal).await, 0);
    let (status, user_code, pin) = status_of(&portal, &reference).await;
    assert_eq!(
        (status.as_str(), user_code.is_some(), pin.is_some()),
        ("submitted", true, true)
    );
}

/// Issuance on the timelines (issue 17): the application goes from waiting to issued by the
/// registrar, and the certificate recorded for it starts its own case, active.
#[tokio::test]
async fn c2_the_issuance_closes_the_applications_timeline_and_opens_the_certificates() {
    let portal = Portal::start().await;
    let reference = apply(&portal, &wang()).await;
    let (registrar, cookie) = registrar(&portal).await;
    let (status, body) = issue_on_blank(&portal, &cookie, &reference, CARD, &registrar).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let events: Vec<(String, String, Option<String>, String, String)> = sqlx::query_as(
        "SELECT case_type, case_id, from_state, to_state, action FROM case_events \
         WHERE action = 'issue' ORDER BY id",
    )
    .fetch_all(pool(&portal))
    .await
    .expect("timeline");
    let certificate: i64 =
        sqlx::query_scalar("SELECT id FROM moica_certificates WHERE card_number = $1")
            .bind(CARD)
            .fetch_one(pool(&portal))
            .await
            .expect("certificate");
    assert_eq!(
        events,
        [
            (
                "moica_services".to_owned(),
                certificate.to_string(),
                None,
                "active".to_owned(),
                "issue".to_owned()
            ),
            (
                "moica_application".to_owned(),
                reference,
                Some("submitted".to_owned()),
                "issued".to_owned(),
                "issue".to_owned()
            ),
        ]
    );
}

/// The audit details of every issuance begun.
async fn begun(portal: &Portal) -> Vec<String> {
    sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'moica_issuance.begin'")
        .fetch_all(pool(portal))
        .await
        .expect("audit")
}

/// Whoever knows a citizen's ID number, name and birth date may file the newest application,
/// with their own e-mail, 用戶代碼 and PIN (issue 21 item 5): before the card is handed over,
/// the registrar confirms its number and contacts with the person at the counter, and says so
/// to the server, which refuses to begin otherwise.
#[tokio::test]
async fn security_21_5_the_registrar_confirms_number_and_contacts_with_the_applicant_first() {
    let portal = Portal::start().await;
    let reference = apply(&portal, &wang()).await;
    let (registrar, cookie) = registrar(&portal).await;
    // The page shows what to confirm, asks for the confirmation, and offers the counter form
    // for an applicant who does not recognise them.
    let (status, html) = portal
        .post_page(
            "/admin/certificate/issue",
            Some(&cookie),
            &[("q", "A123456789")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for shown in [
        reference.as_str(),
        "applicant@example.com",
        "name=\"contacts_confirmed\"",
        "已與申請人本人核對",
        "臨櫃填寫申請書",
    ] {
        assert!(html.contains(shown), "{shown} in {html}");
    }

    for unconfirmed in [
        vec![("reference", reference.as_str())],
        vec![
            ("reference", reference.as_str()),
            ("contacts_confirmed", "false"),
        ],
    ] {
        let (status, body) = call(&portal, "moica_counter_begin", &unconfirmed, &cookie).await;
        assert_ne!(status, StatusCode::OK, "{body}");
        assert!(body.contains("請先與申請人本人核對"), "{body}");
        assert!(!body.contains("Code2024x"), "{body}");
    }
    assert!(begun(&portal).await.is_empty());

    let (status, body) = issue_on_blank(&portal, &cookie, &reference, CARD, &registrar).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = begun(&portal).await;
    assert_eq!(details.len(), 1);
    assert!(
        details[0].contains("\"contacts_confirmed\":true"),
        "{details:?}"
    );
}

/// The counter took the application with the applicant's ID card in hand: a pre-application by
/// knowledge alone does not replace it, and is told so as a mismatch (issue 21 item 5); the
/// counter, proving with the card again, still can.
#[tokio::test]
async fn security_21_5_a_pre_application_by_knowledge_alone_does_not_replace_one_taken_at_the_counter(
) {
    let portal = Portal::start().await;
    let (_, cookie) = registrar(&portal).await;
    let (status, html) = post_counter_form(&portal, &cookie, &wang()).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let taken: String = sqlx::query_scalar("SELECT reference FROM moica_applications")
        .fetch_one(pool(&portal))
        .await
        .expect("the counter's application");

    let stranger = with(
        chosen_pin(wang(), "135790"),
        "email",
        "stranger@example.com",
    );
    let (status, html) = submit(&portal, APPLY, &stranger).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("身分資料與戶籍資料不符"), "{html}");
    assert!(!html.contains("線上申請完成"), "{html}");
    let (state, user_code, _) = status_of(&portal, &taken).await;
    assert_eq!((state.as_str(), user_code.is_some()), ("submitted", true));
    let mailed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE to_addr = 'stranger@example.com'")
            .fetch_one(pool(&portal))
            .await
            .expect("mails");
    assert_eq!(mailed, 0);

    let (status, html) = post_counter_form(&portal, &cookie, &wang()).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(status_of(&portal, &taken).await.0, "superseded");
}

/// Issue 21 item 10: the RA certifies only a key that the chip of the card number typed
/// attests, with the factory key the card management centre derives from that number. A page
/// posing as a blank card, holding no factory key, gets no certificate and no sealed codes;
/// nor does a number typed for another card, nor a key the chip did not attest. The
/// application stays open and issues onto the right card afterwards.
#[tokio::test]
async fn security_21_10_only_the_chip_of_the_card_number_typed_attests_its_key() {
    let portal = Portal::start().await;
    let reference = apply(&portal, &chosen_pin(wang(), "135790")).await;
    let (registrar, cookie) = registrar(&portal).await;
    // The chip's own key is not the one offered: the tag of the right number for another key.
    let chips_key = blank_card_key(&portal);
    for (chip, attested) in [
        (Some("TP04000000099999"), None),
        (None, None),
        (Some(CARD), Some(&chips_key)),
    ] {
        let ticket = begin(&portal, &cookie, &reference).await;
        let key = blank_card_key(&portal);
        let (statement, signer) = signed_by(&registrar, &ticket.challenge, &reference, CARD, &key);
        let request = Signed {
            chip,
            attested: attested.unwrap_or(&key),
            ..Signed::honest(
                &reference,
                CARD,
                &ticket.challenge,
                &key,
                &registrar,
                &signer,
                &statement,
            )
        };
        let (status, body) = issue_request(&portal, &cookie, &request).await;
        assert_ne!(status, StatusCode::OK, "{chip:?} {}", attested.is_some());
        assert!(body.contains("IC 卡號與讀卡機中卡片晶片所載不符"), "{body}");
        assert!(body.contains("card_number"), "named on the field: {body}");
        assert_eq!(certificates(&portal).await, 0);
        let (status, user_code, pin) = status_of(&portal, &reference).await;
        assert_eq!(status, "submitted");
        assert!(
            user_code.is_some() && pin.is_some(),
            "the codes stay sealed at rest"
        );
    }
    let refusals = portal
        .audit_actions()
        .await
        .iter()
        .filter(|(_, action)| action == "moica_issuance.refused")
        .count();
    assert_eq!(refusals, 3);

    let (status, body) = issue_on_blank(&portal, &cookie, &reference, CARD, &registrar).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(certificates(&portal).await, 1);
}

#[tokio::test]
async fn c2_a_lost_card_is_replaced_only_once_its_certificate_is_revoked() {
    use crate::moica_services::{serve, REVOKE_IN_PERSON};
    let portal = Portal::start().await;
    let (_, cookie) = wang_issued(&portal).await;
    // Another registrar issues the new card, signing with their own card.
    let registrar_card = registrar(&portal).await;
    // 王小明 lost his card and applies for a new one (補領).
    let reference = apply(&portal, &wang()).await;
    let (status, body) = call(
        &portal,
        "moica_counter_find",
        &[("query", &reference)],
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let found: Option<CounterApplication> = serde_json::from_str(&body).expect("JSON");
    let found = found.expect("the application");
    assert_eq!(found.cards_in_force, [CARD]);
    assert!(!found.issuable());
    // While his old certificate is in force, suspended or not, no second card is issued.
    let body = begin_refused(&portal, &cookie, &reference).await;
    assert!(body.contains("一人不得同時持有二張"), "{body}");
    crate::moica_services::holder_suspends(&portal, &cookie).await;
    let body = begin_refused(&portal, &cookie, &reference).await;
    assert!(body.contains("一人不得同時持有二張"), "{body}");
    assert_eq!(certificates(&portal).await, 1);
    let replacement = "TP04000000012346";

    // Revoked at the counter's card services first, the new card is issued.
    let html = serve(&portal, &cookie, &REVOKE_IN_PERSON).await;
    assert!(html.contains("已廢止"), "{html}");
    let (registrar, own) = registrar_card;
    let (status, body) = issue_on_blank(&portal, &own, &reference, replacement, &registrar).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let in_force: Vec<String> = sqlx::query_scalar(
        "SELECT card_number FROM moica_certificates WHERE status IN ('active', 'suspended')",
    )
    .fetch_all(pool(&portal))
    .await
    .expect("certificates");
    assert_eq!(in_force, [replacement]);
}

#[tokio::test]
async fn c_2_an_online_application_while_a_certificate_is_in_force_tells_its_holder() {
    let portal = Portal::start().await;
    let _ = wang_issued(&portal).await;
    let mails_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(pool(&portal))
        .await
        .expect("count");
    // Someone applies online as 王小明, giving another address.
    let form = with(wang(), "email", "someone-else@example.com");
    let reference = apply(&portal, &form).await;
    let mails: Vec<(String, String, String)> =
        sqlx::query_as("SELECT to_addr, subject, body FROM outbox WHERE id > $1 ORDER BY id")
            .bind(mails_before)
            .fetch_all(pool(&portal))
            .await
            .expect("mails");
    let told: Vec<&(String, String, String)> = mails
        .iter()
        .filter(|(_, subject, _)| subject.contains("已持有有效之自然人憑證"))
        .collect();
    // The holder hears of it at the certificate's address, with the card and the way out;
    // the applicant's address gets only the usual notice.
    assert_eq!(told.len(), 1, "{mails:?}");
    let (to, _, body) = told[0];
    assert_eq!(to, "applicant@example.com");
    assert!(body.contains(CARD) && body.contains(&reference), "{body}");
    assert!(body.contains("臨櫃領取新卡前須先廢止原憑證"), "{body}");
    assert!(mails.iter().any(
        |(to, subject, _)| to == "someone-else@example.com" && subject.contains("線上申請通知")
    ));
    assert!(!mails
        .iter()
        .any(|(to, _, body)| to == "someone-else@example.com" && body.contains(CARD)));
    // Whoever applies again that day, the holder is not flooded: one notice a day.
    let notices = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM outbox WHERE subject LIKE '%已持有有效之自然人憑證%'",
        )
        .fetch_one(pool(&portal))
        .await
        .expect("count")
    };
    let _ = apply(&portal, &form).await;
    assert_eq!(notices().await, 1);
    portal.app.clock.advance(chrono::Duration::days(1));
    let _ = apply(&portal, &form).await;
    assert_eq!(notices().await, 2);
}

#[tokio::test]
async fn c_2_counter_actions_are_taken_only_in_the_offices_hours_which_an_office_may_extend() {
    use app::platform::clock::taipei_to_utc;
    use chrono::NaiveDate;
    use tower::ServiceExt;
    let portal = Portal::start().await;
    // A server that keeps the offices' counter hours (HUJI_COUNTER_HOURS=office, the default).
    let kept = portal.server_with(&Default::default(), |state| {
        state.edit().moica_ca = portal.app.state.moica_ca.clone();
        state.edit().settings = std::sync::Arc::new(app::platform::state::PortalSettings {
            counters_always_open: false,
            ..(*state.settings).clone()
        });
    });
    let reference = apply(&portal, &wang()).await;
    let (card, _) = registrar(&portal).await;
    // The registrar signed in at `day` `hour` (a session idles out across the days moved).
    let at = |day: u32, hour: u32| {
        let local = NaiveDate::from_ymd_opt(2023, 11, day)
            .and_then(|date| date.and_hms_opt(hour, 0, 0))
            .expect("a time");
        portal.app.clock.set(taipei_to_utc(local));
        portal.session("Staff", "", &card)
    };
    let counter = |function: &'static str, cookie: String| {
        let kept = kept.clone();
        let reference = reference.clone();
        async move {
            let form = [
                ("reference", reference.as_str()),
                ("query", reference.as_str()),
                ("contacts_confirmed", "true"),
            ];
            let path = format!("/api/{function}");
            let response = kept
                .oneshot(crate::support::form_post(&path, &form, Some(&cookie)))
                .await
                .expect("an answer");
            (response.status(), body_text(response).await)
        }
    };
    // Friday 112/11/17 evening and Saturday morning: closed, with the hours named (the
    // minutes of the standard hours: `calendar::tests`); finding is a read and still works.
    for (day, hour) in [(17, 18), (18, 10)] {
        let cookie = at(day, hour).await;
        let (status, body) = counter("moica_counter_begin", cookie.clone()).await;
        assert_ne!(status, StatusCode::OK, "{day} {hour}");
        assert!(
            body.contains("非本所臨櫃服務時間") && body.contains("08:30–12:00、13:30–17:00"),
            "{day} {hour}: {body}"
        );
        let (status, body) = counter("moica_counter_find", cookie).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // The registrar's office (新北市板橋區) opens until 20:00: Friday 18:00 is open there.
    let now = portal.now();
    server::admin::offices::run(
        server::admin::offices::OfficesCommand::Hours {
            code: "65000010".into(),
            hours: Some("08:30-12:00,13:30-20:00".into()),
        },
        &portal.app.test_db.db,
        now,
    )
    .await
    .expect("hours set");
    let (status, body) = counter("moica_counter_begin", at(17, 18).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ticket: IssuanceTicket = serde_json::from_str(&body).expect("a ticket");
    assert!(!ticket.challenge.is_empty());
    // Still not on a Saturday, nor past 20:00.
    for (day, hour) in [(18, 10), (17, 20)] {
        let (status, body) = counter("moica_counter_begin", at(day, hour).await).await;
        assert_ne!(status, StatusCode::OK);
        assert!(body.contains("13:30–20:00"), "{day} {hour}: {body}");
    }
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'office.counter_hours' \
         AND subject = 'office:65000010'",
    )
    .fetch_one(pool(&portal))
    .await
    .expect("audit");
    assert_eq!(audited, 1);
}
