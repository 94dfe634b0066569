//! 線上展期 through the real router (C-4): a certificate issued at the counter, its card's
//! signatures made here with the card's key as the card would make them, the development MOICA
//! CA behind the RA, and the window's edges with the injected clock.

use crate::id_card_loss::pool;
use crate::moica_issuance::{wang_issued, CARD};
use crate::moica_services::{card_service_on_card, management_tag};
use crate::support::Portal;
use crate::support::{body_text, card_signed};
use app::pki::{CertificateError, Purpose, TrustStore};
use app::services::certificate::card_services::CounterExtension;
use app::services::certificate::extension::store::extended_not_after;
use app::services::certificate::extension::{CardCertificate, Extendable, Extended, ACTION};
use app::services::certificate::proof::card_statement;
use app::services::staff::role::Role;
use app::services::staff::store::{self as staff, JurisdictionSpec};
use axum::http::StatusCode;
use base64::{engine::general_purpose::STANDARD, Engine};
use card_helper::protocol::replace_authorization_message;
use rcgen::{KeyPair, SigningKey};
use server::pki::Issued;

/// 王小明 in the audit log: by masked ID number, never the whole one.
const WANG: &str = "citizen:A1*****789";
/// 王小明's counter-issued certificate expires 5 years after the test clock's 112/11/17 14:35:04.
const EXPIRES: &str = "117/11/17 14:35:04";
/// … and an extension runs to 3 years after that.
const EXTENDED_UNTIL: &str = "120/11/17 14:35:04";

pub(crate) async fn call(
    portal: &Portal,
    function: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = portal.post(&format!("/api/{function}"), form, None).await;
    let status = response.status();
    (status, body_text(response).await)
}

pub(crate) fn certificate_b64(card: &Issued) -> String {
    STANDARD.encode(&card.certificate_der)
}

