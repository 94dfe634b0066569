//! 啟用 and 停用 requests for the identity confirmation service in the browser (seed 003
//! 要點三、四, SPEC I-1, I-2): an agency or a financial institution signs in with its card and
//! files the seed's 申請表 with its server certificate; the server checks the certificate's
//! authority, its serial and the month's notice; the ministry answers with the effective date,
//! which registers (or closes) the system in the same unit of work; the job records the date
//! arriving; the letter prints for the applicant and the ministry only.

use crate::api_service::reviewer;
use crate::support::Page;
use crate::support::{body_bytes, Portal};
use app::cases::Code;
use app::pki::{CaFamily, Purpose, TrustStore};
use app::platform::clock::{roc_date, taipei_day_start};
use app::services::confirmation::requests::RequestStatus;
use app::services::confirmation::systems::{self, OutOfService};
use app::services::confirmation::{store, DESK_CASE_PATH, REQUEST_FORM_PATH, REQUEST_PATH};
use axum::http::{header, StatusCode};
use server::pki::{Issued, SubjectKey};

const TAIPEI_POLICE: &str = "379130000C";
const TAIPEI_POLICE_NAME: &str = "臺北市政府警察局";
pub(crate) const BANK: &str = "88880005";
pub(crate) const BANK_NAME: &str = "示範商業銀行股份有限公司";
pub(crate) const DAY: i64 = 86_400;

/// A server certificate of `family` for `organisation`, and its serial as the applicant reads
/// it from the certificate.
pub(crate) fn server_certificate(
    portal: &Portal,
    family: CaFamily,
    organisation: &str,
) -> (Issued, String) {
    let issued = portal
        .pki
        .issue_server_certificate(
            family,
            organisation,
            "app.example.com.tw",
            portal.year(),
            &SubjectKey::Generate,
        )
        .expect("server certificate");
    let serial = TrustStore::load(&portal.pki.trust_dir())
        .expect("trust store")
        .check_certificate(
            &issued.certificate_der,
            Purpose::ServerCertificate,
            portal.now(),
        )
        .expect("valid")
        .serial_hex()
        .to_uppercase();
    (issued, serial)
}

/// The people and the dates of a request, `days` ahead.
pub(crate) fn form(
    days: i64,
    portal: &Portal,
    extra: &[(&'static str, String)],
) -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&'static str, String)> = vec![
        ("contact_name", "林志明".into()),
        ("contact_title", "科長".into()),
        ("contact_unit", "資訊處".into()),
        ("contact_email", "lin@example.com.tw".into()),
        ("contact_phone", "(02)23456789#123".into()),
        ("contact_fax", "(02)23456780".into()),
        ("deputy_name", "陳美玲".into()),
        ("deputy_title", "專員".into()),
        ("deputy_unit", "資訊處".into()),
        ("deputy_email", "chen@example.com.tw".into()),
        ("deputy_phone", "(02)23456789#124".into()),
        ("deputy_fax", "(02)23456780".into()),
        ("planned_on", roc_date(portal.now() + days * DAY)),
    ];
    fields.extend(extra.iter().cloned());
    fields
}

/// Files a 啟用 request as `cookie` with `certificate`; the page.
pub(crate) async fn file_enable(
    portal: &Portal,
    cookie: &str,
    days: i64,
    serial: &str,
    certificate: &[u8],
) -> (StatusCode, Page) {
    let fields = form(
        days,
        portal,
        &[
            ("address", "臺北市中正區重慶南路一段122號".into()),
            ("system_name", "網路服務系統".into()),
            ("certificate_serial", serial.into()),
            ("overview", "民眾以自然人憑證登入網路服務系統".into()),
        ],
    );
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html) = portal
        .post_files(
            &format!("{REQUEST_FORM_PATH}?kind=enable"),
            Some(cookie),
            &fields,
            &[("certificate", "server.cer", certificate)],
        )
        .await;
    (status, Page::parse(&html))
}

pub(crate) async fn status_of(portal: &Portal, id: i64) -> RequestStatus {
    let status: String =
        sqlx::query_scalar("SELECT status FROM confirmation_requests WHERE id = $1")
            .bind(id)
            .fetch_one(&portal.app.test_db.db.pool)
            .await
            .expect("request");
    RequestStatus::from_code(&status).expect("a status")
}

pub(crate) async fn last_id(portal: &Portal) -> i64 {
    sqlx::query_scalar("SELECT MAX(id) FROM confirmation_requests")
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("a request")
}

pub(crate) async fn mail_to(portal: &Portal, to: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT subject FROM outbox WHERE to_addr = $1 ORDER BY id")
        .bind(to)
        .fetch_all(&portal.app.test_db.db.pool)
        .await
        .expect("outbox")
}

