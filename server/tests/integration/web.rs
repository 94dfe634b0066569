//! The HTTP surface through the real router: headers, CSRF, health, metrics, language.

use crate::support::{body_text, spawn_app, ORIGIN, TEST_METRICS_TOKEN};
use axum::{body::Body, http::Request};

#[tokio::test]
async fn home_page_is_zh_tw_by_default_with_strict_headers() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(
        headers["cache-control"], "no-store",
        "pages are never cached"
    );
    let csp = headers["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    let html = body_text(response).await;
    assert!(html.contains(r#"<html lang="zh-Hant-TW""#), "{html}");
    assert!(html.contains("網路申辦服務"));
    // The inline hydration script carries the nonce that the header allows, and no other.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("nonce in CSP");
    assert!(html.contains(&format!(r#"nonce="{nonce}""#)));
}

/// Leptos streams a page in pieces; the page leaves the portal's middleware in one, so that
/// brotli compresses it in one write rather than growing a 4 MiB window for every page
/// (docs/benchmarks.md, the home page's rate).
#[tokio::test]
async fn issue_23_5_a_page_reaches_the_compressor_in_one_piece() {
    use axum::body::HttpBody;
    let app = spawn_app().await;
    let response = app.get("/").await;
    let exact = response.body().size_hint().exact();
    let html = body_text(response).await;
    assert!(html.contains("網路申辦服務"));
    assert_eq!(exact, Some(html.len() as u64));
}

#[tokio::test]
async fn nonces_differ_between_responses() {
    let app = spawn_app().await;
    let a = app.get("/").await.headers()["content-security-policy"].clone();
    let b = app.get("/").await.headers()["content-security-policy"].clone();
    assert_ne!(a, b);
}

#[tokio::test]
async fn language_switch_persists_in_a_cookie_and_returns_to_the_page() {
    let app = spawn_app().await;
    let response = app.get("/lang/en?next=/%3Fx%3D1").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/?x=1");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(cookie.starts_with("huji_lang=en;"), "{cookie}");

    let english = app
        .send(
            Request::get("/")
                .header("cookie", "huji_lang=en")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    let html = body_text(english).await;
    assert!(html.contains(r#"<html lang="en""#));
    assert!(html.contains("Online services"));
    assert!(html.contains("中文"), "the switch back is offered");
}

#[tokio::test]
async fn language_switch_is_not_an_open_redirect() {
    let app = spawn_app().await;
    let response = app.get("/lang/en?next=//evil.example/").await;
    assert_eq!(response.headers()["location"], "/");
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_same_origin_posts_pass_the_guard() {
    let app = spawn_app().await;
    let post = |headers: &[(&str, &str)]| {
        let mut request = Request::post("/api/no_such_function");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        request.body(Body::empty()).expect("request")
    };
    assert_eq!(app.send(post(&[])).await.status(), 403);
    assert_eq!(
        app.send(post(&[("origin", "https://evil.example")]))
            .await
            .status(),
        403
    );
    assert_eq!(
        app.send(post(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", ORIGIN)
        ]))
        .await
        .status(),
        403
    );
    // Past the guard, an unknown server function is the server-function router's 400/404.
    assert_ne!(
        app.send(post(&[("sec-fetch-site", "same-origin")]))
            .await
            .status(),
        403
    );
    assert_ne!(app.send(post(&[("origin", ORIGIN)])).await.status(), 403);
}

/// Only the agency API's two signed operations skip the CSRF guard: a cross-site POST to any
/// server function — whatever its name, `/api/v1/…` included — is refused.
#[tokio::test]
async fn security_21_12_no_server_function_is_exempt_from_the_csrf_guard() {
    let app = spawn_app().await;
    let cross_site = |path: &str| {
        Request::post(path)
            .header("sec-fetch-site", "cross-site")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::empty())
            .expect("request")
    };
    let registered = leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned());
    let probes = ["/api/v1/sign_out", "/api/v1/", "/integration/agency/v1/x"];
    for path in registered.chain(probes.iter().map(|p| (*p).to_owned())) {
        assert_eq!(app.send(cross_site(&path)).await.status(), 403, "{path}");
    }
    // The signed operations answer for themselves (here: no credentials).
    for path in [
        "/integration/agency/v1/connection-test",
        "/integration/agency/v1/person-query",
    ] {
        assert_ne!(app.send(cross_site(path)).await.status(), 403, "{path}");
    }
}

#[tokio::test]
async fn health_check_answers_when_the_database_does() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(body_text(response).await, "ok");
    app.test_db.db.pool.close().await;
    assert_eq!(app.get("/healthz").await.status(), 503);
    // Alive all the same: the process answers without the database.
    let response = app.get("/livez").await;
    assert_eq!(response.status(), 200);
    assert_eq!(body_text(response).await, "ok");
}

#[tokio::test]
async fn f3_the_health_check_fails_in_a_year_the_holiday_table_does_not_list() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    // The tests' clock stands in 2023; the table ends with 2027.
    app.clock.advance(chrono::Duration::days(6 * 366));
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 503);
    assert!(body_text(response).await.contains("2028, 2029"));
}

#[tokio::test]
async fn security_21_12_metrics_are_for_the_scraper_with_the_token_only() {
    let app = spawn_app().await;
    app.get("/healthz").await;
    let scrape = |authorization: Option<String>| {
        let mut request = Request::get("/metrics");
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        app.send(request.body(Body::empty()).expect("request"))
    };
    for refused in [
        None,
        Some("Bearer 00".to_owned()),
        Some(format!("Basic {TEST_METRICS_TOKEN}")),
        Some(format!("Bearer {}", &TEST_METRICS_TOKEN[2..])),
    ] {
        let response = scrape(refused.clone()).await;
        assert_eq!(response.status(), 401, "{refused:?}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert!(!body_text(response).await.contains("http_requests_total"));
    }
    let response = scrape(Some(format!("Bearer {TEST_METRICS_TOKEN}"))).await;
    assert_eq!(response.status(), 200);
    let text = body_text(response).await;
    assert!(
        text.contains("# TYPE http_requests_total counter"),
        "{text}"
    );
    assert!(text.contains(r#"route="/healthz""#), "{text}");
}

#[tokio::test]
async fn unknown_pages_render_the_not_found_page_with_404() {
    let app = spawn_app().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    assert!(body_text(response).await.contains("找不到網頁"));
}

#[tokio::test]
async fn the_language_switch_comes_back_to_the_same_page_and_query() {
    let app = spawn_app().await;
    let html = body_text(app.get("/api-service/apply/form?kind=modify").await).await;
    assert!(
        html.contains("/lang/en?next=/api-service/apply/form%3Fkind%3Dmodify"),
        "{html}"
    );
    let html = body_text(app.get("/api-service").await).await;
    assert!(html.contains("/lang/en?next=/api-service\""), "{html}");
}

/// The services' manifests name only pages the router serves: each form page and back-office
/// menu entry answers a GET (the back office sends a signed-out visitor to sign in), and each
/// form page takes a same-origin POST rather than answering 405.
#[tokio::test]
async fn every_page_a_service_declares_is_routed() {
    let app = spawn_app().await;
    let menu = app::services::manifest::SERVICES
        .iter()
        .flat_map(|service| service.menu.iter().map(|entry| entry.path));
    for path in app::services::manifest::form_pages().chain(menu) {
        let status = app.get(path).await.status();
        assert!(
            status.is_success() || status.is_redirection(),
            "GET {path}: {status}"
        );
    }
    for path in app::services::manifest::form_pages() {
        let response = app
            .send(
                Request::post(path)
                    .header("origin", ORIGIN)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from("x=1"))
                    .expect("request"),
            )
            .await;
        assert_ne!(response.status(), 405, "POST {path}");
        assert_ne!(response.status(), 404, "POST {path}");
    }
}

/// The log lines written while the current thread holds the returned guard.
fn capture_logs() -> (
    std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    tracing::subscriber::DefaultGuard,
) {
    #[derive(Clone)]
    struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let logged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let buffer = Buffer(logged.clone());
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || buffer.clone())
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .finish();
    (logged, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn security_21_8_forwarding_from_an_untrusted_peer_is_warned_of_once() {
    let app = spawn_app().await;
    let (logged, _guard) = capture_logs();
    let from_proxy = |forwarded: Option<&str>| {
        let mut request = Request::get("/livez");
        if let Some(forwarded) = forwarded {
            request = request.header("x-forwarded-for", forwarded);
        }
        let mut request = request.body(Body::empty()).expect("request");
        let peer: std::net::SocketAddr = "10.0.0.5:40000".parse().expect("address");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        request
    };
    app.send(from_proxy(None)).await;
    let warnings = || {
        String::from_utf8_lossy(&logged.lock().expect("log"))
            .matches("HUJI_TRUSTED_PROXIES")
            .count()
    };
    assert_eq!(warnings(), 0, "nothing forwarded, nothing to say");
    for client in ["198.51.100.7", "198.51.100.8", "198.51.100.9"] {
        app.send(from_proxy(Some(client))).await;
    }
    assert_eq!(warnings(), 1, "once, not per request");
}

#[tokio::test]
async fn issue_24_the_design_page_is_a_development_portals_only() {
    let app = spawn_app().await;
    let response = app.get("/design").await;
    assert_eq!(response.status(), 200);
    let html = body_text(response).await;
    assert!(
        html.contains("設計系統") && html.contains("class=\"step-indicator\""),
        "{html}"
    );
    // A production portal (served over HTTPS) has no such page.
    let mut state = app.state.clone();
    state.edit().settings = std::sync::Arc::new(app::settings::PortalSettings {
        public_origin: "https://huji.example.gov.tw".into(),
        ..(*state.settings).clone()
    });
    let production = server::web::router(
        state.clone(),
        app.verify.clone(),
        server::confirm::ConfirmState::new(state, &Default::default()),
        crate::support::test_metrics(),
        crate::support::test_printer(),
    );
    let response = tower::ServiceExt::oneshot(
        production,
        Request::get("/design")
            .body(Body::empty())
            .expect("request"),
    )
    .await
    .expect("router never fails");
    assert_eq!(response.status(), 404);
    assert!(body_text(response).await.contains("找不到網頁"));
}
