//! The whole portal under test: a development PKI it trusts (also its MOICA CA), the demo
//! registry, and requests as a browser or a page's script sends them.

use super::{body_text, test_clock, TestApp};
use app::domain::email::Email;
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

/// A portal trusting a fresh development PKI, with the demo registry loaded.
pub struct Portal {
    pub app: TestApp,
    pub pki: Pki,
    _dir: tempfile::TempDir,
}

impl Portal {
    pub async fn start() -> Portal {
        Portal::start_with(&server::verify::Settings::default()).await
    }

    /// The portal, its verification API configured with `settings`.
    pub async fn start_with(settings: &server::verify::Settings) -> Portal {
        let dir = tempfile::tempdir().expect("temporary directory");
        let now = test_clock().unix();
        let pki = Pki::init(dir.path(), now - 60).expect("development PKI");
        let trust = ReloadableTrustStore::load(&pki.trust_dir()).expect("trust store");
        let ca = Pki::open(dir.path()).expect("the same PKI as the MOICA CA");
        let app = super::spawn_app_with(trust, settings, Some(std::sync::Arc::new(ca))).await;
        server::registry::load_demo(&app.test_db.db.pool)
            .await
            .expect("demo registry");
        Portal {
            app,
            pki,
            _dir: dir,
        }
    }

    /// The router of another server on the same database and PKI (one more process behind the
    /// load balancer), its verification API configured with `settings` and its state changed
    /// by `change`.
    pub fn server_with(
        &self,
        settings: &server::verify::Settings,
        change: impl FnOnce(&mut app::platform::AppState),
    ) -> axum::Router {
        let trust = ReloadableTrustStore::load(&self.pki.trust_dir()).expect("trust");
        let mut state = super::state_with_trust(&self.app.test_db.db, &self.app.clock, trust);
        change(&mut state);
        let verify = server::verify::VerifyState::new(state.clone(), settings);
        let confirm = server::confirm::ConfirmState::new(state.clone(), &Default::default());
        server::web::router(
            state,
            verify,
            confirm,
            super::test_metrics(),
            super::test_printer(),
        )
    }

    pub fn now(&self) -> i64 {
        self.app.clock.unix()
    }

    pub fn year(&self) -> Validity {
        Validity::days_from(self.now() - 60, 365)
    }

    pub fn business_card(&self, business_id: &str, name: &str) -> Issued {
        let id = app::domain::business_id::BusinessId::parse(business_id).expect("business id");
        self.pki
            .issue_business_card(&id, name, self.year(), &SubjectKey::GenerateRsa)
            .expect("business card")
    }

    /// A 機關憑證 of the agency with this 機關代號.
    pub fn agency_card(&self, code: &str, name: &str) -> Issued {
        let code = app::domain::agency_code::AgencyCode::parse(code).expect("agency code");
        self.pki
            .issue_agency_card(&code, name, self.year(), &SubjectKey::GenerateRsa)
            .expect("agency card")
    }

    pub fn citizen_card(&self, name: &str) -> Issued {
        self.pki
            .issue_citizen_card(name, "6789", self.year(), &SubjectKey::GenerateRsa)
            .expect("citizen card")
    }

    /// A citizen card of `name`, recorded by the registration authority as the card numbered
    /// `card_number` of the person with `national_id` (who must end in 6789, as
    /// [`Portal::citizen_card`] does), as the counter records a card it issues.
    pub async fn recorded_citizen_card(
        &self,
        name: &str,
        national_id: &str,
        card_number: &str,
    ) -> Issued {
        let card = self.citizen_card(name);
        let trust = TrustStore::load(&self.pki.trust_dir()).expect("trust store");
        let checked = trust
            .check_certificate(&card.certificate_der, Purpose::CitizenCard, self.now())
            .expect("a valid card");
        let id = app::domain::national_id::NationalId::parse(national_id).expect("id");
        let number = app::domain::card_number::CardNumber::parse(card_number).expect("card");
        app::services::certificate::store::record_holder(
            &mut self
                .app
                .test_db
                .db
                .pool
                .acquire()
                .await
                .expect("connection"),
            &checked,
            &id,
            &number,
            self.now(),
        )
        .await
        .expect("recorded");
        card
    }

    /// Binds a citizen card to a new staff account (with no notice address).
    pub async fn staff(&self, name: &str, role: Role, jurisdiction: &str) -> Issued {
        self.staff_mailed(name, role, jurisdiction, None).await
    }