async fn letter(portal: &Portal, id: i64, cookie: Option<&str>) -> (StatusCode, Vec<u8>) {
    let response = portal
        .page(&format!("{REQUEST_PATH}/{id}/letter"), cookie)
        .await;
    let status = response.status();
    if status == StatusCode::OK {
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE).expect("type"),
            "application/pdf"
        );
    }
    (status, body_bytes(response).await.to_vec())
}

#[tokio::test]
async fn i_2_an_agency_requests_enabling_the_ministry_approves_and_the_job_records_the_date() {
    let portal = Portal::start().await;
    let card = portal.agency_card(TAIPEI_POLICE, TAIPEI_POLICE_NAME);
    let agency = portal.session("Agency", TAIPEI_POLICE, &card).await;
    let (certificate, serial) = server_certificate(&portal, CaFamily::Gca, TAIPEI_POLICE_NAME);
    let (status, page) =
        file_enable(&portal, &agency, 40, &serial, &certificate.certificate_der).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.notices()
            .iter()
            .any(|notice| notice.contains("已送出申請")),
        "{:?}",
        page.alerts()
    );
    let id = last_id(&portal).await;
    assert_eq!(status_of(&portal, id).await, RequestStatus::Pending);
    assert_eq!(mail_to(&portal, "lin@example.com.tw").await.len(), 1);
    assert!(
        systems::all(&portal.app.test_db.db.pool)
            .await
            .expect("systems")
            .is_empty(),
        "nothing is registered before the ministry answers"
    );

    // The ministry answers 同意 with the date it chose and the system's quota.
    let reviewer = reviewer(&portal).await;
    let effective = portal.now() + 45 * DAY;
    let (status, html) = portal
        .post_page(
            &format!("{DESK_CASE_PATH}?id={id}"),
            Some(&reviewer),
            &[
                ("action", "approve"),
                ("note", "符合申請要點"),
                ("effective_on", &roc_date(effective)),
                ("daily_quota", "5000"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = Page::parse(&html);
    assert!(page.alerts().is_empty(), "{:?}", page.alerts());
    assert_eq!(status_of(&portal, id).await, RequestStatus::Approved);
    let systems = systems::all(&portal.app.test_db.db.pool)
        .await
        .expect("systems");
    assert_eq!(systems.len(), 1);
    let system = &systems[0];
    assert_eq!(system.applicant_id.as_deref(), Some(TAIPEI_POLICE));
    assert_eq!(system.enabled_from, taipei_day_start(effective));
    assert_eq!(system.daily_quota, 5000);
    assert_eq!(system.certificate_serial, serial.to_lowercase());
    assert_eq!(
        system.out_of_service(portal.now()),
        Some(OutOfService::NotYetEnabled)
    );
    let told = mail_to(&portal, "lin@example.com.tw").await;
    assert!(told[1].contains("審核結果：同意"), "{told:?}");

    // The letter: for the agency and the ministry, nobody else.
    let (status, pdf) = letter(&portal, id, Some(&agency)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(letter(&portal, id, Some(&reviewer)).await.0, StatusCode::OK);
    let shop = portal.business_card("24941832", "蝦蝦樂購股份有限公司");
    let shop = portal.session("Company", "24941832", &shop).await;
    assert_eq!(
        letter(&portal, id, Some(&shop)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(letter(&portal, id, None).await.0, StatusCode::FORBIDDEN);
    let (_, html) = portal
        .post_page(&format!("{REQUEST_PATH}?id={id}"), Some(&shop), &[])
        .await;
    assert!(Page::parse(&html)
        .alerts()
        .concat()
        .contains("查無此申請案件"));

    // The job does nothing before the date, then records it once.
    let db = &portal.app.test_db.db;
    assert_eq!(store::take_effect(db, portal.now()).await.expect("job"), 0);
    portal.app.clock.advance(chrono::Duration::days(46));
    assert_eq!(store::take_effect(db, portal.now()).await.expect("job"), 1);
    assert_eq!(store::take_effect(db, portal.now()).await.expect("job"), 0);
    assert_eq!(status_of(&portal, id).await, RequestStatus::InEffect);
    assert_eq!(system.out_of_service(portal.now()), None);
    assert!(mail_to(&portal, "lin@example.com.tw").await[2].contains("已啟用"));

    portal
        .assert_audited(&[
            "confirmation.request.file",
            "confirmation.request.approve",
            "confirmation.request.take_effect",
            "confirmation.request.letter",
        ])
        .await;
}

#[tokio::test]
async fn i_1_a_financial_institution_needs_its_own_authoritys_certificate_its_serial_and_a_month() {
    let portal = Portal::start().await;
    let card = portal.business_card(BANK, BANK_NAME);
    let bank = portal.session("Company", BANK, &card).await;
    let (gca, gca_serial) = server_certificate(&portal, CaFamily::Gca, BANK_NAME);
    let (xca, xca_serial) = server_certificate(&portal, CaFamily::Xca, BANK_NAME);

    // A GCA certificate, ten days ahead: both refused at once, nothing filed.
    let (_, page) = file_enable(&portal, &bank, 10, &gca_serial, &gca.certificate_der).await;
    assert!(
        page.field_error("certificate").contains("MOEACA"),
        "{}",
        page.field_error("certificate")
    );
    assert!(page.field_error("planned_on").contains("一個月前"));
    // The XCA certificate with another serial.
    let (_, page) = file_enable(&portal, &bank, 40, "0A1B2C", &xca.certificate_der).await;
    assert!(page.field_error("certificate_serial").contains("不符"));
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM confirmation_requests")
            .fetch_one(&portal.app.test_db.db.pool)
            .await
            .expect("count"),
        0
    );

    // Another company cannot file with the bank's certificate, public as it is: it names the
    // bank.
    let shop = portal.business_card("24941832", "蝦蝦樂購股份有限公司");
    let shop = portal.session("Company", "24941832", &shop).await;
    let (_, page) = file_enable(&portal, &shop, 40, &xca_serial, &xca.certificate_der).await;
    assert!(
        page.field_error("certificate")
            .contains("蝦蝦樂購股份有限公司"),
        "{}",
        page.field_error("certificate")
    );

    // Right: filed. The same certificate again is refused while the first is in review, and
    // taken once the bank withdraws it.
    let (_, page) = file_enable(&portal, &bank, 40, &xca_serial, &xca.certificate_der).await;
    assert!(
        page.notices().concat().contains("已送出申請"),
        "{:?}",
        page.alerts()
    );
    let first = last_id(&portal).await;
    let (_, page) = file_enable(&portal, &bank, 40, &xca_serial, &xca.certificate_der).await;
    assert!(
        page.alerts().concat().contains("審核中"),
        "{:?}",
        page.alerts()
    );
    let (_, html) = portal
        .post_page(
            &format!("{REQUEST_PATH}?id={first}"),
            Some(&bank),
            &[("action", "withdraw")],
        )
        .await;
    assert!(Page::parse(&html).notices().concat().contains("已撤回"));
    assert_eq!(status_of(&portal, first).await, RequestStatus::Withdrawn);
    let (_, page) = file_enable(&portal, &bank, 40, &xca_serial, &xca.certificate_der).await;
    assert!(
        page.notices().concat().contains("已送出申請"),
        "{:?}",
        page.alerts()
    );
    assert!(last_id(&portal).await > first);
}

#[tokio::test]
async fn i_2_a_disable_request_closes_the_system_on_the_date_the_ministry_answers() {
    let portal = Portal::start().await;
    let card = portal.business_card(BANK, BANK_NAME);
    let bank = portal.session("Company", BANK, &card).await;
    let (xca, serial) = server_certificate(&portal, CaFamily::Moeaca, BANK_NAME);
    file_enable(&portal, &bank, 35, &serial, &xca.certificate_der).await;
    let enable = last_id(&portal).await;
    let reviewer = reviewer(&portal).await;
    let opens = portal.now() + 35 * DAY;
    portal
        .post_page(
            &format!("{DESK_CASE_PATH}?id={enable}"),
            Some(&reviewer),
            &[
                ("action", "approve"),
                ("note", "同意"),
                ("effective_on", &roc_date(opens)),
            ],
        )
        .await;
    let system = systems::all(&portal.app.test_db.db.pool)
        .await
        .expect("systems")[0]
        .clone();
    assert_eq!(
        system.daily_quota,
        app::services::confirmation::form::DEFAULT_DAILY_QUOTA
    );

    // The bank's page offers to close it; another company cannot ask for it.
    let form_path = format!("{REQUEST_FORM_PATH}?kind=disable&system={}", system.id);
    let fields = form(60, &portal, &[("reason", "網路銀行系統汰換".into())]);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let shop = portal.business_card("24941832", "蝦蝦樂購股份有限公司");
    let shop = portal.session("Company", "24941832", &shop).await;
    let (_, html) = portal.post_page(&form_path, Some(&shop), &fields).await;
    assert!(Page::parse(&html)
        .alerts()
        .concat()
        .contains("我的應用系統"));
    let (_, html) = portal.post_page(&form_path, Some(&bank), &fields).await;
    assert!(
        Page::parse(&html).notices().concat().contains("已送出申請"),
        "{:?}",
        Page::parse(&html).alerts()
    );
    let disable = last_id(&portal).await;

    // The ministry closes it on a date of its choosing; the record and the API follow.
    let closes = portal.now() + 70 * DAY;
    let (_, html) = portal
        .post_page(
            &format!("{DESK_CASE_PATH}?id={disable}"),
            Some(&reviewer),
            &[
                ("action", "approve"),
                ("note", "同意停用"),
                ("effective_on", &roc_date(closes)),
            ],
        )
        .await;
    assert!(
        Page::parse(&html).alerts().is_empty(),
        "{:?}",
        Page::parse(&html).alerts()
    );
    let system = systems::all(&portal.app.test_db.db.pool)
        .await
        .expect("systems")[0]
        .clone();
    assert_eq!(system.disabled_from, Some(taipei_day_start(closes)));
    assert_eq!(system.out_of_service(taipei_day_start(closes) - 1), None);
    assert_eq!(system.out_of_service(closes), Some(OutOfService::Disabled));
    // A second 停用 cannot be asked for: the system already closes.
    let (_, html) = portal.post_page(&form_path, Some(&bank), &fields).await;
    assert!(Page::parse(&html)
        .alerts()
        .concat()
        .contains("我的應用系統"));
}

#[tokio::test]
async fn i_2_the_ministry_may_refuse_with_a_note_and_only_its_reviewers_answer() {
    let portal = Portal::start().await;
    let card = portal.business_card(BANK, BANK_NAME);
    let bank = portal.session("Company", BANK, &card).await;
    let (certificate, serial) = server_certificate(&portal, CaFamily::Xca, BANK_NAME);
    file_enable(&portal, &bank, 40, &serial, &certificate.certificate_der).await;
    let id = last_id(&portal).await;

    // A clerk of another desk is refused; so is the applicant.
    let clerk = portal
        .staff(
            "李櫃台",
            app::services::staff::role::Role::HouseholdRegistrar,
            "office:63000030",
        )
        .await;
    let clerk = portal.session("Staff", "", &clerk).await;
    let answer = [("action", "reject"), ("note", "應用系統使用對象非一般民眾")];
    let (status, _) = portal
        .post_page(&format!("{DESK_CASE_PATH}?id={id}"), Some(&clerk), &answer)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    portal
        .post_page(&format!("{DESK_CASE_PATH}?id={id}"), Some(&bank), &answer)
        .await;
    assert_eq!(status_of(&portal, id).await, RequestStatus::Pending);

    let reviewer = reviewer(&portal).await;
    portal
        .post_page(
            &format!("{DESK_CASE_PATH}?id={id}"),
            Some(&reviewer),
            &answer,
        )
        .await;
    assert_eq!(status_of(&portal, id).await, RequestStatus::Rejected);
    assert!(systems::all(&portal.app.test_db.db.pool)
        .await
        .expect("systems")
        .is_empty());
    let told = mail_to(&portal, "lin@example.com.tw").await;
    assert!(told.last().expect("mail").contains("不同意"), "{told:?}");
    // Answered once: a second answer is refused.
    let (_, html) = portal
        .post_page(
            &format!("{DESK_CASE_PATH}?id={id}"),
            Some(&reviewer),
            &[
                ("action", "approve"),
                ("note", "改為同意"),
                ("effective_on", &roc_date(portal.now() + 40 * DAY)),
            ],
        )
        .await;
    assert!(Page::parse(&html).alerts().concat().contains("不同意"));
    assert_eq!(status_of(&portal, id).await, RequestStatus::Rejected);
    let page = Page::parse(&html);
    assert!(page
        .texts(".decision")
        .concat()
        .contains("應用系統使用對象非一般民眾"));
}

#[tokio::test]
async fn i_2_an_applicant_files_at_most_ten_requests_a_day() {
    let portal = Portal::start().await;
    let card = portal.business_card(BANK, BANK_NAME);
    let bank = portal.session("Company", BANK, &card).await;
    let (xca, serial) = server_certificate(&portal, CaFamily::Xca, BANK_NAME);
    for _ in 0..store::FILINGS_PER_DAY {
        let (_, page) = file_enable(&portal, &bank, 40, &serial, &xca.certificate_der).await;
        assert!(
            page.notices().concat().contains("已送出申請"),
            "{:?}",
            page.alerts()
        );
        let id = last_id(&portal).await;
        portal
            .post_page(
                &format!("{REQUEST_PATH}?id={id}"),
                Some(&bank),
                &[("action", "withdraw")],
            )
            .await;
        assert_eq!(status_of(&portal, id).await, RequestStatus::Withdrawn);
    }
    let (_, page) = file_enable(&portal, &bank, 40, &serial, &xca.certificate_der).await;
    assert!(
        page.alerts().concat().contains("24小時內已提出"),
        "{:?}",
        page.alerts()
    );
    portal.app.clock.advance(chrono::Duration::hours(25));
    let bank = portal.session("Company", BANK, &card).await;
    let (_, page) = file_enable(&portal, &bank, 40, &serial, &xca.certificate_der).await;
    assert!(
        page.notices().concat().contains("已送出申請"),
        "{:?}",
        page.alerts()
    );
}
