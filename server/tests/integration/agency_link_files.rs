//! A case's files for every party on it (SPEC §2 L-1, issue 18 item 1): each document filed
//! downloads, byte for byte as its SHA-256 on the case page says, for the agency, the county
//! unit, 戶政司, 資訊服務司 and 中華電信, and for nobody else; each paper form prints as a
//! PDF with the case number and the agency; every download is audited.

use crate::agency_link_flow::{case_page, file, file_for, parties, pdf, Parties, TAIPEI_POLICE};
use crate::support::{body_text, pdf_text, Portal};
use app::cases::Code;
use app::services::agency_link::documents::DocumentKind;
use app::services::agency_link::papers::Paper;
use app::services::agency_link::AGENCY_CASE_PATH;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use http_body_util::BodyExt;

/// `path` as a browser following a link with `cookie` (or none) asks for it.
async fn get(portal: &Portal, path: &str, cookie: Option<&str>) -> Response {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    portal
        .app
        .send(request.body(Body::empty()).expect("request"))
        .await
}

async fn bytes(response: Response) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

fn header_of(response: &Response, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(&name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_else(|| panic!("no {name}"))
}

/// Every party's session, with its name for the messages.
fn everyone(who: &Parties) -> [(&'static str, &str); 5] {
    [
        ("agency", who.agency.as_str()),
        ("county", who.county.as_str()),
        ("ministry", who.ministry.as_str()),
        ("information services", who.it.as_str()),
        ("chunghwa telecom", who.cht.as_str()),
    ]
}

/// Another agency, of another county, signed in.
async fn other_agency(portal: &Portal) -> String {
    let code = server::registry::demo::NEW_TAIPEI_POLICE.code;
    let card = portal.agency_card(code, server::registry::demo::NEW_TAIPEI_POLICE.name);
    portal.session("Agency", code, &card).await
}

async fn audited(portal: &Portal, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("audit count")
}

#[tokio::test]
async fn l_1_every_party_downloads_each_document_as_filed_and_outsiders_are_refused() {
    let portal = Portal::start().await;
    let who = parties(&portal).await;
    let id = file(&portal, &who.agency, "203.0.113.16/28").await;

    let page = case_page(&portal, &who.agency, true, &id).await;
    let rows = page.table_rows("申請文件");
    let links = page.attrs("table.documents a", "href");
    assert_eq!(rows.len(), DocumentKind::ALL.len());
    assert_eq!(links.len(), rows.len());
    // The back office lists the same documents at the same addresses.
    let staff_page = case_page(&portal, &who.county, false, &id).await;
    assert_eq!(staff_page.table_rows("申請文件"), rows);
    assert_eq!(staff_page.attrs("table.documents a", "href"), links);

    for (row, link) in rows.iter().zip(&links) {
        let kind = *DocumentKind::ALL
            .iter()
            .find(|kind| kind.label(app::i18n::Lang::ZhTw) == row[0])
            .unwrap_or_else(|| panic!("unknown kind {}", row[0]));
        let filed = pdf(kind);
        assert_eq!(row[1], "文件.pdf");
        assert_eq!(row[2], format!("{} 位元組", filed.len()));
        for (name, cookie) in everyone(&who) {
            let response = get(&portal, link, Some(cookie)).await;
            assert_eq!(response.status(), StatusCode::OK, "{name}: {link}");
            assert_eq!(
                header_of(&response, header::CONTENT_TYPE),
                "application/pdf"
            );
            assert_eq!(
                header_of(&response, header::CONTENT_DISPOSITION),
                format!(
                    "attachment; filename=\"{id}-{}.pdf\"; filename*=UTF-8''%E6%96%87%E4%BB%B6.pdf",
                    kind.code()
                )
            );
            assert_eq!(
                header_of(&response, header::X_CONTENT_TYPE_OPTIONS),
                "nosniff"
            );
            assert!(header_of(&response, header::CACHE_CONTROL).contains("no-store"));
            let body = bytes(response).await;
            assert_eq!(body, filed, "{name}: {kind:?}");
            let digest = ring::digest::digest(&ring::digest::SHA256, &body);
            assert_eq!(hex::encode(digest), row[3], "the SHA-256 the page shows");
        }
    }
    let downloads = (DocumentKind::ALL.len() * 5) as i64;
    assert_eq!(
        audited(&portal, "agency_link.document.download").await,
        downloads
    );

    // Another county's unit and another agency learn nothing, not even that the case exists.
    let other = other_agency(&portal).await;
    let missing = links[0].replace(&id, "A1121117-999999");
    let unknown_document =
        format!("{AGENCY_CASE_PATH}/{id}/documents/00000000-0000-0000-0000-000000000000");
    let mut refusals = Vec::new();
    for cookie in [&who.elsewhere, &other] {
        for path in [&links[0], &missing] {
            let response = get(&portal, path, Some(cookie)).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            refusals.push(body_text(response).await);
        }
    }
    let response = get(&portal, &unknown_document, Some(&who.agency)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    refusals.push(body_text(response).await);
    assert!(refusals.windows(2).all(|pair| pair[0] == pair[1]));
    // A document of this case asked for under another case of the same agency (another
    // interface: one case per interface is in progress at a time) is not found.
    let second = file_for(&portal, &who.agency, "api_vpn", "203.0.113.32/28").await;
    let crossed = links[0].replace(&id, &second);
    let response = get(&portal, &crossed, Some(&who.agency)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // Signed out, or signed in as someone who works no linking case: refused outright.
    let response = get(&portal, &links[0], None).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let company = portal.business_card("24941832", "蝦蝦樂購股份有限公司");
    let company = portal.session("Company", "24941832", &company).await;
    for path in [&links[0], &missing] {
        let response = get(&portal, path, Some(&company)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        audited(&portal, "agency_link.document.download").await,
        downloads
    );
}

#[tokio::test]
async fn l_1_each_paper_form_prints_as_a_pdf_with_the_case_and_the_agency() {
    let portal = Portal::start().await;
    let who = parties(&portal).await;
    let id = file(&portal, &who.agency, "203.0.113.16/28").await;

    let page = case_page(&portal, &who.agency, true, &id).await;
    let links = page.attrs("section.papers a", "href");
    // A household-data case, the agency's first over the GSN VPN: all four forms.
    let expected: Vec<String> = Paper::ALL.iter().map(|paper| paper.path(&id)).collect();
    assert_eq!(links, expected);
    let staff_page = case_page(&portal, &who.cht, false, &id).await;
    assert_eq!(staff_page.attrs("section.papers a", "href"), expected);

    for paper in Paper::ALL {
        let path = paper.path(&id);
        for (name, cookie) in everyone(&who) {
            let response = get(&portal, &path, Some(cookie)).await;
            assert_eq!(response.status(), StatusCode::OK, "{name}: {paper:?}");
            assert_eq!(
                header_of(&response, header::CONTENT_TYPE),
                "application/pdf"
            );
            assert!(
                header_of(&response, header::CONTENT_DISPOSITION).starts_with(&format!(
                    "attachment; filename=\"{id}-{}.pdf\"",
                    paper.code()
                ))
            );
            assert!(header_of(&response, header::CACHE_CONTROL).contains("no-store"));
            let body = bytes(response).await;
            assert!(body.starts_with(b"%PDF-"), "{paper:?}");
            let text: String = pdf_text(&body).split_whitespace().collect();
            assert!(text.contains(&id), "{paper:?}: {text}");
            assert!(text.contains("臺北市政府警察局"), "{paper:?}: {text}");
            assert!(text.contains(TAIPEI_POLICE), "{paper:?}: {text}");
            assert!(text.contains("關防"), "{paper:?}: {text}");
        }
    }
    let form = bytes(
        get(
            &portal,
            &Paper::ApplicationForm.path(&id),
            Some(&who.county),
        )
        .await,
    )
    .await;
    let form: String = pdf_text(&form).split_whitespace().collect();
    assert!(
        form.contains("各機關應用戶役政資訊連結介面(VPN)申請表"),
        "{form}"
    );
    assert!(form.contains("警察職權行使法第十九條"), "{form}");
    let agreement = bytes(
        get(
            &portal,
            &Paper::SecurityAgreement.path(&id),
            Some(&who.ministry),
        )
        .await,
    )
    .await;
    let agreement: String = pdf_text(&agreement).split_whitespace().collect();
    assert!(agreement.contains("陳資安"), "{agreement}");
    assert!(agreement.contains("112/11/10"), "{agreement}");
    let printed = (Paper::ALL.len() * 5 + 2) as i64;
    assert_eq!(audited(&portal, "agency_link.paper.print").await, printed);

    let other = other_agency(&portal).await;
    for cookie in [&who.elsewhere, &other] {
        let response = get(&portal, &Paper::ApplicationForm.path(&id), Some(cookie)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let response = get(&portal, &Paper::ApplicationForm.path(&id), None).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let unknown = format!("{AGENCY_CASE_PATH}/{id}/papers/contract");
    let response = get(&portal, &unknown, Some(&who.agency)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(audited(&portal, "agency_link.paper.print").await, printed);
}

#[tokio::test]
async fn security_a_download_another_site_started_is_refused_and_not_audited() {
    let portal = Portal::start().await;
    let who = parties(&portal).await;
    let id = file(&portal, &who.agency, "203.0.113.16/28").await;
    let page = case_page(&portal, &who.agency, true, &id).await;
    let link = page.attrs("table.documents a", "href")[0].clone();
    let paper = Paper::ItemTable.path(&id);
    for path in [&link, &paper] {
        let request = Request::get(path.as_str())
            .header(header::COOKIE, &who.agency)
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .expect("request");
        let response = portal.app.send(request).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(audited(&portal, "agency_link.document.download").await, 0);
    let response = get(&portal, &link, Some(&who.agency)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(audited(&portal, "agency_link.document.download").await, 1);
}
