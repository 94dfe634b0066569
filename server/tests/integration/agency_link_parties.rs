//! Who is told and who acts in agency linking (SPEC §2, issue 18): each change mails the party
//! whose inbox a step reaches, in the change's transaction (L-21); the county 役政單位 has the
//! military-data cases and the 民政局(處) the household ones (L-2); 戶政司 issues a lost
//! 密碼表 again and the county unit hands it over once (L-7).

use crate::agency_link_flow::{
    case_html, case_page, file, file_with, inbox, parties, password_table_shown,
    password_table_works, post, register, review, take, try_step, Parties, AGENCY_MAIL, CHT_MAIL,
    COUNTY_MAIL, IT_MAIL, MILITARY_MAIL, MINISTRY_MAIL,
};
use crate::support::{Portal, ORIGIN};
use app::services::agency_link::cases::Step;
use app::services::agency_link::documents::required_documents;
use app::services::agency_link::form::Application;
use app::services::agency_link::{AGENCY_CASE_PATH, STAFF_CASE_PATH};
use app::services::staff::role::Role;
use app::services::staff::store as staff;
use axum::http::StatusCode;

const RETIRED_MAIL: &str = "retired@moi.gov.tw";

/// The [`parties`] of a 臺北市 case, beside a 民政局 officer without a notice address and a
/// disabled ministry reviewer.
async fn parties_and_others(portal: &Portal) -> Parties {
    let who = parties(portal).await;
    portal
        .staff("蔡民政", Role::CountyOfficer, "county:臺北市")
        .await;
    portal
        .staff_mailed(
            "李退休",
            Role::MinistryReviewer,
            "national",
            Some(RETIRED_MAIL),
        )
        .await;
    let pool = &portal.app.test_db.db.pool;
    let retired: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE name = '李退休'")
        .fetch_one(pool)
        .await
        .expect("retired");
    staff::disable(&portal.app.test_db.db, retired, "test", portal.now())
        .await
        .expect("disabled");
    who
}

/// A queued message.
#[derive(Debug)]
struct Mail {
    to: String,
    subject: String,
    body: String,
}

/// The outbox's messages after row `after`, in order; and the last row's id.
async fn mail_after(portal: &Portal, after: i64) -> (i64, Vec<Mail>) {
    let rows: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, to_addr, subject, body FROM outbox WHERE id > $1 ORDER BY id")
            .bind(after)
            .fetch_all(&portal.app.test_db.db.pool)
            .await
            .expect("outbox");
    let last = rows.last().map_or(after, |row| row.0);
    let mail = rows
        .into_iter()
        .map(|(_, to, subject, body)| Mail { to, subject, body })
        .collect();
    (last, mail)
}

/// The (address, step number) pairs of step notices, sorted.
fn told(mail: &[Mail]) -> Vec<(String, String)> {
    let mut told: Vec<(String, String)> = mail
        .iter()
        .map(|mail| {
            let step = mail
                .subject
                .split("待辦理：")
                .nth(1)
                .and_then(|rest| rest.split('.').next())
                .unwrap_or_else(|| panic!("a step notice: {}", mail.subject));
            (mail.to.clone(), step.to_owned())
        })
        .collect();
    told.sort();
    told
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(to, step)| ((*to).to_owned(), (*step).to_owned()))
        .collect();
    pairs.sort();
    pairs
}

/// `cookie` takes `step` of case `id` as staff; the step notices it queued.
async fn staff_takes(
    portal: &Portal,
    cookie: &str,
    id: &str,
    step: Step,
    after: &mut i64,
) -> Vec<(String, String)> {
    take(portal, cookie, false, id, step, &[]).await;
    let (last, mail) = mail_after(portal, *after).await;
    *after = last;
    told(&mail)
}

