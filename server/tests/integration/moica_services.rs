//! Card services at the counter through the real router (C-5): suspension, resumption,
//! revocation, contacts and publication, for the holder or a delegate with a 委託書, on a card
//! issued at the counter by the development MOICA CA.

use crate::id_card_loss::pool;
use crate::moica_issuance::{wang_issued, CARD};
use crate::support::body_text;
use crate::support::Portal;
use app::pki::{CertificateError, Purpose, TrustStore, UncheckedCertificate};
use app::services::certificate::card_services::ResetTicket;
use app::services::staff::role::Role;
use axum::http::StatusCode;
use base64::{engine::general_purpose::STANDARD, Engine};
use card_helper::protocol::reset_authorization_message;

const PAGE: &str = "/admin/certificate/services";

pub(crate) async fn serve(portal: &Portal, cookie: &str, fields: &[(&str, &str)]) -> String {
    let mut form = vec![("card", CARD)];
    form.extend_from_slice(fields);
    let (status, html) = portal.post_page(PAGE, Some(cookie), &form).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    html
}

#[tokio::test]
async fn security_21_7_a_search_by_id_number_is_posted_never_put_in_the_address() {
    use axum::body::Body;
    use axum::http::{header, Request};
    let portal = Portal::start().await;
    let (_, cookie) = wang_issued(&portal).await;
    let views = || async {
        portal
            .audit_actions()
            .await
            .into_iter()
            .filter(|(_, action)| action.ends_with(".view"))
            .count()
    };
    // The ID number in the address finds nothing and reads nothing.
    for page in [PAGE, "/admin/certificate/issue"] {
        let html = body_text(
            portal
                .page(&format!("{page}?q=A123456789"), Some(&cookie))
                .await,
        )
        .await;
        assert!(
            html.contains(&format!(r#"<form method="post" action="{page}""#)),
            "{html}"
        );
        assert!(!html.contains("A1*****789"), "{page}: {html}");
    }
    assert_eq!(views().await, 0);
    // Posted from the page, it finds the certificate, audited.
    let (status, html) = portal
        .post_page(PAGE, Some(&cookie), &[("q", "A123456789")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("A1*****789") && html.contains(CARD), "{html}");
    assert_eq!(views().await, 1);
    // Posted from another site, it is refused like any other form.
    let forged = Request::post(PAGE)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-site", "cross-site")
        .body(Body::from("q=A123456789"))
        .expect("request");
    assert_eq!(
        portal.app.send(forged).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(views().await, 1);
}

/// The holder in person, asking for revocation and confirming it is final.
pub(crate) const REVOKE_IN_PERSON: [(&str, &str); 3] = [
    ("applicant", "holder"),
    ("service", "revoke"),
    ("confirm", "on"),
];

pub(crate) const DELEGATE: [(&str, &str); 4] = [
    ("applicant", "delegate"),
    ("delegate_name", "林美玲"),
    ("delegate_id", "F228135791"),
    ("letter", "on"),
];

/// The holder has the card suspended (停用) at the counter.
pub(crate) async fn holder_suspends(portal: &Portal, cookie: &str) {
    let html = serve(
        portal,
        cookie,
        &[("applicant", "holder"), ("service", "suspend")],
    )
    .await;
    assert!(html.contains("已停用"), "{html}");
}

async fn status(portal: &Portal) -> String {
    sqlx::query_scalar("SELECT status FROM moica_certificates WHERE card_number = $1")
        .bind(CARD)
        .fetch_one(pool(portal))
        .await
        .expect("the certificate")
}

async fn signs_in(portal: &Portal, card: &server::pki::Issued) -> bool {
    portal.sign_in("Citizen", "", card).await.status() == StatusCode::OK
}

async fn mails_about(portal: &Portal) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT to_addr, body FROM outbox WHERE subject LIKE '自然人憑證異動通知%' ORDER BY id",
    )
    .fetch_all(pool(portal))
    .await
    .expect("mails")
}

#[tokio::test]
async fn c5_a_suspended_certificate_signs_in_nowhere_until_a_delegate_resumes_it() {
    let portal = Portal::start().await;
    let (card, cookie) = wang_issued(&portal).await;
    assert!(signs_in(&portal, &card).await);

    holder_suspends(&portal, &cookie).await;
    assert_eq!(status(&portal).await, "suspended");
    assert!(!signs_in(&portal, &card).await);
    let look_up = body_text(
        portal
            .page(&format!("/certificate/status?card={CARD}"), None)
            .await,
    )
    .await;
    assert!(look_up.contains("停用"), "{look_up}");
    // Suspending again is not possible; resuming by a delegate with a letter is.
    let html = serve(&portal, &cookie, &[("service", "suspend")]).await;
    assert!(html.contains("目前的狀態無法辦理"), "{html}");
    let mut resume = DELEGATE.to_vec();
    resume.push(("service", "resume"));
    let html = serve(&portal, &cookie, &resume).await;
    assert!(html.contains("已復用"), "{html}");
    assert_eq!(status(&portal).await, "active");
    assert!(signs_in(&portal, &card).await);

    let audit: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, detail FROM audit_log WHERE action LIKE 'moica_services.%' ORDER BY seq",
    )
    .fetch_all(pool(&portal))
    .await
    .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|(a, _)| a.as_str()).collect();
    assert!(
        actions.contains(&"moica_services.suspend") && actions.contains(&"moica_services.resume")
    );
    let resumed = &audit
        .iter()
        .find(|(a, _)| a == "moica_services.resume")
        .expect("resume")
        .1;
    assert!(
        resumed.contains("F2*****791") && !resumed.contains("F228135791"),
        "{resumed}"
    );
    let mails = mails_about(&portal).await;
    assert_eq!(mails.len(), 2);
    assert!(mails[0].1.contains("已停用") && mails[1].1.contains("受委託人 林美玲"));
}

