//! 線上續卡 and 開卡 through the real router (C-4): a counter-issued certificate extended once,
//! renewed online near its 8-year end with its card's signature, fulfilled by a registrar onto
//! a blank card that is mailed, and activated online by the holder — with the injected clock at
//! the window's edges.

use crate::id_card_loss::{pool, submit, with};
use crate::moica_application::{chosen_pin, wang, APPLY};
use crate::moica_extension::{
    call, card_key, certificate_b64, extend, move_to, not_after, with_certificate,
};
use crate::moica_issuance::{blank_card_key, issue, personalisation, registrar, wang_issued, CARD};
use crate::support::{body_text, card_signed, Page, Portal};
use app::services::certificate::counter::{CounterApplication, IssuanceTicket, IssuedCard};
use app::services::certificate::proof::card_statement;
use app::services::certificate::renewal::payment::{self, Notice, Payments, NOTIFY_PATH};
use app::services::certificate::renewal::{
    MailedCard, Renewable, RenewalCertificate, RenewalReceipt, ACTIVATION, RENEWAL,
};
use axum::http::StatusCode;
use base64::{engine::general_purpose::STANDARD, Engine};
use rcgen::{KeyPair, SigningKey};
use server::pki::Issued;

/// The renewed card's number.
const NEW_CARD: &str = "TP04000000054321";