#[tokio::test]
async fn l_21_each_change_mails_the_party_whose_inbox_receives_the_step() {
    let portal = Portal::start().await;
    let who = parties_and_others(&portal).await;
    let id = file(&portal, &who.agency, "203.0.113.0/28").await;

    // Filing: the 臺北市 民政局 officers with an address; not 新北市's, not the 役政單位.
    let (mut after, filed) = mail_after(&portal, 0).await;
    assert_eq!(told(&filed), pairs(&[(COUNTY_MAIL, "2")]));
    let notice = &filed[0];
    assert!(notice.subject.contains(&id), "{}", notice.subject);
    assert!(
        notice.body.contains("2. 戶役政單位受理申請文件"),
        "{}",
        notice.body
    );
    assert!(notice
        .body
        .contains("2. The county unit receives the documents"));
    assert!(
        notice.body.contains("直轄市、縣(市)民政局(處)"),
        "{}",
        notice.body
    );
    assert!(notice
        .body
        .contains(&format!("{ORIGIN}{STAFF_CASE_PATH}?id={id}")));
    let zh = notice.body.find("您好").expect("zh-TW");
    let en = notice.body.find("To the county").expect("English");
    assert!(zh < en, "zh-TW first");
    assert!(inbox(&portal, &who.military).await.is_empty());

    // 3 ∥ 4: the county unit and the agency, each at its own page.
    take(&portal, &who.county, false, &id, Step::S02Receive, &[]).await;
    let (last, mail) = mail_after(&portal, after).await;
    after = last;
    assert_eq!(
        told(&mail),
        pairs(&[(AGENCY_MAIL, "4"), (COUNTY_MAIL, "3")])
    );
    let agency_mail = mail.iter().find(|m| m.to == AGENCY_MAIL).expect("agency");
    assert!(agency_mail
        .body
        .contains(&format!("{ORIGIN}{AGENCY_CASE_PATH}?id={id}")));
    // The join waits for both: nobody is told of step 5 yet.
    let confirmed = staff_takes(
        &portal,
        &who.county,
        &id,
        Step::S03CountyConfirm,
        &mut after,
    )
    .await;
    assert!(confirmed.is_empty(), "{confirmed:?}");
    take(&portal, &who.agency, true, &id, Step::S04AgencyConfirm, &[]).await;
    let (last, mail) = mail_after(&portal, after).await;
    after = last;
    // The disabled reviewer is not told.
    assert_eq!(told(&mail), pairs(&[(MINISTRY_MAIL, "5")]));

    let reviewed = staff_takes(
        &portal,
        &who.ministry,
        &id,
        Step::S05MinistryReview,
        &mut after,
    )
    .await;
    assert_eq!(reviewed, pairs(&[(IT_MAIL, "6")]));
    let assigned = staff_takes(&portal, &who.it, &id, Step::S06Addresses, &mut after).await;
    assert_eq!(assigned, pairs(&[(MINISTRY_MAIL, "7")]));
    let replied = staff_takes(
        &portal,
        &who.ministry,
        &id,
        Step::S07MinistryReply,
        &mut after,
    )
    .await;
    assert_eq!(replied, pairs(&[(COUNTY_MAIL, "8")]));
    let registered = take(&portal, &who.county, false, &id, Step::S08Register, &[]).await;
    let (_, mail) = mail_after(&portal, after).await;
    // The three branches: the firewall and 中華電信 (連結介面 exchanges no key).
    assert_eq!(told(&mail), pairs(&[(CHT_MAIL, "10"), (IT_MAIL, "9")]));
    assert_eq!(
        inbox(&portal, &who.cht).await.len(),
        1,
        "told of what waits"
    );

    // Nothing secret in any message: not the 密碼表 shown at step 8.
    let (_, password) = password_table_shown(&registered);
    let (_, all) = mail_after(&portal, 0).await;
    assert_eq!(all.len(), 9);
    for mail in &all {
        assert!(!mail.body.contains(&password), "{}", mail.body);
        assert!(!mail.subject.contains(&password));
    }
}