    /// Binds a citizen card to a new staff account whose notices go to `email`.
    pub async fn staff_mailed(
        &self,
        name: &str,
        role: Role,
        jurisdiction: &str,
        email: Option<&str>,
    ) -> Issued {
        let card = self.citizen_card(name);
        let trust = TrustStore::load(&self.pki.trust_dir()).expect("trust store");
        let checked = trust
            .check_certificate(&card.certificate_der, Purpose::CitizenCard, self.now())
            .expect("valid card");
        let spec: JurisdictionSpec = jurisdiction.parse().expect("jurisdiction");
        let email = email.map(|email| Email::parse(email).expect("e-mail"));
        let new = staff::NewStaff {
            name,
            role,
            jurisdiction: &spec,
            email: email.as_ref(),
        };
        staff::add(&self.app.test_db.db, &new, &checked, "test", self.now())
            .await
            .expect("staff account");
        card
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Response {
        self.app.send(form_post(path, form, cookie)).await
    }

    /// Calls a server function that takes JSON (`input = Json`) as its page would.
    pub async fn post_json(
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
    pub async fn post_page(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        self.post_page_from(None, path, cookie, fields).await
    }

    /// Posts a page's form from the client at `peer` (none: a client without an address).
    pub async fn post_page_from(
        &self,
        peer: Option<std::net::IpAddr>,
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
            peer,
            path,
            cookie,
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
        .await
    }

    /// Posts a page's form with a file, as `multipart/form-data`.
    pub async fn post_multipart(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> (StatusCode, String) {
        self.post_files(path, cookie, fields, &[(file.0, "api.cer", file.1)])
            .await
    }

    /// Posts a page's form with files (field, file name, bytes), as `multipart/form-data`.
    pub async fn post_files(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> (StatusCode, String) {
        const BOUNDARY: &str = "----hujitestboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, file_name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.send_page(None, path, cookie, &content_type, body)
            .await
    }

    async fn send_page(
        &self,
        peer: Option<std::net::IpAddr>,
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
        let mut request = request.body(Body::from(body)).expect("request");
        if let Some(peer) = peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
                    peer, 40000,
                )));
        }
        let response = self.app.send(request).await;
        let status = response.status();
        (status, body_text(response).await)
    }

    pub async fn page(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut request = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.app
            .send(request.body(Body::empty()).expect("request"))
            .await
    }

    pub async fn challenge(&self) -> String {
        let response = self.post("/api/card_sign_in_challenge", &[], None).await;
        assert_eq!(response.status(), StatusCode::OK);
        serde_json::from_str(&body_text(response).await).expect("a JSON string")
    }

    /// What the page sends after the card signed `challenge`; `business_id` is the number
    /// typed beside the card, sent as the 機關代號 when an agency signs in.
    pub async fn sign_in_with(
        &self,
        kind: &str,
        business_id: &str,
        card: &Issued,
        signer: &Issued,
        challenge: &str,
    ) -> Response {
        let signed = super::card_signed(challenge.as_bytes());
        self.sign_in_signing(kind, business_id, card, signer, challenge, &signed)
            .await
    }

    /// As [`Portal::sign_in_with`], the card having signed `signed` for `challenge`.
    pub async fn sign_in_signing(
        &self,
        kind: &str,
        business_id: &str,
        card: &Issued,
        signer: &Issued,
        challenge: &str,
        signed: &[u8],
    ) -> Response {
        let signature = card_signs(signer, signed);
        let mut form = vec![("kind", kind), ("challenge", challenge)];
        let certificate = STANDARD.encode(&card.certificate_der);
        let signature = STANDARD.encode(signature);
        form.push(("certificate_b64", &certificate));
        form.push(("signature_b64", &signature));
        if !business_id.is_empty() {
            let field = if kind == "Agency" {
                "agency_code"
            } else {
                "business_id"
            };
            form.push((field, business_id));
        }
        self.post("/api/card_sign_in", &form, None).await
    }

    pub async fn sign_in(&self, kind: &str, business_id: &str, card: &Issued) -> Response {
        let challenge = self.challenge().await;
        self.sign_in_with(kind, business_id, card, card, &challenge)
            .await
    }

    /// Signs in and returns the `Cookie` header value of the new session.
    pub async fn session(&self, kind: &str, business_id: &str, card: &Issued) -> String {
        let response = self.sign_in(kind, business_id, card).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{}",
            body_text_of(response).await
        );
        session_cookie(&response)
    }

    /// Fails unless the audit log holds a row of each of `actions`.
    pub async fn assert_audited(&self, actions: &[&str]) {
        let logged: Vec<String> = self
            .audit_actions()
            .await
            .into_iter()
            .map(|(_, action)| action)
            .collect();
        for action in actions {
            assert!(logged.iter().any(|a| a == action), "{action}: {logged:?}");
        }
    }

    pub async fn audit_actions(&self) -> Vec<(String, String)> {
        sqlx::query_as("SELECT actor, action FROM audit_log ORDER BY seq")
            .fetch_all(&self.app.test_db.db.pool)
            .await
            .expect("audit rows")
    }

    /// How many audit rows record `action`.
    pub async fn audited(&self, action: &str) -> usize {
        self.audit_actions()
            .await
            .iter()
            .filter(|(_, audited)| audited == action)
            .count()
    }
}

async fn body_text_of(response: Response) -> String {
    body_text(response).await
}

/// The signature `card`'s key makes over `signed` (what the card helper has the card sign).
pub fn card_signs(card: &Issued, signed: &[u8]) -> Vec<u8> {
    let key = KeyPair::from_pem(card.private_key_pem.as_deref().expect("key")).expect("key");
    key.sign(signed).expect("signature")
}

/// `form` posted to `path` as a server function's page posts it, with `cookie`.
pub fn form_post(path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Request<Body> {
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
    request.body(Body::from(body)).expect("request")
}

pub fn session_cookie(response: &Response) -> String {
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

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