#[tokio::test]
async fn c5_a_delegate_cannot_revoke_and_the_holders_revocation_is_final_and_in_the_crl() {
    let portal = Portal::start().await;
    let (card, cookie) = wang_issued(&portal).await;
    let mut by_delegate = DELEGATE.to_vec();
    by_delegate.extend([("service", "revoke"), ("confirm", "on")]);
    let html = serve(&portal, &cookie, &by_delegate).await;
    assert!(html.contains("須本人攜帶國民身分證正本親自辦理"), "{html}");
    assert_eq!(status(&portal).await, "active");
    // The holder must confirm that it is final.
    let html = serve(
        &portal,
        &cookie,
        &[("applicant", "holder"), ("service", "revoke")],
    )
    .await;
    assert!(html.contains("憑證廢止後無法回復"), "{html}");
    assert_eq!(status(&portal).await, "active");

    let html = serve(&portal, &cookie, &REVOKE_IN_PERSON).await;
    assert!(html.contains("已廢止"), "{html}");
    assert_eq!(status(&portal).await, "revoked");
    assert!(!signs_in(&portal, &card).await);
    // The CA's CRL lists it: any relying party refuses it now.
    let trust = TrustStore::load(&portal.pki.trust_dir()).expect("trust store");
    let checked =
        trust.check_certificate(&card.certificate_der, Purpose::CitizenCard, portal.now());
    assert!(
        matches!(checked, Err(CertificateError::Revoked)),
        "{checked:?}"
    );
    // Nothing brings it back.
    let html = serve(&portal, &cookie, &[("service", "resume")]).await;
    assert!(html.contains("目前的狀態無法辦理"), "{html}");
    let look_up = body_text(
        portal
            .page(&format!("/certificate/status?card={CARD}"), None)
            .await,
    )
    .await;
    assert!(look_up.contains("廢止"), "{look_up}");
    assert!(mails_about(&portal)
        .await
        .iter()
        .any(|(_, body)| body.contains("已廢止")));
}