#[tokio::test]
async fn l_6_a_send_back_mails_the_agency_the_reason_and_a_withdrawal_tells_the_waiting() {
    let portal = Portal::start().await;
    let who = parties_and_others(&portal).await;
    let id = file(&portal, &who.agency, "203.0.113.0/28").await;
    take(&portal, &who.county, false, &id, Step::S02Receive, &[]).await;
    let (after, _) = mail_after(&portal, 0).await;

    let reason = "申請表第二頁未蓋機關印信";
    let (_, sent) = post(
        &portal,
        &who.county,
        false,
        &id,
        &[("action", "send_back"), ("reason", reason)],
    )
    .await;
    assert!(sent.notices().iter().any(|n| n.contains("已退回")));
    let (after, mail) = mail_after(&portal, after).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].to, AGENCY_MAIL);
    assert!(mail[0].subject.contains("退回補正"), "{}", mail[0].subject);
    assert!(mail[0].body.contains(reason), "{}", mail[0].body);
    assert!(
        mail[0].body.contains("民政局"),
        "who sent it back: {}",
        mail[0].body
    );
    assert!(mail[0]
        .body
        .contains(&format!("{ORIGIN}{AGENCY_CASE_PATH}?id={id}")));

    // Filed again: the county unit is told again.
    take(
        &portal,
        &who.agency,
        true,
        &id,
        Step::S01File,
        &[("host_address", "198.51.100.0/28")],
    )
    .await;
    let (after, mail) = mail_after(&portal, after).await;
    assert_eq!(told(&mail), pairs(&[(COUNTY_MAIL, "2")]));

    // Withdrawn: the party whose step was waiting is told, nobody else.
    let (_, withdrawn) = post(&portal, &who.agency, true, &id, &[("action", "withdraw")]).await;
    assert!(withdrawn.notices().iter().any(|n| n.contains("已撤回")));
    let (_, mail) = mail_after(&portal, after).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].to, COUNTY_MAIL);
    assert!(mail[0].subject.contains("已撤回"), "{}", mail[0].subject);
}

/// Files a military-data e-gate (internet) application on the agency's page; the case id.
async fn file_military(portal: &Portal, agency: &str) -> String {
    let fields = [
        ("interface", "egate_internet"),
        ("data_kind", "military"),
        ("county", "臺北市"),
        ("host_address", "203.0.113.32/28"),
        ("legal_basis", "兵役法施行法第四十五條"),
        ("purpose", "核對役男身分"),
        ("contact_name", "林志明"),
        ("contact_landline", "(02)23456789#123"),
        ("contact_email", "lin@police.gov.tw"),
        ("items", "military.name"),
    ];
    let owned: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let application = Application::parse(&owned).expect("a valid military application");
    file_with(portal, agency, &fields, &required_documents(&application)).await
}

#[tokio::test]
async fn l_2_a_military_case_is_the_county_military_units_and_a_household_case_the_bureaus() {
    let portal = Portal::start().await;
    let who = parties_and_others(&portal).await;
    let military = file_military(&portal, &who.agency).await;
    let household = file(&portal, &who.agency, "203.0.113.0/28").await;

    let (after, mail) = mail_after(&portal, 0).await;
    assert_eq!(
        told(&mail),
        pairs(&[(COUNTY_MAIL, "2"), (MILITARY_MAIL, "2")])
    );
    let to_military = mail.iter().find(|m| m.to == MILITARY_MAIL).expect("役政");
    assert!(to_military.subject.contains(&military));
    assert!(
        to_military.body.contains("役政單位"),
        "{}",
        to_military.body
    );

    // Each unit's inbox holds its own data kind only.
    let military_inbox = inbox(&portal, &who.military).await;
    assert_eq!(military_inbox.len(), 1);
    assert_eq!(military_inbox[0][0], military);
    let county_inbox = inbox(&portal, &who.county).await;
    assert_eq!(county_inbox.len(), 1);
    assert_eq!(county_inbox[0][0], household);

    // Neither sees or acts on the other's case.
    for (cookie, other) in [(&who.county, &military), (&who.military, &household)] {
        let (_, page) = try_step(&portal, cookie, false, other, Step::S02Receive, &[]).await;
        assert!(
            page.alerts().iter().any(|a| a.contains("查無此申請案件")),
            "{:?}",
            page.alerts()
        );
    }

    // The 役政單位 takes the county steps of the military case, named as itself.
    let mut after = after;
    let received = staff_takes(
        &portal,
        &who.military,
        &military,
        Step::S02Receive,
        &mut after,
    )
    .await;
    assert_eq!(received, pairs(&[(AGENCY_MAIL, "4"), (MILITARY_MAIL, "3")]));
    let steps = case_page(&portal, &who.military, false, &military)
        .await
        .table_rows("申請程序");
    assert!(steps[1][1].contains("役政單位"), "{steps:?}");
    let actions = portal.audit_actions().await;
    assert!(actions
        .iter()
        .any(|(actor, action)| actor.starts_with("staff:") && action == "agency_link.case.s02"));
}

