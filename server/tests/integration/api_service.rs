//! The API service's company portal and back office through the real router (SPEC §1, seed
//! 000): a company signed in with its 工商憑證 applies, is reviewed, uploads its API
//! certificate, changes its data, deactivates and cancels; a reviewer decides. Pages are
//! posted as a browser without JavaScript posts them.

use crate::support::{body_text, card_signed, card_signs, Page, Portal};
use app::domain::business_id::BusinessId;
use app::platform::clock::{Clock, FixedClock};
use app::services::api_service::store;
use app::services::staff::role::Role;
use axum::http::StatusCode;
use base64::{engine::general_purpose::STANDARD, Engine};
use server::pki::{Issued, SubjectKey};
use sha2::Digest;

pub(crate) const SHRIMP: &str = "24941832";
pub(crate) const SHRIMP_NAME: &str = "蝦蝦樂購股份有限公司";
const OTHER: &str = "04595257";
const WARNING: &str = "[WARNNING-02] 申請失敗 尚有案件受理中!";

pub(crate) fn application(ip: &str) -> Vec<(&'static str, String)> {
    [
        ("company_name", SHRIMP_NAME),
        ("host_ip", ip),
        ("contact", "郭總裁"),
        ("landline", "(02)3939889#86201"),
        ("mobile", "0910123321"),
        ("email", "awapply.ris@example.com"),
        ("purpose", "依洗錢防制法第七條需查驗身分證"),
        ("agree", "yes"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

fn fields<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The S/N on a result page.
fn serial_in(html: &str) -> String {
    Page::parse(html).text(".serial")
}

/// Another company, registered 核准設立 in the business registry, signed in.
async fn other_company(portal: &Portal) -> Company {
    sqlx::query(
        "INSERT INTO companies (business_id, name, status, representative, address, registered_on) \
         VALUES ($1, '其他股份有限公司', '核准設立', '王大同', '臺北市中正區重慶南路一段1號', '2001-01-01')",
    )
    .bind(OTHER)
    .execute(&portal.app.test_db.db.pool)
    .await
    .expect("another company");
    company(portal, OTHER, "其他股份有限公司").await
}

pub(crate) struct Company {
    pub(crate) cookie: String,
    /// The 工商憑證 it signed in with, which signs its submissions too (A-2…A-5).
    pub(crate) card: Issued,
}

pub(crate) async fn company(portal: &Portal, business_id: &str, name: &str) -> Company {
    let card = portal.business_card(business_id, name);
    Company {
        cookie: portal.session("Company", business_id, &card).await,
        card,
    }
}

/// What the server answers when 申請 is pressed on a form of `kind` holding `posted`: the
/// challenge and the statement for the card, or `None` when the form is not complete.
pub(crate) async fn to_sign(
    portal: &Portal,
    company: &Company,
    kind: &str,
    posted: &[(&str, &str)],
) -> Option<(String, String)> {
    let response = portal
        .post_json(
            "/api/api_case_statement",
            serde_json::json!({ "kind": kind, "posted": posted }),
            Some(&company.cookie),
        )
        .await;
    // A kind no page offers is refused here as on the page.
    if !response.status().is_success() {
        return None;
    }
    let answer: serde_json::Value = serde_json::from_str(&body_text(response).await).expect("JSON");
    let statement = answer.get("Statement")?;
    let text = |name: &str| statement[name].as_str().expect("text").to_owned();
    Some((text("challenge"), text("statement")))
}

/// The fields the page adds once `signer` signed `statement` for `challenge`, as the card
/// helper has the card sign it (A-2…A-5).
pub(crate) fn signed_fields(
    signer: &Issued,
    challenge: &str,
    statement: &str,
) -> [(&'static str, String); 3] {
    let signature = card_signs(signer, &card_signed(statement.as_bytes()));
    [
        ("card_challenge", challenge.to_owned()),
        ("card_signature", STANDARD.encode(signature)),
        ("card_certificate", STANDARD.encode(&signer.certificate_der)),
    ]
}

/// `posted` with the company card's signature of it, as the page posts it after 申請.
async fn signed(
    portal: &Portal,
    company: &Company,
    kind: &str,
    posted: &[(&str, &str)],
) -> Vec<(&'static str, String)> {
    match to_sign(portal, company, kind, posted).await {
        Some((challenge, statement)) => {
            signed_fields(&company.card, &challenge, &statement).to_vec()
        }
        // An incomplete form is posted unsigned: the server names its errors.
        None => Vec::new(),
    }
}

pub(crate) async fn reviewer(portal: &Portal) -> String {
    let card = portal
        .staff("張審核", Role::MinistryReviewer, "national")
        .await;
    portal.session("Staff", "", &card).await
}

/// Posts an application form as the company's browser does: with a fresh one-time token
/// unless `form` carries one.
async fn apply(portal: &Portal, company: &Company, kind: &str, form: &[(&str, &str)]) -> String {
    let token = uuid::Uuid::new_v4().to_string();
    let mut form = form.to_vec();
    if !form.iter().any(|(name, _)| *name == "token") {
        form.push(("token", &token));
    }
    let signature = signed(portal, company, kind, &form).await;
    post_signed_kind(portal, company, kind, &form, &signature).await
}

/// 憑證上傳 of `file`, as a browser posts the form with its file.
pub(crate) async fn upload(portal: &Portal, company: &Company, file: &[u8]) -> String {
    let token = uuid::Uuid::new_v4().to_string();
    let mut form = vec![
        ("purpose", "上傳非IC卡憑證"),
        ("agree", "yes"),
        ("token", &token),
    ];
    // The page reads the file as the server's form reader does: its name and its Base64.
    let encoded = STANDARD.encode(file);
    let mut read = form.clone();
    read.extend([("certificate_name", "api.cer"), ("certificate", &encoded)]);
    let signature = signed(portal, company, "certificate", &read).await;
    form.extend(
        signature
            .iter()
            .map(|(name, value)| (*name, value.as_str())),
    );
    let (status, html) = portal
        .post_multipart(
            "/api-service/apply/form?kind=certificate",
            Some(&company.cookie),
            &form,
            ("certificate", file),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    html
}

pub(crate) async fn decide(portal: &Portal, reviewer: &str, case: &str, action: &str) -> String {
    let (status, html) = portal
        .post_page(
            &format!("/admin/api-cases/case?id={case}"),
            Some(reviewer),
            &[("action", action), ("text", "112/11/17 審核通過")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    html
}

/// The company files its improvement plan (改善做法) in the portal: the plan's S/N, in review.
async fn file_plan(portal: &Portal, company: &Company, plan: &str) -> String {
    let html = apply(
        portal,
        company,
        "plan",
        &[("purpose", plan), ("agree", "yes")],
    )
    .await;
    let serial = serial_in(&html);
    assert_eq!(case_status(portal, &serial).await, "pending", "{html}");
    assert!(html.contains("改善做法") && html.contains(plan), "{html}");
    serial
}

/// The company submits its improvement plan in the portal and the reviewer approves it
/// (A-N11); the company is told it may apply again.
async fn approve_plan(portal: &Portal, company: &Company, reviewer: &str) {
    let plan = file_plan(
        portal,
        company,
        "已停止以第三方工具批次查驗，並建立查驗紀錄稽核",
    )
    .await;
    decide(portal, reviewer, &plan, "approve").await;
    let chooser = page(portal, "/api-service/apply", &company.cookie).await;
    assert!(chooser.contains("改善做法已經內政部核可"), "{chooser}");
}

/// The company's API申請 for 127.0.0.115: its S/N.
pub(crate) async fn file_application(portal: &Portal, company: &Company) -> String {
    let html = apply(
        portal,
        company,
        "apply",
        &fields(&application("127.0.0.115")),
    )
    .await;
    serial_in(&html)
}

/// After a suspension or revocation, the company regains its grant as A-N11 says: its plan
/// approved, a new application approved.
pub(crate) async fn regain(portal: &Portal, company: &Company, reviewer: &str) {
    approve_plan(portal, company, reviewer).await;
    let application = file_application(portal, company).await;
    decide(portal, reviewer, &application, "approve").await;
    assert_eq!(grant_ip(portal).await.1, "active");
}

/// 取消申請 on 進度查詢, as the company's browser posts it.
async fn cancel(portal: &Portal, company: &Company, case: &str) -> String {
    portal
        .post_page(
            "/api-service/progress",
            Some(&company.cookie),
            &[("action", "cancel"), ("case_id", case)],
        )
        .await
        .1
}

async fn page(portal: &Portal, path: &str, cookie: &str) -> String {
    let response = portal.page(path, Some(cookie)).await;
    assert_eq!(response.status(), StatusCode::OK);
    body_text(response).await
}

async fn case_status(portal: &Portal, case: &str) -> String {
    sqlx::query_scalar("SELECT status FROM api_cases WHERE id = $1")
        .bind(case)
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("the case")
}

async fn grant_ip(portal: &Portal) -> (String, String) {
    sqlx::query_as("SELECT host_ip, status FROM api_grants WHERE business_id = $1")
        .bind(SHRIMP)
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("the grant")
}

pub(crate) fn api_certificate(portal: &Portal, business_id: &str) -> Issued {
    let id = BusinessId::parse(business_id).expect("business id");
    portal
        .pki
        .issue_api_certificate(&id, SHRIMP_NAME, portal.year(), &SubjectKey::GenerateRsa)
        .expect("API certificate")
}

/// A company applied and approved: its cookie and the reviewer's.
pub(crate) async fn approved(portal: &Portal) -> (Company, String) {
    let shrimp = company(portal, SHRIMP, SHRIMP_NAME).await;
    let html = apply(
        portal,
        &shrimp,
        "apply",
        &fields(&application("127.0.0.115")),
    )
    .await;
    let case = serial_in(&html);
    let reviewer = reviewer(portal).await;
    decide(portal, &reviewer, &case, "approve").await;
    (shrimp, reviewer)
}

#[tokio::test]
async fn a_1_a_2_a_3_a_7_apply_approve_upload_and_follow_it_all() {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;

    // A-1: a first-time company is offered API申請 only.
    let chooser = page(&portal, "/api-service/apply", &shrimp.cookie).await;
    assert!(chooser.contains("value=\"apply\""), "{chooser}");
    assert!(!chooser.contains("value=\"modify\""));

    // A-2: the result page shows the data, the ROC date-time, 已受理 and a UUID S/N.
    let html = apply(
        &portal,
        &shrimp,
        "apply",
        &fields(&application("127.0.0.115")),
    )
    .await;
    assert!(html.contains("已受理"), "{html}");
    assert!(html.contains("112/11/17 14:35:04"));
    assert!(html.contains("127.0.0.115"));
    let case = serial_in(&html);
    assert!(uuid::Uuid::parse_str(&case).is_ok(), "{case}");
    // Issue 24 item 9: and a number to read out: the service's letter, the ROC day, the
    // day's first case.
    let number = Page::parse(&html).text(".case-number");
    assert_eq!(number, "S1121117-000001");
    let mails: Vec<String> = sqlx::query_scalar("SELECT body FROM outbox WHERE to_addr = $1")
        .bind("awapply.ris@example.com")
        .fetch_all(&portal.app.test_db.db.pool)
        .await
        .expect("outbox");
    assert_eq!(mails.len(), 1, "A-N5: the receipt is mailed");
    assert!(mails[0].contains(&number), "{}", mails[0]);

    // A-6: while it is in review, nothing else can be applied for.
    let again = apply(
        &portal,
        &shrimp,
        "apply",
        &fields(&application("127.0.0.115")),
    )
    .await;
    assert!(again.contains(WARNING), "{again}");

    // A-10: the reviewer approves; the grant exists with an apId.
    let reviewer = reviewer(&portal).await;
    let queue = page(&portal, "/admin/api-cases", &reviewer).await;
    let rows = Page::parse(&queue).table_rows("受理中案件");
    let row = rows
        .iter()
        .find(|row| row.last() == Some(&number))
        .unwrap_or_else(|| panic!("the case in the queue: {queue}"));
    assert_eq!(row[4], "0", "its age in working days, not overdue");
    let decided = decide(&portal, &reviewer, &case, "approve").await;
    assert!(decided.contains("核准"), "{decided}");
    // L-21: the case page shows its timeline, from the submission to the decision.
    let events = Page::parse(&decided).texts(".timeline li");
    assert_eq!(events.len(), 2, "{decided}");
    assert!(
        events[0].contains("送出申請") && events[0].contains("company:24941832"),
        "{events:?}"
    );
    assert!(
        events[1].contains("核准") && events[1].contains("staff:"),
        "{events:?}"
    );
    assert_eq!(case_status(&portal, &case).await, "approved");

    // A-1 after approval: upload, change, deactivate.
    let chooser = page(&portal, "/api-service/apply", &shrimp.cookie).await;
    for kind in ["certificate", "modify", "deactivate"] {
        assert!(chooser.contains(&format!("value=\"{kind}\"")), "{kind}");
    }
    assert!(!chooser.contains("value=\"apply\""));

    // A-3: the API certificate, as a Base64 .cer file: 上傳成功 and a 32-character isskey.
    portal.app.clock.advance(chrono::Duration::minutes(10));
    let certificate = api_certificate(&portal, SHRIMP);
    let html = upload(&portal, &shrimp, certificate.certificate_pem.as_bytes()).await;
    assert!(html.contains("上傳成功"), "{html}");
    assert_eq!(Page::parse(&html).text(".case-number"), "S1121117-000002");
    let isskey: String = sqlx::query_scalar("SELECT isskey FROM api_grants WHERE business_id = $1")
        .bind(SHRIMP)
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("isskey");
    assert_eq!(isskey.len(), 32);
    assert_every_case_signed(&portal, &["apply", "certificate"]).await;
    assert!(isskey.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(html.contains(&isskey));

    // A-7: 進度查詢 shows the grant and both cases, newest first.
    let progress = page(&portal, "/api-service/progress", &shrimp.cookie).await;
    assert!(progress.contains(&isskey));
    assert!(progress.contains("class=\"count\">2<"), "{progress}");
    assert!(
        progress.contains("1121117"),
        "有效起始日期 as a compact ROC date"
    );
    assert!(progress.find("上傳成功") < progress.find("審核通過"));
    assert!(progress.contains("操作文件下載"));
}

#[tokio::test]
async fn a_6_two_simultaneous_applications_leave_exactly_one_in_review() {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let form = application("127.0.0.115");
    let form = fields(&form);
    let (first, second) = tokio::join!(
        apply(&portal, &shrimp, "apply", &form),
        apply(&portal, &shrimp, "apply", &form)
    );
    let received = [&first, &second]
        .iter()
        .filter(|html| html.contains("已受理"))
        .count();
    let refused = [&first, &second]
        .iter()
        .filter(|html| html.contains(WARNING))
        .count();
    assert_eq!((received, refused), (1, 1));
    let pending: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM api_cases WHERE status = 'pending'")
            .fetch_one(&portal.app.test_db.db.pool)
            .await
            .expect("count");
    assert_eq!(pending, 1);
}

#[tokio::test]
async fn issue_24_9_cases_filed_at_once_by_two_companies_get_the_days_next_numbers() {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let other = other_company(&portal).await;
    let (first, second) = (application("127.0.0.115"), application("127.0.0.116"));
    let (first, second) = (fields(&first), fields(&second));
    let (first, second) = tokio::join!(
        apply(&portal, &shrimp, "apply", &first),
        apply(&portal, &other, "apply", &second)
    );
    let mut numbers = [first, second].map(|html| Page::parse(&html).text(".case-number"));
    numbers.sort();
    assert_eq!(numbers, ["S1121117-000001", "S1121117-000002"]);
    // A case cancelled keeps its number; the next day counts from 1 again.
    let serial: String = sqlx::query_scalar("SELECT id FROM api_cases WHERE business_id = $1")
        .bind(SHRIMP)
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("the case");
    cancel(&portal, &shrimp, &serial).await;
    portal.app.clock.advance(chrono::Duration::days(1));
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let next = apply(
        &portal,
        &shrimp,
        "apply",
        &fields(&application("127.0.0.115")),
    )
    .await;
    assert_eq!(Page::parse(&next).text(".case-number"), "S1121118-000001");
}

#[tokio::test]
async fn a_6_the_same_form_sent_twice_makes_one_case() {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let token = uuid::Uuid::new_v4().to_string();
    let typed = application("127.0.0.115");
    let mut form = fields(&typed);
    form.push(("token", &token));
    let (first, second) = tokio::join!(
        apply(&portal, &shrimp, "apply", &form),
        apply(&portal, &shrimp, "apply", &form)
    );
    assert!(
        first.contains("已受理") && second.contains("已受理"),
        "{second}"
    );
    assert_eq!(serial_in(&first), serial_in(&second));
    let cases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_cases")
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("count");
    assert_eq!(cases, 1);
    // And a form without its token, or of a kind that does not exist, makes none.
    let mut forged = fields(&typed);
    forged.push(("token", "forged"));
    let html = apply(&portal, &shrimp, "apply", &forged).await;
    assert!(html.contains("此申請表單已失效"), "{html}");
    let html = apply(&portal, &shrimp, "bogus", &form).await;
    assert!(html.contains("無此申請事項"), "{html}");
}

#[tokio::test]
async fn a_9_a_case_can_be_cancelled_until_24_hours_after_it_was_made_and_both_sides_are_told() {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let form = application("127.0.0.115");
    let case = serial_in(&apply(&portal, &shrimp, "apply", &fields(&form)).await);

    // One second before the 24 hours end (sessions last 8 hours: sign in again).
    portal
        .app
        .clock
        .advance(chrono::Duration::seconds(24 * 3600 - 1));
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let progress = page(&portal, "/api-service/progress", &shrimp.cookie).await;
    assert!(progress.contains("取消申請"));
    let html = cancel(&portal, &shrimp, &case).await;
    assert!(html.contains("取消成功"), "{html}");
    assert_eq!(case_status(&portal, &case).await, "cancelled");
    // Issue 20 item 6: the company and the review desk are both told.
    let told = cancellation_mails(&portal).await;
    assert_eq!(
        told.iter().map(|(to, _)| to.as_str()).collect::<Vec<_>>(),
        ["awapply.ris@example.com", "api-review@example.gov.tw"]
    );
    assert!(
        told.iter().all(|(_, body)| body.contains(&case)),
        "{told:?}"
    );

    // A new case, and the clock at exactly 24 hours: the button is gone and the server refuses.
    let case = serial_in(&apply(&portal, &shrimp, "apply", &fields(&form)).await);
    portal
        .app
        .clock
        .advance(chrono::Duration::seconds(24 * 3600));
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let progress = page(&portal, "/api-service/progress", &shrimp.cookie).await;
    assert!(!progress.contains("name=\"case_id\""), "no cancel button");
    let html = cancel(&portal, &shrimp, &case).await;
    assert!(html.contains("已超過申請日期24小時"), "{html}");
    assert_eq!(case_status(&portal, &case).await, "pending");
    assert_eq!(
        cancellation_mails(&portal).await.len(),
        2,
        "a refusal mails nothing"
    );
}

/// The mails about cancelled cases, in the order queued: (to, body).
async fn cancellation_mails(portal: &Portal) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT to_addr, body FROM outbox \
         WHERE subject LIKE '%取消申請%' OR subject LIKE '%案件已取消%' ORDER BY id",
    )
    .fetch_all(&portal.app.test_db.db.pool)
    .await
    .expect("outbox")
}

#[tokio::test]
async fn a_9_cancel_racing_approval_has_one_consistent_winner() {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let reviewer = reviewer(&portal).await;
    let form = application("127.0.0.115");
    let case = serial_in(&apply(&portal, &shrimp, "apply", &fields(&form)).await);
    let (cancelled, approved) = tokio::join!(
        cancel(&portal, &shrimp, &case),
        decide(&portal, &reviewer, &case, "approve")
    );
    let cancel_won = cancelled.contains("取消成功");
    let approve_won = approved.contains("API申請：核准");
    assert!(cancel_won ^ approve_won, "exactly one wins");
    let grants: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_grants")
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("count");
    if cancel_won {
        assert_eq!(case_status(&portal, &case).await, "cancelled");
        assert_eq!(grants, 0);
    } else {
        assert_eq!(case_status(&portal, &case).await, "approved");
        assert_eq!(grants, 1);
    }
}

#[tokio::test]
async fn a_n7_an_approved_change_replaces_the_ip_and_deactivation_ends_the_grant() {
    let portal = Portal::start().await;
    let (shrimp, reviewer) = approved(&portal).await;
    assert_eq!(
        grant_ip(&portal).await,
        ("127.0.0.115".into(), "active".into())
    );

    let html = apply(
        &portal,
        &shrimp,
        "modify",
        &fields(&application("127.0.0.116")),
    )
    .await;
    let change = serial_in(&html);
    assert_eq!(
        grant_ip(&portal).await.0,
        "127.0.0.115",
        "in effect on approval only"
    );
    decide(&portal, &reviewer, &change, "approve").await;
    assert_eq!(
        grant_ip(&portal).await.0,
        "127.0.0.116",
        "A-N7: the old IP is gone"
    );

    let html = apply(
        &portal,
        &shrimp,
        "deactivate",
        &[("purpose", "因應集團組織改造停用"), ("agree", "yes")],
    )
    .await;
    assert!(html.contains("已受理"), "{html}");
    let stop = serial_in(&html);
    let rejected = decide(&portal, &reviewer, &stop, "reject").await;
    assert!(rejected.contains("駁回"));
    assert_eq!(grant_ip(&portal).await.1, "active");
    let html = apply(
        &portal,
        &shrimp,
        "deactivate",
        &[("purpose", "因應集團組織改造停用"), ("agree", "yes")],
    )
    .await;
    decide(&portal, &reviewer, &serial_in(&html), "approve").await;
    assert_eq!(grant_ip(&portal).await.1, "deactivated");
    let chooser = page(&portal, "/api-service/apply", &shrimp.cookie).await;
    assert!(chooser.contains("value=\"apply\""), "A-N8: apply anew");
    assert_every_case_signed(&portal, &["apply", "modify", "deactivate"]).await;
}

#[tokio::test]
async fn a_2_refused_signatures_are_audited_up_to_a_limit_and_then_wait() {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let typed = application("127.0.0.115");
    let mut form = fields(&typed);
    form.push(("token", "t-limit"));
    let (challenge, statement) = to_sign(&portal, &shrimp, "apply", &form)
        .await
        .expect("sign");
    // Signed over something else: refused each time, audited while within the limit.
    let garbage = signed_fields(&shrimp.card, &challenge, &format!("{statement}x"));
    let limit = app::platform::audit::REFUSALS.max;
    for _ in 0..limit {
        let html = post_signed(&portal, &shrimp, &form, &garbage).await;
        assert!(html.contains("卡片簽章與申請內容不符"), "{html}");
    }
    let mut posted = form.clone();
    posted.extend(garbage.iter().map(|(name, value)| (*name, value.as_str())));
    let (status, html) = portal
        .post_page(
            "/api-service/apply/form?kind=apply",
            Some(&shrimp.cookie),
            &posted,
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("嘗試次數過多"), "{html}");
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'api_case.signature_refused'",
    )
    .fetch_one(&portal.app.test_db.db.pool)
    .await
    .expect("audit");
    assert_eq!(audited, limit);
    // Unsigned posts (no JavaScript) are no one's attempt: neither audited nor counted.
    let html = post_signed(&portal, &shrimp, &form, &[]).await;
    assert!(html.contains("本申請須以工商憑證簽章"), "{html}");
}

#[tokio::test]
async fn a_5_the_registered_data_a_form_shows_is_signed_with_it() {
    let portal = Portal::start().await;
    let (shrimp, _) = approved(&portal).await;
    let token = uuid::Uuid::new_v4().to_string();
    let form = [
        ("purpose", "因應集團組織改造停用"),
        ("agree", "yes"),
        ("token", token.as_str()),
    ];
    let (challenge, statement) = to_sign(&portal, &shrimp, "deactivate", &form)
        .await
        .expect("sign");
    let signature = signed_fields(&shrimp.card, &challenge, &statement);
    // The registered contact changes after the card signed the form that showed it.
    sqlx::query("UPDATE api_grants SET email = 'changed@example.com' WHERE business_id = $1")
        .bind(SHRIMP)
        .execute(&portal.app.test_db.db.pool)
        .await
        .expect("changed");
    let html = post_signed_kind(&portal, &shrimp, "deactivate", &form, &signature).await;
    assert!(html.contains("卡片簽章與申請內容不符"), "{html}");
    // Signed as it now is, it is taken, and the signed content names the registered data.
    let html = apply(&portal, &shrimp, "deactivate", &form).await;
    assert!(html.contains("已受理"), "{html}");
    let content: String =
        sqlx::query_scalar("SELECT content FROM api_case_signatures WHERE case_id = $1")
            .bind(serial_in(&html))
            .fetch_one(&portal.app.test_db.db.pool)
            .await
            .expect("signature");
    assert!(content.contains("changed@example.com"), "{content}");
}

/// Every case is kept with its card signature (A-2…A-5), and the cases are of `kinds`.
async fn assert_every_case_signed(portal: &Portal, kinds: &[&str]) {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT c.kind, s.certificate_serial FROM api_cases c \
         LEFT JOIN api_case_signatures s ON s.case_id = c.id ORDER BY c.submitted_at",
    )
    .fetch_all(&portal.app.test_db.db.pool)
    .await
    .expect("cases");
    for kind in kinds {
        assert!(rows.iter().any(|(k, _)| k == kind), "{kind}: {rows:?}");
    }
    assert!(rows.iter().all(|(_, serial)| serial.is_some()), "{rows:?}");
}

/// A-2…A-5: the form as the page posts it after 申請, with `fields` signed by `signer` for
/// `challenge` over `statement` (the server's, or one changed by the test).
async fn post_signed(
    portal: &Portal,
    company: &Company,
    form: &[(&str, &str)],
    signature: &[(&'static str, String)],
) -> String {
    post_signed_kind(portal, company, "apply", form, signature).await
}

async fn post_signed_kind(
    portal: &Portal,
    company: &Company,
    kind: &str,
    form: &[(&str, &str)],
    signature: &[(&'static str, String)],
) -> String {
    let mut posted = form.to_vec();
    posted.extend(
        signature
            .iter()
            .map(|(name, value)| (*name, value.as_str())),
    );
    let (status, html) = portal
        .post_page(
            &format!("/api-service/apply/form?kind={kind}"),
            Some(&company.cookie),
            &posted,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    html
}

async fn count_cases(portal: &Portal) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM api_cases")
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_2_a_5_a_submission_is_accepted_only_signed_by_the_sign_in_card_over_what_it_holds() {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let token = uuid::Uuid::new_v4().to_string();
    let typed = application("127.0.0.115");
    let mut form = fields(&typed);
    form.push(("token", &token));

    // An incomplete form gets nothing to sign: it is posted as it is and its errors named.
    let incomplete: Vec<_> = form
        .iter()
        .filter(|(k, _)| *k != "purpose")
        .copied()
        .collect();
    assert!(to_sign(&portal, &shrimp, "apply", &incomplete)
        .await
        .is_none());

    // Unsigned (a browser without JavaScript): refused, everything typed kept.
    let html = post_signed(&portal, &shrimp, &form, &[]).await;
    assert!(html.contains("本申請須以工商憑證簽章"), "{html}");
    assert!(html.contains("value=\"郭總裁\""), "{html}");
    assert_eq!(count_cases(&portal).await, 0);

    // Signed, then changed before posting: the card did not sign this content.
    let (challenge, statement) = to_sign(&portal, &shrimp, "apply", &form)
        .await
        .expect("sign");
    let signature = signed_fields(&shrimp.card, &challenge, &statement);
    let changed: Vec<_> = form
        .iter()
        .map(|&(k, v)| {
            if k == "host_ip" {
                (k, "127.0.0.116")
            } else {
                (k, v)
            }
        })
        .collect();
    let html = post_signed(&portal, &shrimp, &changed, &signature).await;
    assert!(html.contains("卡片簽章與申請內容不符"), "{html}");

    // Signed for another origin (a page elsewhere that got hold of the statement).
    let elsewhere = card_signs(
        &shrimp.card,
        &card_helper::protocol::signed_message("https://evil.example", statement.as_bytes()),
    );
    let mut forged = signature.clone();
    forged[1].1 = STANDARD.encode(elsewhere);
    let html = post_signed(&portal, &shrimp, &form, &forged).await;
    assert!(html.contains("卡片簽章與申請內容不符"), "{html}");

    // Signed by another card of the same company than the one signed in with.
    let spare = portal.business_card(SHRIMP, SHRIMP_NAME);
    let html = post_signed(
        &portal,
        &shrimp,
        &form,
        &signed_fields(&spare, &challenge, &statement),
    )
    .await;
    assert!(html.contains("簽章之工商憑證與登入時所用者不同"), "{html}");
    assert_eq!(count_cases(&portal).await, 0);

    // Signed as the server asked: accepted, and the signature kept with the case.
    let html = post_signed(&portal, &shrimp, &form, &signature).await;
    assert!(html.contains("已受理"), "{html}");
    let case = serial_in(&html);
    let (content, digest, kept_statement, certificate): (String, String, String, String) =
        sqlx::query_as(
            "SELECT content, content_sha256, statement, certificate FROM api_case_signatures \
             WHERE case_id = $1",
        )
        .bind(&case)
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("the signature");
    assert_eq!(kept_statement, statement);
    assert_eq!(
        hex::encode(sha2::Sha256::digest(content.as_bytes())),
        digest
    );
    assert!(statement.contains(&format!("content-sha256={digest}")));
    assert!(content.contains("依洗錢防制法第七條需查驗身分證") && content.contains(&token));
    assert_eq!(certificate, STANDARD.encode(&shrimp.card.certificate_der));
    // The same signed form again (a reload): the same receipt, no second case.
    let again = post_signed(&portal, &shrimp, &form, &signature).await;
    assert_eq!(serial_in(&again), case);
    // Other content signed under the same form's token gets no receipt of the first.
    let mut other_content = form.clone();
    for field in other_content.iter_mut() {
        if field.0 == "purpose" {
            field.1 = "依其他法規需查驗身分證";
        }
    }
    let html = apply(&portal, &shrimp, "apply", &other_content).await;
    assert!(html.contains("此申請表單已送出"), "{html}");
    assert_eq!(count_cases(&portal).await, 1);
    // Each refused signature is in the audit log under the company.
    let refused: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'api_case.signature_refused' ORDER BY seq",
    )
    .fetch_all(&portal.app.test_db.db.pool)
    .await
    .expect("audit");
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(refused[0].contains("mismatch") && refused[2].contains("not_sign_in_card"));

    // The reviewer sees the signature verified against the case …
    let reviewer = reviewer(&portal).await;
    let path = format!("/admin/api-cases/case?id={case}");
    let review = page(&portal, &path, &reviewer).await;
    assert!(
        review.contains("工商憑證簽章：") && review.contains("驗證相符"),
        "{review}"
    );
    // … and a case changed behind the signature's back as not verifying.
    sqlx::query("UPDATE api_cases SET host_ip = '127.0.0.99' WHERE id = $1")
        .bind(&case)
        .execute(&portal.app.test_db.db.pool)
        .await
        .expect("tampered");
    let review = page(&portal, &path, &reviewer).await;
    assert!(review.contains("驗證不符"), "{review}");
    // The kept signature itself cannot be changed or removed.
    for sql in [
        "UPDATE api_case_signatures SET content = '{}'",
        "DELETE FROM api_case_signatures",
    ] {
        assert!(sqlx::query(sql)
            .execute(&portal.app.test_db.db.pool)
            .await
            .is_err());
    }

    // A challenge signs one case: used again for another form it is refused; so is one
    // older than two minutes.
    cancel(&portal, &shrimp, &case).await;
    let other_token = uuid::Uuid::new_v4().to_string();
    let mut other = fields(&typed);
    other.push(("token", &other_token));
    let (fresh, statement) = to_sign(&portal, &shrimp, "apply", &other)
        .await
        .expect("sign");
    let replayed = statement.replace(&fresh, &challenge);
    let html = post_signed(
        &portal,
        &shrimp,
        &other,
        &signed_fields(&shrimp.card, &challenge, &replayed),
    )
    .await;
    assert!(html.contains("簽章已逾時"), "{html}");
    portal.app.clock.advance(chrono::Duration::seconds(121));
    let html = post_signed(
        &portal,
        &shrimp,
        &other,
        &signed_fields(&shrimp.card, &fresh, &statement),
    )
    .await;
    assert!(html.contains("簽章已逾時"), "{html}");
    assert_eq!(count_cases(&portal).await, 1);
    // Signed afresh, it is accepted.
    let html = apply(&portal, &shrimp, "apply", &other).await;
    assert!(html.contains("已受理"), "{html}");
}

#[tokio::test]
async fn a_10_forged_requests_are_refused_and_change_nothing() {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;

    // An upload before approval (the menu never offers it).
    let certificate = api_certificate(&portal, SHRIMP);
    let html = upload(&portal, &shrimp, certificate.certificate_pem.as_bytes()).await;
    assert!(html.contains("目前的申請狀態不能申請此申請事項"), "{html}");

    // An oversized purpose and no agreement.
    let mut form = application("127.0.0.115");
    form.retain(|(k, _)| *k != "agree" && *k != "purpose");
    let long = "查".repeat(351);
    let mut bad = fields(&form);
    bad.push(("purpose", &long));
    let html = apply(&portal, &shrimp, "apply", &bad).await;
    assert!(html.contains("使用目的/原因最多 350 個字"), "{html}");
    assert!(html.contains("請詳閱並勾選同意遵守服務管理規範"));
    let cases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_cases")
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("count");
    assert_eq!(cases, 0);

    // Approved; now a file that is no certificate, then another company's certificate.
    let reviewer = reviewer(&portal).await;
    let case = serial_in(
        &apply(
            &portal,
            &shrimp,
            "apply",
            &fields(&application("127.0.0.115")),
        )
        .await,
    );
    decide(&portal, &reviewer, &case, "approve").await;
    for file in [
        b"not a certificate".to_vec(),
        api_certificate(&portal, OTHER).certificate_pem.into_bytes(),
        portal
            .business_card(SHRIMP, SHRIMP_NAME)
            .certificate_pem
            .into_bytes(),
    ] {
        let html = upload(&portal, &shrimp, &file).await;
        assert!(!html.contains("上傳成功"), "{html}");
        assert!(
            html.contains("aria-invalid=\"true\""),
            "the file field is marked"
        );
    }
    let isskey: Option<String> =
        sqlx::query_scalar("SELECT isskey FROM api_grants WHERE business_id = $1")
            .bind(SHRIMP)
            .fetch_one(&portal.app.test_db.db.pool)
            .await
            .expect("grant");
    assert_eq!(isskey, None);

    // Another company cannot see or cancel this company's case.
    let pending = serial_in(
        &apply(
            &portal,
            &shrimp,
            "modify",
            &fields(&application("127.0.0.9")),
        )
        .await,
    );
    let other = other_company(&portal).await;
    let theirs = page(&portal, "/api-service/progress", &other.cookie).await;
    assert!(!theirs.contains(&pending));
    let html = cancel(&portal, &other, &pending).await;
    assert!(html.contains("查無此申請案件"), "{html}");
    assert_eq!(case_status(&portal, &pending).await, "pending");
}

#[tokio::test]
async fn a_10_only_ministry_reviewers_review() {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let case = serial_in(
        &apply(
            &portal,
            &shrimp,
            "apply",
            &fields(&application("127.0.0.115")),
        )
        .await,
    );
    let clerk = portal
        .staff("李小華", Role::HouseholdClerk, "office:63000030")
        .await;
    let clerk = portal.session("Staff", "", &clerk).await;
    assert_eq!(
        portal.page("/admin/api-cases", Some(&clerk)).await.status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = portal
        .post_page(
            &format!("/admin/api-cases/case?id={case}"),
            Some(&clerk),
            &[("action", "approve"), ("text", "ok")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A company session is no reviewer either.
    let (status, _) = portal
        .post_page(
            &format!("/admin/api-cases/case?id={case}"),
            Some(&shrimp.cookie),
            &[("action", "approve"), ("text", "ok")],
        )
        .await;
    assert_ne!(status, StatusCode::OK);
    assert_eq!(case_status(&portal, &case).await, "pending");
}

#[tokio::test]
async fn a_n9_a_n11_a_suspended_or_revoked_grant_returns_only_by_a_plan_and_a_new_application() {
    let portal = Portal::start().await;
    let (shrimp, reviewer) = approved(&portal).await;
    let act = |action: &'static str| {
        let reviewer = reviewer.clone();
        let portal = &portal;
        async move {
            portal
                .post_page(
                    "/admin/api-cases",
                    Some(&reviewer),
                    &[
                        ("business_id", SHRIMP),
                        ("action", action),
                        ("reason", "異常使用"),
                    ],
                )
                .await
        }
    };
    act("suspend").await;
    assert_eq!(grant_ip(&portal).await.1, "suspended");
    let html = act("suspend").await.1;
    assert!(html.contains("此權限目前的狀態不能執行此動作"), "{html}");
    // There is no reinstatement by the reviewer's hand any more, nor a plan approved without
    // a plan: both are actions no page offers.
    for gone in ["reinstate", "approve_plan"] {
        let html = act(gone).await.1;
        assert!(html.contains("您沒有執行此項作業的權限"), "{gone}: {html}");
    }
    assert_eq!(grant_ip(&portal).await.1, "suspended");
    // Suspended: the plan first (or deactivation); no new application yet.
    let chooser = page(&portal, "/api-service/apply", &shrimp.cookie).await;
    assert!(chooser.contains("應先提出改善做法"), "{chooser}");
    for (kind, offered) in [
        ("plan", true),
        ("deactivate", true),
        ("apply", false),
        ("modify", false),
    ] {
        assert_eq!(
            chooser.contains(&format!("value=\"{kind}\"")),
            offered,
            "{kind}"
        );
    }
    let html = apply(
        &portal,
        &shrimp,
        "apply",
        &fields(&application("127.0.0.115")),
    )
    .await;
    assert!(html.contains("目前的申請狀態不能申請此申請事項"), "{html}");
    // A plan that is rejected changes nothing; the company may file another.
    let plan = file_plan(&portal, &shrimp, "會改善").await;
    decide(&portal, &reviewer, &plan, "reject").await;
    assert_eq!(case_status(&portal, &plan).await, "rejected");
    let chooser = page(&portal, "/api-service/apply", &shrimp.cookie).await;
    assert!(!chooser.contains("value=\"apply\""), "{chooser}");
    // Revoked while the plan is awaited: still the plan first.
    act("revoke").await;
    assert_eq!(grant_ip(&portal).await.1, "revoked");
    let chooser = page(&portal, "/api-service/apply", &shrimp.cookie).await;
    assert!(chooser.contains("value=\"plan\"") && !chooser.contains("value=\"apply\""));
    approve_plan(&portal, &shrimp, &reviewer).await;
    assert_eq!(
        grant_ip(&portal).await.1,
        "revoked",
        "a plan alone opens nothing"
    );
    // The plan was approved once; a second plan is not on offer, a new application is.
    let chooser = page(&portal, "/api-service/apply", &shrimp.cookie).await;
    assert!(chooser.contains("value=\"apply\"") && !chooser.contains("value=\"plan\""));
    let actions: Vec<String> = portal
        .audit_actions()
        .await
        .into_iter()
        .map(|(_, action)| action)
        .filter(|action| action.starts_with("api_service.grant."))
        .collect();
    assert_eq!(
        actions,
        [
            "api_service.grant.suspend",
            "api_service.grant.revoke",
            "api_service.grant.approve_plan"
        ]
    );
    let told: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE to_addr = $1 AND body LIKE '%改善做法已經內政部核可，得重新提出申請%'",
    )
    .bind("awapply.ris@example.com")
    .fetch_one(&portal.app.test_db.db.pool)
    .await
    .expect("outbox");
    assert_eq!(told, 1, "the approved plan is mailed");
}

/// The reviewer's change of the grant, posted from the grants list.
async fn change_grant(portal: &Portal, reviewer: &str, action: &str) {
    portal
        .post_page(
            "/admin/api-cases",
            Some(reviewer),
            &[
                ("business_id", SHRIMP),
                ("action", action),
                ("reason", "異常使用"),
            ],
        )
        .await;
}

#[tokio::test]
async fn a_n11_a_sanction_imposed_after_a_plan_or_an_application_was_filed_is_not_undone_by_it() {
    let portal = Portal::start().await;
    let (shrimp, reviewer) = approved(&portal).await;
    change_grant(&portal, &reviewer, "suspend").await;
    // A plan filed while suspended, then the grant revoked: that plan does not answer the
    // revocation, and approving it is refused.
    let plan = file_plan(&portal, &shrimp, "已停止批次查驗").await;
    portal.app.clock.advance(chrono::Duration::seconds(1));
    change_grant(&portal, &reviewer, "revoke").await;
    assert_eq!(grant_ip(&portal).await.1, "revoked");
    let html = decide(&portal, &reviewer, &plan, "approve").await;
    assert!(html.contains("另提改善做法"), "{html}");
    // The reviewer sees what the plan is to answer: the grant as it is now, and why.
    let grant = Page::parse(&html).text(".notice.grant");
    assert!(
        grant.contains("註銷") && grant.contains("須提出改善做法") && grant.contains("異常使用"),
        "{grant}"
    );
    assert_eq!(case_status(&portal, &plan).await, "pending");
    decide(&portal, &reviewer, &plan, "reject").await;
    // A plan for the revocation is approved; an application is filed; then the grant is
    // revoked again (say by the periodic check) before the application is decided: approving
    // it is refused, and the grant stays revoked.
    approve_plan(&portal, &shrimp, &reviewer).await;
    let application = file_application(&portal, &shrimp).await;
    let now = portal.now();
    sqlx::query("UPDATE api_grants SET plan_required_since = $1 WHERE business_id = $2")
        .bind(now)
        .bind(SHRIMP)
        .execute(&portal.app.test_db.db.pool)
        .await
        .expect("revoked again");
    let html = decide(&portal, &reviewer, &application, "approve").await;
    assert!(html.contains("不能核准此申請"), "{html}");
    assert_eq!(case_status(&portal, &application).await, "pending");
    assert_eq!(grant_ip(&portal).await.1, "revoked");
}

#[tokio::test]
async fn a_n5_review_age_counts_working_days_across_a_weekend_and_a_holiday() {
    // 2025-12-24 (Wed); 12/25 行憲紀念日 is a holiday from 2025; 12/27–28 a weekend. Filed
    // through the portal (signed by the card, A-2), then dated to that morning.
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let case = file_application(&portal, &shrimp).await;
    let filed = chrono::NaiveDate::from_ymd_opt(2025, 12, 24)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("date");
    let clock = &portal.app.clock;
    clock.set(FixedClock::at_taipei(filed).now_utc());
    sqlx::query("UPDATE api_cases SET submitted_at = $1 WHERE id = $2")
        .bind(clock.unix())
        .bind(&case)
        .execute(&portal.app.test_db.db.pool)
        .await
        .expect("dated");
    let state = &portal.app.state;
    let age = |days: i64| {
        clock.set(clock.now_utc() + chrono::Duration::days(days));
        store::queue(state)
    };
    let queued = age(5).await.expect("queue");
    assert_eq!(queued[0].age.working_days, 2, "12/26 and 12/29");
    assert!(!queued[0].age.overdue);
    let queued = age(14).await.expect("queue");
    // 12/26, 12/29–31, 1/2 (1/1 a holiday), 1/5–9 and 1/12.
    assert_eq!(queued[0].age.working_days, 11);
    assert!(queued[0].age.overdue);
}

#[tokio::test]
async fn a_n10_the_periodic_check_revokes_dissolved_and_unused_grants() {
    let portal = Portal::start().await;
    approved(&portal).await;
    let db = &portal.app.test_db.db;
    let check = |at: i64| store::periodic_check(db, at);
    assert!(check(portal.now()).await.expect("check").is_empty());

    // Approved 112/11/17 and never called: still fine on 113/11/17, revoked the day after.
    let year = 366 * 86_400; // 2024 is a leap year: 2023-11-17 + 366 days = 2024-11-17
    assert!(check(portal.now() + year).await.expect("check").is_empty());
    let revoked = check(portal.now() + year + 86_400).await.expect("check");
    assert_eq!(revoked, [(SHRIMP.to_owned(), store::CheckFinding::Unused)]);
    assert_eq!(grant_ip(&portal).await.1, "revoked");
    assert!(check(portal.now() + year + 86_400)
        .await
        .expect("check")
        .is_empty());

    // That day the plan is filed and approved, the company applies and is approved again
    // (signed in anew: the sessions of a year ago are gone); then it is dissolved in the
    // business registry: revoked at once.
    crate::moica_extension::move_to(&portal, portal.now() + year + 86_400);
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let reviewer = reviewer(&portal).await;
    regain(&portal, &shrimp, &reviewer).await;
    sqlx::query("UPDATE companies SET status = '解散' WHERE business_id = $1")
        .bind(SHRIMP)
        .execute(&db.pool)
        .await
        .expect("dissolved");
    let revoked = check(portal.now()).await.expect("check");
    assert_eq!(
        revoked,
        [(SHRIMP.to_owned(), store::CheckFinding::NotRegistered)]
    );
    // And a dissolved company cannot apply again, even with an approved plan.
    approve_plan(&portal, &shrimp, &reviewer).await;
    let html = apply(
        &portal,
        &shrimp,
        "apply",
        &fields(&application("127.0.0.115")),
    )
    .await;
    assert!(html.contains("非核准設立之現行登記"), "{html}");
}

#[tokio::test]
async fn a_n10_the_periodic_check_revokes_a_grant_whose_name_is_no_longer_the_registrys() {
    let portal = Portal::start().await;
    approved(&portal).await;
    let db = &portal.app.test_db.db;
    let rename = |name: &'static str| async move {
        sqlx::query("UPDATE companies SET name = $1 WHERE business_id = $2")
            .bind(name)
            .bind(SHRIMP)
            .execute(&db.pool)
            .await
            .expect("renamed");
    };
    // The same name written with other spacing is the same name.
    rename("蝦蝦樂購股份有限公司 ").await;
    assert!(store::periodic_check(db, portal.now())
        .await
        .expect("check")
        .is_empty());
    // Renamed in the business registry: the company on file is no longer the registered one.
    rename("蝦蝦樂購國際股份有限公司").await;
    let revoked = store::periodic_check(db, portal.now())
        .await
        .expect("check");
    assert_eq!(
        revoked,
        [(SHRIMP.to_owned(), store::CheckFinding::NameMismatch)]
    );
    let (status, reason): (String, Option<String>) =
        sqlx::query_as("SELECT status, status_reason FROM api_grants WHERE business_id = $1")
            .bind(SHRIMP)
            .fetch_one(&db.pool)
            .await
            .expect("grant");
    assert_eq!(status, "revoked");
    assert!(
        reason
            .as_deref()
            .is_some_and(|reason| reason.contains("登記名稱不符")),
        "{reason:?}"
    );
}

#[tokio::test]
async fn a_n5_the_reviewer_asks_for_material_and_the_company_answers_in_time() {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let html = apply(
        &portal,
        &shrimp,
        "apply",
        &fields(&application("127.0.0.115")),
    )
    .await;
    let case = serial_in(&html);
    let reviewer = reviewer(&portal).await;
    // The case page shows the business registry's name and status beside the application.
    let review = page(
        &portal,
        &format!("/admin/api-cases/case?id={case}"),
        &reviewer,
    )
    .await;
    assert!(review.contains("蝦蝦樂購股份有限公司"), "{review}");
    assert!(review.contains("核准設立"));
    let (_, html) = portal
        .post_page(
            &format!("/admin/api-cases/case?id={case}"),
            Some(&reviewer),
            &[
                ("action", "material"),
                ("text", "請檢附洗錢防制法之適用證明"),
            ],
        )
        .await;
    // 112/11/17 is a Friday: five working days later is Friday 112/11/24.
    assert!(html.contains("112/11/24"), "{html}");
    assert_eq!(case_status(&portal, &case).await, "pending");

    let progress = page(&portal, "/api-service/progress", &shrimp.cookie).await;
    assert!(progress.contains("請檢附洗錢防制法之適用證明"));
    assert!(progress.contains("112/11/24"));
    let answer = [
        ("action", "reply"),
        ("case_id", case.as_str()),
        (
            "reply",
            "本公司為洗錢防制法第五條所定之金融機構，證明文件已寄送",
        ),
    ];
    let (_, html) = portal
        .post_page("/api-service/progress", Some(&shrimp.cookie), &answer)
        .await;
    assert!(html.contains("補正資料已送出"), "{html}");
    let (_, html) = portal
        .post_page("/api-service/progress", Some(&shrimp.cookie), &answer)
        .await;
    assert!(html.contains("已送出補正資料"), "answered once: {html}");
    let review = page(
        &portal,
        &format!("/admin/api-cases/case?id={case}"),
        &reviewer,
    )
    .await;
    assert!(review.contains("本公司為洗錢防制法第五條所定之金融機構"));
    let desk: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE to_addr = $1")
        .bind("api-review@example.gov.tw")
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("outbox");
    assert_eq!(
        desk, 2,
        "the review desk hears of the new case and of the answer"
    );
}

#[tokio::test]
async fn a_n5_material_past_due_is_overdue_and_a_review_is_extended_once_with_a_reason() {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let html = apply(
        &portal,
        &shrimp,
        "apply",
        &fields(&application("127.0.0.115")),
    )
    .await;
    let case = serial_in(&html);
    let path = format!("/admin/api-cases/case?id={case}");
    let reviewer = reviewer(&portal).await;
    let post = |cookie: String, form: Vec<(&'static str, &'static str)>| {
        let (portal, path) = (&portal, &path);
        async move { portal.post_page(path, Some(&cookie), &form).await.1 }
    };
    post(
        reviewer.clone(),
        vec![
            ("action", "material"),
            ("text", "請檢附洗錢防制法之適用證明"),
        ],
    )
    .await;
    // As if filed on Tuesday 112/10/31, 13 working days before today (Friday 112/11/17), with
    // the material due on 112/11/10.
    sqlx::query(
        "UPDATE api_cases SET submitted_at = submitted_at - 17 * 86400, \
         material_due = '2023-11-10' WHERE id = $1",
    )
    .bind(&case)
    .execute(&portal.app.test_db.db.pool)
    .await
    .expect("filed earlier");
    let review = page(&portal, &path, &reviewer).await;
    assert!(review.contains("已逾補正期限"), "{review}");
    let queue = page(&portal, "/admin/api-cases", &reviewer).await;
    assert!(queue.contains("（逾期）"), "{queue}");

    let html = post(
        reviewer.clone(),
        vec![("action", "extend"), ("text", "須函詢目的事業主管機關")],
    )
    .await;
    assert!(html.contains("已延長審查，並通知申請機構"), "{html}");
    assert!(!html.contains("value=\"extend\""), "offered once: {html}");
    let queue = page(&portal, "/admin/api-cases", &reviewer).await;
    assert!(!queue.contains("（逾期）"), "10 more working days: {queue}");
    // Once only: a second extension is refused and changes nothing.
    let html = post(
        reviewer.clone(),
        vec![("action", "extend"), ("text", "再延長")],
    )
    .await;
    assert!(html.contains("已延長審查一次，不得再延長"), "{html}");
    let reason: Option<String> =
        sqlx::query_scalar("SELECT extension_reason FROM api_cases WHERE id = $1")
            .bind(&case)
            .fetch_one(&portal.app.test_db.db.pool)
            .await
            .expect("case");
    assert_eq!(reason.as_deref(), Some("須函詢目的事業主管機關"));
    // The company is told by mail, and sees it on its case.
    let mailed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE subject LIKE '%延長審查%' AND body LIKE '%須函詢目的事業主管機關%'",
    )
    .fetch_one(&portal.app.test_db.db.pool)
    .await
    .expect("outbox");
    assert_eq!(mailed, 1);
    let company = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let progress = page(&portal, "/api-service/progress", &company.cookie).await;
    assert!(
        progress.contains("延長審查：") && progress.contains("須函詢目的事業主管機關"),
        "{progress}"
    );
    // The reviewer may still reject for the missing material.
    let html = post(
        reviewer,
        vec![("action", "reject"), ("text", "逾期未補正資料")],
    )
    .await;
    assert_eq!(case_status(&portal, &case).await, "rejected", "{html}");
}

#[tokio::test]
async fn a_8_the_operation_manual_is_rendered_from_the_projects_own_document() {
    let portal = Portal::start().await;
    let response = portal.page("/api-service/manual", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = body_text(response).await;
    let source = include_str!("../../../docs/verification-api.zh-TW.md");
    // Every rdCode of the manual, rendered as a table.
    for code in ["RS7009", "RS3811", "RS3822", "HJ4002", "HJ4030", "HJ4033"] {
        assert!(source.contains(code));
        assert!(html.contains(&format!("<td>{code}</td>")), "{code}");
    }
    assert!(
        html.contains("<code>/integration/rwv2c2/</code>")
            || html.contains("GET /integration/rwv2c2/")
    );
}

#[tokio::test]
async fn a_11_the_manual_is_in_both_languages() {
    const ZH_TW: &str = include_str!("../../../docs/verification-api.zh-TW.md");
    const ENGLISH: &str = include_str!("../../../docs/verification-api.md");
    // A phrase of each version that the other does not have.
    const CHINESE_ONLY: &str = "使用限制及異常使用";
    const ENGLISH_ONLY: &str = "Limits and abnormal use";
    assert!(ZH_TW.contains(CHINESE_ONLY) && !ENGLISH.contains(CHINESE_ONLY));
    assert!(ENGLISH.contains(ENGLISH_ONLY) && !ZH_TW.contains(ENGLISH_ONLY));
    // The two versions have the same sections and the same codes.
    let headings = |text: &str| text.lines().filter(|line| line.starts_with('#')).count();
    assert_eq!(headings(ZH_TW), headings(ENGLISH));
    let codes = |text: &str| {
        text.lines()
            .filter_map(|line| line.strip_prefix("| "))
            .filter_map(|row| row.split(' ').next())
            .filter(|cell| cell.starts_with("RS") || cell.starts_with("HJ"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(ZH_TW), codes(ENGLISH));
    assert!(codes(ZH_TW).len() >= 15);

    let portal = Portal::start().await;
    // zh-TW is the default language.
    let response = portal.page("/api-service/manual", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let zh_tw = body_text(response).await;
    assert!(zh_tw.contains(CHINESE_ONLY), "{zh_tw}");
    assert!(!zh_tw.contains(ENGLISH_ONLY));
    // On the page, the link to the other version is the language switch.
    assert!(
        zh_tw.contains(r#"href="/lang/en?next=/api-service/manual""#),
        "{zh_tw}"
    );

    let english = page(&portal, "/api-service/manual", "huji_lang=en").await;
    assert!(english.contains(ENGLISH_ONLY), "{english}");
    assert!(!english.contains(CHINESE_ONLY));
    assert!(english.contains("<td>HJ4290</td>"));
    assert!(
        english.contains(r#"href="/lang/zh-Hant-TW?next=/api-service/manual""#),
        "{english}"
    );
}