#[tokio::test]
async fn c5_contacts_and_publication_change_and_the_look_up_respects_publication() {
    let portal = Portal::start().await;
    let (_, cookie) = wang_issued(&portal).await;
    let html = serve(
        &portal,
        &cookie,
        &[
            ("service", "contacts"),
            ("email", "wang.new@example.com"),
            ("mobile", "0987-654-321"),
        ],
    )
    .await;
    assert!(html.contains("已修改聯絡資料"), "{html}");
    assert!(html.contains("wang.new@example.com"), "{html}");
    let told: Vec<String> = mails_about(&portal)
        .await
        .into_iter()
        .map(|(to, _)| to)
        .collect();
    assert_eq!(told, ["applicant@example.com", "wang.new@example.com"]);
    // A bad address is named and changes nothing.
    let html = serve(
        &portal,
        &cookie,
        &[
            ("service", "contacts"),
            ("email", "nope"),
            ("mobile", "0987654321"),
        ],
    )
    .await;
    assert!(!html.contains("已修改聯絡資料"), "{html}");
    assert!(html.contains("wang.new@example.com"));

    let before = body_text(
        portal
            .page(&format!("/certificate/status?card={CARD}"), None)
            .await,
    )
    .await;
    // Issue 24 item 14: the name read from the certificate, not the raw subject.
    let facts = crate::support::Page::parse(&before).texts("dl.facts dd");
    assert_eq!(facts.get(1).map(String::as_str), Some("王小明"), "{before}");
    assert!(!before.contains("CN=") && !before.contains("serialNumber="));
    let html = serve(
        &portal,
        &cookie,
        &[("service", "publication"), ("published", "no")],
    )
    .await;
    assert!(html.contains("已修改公佈狀態"), "{html}");
    let after = body_text(
        portal
            .page(&format!("/certificate/status?card={CARD}"), None)
            .await,
    )
    .await;
    assert!(
        !after.contains("王小明") && after.contains("不公佈"),
        "{after}"
    );
}

#[tokio::test]
async fn c5_a_delegate_needs_the_letter_and_cannot_be_the_holder() {
    let portal = Portal::start().await;
    let (_, cookie) = wang_issued(&portal).await;
    let no_letter = [
        ("applicant", "delegate"),
        ("delegate_name", "林美玲"),
        ("delegate_id", "F228135791"),
        ("service", "suspend"),
    ];
    let html = serve(&portal, &cookie, &no_letter).await;
    assert!(html.contains("受委託人辦理須核對"), "{html}");
    let holder_as_delegate = [
        ("applicant", "delegate"),
        ("delegate_name", "王小明"),
        ("delegate_id", "A123456789"),
        ("letter", "on"),
        ("service", "suspend"),
    ];
    let html = serve(&portal, &cookie, &holder_as_delegate).await;
    assert!(html.contains("受委託人不得為憑證用戶本人"), "{html}");
    assert_eq!(status(&portal).await, "active");
}

#[tokio::test]
async fn c5_only_registrars_serve_certificates() {
    let portal = Portal::start().await;
    let (_, _) = wang_issued(&portal).await;
    let clerk = portal
        .staff("李小華", Role::HouseholdClerk, "office:63000030")
        .await;
    let cookie = portal.session("Staff", "", &clerk).await;
    let response = portal
        .post(
            "/api/moica_services_find",
            &[("query", CARD)],
            Some(&cookie),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, html) = portal
        .post_page(
            PAGE,
            Some(&cookie),
            &[("card", CARD), ("service", "suspend")],
        )
        .await;
    assert!(html.contains("403"), "{html}");
    assert_eq!(status(&portal).await, "active");
}

#[tokio::test]
async fn c4_the_holder_is_told_once_when_the_certificate_expires_within_60_days() {
    use app::services::certificate::store::notify_expiring;
    let portal = Portal::start().await;
    let (_, _) = wang_issued(&portal).await;
    let db = &portal.app.test_db.db;
    let expiring = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM outbox WHERE subject LIKE '自然人憑證即將到期通知%'",
        )
        .fetch_one(pool(&portal))
        .await
        .expect("count")
    };
    // Issued 112/11/17, valid 5 years: to 117/11/17, 1827 days later (two leap days).
    // 61 days before: nothing yet; 60 days before: the notice.
    let clock = &portal.app.clock;
    clock.advance(chrono::Duration::days(1827 - 61));
    assert_eq!(notify_expiring(db, portal.now()).await.expect("run"), 0);
    clock.advance(chrono::Duration::days(1));
    assert_eq!(notify_expiring(db, portal.now()).await.expect("run"), 1);
    assert_eq!(notify_expiring(db, portal.now()).await.expect("run"), 0);
    assert_eq!(expiring().await, 1);
    let body: String =
        sqlx::query_scalar("SELECT body FROM outbox WHERE subject LIKE '自然人憑證即將到期通知%'")
            .fetch_one(pool(&portal))
            .await
            .expect("the notice");
    assert!(body.contains(CARD) && body.contains("117/11/17"), "{body}");
}

