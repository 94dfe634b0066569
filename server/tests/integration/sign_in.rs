//! Card sign-in and staff access through the real router (F-5, F-6): certificates from the
//! development PKI, challenges signed with the card's key as the card helper would, sessions
//! and the back office's role and jurisdiction checks.

use crate::helpers::{body_text, test_clock, TestApp};
use app::pki::{Purpose, ReloadableTrustStore, TrustStore};
use app::platform::clock::Clock;
use app::services::staff::role::Role;
use app::services::staff::store::{self as staff, JurisdictionSpec};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use base64::{engine::general_purpose::STANDARD, Engine};
use rcgen::{KeyPair, SigningKey};
use server::pki::{Issued, Pki, SubjectKey, Validity};

const SHRIMP_SHOP: &str = "24941832";

/// A portal trusting a fresh development PKI, with the demo registry loaded.
pub(crate) struct Portal {
    pub(crate) app: TestApp,
    pub(crate) pki: Pki,
    _dir: tempfile::TempDir,
}

impl Portal {
    pub(crate) async fn start() -> Portal {
        Portal::start_with(&server::verify::Settings::default()).await
    }

    /// The portal, its verification API configured with `settings`.
    pub(crate) async fn start_with(settings: &server::verify::Settings) -> Portal {
        let dir = tempfile::tempdir().expect("temporary directory");
        let now = test_clock().unix();
        let pki = Pki::init(dir.path(), now - 60).expect("development PKI");
        let trust = ReloadableTrustStore::load(&pki.trust_dir()).expect("trust store");
        let ca = Pki::open(dir.path()).expect("the same PKI as the MOICA CA");
        let app =
            crate::helpers::spawn_app_with(trust, settings, Some(std::sync::Arc::new(ca))).await;
        server::registry::load_demo(&app.test_db.db.pool)
            .await
            .expect("demo registry");
        Portal {
            app,
            pki,
            _dir: dir,
        }
    }

    pub(crate) fn now(&self) -> i64 {
        self.app.clock.unix()
    }

    pub(crate) fn year(&self) -> Validity {
        Validity::days_from(self.now() - 60, 365)
    }

    pub(crate) fn business_card(&self, business_id: &str, name: &str) -> Issued {
        let id = app::domain::business_id::BusinessId::parse(business_id).expect("business id");
        self.pki
            .issue_business_card(&id, name, self.year(), &SubjectKey::GenerateRsa)
            .expect("business card")
    }

    pub(crate) fn citizen_card(&self, name: &str) -> Issued {
        self.pki
            .issue_citizen_card(name, "6789", self.year(), &SubjectKey::GenerateRsa)
            .expect("citizen card")
    }

