//! Agency linking as its five parties work it in the browser (SPEC §2, issue 18): the agency
//! files on its page, each step waits in the inbox of the party that takes it (L-21) and is
//! taken on the case page, a conflicting address sends the case back (L-6), the 密碼表 is
//! shown once (L-7), and the user environment follows the agency's 連結介面 cases (L-8).

use crate::support::{Page, Portal};
use app::cases::Code;
use app::pki::certificate_pem;
use app::services::agency_link::cases::Step;
use app::services::agency_link::documents::DocumentKind;
use app::services::agency_link::password_table;
use app::services::agency_link::{AGENCY_CASE_PATH, APPLY_PATH, STAFF_CASE_PATH, STAFF_PATH};
use app::services::staff::role::Role;
use axum::http::StatusCode;

pub(crate) const TAIPEI_POLICE: &str = "379130000C";

/// The signed-in parties of a case filed in 臺北市.
pub(crate) struct Parties {
    pub(crate) agency: String,
    pub(crate) county: String,
    pub(crate) elsewhere: String,
    pub(crate) ministry: String,
    pub(crate) it: String,
    pub(crate) cht: String,
}

pub(crate) async fn parties(portal: &Portal) -> Parties {
    let agency = portal.agency_card(TAIPEI_POLICE, "臺北市政府警察局");
    let mut staff = Vec::new();
    for (name, role, jurisdiction) in [
        ("陳縣府", Role::CountyOfficer, "county:臺北市"),
        ("高縣府", Role::CountyOfficer, "county:新北市"),
        ("張審核", Role::MinistryReviewer, "national"),
        ("林資訊", Role::InformationServices, "national"),
        ("王中華", Role::ChtEngineer, "national"),
    ] {
        let card = portal.staff(name, role, jurisdiction).await;
        staff.push(portal.session("Staff", "", &card).await);
    }
    let [county, elsewhere, ministry, it, cht] = <[String; 5]>::try_from(staff).expect("five");
    Parties {
        agency: portal.session("Agency", TAIPEI_POLICE, &agency).await,
        county,
        elsewhere,
        ministry,
        it,
        cht,
    }
}

pub(crate) fn pdf(kind: DocumentKind) -> Vec<u8> {
    format!("%PDF-1.7\n% {}\n%%EOF\n", kind.code()).into_bytes()
}

/// Files a household-data 連結介面 application for `host` on the agency's page; the case id.
pub(crate) async fn file(portal: &Portal, agency: &str, host: &str) -> String {
    file_for(portal, agency, "link_vpn", host).await
}

/// Files a household-data application for `interface` and `host` (asking for the ID number
/// and the name only) on the agency's page; the case id.
pub(crate) async fn file_for(portal: &Portal, agency: &str, interface: &str, host: &str) -> String {
    let fields = [
        ("interface", interface),
        ("data_kind", "household"),
        ("county", "臺北市"),
        ("host_address", host),
        ("legal_basis", "警察職權行使法第十九條"),
        ("purpose", "查核身分"),
        ("contact_name", "林志明"),
        ("contact_landline", "(02)23456789#123"),
        ("contact_email", "lin@police.gov.tw"),
        ("items", "household.national_id"),
        ("items", "household.name"),
        ("ciso_name", "陳資安"),
        ("ciso_title", "資通安全長"),
        ("ciso_reviewed_on", "112/11/10"),
        ("first_vpn", "yes"),
        ("vpn_customer_name", "臺北市政府警察局"),
        ("vpn_tech_name", "張技術"),
        ("vpn_tech_phone", "0912345678"),
        ("vpn_tech_email", "tech@police.gov.tw"),
        ("vpn_admin_name", "王管理"),
        ("vpn_admin_phone", "(02)23456789"),
        ("vpn_admin_email", "admin@police.gov.tw"),
        ("vpn_customer_type", "GSN-VPN"),
        ("vpn_group_name", "內政部(戶役政連結系統)"),
        ("vpn_group_code", "D75"),
    ];
    let documents: Vec<(DocumentKind, Vec<u8>)> = DocumentKind::ALL
        .iter()
        .map(|kind| (*kind, pdf(*kind)))
        .collect();
    let files: Vec<(&str, &str, &[u8])> = documents
        .iter()
        .map(|(kind, bytes)| (kind.field(), "文件.pdf", bytes.as_slice()))
        .collect();
    let (status, html) = portal
        .post_files(APPLY_PATH, Some(agency), &fields, &files)
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = Page::parse(&html);
    assert!(
        page.notices()
            .iter()
            .any(|notice| notice.contains("案件編號")),
        "filed: {:?}",
        page.alerts()
    );
    page.text("[role=status] a")
}

