//! Card sign-in and staff access through the real router (F-5, F-6): certificates from the
//! development PKI, challenges signed with the card's key as the card helper would, sessions
//! and the back office's role and jurisdiction checks.

use crate::support::{body_text, session_cookie, Portal};
use app::pki::{Purpose, TrustStore};
use app::services::staff::role::Role;
use app::services::staff::store::{self as staff, JurisdictionSpec};
use axum::http::{header, StatusCode};

const SHRIMP_SHOP: &str = "24941832";

#[tokio::test]
async fn f5_company_signs_in_with_its_card_and_sees_its_page() {
    let portal = Portal::start().await;
    let card = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    let response = portal.sign_in("Company", SHRIMP_SHOP, &card).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_cookie(&response);
    assert_eq!(body_text(response).await, "\"/company\"");

    let page = portal.page("/company", Some(&cookie)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = body_text(page).await;
    assert!(html.contains("蝦蝦樂購股份有限公司") && html.contains(SHRIMP_SHOP));

    let actions = portal.audit_actions().await;
    assert!(actions.contains(&("company:24941832".into(), "sign_in.card".into())));
}

#[tokio::test]
async fn f5_signed_out_visitors_of_the_company_page_are_sent_to_sign_in() {
    let portal = Portal::start().await;
    let page = portal.page("/company", None).await;
    assert_eq!(page.status(), StatusCode::FOUND);
    assert_eq!(
        page.headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/company/sign-in?next=/company")
    );
}

#[tokio::test]
async fn f5_a_challenge_signs_in_once_only() {
    let portal = Portal::start().await;
    let card = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    let challenge = portal.challenge().await;
    let first = portal
        .sign_in_with("Company", SHRIMP_SHOP, &card, &card, &challenge)
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let replay = portal
        .sign_in_with("Company", SHRIMP_SHOP, &card, &card, &challenge)
        .await;
    assert_ne!(replay.status(), StatusCode::OK);
    assert!(body_text(replay).await.contains("已逾時"));
}

#[tokio::test]
async fn f5_a_challenge_expires_after_two_minutes() {
    let portal = Portal::start().await;
    let card = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    let challenge = portal.challenge().await;
    portal.app.clock.advance(chrono::Duration::seconds(121));
    let late = portal
        .sign_in_with("Company", SHRIMP_SHOP, &card, &card, &challenge)
        .await;
    assert_ne!(late.status(), StatusCode::OK);
    assert!(body_text(late).await.contains("已逾時"));
}

#[tokio::test]
async fn f5_a_signature_by_another_key_is_refused() {
    let portal = Portal::start().await;
    let card = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    let other = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    let challenge = portal.challenge().await;
    let forged = portal
        .sign_in_with("Company", SHRIMP_SHOP, &card, &other, &challenge)
        .await;
    assert_ne!(forged.status(), StatusCode::OK);
    assert!(body_text(forged).await.contains("簽章驗證失敗"));
}

#[tokio::test]
async fn security_21_4_a_signature_made_for_another_page_signs_nobody_in() {
    let portal = Portal::start().await;
    let card = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    // A page of another origin that fetched a portal challenge: the helper names that page.
    let challenge = portal.challenge().await;
    let elsewhere =
        card_helper::protocol::signed_message("https://evil.example", challenge.as_bytes());
    let relayed = portal
        .sign_in_signing("Company", SHRIMP_SHOP, &card, &card, &challenge, &elsewhere)
        .await;
    assert_ne!(relayed.status(), StatusCode::OK);
    assert!(body_text(relayed).await.contains("簽章驗證失敗"));
    // Bare challenge bytes, as a helper of the first protocol signed them, are refused too.
    let challenge = portal.challenge().await;
    let bare = portal
        .sign_in_signing(
            "Company",
            SHRIMP_SHOP,
            &card,
            &card,
            &challenge,
            challenge.as_bytes(),
        )
        .await;
    assert_ne!(bare.status(), StatusCode::OK);
    // Signed for this portal's origin, the same card signs in.
    assert_eq!(
        portal.sign_in("Company", SHRIMP_SHOP, &card).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn f5_the_typed_business_id_must_be_the_certificates() {
    let portal = Portal::start().await;
    let card = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    let response = portal.sign_in("Company", "04595257", &card).await;
    assert_ne!(response.status(), StatusCode::OK);
    assert!(body_text(response).await.contains("統一編號不符"));
    let response = portal.sign_in("Company", "1234", &card).await;
    assert_ne!(response.status(), StatusCode::OK);
    assert!(body_text(response).await.contains("business_id"));
}

#[tokio::test]
async fn f5_only_registered_active_companies_sign_in() {
    let portal = Portal::start().await;
    let dissolved = portal.business_card("53128672", "好日子貿易有限公司");
    let response = portal.sign_in("Company", "53128672", &dissolved).await;
    assert!(body_text(response).await.contains("核准設立"));
    let unknown = portal.business_card("04595257", "不存在股份有限公司");
    let response = portal.sign_in("Company", "04595257", &unknown).await;
    assert!(body_text(response).await.contains("查無此統一編號"));
}

#[tokio::test]
async fn f5_a_citizen_card_cannot_sign_in_a_company() {
    let portal = Portal::start().await;
    let card = portal.citizen_card("王小明");
    let response = portal.sign_in("Company", SHRIMP_SHOP, &card).await;
    assert!(body_text(response).await.contains("憑證種類不符"));
}

#[tokio::test]
async fn f6_staff_sign_in_needs_a_bound_certificate() {
    let portal = Portal::start().await;
    let stranger = portal.citizen_card("路人甲");
    let response = portal.sign_in("Staff", "", &stranger).await;
    assert!(body_text(response).await.contains("尚未登錄為後台工作人員"));

    let reviewer = portal
        .staff("林美玲", Role::MinistryReviewer, "national")
        .await;
    let cookie = portal.session("Staff", "", &reviewer).await;
    let home = portal.page("/admin", Some(&cookie)).await;
    assert_eq!(home.status(), StatusCode::OK);
    let html = body_text(home).await;
    assert!(html.contains("林美玲") && html.contains("內政部戶政司審核人員"));
}

#[tokio::test]
async fn f6_staff_without_the_role_get_403() {
    let portal = Portal::start().await;
    let clerk = portal
        .staff("陳志強", Role::HouseholdClerk, "office:63000030")
        .await;
    let cookie = portal.session("Staff", "", &clerk).await;
    let page = portal.page("/admin/staff", Some(&cookie)).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(body_text(page).await.contains("403"));
    let call = portal.post("/api/staff_accounts", &[], Some(&cookie)).await;
    assert_eq!(call.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn f6_staff_see_only_their_jurisdiction() {
    let portal = Portal::start().await;
    let engineer = portal
        .staff("張家豪", Role::InformationServices, "national")
        .await;
    let taipei = portal
        .staff("王大同", Role::CountyOfficer, "county:臺北市")
        .await;
    portal
        .staff("李小華", Role::HouseholdClerk, "office:63000030")
        .await;
    portal
        .staff("黃美珠", Role::HouseholdClerk, "office:65000010")
        .await;

    let cookie = portal.session("Staff", "", &taipei).await;
    let html = body_text(portal.page("/admin/staff", Some(&cookie)).await).await;
    assert!(html.contains("李小華") && html.contains("王大同"));
    assert!(!html.contains("黃美珠") && !html.contains("張家豪"));

    let cookie = portal.session("Staff", "", &engineer).await;
    let html = body_text(portal.page("/admin/staff", Some(&cookie)).await).await;
    for name in ["李小華", "王大同", "黃美珠", "張家豪"] {
        assert!(html.contains(name), "{name}");
    }
}

#[tokio::test]
async fn f6_a_disabled_account_loses_its_open_session() {
    let portal = Portal::start().await;
    let reviewer = portal
        .staff("林美玲", Role::MinistryReviewer, "national")
        .await;
    let cookie = portal.session("Staff", "", &reviewer).await;
    assert_eq!(
        portal.page("/admin", Some(&cookie)).await.status(),
        StatusCode::OK
    );
    let pool = &portal.app.test_db.db.pool;
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM staff WHERE name = '林美玲'")
        .fetch_one(pool)
        .await
        .expect("staff row");
    staff::disable(&portal.app.test_db.db, id, "test", portal.now())
        .await
        .expect("disabled");
    assert_eq!(
        portal.page("/admin", Some(&cookie)).await.status(),
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn f6_roles_keep_to_their_scope() {
    let portal = Portal::start().await;
    let card = portal.citizen_card("林美玲");
    let trust = TrustStore::load(&portal.pki.trust_dir()).expect("trust store");
    let checked = trust
        .check_certificate(&card.certificate_der, Purpose::CitizenCard, portal.now())
        .expect("valid");
    for (role, jurisdiction) in [
        (Role::HouseholdClerk, "national"),
        (Role::MinistryReviewer, "county:臺北市"),
        (Role::CountyOfficer, "office:63000030"),
    ] {
        let spec: JurisdictionSpec = jurisdiction.parse().expect("spec");
        let new = staff::NewStaff {
            name: "林美玲",
            role,
            jurisdiction: &spec,
            email: None,
        };
        let refused =
            staff::add(&portal.app.test_db.db, &new, &checked, "test", portal.now()).await;
        assert!(
            matches!(refused, Err(staff::StaffError::ScopeMismatch { .. })),
            "{role}"
        );
    }
    let spec = JurisdictionSpec::Office("99999999".into());
    let new = staff::NewStaff {
        name: "林美玲",
        role: Role::HouseholdClerk,
        jurisdiction: &spec,
        email: None,
    };
    let refused = staff::add(&portal.app.test_db.db, &new, &checked, "test", portal.now()).await;
    assert!(matches!(refused, Err(staff::StaffError::UnknownOffice(_))));
}

#[tokio::test]
async fn f5_company_sessions_do_not_open_the_back_office_and_sign_out_ends_them() {
    let portal = Portal::start().await;
    let card = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    let cookie = portal.session("Company", SHRIMP_SHOP, &card).await;
    assert_eq!(
        portal.page("/admin", Some(&cookie)).await.status(),
        StatusCode::FOUND
    );
    let out = portal.post("/api/sign_out", &[], Some(&cookie)).await;
    assert!(out.status().is_success() || out.status().is_redirection());
    assert_eq!(
        portal.page("/company", Some(&cookie)).await.status(),
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn security_21_9_a_revoked_certificate_ends_the_sessions_it_opened() {
    let portal = Portal::start().await;
    let reviewer = portal
        .staff("林美玲", Role::MinistryReviewer, "national")
        .await;
    let company = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    let sessions = [
        ("/admin", portal.session("Staff", "", &reviewer).await),
        (
            "/company",
            portal.session("Company", SHRIMP_SHOP, &company).await,
        ),
    ];
    for card in [&reviewer, &company] {
        portal
            .pki
            .revoke(&card.serial_hex, portal.now())
            .expect("revoke");
    }
    portal.app.state.trust.reload().expect("the new CRLs");
    portal.app.clock.advance(chrono::Duration::seconds(
        app::platform::auth::CERTIFICATE_RECHECK_SECONDS,
    ));
    for (path, cookie) in &sessions {
        let html = body_text(portal.page(path, Some(cookie)).await).await;
        assert!(
            html.contains("您登入所用的憑證已停用、廢止或失效，已為您登出"),
            "{path}: {html}"
        );
        let again = portal.page(path, Some(cookie)).await;
        assert_eq!(again.status(), StatusCode::FOUND, "{path}: signed out");
    }
}

/// The hits counted in `bucket`'s current window of `window_seconds`.
async fn hits(portal: &Portal, bucket: &str, window_seconds: i64) -> Vec<i64> {
    sqlx::query_scalar("SELECT hits FROM rate_limits WHERE bucket = $1 AND window_start = $2")
        .bind(bucket)
        .bind(portal.now() - portal.now().rem_euclid(window_seconds))
        .fetch_all(&portal.app.test_db.db.pool)
        .await
        .expect("rate windows")
}

#[tokio::test]
async fn security_21_6_a_client_draws_a_bounded_number_of_challenges() {
    use app::platform::challenge::ISSUE_LIMIT;
    let portal = Portal::start().await;
    sqlx::query(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ('challenge:unknown', $1, $2)",
    )
    .bind(portal.now() - portal.now().rem_euclid(ISSUE_LIMIT.window_seconds))
    .bind(ISSUE_LIMIT.max - 1)
    .execute(&portal.app.test_db.db.pool)
    .await
    .expect("a nearly used-up bucket");
    portal.challenge().await;
    let refused = portal.post("/api/card_sign_in_challenge", &[], None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key(header::RETRY_AFTER));
    let body = body_text(refused).await;
    assert!(
        body.contains("嘗試次數過多") && body.contains("Too many attempts"),
        "{body}"
    );
    let challenges: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_challenges")
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("challenges");
    assert_eq!(challenges, 1);
}

#[tokio::test]
async fn security_21_6_anonymous_sign_in_failures_are_counted_not_audited_and_limited() {
    use app::services::sign_in::server::FAILURE_LIMIT;
    let portal = Portal::start().await;
    let card = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    let other = portal.business_card(SHRIMP_SHOP, "蝦蝦樂購股份有限公司");
    for _ in 0..3 {
        let challenge = portal.challenge().await;
        let forged = portal
            .sign_in_with("Company", SHRIMP_SHOP, &card, &other, &challenge)
            .await;
        assert!(body_text(forged).await.contains("簽章驗證失敗"));
    }
    let used = portal.challenge().await;
    let signed_in = portal
        .sign_in_with("Company", SHRIMP_SHOP, &card, &card, &used)
        .await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let replayed = portal
        .sign_in_with("Company", SHRIMP_SHOP, &card, &card, &used)
        .await;
    assert_ne!(replayed.status(), StatusCode::OK);
    // Nobody was identified: one counter row for the client, no audit row.
    assert_eq!(
        hits(&portal, "sign-in:unknown", FAILURE_LIMIT.window_seconds).await,
        [4]
    );
    let actions = portal.audit_actions().await;
    assert!(
        !actions
            .iter()
            .any(|(_, action)| action == "sign_in.refused"),
        "{actions:?}"
    );
    assert!(actions.contains(&("company:24941832".into(), "sign_in.card".into())));

    // Past the limit, even the right card waits, and nothing is checked.
    sqlx::query("UPDATE rate_limits SET hits = $1 WHERE bucket = 'sign-in:unknown'")
        .bind(FAILURE_LIMIT.max)
        .execute(&portal.app.test_db.db.pool)
        .await
        .expect("a used-up bucket");
    let challenge = portal.challenge().await;
    let waiting = portal
        .sign_in_with("Company", SHRIMP_SHOP, &card, &card, &challenge)
        .await;
    assert_eq!(waiting.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(waiting.headers().contains_key(header::RETRY_AFTER));
    assert!(body_text(waiting).await.contains("分鐘後再試"));
    let unused: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sign_in_challenges WHERE id = $1 AND used_at IS NULL",
    )
    .bind(&challenge)
    .fetch_one(&portal.app.test_db.db.pool)
    .await
    .expect("the challenge");
    assert_eq!(unused, 1);
}
