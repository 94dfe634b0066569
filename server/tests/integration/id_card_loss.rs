//! ID card loss reports through the real router (L4-1, L4-2, L4-4): the forms posted to their
//! pages as a browser without JavaScript posts them, CAPTCHAs read from the database as a
//! person reads the picture, and the household office's follow-up with signed-in staff.

use crate::support::{body_text, Page, Portal};
use app::services::staff::role::Role;
use axum::http::{header, StatusCode};
use sqlx::AnyPool;

pub(crate) const GENERIC: &str = "驗證資料失敗，請確認資料是否輸入有誤";

/// Of `pages` answered to concurrent tries, how many were checked (refused with one of
/// `refusals`) and how many the failure limit turned away.
pub(crate) fn checked_and_limited(
    pages: &[(StatusCode, String)],
    refusals: &[&str],
) -> (usize, usize) {
    let count =
        |answered: &dyn Fn(&str) -> bool| pages.iter().filter(|(_, html)| answered(html)).count();
    (
        count(&|html| refusals.iter().any(|refusal| html.contains(refusal))),
        count(&|html| html.contains("驗證失敗次數過多")),
    )
}

/// 王小明's answers, as he would type them (some ways differ from the registry's).
pub(crate) fn wang() -> Vec<(&'static str, String)> {
    [
        ("national_id", "a123456789"),
        ("name", "王小明"),
        ("birth_date", "73/1/1"),
        ("address", "台北市大安區新生南路2段86巷7號3F"),
        ("phone", "0912-345-678"),
        ("email", "wang@example.com"),
        ("parent_name", "李美華"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

pub(crate) fn with(
    mut form: Vec<(&'static str, String)>,
    key: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    form.retain(|(k, _)| *k != key);
    form.push((key, value.to_owned()));
    form
}

pub(crate) fn pool(portal: &Portal) -> &AnyPool {
    &portal.app.test_db.db.pool
}

/// Opens the form page and returns the CAPTCHA id on it.
pub(crate) async fn captcha_on(portal: &Portal, path: &str) -> String {
    let page = portal.page(path, None).await;
    assert_eq!(page.status(), StatusCode::OK);
    captcha_id_in(&body_text(page).await)
}

fn captcha_id_in(html: &str) -> String {
    Page::parse(html).input_value("captcha_id")
}

pub(crate) async fn captcha_answer(portal: &Portal, id: &str) -> String {
    sqlx::query_scalar("SELECT answer FROM captchas WHERE id = $1")
        .bind(id)
        .fetch_one(pool(portal))
        .await
        .expect("a live CAPTCHA")
}

/// Posts `form` to the page at `path` as a browser form, solving a fresh CAPTCHA.
pub(crate) async fn submit(
    portal: &Portal,
    path: &str,
    form: &[(&'static str, String)],
) -> (StatusCode, String) {
    submit_as(portal, None, path, form).await
}

/// Posts `form` to the page at `path` from the client at `peer`, solving a fresh CAPTCHA.
pub(crate) async fn submit_as(
    portal: &Portal,
    peer: Option<&str>,
    path: &str,
    form: &[(&'static str, String)],
) -> (StatusCode, String) {
    let id = captcha_on(portal, path).await;
    let answer = captcha_answer(portal, &id).await;
    submit_from(portal, peer, path, form, (&id, &answer)).await
}

pub(crate) async fn submit_with_captcha(
    portal: &Portal,
    path: &str,
    form: &[(&'static str, String)],
    captcha_id: &str,
    answer: &str,
) -> (StatusCode, String) {
    submit_from(portal, None, path, form, (captcha_id, answer)).await
}

/// Posts `form` with a solved CAPTCHA `(id, answer)` from the client at `peer`.
pub(crate) async fn submit_from(
    portal: &Portal,
    peer: Option<&str>,
    path: &str,
    form: &[(&'static str, String)],
    (captcha_id, answer): (&str, &str),
) -> (StatusCode, String) {
    let mut fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fields.push(("captcha_id", captcha_id));
    fields.push(("captcha", answer));
    let peer = peer.map(|peer| peer.parse().expect("an address"));
    portal.post_page_from(peer, path, None, &fields).await
}

/// Posts `fields` to the page at `path` as a browser form without JavaScript would.
async fn report_wang(portal: &Portal, password: &str) -> String {
    let (status, html) = submit(
        portal,
        "/id-card/loss/report",
        &with(wang(), "password", password),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("掛失完成"), "{html}");
    let marker = "class=\"reference\">";
    let start = html.find(marker).expect("a report number") + marker.len();
    html[start..].split('<').next().expect("number").to_owned()
}

async fn report_row(portal: &Portal) -> (String, String, i64, Option<String>) {
    sqlx::query_as(
        "SELECT status, contact_state, password_failures, password_hash FROM id_card_loss_reports \
         WHERE citizen_id = 1 ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(pool(portal))
    .await
    .expect("a report")
}

#[tokio::test]
async fn l4_1_a_citizen_reports_the_card_lost_and_the_office_and_mail_know() {
    let portal = Portal::start().await;
    let reference = report_wang(&portal, "Ab12").await;
    assert!(reference.starts_with("L1121117-"), "{reference}");

    let (status, contact, failures, hash) = report_row(&portal).await;
    assert_eq!(
        (status.as_str(), contact.as_str(), failures),
        ("lost", "pending", 0)
    );
    let hash = hash.expect("a password hash");
    assert!(hash.starts_with("$argon2id$") && !hash.contains("Ab12"));
    let (to, body): (String, String) =
        sqlx::query_as("SELECT to_addr, body FROM outbox ORDER BY id DESC LIMIT 1")
            .fetch_one(pool(&portal))
            .await
            .expect("a mail");
    assert_eq!(to, "wang@example.com");
    assert!(body.contains(&reference));
    let events: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, county FROM id_card_loss_events")
            .fetch_all(pool(&portal))
            .await
            .expect("events");
    assert_eq!(events, [("reported".to_owned(), "臺北市".to_owned())]);
    let audit = portal.audit_actions().await;
    assert!(audit.contains(&("citizen:A1*****789".into(), "id_card_loss.report".into())));

    // The same card cannot be reported twice.
    let (_, again) = submit(
        &portal,
        "/id-card/loss/report",
        &with(wang(), "password", "Zz99"),
    )
    .await;
    assert!(again.contains("無須重複掛失"), "{again}");
}

#[tokio::test]
async fn l4_1_each_wrong_answer_gets_the_same_message_and_keeps_the_form() {
    let portal = Portal::start().await;
    let wrong = [
        with(wang(), "national_id", "A123456798"),
        with(wang(), "national_id", "F228135791"),
        with(wang(), "birth_date", "73/01/02"),
        with(wang(), "address", "臺北市大安區新生南路二段86巷7號4樓"),
        with(wang(), "parent_name", "王大同"),
    ];
    let mut answers = Vec::new();
    for form in wrong {
        let (status, html) = submit(&portal, "/id-card/loss/query", &form).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(GENERIC), "{html}");
        // Nothing says which field failed …
        assert!(
            !html.contains("aria-invalid=\"true\""),
            "a field was marked: {html}"
        );
        // … and what was typed is still in the form.
        assert!(html.contains("wang@example.com"));
        let alert = html.split("notice error\"><p>").nth(1).expect("an alert");
        answers.push(alert.split("</p>").next().unwrap_or_default().to_owned());
    }
    assert!(
        answers.windows(2).all(|pair| pair[0] == pair[1]),
        "{answers:?}"
    );
}

#[tokio::test]
async fn l4_1_a_field_that_does_not_parse_is_named_and_nothing_is_looked_up() {
    let portal = Portal::start().await;
    let (_, html) = submit(
        &portal,
        "/id-card/loss/report",
        &with(wang(), "birth_date", "73/02/30"),
    )
    .await;
    assert!(html.contains("請修正下列標示的欄位"), "{html}");
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(
        html.contains("新生南路2段86巷7號3F"),
        "the typed address is kept"
    );
}

#[tokio::test]
async fn l4_1_the_captcha_is_checked_once_and_never_in_the_page() {
    let portal = Portal::start().await;
    let page = body_text(portal.page("/id-card/loss/query", None).await).await;
    let id = captcha_id_in(&page);
    let answer = captcha_answer(&portal, &id).await;
    assert!(!page.contains(&answer), "the answer is not in the HTML");

    let image = portal.app.get(&format!("/captcha/{id}")).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()[header::CONTENT_TYPE], "image/png");
    let audio = portal.app.get(&format!("/captcha/{id}/audio")).await;
    assert_eq!(audio.headers()[header::CONTENT_TYPE], "audio/wav");
    assert!(body_text(audio).await.len() > 1000);

    let wrong: String = answer.chars().rev().collect::<String>() + "1";
    let (_, html) = submit_with_captcha(&portal, "/id-card/loss/query", &wang(), &id, &wrong).await;
    assert!(html.contains("圖形驗證碼錯誤或已逾時"), "{html}");
    // Used up: the right answer no longer works, and the picture is gone.
    let (_, html) =
        submit_with_captcha(&portal, "/id-card/loss/query", &wang(), &id, &answer).await;
    assert!(html.contains("圖形驗證碼錯誤或已逾時"));
    assert_eq!(
        portal.app.get(&format!("/captcha/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn l4_1_failed_checks_are_limited_per_client() {
    let portal = Portal::start().await;
    let wrong = with(wang(), "parent_name", "王大同");
    for _ in 0..5 {
        let (_, html) = submit(&portal, "/id-card/loss/query", &wrong).await;
        assert!(html.contains(GENERIC));
    }
    let (_, html) = submit(&portal, "/id-card/loss/query", &wrong).await;
    assert!(html.contains("驗證失敗次數過多"), "{html}");
    // Even right answers wait until the window has passed.
    let (_, html) = submit(&portal, "/id-card/loss/query", &wang()).await;
    assert!(html.contains("驗證失敗次數過多"));
    portal.app.clock.advance(chrono::Duration::hours(1));
    let (_, html) = submit(&portal, "/id-card/loss/query", &wang()).await;
    assert!(html.contains("無掛失紀錄"), "{html}");
}

#[tokio::test]
async fn security_21_3_addresses_in_one_ipv6_64_share_the_client_limit() {
    let portal = Portal::start().await;
    let wrong = with(wang(), "parent_name", "王大同");
    let from = |peer| submit_as(&portal, Some(peer), "/id-card/loss/query", &wrong);
    for peer in [
        "2001:db8:1:2::1",
        "2001:db8:1:2::2",
        "2001:db8:1:2::3:4",
        "2001:db8:1:2:5::",
        "2001:db8:1:2::ff",
    ] {
        assert!(from(peer).await.1.contains(GENERIC));
    }
    let (_, html) = from("2001:db8:1:2:abcd::1").await;
    assert!(html.contains("驗證失敗次數過多"), "{html}");
    // The next /64 is another client.
    assert!(from("2001:db8:1:3::1").await.1.contains(GENERIC));
}

#[tokio::test]
async fn security_21_3_one_ipv6_48_gets_sixteen_clients_worth_of_a_limit() {
    use app::platform::client::limit_buckets;
    use app::platform::rate_limit::{Limit, NETWORK_SHARE};
    let portal = Portal::start().await;
    let (pool, now) = (pool(&portal), portal.now());
    let limit = Limit {
        max: 2,
        window_seconds: 600,
    };
    let client = |address: String| limit_buckets(Some(address.parse().expect("address")));
    let in_48 = |n: i64| client(format!("2001:db8:7:{n:x}::1"));
    let hit = |buckets| async move {
        limit
            .hit_client(pool, "test", &buckets, now)
            .await
            .expect("hit")
    };
    // Each /64 up to its own limit, until the /48 has had sixteen clients' worth.
    for n in 0..NETWORK_SHARE {
        for _ in 0..limit.max {
            assert_eq!(hit(in_48(n)).await, Ok(()), "/64 number {n}");
        }
    }
    assert!(
        hit(in_48(100)).await.is_err(),
        "a seventeenth /64 of the /48"
    );
    // Another /48 and an IPv4 client are not held by it.
    assert_eq!(hit(client("2001:db8:8::1".into())).await, Ok(()));
    assert_eq!(hit(client("198.51.100.7".into())).await, Ok(()));
    // Tries given back are given back to the /48 too.
    for _ in 0..2 {
        limit
            .refund_client(pool, "test", &in_48(0), now)
            .await
            .expect("refund");
    }
    assert_eq!(hit(in_48(101)).await, Ok(()));
    assert!(hit(in_48(102)).await.is_err());
}

#[tokio::test]
async fn security_21_3_concurrent_failures_naming_one_person_from_many_clients_are_limited() {
    use app::platform::captcha::PERSON_FAILURES;
    let portal = Portal::start().await;
    let limit = usize::try_from(PERSON_FAILURES.max).expect("small");
    let captchas = solved_captchas(&portal, "/id-card/loss/query", limit + 4).await;
    let wrong = with(wang(), "parent_name", "王大同");
    // Each from an address of its own, far below the per-client limit.
    let peers: Vec<String> = (1..=captchas.len())
        .map(|n| format!("198.51.100.{n}"))
        .collect();
    let attempts = captchas.iter().zip(&peers).map(|((id, answer), peer)| {
        submit_from(
            &portal,
            Some(peer.as_str()),
            "/id-card/loss/query",
            &wrong,
            (id.as_str(), answer.as_str()),
        )
    });
    let pages = futures_util::future::join_all(attempts).await;
    let (checked, limited) = checked_and_limited(&pages, &[GENERIC]);
    assert_eq!((checked, limited), (limit, 4));
    // The right answers wait too, from yet another client.
    let right = wang();
    let fresh = || submit_as(&portal, Some("203.0.113.1"), "/id-card/loss/query", &right);
    assert!(fresh().await.1.contains("驗證失敗次數過多"));
    // The person's bucket is named by the keyed hash, never by the ID number.
    let buckets: Vec<String> = sqlx::query_scalar("SELECT bucket FROM rate_limits")
        .fetch_all(pool(&portal))
        .await
        .expect("buckets");
    assert!(buckets.iter().any(|bucket| bucket.starts_with("person:")));
    assert!(!buckets
        .iter()
        .any(|bucket| bucket.to_uppercase().contains("A123456789")));
    portal.app.clock.advance(chrono::Duration::days(1));
    assert!(fresh().await.1.contains("無掛失紀錄"));
}

#[tokio::test]
async fn l4_1_a_query_lists_the_reports() {
    let portal = Portal::start().await;
    let (_, html) = submit(&portal, "/id-card/loss/query", &wang()).await;
    assert!(html.contains("無掛失紀錄"));
    let reference = report_wang(&portal, "Ab12").await;
    let (_, html) = submit(&portal, "/id-card/loss/query", &wang()).await;
    assert!(
        html.contains(&reference) && html.contains("掛失中") && html.contains("110/06/15"),
        "{html}"
    );
}

#[tokio::test]
async fn l4_2_the_right_password_revokes_and_confirms_the_report() {
    let portal = Portal::start().await;
    let reference = report_wang(&portal, "Ab12").await;
    let (_, html) = submit(
        &portal,
        "/id-card/loss/revoke",
        &with(wang(), "password", "Ab12"),
    )
    .await;
    assert!(
        html.contains("撤銷掛失完成") && html.contains(&reference),
        "{html}"
    );
    let (status, contact, _, _) = report_row(&portal).await;
    assert_eq!(
        (status.as_str(), contact.as_str()),
        ("revoked", "confirmed")
    );
    // Not yet confirmed by the office: the revocation confirmed it, and that went upward.
    let events: Vec<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT kind, contact_method, outcome FROM id_card_loss_events ORDER BY id")
            .fetch_all(pool(&portal))
            .await
            .expect("events");
    assert_eq!(
        events[1..],
        [
            ("revoked".to_owned(), None, None),
            (
                "contact".to_owned(),
                Some("system".to_owned()),
                Some("confirmed".to_owned())
            ),
        ]
    );
    let (_, html) = submit(&portal, "/id-card/loss/query", &wang()).await;
    assert!(html.contains("已撤銷掛失"));
    // Nothing left to revoke.
    let (_, html) = submit(
        &portal,
        "/id-card/loss/revoke",
        &with(wang(), "password", "Ab12"),
    )
    .await;
    assert!(html.contains("無須撤銷掛失"));
}

#[tokio::test]
async fn l4_2_three_wrong_passwords_lock_online_revocation() {
    let portal = Portal::start().await;
    report_wang(&portal, "Ab12").await;
    for left in [2, 1] {
        let (_, html) = submit(
            &portal,
            "/id-card/loss/revoke",
            &with(wang(), "password", "Zz99"),
        )
        .await;
        assert!(html.contains(&format!("尚可再試 {left} 次")), "{html}");
    }
    let (_, html) = submit(
        &portal,
        "/id-card/loss/revoke",
        &with(wang(), "password", "Zz99"),
    )
    .await;
    assert!(html.contains("被鎖碼"), "{html}");
    let (_, html) = submit(
        &portal,
        "/id-card/loss/revoke",
        &with(wang(), "password", "Ab12"),
    )
    .await;
    assert!(
        html.contains("被鎖碼"),
        "the right password no longer works"
    );
    let (status, _, failures, _) = report_row(&portal).await;
    assert_eq!((status.as_str(), failures), ("lost", 3));
}

/// A staff member of `role` over `jurisdiction`, signed in: their session cookie.
async fn staff_cookie(portal: &Portal, name: &str, role: Role, jurisdiction: &str) -> String {
    let card = portal.staff(name, role, jurisdiction).await;
    portal.session("Staff", "", &card).await
}

/// `form` posted to the page at `path` with `cookie`: the page.
async fn post_form(
    portal: &Portal,
    path: &str,
    cookie: &str,
    form: Vec<(&'static str, String)>,
) -> String {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    portal.post_page(path, Some(cookie), &fields).await.1
}

#[tokio::test]
async fn l4_2_a_registrar_at_any_office_revokes_a_locked_report_after_checking_the_person() {
    use app::services::id_card_loss::counter::PATH;
    let portal = Portal::start().await;
    let reference = report_wang(&portal, "Ab12").await;
    for _ in 0..3 {
        submit(
            &portal,
            "/id-card/loss/revoke",
            &with(wang(), "password", "Zz99"),
        )
        .await;
    }
    // A clerk does not revoke at the counter; a registrar of another office than the report's
    // does.
    let clerk = staff_cookie(&portal, "陳志強", Role::HouseholdClerk, "office:63000030").await;
    assert_eq!(
        portal.page(PATH, Some(&clerk)).await.status(),
        StatusCode::FORBIDDEN
    );
    let cookie = staff_cookie(
        &portal,
        "林其他",
        Role::HouseholdRegistrar,
        "office:63000010",
    )
    .await;
    let post = |form: Vec<(&'static str, String)>| post_form(&portal, PATH, &cookie, form);
    let html = post(vec![
        ("action", "find".into()),
        ("national_id", "A12345678".into()),
    ])
    .await;
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    let html = post(vec![
        ("action", "find".into()),
        ("national_id", "B123456780".into()),
    ])
    .await;
    assert!(
        html.contains("查無此國民身分證統一編號目前證件的掛失紀錄"),
        "{html}"
    );
    let html = post(vec![
        ("action", "find".into()),
        ("national_id", "A123456789".into()),
    ])
    .await;
    assert!(
        html.contains(&reference) && html.contains("已錯誤三次並被鎖碼") && html.contains("王小明"),
        "{html}"
    );

    // Not ticked: refused, the report shown again, nothing changed.
    let revoke = |checked: bool, reference: &str| {
        let mut form = vec![
            ("action", "revoke".to_owned()),
            ("national_id", "A123456789".to_owned()),
            ("reference", reference.to_owned()),
            ("document", "found_card".to_owned()),
        ];
        if checked {
            form.push(("identity_checked", "on".to_owned()));
        }
        form
    };
    let html = post(revoke(false, &reference)).await;
    assert!(
        html.contains("請核對當事人身分後勾選確認") && html.contains(&reference),
        "{html}"
    );
    // A report number other than the open one's (a stale page) is refused.
    let html = post(revoke(true, "L1121117-999999")).await;
    assert!(html.contains("已有變動"), "{html}");
    assert_eq!(report_row(&portal).await.0, "lost");

    let html = post(revoke(true, &reference)).await;
    assert!(html.contains("已撤銷掛失，原國民身分證恢復有效"), "{html}");
    let (status, contact, _, _) = report_row(&portal).await;
    assert_eq!(
        (status.as_str(), contact.as_str()),
        ("revoked", "confirmed")
    );
    // Reported upward with where and on what, by whom; audited as the registrar's.
    let (note, staff): (Option<String>, Option<i64>) =
        sqlx::query_as("SELECT note, staff_id FROM id_card_loss_events WHERE kind = 'revoked'")
            .fetch_one(pool(&portal))
            .await
            .expect("the revocation event");
    assert!(
        note.as_deref()
            .is_some_and(|note| note.contains("臨櫃撤銷") && note.contains("尋獲之原國民身分證")),
        "{note:?}"
    );
    assert!(staff.is_some());
    let audit = portal.audit_actions().await;
    assert!(
        audit
            .iter()
            .any(|(actor, action)| actor.starts_with("staff:") && action == "id_card_loss.revoke"),
        "{audit:?}"
    );
    // Every look-up of a person by a registrar is audited, found or not.
    let lookups = audit
        .iter()
        .filter(|(_, action)| action == "id_card_loss.counter_lookup")
        .count();
    assert!(lookups >= 3, "{audit:?}");
    // Revoked once: a second form finds nothing open.
    let html = post(revoke(true, &reference)).await;
    assert!(
        html.contains("查無此國民身分證統一編號目前證件的掛失紀錄"),
        "{html}"
    );
}

#[tokio::test]
async fn l4_2_concurrent_wrong_passwords_are_each_counted_and_never_pass_three() {
    let portal = Portal::start().await;
    report_wang(&portal, "Ab12").await;
    let forms = solved_captchas(&portal, "/id-card/loss/revoke", 6).await;
    let form = with(wang(), "password", "Zz99");
    let attempts = forms.iter().map(|(id, answer)| {
        submit_with_captcha(&portal, "/id-card/loss/revoke", &form, id, answer)
    });
    futures_util::future::join_all(attempts).await;
    let (status, _, failures, _) = report_row(&portal).await;
    assert_eq!((status.as_str(), failures), ("lost", 3));
    let locks: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM id_card_loss_events WHERE kind = 'locked'")
            .fetch_one(pool(&portal))
            .await
            .expect("count");
    assert_eq!(locks, 1);
}

/// Fresh CAPTCHAs for `n` forms of the page at `path`, solved.
pub(crate) async fn solved_captchas(
    portal: &Portal,
    path: &str,
    n: usize,
) -> Vec<(String, String)> {
    let mut solved = Vec::new();
    for _ in 0..n {
        let id = captcha_on(portal, path).await;
        let answer = captcha_answer(portal, &id).await;
        solved.push((id, answer));
    }
    solved
}

#[tokio::test]
async fn l4_2_concurrent_right_and_wrong_passwords_check_at_most_three() {
    let portal = Portal::start().await;
    report_wang(&portal, "Ab12").await;
    let captchas = solved_captchas(&portal, "/id-card/loss/revoke", 6).await;
    let right = with(wang(), "password", "Ab12");
    let wrong = with(wang(), "password", "Zz99");
    let attempts = captchas.iter().enumerate().map(|(i, (id, answer))| {
        let form = if i == 3 { &right } else { &wrong };
        submit_with_captcha(&portal, "/id-card/loss/revoke", form, id, answer)
    });
    let pages: Vec<String> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|(_, html)| html)
        .collect();
    // Each checked wrong password is audited; a guess refused as locked was never checked.
    let checked_wrong = portal.audited("id_card_loss.revoke.wrong_password").await;
    let revoked = pages.iter().any(|html| html.contains("撤銷掛失完成"));
    let (status, _, failures, _) = report_row(&portal).await;
    if revoked {
        // The right password took one of the three tries and gave it back.
        assert_eq!(status, "revoked");
        assert!(
            checked_wrong <= 2,
            "{checked_wrong} wrong passwords were checked"
        );
        assert_eq!(failures, checked_wrong as i64);
    } else {
        assert_eq!((status.as_str(), failures), ("lost", 3));
        assert_eq!(checked_wrong, 3);
    }
}

#[tokio::test]
async fn l4_1_concurrent_failed_checks_cannot_pass_the_limit() {
    let portal = Portal::start().await;
    let captchas = solved_captchas(&portal, "/id-card/loss/query", 8).await;
    let wrong = with(wang(), "parent_name", "王大同");
    let attempts = captchas.iter().map(|(id, answer)| {
        submit_with_captcha(&portal, "/id-card/loss/query", &wrong, id, answer)
    });
    let pages = futures_util::future::join_all(attempts).await;
    let (checked, limited) = checked_and_limited(&pages, &[GENERIC]);
    assert_eq!((checked, limited), (5, 3));
}

/// Posts a contact for report `id` to RL03Y00 as the clerk with `cookie`.
async fn contact(portal: &Portal, cookie: &str, tab: &str, form: &[(&str, &str)]) -> String {
    let path = format!("/admin/id-card-loss?tab={tab}");
    portal.post_page(&path, Some(cookie), form).await.1
}

#[tokio::test]
async fn l4_4_the_office_records_first_and_later_contacts_and_they_go_upward() {
    let portal = Portal::start().await;
    let reference = report_wang(&portal, "Ab12").await;
    let report_id: i64 = sqlx::query_scalar("SELECT id FROM id_card_loss_reports")
        .fetch_one(pool(&portal))
        .await
        .expect("id");
    let id = report_id.to_string();
    let clerk = portal
        .staff("李小華", Role::HouseholdClerk, "office:63000030")
        .await;
    let cookie = portal.session("Staff", "", &clerk).await;

    let first = body_text(portal.page("/admin/id-card-loss", Some(&cookie)).await).await;
    assert!(
        first.contains(&reference) && first.contains("A1*****789"),
        "{first}"
    );
    assert_eq!(
        Page::parse(&first).text("nav.tabs [aria-current=page]"),
        "非上班/免自然人憑證掛失紀錄"
    );
    let html = contact(
        &portal,
        &cookie,
        "first",
        &[
            ("report", &id),
            ("method", "phone"),
            ("outcome", "unreachable"),
        ],
    )
    .await;
    assert!(html.contains("已更新掛失紀錄"), "{html}");
    assert!(
        !html.contains(&format!("value=\"{id}\"")),
        "gone from the first tab"
    );

    let unresolved = body_text(
        portal
            .page("/admin/id-card-loss?tab=unresolved", Some(&cookie))
            .await,
    )
    .await;
    assert!(unresolved.contains(&reference) && unresolved.contains("其他說明"));
    assert_eq!(
        Page::parse(&unresolved).text("nav.tabs [aria-current=page]"),
        "未處理查詢"
    );
    // The second contact that fails needs 其他說明.
    let html = contact(
        &portal,
        &cookie,
        "unresolved",
        &[
            ("report", &id),
            ("method", "email"),
            ("outcome", "unreachable"),
        ],
    )
    .await;
    assert!(html.contains("請填寫其他說明"), "{html}");
    let html = contact(
        &portal,
        &cookie,
        "unresolved",
        &[
            ("report", &id),
            ("method", "email"),
            ("outcome", "unreachable"),
            ("note", "留言請回電"),
        ],
    )
    .await;
    assert!(html.contains("已更新掛失紀錄"));
    let html = contact(
        &portal,
        &cookie,
        "unresolved",
        &[
            ("report", &id),
            ("method", "phone"),
            ("outcome", "confirmed"),
        ],
    )
    .await;
    assert!(html.contains("已更新掛失紀錄"));
    let (_, state, _, _) = report_row(&portal).await;
    assert_eq!(state, "confirmed");

    // The county and the ministry see each update; the clerk's role does not see that view.
    let officer = portal
        .staff("陳縣府", Role::CountyOfficer, "county:臺北市")
        .await;
    let officer = portal.session("Staff", "", &officer).await;
    let events = body_text(
        portal
            .page("/admin/id-card-loss/events", Some(&officer))
            .await,
    )
    .await;
    assert!(
        events.contains("留言請回電") && events.matches(&reference).count() == 4,
        "{events}"
    );
    let elsewhere = portal
        .staff("高縣府", Role::CountyOfficer, "county:高雄市")
        .await;
    let elsewhere = portal.session("Staff", "", &elsewhere).await;
    let events = body_text(
        portal
            .page("/admin/id-card-loss/events", Some(&elsewhere))
            .await,
    )
    .await;
    assert!(!events.contains(&reference));
    let refused = portal
        .page("/admin/id-card-loss/events", Some(&cookie))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let audit = portal.audit_actions().await;
    assert_eq!(
        audit
            .iter()
            .filter(|(_, a)| a == "id_card_loss.contact")
            .count(),
        3
    );
}

#[tokio::test]
async fn l4_4_a_clerk_of_another_office_neither_sees_nor_changes_the_report() {
    let portal = Portal::start().await;
    let reference = report_wang(&portal, "Ab12").await;
    let report_id: i64 = sqlx::query_scalar("SELECT id FROM id_card_loss_reports")
        .fetch_one(pool(&portal))
        .await
        .expect("id");
    let clerk = portal
        .staff("林其他", Role::HouseholdClerk, "office:63000010")
        .await;
    let cookie = portal.session("Staff", "", &clerk).await;
    let page = body_text(portal.page("/admin/id-card-loss", Some(&cookie)).await).await;
    assert!(!page.contains(&reference));
    let html = contact(
        &portal,
        &cookie,
        "first",
        &[
            ("report", &report_id.to_string()),
            ("method", "phone"),
            ("outcome", "confirmed"),
        ],
    )
    .await;
    assert!(html.contains("查無此掛失紀錄"), "{html}");
    let (_, state, _, _) = report_row(&portal).await;
    assert_eq!(state, "pending");
    // A reviewer is not a clerk.
    let reviewer = portal
        .staff("林美玲", Role::MinistryReviewer, "national")
        .await;
    let reviewer = portal.session("Staff", "", &reviewer).await;
    assert_eq!(
        portal
            .page("/admin/id-card-loss", Some(&reviewer))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn security_21_9_a_suspended_certificate_ends_the_citizens_session() {
    let portal = Portal::start().await;
    let card = wang_card(&portal, true).await;
    let cookie = portal.session("Citizen", "", &card).await;
    let page = || portal.page("/id-card/loss/card", Some(&cookie));
    assert_eq!(page().await.status(), StatusCode::OK);
    // 停用 at a counter (C-5): the RA's record, not a CRL.
    sqlx::query("UPDATE moica_certificates SET status = 'suspended'")
        .execute(pool(&portal))
        .await
        .expect("suspended");
    portal.app.clock.advance(chrono::Duration::seconds(
        app::platform::auth::CERTIFICATE_RECHECK_SECONDS,
    ));
    let html = body_text(page().await).await;
    assert!(
        html.contains("您登入所用的憑證已停用、廢止或失效，已為您登出"),
        "{html}"
    );
    assert_eq!(page().await.status(), StatusCode::FOUND, "signed out");
}

/// 王小明's citizen certificate, recorded as his (as issuance does) unless `recorded` is false.
async fn wang_card(portal: &Portal, recorded: bool) -> server::pki::Issued {
    if recorded {
        portal
            .recorded_citizen_card("王小明", "A123456789", "TP03000000012345")
            .await
    } else {
        portal.citizen_card("王小明")
    }
}

async fn post_card_page(portal: &Portal, cookie: &str, form: &[(&str, &str)]) -> String {
    portal
        .post_page("/id-card/loss/card", Some(cookie), form)
        .await
        .1
}

#[tokio::test]
async fn l4_3_a_citizen_reports_and_revokes_with_the_citizen_certificate() {
    let portal = Portal::start().await;
    let card = wang_card(&portal, true).await;
    let cookie = portal.session("Citizen", "", &card).await;
    let page = body_text(portal.page("/id-card/loss/card", Some(&cookie)).await).await;
    assert!(
        page.contains("王小明") && page.contains("A1*****789") && page.contains("110/06/15"),
        "{page}"
    );

    let html = post_card_page(
        &portal,
        &cookie,
        &[
            ("action", "report"),
            ("phone", "12"),
            ("email", "wang@example.com"),
        ],
    )
    .await;
    assert!(
        html.contains("請修正下列標示的欄位") && html.contains("aria-invalid=\"true\""),
        "{html}"
    );
    let html = post_card_page(
        &portal,
        &cookie,
        &[
            ("action", "report"),
            ("phone", "0912345678"),
            ("email", "wang@example.com"),
        ],
    )
    .await;
    assert!(html.contains("您的國民身分證已註記掛失"), "{html}");
    let (channel, hash): (String, Option<String>) =
        sqlx::query_as("SELECT channel, password_hash FROM id_card_loss_reports")
            .fetch_one(pool(&portal))
            .await
            .expect("a report");
    assert_eq!((channel.as_str(), hash), ("moica", None));
    assert!(html.contains("撤銷掛失"), "the page now offers revocation");

    // A password revocation online cannot touch a certificate's report …
    let (_, online) = submit(
        &portal,
        "/id-card/loss/revoke",
        &with(wang(), "password", "Ab12"),
    )
    .await;
    assert!(online.contains("係以自然人憑證或電話辦理"), "{online}");
    // … the certificate can.
    let html = post_card_page(&portal, &cookie, &[("action", "revoke")]).await;
    assert!(html.contains("已撤銷掛失"), "{html}");
    let (status, contact, _, _) = report_row(&portal).await;
    assert_eq!(
        (status.as_str(), contact.as_str()),
        ("revoked", "confirmed")
    );
    let audit = portal.audit_actions().await;
    assert!(audit.contains(&("citizen:A1*****789".into(), "sign_in.card".into())));
    assert!(audit.contains(&("citizen:A1*****789".into(), "id_card_loss.revoke".into())));
}

/// The newest report's number.
async fn newest_reference(portal: &Portal) -> String {
    sqlx::query_scalar("SELECT reference FROM id_card_loss_reports ORDER BY id DESC LIMIT 1")
        .fetch_one(pool(portal))
        .await
        .expect("a report")
}

#[tokio::test]
async fn l4_4_the_first_tab_holds_reports_made_outside_office_hours_or_without_a_certificate() {
    let portal = Portal::start().await;
    let card = wang_card(&portal, true).await;
    let report = [
        ("action", "report"),
        ("phone", "0912345678"),
        ("email", "wang@example.com"),
    ];
    // Friday 112/11/17 10:00, in office hours: with his certificate.
    let citizen = portal.session("Citizen", "", &card).await;
    post_card_page(&portal, &citizen, &report).await;
    let in_hours = newest_reference(&portal).await;
    let clerk = portal
        .staff("李小華", Role::HouseholdClerk, "office:63000030")
        .await;
    let tab = |cookie: String, tab: &'static str| {
        let portal = &portal;
        async move {
            let path = format!("/admin/id-card-loss?tab={tab}");
            body_text(portal.page(&path, Some(&cookie)).await).await
        }
    };
    let office = portal.session("Staff", "", &clerk).await;
    let first = tab(office.clone(), "first").await;
    assert!(!first.contains(&in_hours), "{first}");
    let own = tab(office.clone(), "in_hours").await;
    assert!(own.contains(&in_hours), "{own}");
    assert_eq!(
        Page::parse(&own).text("nav.tabs [aria-current=page]"),
        "上班時間自然人憑證掛失紀錄"
    );
    // It is contacted from its own tab like any other.
    let id: i64 = sqlx::query_scalar("SELECT id FROM id_card_loss_reports WHERE reference = $1")
        .bind(&in_hours)
        .fetch_one(pool(&portal))
        .await
        .expect("id");
    let html = contact(
        &portal,
        &office,
        "in_hours",
        &[
            ("report", &id.to_string()),
            ("method", "phone"),
            ("outcome", "confirmed"),
        ],
    )
    .await;
    assert!(
        html.contains("已更新掛失紀錄並通報直轄市、縣（市）及中央") && html.contains(&in_hours),
        "{html}"
    );
    post_card_page(&portal, &citizen, &[("action", "revoke")]).await;

    // The same day at 19:00, after hours: the first tab.
    portal.app.clock.advance(chrono::Duration::hours(9));
    let citizen = portal.session("Citizen", "", &card).await;
    post_card_page(&portal, &citizen, &report).await;
    let after_hours = newest_reference(&portal).await;
    assert_ne!(after_hours, in_hours);
    let office = portal.session("Staff", "", &clerk).await;
    assert!(tab(office.clone(), "first").await.contains(&after_hours));
    assert!(!tab(office, "in_hours").await.contains(&after_hours));
}

#[tokio::test]
async fn l4_3_a_certificate_not_recorded_as_the_holders_cannot_sign_in() {
    let portal = Portal::start().await;
    let card = wang_card(&portal, false).await;
    let response = portal.sign_in("Citizen", "", &card).await;
    assert_ne!(response.status(), StatusCode::OK);
    let body = body_text(response).await;
    assert!(body.contains("查無有效之申請人戶籍資料"), "{body}");
    // Without a session the page sends the visitor to the citizen sign-in.
    let page = portal.page("/id-card/loss/card", None).await;
    assert_eq!(page.status(), StatusCode::FOUND);
    assert!(page.headers()[header::LOCATION]
        .to_str()
        .unwrap_or_default()
        .starts_with("/citizen/sign-in"));
}

#[tokio::test]
async fn l4_3_a_certificate_is_recorded_only_as_the_person_it_names() {
    use app::pki::{Purpose, TrustStore};
    use app::services::certificate::store::{record_holder, HolderError};
    let portal = Portal::start().await;
    let card = portal.citizen_card("林美玲");
    let trust = TrustStore::load(&portal.pki.trust_dir()).expect("trust store");
    let checked = trust
        .check_certificate(&card.certificate_der, Purpose::CitizenCard, portal.now())
        .expect("a valid card");
    let number = app::domain::card_number::CardNumber::parse("TP03000000054321").expect("card");
    // The card names 林美玲 with last digits 6789: not 王小明, and not 林美玲 (…5791) either.
    for id in ["A123456789", "F228135791"] {
        let id = app::domain::national_id::NationalId::parse(id).expect("id");
        let mut conn = pool(&portal).acquire().await.expect("connection");
        let result = record_holder(&mut conn, &checked, &id, &number, portal.now()).await;
        assert!(matches!(result, Err(HolderError::NotTheirs)), "{result:?}");
    }
}

#[tokio::test]
async fn l4_1_rate_limits_count_per_window_and_say_when_to_come_back() {
    use app::platform::rate_limit::Limit;
    let portal = Portal::start().await;
    let limit = Limit {
        max: 3,
        window_seconds: 600,
    };
    let start = portal.now() - portal.now().rem_euclid(600);
    for _ in 0..3 {
        assert_eq!(
            limit
                .hit(pool(&portal), "test:a", start + 10)
                .await
                .expect("hit"),
            Ok(())
        );
    }
    assert_eq!(
        limit
            .hit(pool(&portal), "test:a", start + 10)
            .await
            .expect("hit"),
        Err(590)
    );
    // A refund gives hits back within the window.
    for _ in 0..2 {
        limit
            .refund(pool(&portal), "test:a", start + 20)
            .await
            .expect("refund");
    }
    assert_eq!(
        limit
            .hit(pool(&portal), "test:a", start + 30)
            .await
            .expect("hit"),
        Ok(())
    );
    // Another bucket, and the next window, start afresh.
    assert_eq!(
        limit
            .hit(pool(&portal), "test:b", start + 10)
            .await
            .expect("hit"),
        Ok(())
    );
    assert_eq!(
        limit
            .hit(pool(&portal), "test:a", start + 600)
            .await
            .expect("hit"),
        Ok(())
    );
}

#[tokio::test]
async fn l4_1_the_spoken_captcha_is_limited_per_client() {
    let portal = Portal::start().await;
    let id = captcha_on(&portal, "/id-card/loss/query").await;
    let start = portal.now()
        - portal
            .now()
            .rem_euclid(app::platform::captcha::AUDIO_LIMIT.window_seconds);
    sqlx::query("INSERT INTO rate_limits (bucket, window_start, hits) VALUES ('captcha-audio:unknown', $1, $2)")
        .bind(start)
        .bind(app::platform::captcha::AUDIO_LIMIT.max)
        .execute(pool(&portal))
        .await
        .expect("a used-up bucket");
    let response = portal.app.get(&format!("/captcha/{id}/audio")).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    // The picture is not limited this way.
    assert_eq!(
        portal.app.get(&format!("/captcha/{id}")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn security_21_3_the_spoken_captchas_kept_at_once_have_a_budget_over_all_clients() {
    use app::platform::captcha::STORED_SOUNDS;
    let portal = Portal::start().await;
    let id = captcha_on(&portal, "/id-card/loss/query").await;
    // Other clients' challenges, each within its own limit, spoken and kept: one short of the
    // budget, then the budget; and as many expired, which do not count.
    let mut tx = pool(&portal).begin().await.expect("begin");
    for n in 0..STORED_SOUNDS * 2 {
        let expires_at = if n < STORED_SOUNDS {
            portal.now() + 600
        } else {
            portal.now()
        };
        sqlx::query(
            "INSERT INTO captchas (id, answer, image, audio, expires_at) VALUES ($1, '12345', $2, $2, $3)",
        )
        .bind(format!("other-{n}"))
        .bind(vec![0u8; 16])
        .bind(expires_at)
        .execute(&mut *tx)
        .await
        .expect("a kept sound");
    }
    sqlx::query("DELETE FROM captchas WHERE id = 'other-0'")
        .execute(&mut *tx)
        .await
        .expect("one short");
    tx.commit().await.expect("commit");
    let spoken = portal.app.get(&format!("/captcha/{id}/audio")).await;
    assert_eq!(spoken.status(), StatusCode::OK, "one short of the budget");

    let next = captcha_on(&portal, "/id-card/loss/query").await;
    let refused = portal.app.get(&format!("/captcha/{next}/audio")).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers()[header::RETRY_AFTER], "60");
    // What was kept is still given, and the picture is not limited this way.
    let again = portal.app.get(&format!("/captcha/{id}/audio")).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(
        portal.app.get(&format!("/captcha/{next}")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn security_21_6_a_card_already_reported_is_refused_before_its_password_is_hashed() {
    use app::error::PortalError;
    use app::services::id_card_loss::store::{reports, Holder};
    let portal = Portal::start().await;
    report_wang(&portal, "Ab12").await;
    let holder: Holder = sqlx::query_as(
        "SELECT citizen_id, issuance_id, '王小明' AS name, household_office_code, '臺北市' AS county \
         FROM id_card_loss_reports WHERE citizen_id = 1",
    )
    .fetch_one(pool(&portal))
    .await
    .expect("the holder");
    // `unreported` is what the report form asks before it hashes the password (argon2), and
    // what `reports::report` needs: a second report ends there.
    match reports::unreported(pool(&portal), &holder).await {
        Err(PortalError::Refused { zh_tw, .. }) => {
            assert!(zh_tw.contains("無須重複掛失"), "{zh_tw}")
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("a card already reported is not refused"),
    }
    let (status, again) = submit(
        &portal,
        "/id-card/loss/report",
        &with(wang(), "password", "Zz99"),
    )
    .await;
    assert!(again.contains("無須重複掛失"), "{status} {again}");
    let reports: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM id_card_loss_reports")
        .fetch_one(pool(&portal))
        .await
        .expect("reports");
    assert_eq!(reports, 1);
}

/// The spoken version of challenge `id`, as the page's audio player fetches it.
async fn spoken(portal: &Portal, id: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    let response = portal.app.get(&format!("/captcha/{id}/audio")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "audio/wav");
    response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes()
        .to_vec()
}

#[tokio::test]
async fn security_21_3_a_challenge_is_spoken_once_and_another_with_its_answer_differently() {
    let portal = Portal::start().await;
    let first = captcha_on(&portal, "/id-card/loss/query").await;
    let second = captcha_on(&portal, "/id-card/loss/query").await;
    sqlx::query("UPDATE captchas SET answer = $1 WHERE id = $2")
        .bind(captcha_answer(&portal, &first).await)
        .bind(&second)
        .execute(pool(&portal))
        .await
        .expect("the same answer");
    // Asked for at once, then again: one sound, byte for byte.
    let (once, at_once) = tokio::join!(spoken(&portal, &first), spoken(&portal, &first));
    assert_eq!(once, at_once);
    assert_eq!(once, spoken(&portal, &first).await);
    // The same digits in another challenge sound otherwise.
    assert_ne!(once, spoken(&portal, &second).await);
}

#[tokio::test]
async fn l4_1_a_report_by_telephone_is_entered_by_office_staff_and_marked_as_such() {
    use app::services::id_card_loss::phone::PATH;
    let portal = Portal::start().await;
    // A county officer takes no calls; a clerk of any office does (王小明 is of 臺北市).
    let county = staff_cookie(&portal, "張督導", Role::CountyOfficer, "county:臺北市").await;
    assert_eq!(
        portal.page(PATH, Some(&county)).await.status(),
        StatusCode::FORBIDDEN
    );
    let cookie = staff_cookie(&portal, "黃接線", Role::HouseholdClerk, "office:65000010").await;
    let post = |form: Vec<(&'static str, String)>| post_form(&portal, PATH, &cookie, form);
    let reports = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM id_card_loss_reports")
            .fetch_one(pool(&portal))
            .await
            .expect("count")
    };

    // No CAPTCHA and no password asked; a field that does not parse is named.
    let html = post(with(wang(), "email", "wang@")).await;
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    assert!(!html.contains("name=\"captcha\"") && !html.contains("name=\"password\""));
    // What the registry does not match is not reported, and the miss is audited.
    let html = post(with(wang(), "parent_name", "李美麗")).await;
    assert!(html.contains("與戶籍資料不符，未受理掛失"), "{html}");
    assert_eq!(reports().await, 0);
    let misses: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'id_card_loss.phone_lookup' \
         AND subject LIKE 'person:%' AND detail LIKE '%mismatch%' AND detail LIKE '%A1*****789%'",
    )
    .fetch_one(pool(&portal))
    .await
    .expect("audit");
    assert_eq!(misses, 1);
    // The miss counts against the person as an online one does (security 21.3).
    let person: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(hits), 0) AS BIGINT) FROM rate_limits WHERE bucket LIKE 'person:%'",
    )
    .fetch_one(pool(&portal))
    .await
    .expect("the person's failures");
    assert_eq!(person, 1);

    let html = post(wang()).await;
    assert!(html.contains("已受理電話掛失"), "{html}");
    let reference = Page::parse(&html).text(".reference");
    assert_eq!(reference, newest_reference(&portal).await);
    let (channel, password): (String, Option<String>) = sqlx::query_as(
        "SELECT channel, password_hash FROM id_card_loss_reports WHERE reference = $1",
    )
    .bind(&reference)
    .fetch_one(pool(&portal))
    .await
    .expect("the report");
    assert_eq!((channel.as_str(), password), ("phone", None));
    // Reported upward with who entered it and how.
    let (note, staff): (Option<String>, Option<i64>) = sqlx::query_as(
        "SELECT e.note, e.staff_id FROM id_card_loss_events e \
         JOIN id_card_loss_reports r ON r.id = e.report_id \
         WHERE r.reference = $1 AND e.kind = 'reported'",
    )
    .bind(&reference)
    .fetch_one(pool(&portal))
    .await
    .expect("the event");
    assert!(note.is_some_and(|note| note.contains("1996")));
    let clerk_id: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE name = '黃接線'")
        .fetch_one(pool(&portal))
        .await
        .expect("the clerk");
    assert_eq!(staff, Some(clerk_id));
    let mailed: String = sqlx::query_scalar("SELECT to_addr FROM outbox ORDER BY id DESC LIMIT 1")
        .fetch_one(pool(&portal))
        .await
        .expect("a mail");
    assert_eq!(mailed, "wang@example.com");

    // Taken in office hours but without a certificate: the first tab of the citizen's office.
    let office = portal
        .staff("李小華", Role::HouseholdClerk, "office:63000030")
        .await;
    let office = portal.session("Staff", "", &office).await;
    let first = body_text(
        portal
            .page("/admin/id-card-loss?tab=first", Some(&office))
            .await,
    )
    .await;
    assert!(
        first.contains(&reference) && first.contains("電話掛失"),
        "{first}"
    );
    let own = body_text(
        portal
            .page("/admin/id-card-loss?tab=in_hours", Some(&office))
            .await,
    )
    .await;
    assert!(!own.contains(&reference), "{own}");

    // No password was set: online revocation sends the citizen to a certificate or an office.
    let (_, html) = submit(
        &portal,
        "/id-card/loss/revoke",
        &with(wang(), "password", "Ab12"),
    )
    .await;
    assert!(html.contains("未設撤銷掛失預設密碼"), "{html}");
    // And the card is not reported twice.
    let html = post(wang()).await;
    assert!(html.contains("無須重複掛失"), "{html}");
    assert_eq!(reports().await, 1);
    let told: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'id_card_loss.phone_lookup' \
         AND detail LIKE '%already_reported%'",
    )
    .fetch_one(pool(&portal))
    .await
    .expect("audit");
    assert_eq!(told, 1);
}