/// `cookie` posts `fields` to the case page of its side.
pub(crate) async fn post(
    portal: &Portal,
    cookie: &str,
    agency: bool,
    id: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Page) {
    let path = if agency {
        AGENCY_CASE_PATH
    } else {
        STAFF_CASE_PATH
    };
    let (status, html) = portal
        .post_page(&format!("{path}?id={id}"), Some(cookie), fields)
        .await;
    (status, Page::parse(&html))
}

/// `cookie` takes `step` of case `id`; the page answers that it is done.
pub(crate) async fn take(
    portal: &Portal,
    cookie: &str,
    agency: bool,
    id: &str,
    step: Step,
    extra: &[(&str, &str)],
) -> Page {
    let mut fields = vec![("action", "step"), ("step", step.code())];
    fields.extend_from_slice(extra);
    let (status, page) = post(portal, cookie, agency, id, &fields).await;
    assert_eq!(status, StatusCode::OK, "{step:?}");
    assert!(
        page.notices()
            .iter()
            .any(|notice| notice.contains("已完成")),
        "{step:?}: {:?}",
        page.alerts()
    );
    page
}

pub(crate) async fn inbox(portal: &Portal, cookie: &str) -> Vec<Vec<String>> {
    let response = portal.page(STAFF_PATH, Some(cookie)).await;
    let page = Page::parse(&crate::support::body_text(response).await);
    if page.texts(".no-records").is_empty() {
        page.table_rows("待您辦理")
    } else {
        Vec::new()
    }
}

async fn done(portal: &Portal, id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM workflow_steps WHERE case_id = $1 AND party = '*'")
        .bind(id)
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("steps")
}

/// What the staff case page of `id` says of the agency's user environment (L-8).
async fn environment(portal: &Portal, cookie: &str, id: &str) -> String {
    let response = portal
        .page(&format!("{STAFF_CASE_PATH}?id={id}"), Some(cookie))
        .await;
    Page::parse(&crate::support::body_text(response).await).text(".environment")
}

/// Takes steps 2 to 5 of case `id`.
pub(crate) async fn review(portal: &Portal, who: &Parties, id: &str) {
    take(portal, &who.county, false, id, Step::S02Receive, &[]).await;
    take(portal, &who.county, false, id, Step::S03CountyConfirm, &[]).await;
    take(portal, &who.agency, true, id, Step::S04AgencyConfirm, &[]).await;
    take(
        portal,
        &who.ministry,
        false,
        id,
        Step::S05MinistryReview,
        &[],
    )
    .await;
}