    /// Binds a citizen card to a new staff account.
    pub(crate) async fn staff(&self, name: &str, role: Role, jurisdiction: &str) -> Issued {
        let card = self.citizen_card(name);
        let trust = TrustStore::load(&self.pki.trust_dir()).expect("trust store");
        let checked = trust
            .check_certificate(&card.certificate_der, Purpose::CitizenCard, self.now())
            .expect("valid card");
        let spec: JurisdictionSpec = jurisdiction.parse().expect("jurisdiction");
        staff::add(
            &self.app.test_db.db.pool,
            name,
            role,
            &spec,
            &checked,
            "test",
            self.now(),
        )
        .await
        .expect("staff account");
        card
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> Response {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.app
            .send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Calls a server function that takes JSON (`input = Json`) as its page would.
    pub(crate) async fn post_json(
        &self,
        path: &str,
        body: serde_json::Value,
        cookie: Option<&str>,
    ) -> Response {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.app
            .send(request.body(Body::from(body.to_string())).expect("request"))
            .await
    }

    /// Posts a form to a page as a browser without JavaScript does; the status and the page.
    pub(crate) async fn post_page(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send_page(
            path,
            cookie,
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
        .await
    }

    /// Posts a page's form with a file, as `multipart/form-data`.
    pub(crate) async fn post_multipart(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> (StatusCode, String) {
        const BOUNDARY: &str = "----hujitestboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"api.cer\"\r\n\
                 Content-Type: application/x-x509-ca-cert\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.send_page(path, cookie, &content_type, body).await
    }

    async fn send_page(
        &self,
        path: &str,
        cookie: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, String) {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCEPT, "text/html")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = self
            .app
            .send(request.body(Body::from(body)).expect("request"))
            .await;
        let status = response.status();
        (status, body_text(response).await)
    }

    pub(crate) async fn page(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut request = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.app
            .send(request.body(Body::empty()).expect("request"))
            .await
    }

    pub(crate) async fn challenge(&self) -> String {
        let response = self.post("/api/card_sign_in_challenge", &[], None).await;
        assert_eq!(response.status(), StatusCode::OK);
        serde_json::from_str(&body_text(response).await).expect("a JSON string")
    }

    /// What the page sends after the card signed `challenge`.
    pub(crate) async fn sign_in_with(
        &self,
        kind: &str,
        business_id: &str,
        card: &Issued,
        signer: &Issued,
        challenge: &str,
    ) -> Response {
        let key = KeyPair::from_pem(signer.private_key_pem.as_deref().expect("key")).expect("key");
        let signature = key.sign(challenge.as_bytes()).expect("signature");
        let mut form = vec![("kind", kind), ("challenge", challenge)];
        let certificate = STANDARD.encode(&card.certificate_der);
        let signature = STANDARD.encode(signature);
        form.push(("certificate_b64", &certificate));
        form.push(("signature_b64", &signature));
        if !business_id.is_empty() {
            form.push(("business_id", business_id));
        }
        self.post("/api/card_sign_in", &form, None).await
    }

    pub(crate) async fn sign_in(&self, kind: &str, business_id: &str, card: &Issued) -> Response {
        let challenge = self.challenge().await;
        self.sign_in_with(kind, business_id, card, card, &challenge)
            .await
    }

    /// Signs in and returns the `Cookie` header value of the new session.
    pub(crate) async fn session(&self, kind: &str, business_id: &str, card: &Issued) -> String {
        let response = self.sign_in(kind, business_id, card).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{}",
            body_text_of(response).await
        );
        session_cookie(&response)
    }

    pub(crate) async fn audit_actions(&self) -> Vec<(String, String)> {
        sqlx::query_as("SELECT actor, action FROM audit_log ORDER BY seq")
            .fetch_all(&self.app.test_db.db.pool)
            .await
            .expect("audit rows")
    }
}

async fn body_text_of(response: Response) -> String {
    body_text(response).await
}

pub(crate) fn session_cookie(response: &Response) -> String {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("huji_session=") && !v.starts_with("huji_session=;"))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

pub(crate) fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

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
    assert!(portal
        .audit_actions()
        .await
        .contains(&("anonymous".into(), "sign_in.refused".into())));
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
    staff::disable(pool, id, "test", portal.now())
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
    let pool = &portal.app.test_db.db.pool;
    for (role, jurisdiction) in [
        (Role::HouseholdClerk, "national"),
        (Role::MinistryReviewer, "county:臺北市"),
        (Role::CountyOfficer, "office:63000030"),
    ] {
        let spec: JurisdictionSpec = jurisdiction.parse().expect("spec");
        let refused = staff::add(pool, "林美玲", role, &spec, &checked, "test", portal.now()).await;
        assert!(
            matches!(refused, Err(staff::StaffError::ScopeMismatch { .. })),
            "{role}"
        );
    }
    let spec = JurisdictionSpec::Office("99999999".into());
    let refused = staff::add(
        pool,
        "林美玲",
        Role::HouseholdClerk,
        &spec,
        &checked,
        "test",
        portal.now(),
    )
    .await;
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
