//! Agencies sign in with their 機關憑證 (GCA) IC card and the 機關代號 typed beside it, as
//! companies do with their 工商憑證 (issue 18; F-4, F-5): the development GCA issues the card,
//! the portal's agency registry (`agencies`) decides who may sign in, and every agency request
//! reads the agency afresh.

use crate::support::{body_text, session_cookie, Portal};
use app::pki::{expect_agency_code, CaFamily, CertificateError, Purpose, TrustStore};
use axum::http::StatusCode;
use server::pki::SubjectKey;

const TAIPEI_POLICE: &str = "379130000C";
const TAIPEI_POLICE_NAME: &str = "臺北市政府警察局";
const SHRIMP_SHOP: &str = "24941832";

fn check(portal: &Portal, der: &[u8], purpose: Purpose) -> Result<(), CertificateError> {
    TrustStore::load(&portal.pki.trust_dir())
        .expect("trust store")
        .check_certificate(der, purpose, portal.now())
        .map(|_| ())
}

#[tokio::test]
async fn f4_an_agency_card_from_gca_carries_the_agency_code_and_serves_agency_sign_in_only() {
    let portal = Portal::start().await;
    let card = portal.agency_card(TAIPEI_POLICE, TAIPEI_POLICE_NAME);
    let trust = TrustStore::load(&portal.pki.trust_dir()).expect("trust store");
    let checked = trust
        .check_certificate(&card.certificate_der, Purpose::AgencyCard, portal.now())
        .expect("accepted");
    assert_eq!(checked.issuer_family(), CaFamily::Gca);
    assert_eq!(
        checked.agency_code().map(|code| code.as_str()),
        Some(TAIPEI_POLICE)
    );
    assert_eq!(checked.subject_name(), Some(TAIPEI_POLICE_NAME));
    let other = app::domain::agency_code::AgencyCode::parse("382130000C").expect("code");
    assert_eq!(
        expect_agency_code(&checked, &other),
        Err(CertificateError::AgencyCodeMismatch)
    );

    let business = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    let citizen = portal.citizen_card("王小明");
    let gca_server = portal
        .pki
        .issue_server_certificate(
            CaFamily::Gca,
            TAIPEI_POLICE_NAME,
            "app.example.gov.tw",
            portal.year(),
            &SubjectKey::Generate,
        )
        .expect("server certificate");
    for (der, purpose) in [
        (&card.certificate_der, Purpose::BusinessCard),
        (&card.certificate_der, Purpose::CitizenCard),
        (&card.certificate_der, Purpose::ServerCertificate),
        (&business.certificate_der, Purpose::AgencyCard),
        (&citizen.certificate_der, Purpose::AgencyCard),
        (&gca_server.certificate_der, Purpose::AgencyCard),
    ] {
        assert_eq!(
            check(&portal, der, purpose),
            Err(CertificateError::WrongType),
            "{purpose:?}"
        );
    }
}

#[tokio::test]
async fn f5_an_agency_signs_in_with_its_card_and_the_session_is_the_agencys() {
    let portal = Portal::start().await;
    let card = portal.agency_card(TAIPEI_POLICE, TAIPEI_POLICE_NAME);
    let response = portal.sign_in("Agency", TAIPEI_POLICE, &card).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_cookie(&response);
    assert_eq!(body_text(response).await, "\"/agency-link\"");

    let overview = portal
        .post("/api/agency_overview", &[], Some(&cookie))
        .await;
    assert_eq!(overview.status(), StatusCode::OK);
    let agency: serde_json::Value = serde_json::from_str(&body_text(overview).await).expect("JSON");
    assert_eq!(agency["code"], TAIPEI_POLICE);
    assert_eq!(agency["name"], TAIPEI_POLICE_NAME);
    assert_eq!(agency["county"], "臺北市");
    assert_eq!(agency["email"], "linking.tpd@example.com");

    let actions = portal.audit_actions().await;
    assert!(actions.contains(&("agency:379130000C".into(), "sign_in.card".into())));
}

#[tokio::test]
async fn f5_an_agency_the_portal_does_not_know_is_refused_and_audited() {
    let portal = Portal::start().await;
    let card = portal.agency_card("301020800G", "未登錄之機關");
    let response = portal.sign_in("Agency", "301020800G", &card).await;
    assert_ne!(response.status(), StatusCode::OK);
    let body = body_text(response).await;
    assert!(body.contains("查無此機關代號"), "{body}");
    assert!(body.contains("No agency with this agency code"), "{body}");

    let refusals: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor, subject, detail FROM audit_log WHERE action = 'sign_in.refused'",
    )
    .fetch_all(&portal.app.test_db.db.pool)
    .await
    .expect("audit rows");
    assert_eq!(refusals.len(), 1);
    let (actor, subject, detail) = &refusals[0];
    // The card proved its certificate: the refusal names it.
    assert_eq!(
        (actor.as_str(), subject.as_str()),
        (
            format!("certificate:{}", card.serial_hex).as_str(),
            "agency"
        )
    );
    assert!(detail.contains("agency_not_registered"), "{detail}");
}