#[tokio::test]
async fn l_1_to_l_17_a_link_interface_case_moves_through_the_five_inboxes() {
    let portal = Portal::start().await;
    let who = parties(&portal).await;
    let id = file(&portal, &who.agency, "203.0.113.0/28").await;

    // L-21: the step waits in its party's inbox only.
    let county = inbox(&portal, &who.county).await;
    assert_eq!(county.len(), 1);
    assert_eq!(county[0][0], id);
    assert!(county[0][3].starts_with("2."), "{county:?}");
    assert!(inbox(&portal, &who.elsewhere).await.is_empty());
    assert!(inbox(&portal, &who.ministry).await.is_empty());
    let (_, page) = post(
        &portal,
        &who.elsewhere,
        false,
        &id,
        &[("action", "step"), ("step", "s02")],
    )
    .await;
    assert!(page
        .alerts()
        .iter()
        .any(|alert| alert.contains("查無此申請案件")));
    assert_eq!(done(&portal, &id).await, 1);

    review(&portal, &who, &id).await;
    // Not theirs: 中華電信 cannot assign the addresses; nothing changes.
    let (status, _) = post(
        &portal,
        &who.cht,
        false,
        &id,
        &[("action", "step"), ("step", "s06")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(done(&portal, &id).await, 5);

    let assigned = take(&portal, &who.it, false, &id, Step::S06Addresses, &[]).await;
    assert_eq!(assigned.table_rows("資訊服務司編訂之網路位址").len(), 3);
    take(
        &portal,
        &who.ministry,
        false,
        &id,
        Step::S07MinistryReply,
        &[],
    )
    .await;

    // L-7: the county unit sees the 密碼表 once, and it works; only its hash is kept.
    let registered = take(&portal, &who.county, false, &id, Step::S08Register, &[]).await;
    let told = registered.notices().join(" ");
    let user = told
        .split("使用者代號 ")
        .nth(1)
        .and_then(|rest| rest.split('，').next())
        .expect("user");
    let password = told
        .split("密碼 ")
        .nth(1)
        .and_then(|rest| rest.split('。').next())
        .expect("password");
    let mut conn = portal.app.test_db.db.pool.acquire().await.expect("conn");
    assert!(password_table::verify(&mut conn, &id, user, password)
        .await
        .expect("verify"));
    let again = crate::support::body_text(
        portal
            .page(&format!("{STAFF_CASE_PATH}?id={id}"), Some(&who.county))
            .await,
    )
    .await;
    assert!(!again.contains(password), "shown once");
    // L-8: the agency's first 連結介面 made its user environment.
    let environments: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM agency_environments WHERE agency_code = $1")
            .bind(TAIPEI_POLICE)
            .fetch_one(&mut *conn)
            .await
            .expect("environments");
    assert_eq!(environments, 1);
    // Twice is refused, and nothing changes.
    let (_, twice) = post(
        &portal,
        &who.county,
        false,
        &id,
        &[("action", "step"), ("step", "s08")],
    )
    .await;
    assert!(
        twice
            .alerts()
            .iter()
            .any(|alert| alert.contains("此步驟已完成")),
        "{:?}",
        twice.alerts()
    );

    // L-9, L-10, L-15 in parallel; no key exchange for 連結介面.
    assert_eq!(inbox(&portal, &who.cht).await.len(), 1);
    take(&portal, &who.it, false, &id, Step::S09Firewall, &[]).await;
    take(&portal, &who.cht, false, &id, Step::S10ChtAddress, &[]).await;
    take(&portal, &who.cht, false, &id, Step::S15ChtLine, &[]).await;
    let (_, missing) = post(
        &portal,
        &who.county,
        false,
        &id,
        &[("action", "step"), ("step", "s16")],
    )
    .await;
    assert!(!missing.alerts().is_empty(), "the test date is required");
    assert_eq!(done(&portal, &id).await, 11);
    take(
        &portal,
        &who.county,
        false,
        &id,
        Step::S16CountyTest,
        &[("test_at", "112/11/20 10:00:00")],
    )
    .await;
    take(&portal, &who.it, false, &id, Step::S17ItTest, &[]).await;
    // L-18 is the agency's own test call, not a form.
    let (_, by_form) = post(
        &portal,
        &who.agency,
        true,
        &id,
        &[("action", "step"), ("step", "s18")],
    )
    .await;
    assert!(by_form
        .alerts()
        .iter()
        .any(|alert| alert.contains("其他方式")));

    let response = portal
        .page(&format!("{AGENCY_CASE_PATH}?id={id}"), Some(&who.agency))
        .await;
    let page = Page::parse(&crate::support::body_text(response).await);
    let history = page.texts(".timeline li");
    assert_eq!(history.len(), 1 + 13, "{history:?}");
    assert!(history
        .iter()
        .any(|entry| entry.contains("5. 戶政司審核申請表")));
    let actions = portal.audit_actions().await;
    assert!(actions
        .iter()
        .any(|(actor, action)| actor.starts_with("staff:") && action == "agency_link.case.s05"));
    assert!(actions.contains(&(
        format!("agency:{TAIPEI_POLICE}"),
        "agency_link.case.s04".into()
    )));
}

#[tokio::test]
async fn l_11_to_l_14_the_agency_certificate_travels_to_information_services_for_an_iss_key() {
    let portal = Portal::start().await;
    let who = parties(&portal).await;
    let id = file_for(&portal, &who.agency, "api_vpn", "203.0.113.32/28").await;
    review(&portal, &who, &id).await;
    take(&portal, &who.it, false, &id, Step::S06Addresses, &[]).await;
    take(
        &portal,
        &who.ministry,
        false,
        &id,
        Step::S07MinistryReply,
        &[],
    )
    .await;
    take(&portal, &who.county, false, &id, Step::S08Register, &[]).await;
    assert_eq!(done(&portal, &id).await, 8);

    // Another agency's certificate, or none, is refused, and nothing changes.
    let other = portal.agency_card("382130000C", "新北市政府警察局");
    for pasted in [
        certificate_pem(&other.certificate_der),
        "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----".into(),
    ] {
        let (status, refused) = post(
            &portal,
            &who.agency,
            true,
            &id,
            &[
                ("action", "step"),
                ("step", "s11"),
                ("certificate", &pasted),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(!refused.alerts().is_empty(), "refused");
    }
    assert_eq!(done(&portal, &id).await, 8);
    // Only the agency hands it over.
    let own = portal.agency_card(TAIPEI_POLICE, "臺北市政府警察局");
    let pem = certificate_pem(&own.certificate_der);
    let (status, _) = post(
        &portal,
        &who.county,
        false,
        &id,
        &[("action", "step"), ("step", "s11"), ("certificate", &pem)],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let handed = take(
        &portal,
        &who.agency,
        true,
        &id,
        Step::S11AgencyKey,
        &[("certificate", &pem)],
    )
    .await;
    assert_eq!(
        handed.texts(".keys dd code").len(),
        1,
        "the serial is shown"
    );
    take(&portal, &who.county, false, &id, Step::S12CountyKey, &[]).await;
    take(
        &portal,
        &who.ministry,
        false,
        &id,
        Step::S13MinistryKey,
        &[],
    )
    .await;
    let issued = take(&portal, &who.it, false, &id, Step::S14IssKey, &[]).await;
    let key = issued.text(".iss-key");
    assert_eq!(key.len(), 32, "{key}");
    assert!(issued.notices().join(" ").contains(&key));
    let stored: (String, String) =
        sqlx::query_as("SELECT iss_key, certificate_pem FROM agency_link_keys WHERE link_id = $1")
            .bind(&id)
            .fetch_one(&portal.app.test_db.db.pool)
            .await
            .expect("keys");
    assert_eq!(stored, (key.clone(), pem.clone()));

    // The agency reads its Iss key on the case page; the county unit sees only that it exists.
    let agency_page = Page::parse(
        &crate::support::body_text(
            portal
                .page(&format!("{AGENCY_CASE_PATH}?id={id}"), Some(&who.agency))
                .await,
        )
        .await,
    );
    assert_eq!(agency_page.text(".iss-key"), key);
    let county_page = crate::support::body_text(
        portal
            .page(&format!("{STAFF_CASE_PATH}?id={id}"), Some(&who.county))
            .await,
    )
    .await;
    assert!(!county_page.contains(&key));
    assert!(county_page.contains("已產製"));

    // L-6: sent back, the exchange is forgotten with the addresses and made again.
    take(&portal, &who.it, false, &id, Step::S09Firewall, &[]).await;
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agency_link_keys WHERE link_id = $1")
        .bind(&id)
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("keys");
    assert_eq!(keys, 1);
    let (_, withdrawn) = post(&portal, &who.agency, true, &id, &[("action", "withdraw")]).await;
    assert!(withdrawn.notices().join(" ").contains("已撤回"));
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agency_link_keys WHERE link_id = $1")
        .bind(&id)
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("keys");
    assert_eq!(keys, 0, "a withdrawn case's keys are forgotten");
}

#[tokio::test]
async fn l_6_a_conflicting_host_is_sent_back_and_filed_again_with_another_address() {
    let portal = Portal::start().await;
    let who = parties(&portal).await;
    // The host lies in the registry network's own range (戶役政資訊網路, 10.200.0.0/16).
    let second = file(&portal, &who.agency, "10.200.8.0/29").await;
    review(&portal, &who, &second).await;
    let (_, refused) = post(
        &portal,
        &who.it,
        false,
        &second,
        &[("action", "step"), ("step", "s06")],
    )
    .await;
    let alert = refused.alerts().join(" ");
    assert!(
        alert.contains("10.200.0.0/16"),
        "the conflict is named: {alert}"
    );

    let (_, sent) = post(
        &portal,
        &who.it,
        false,
        &second,
        &[
            ("action", "send_back"),
            ("reason", "主機網路位址與其他機關衝突，請更換"),
        ],
    )
    .await;
    assert!(sent
        .notices()
        .iter()
        .any(|notice| notice.contains("已退回")));
    assert_eq!(done(&portal, &second).await, 0);
    let (_, again) = post(
        &portal,
        &who.agency,
        true,
        &second,
        &[
            ("action", "step"),
            ("step", "s01"),
            ("host_address", "198.51.100.0/28"),
        ],
    )
    .await;
    assert!(
        again
            .notices()
            .iter()
            .any(|notice| notice.contains("已完成")),
        "{:?}",
        again.alerts()
    );
    let host: String = sqlx::query_scalar("SELECT host_address FROM agency_links WHERE id = $1")
        .bind(&second)
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("host");
    assert_eq!(host, "198.51.100.0/28");
    review(&portal, &who, &second).await;
    take(&portal, &who.it, false, &second, Step::S06Addresses, &[]).await;
}

#[tokio::test]
async fn l_8_withdrawing_the_last_link_interface_case_removes_the_user_environment() {
    let portal = Portal::start().await;
    let who = parties(&portal).await;
    let id = file(&portal, &who.agency, "203.0.113.0/28").await;
    review(&portal, &who, &id).await;
    take(&portal, &who.it, false, &id, Step::S06Addresses, &[]).await;
    take(
        &portal,
        &who.ministry,
        false,
        &id,
        Step::S07MinistryReply,
        &[],
    )
    .await;
    take(&portal, &who.county, false, &id, Step::S08Register, &[]).await;
    let pool = &portal.app.test_db.db.pool;
    let count = |table: &'static str| async move {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(pool)
            .await
            .expect("count")
    };
    assert_eq!(count("agency_environments").await, 1);
    assert_eq!(count("agency_link_addresses").await, 3);
    // The county unit sees on the case page the environment its registration made.
    let shown = environment(&portal, &who.county, &id).await;
    assert!(
        shown.starts_with("已建立於") && shown.contains(&id),
        "{shown}"
    );

    // The county cannot withdraw the agency's case.
    let (status, _) = post(&portal, &who.county, false, &id, &[("action", "withdraw")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, withdrawn) = post(&portal, &who.agency, true, &id, &[("action", "withdraw")]).await;
    assert!(withdrawn
        .notices()
        .iter()
        .any(|notice| notice.contains("已撤回")));
    assert_eq!(count("agency_environments").await, 0);
    assert_eq!(count("agency_link_addresses").await, 0);
    assert!(environment(&portal, &who.county, &id)
        .await
        .starts_with("無"));
    let (_, twice) = post(&portal, &who.agency, true, &id, &[("action", "withdraw")]).await;
    assert!(!twice.alerts().is_empty());
    assert!(inbox(&portal, &who.it).await.is_empty());
}

#[tokio::test]
async fn l_1_an_agency_files_only_with_its_own_county_unit() {
    let portal = Portal::start().await;
    let agency = portal.agency_card(TAIPEI_POLICE, "臺北市政府警察局");
    let cookie = portal.session("Agency", TAIPEI_POLICE, &agency).await;
    let pdf = pdf(DocumentKind::ApplicationForm);
    let (status, html) = portal
        .post_files(
            APPLY_PATH,
            Some(&cookie),
            &[
                ("interface", "egate_internet"),
                ("data_kind", "military"),
                ("county", "新北市"),
            ],
            &[(
                DocumentKind::ApplicationForm.field(),
                "a.pdf",
                pdf.as_slice(),
            )],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(Page::parse(&html).field_error("county").contains("臺北市"));
    // Nobody but a signed-in agency may send the large form at all.
    let (status, _) = portal
        .post_files(APPLY_PATH, None, &[("interface", "egate_internet")], &[])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agency_links")
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("count");
    assert_eq!(count, 0);
}
