//! The online certificate pre-application through the real router (C-1, C-2): posted as a
//! browser without JavaScript posts it, the CAPTCHA read from the database as a person reads
//! the picture, the registry's demo citizens as applicants.

use crate::id_card_loss::{
    captcha_answer, captcha_on, checked_and_limited, pool, submit, submit_with_captcha, with,
};
use crate::support::{body_text, Page, Portal};
use app::platform::clock::taipei_to_utc;
use app::platform::seal::SealKey;
use app::services::certificate::application::store::{close_expired, seal_label};
use axum::http::StatusCode;
use chrono::NaiveDate;

pub(crate) const APPLY: &str = "/certificate/apply";
const GENERIC: &str = "身分資料與戶籍資料不符";

/// An application as typed: `id`, `name`, ROC `birth`, 用戶代碼 `Code2024x`, the default PIN.
pub(crate) fn application(id: &str, name: &str, birth: &str) -> Vec<(&'static str, String)> {
    [
        ("national_id", id),
        ("name", name),
        ("birth_date", birth),
        ("email", "applicant@example.com"),
        ("mobile", "0912-345-678"),
        ("user_code", "Code2024x"),
        ("user_code_confirm", "Code2024x"),
        ("pin_choice", "default"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

pub(crate) fn wang() -> Vec<(&'static str, String)> {
    application("a123456789", "王小明", "73/1/1")
}

pub(crate) fn chosen_pin(
    form: Vec<(&'static str, String)>,
    pin: &str,
) -> Vec<(&'static str, String)> {
    with(
        with(with(form, "pin_choice", "chosen"), "pin", pin),
        "pin_confirm",
        pin,
    )
}

type Row = (String, String, String, Option<String>, Option<String>);

async fn rows(portal: &Portal) -> Vec<(i64, Row)> {
    sqlx::query_as::<_, (i64, String, String, String, Option<String>, Option<String>)>(
        "SELECT id, reference, status, pin_choice, user_code_sealed, pin_sealed \
         FROM moica_applications ORDER BY id",
    )
    .fetch_all(pool(portal))
    .await
    .expect("applications")
    .into_iter()
    .map(|(id, a, b, c, d, e)| (id, (a, b, c, d, e)))
    .collect()
}

/// The application number a page shows.
pub(crate) fn reference_in(html: &str) -> String {
    Page::parse(html).text(".reference")
}

#[tokio::test]
async fn c2_an_eligible_citizen_pre_applies_and_gets_a_reference_and_a_printable_summary() {
    let portal = Portal::start().await;
    let (status, html) = submit(&portal, APPLY, &chosen_pin(wang(), "135790")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("線上申請完成"), "{html}");
    let reference = reference_in(&html);
    assert!(reference.starts_with("M1121117-"), "{reference}");
    for shown in [
        "A1*****789",
        "73/01/01",
        "NT$ 250",
        "8:30",
        "國民身分證正本",
        "112/12/17",
    ] {
        assert!(html.contains(shown), "{shown} in {html}");
    }
    // Neither secret comes back in the page.
    assert!(!html.contains("Code2024x") && !html.contains("135790"));

    let rows = rows(&portal).await;
    let [(id, (stored, status, choice, user_code, pin))] = &rows[..] else {
        panic!("one application: {rows:?}");
    };
    assert_eq!(
        (stored, status.as_str(), choice.as_str()),
        (&reference, "submitted", "chosen")
    );
    let key = SealKey::new(&[9; 32]);
    let user_code = user_code.as_deref().expect("sealed user code");
    let pin = pin.as_deref().expect("sealed PIN");
    assert!(!user_code.contains("Code2024x") && !pin.contains("135790"));
    assert_eq!(
        key.open(user_code, &seal_label(*id, "user_code"))
            .as_deref(),
        Some("Code2024x")
    );
    assert_eq!(
        key.open(pin, &seal_label(*id, "pin")).as_deref(),
        Some("135790")
    );
    assert_eq!(key.open(pin, &seal_label(*id, "user_code")), None);

    let (to, body): (String, String) =
        sqlx::query_as("SELECT to_addr, body FROM outbox ORDER BY id DESC LIMIT 1")
            .fetch_one(pool(&portal))
            .await
            .expect("a mail");
    assert_eq!(to, "applicant@example.com");
    assert!(body.contains(&reference) && body.contains("250"));
    assert!(!body.contains("Code2024x") && !body.contains("135790"));
    let audit = portal.audit_actions().await;
    assert!(audit.contains(&(
        "citizen:A1*****789".into(),
        "moica_application.submit".into()
    )));
}

#[tokio::test]
async fn c2_the_mobile_number_is_optional_and_a_wrong_one_is_still_named() {
    let portal = Portal::start().await;
    let mut form = wang();
    form.retain(|(key, _)| *key != "mobile");
    let (status, html) = submit(&portal, APPLY, &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("線上申請完成") && html.contains("（未填）"),
        "{html}"
    );
    let stored: Vec<String> = sqlx::query_scalar("SELECT mobile FROM moica_applications")
        .fetch_all(pool(&portal))
        .await
        .expect("applications");
    assert_eq!(stored, [""]);

    let (status, html) = submit(&portal, APPLY, &with(wang(), "mobile", "0212345678")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("手機號碼格式錯誤"), "{html}");
    assert!(!html.contains("線上申請完成"), "{html}");
    assert_eq!(rows(&portal).await.len(), 1, "nothing more stored");
}

#[tokio::test]
async fn c1_the_day_before_the_18th_birthday_is_refused_and_the_birthday_is_accepted() {
    let portal = Portal::start().await;
    // 張家豪, born 98/06/01 (2009-06-01): 18 on 116/06/01.
    let zhang = application("E109273648", "張家豪", "98/06/01");
    let eve = NaiveDate::from_ymd_opt(2027, 5, 31)
        .and_then(|d| d.and_hms_opt(23, 59, 0))
        .expect("date");
    portal.app.clock.set(taipei_to_utc(eve));
    let (status, html) = submit(&portal, APPLY, &zhang).await;
    assert_eq!(status, StatusCode::OK);
    // Refused like a mismatch: the visitor is not identified (issue 21 item 5).
    assert!(
        html.contains(GENERIC) && !html.contains("年滿 18 歲始得申請"),
        "{html}"
    );
    assert!(rows(&portal).await.is_empty());

    portal.app.clock.advance(chrono::Duration::minutes(1));
    let (_, html) = submit(&portal, APPLY, &zhang).await;
    assert!(html.contains("線上申請完成"), "{html}");
    assert!(reference_in(&html).starts_with("M1160601-"));
}

#[tokio::test]
async fn c1_a_citizen_under_guardianship_is_refused_online_without_the_reason() {
    let portal = Portal::start().await;
    let chen = application("B103654780", "陳志強", "39/03/20");
    let (_, html) = submit(&portal, APPLY, &chen).await;
    assert!(
        html.contains(GENERIC) && !html.contains("受監護宣告者"),
        "{html}"
    );
    assert!(rows(&portal).await.is_empty());
    // The typed e-mail is kept for another try; the user code is not.
    assert!(html.contains("applicant@example.com") && !html.contains("Code2024x"));
}

#[tokio::test]
async fn c1_a_citizen_not_registered_is_refused_online_without_the_reason() {
    let portal = Portal::start().await;
    sqlx::query("UPDATE citizens SET nationality_registered = FALSE WHERE national_id = $1")
        .bind("F228135791")
        .execute(pool(&portal))
        .await
        .expect("update");
    let lin = application("F228135791", "林美玲", "79/07/15");
    let (_, html) = submit(&portal, APPLY, &lin).await;
    assert!(
        html.contains(GENERIC) && !html.contains("未設有戶籍"),
        "{html}"
    );
    assert!(rows(&portal).await.is_empty());
}

#[tokio::test]
async fn c1_unknown_ids_and_wrong_details_get_one_generic_message() {
    let portal = Portal::start().await;
    sqlx::query("UPDATE citizens SET id_status = 'voided' WHERE national_id = $1")
        .bind("F228135791")
        .execute(pool(&portal))
        .await
        .expect("update");
    let unknown = app::domain::national_id::NationalId::with_checksum('A', 1, 7_654_321)
        .expect("an ID")
        .as_str()
        .to_owned();
    for form in [
        with(wang(), "national_id", &unknown),
        with(wang(), "name", "王大明"),
        with(wang(), "birth_date", "73/1/2"),
        application("F228135791", "林美玲", "79/07/15"),
    ] {
        let (status, html) = submit(&portal, APPLY, &form).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(GENERIC), "{html}");
        assert!(!html.contains("aria-invalid=\"true\""));
    }
    assert!(rows(&portal).await.is_empty());
}

#[tokio::test]
async fn c2_a_field_that_does_not_parse_is_named_and_nothing_is_stored() {
    let portal = Portal::start().await;
    let cases = [
        (
            with(wang(), "user_code_confirm", "Code2024y"),
            "user_code_confirm",
            "兩次輸入的用戶代碼不一致",
        ),
        (
            chosen_pin(wang(), "12345"),
            "pin",
            "新 PIN 碼應為 6 至 8 位數字",
        ),
        (
            with(with(wang(), "user_code", "ab"), "user_code_confirm", "ab"),
            "user_code",
            "用戶代碼應為 6 至 16 個字元",
        ),
    ];
    for (form, field, error) in cases {
        let (_, html) = submit(&portal, APPLY, &form).await;
        assert_eq!(Page::parse(&html).field_error(field), error, "{html}");
    }
    let mut no_choice = wang();
    no_choice.retain(|(k, _)| *k != "pin_choice");
    let (_, html) = submit(&portal, APPLY, &no_choice).await;
    assert_eq!(
        Page::parse(&html).field_error("pin_choice"),
        "此欄位必須填寫",
        "{html}"
    );
    assert!(rows(&portal).await.is_empty());
}

#[tokio::test]
async fn c2_a_new_pre_application_replaces_the_open_one_and_tells_the_old_address() {
    let portal = Portal::start().await;
    let (_, first) = submit(&portal, APPLY, &wang()).await;
    let first = reference_in(&first);
    let second = with(
        chosen_pin(wang(), "24680135"),
        "email",
        "someone-else@example.com",
    );
    let (_, html) = submit(&portal, APPLY, &second).await;
    assert!(
        html.contains(&format!("先前的申請 {first} 已由本申請取代")),
        "{html}"
    );
    let rows = rows(&portal).await;
    let statuses: Vec<(&str, bool)> = rows
        .iter()
        .map(|(_, (_, status, _, code, _))| (status.as_str(), code.is_some()))
        .collect();
    assert_eq!(statuses, [("superseded", false), ("submitted", true)]);
    let mails: Vec<(String, String)> =
        sqlx::query_as("SELECT to_addr, subject FROM outbox ORDER BY id")
            .fetch_all(pool(&portal))
            .await
            .expect("mails");
    let told: Vec<&str> = mails
        .iter()
        .filter(|(_, subject)| subject.contains("取代"))
        .map(|(to, _)| to.as_str())
        .collect();
    assert_eq!(told, ["applicant@example.com"]);
}

#[tokio::test]
async fn c2_concurrent_pre_applications_leave_exactly_one_open() {
    let portal = Portal::start().await;
    let mut solved = Vec::new();
    for _ in 0..2 {
        let id = captcha_on(&portal, APPLY).await;
        let answer = captcha_answer(&portal, &id).await;
        solved.push((id, answer));
    }
    let form = wang();
    let (a, b) = tokio::join!(
        submit_with_captcha(&portal, APPLY, &form, &solved[0].0, &solved[0].1),
        submit_with_captcha(&portal, APPLY, &form, &solved[1].0, &solved[1].1),
    );
    assert!(a.1.contains("線上申請完成") && b.1.contains("線上申請完成"));
    let open = rows(&portal)
        .await
        .into_iter()
        .filter(|(_, (_, status, ..))| status == "submitted")
        .count();
    assert_eq!(open, 1);
}

/// PostgreSQL: an application committed while this one waits on the one-open index makes the
/// insert fail; the submission is tried again and supersedes it. (SQLite's `BEGIN IMMEDIATE`
/// orders the two before either reads, so there the race cannot arise.)
#[tokio::test]
async fn c2_a_submission_that_loses_the_race_is_tried_again_and_supersedes_the_winner() {
    let portal = Portal::start().await;
    if crate::support::backend(&portal.app.test_db) != app::platform::db::Backend::Postgres {
        return;
    }
    let id = captcha_on(&portal, APPLY).await;
    let answer = captcha_answer(&portal, &id).await;
    let mut winner = pool(&portal).begin().await.expect("transaction");
    sqlx::query(
        "INSERT INTO moica_applications (reference, citizen_id, channel, email, mobile, \
             pin_choice, submitted_at, expires_at) \
         SELECT 'M1121117-999999', id, 'online', 'first@example.com', '0912345678', \
             'default', 0, 9999999999 FROM citizens WHERE national_id = 'A123456789'",
    )
    .execute(&mut *winner)
    .await
    .expect("the winner's row");
    let form = wang();
    let (submitted, ()) = tokio::join!(
        submit_with_captcha(&portal, APPLY, &form, &id, &answer),
        async {
            // Long enough for the submission to reach its insert and wait on the index.
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            winner.commit().await.expect("commit");
        },
    );
    assert!(
        submitted
            .1
            .contains("先前的申請 M1121117-999999 已由本申請取代"),
        "{}",
        submitted.1
    );
    let open: Vec<String> = rows(&portal)
        .await
        .into_iter()
        .filter(|(_, (_, status, ..))| status == "submitted")
        .map(|(_, (reference, ..))| reference)
        .collect();
    assert_eq!(open.len(), 1);
    assert_ne!(open[0], "M1121117-999999");
}

#[tokio::test]
async fn c2_failed_identity_checks_are_limited_per_client_and_a_match_gives_its_try_back() {
    let portal = Portal::start().await;
    let wrong = with(wang(), "name", "王大明");
    for _ in 0..4 {
        let (_, html) = submit(&portal, APPLY, &wrong).await;
        assert!(html.contains(GENERIC), "{html}");
    }
    let (_, html) = submit(&portal, APPLY, &wang()).await;
    assert!(html.contains("線上申請完成"), "{html}");
    let (_, html) = submit(&portal, APPLY, &wrong).await;
    assert!(html.contains(GENERIC), "{html}");
    let (_, html) = submit(&portal, APPLY, &wang()).await;
    assert!(html.contains("驗證失敗次數過多"), "{html}");
    assert_eq!(rows(&portal).await.len(), 1);
}

/// An eligibility refusal to a visitor identified by knowledge alone is the mismatch's answer
/// and costs a try like one (issue 21 item 5): otherwise it tells a stranger that the ID
/// number, name and birth date are right — and that the person is under guardianship — for
/// free, as often as they like.
#[tokio::test]
async fn security_21_5_eligibility_refusals_online_are_told_and_counted_like_mismatches() {
    let portal = Portal::start().await;
    let chen = application("B103654780", "陳志強", "39/03/20");
    let wrong = with(chen.clone(), "birth_date", "39/03/21");
    let (_, mismatch) = submit(&portal, APPLY, &wrong).await;
    for _ in 0..4 {
        let (_, html) = submit(&portal, APPLY, &chen).await;
        assert_eq!(
            Page::parse(&html).alerts(),
            Page::parse(&mismatch).alerts(),
            "{html}"
        );
        assert!(!html.contains("受監護宣告者"), "{html}");
    }
    let (_, html) = submit(&portal, APPLY, &wang()).await;
    assert!(html.contains("驗證失敗次數過多"), "{html}");
    assert!(rows(&portal).await.is_empty());
}

#[tokio::test]
async fn security_21_3_failures_on_either_form_count_against_the_person() {
    use crate::id_card_loss::{solved_captchas, submit_as, submit_from, GENERIC as LOSS_GENERIC};
    let portal = Portal::start().await;
    let loss = with(crate::id_card_loss::wang(), "parent_name", "王大同");
    let apply = with(wang(), "name", "王大明");
    let loss_captchas = solved_captchas(&portal, "/id-card/loss/query", 6).await;
    let apply_captchas = solved_captchas(&portal, APPLY, 6).await;
    let peers: Vec<String> = (1..=12).map(|n| format!("198.51.100.{n}")).collect();
    let attempts = loss_captchas
        .iter()
        .map(|captcha| ("/id-card/loss/query", &loss, captcha))
        .chain(
            apply_captchas
                .iter()
                .map(|captcha| (APPLY, &apply, captcha)),
        )
        .zip(&peers)
        .map(|((path, form, (id, answer)), peer)| {
            submit_from(
                &portal,
                Some(peer.as_str()),
                path,
                form,
                (id.as_str(), answer.as_str()),
            )
        });
    let pages = futures_util::future::join_all(attempts).await;
    let (checked, limited) = checked_and_limited(&pages, &[LOSS_GENERIC, GENERIC]);
    assert_eq!((checked, limited), (10, 2));
    let (_, html) = submit_as(&portal, Some("203.0.113.1"), APPLY, &wang()).await;
    assert!(html.contains("驗證失敗次數過多"), "{html}");
    assert!(rows(&portal).await.is_empty());
}

#[tokio::test]
async fn c2_a_forged_request_cannot_skip_the_rules() {
    let portal = Portal::start().await;
    let id = captcha_on(&portal, APPLY).await;
    let answer = captcha_answer(&portal, &id).await;
    let mut posted: Vec<(String, String)> =
        with(with(wang(), "user_code", "ab"), "user_code_confirm", "ab")
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
    posted.push(("captcha_id".into(), id));
    posted.push(("captcha".into(), answer));
    let response = portal
        .post_json(
            "/api/moica_apply",
            serde_json::json!({ "posted": posted }),
            None,
        )
        .await;
    let body = body_text(response).await;
    assert!(
        body.contains("user_code") && body.contains("Invalid"),
        "{body}"
    );
    assert!(rows(&portal).await.is_empty());
}

#[tokio::test]
async fn c2_applications_not_collected_in_time_expire_and_lose_their_secrets() {
    let portal = Portal::start().await;
    let (_, html) = submit(&portal, APPLY, &wang()).await;
    assert!(html.contains("線上申請完成"));
    let now = portal.now();
    assert_eq!(
        close_expired(&portal.app.test_db.db, now + 29 * 86_400)
            .await
            .expect("purge"),
        0
    );
    assert_eq!(
        close_expired(&portal.app.test_db.db, now + 31 * 86_400)
            .await
            .expect("purge"),
        1
    );
    let rows = rows(&portal).await;
    let (_, (_, status, _, user_code, pin)) = &rows[0];
    assert_eq!(status, "expired");
    assert!(user_code.is_none() && pin.is_none());
}

/// The application's timeline (issue 17): started online by the citizen, replaced by their
/// next application, which the system closes once it lapses; each event names its actor as
/// the audit log does.
#[tokio::test]
async fn c2_each_application_keeps_its_timeline_from_submission_to_replacement_or_lapse() {
    let portal = Portal::start().await;
    let (_, html) = submit(&portal, APPLY, &wang()).await;
    let first = reference_in(&html);
    let (_, html) = submit(&portal, APPLY, &wang()).await;
    let second = reference_in(&html);
    let now = portal.now();
    assert_eq!(
        close_expired(&portal.app.test_db.db, now + 31 * 86_400)
            .await
            .expect("purge"),
        1
    );
    type Event = (String, Option<String>, String, String, String);
    let events: Vec<Event> = sqlx::query_as(
        "SELECT case_id, from_state, to_state, action, actor FROM case_events \
         WHERE case_type = 'moica_application' ORDER BY id",
    )
    .fetch_all(pool(&portal))
    .await
    .expect("timeline");
    let citizen = "citizen:A1*****789".to_owned();
    let event = |case: &str, from: Option<&str>, to: &str, action: &str, actor: &str| {
        (
            case.to_owned(),
            from.map(str::to_owned),
            to.to_owned(),
            action.to_owned(),
            actor.to_owned(),
        )
    };
    assert_eq!(
        events,
        [
            event(&first, None, "submitted", "apply", &citizen),
            event(
                &first,
                Some("submitted"),
                "superseded",
                "supersede",
                &citizen
            ),
            event(&second, None, "submitted", "apply", &citizen),
            event(&second, Some("submitted"), "expired", "expire", "system"),
        ]
    );
}
