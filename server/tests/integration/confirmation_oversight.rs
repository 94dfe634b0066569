//! The ministry's oversight of identity confirmation systems in the browser (seed 003 要點六、
//! 七, SPEC I-4): each system's use of the API per day, measures required, a deadline to
//! improve, and a stop on a ground of rule 6 — for load only once the deadline has passed —
//! each mailed to the applicant and audited; a stopped system is out of service at once.

use crate::api_service::reviewer;
use crate::confirmation_requests::{
    file_enable, last_id, mail_to, server_certificate, BANK, BANK_NAME, DAY,
};
use crate::support::{Page, Portal};
use app::pki::CaFamily;
use app::platform::clock::roc_date;
use app::services::confirmation::oversight::Oversight;
use app::services::confirmation::systems::{self, OutOfService, System};
use app::services::confirmation::{StopGround, DESK_CASE_PATH, DESK_SYSTEM_PATH};
use axum::http::StatusCode;

/// 示範商業銀行's system, approved to open today; the reviewer's session.
async fn approved_system(portal: &Portal) -> (System, String) {
    let card = portal.business_card(BANK, BANK_NAME);
    let bank = portal.session("Company", BANK, &card).await;
    let (certificate, serial) = server_certificate(portal, CaFamily::Xca, BANK_NAME);
    file_enable(portal, &bank, 40, &serial, &certificate.certificate_der).await;
    let id = last_id(portal).await;
    let reviewer = reviewer(portal).await;
    portal
        .post_page(
            &format!("{DESK_CASE_PATH}?id={id}"),
            Some(&reviewer),
            &[
                ("action", "approve"),
                ("note", "同意"),
                ("effective_on", &roc_date(portal.now())),
            ],
        )
        .await;
    (registered(portal).await, reviewer)
}

/// The system (the only one).
async fn registered(portal: &Portal) -> System {
    systems::all(&portal.app.test_db.db.pool)
        .await
        .expect("systems")
        .pop()
        .expect("a system")
}