pub(crate) async fn status_of(portal: &Portal, card: &Issued) -> CardCertificate {
    let certificate = certificate_b64(card);
    let (status, body) = call(
        portal,
        "moica_extension_status",
        &[("certificate_b64", &certificate)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

pub(crate) async fn begin(portal: &Portal, card: &Issued) -> (StatusCode, String) {
    let certificate = certificate_b64(card);
    call(
        portal,
        "moica_extension_begin",
        &[("certificate_b64", &certificate)],
    )
    .await
}

/// The extension as the page runs it, the statement signed by `signer`.
async fn extend_signed_by(
    portal: &Portal,
    card: &Issued,
    signer: &KeyPair,
) -> (StatusCode, String) {
    let (status, body) = begin(portal, card).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let challenge: String = serde_json::from_str(&body).expect("a challenge");
    let statement = card_statement(ACTION, &challenge, CARD);
    let signature = STANDARD.encode(
        signer
            .sign(&card_signed(statement.as_bytes()))
            .expect("signature"),
    );
    let certificate = certificate_b64(card);
    call(
        portal,
        "moica_extension_extend",
        &[
            ("certificate_b64", &certificate),
            ("challenge", &challenge),
            ("signature_b64", &signature),
        ],
    )
    .await
}

pub(crate) fn card_key(card: &Issued) -> KeyPair {
    KeyPair::from_pem(card.private_key_pem.as_deref().expect("the card's key")).expect("key")
}

pub(crate) async fn extend(portal: &Portal, card: &Issued) -> Extended {
    let (status, body) = extend_signed_by(portal, card, &card_key(card)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

/// Moves the clock to `at` and publishes fresh CRLs then, as `huji pki crl` does weekly.
pub(crate) fn move_to(portal: &Portal, at: i64) {
    portal
        .app
        .clock
        .advance(chrono::Duration::seconds(at - portal.now()));
    portal.pki.write_crls(at).expect("fresh CRLs");
    portal
        .app
        .state
        .trust
        .reload()
        .expect("reload the trust store");
}

pub(crate) async fn not_after(portal: &Portal) -> i64 {
    sqlx::query_scalar("SELECT not_after FROM moica_certificates WHERE card_number = $1")
        .bind(CARD)
        .fetch_one(pool(portal))
        .await
        .expect("the certificate")
}

/// `kind` (Citizen or Staff) signs in with `new` and no longer with `old`.
async fn only_the_first_signs_in(portal: &Portal, kind: &str, new: &Issued, old: &Issued) {
    assert_eq!(portal.sign_in(kind, "", new).await.status(), StatusCode::OK);
    assert_ne!(portal.sign_in(kind, "", old).await.status(), StatusCode::OK);
}

/// The card after its certificate was replaced by `extended`: the same key.
pub(crate) fn with_certificate(card: &Issued, extended: &Extended) -> Issued {
    Issued {
        serial_hex: extended.serial.clone(),
        certificate_der: STANDARD.decode(&extended.certificate_b64).expect("base64"),
        ..card.clone()
    }
}

#[tokio::test]
async fn c4_extension_opens_60_days_before_expiry_runs_3_years_from_it_and_is_done_once() {
    let portal = Portal::start().await;
    let (card, _) = wang_issued(&portal).await;
    let expiry = not_after(&portal).await;

    // A day before the window: not yet, and no challenge is handed out.
    move_to(&portal, expiry - 60 * 86_400 - 1);
    let status = status_of(&portal, &card).await;
    assert_eq!(
        (
            status.card_number.as_str(),
            status.name.as_str(),
            status.not_after.as_str()
        ),
        (CARD, "王小明", EXPIRES)
    );
    assert_eq!(
        status.extendable,
        Extendable::NotYet {
            opens_on: "117/09/18".into()
        }
    );
    let (code, body) = begin(&portal, &card).await;
    assert_ne!(code, StatusCode::OK);
    assert!(body.contains("尚未到可辦理展期的期間"), "{body}");

    // The first second of the window.
    move_to(&portal, expiry - 60 * 86_400);
    assert_eq!(
        status_of(&portal, &card).await.extendable,
        Extendable::Open {
            until: EXTENDED_UNTIL.into()
        }
    );
    // 王小明 also works in the back office with this card.
    let trust = TrustStore::load(&portal.pki.trust_dir()).expect("trust store");
    let checked = trust
        .check_certificate(&card.certificate_der, Purpose::CitizenCard, portal.now())
        .expect("a valid card");
    let office: JurisdictionSpec = "office:63000030".parse().expect("jurisdiction");
    let new = staff::NewStaff {
        name: "王小明",
        role: Role::HouseholdClerk,
        jurisdiction: &office,
        email: None,
    };
    staff::add(&portal.app.test_db.db, &new, &checked, "test", portal.now())
        .await
        .expect("staff account");
    let extended = extend(&portal, &card).await;
    assert_eq!(
        (extended.card_number.as_str(), extended.not_after.as_str()),
        (CARD, EXTENDED_UNTIL)
    );
    assert_ne!(extended.serial, card.serial_hex);

    // The new certificate: MOICA's, for the same card key; the replaced one is revoked.
    let renewed = with_certificate(&card, &extended);
    let trust = TrustStore::load(&portal.pki.trust_dir()).expect("trust store");
    let checked = trust
        .check_certificate(&renewed.certificate_der, Purpose::CitizenCard, portal.now())
        .expect("a valid citizen certificate");
    let old = trust
        .check_certificate(&card.certificate_der, Purpose::CitizenCard, portal.now())
        .expect_err("the replaced certificate is revoked");
    assert_eq!(old, CertificateError::Revoked);
    assert_eq!(checked.subject_name(), Some("王小明"));
    assert_eq!(checked.id_last4(), Some("6789"));
    let (original, extended_at): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT original_not_after, extended_at FROM moica_certificates WHERE card_number = $1",
    )
    .bind(CARD)
    .fetch_one(pool(&portal))
    .await
    .expect("the record");
    assert_eq!((original, extended_at), (Some(expiry), Some(portal.now())));

    // The card signs in with the new certificate only.
    only_the_first_signs_in(&portal, "Citizen", &renewed, &card).await;
    // … and the staff account followed the card to it.
    only_the_first_signs_in(&portal, "Staff", &renewed, &card).await;

    // Once only.
    assert_eq!(
        status_of(&portal, &renewed).await.extendable,
        Extendable::AlreadyExtended
    );
    let (code, body) = begin(&portal, &renewed).await;
    assert_ne!(code, StatusCode::OK);
    assert!(body.contains("每張憑證限展期一次"), "{body}");

    // A card still holding the replaced certificate is offered the new one again.
    assert_eq!(
        status_of(&portal, &card).await.extendable,
        Extendable::NotWritten
    );
    let certificate = certificate_b64(&card);
    let (code, body) = call(
        &portal,
        "moica_extension_certificate",
        &[("certificate_b64", &certificate)],
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let again: Extended = serde_json::from_str(&body).expect("JSON");
    assert_eq!(again, extended);

    // The holder is told, and the RA's step is audited.
    let mails: Vec<(String, String)> =
        sqlx::query_as("SELECT to_addr, body FROM outbox WHERE subject LIKE '自然人憑證展期通知%'")
            .fetch_all(pool(&portal))
            .await
            .expect("mails");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].1.contains(EXTENDED_UNTIL), "{}", mails[0].1);
    assert!(!mails[0].1.contains("A123456789"));
    assert!(portal
        .audit_actions()
        .await
        .contains(&(WANG.into(), "moica_extension.extend".into())));
}

#[tokio::test]
async fn c4_after_expiry_the_window_stays_open_for_3_years_then_the_certificate_lapses() {
    let portal = Portal::start().await;
    let (card, _) = wang_issued(&portal).await;
    let expiry = not_after(&portal).await;
    let closes = extended_not_after(expiry).expect("in range");

    move_to(&portal, closes);
    assert_eq!(
        status_of(&portal, &card).await.extendable,
        Extendable::Closed
    );
    let (code, body) = begin(&portal, &card).await;
    assert_ne!(code, StatusCode::OK);
    assert!(body.contains("憑證已失效"), "{body}");

    // One second earlier it is still open, and counted from the original expiry.
    move_to(&portal, closes - 1);
    let extended = extend(&portal, &card).await;
    assert_eq!(extended.not_after, EXTENDED_UNTIL);
}

#[tokio::test]
async fn security_21_6_refused_card_signatures_are_audited_up_to_a_limit_that_never_stops_the_card()
{
    let portal = Portal::start().await;
    let (card, _) = wang_issued(&portal).await;
    let expiry = not_after(&portal).await;
    move_to(&portal, expiry - 86_400);
    let stranger = card_key(&portal.citizen_card("他人"));
    let limit = app::platform::audit::REFUSALS.max;
    for _ in 0..limit {
        let (code, body) = extend_signed_by(&portal, &card, &stranger).await;
        assert_ne!(code, StatusCode::OK);
        assert!(body.contains("卡片簽章驗證失敗"), "{body}");
    }
    // Past the limit the stranger waits, and the log is not written.
    let (code, _) = extend_signed_by(&portal, &card, &stranger).await;
    assert_eq!(code, StatusCode::TOO_MANY_REQUESTS);
    let refused = portal.audited("moica_extension.refused").await;
    assert_eq!(i64::try_from(refused).expect("count"), limit);
    // Counted against the card, not the client that sent them.
    let counted: Vec<i64> = sqlx::query_scalar("SELECT hits FROM rate_limits WHERE bucket = $1")
        .bind(format!("moica-refusal:{CARD}"))
        .fetch_all(&portal.app.test_db.db.pool)
        .await
        .expect("counter");
    assert_eq!(counted, [limit + 1]);
    // The card itself still extends: only refusals count.
    let extended = extend(&portal, &card).await;
    assert_eq!(extended.not_after, EXTENDED_UNTIL);
}

#[tokio::test]
async fn c4_only_the_card_itself_signs_for_its_extension_and_a_challenge_serves_once() {
    let portal = Portal::start().await;
    let (card, _) = wang_issued(&portal).await;
    let expiry = not_after(&portal).await;
    move_to(&portal, expiry - 86_400);

    // Someone holding the (public) certificate but not the card.
    let stranger = card_key(&portal.citizen_card("他人"));
    let (code, body) = extend_signed_by(&portal, &card, &stranger).await;
    assert_ne!(code, StatusCode::OK);
    assert!(body.contains("卡片簽章驗證失敗"), "{body}");
    assert!(portal
        .audit_actions()
        .await
        .contains(&(WANG.into(), "moica_extension.refused".into())));
    assert_eq!(not_after(&portal).await, expiry);

    // A challenge is good for one attempt.
    let (status, body) = begin(&portal, &card).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let challenge: String = serde_json::from_str(&body).expect("a challenge");
    let signature = STANDARD.encode(
        card_key(&card)
            .sign(&card_signed(
                card_statement(ACTION, &challenge, CARD).as_bytes(),
            ))
            .expect("signature"),
    );
    let certificate = certificate_b64(&card);
    let form = [
        ("certificate_b64", certificate.as_str()),
        ("challenge", challenge.as_str()),
        ("signature_b64", signature.as_str()),
    ];
    let (status, body) = call(&portal, "moica_extension_extend", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(&portal, "moica_extension_extend", &form).await;
    assert_ne!(status, StatusCode::OK);
    assert!(body.contains("已逾時") || body.contains("已使用"), "{body}");
}

/// 展期 at the counter as the services page asks for it: the form's fields and the card's
/// management counter.
async fn extend_at_counter(portal: &Portal, cookie: &str, counter: &str) -> (StatusCode, String) {
    let posted = [
        ("card", CARD),
        ("service", "extend"),
        ("applicant", "delegate"),
        ("delegate_name", "林美玲"),
        ("delegate_id", "F228135791"),
        ("letter", "on"),
        ("counter", counter),
    ];
    card_service_on_card(portal, cookie, "moica_services_extend", &posted).await
}

#[tokio::test]
async fn c4_at_a_counter_a_delegate_has_it_extended_and_the_card_takes_it_on_the_management_centres_authority(
) {
    let portal = Portal::start().await;
    let (card, _) = wang_issued(&portal).await;
    let expiry = not_after(&portal).await;

    move_to(&portal, expiry - 61 * 86_400);
    let (_, cookie) = crate::moica_issuance::registrar(&portal).await;
    let (status, body) = extend_at_counter(&portal, &cookie, "3").await;
    assert_ne!(status, StatusCode::OK);
    assert!(body.contains("尚未到可辦理展期的期間"), "{body}");

    move_to(&portal, expiry - 10 * 86_400);
    let (_, cookie) = crate::moica_issuance::registrar(&portal).await;
    let (status, body) = extend_at_counter(&portal, &cookie, "3").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let done: CounterExtension = serde_json::from_str(&body).expect("JSON");
    assert_eq!(done.extended.not_after, EXTENDED_UNTIL);
    // The card management centre authorises exactly this certificate at the card's counter,
    // under the key of this card.
    let der = STANDARD
        .decode(&done.extended.certificate_b64)
        .expect("base64");
    let message = replace_authorization_message(
        3,
        &hex::encode(ring::digest::digest(&ring::digest::SHA256, &der)),
    );
    assert_eq!(
        done.authorization_b64,
        management_tag(&portal, &card.certificate_der, &message)
    );
    // Extended like online: the new certificate signs in, the replaced one is revoked.
    let renewed = with_certificate(&card, &done.extended);
    only_the_first_signs_in(&portal, "Citizen", &renewed, &card).await;
    // Audited as the registrar's, at the counter, naming the delegate by masked ID only.
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'moica_extension.extend'")
            .fetch_one(pool(&portal))
            .await
            .expect("audit");
    assert!(
        detail.contains("counter")
            && detail.contains("F2*****791")
            && !detail.contains("F228135791"),
        "{detail}"
    );
    // Once only.
    let (status, body) = extend_at_counter(&portal, &cookie, "4").await;
    assert_ne!(status, StatusCode::OK);
    assert!(body.contains("每張憑證限展期一次"), "{body}");
}

/// 展期 is an event of the certificate's case, by the holder, and its audit row keeps the
/// details it always had: the replaced and the new serial, the new end, the staff accounts that
/// followed the card (C-4; issue 17).
#[tokio::test]
async fn c4_an_extension_is_in_the_certificates_timeline_and_audited_with_its_details() {
    use app::cases::timeline::timeline;
    use app::i18n::Lang;
    use app::services::certificate::cases::MoicaCertificate;
    let portal = Portal::start().await;
    let (card, _) = wang_issued(&portal).await;
    let expiry = not_after(&portal).await;
    move_to(&portal, expiry - 86_400);
    let extended = extend(&portal, &card).await;

    let id: i64 = sqlx::query_scalar("SELECT id FROM moica_certificates WHERE card_number = $1")
        .bind(CARD)
        .fetch_one(pool(&portal))
        .await
        .expect("the certificate");
    let mut conn = pool(&portal).acquire().await.expect("connection");
    let events = timeline::<MoicaCertificate>(&mut conn, &id.to_string(), Lang::ZhTw)
        .await
        .expect("timeline");
    let steps: Vec<(Option<&str>, &str, &str, &str)> = events
        .iter()
        .map(|event| {
            (
                event.from.as_deref(),
                event.to.as_str(),
                event.action.as_str(),
                event.actor.as_str(),
            )
        })
        .collect();
    assert!(
        steps.contains(&(Some("有效"), "有效", "展期", WANG)),
        "{steps:?}"
    );

    let (subject, detail): (String, String) = sqlx::query_as(
        "SELECT subject, detail FROM audit_log WHERE action = 'moica_extension.extend'",
    )
    .fetch_one(pool(&portal))
    .await
    .expect("audit");
    assert_eq!(subject, CARD);
    let detail: serde_json::Value = serde_json::from_str(&detail).expect("JSON");
    assert_eq!(detail["replaced_serial"], card.serial_hex.as_str());
    assert_eq!(detail["serial"], extended.serial.as_str());
    assert_eq!(detail["not_after"], not_after(&portal).await);
    assert_eq!(detail["staff_accounts"], 0);
    // Online: no counter, no delegate.
    assert!(detail.get("channel").is_none() && detail.get("delegate").is_none());
}

#[tokio::test]
async fn issue_24_5_a_server_function_answers_whose_the_problem_is_with_its_status() {
    let portal = Portal::start().await;
    // What the visitor's card holds is theirs to change: 422, with the reason.
    let (status, body) = call(
        &portal,
        "moica_extension_status",
        &[("certificate_b64", "bm90IGEgY2VydGlmaWNhdGU=")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let error: app::error::PortalError = serde_json::from_str(&body).expect("the error");
    assert!(
        matches!(error, app::error::PortalError::Refused { .. }),
        "{error:?}"
    );
    // A call the server cannot read (an argument missing, another sent): 400, and the answer
    // does not quote what was sent.
    let (status, body) = call(&portal, "moica_extension_status", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = call(&portal, "moica_extension_status", &[("id", "A123456789")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(!body.contains("A123456789"), "{body}");
    // (A status a function sets itself stands: the card sign-in's 429 in sign_in.rs.)
    // A company's function without a company signed in: 401.
    let response = portal
        .post_json(
            "/api/api_case_statement",
            serde_json::json!({ "kind": "application", "posted": [] }),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // A success is untouched (status_of asserts 200).
    let (card, _) = wang_issued(&portal).await;
    assert!(matches!(
        status_of(&portal, &card).await.extendable,
        Extendable::NotYet { .. }
    ));
}