async fn renewal_status(portal: &Portal, card: &Issued) -> RenewalCertificate {
    let certificate = certificate_b64(card);
    let (status, body) = call(
        portal,
        "moica_renewal_status",
        &[("certificate_b64", &certificate)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

/// The card signs `action`'s challenge (from `begin`) with `signer`; the form to send.
async fn signed_form(
    portal: &Portal,
    card: &Issued,
    action: &str,
    signer: &KeyPair,
) -> Result<Vec<(&'static str, String)>, String> {
    let certificate = certificate_b64(card);
    let (status, body) = call(
        portal,
        &format!("moica_{action}_begin"),
        &[("certificate_b64", &certificate)],
    )
    .await;
    if status != StatusCode::OK {
        return Err(body);
    }
    let challenge: String = serde_json::from_str(&body).expect("a challenge");
    // The new card activates itself; the old one renews or extends itself.
    let card_number = if action == ACTIVATION { NEW_CARD } else { CARD };
    let statement = card_statement(action, &challenge, card_number);
    let signature = STANDARD.encode(
        signer
            .sign(&card_signed(statement.as_bytes()))
            .expect("signature"),
    );
    Ok(vec![
        ("certificate_b64", certificate),
        ("challenge", challenge),
        ("signature_b64", signature),
    ])
}

async fn send(portal: &Portal, function: &str, form: &[(&str, String)]) -> (StatusCode, String) {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    call(portal, function, &fields).await
}

/// The holder pays `receipt`'s renewal at the development provider's checkout, as the
/// browser does: the page, then its form; the provider sends the payer back to the portal.
async fn pay(portal: &Portal, receipt: &RenewalReceipt) {
    let (path, _) = receipt
        .checkout_url
        .strip_prefix(crate::support::ORIGIN)
        .and_then(|url| url.split_once('?'))
        .expect("the development provider's checkout");
    assert_eq!(path, server::web::payments::DEV_CHECKOUT_PATH);
    let page = body_text(
        portal
            .page(&receipt.checkout_url[crate::support::ORIGIN.len()..], None)
            .await,
    )
    .await;
    assert!(
        page.contains("NT$278") && page.contains("確認付款"),
        "{page}"
    );
    let form = checkout_query(receipt);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = portal.post(path, &fields, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[axum::http::header::LOCATION],
        format!("{}/certificate/renewal", crate::support::ORIGIN)
    );
}

/// The renewal `reference` as the registrar finds it at the counter.
async fn counter_find(portal: &Portal, cookie: &str, reference: &str) -> CounterApplication {
    let response = portal
        .post(
            "/api/moica_counter_find",
            &[("query", reference)],
            Some(cookie),
        )
        .await;
    let found: Option<CounterApplication> =
        serde_json::from_str(&body_text(response).await).expect("JSON");
    found.expect("the renewal")
}

/// Renewal `reference` issued by `registrar` onto a blank card numbered [`NEW_CARD`]: the
/// card's key and what the RA answered.
async fn issue_renewal(
    portal: &Portal,
    cookie: &str,
    reference: &str,
    registrar: &Issued,
) -> (KeyPair, IssuedCard) {
    let key = blank_card_key(portal);
    let (code, body) = issue(portal, cookie, reference, NEW_CARD, &key, registrar).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    (key, serde_json::from_str(&body).expect("JSON"))
}

async fn renew(portal: &Portal, card: &Issued, signer: &KeyPair) -> (StatusCode, String) {
    let mut form = signed_form(portal, card, RENEWAL, signer)
        .await
        .expect("a challenge");
    form.extend([
        ("email", "wang.renewal@example.com".to_owned()),
        ("mobile", "0912345678".to_owned()),
        ("user_code", "Renew2031x".to_owned()),
        ("user_code_confirm", "Renew2031x".to_owned()),
    ]);
    send(portal, "moica_renewal_request", &form).await
}

/// 王小明's counter-issued card, extended once at its window's opening: the card with the
/// extended certificate, and its 8-year expiry.
async fn extended_card(portal: &Portal) -> (Issued, i64) {
    let (card, _) = wang_issued(portal).await;
    let expiry = not_after(portal).await;
    move_to(portal, expiry - 60 * 86_400);
    let extended = extend(portal, &card).await;
    (with_certificate(&card, &extended), not_after(portal).await)
}

async fn signs_in(portal: &Portal, card: &Issued) -> bool {
    portal.sign_in("Citizen", "", card).await.status() == StatusCode::OK
}

async fn mail_bodies(portal: &Portal, subject: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT body FROM outbox WHERE subject LIKE $1 ORDER BY id")
        .bind(format!("{subject}%"))
        .fetch_all(pool(portal))
        .await
        .expect("mails")
}

#[tokio::test]
async fn c4_an_extended_certificate_renews_online_near_its_8_year_end_and_the_mailed_card_is_activated_online(
) {
    let portal = Portal::start().await;
    let (card, end) = extended_card(&portal).await;

    move_to(&portal, end - 60 * 86_400 - 1);
    assert!(matches!(
        renewal_status(&portal, &card).await.renewable,
        Renewable::NotYet { .. }
    ));
    move_to(&portal, end - 60 * 86_400);
    let status = renewal_status(&portal, &card).await;
    assert_eq!(status.renewable, Renewable::Open);
    // Whoever holds the (public) certificate learns no contact details from it.
    let certificate = certificate_b64(&card);
    let (_, body) = call(
        &portal,
        "moica_renewal_status",
        &[("certificate_b64", &certificate)],
    )
    .await;
    assert!(!body.contains("applicant@example.com"), "{body}");

    let (code, body) = renew(&portal, &card, &card_key(&card)).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let receipt: RenewalReceipt = serde_json::from_str(&body).expect("JSON");
    assert_eq!((receipt.fee, receipt.postage), (250, 28));
    assert_eq!(
        renewal_status(&portal, &card).await.renewable,
        Renewable::Requested {
            reference: receipt.reference.clone(),
            checkout_url: Some(receipt.checkout_url.clone()),
        }
    );
    let notices = mail_bodies(&portal, "自然人憑證線上續卡申請通知").await;
    assert_eq!(notices.len(), 1);
    assert!(notices[0].contains("共 278 元") && !notices[0].contains("Renew2031x"));

    // The registrar sees it waiting, finds the renewal, to be mailed, and issues it onto a
    // blank card.
    let (registrar_card, cookie) = registrar(&portal).await;
    let counter = body_text(portal.page("/admin/certificate/issue", Some(&cookie)).await).await;
    let waiting = Page::parse(&counter).table_rows("線上續卡申請");
    assert_eq!(waiting.len(), 1, "{counter}");
    assert_eq!(waiting[0][0], receipt.reference);
    assert_eq!(waiting[0][2], "A1*****789");
    assert_eq!(
        waiting[0][4], "0",
        "its age in working days, requested today"
    );
    // C-4: not made before it is paid.
    assert_eq!(waiting[0][5], "未繳費");
    let found = counter_find(&portal, &cookie, &receipt.reference).await;
    assert!(found.renewal && found.unpaid && !found.issuable());
    let body = crate::moica_issuance::begin_refused(&portal, &cookie, &receipt.reference).await;
    assert!(body.contains("尚未繳費"), "{body}");
    pay(&portal, &receipt).await;
    assert_eq!(
        renewal_status(&portal, &card).await.renewable,
        Renewable::Requested {
            reference: receipt.reference.clone(),
            checkout_url: None,
        }
    );
    let found = counter_find(&portal, &cookie, &receipt.reference).await;
    assert!(found.renewal && !found.unpaid && found.issuable());
    let (key, issued) = issue_renewal(&portal, &cookie, &receipt.reference, &registrar_card).await;
    assert_eq!((issued.fee, issued.mailed), (278, true));
    let new_card = Issued {
        family: app::pki::CaFamily::Moica,
        serial_hex: issued.serial.clone(),
        certificate_pem: String::new(),
        certificate_der: STANDARD.decode(&issued.certificate_b64).expect("base64"),
        private_key_pem: Some(key.serialize_pem()),
    };
    assert!(mail_bodies(&portal, "自然人憑證續卡新卡寄送通知")
        .await
        .iter()
        .any(|body| body.contains(NEW_CARD)));

    // Mailed, not activated: nothing accepts it yet, and the look-up says so.
    assert!(!signs_in(&portal, &new_card).await);
    let look_up = body_text(
        portal
            .page(&format!("/certificate/status?card={NEW_CARD}"), None)
            .await,
    )
    .await;
    assert!(look_up.contains("待開卡"), "{look_up}");

    // 開卡 with the new card.
    let certificate = certificate_b64(&new_card);
    let (_, body) = call(
        &portal,
        "moica_activation_status",
        &[("certificate_b64", &certificate)],
    )
    .await;
    let mailed: MailedCard = serde_json::from_str(&body).expect("JSON");
    assert!(mailed.awaiting);
    let form = signed_form(&portal, &new_card, ACTIVATION, &key)
        .await
        .expect("a challenge");
    let (code, body) = send(&portal, "moica_activation_activate", &form).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let activated: MailedCard = serde_json::from_str(&body).expect("JSON");
    assert!(!activated.awaiting);
    assert!(signs_in(&portal, &new_card).await);
    assert!(portal
        .audit_actions()
        .await
        .contains(&("citizen:A1*****789".into(), "moica_renewal.activate".into())));
    assert_eq!(mail_bodies(&portal, "自然人憑證開卡通知").await.len(), 1);
    // Once only.
    let refused = signed_form(&portal, &new_card, ACTIVATION, &key)
        .await
        .expect_err("nothing to activate");
    assert!(refused.contains("不需開卡"), "{refused}");
}

#[tokio::test]
async fn c4_online_renewal_needs_an_extension_and_closes_a_year_after_the_8_year_end() {
    let portal = Portal::start().await;
    let (card, _) = wang_issued(&portal).await;
    // Never extended: extend first (or apply again once it lapsed).
    assert_eq!(
        renewal_status(&portal, &card).await.renewable,
        Renewable::NotExtended
    );
    let refused = signed_form(&portal, &card, RENEWAL, &card_key(&card))
        .await
        .expect_err("refused");
    assert!(refused.contains("未曾展期"), "{refused}");

    let (card, end) = {
        let expiry = not_after(&portal).await;
        move_to(&portal, expiry - 60 * 86_400);
        let extended = extend(&portal, &card).await;
        (with_certificate(&card, &extended), not_after(&portal).await)
    };
    let closes = app::platform::clock::unix_to_taipei(end)
        .checked_add_months(chrono::Months::new(12))
        .expect("in range")
        .timestamp();
    move_to(&portal, closes - 1);
    assert_eq!(
        renewal_status(&portal, &card).await.renewable,
        Renewable::Open
    );
    move_to(&portal, closes);
    assert_eq!(
        renewal_status(&portal, &card).await.renewable,
        Renewable::Closed
    );
}

#[tokio::test]
async fn c4_only_the_card_itself_asks_for_its_renewal() {
    let portal = Portal::start().await;
    let (card, end) = extended_card(&portal).await;
    move_to(&portal, end - 86_400);
    let stranger = card_key(&portal.citizen_card("他人"));
    let (code, body) = renew(&portal, &card, &stranger).await;
    assert_ne!(code, StatusCode::OK);
    assert!(body.contains("卡片簽章驗證失敗"), "{body}");
    assert!(portal
        .audit_actions()
        .await
        .contains(&("citizen:A1*****789".into(), "moica_renewal.refused".into())));
    assert_eq!(
        renewal_status(&portal, &card).await.renewable,
        Renewable::Open
    );
}

/// A renewal asked for with the card and its PIN (issue 21 item 5): a pre-application by
/// knowledge alone does not replace it, and is told so as a mismatch. Its card is mailed, so
/// the registrar begins it without confirming anything with a person at the counter.
#[tokio::test]
async fn security_21_5_a_pre_application_by_knowledge_alone_does_not_replace_a_renewal() {
    let portal = Portal::start().await;
    let (card, end) = extended_card(&portal).await;
    move_to(&portal, end - 86_400);
    let (code, body) = renew(&portal, &card, &card_key(&card)).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let receipt: RenewalReceipt = serde_json::from_str(&body).expect("JSON");

    let stranger = with(
        chosen_pin(wang(), "135790"),
        "email",
        "stranger@example.com",
    );
    let (_, html) = submit(&portal, APPLY, &stranger).await;
    assert!(
        html.contains("身分資料與戶籍資料不符") && !html.contains("線上申請完成"),
        "{html}"
    );
    assert_eq!(
        renewal_status(&portal, &card).await.renewable,
        Renewable::Requested {
            reference: receipt.reference.clone(),
            checkout_url: Some(receipt.checkout_url.clone()),
        }
    );

    pay(&portal, &receipt).await;
    let (registrar_card, cookie) = registrar(&portal).await;
    let response = portal
        .post(
            "/api/moica_counter_begin",
            &[("reference", receipt.reference.as_str())],
            Some(&cookie),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let ticket: IssuanceTicket =
        serde_json::from_str(&body_text(response).await).expect("a ticket");
    assert!(!ticket.challenge.is_empty());
    let (_, issued) = issue_renewal(&portal, &cookie, &receipt.reference, &registrar_card).await;
    assert_eq!(personalisation(&issued).user_code, "Renew2031x");
}

/// A card issued to 王小明 since his first (補領 at a counter), in force until `until`: a copy
/// of his certificate's record under a new card number, serial and fingerprint.
async fn issued_since(portal: &Portal, until: i64) {
    let mut conn = pool(portal).acquire().await.expect("a connection");
    // The card number is a constant: a CREATE TABLE … AS takes no parameters on PostgreSQL.
    sqlx::query(&format!(
        "CREATE TEMPORARY TABLE since AS SELECT * FROM moica_certificates WHERE card_number = '{CARD}'"
    ))
    .execute(&mut *conn)
    .await
    .expect("a copy");
    sqlx::query(
        "UPDATE since SET id = id + 1000, card_number = 'TP04000000012346', serial = 'AB12', \
         certificate_sha256 = 'since', previous_sha256 = NULL, status = 'active', \
         not_before = $1, not_after = $2",
    )
    .bind(portal.now())
    .bind(until)
    .execute(&mut *conn)
    .await
    .expect("a new card");
    sqlx::query("INSERT INTO moica_certificates SELECT * FROM since")
        .execute(&mut *conn)
        .await
        .expect("recorded");
}

#[tokio::test]
async fn c2_c4_a_holder_with_a_card_issued_since_neither_extends_nor_renews_the_old_one() {
    use crate::moica_extension::{begin, status_of};
    use app::services::certificate::extension::{Extendable, ACTION as EXTENSION};
    const ONE_CERTIFICATE: &str = "每人僅得持有一張有效憑證";
    // Expired a day ago, the certificate could still be extended (for 3 years)…
    let portal = Portal::start().await;
    let (card, _) = wang_issued(&portal).await;
    let expiry = not_after(&portal).await;
    move_to(&portal, expiry + 86_400);
    assert!(matches!(
        status_of(&portal, &card).await.extendable,
        Extendable::Open { .. }
    ));
    // …but not once he holds a card issued since: one person, one certificate in force. The
    // card signed its request before the new card was recorded: the unit of work that would
    // record the extension refuses it.
    let form = signed_form(&portal, &card, EXTENSION, &card_key(&card))
        .await
        .expect("a challenge");
    issued_since(&portal, expiry + 5 * 365 * 86_400).await;
    let (status, body) = send(&portal, "moica_extension_extend", &form).await;
    assert_ne!(status, StatusCode::OK);
    assert!(body.contains(ONE_CERTIFICATE), "{body}");
    assert_eq!(not_after(&portal).await, expiry, "not extended");
    assert_eq!(
        status_of(&portal, &card).await.extendable,
        Extendable::Superseded
    );
    let (status, body) = begin(&portal, &card).await;
    assert_ne!(status, StatusCode::OK);
    assert!(body.contains(ONE_CERTIFICATE), "{body}");

    // Likewise an extended certificate in its renewal window is not renewed online, the
    // request signed before the other card was recorded included.
    let portal = Portal::start().await;
    let (card, end) = extended_card(&portal).await;
    move_to(&portal, end + 30 * 86_400);
    assert_eq!(
        renewal_status(&portal, &card).await.renewable,
        Renewable::Open
    );
    let mut form = signed_form(&portal, &card, RENEWAL, &card_key(&card))
        .await
        .expect("a challenge");
    form.extend([
        ("email", "wang.renewal@example.com".to_owned()),
        ("mobile", String::new()),
        ("user_code", "Renew2031x".to_owned()),
        ("user_code_confirm", "Renew2031x".to_owned()),
    ]);
    issued_since(&portal, end + 5 * 365 * 86_400).await;
    let (status, body) = send(&portal, "moica_renewal_request", &form).await;
    assert_ne!(status, StatusCode::OK);
    assert!(body.contains(ONE_CERTIFICATE), "{body}");
    assert_eq!(
        renewal_status(&portal, &card).await.renewable,
        Renewable::Superseded
    );

    // A renewal requested before the other card was issued is not fulfilled at the counter,
    // and the registrar is told not to revoke the card the holder uses.
    let portal = Portal::start().await;
    let (card, end) = extended_card(&portal).await;
    move_to(&portal, end - 30 * 86_400);
    let (code, body) = renew(&portal, &card, &card_key(&card)).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let receipt: RenewalReceipt = serde_json::from_str(&body).expect("JSON");
    issued_since(&portal, end + 5 * 365 * 86_400).await;
    let (_, cookie) = registrar(&portal).await;
    let found = counter_find(&portal, &cookie, &receipt.reference).await;
    assert_eq!(found.cards_in_force, ["TP04000000012346"]);
    assert!(found.renewal && !found.issuable());
    let body = crate::moica_issuance::begin_refused(&portal, &cookie, &receipt.reference).await;
    assert!(
        body.contains("不得製發續卡新卡") && body.contains("請勿廢止該卡"),
        "{body}"
    );
}

/// A requested renewal, not paid: the portal, the receipt and the renewed card.
async fn requested() -> (Portal, RenewalReceipt, Issued) {
    let portal = Portal::start().await;
    let (card, end) = extended_card(&portal).await;
    move_to(&portal, end - 30 * 86_400);
    let (code, body) = renew(&portal, &card, &card_key(&card)).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    (portal, serde_json::from_str(&body).expect("JSON"), card)
}

/// The fields of `receipt`'s checkout address.
fn checkout_query(receipt: &RenewalReceipt) -> Vec<(String, String)> {
    let query = receipt.checkout_url.split_once('?').expect("a query").1;
    serde_urlencoded::from_str(query).expect("the query")
}

/// The order id of a checkout address.
fn order_of(receipt: &RenewalReceipt) -> String {
    checkout_query(receipt)
        .into_iter()
        .find(|(name, _)| name == "order")
        .expect("the order")
        .1
}

/// The provider's notice as it posts it: server to server, no browser headers.
async fn notify(portal: &Portal, notice: &Notice, signature: &str) -> StatusCode {
    let body = serde_urlencoded::to_string([
        ("order_id", notice.order_id.clone()),
        ("amount", notice.amount.to_string()),
        ("provider_ref", notice.provider_ref.clone()),
        ("paid_at", notice.paid_at.to_string()),
        ("signature", signature.to_owned()),
    ])
    .expect("a form");
    let request = axum::http::Request::post(NOTIFY_PATH)
        .header(
            axum::http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(axum::body::Body::from(body))
        .expect("a request");
    portal.app.send(request).await.status()
}

/// When `receipt`'s renewal lapses.
async fn lapses_at(portal: &Portal, receipt: &RenewalReceipt) -> i64 {
    sqlx::query_scalar("SELECT expires_at FROM moica_applications WHERE reference = $1")
        .bind(&receipt.reference)
        .fetch_one(pool(portal))
        .await
        .expect("the renewal")
}

async fn payment_status(portal: &Portal, order: &str) -> String {
    sqlx::query_scalar("SELECT status FROM renewal_payments WHERE order_id = $1")
        .bind(order)
        .fetch_one(pool(portal))
        .await
        .expect("the order")
}

#[tokio::test]
async fn c4_the_providers_notice_settles_only_its_own_order_and_amount_and_only_once() {
    let (portal, receipt, _) = requested().await;
    let order = order_of(&receipt);
    let payments = &portal.app.state.payments;
    let notice = Notice {
        order_id: order.clone(),
        amount: 278,
        provider_ref: "PSP-0001".into(),
        paid_at: portal.now(),
    };
    // Not signed with the shared key: refused, nothing paid.
    let forged = Payments::new(&[8; 32], String::new());
    assert_eq!(
        notify(&portal, &notice, &notice.signature(&forged)).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        notify(&portal, &notice, "not hex").await,
        StatusCode::UNAUTHORIZED
    );
    // Signed, but for another order or another amount.
    let stranger = Notice {
        order_id: "no-such-order".into(),
        ..notice.clone()
    };
    assert_eq!(
        notify(&portal, &stranger, &stranger.signature(payments)).await,
        StatusCode::NOT_FOUND
    );
    let short = Notice {
        amount: 250,
        ..notice.clone()
    };
    assert_eq!(
        notify(&portal, &short, &short.signature(payments)).await,
        StatusCode::CONFLICT
    );
    assert_eq!(payment_status(&portal, &order).await, "unpaid");
    // The notice itself settles it; sent again, it changes nothing; another transaction for
    // the same order is not taken.
    let signature = notice.signature(payments);
    assert_eq!(notify(&portal, &notice, &signature).await, StatusCode::OK);
    assert_eq!(notify(&portal, &notice, &signature).await, StatusCode::OK);
    assert_eq!(payment_status(&portal, &order).await, "paid");
    let twice = Notice {
        provider_ref: "PSP-0002".into(),
        ..notice.clone()
    };
    assert_eq!(
        notify(&portal, &twice, &twice.signature(payments)).await,
        StatusCode::CONFLICT
    );
    let paid = portal.audited("moica_renewal.paid").await;
    assert_eq!(paid, 1);
    assert_eq!(
        mail_bodies(&portal, "自然人憑證續卡繳費完成通知")
            .await
            .len(),
        1
    );
    // A checkout request the portal did not sign is refused by the provider.
    let tampered = receipt.checkout_url.replace("amount=278", "amount=1");
    let response = portal
        .page(&tampered[crate::support::ORIGIN.len()..], None)
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn c4_an_unpaid_renewal_is_reminded_once_before_it_lapses_and_a_paid_one_not_at_all() {
    let (portal, receipt, _) = requested().await;
    let db = &portal.app.test_db.db;
    let expires_at = lapses_at(&portal, &receipt).await;
    let remind = |at: i64| payment::remind_unpaid(db, at);
    assert_eq!(remind(portal.now()).await.expect("job"), 0, "not yet");
    let soon = expires_at - 2 * 86_400;
    assert_eq!(remind(soon).await.expect("job"), 1);
    assert_eq!(remind(soon + 60).await.expect("job"), 0, "once");
    let reminders = mail_bodies(&portal, "自然人憑證續卡尚未繳費提醒").await;
    assert_eq!(reminders.len(), 1);
    assert!(
        reminders[0].contains(&receipt.reference),
        "{}",
        reminders[0]
    );

    // Paid, another holder's renewal is never reminded.
    let (portal, receipt, _) = requested().await;
    pay(&portal, &receipt).await;
    let expires_at = lapses_at(&portal, &receipt).await;
    let db = &portal.app.test_db.db;
    assert_eq!(
        payment::remind_unpaid(db, expires_at - 86_400)
            .await
            .expect("job"),
        0
    );
}

#[tokio::test]
async fn c4_reconciliation_settles_a_lost_notice_and_names_what_the_books_disagree_on() {
    use server::admin::payments::{parse_settlement, run, PaymentsCommand};
    let (portal, receipt, _) = requested().await;
    let order = order_of(&receipt);
    let day = app::platform::clock::unix_to_taipei(portal.now()).date_naive();
    // The provider took the money but its notice never came.
    let settlement = format!(
        "provider_ref,order_id,amount,paid_at\nPSP-0001,{order},278,{}\nPSP-0099,someone-else,278,{}\n",
        portal.now(),
        portal.now()
    );
    assert_eq!(parse_settlement(&settlement).expect("parses").len(), 2);
    // A transaction outside the day, or listed twice, is named, never taken.
    let outside = Notice {
        order_id: order.clone(),
        amount: 278,
        provider_ref: "PSP-0001".into(),
        paid_at: portal.now() - 2 * 86_400,
    };
    let found = payment::reconcile(
        &portal.app.test_db.db,
        portal.now(),
        std::slice::from_ref(&outside),
        portal.now() - 3600,
        portal.now() + 3600,
    )
    .await
    .expect("reconciled");
    assert_eq!(found.unknown, ["PSP-0001"]);
    assert_eq!(payment_status(&portal, &order).await, "unpaid");
    assert!(parse_settlement("order,amount\n").is_err());
    let dir = tempfile::tempdir().expect("a directory");
    let file = dir.path().join("settlement.csv");
    std::fs::write(&file, &settlement).expect("written");
    let db = &portal.app.test_db.db;
    let command = || PaymentsCommand::Reconcile {
        date: day,
        settlement: file.clone(),
    };
    // Settled from the settlement; the transaction that is not ours makes it fail.
    assert!(!run(command(), db, portal.now()).await.expect("ran"));
    assert_eq!(payment_status(&portal, &order).await, "paid");
    assert_eq!(
        mail_bodies(&portal, "自然人憑證續卡繳費完成通知")
            .await
            .len(),
        1
    );
    // Our books and the provider's agree: clean.
    std::fs::write(
        &file,
        format!(
            "provider_ref,order_id,amount,paid_at\nPSP-0001,{order},278,{}\n",
            portal.now()
        ),
    )
    .expect("written");
    assert!(run(command(), db, portal.now()).await.expect("ran"));
    // Paid here, missing from the provider's settlement: named, and it fails.
    std::fs::write(&file, "provider_ref,order_id,amount,paid_at\n").expect("written");
    let found = payment::reconcile(
        db,
        portal.now(),
        &[],
        portal.now() - 3600,
        portal.now() + 3600,
    )
    .await
    .expect("reconciled");
    assert_eq!(found.unsettled, [order]);
    assert!(!run(command(), db, portal.now()).await.expect("ran"));
}

#[tokio::test]
async fn c4_money_taken_after_the_renewal_lapsed_is_recorded_for_a_refund_and_no_card_is_made() {
    let (portal, receipt, _) = requested().await;
    let order = order_of(&receipt);
    let lapses = lapses_at(&portal, &receipt).await;
    move_to(&portal, lapses);
    // The checkout lapses with the renewal.
    let response = portal
        .page(&receipt.checkout_url[crate::support::ORIGIN.len()..], None)
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // A provider that took the money anyway is answered, and the money is owed back.
    let notice = Notice {
        order_id: order.clone(),
        amount: 278,
        provider_ref: "PSP-LATE".into(),
        paid_at: portal.now(),
    };
    let payments = &portal.app.state.payments;
    assert_eq!(
        notify(&portal, &notice, &notice.signature(payments)).await,
        StatusCode::OK
    );
    assert_eq!(payment_status(&portal, &order).await, "refund_due");
    let mails = mail_bodies(&portal, "自然人憑證續卡繳費完成通知").await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains("不製發新卡") && mails[0].contains("退還"),
        "{}",
        mails[0]
    );
    let actions = portal.audit_actions().await;
    assert!(actions
        .iter()
        .any(|(_, action)| action == "moica_renewal.paid_closed"));
    assert!(!actions
        .iter()
        .any(|(_, action)| action == "moica_renewal.paid"));
    // The day's reconciliation names it to refund.
    let found = payment::reconcile(
        &portal.app.test_db.db,
        portal.now(),
        &[notice],
        portal.now() - 60,
        portal.now() + 60,
    )
    .await
    .expect("reconciled");
    assert_eq!((found.matched, found.refunds.clone()), (1, vec![order]));
    assert!(!found.clean());
}
