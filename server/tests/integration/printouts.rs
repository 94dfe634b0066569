//! The papers outside a case's files (issue 20 items 5 and 11), through the real router and
//! printer: the blank 自然人憑證申請表 and the API manual for anyone, in the reader's
//! language; a registrar's 憑證申請書 and card face, audited, for registrars only; and the
//! management rules that must be opened before the agreement box can be ticked.

use crate::api_service::company;
use crate::id_card_loss::{pool, submit};
use crate::moica_application::{reference_in, wang, APPLY};
use crate::moica_issuance::{issue_on_blank, registrar, CARD};
use crate::support::{body_bytes, pdf_text, Page, Portal};
use app::services::api_service::MANUAL_PDF_PATH;
use app::services::certificate::application::BLANK_FORM_PATH;
use app::services::certificate::counter::{application_paper_path, card_face_path};
use app::services::staff::role::Role;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;

/// The PDF `response` carries, checked to be one: its text layer.
async fn pdf(response: Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/pdf",
        "a PDF"
    );
    let disposition = response.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ASCII")
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let bytes = body_bytes(response).await;
    assert!(bytes.starts_with(b"%PDF-"));
    pdf_text(&bytes)
}

/// `path` fetched by a browser with `cookie`, the fetch started by `site` (`Sec-Fetch-Site`).
async fn fetched_from(portal: &Portal, path: &str, cookie: &str, site: &str) -> Response {
    let request = Request::get(path)
        .header(header::COOKIE, cookie)
        .header("sec-fetch-site", site)
        .body(Body::empty())
        .expect("request");
    portal.app.send(request).await
}

async fn audited(portal: &Portal, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(pool(portal))
        .await
        .expect("audit count")
}

#[tokio::test]
async fn c_2_anyone_downloads_the_blank_application_form() {
    let portal = Portal::start().await;
    let apply_page = portal.page(APPLY, None).await;
    let html = String::from_utf8(body_bytes(apply_page).await.to_vec()).expect("UTF-8");
    assert!(Page::parse(&html)
        .attrs("a[download]", "href")
        .contains(&BLANK_FORM_PATH.to_owned()));

    let text = pdf(portal.page(BLANK_FORM_PATH, None).await).await;
    for shown in [
        "自然人憑證申請表",
        "用戶代碼",
        "電子郵件信箱",
        "申請人簽名",
        "攜帶項目",
    ] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
}

#[tokio::test]
async fn a_r_the_manual_downloads_as_a_pdf_in_the_readers_language() {
    let portal = Portal::start().await;
    let chinese = pdf(portal.page(MANUAL_PDF_PATH, None).await).await;
    for shown in [
        "操作文件",
        "RS7009",
        "checkIdCardApply",
        "/integration/rwv2c2/",
    ] {
        assert!(chinese.contains(shown), "{shown} in {chinese}");
    }
    assert!(!chinese.contains("ID-card verification API manual"));
    let english = pdf(portal.page(MANUAL_PDF_PATH, Some("huji_lang=en")).await).await;
    assert!(
        english.contains("ID-card verification API manual"),
        "{english}"
    );
}

