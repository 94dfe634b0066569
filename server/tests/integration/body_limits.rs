//! Request bodies are held to the limits `server::web::limits` names (issue 21 item 2): a body
//! declared over its limit is refused before it is read, one sent without a length is cut off
//! once it passes the limit, and either way the client gets 413 saying so in both languages.

use crate::agency_link_flow::TAIPEI_POLICE;
use crate::support::{body_text, spawn_app, Portal, TestApp};
use app::services::agency_link::APPLY_PATH;
use axum::body::{Body, Bytes};
use axum::http::{header, Request, StatusCode};
use futures_util::StreamExt;
use server::web::limits;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const MIB: usize = 1024 * 1024;

/// A body of `chunks` chunks of 1 MiB after `head`, produced only as it is read; `read` counts
/// the chunks taken.
fn streamed(head: &str, chunks: usize, read: &Arc<AtomicUsize>) -> Body {
    let read = read.clone();
    let head = Bytes::from(head.to_owned());
    let chunks = futures_util::stream::iter(0..chunks).map(move |_| {
        read.fetch_add(1, Ordering::SeqCst);
        Bytes::from(vec![b'a'; MIB])
    });
    Body::from_stream(
        futures_util::stream::iter([head])
            .chain(chunks)
            .map(Ok::<_, std::convert::Infallible>),
    )
}

/// A same-origin POST of `body` to `path`, its length declared when `declared` is given.
fn post(
    path: &str,
    content_type: &str,
    cookie: Option<&str>,
    declared: Option<usize>,
    body: Body,
) -> Request<Body> {
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header("sec-fetch-site", "same-origin");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if let Some(length) = declared {
        request = request.header(header::CONTENT_LENGTH, length);
    }
    request.body(body).expect("request")
}

/// Sends `request`; asserts 413 with the message naming `limit`, in Chinese first.
async fn assert_refused(app: &TestApp, request: Request<Body>, limit: usize) {
    let path = request.uri().path().to_owned();
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    let text = body_text(response).await;
    let kib = limit / 1024;
    assert!(
        text.starts_with(&format!("請求內容超過上限 {kib} KiB")),
        "{path}: {text}"
    );
    assert!(
        text.contains(&format!("exceeds the limit of {kib} KiB")),
        "{path}: {text}"
    );
}

#[tokio::test]
async fn security_21_2_a_server_function_body_declared_over_its_limit_is_refused_unread() {
    let app = spawn_app().await;
    let read = Arc::new(AtomicUsize::new(0));
    let request = post(
        "/api/moica_apply",
        "application/json",
        None,
        Some(100 * MIB),
        streamed("", 100, &read),
    );
    assert_refused(&app, request, limits::SERVER_FUNCTION).await;
    assert_eq!(read.load(Ordering::SeqCst), 0, "not a byte read");
}

#[tokio::test]
async fn security_21_2_a_chunked_server_function_body_is_cut_off_at_its_limit() {
    let app = spawn_app().await;
    let read = Arc::new(AtomicUsize::new(0));
    let request = post(
        "/api/moica_apply",
        "application/json",
        None,
        None,
        streamed("{\"posted\":\"", 100, &read),
    );
    assert_refused(&app, request, limits::SERVER_FUNCTION).await;
    assert_eq!(
        read.load(Ordering::SeqCst),
        1,
        "read no further than the limit"
    );
}

#[tokio::test]
async fn security_21_2_forms_and_certificate_uploads_over_their_limit_answer_413() {
    let app = spawn_app().await;
    for declared in [Some(2 * MIB), None] {
        let read = Arc::new(AtomicUsize::new(0));
        let form = post(
            "/certificate/apply",
            "application/x-www-form-urlencoded",
            None,
            declared,
            streamed("name=", 2, &read),
        );
        assert_refused(&app, form, limits::FORM).await;
        assert!(read.load(Ordering::SeqCst) <= 1);
    }
    // The API certificate (憑證上傳) is a file in a multipart form.
    let portal = Portal::start().await;
    let (status, text) = portal
        .post_multipart(
            app::services::api_service::FORM_PATH,
            None,
            &[("kind", "certificate")],
            ("certificate", &vec![b'A'; limits::FORM]),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text.starts_with("請求內容超過上限 64 KiB"), "{text}");
}

#[tokio::test]
async fn security_21_2_the_agency_link_upload_over_its_limit_answers_413() {
    let portal = Portal::start().await;
    let card = portal.agency_card(TAIPEI_POLICE, "臺北市政府警察局");
    let cookie = portal.session("Agency", TAIPEI_POLICE, &card).await;
    let boundary = "----hujitestboundary";
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"application_form\"; \
         filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    );
    let chunks = limits::LINK_APPLICATION / MIB + 8;
    // Declared too large: refused unread, whoever sends it.
    for cookie in [None, Some(cookie.as_str())] {
        let read = Arc::new(AtomicUsize::new(0));
        let request = post(
            APPLY_PATH,
            &content_type,
            cookie,
            Some(chunks * MIB),
            streamed(&head, chunks, &read),
        );
        assert_refused(&portal.app, request, limits::LINK_APPLICATION).await;
        assert_eq!(read.load(Ordering::SeqCst), 0);
    }
    // Sent without a length by the signed-in agency: cut off at the limit.
    let read = Arc::new(AtomicUsize::new(0));
    let request = post(
        APPLY_PATH,
        &content_type,
        Some(&cookie),
        None,
        streamed(&head, chunks, &read),
    );
    assert_refused(&portal.app, request, limits::LINK_APPLICATION).await;
    assert!(read.load(Ordering::SeqCst) <= limits::LINK_APPLICATION / MIB + 1);
    let filed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agency_links")
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("count");
    assert_eq!(filed, 0);
}

#[tokio::test]
async fn security_21_2_the_json_apis_refuse_a_body_declared_over_their_limit_unread() {
    let app = spawn_app().await;
    for path in [
        "/integration/agency/v1/person-query",
        "/integration/agency/v1/connection-test",
        "/integration/rwv2c2/",
    ] {
        let read = Arc::new(AtomicUsize::new(0));
        let request = post(
            path,
            "application/json",
            None,
            Some(100 * MIB),
            streamed("", 100, &read),
        );
        assert_refused(&app, request, limits::INTEGRATION_API).await;
        assert_eq!(read.load(Ordering::SeqCst), 0, "{path}");
    }
}