#[tokio::test]
async fn l_7_a_lost_password_table_is_issued_again_and_handed_over_once() {
    let portal = Portal::start().await;
    let who = parties_and_others(&portal).await;
    let id = file(&portal, &who.agency, "203.0.113.0/28").await;
    let reissue = [("action", "reissue_password")];
    let hand_over = [("action", "hand_over_password")];

    // Not before step 7, and never by another party.
    let (_, early) = post(&portal, &who.ministry, false, &id, &reissue).await;
    assert!(
        early.alerts().iter().any(|a| a.contains("第7步")),
        "{:?}",
        early.alerts()
    );
    review(&portal, &who, &id).await;
    let first = password_table_shown(&register(&portal, &who, &id).await);
    assert!(password_table_works(&portal, &id, &first).await);
    for (cookie, agency) in [(&who.county, false), (&who.agency, true), (&who.it, false)] {
        let (status, _) = post(&portal, cookie, agency, &id, &reissue).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _) = post(&portal, &who.ministry, false, &id, &hand_over).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nothing to hand over yet.
    let (_, nothing) = post(&portal, &who.county, false, &id, &hand_over).await;
    assert!(nothing.alerts().iter().any(|a| a.contains("沒有待交付")));
    assert!(password_table_works(&portal, &id, &first).await);

    let (after, _) = mail_after(&portal, 0).await;
    let (_, reissued) = post(&portal, &who.ministry, false, &id, &reissue).await;
    assert!(
        reissued.notices().iter().any(|n| n.contains("重新核發")),
        "{:?}",
        reissued.alerts()
    );
    // The old table stops working at once; the county unit is mailed, without the table.
    assert!(!password_table_works(&portal, &id, &first).await);
    let (_, mail) = mail_after(&portal, after).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].to, COUNTY_MAIL);
    assert!(mail[0].subject.contains("重新核發"), "{}", mail[0].subject);

    let html = case_html(&portal, &who.county, false, &id).await;
    assert!(
        html.contains("hand_over_password"),
        "the county unit is offered the hand-over"
    );
    let (_, handed) = post(&portal, &who.county, false, &id, &hand_over).await;
    let second = password_table_shown(&handed);
    assert_ne!(second, first);
    assert!(password_table_works(&portal, &id, &second).await);
    // Once only.
    let (_, twice) = post(&portal, &who.county, false, &id, &hand_over).await;
    assert!(twice.alerts().iter().any(|a| a.contains("沒有待交付")));
    let again = case_html(&portal, &who.county, false, &id).await;
    assert!(!again.contains(&second.1), "shown once");

    // Audited, and on the timeline.
    let actions = portal.audit_actions().await;
    for action in [
        "agency_link.case.reissue_password",
        "agency_link.case.hand_over_password",
    ] {
        assert!(
            actions
                .iter()
                .any(|(actor, done)| actor.starts_with("staff:") && done == action),
            "{action}: {actions:?}"
        );
    }
    let history = case_page(&portal, &who.agency, true, &id)
        .await
        .texts(".timeline li")
        .join("\n");
    assert!(history.contains("重新核發密碼表"), "{history}");
    assert!(history.contains("交付重新核發之密碼表"), "{history}");

    // A withdrawn case gets no new table.
    post(&portal, &who.agency, true, &id, &[("action", "withdraw")]).await;
    let (_, closed) = post(&portal, &who.ministry, false, &id, &reissue).await;
    assert!(!closed.alerts().is_empty());
}