#[tokio::test]
async fn a_r_the_agreement_box_is_inside_the_folded_rules_until_they_are_opened() {
    let portal = Portal::start().await;
    let company = company(&portal, "24941832", "蝦蝦樂購股份有限公司").await;
    let path = "/api-service/apply/form?kind=apply";
    let response = portal.page(path, Some(&company.cookie)).await;
    let html = String::from_utf8(body_bytes(response).await.to_vec()).expect("UTF-8");
    let page = Page::parse(&html);
    // The one agreement box is in the folded rules, under the rules themselves.
    assert_eq!(page.attrs("input[name=agree]", "type"), ["checkbox"]);
    assert_eq!(
        page.attrs("details.rules > ol + div input[name=agree]", "type"),
        ["checkbox"]
    );
    assert!(page.attrs("details.rules[open]", "class").is_empty());

    // Sent back without the tick, the rules are open at the box.
    let (status, html) = portal
        .post_page(
            path,
            Some(&company.cookie),
            &[("purpose", "確認客戶身分"), ("token", "t-1")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = Page::parse(&html);
    assert_eq!(page.attrs("details.rules[open]", "class"), ["rules"]);
    assert!(!page.field_error("agree").is_empty(), "{html}");

    // Sent back for another field, the tick stays with the rules open.
    let (_, html) = portal
        .post_page(
            path,
            Some(&company.cookie),
            &[("agree", "yes"), ("token", "t-2")],
        )
        .await;
    let page = Page::parse(&html);
    assert_eq!(page.attrs("details.rules[open]", "class"), ["rules"]);
    assert_eq!(page.attrs("input[name=agree][checked]", "value"), ["yes"]);
    assert!(page.field_error("agree").is_empty(), "{html}");
}

#[tokio::test]
async fn c_2_a_registrar_prints_the_application_to_sign_and_the_card_face() {
    let portal = Portal::start().await;
    let mut form = wang();
    form.retain(|(key, _)| *key != "mobile");
    let (status, html) = submit(&portal, APPLY, &form).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let reference = reference_in(&html);
    let (card, cookie) = registrar(&portal).await;
    let paper = application_paper_path(&reference);

    // Nobody else: not signed in, a clerk, a citizen's page.
    assert_eq!(
        portal.page(&paper, None).await.status(),
        StatusCode::FORBIDDEN
    );
    let clerk = portal
        .staff("李小華", Role::HouseholdClerk, "office:63000030")
        .await;
    let clerk = portal.session("Staff", "", &clerk).await;
    assert_eq!(
        portal.page(&paper, Some(&clerk)).await.status(),
        StatusCode::FORBIDDEN
    );
    // Nor a link on another site that sends the registrar's browser here: it would record a
    // read in the registrar's name.
    for site in ["cross-site", "same-site"] {
        let response = fetched_from(&portal, &paper, &cookie, site).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{site}");
    }
    assert_eq!(
        audited(&portal, "moica_issuance.print_application").await,
        0
    );

    let text = pdf(fetched_from(&portal, &paper, &cookie, "same-origin").await).await;
    for shown in [
        "自然人憑證申請書",
        reference.as_str(),
        "王小明",
        "A1*****789",
        "（未填）",
        "申請人簽名",
    ] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
    assert!(!text.contains("A123456789") && !text.contains("Code2024x"));
    assert_eq!(
        audited(&portal, "moica_issuance.print_application").await,
        1
    );
    // An unknown or malformed number is not there.
    for missing in ["M1121117-999999", "A123456789"] {
        let response = portal
            .page(&application_paper_path(missing), Some(&cookie))
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
    }

    // Issued, the card's face prints at the office that issued it.
    let face = card_face_path(CARD);
    assert_eq!(
        portal.page(&face, Some(&cookie)).await.status(),
        StatusCode::NOT_FOUND
    );
    let (status, body) = issue_on_blank(&portal, &cookie, &reference, CARD, &card).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let text = pdf(portal.page(&face, Some(&cookie)).await).await;
    for shown in [CARD, "王小明", "使用期限"] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
    assert_eq!(audited(&portal, "moica_certificate.print_face").await, 1);
    let elsewhere = portal
        .staff("林登記", Role::HouseholdRegistrar, "office:63000030")
        .await;
    let elsewhere = portal.session("Staff", "", &elsewhere).await;
    // Issued, the application and the card are the issuing office's: another office's
    // registrar finds neither.
    for path in [&face, &paper] {
        let response = portal.page(path, Some(&elsewhere)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // The issued application's paper still prints at its office, for the files.
    pdf(portal.page(&paper, Some(&cookie)).await).await;
    // A card whose certificate has expired is not in force: its face is not printed.
    sqlx::query("UPDATE moica_certificates SET not_after = 0 WHERE card_number = $1")
        .bind(CARD)
        .execute(pool(&portal))
        .await
        .expect("expired");
    assert_eq!(
        portal.page(&face, Some(&cookie)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(audited(&portal, "moica_certificate.print_face").await, 1);
}