#[tokio::test]
async fn c4_a_revoked_certificate_gets_no_expiry_notice() {
    use app::services::certificate::store::notify_expiring;
    let portal = Portal::start().await;
    let (_, cookie) = wang_issued(&portal).await;
    serve(&portal, &cookie, &REVOKE_IN_PERSON).await;
    portal
        .app
        .clock
        .advance(chrono::Duration::days(5 * 365 - 30));
    let sent = notify_expiring(&portal.app.test_db.db, portal.now())
        .await
        .expect("run");
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn c5_a_staff_members_own_card_suspended_at_the_counter_no_longer_signs_in() {
    use crate::moica_issuance::registrar;
    use app::domain::{card_number::CardNumber, national_id::NationalId};
    let portal = Portal::start().await;
    let (_, cookie) = registrar(&portal).await;
    // 王小明 works at an office too; his staff card is his own citizen certificate.
    let own = portal
        .staff("王小明", Role::HouseholdRegistrar, "office:63000030")
        .await;
    let trust = TrustStore::load(&portal.pki.trust_dir()).expect("trust store");
    let checked = trust
        .check_certificate(&own.certificate_der, Purpose::CitizenCard, portal.now())
        .expect("valid");
    let card = "TP04000000077777";
    app::services::certificate::store::record_holder(
        &mut pool(&portal).acquire().await.expect("connection"),
        &checked,
        &NationalId::parse("A123456789").expect("id"),
        &CardNumber::parse(card).expect("card"),
        portal.now(),
    )
    .await
    .expect("recorded");
    assert_eq!(
        portal.sign_in("Staff", "", &own).await.status(),
        StatusCode::OK
    );

    let (status, html) = portal
        .post_page(
            PAGE,
            Some(&cookie),
            &[
                ("card", card),
                ("applicant", "holder"),
                ("service", "suspend"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已停用"), "{html}");
    assert_ne!(
        portal.sign_in("Staff", "", &own).await.status(),
        StatusCode::OK
    );
}

/// The 用戶代碼 reset's authorisation as the counter's page asks for it: the services form's
/// fields (card, service, who asks) plus `fields`.
async fn authorize_reset(
    portal: &Portal,
    cookie: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let posted: Vec<(&str, &str)> = [("card", CARD), ("service", "reset_user_code")]
        .into_iter()
        .chain(fields.iter().copied())
        .collect();
    card_service_on_card(portal, cookie, "moica_services_reset", &posted).await
}

/// A service the counter does on the card (its island posts the form's fields as JSON).
pub(crate) async fn card_service_on_card(
    portal: &Portal,
    cookie: &str,
    function: &str,
    posted: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = portal
        .post_json(
            &format!("/api/{function}"),
            serde_json::json!({ "posted": posted }),
            Some(cookie),
        )
        .await;
    let status = response.status();
    (status, body_text(response).await)
}

/// The card management centre's tag of `message` for the card holding `certificate_der`'s key.
pub(crate) fn management_tag(portal: &Portal, certificate_der: &[u8], message: &str) -> String {
    let spki = UncheckedCertificate::read(certificate_der)
        .expect("the card's certificate")
        .public_key_spki;
    let key = portal
        .pki
        .card_management_key(&spki)
        .expect("the card's key");
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key),
        message.as_bytes(),
    );
    STANDARD.encode(tag.as_ref())
}

const NEW_CODE: [(&str, &str); 3] = [
    ("user_code", "NewCode2026"),
    ("user_code_confirm", "NewCode2026"),
    ("counter", "5"),
];

#[tokio::test]
async fn c3_a_delegate_has_the_user_code_reset_authorised_for_that_card_only_with_the_default_pin()
{
    let portal = Portal::start().await;
    let (card, cookie) = wang_issued(&portal).await;
    let mut request = DELEGATE.to_vec();
    request.extend(NEW_CODE);
    let (status_code, body) = authorize_reset(&portal, &cookie, &request).await;
    assert_eq!(status_code, StatusCode::OK, "{body}");
    let ticket: ResetTicket = serde_json::from_str(&body).expect("JSON");
    // The PIN returns to 王小明's default, his ROC birth date.
    assert_eq!(ticket.pin, "730101");
    // The card management centre's authorisation of exactly these codes and the card's
    // counter, under the key that went onto this card at personalisation.
    let message = reset_authorization_message(5, "NewCode2026", "730101");
    assert_eq!(
        ticket.authorization_b64,
        management_tag(&portal, &card.certificate_der, &message)
    );
    let spki = UncheckedCertificate::read(&card.certificate_der)
        .expect("the card's certificate")
        .public_key_spki;
    let other = portal
        .pki
        .card_management_key(b"another card's key")
        .expect("a key");
    assert_ne!(Some(other), portal.pki.card_management_key(&spki).ok());

    // Audited with the delegate, recorded, and the holder told.
    let audit: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'moica_services.reset_user_code'",
    )
    .fetch_all(pool(&portal))
    .await
    .expect("audit");
    assert_eq!(audit.len(), 1);
    assert!(audit[0].contains("F2*****791") && !audit[0].contains("NewCode2026"));
    let reset_at: Option<i64> = sqlx::query_scalar(
        "SELECT user_code_reset_at FROM moica_certificates WHERE card_number = $1",
    )
    .bind(CARD)
    .fetch_one(pool(&portal))
    .await
    .expect("the certificate");
    assert_eq!(reset_at, Some(portal.now()));
    let mails = mails_about(&portal).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].1.contains("用戶代碼已重設") && !mails[0].1.contains("NewCode2026"));
}