#[tokio::test]
async fn security_21_6_a_proven_card_without_an_account_is_audited_up_to_a_limit() {
    let portal = Portal::start().await;
    let card = portal.agency_card("301020800G", "未登錄之機關");
    let limit = app::platform::audit::REFUSALS.max;
    for _ in 0..limit {
        let response = portal.sign_in("Agency", "301020800G", &card).await;
        assert!(body_text(response).await.contains("查無此機關代號"));
    }
    let response = portal.sign_in("Agency", "301020800G", &card).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let refused = portal.audited("sign_in.refused").await;
    assert_eq!(i64::try_from(refused).expect("count"), limit);
    // Another card is another certificate's count.
    let other = portal.agency_card("301020800G", "未登錄之機關");
    let response = portal.sign_in("Agency", "301020800G", &other).await;
    assert!(body_text(response).await.contains("查無此機關代號"));
}

#[tokio::test]
async fn f5_the_typed_agency_code_must_be_the_certificates() {
    let portal = Portal::start().await;
    let card = portal.agency_card(TAIPEI_POLICE, TAIPEI_POLICE_NAME);
    let response = portal.sign_in("Agency", "382130000C", &card).await;
    assert_ne!(response.status(), StatusCode::OK);
    assert!(body_text(response).await.contains("機關代號不符"));
    let response = portal.sign_in("Agency", "3791", &card).await;
    assert_ne!(response.status(), StatusCode::OK);
    assert!(body_text(response).await.contains("agency_code"));
}

#[tokio::test]
async fn f5_a_company_card_is_refused_on_agency_sign_in() {
    let portal = Portal::start().await;
    let card = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    let response = portal.sign_in("Agency", TAIPEI_POLICE, &card).await;
    assert_ne!(response.status(), StatusCode::OK);
    assert!(body_text(response).await.contains("憑證種類不符"));
}

#[tokio::test]
async fn f5_an_agency_card_is_refused_on_company_sign_in() {
    let portal = Portal::start().await;
    let card = portal.agency_card(TAIPEI_POLICE, TAIPEI_POLICE_NAME);
    let response = portal.sign_in("Company", SHRIMP_SHOP, &card).await;
    assert_ne!(response.status(), StatusCode::OK);
    assert!(body_text(response).await.contains("憑證種類不符"));
}

#[tokio::test]
async fn f5_require_agency_refuses_company_sessions_and_the_signed_out() {
    let portal = Portal::start().await;
    let card = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    let company = portal.session("Company", SHRIMP_SHOP, &card).await;
    for cookie in [Some(company.as_str()), None] {
        let response = portal.post("/api/agency_overview", &[], cookie).await;
        assert_ne!(response.status(), StatusCode::OK);
        assert!(body_text(response).await.contains("SignInRequired"));
    }
    // And the agency's session opens no company page.
    let agency_card = portal.agency_card(TAIPEI_POLICE, TAIPEI_POLICE_NAME);
    let agency = portal.session("Agency", TAIPEI_POLICE, &agency_card).await;
    assert_eq!(
        portal.page("/company", Some(&agency)).await.status(),
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn f5_an_agency_removed_from_the_registry_loses_its_open_session() {
    let portal = Portal::start().await;
    let card = portal.agency_card(TAIPEI_POLICE, TAIPEI_POLICE_NAME);
    let cookie = portal.session("Agency", TAIPEI_POLICE, &card).await;
    let overview = portal
        .post("/api/agency_overview", &[], Some(&cookie))
        .await;
    assert_eq!(overview.status(), StatusCode::OK);
    sqlx::query("DELETE FROM agencies WHERE code = $1")
        .bind(TAIPEI_POLICE)
        .execute(&portal.app.test_db.db.pool)
        .await
        .expect("deleted");
    let overview = portal
        .post("/api/agency_overview", &[], Some(&cookie))
        .await;
    assert_ne!(overview.status(), StatusCode::OK);
}

#[tokio::test]
async fn f5_the_agency_sign_in_page_asks_for_the_agency_code_in_both_languages() {
    let portal = Portal::start().await;
    let html = body_text(portal.page("/agency/sign-in", None).await).await;
    assert!(html.contains("機關憑證登入") && html.contains("機關代號"));
    assert!(html.contains(r#"name="agency_code""#));
    assert!(!html.contains(r#"name="business_id""#));
}