async fn decide(portal: &Portal, reviewer: &str, id: i64, fields: &[(&str, &str)]) -> Page {
    let (status, html) = portal
        .post_page(
            &format!("{DESK_SYSTEM_PATH}?id={id}"),
            Some(reviewer),
            fields,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    Page::parse(&html)
}

#[tokio::test]
async fn i_4_the_ministry_sees_each_systems_calls_per_day() {
    let portal = Portal::start().await;
    let (system, reviewer) = approved_system(&portal).await;
    let desk = format!("{DESK_SYSTEM_PATH}?id={}", system.id);
    // Issue 24 item 15: before any call, the table says it found none.
    let response = portal.page(&desk, Some(&reviewer)).await;
    let page = Page::parse(&crate::support::body_text(response).await);
    assert_eq!(page.table_rows("近30日查詢"), [vec!["查無資料".to_owned()]]);
    assert_eq!(page.attrs("table.usage tr.none td", "colspan"), ["6"]);
    // Calls as the API logs them: two yesterday (one refused), one today.
    for (ago, outcome, latency) in [
        (DAY, "answered", 1_500),
        (DAY, "quota_exceeded", 500),
        (0, "answered", 2_000),
    ] {
        sqlx::query(
            "INSERT INTO confirmation_calls (system_id, called_at, source_ip, outcome, latency_us) \
             VALUES ($1, $2, '203.0.113.9', $3, $4)",
        )
        .bind(system.id)
        .bind(portal.now() - ago)
        .bind(outcome)
        .bind(latency as i64)
        .execute(&portal.app.test_db.db.pool)
        .await
        .expect("call");
    }
    let response = portal.page(&desk, Some(&reviewer)).await;
    let page = Page::parse(&crate::support::body_text(response).await);
    let rows = page.table_rows("近30日查詢");
    assert_eq!(
        rows,
        [
            vec![
                roc_date(portal.now()),
                "1".into(),
                "1".into(),
                "0".into(),
                "2.00".into(),
                "2.00".into()
            ],
            vec![
                roc_date(portal.now() - DAY),
                "2".into(),
                "1".into(),
                "1".into(),
                "1.00".into(),
                "1.50".into()
            ],
        ]
    );
    assert_eq!(page.attrs(".usage-chart svg rect", "height").len(), 30);
    // Not for an applicant: sent to the staff sign-in.
    let card = portal.business_card(BANK, BANK_NAME);
    let bank = portal.session("Company", BANK, &card).await;
    let response = portal
        .page(&format!("{DESK_SYSTEM_PATH}?id={}", system.id), Some(&bank))
        .await;
    assert!(response.status().is_redirection());
    let location = response.headers().get("location").expect("location");
    assert!(location
        .to_str()
        .expect("text")
        .starts_with("/admin/sign-in"));
}

#[tokio::test]
async fn i_4_heavy_load_stops_a_system_only_after_the_deadline_to_improve_has_passed() {
    let portal = Portal::start().await;
    let (system, reviewer) = approved_system(&portal).await;
    let stop = [
        ("action", "stop"),
        ("note", "嚴重耗損本系統效能"),
        ("ground", "heavy_load"),
    ];
    let page = decide(&portal, &reviewer, system.id, &stop).await;
    assert!(
        page.alerts().concat().contains("限期改善"),
        "{:?}",
        page.alerts()
    );
    assert_eq!(registered(&portal).await.oversight, Oversight::Normal);

    let deadline = roc_date(portal.now() + 5 * DAY);
    let page = decide(
        &portal,
        &reviewer,
        system.id,
        &[
            ("action", "require_improvement"),
            ("note", "請於期限內降低尖峰查詢量"),
            ("deadline", &deadline),
        ],
    )
    .await;
    assert!(page.alerts().is_empty(), "{:?}", page.alerts());
    assert_eq!(registered(&portal).await.oversight, Oversight::Improving);
    assert!(page.text(".oversight").contains(&deadline));
    let told = mail_to(&portal, "lin@example.com.tw").await;
    assert!(
        told.last().expect("mail").contains("要求限期改善"),
        "{told:?}"
    );
    // Before the deadline: still refused. After it: stopped, out of service at once.
    let page = decide(&portal, &reviewer, system.id, &stop).await;
    assert!(page.alerts().concat().contains("限期改善"));
    portal.app.clock.advance(chrono::Duration::days(6));
    let reviewer = self::reviewer(&portal).await;
    let page = decide(&portal, &reviewer, system.id, &stop).await;
    assert!(page.alerts().is_empty(), "{:?}", page.alerts());
    let stopped = registered(&portal).await;
    assert_eq!(stopped.oversight, Oversight::Stopped);
    assert_eq!(
        stopped.out_of_service(portal.now()),
        Some(OutOfService::Stopped(StopGround::HeavyLoad))
    );
    assert!(page.texts(".timeline").concat().contains("停止服務"));
    assert!(mail_to(&portal, "lin@example.com.tw")
        .await
        .last()
        .expect("mail")
        .contains("停止服務"));
    // Stopped is final here: no form is offered, and a posted decision is refused.
    assert!(page.texts("main form").is_empty());
    let page = decide(
        &portal,
        &reviewer,
        system.id,
        &[("action", "require_measures"), ("note", "x")],
    )
    .await;
    assert!(page.alerts().concat().contains("已停止服務"));
    portal
        .assert_audited(&[
            "confirmation.system.require_improvement",
            "confirmation.system.stop",
        ])
        .await;
}

#[tokio::test]
async fn i_4_the_ministry_requires_measures_and_stops_a_system_on_another_ground_at_once() {
    let portal = Portal::start().await;
    let (system, reviewer) = approved_system(&portal).await;
    let page = decide(
        &portal,
        &reviewer,
        system.id,
        &[
            ("action", "require_measures"),
            ("note", "請訂定資料安全管理規定並回報"),
        ],
    )
    .await;
    assert!(page.notices().concat().contains("要求配合措施"));
    assert_eq!(registered(&portal).await.oversight, Oversight::Normal);
    let page = decide(
        &portal,
        &reviewer,
        system.id,
        &[
            ("action", "stop"),
            ("note", "申請文件內容經查證記載不實"),
            ("ground", "false_data"),
        ],
    )
    .await;
    assert!(page.alerts().is_empty(), "{:?}", page.alerts());
    assert_eq!(
        registered(&portal).await.out_of_service(portal.now()),
        Some(OutOfService::Stopped(StopGround::FalseData))
    );
    assert!(page
        .text(".oversight")
        .contains("申請文件內容經查證記載不實"));
}