#[tokio::test]
async fn c3_a_reset_needs_matching_codes_the_cards_counter_a_letter_and_a_certificate_in_force() {
    let portal = Portal::start().await;
    let (_, cookie) = wang_issued(&portal).await;
    let refused = |fields: Vec<(&'static str, &'static str)>| {
        let (portal, cookie) = (&portal, &cookie);
        async move {
            let (status, body) = authorize_reset(portal, cookie, &fields).await;
            assert_ne!(status, StatusCode::OK, "{body}");
            body
        }
    };
    let mut differ = NEW_CODE.to_vec();
    differ[1] = ("user_code_confirm", "NewCode2027");
    assert!(refused(differ).await.contains("兩次輸入的用戶代碼不一致"));
    assert!(refused(NEW_CODE[..2].to_vec())
        .await
        .contains("無法讀取卡片"));
    let mut no_letter: Vec<_> = DELEGATE[..3].to_vec();
    no_letter.extend(NEW_CODE);
    assert!(refused(no_letter).await.contains("委託書"));
    // Not through the plain form: it needs the card.
    let mut posted = vec![("applicant", "holder"), ("service", "reset_user_code")];
    posted.extend(NEW_CODE);
    let html = serve(&portal, &cookie, &posted).await;
    assert!(html.contains("請選擇申辦項目"), "{html}");
    // A suspended certificate is resumed first.
    serve(
        &portal,
        &cookie,
        &[("applicant", "holder"), ("service", "suspend")],
    )
    .await;
    assert!(refused(NEW_CODE.to_vec())
        .await
        .contains("目前的狀態無法辦理"));
    assert!(mails_about(&portal)
        .await
        .iter()
        .all(|(_, body)| !body.contains("用戶代碼已重設")));
    // Clerks do not reset codes.
    let clerk = portal
        .staff("李小華", Role::HouseholdClerk, "office:63000030")
        .await;
    let clerk = portal.session("Staff", "", &clerk).await;
    let (status, _) = authorize_reset(&portal, &clerk, &NEW_CODE).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn c3_the_pin_page_names_the_help_desk_for_a_card_online_unlocking_did_not_restore() {
    let portal = Portal::start().await;
    let html = body_text(portal.page("/certificate/pin", None).await).await;
    assert!(
        html.contains("內政部憑證中心客服專線")
            && html.contains(r#"<a href="tel:0800080117">0800-080-117</a>"#),
        "{html}"
    );
}
