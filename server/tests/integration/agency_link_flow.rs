//! Agency linking as its five parties work it in the browser (SPEC §2, issue 18): the agency
//! files on its page, each step waits in the inbox of the party that takes it (L-21) and is
//! taken on the case page, a conflicting address sends the case back (L-6), the 密碼表 is
//! shown once (L-7), and the user environment follows the agency's 連結介面 cases (L-8).

use crate::support::{Page, Portal};
use app::cases::Code;
use app::cases::Party;
use app::pki::certificate_pem;
use app::services::agency_link::cases::{Step, AGENCY, CHT, COUNTY, IT, MINISTRY};
use app::services::agency_link::documents::DocumentKind;
use app::services::agency_link::password_table;
use app::services::agency_link::{AGENCY_CASE_PATH, APPLY_PATH, STAFF_CASE_PATH, STAFF_PATH};
use app::services::staff::role::Role;
use axum::http::StatusCode;

pub(crate) const TAIPEI_POLICE: &str = "379130000C";

/// Where the notices of each party of [`parties`] go.
pub(crate) const AGENCY_MAIL: &str = "linking.tpd@example.com";
pub(crate) const COUNTY_MAIL: &str = "civil@gov.taipei";
pub(crate) const MILITARY_MAIL: &str = "military@gov.taipei";
pub(crate) const NTPC_MAIL: &str = "civil@ntpc.gov.tw";
pub(crate) const MINISTRY_MAIL: &str = "review@moi.gov.tw";
pub(crate) const IT_MAIL: &str = "it@moi.gov.tw";
pub(crate) const CHT_MAIL: &str = "link@cht.com.tw";

/// The signed-in parties of a case filed in 臺北市, each staff party with a notice address.
pub(crate) struct Parties {
    pub(crate) agency: String,
    /// The 臺北市 民政局, which has the household-data cases.
    pub(crate) county: String,
    /// The 臺北市 役政單位, which has the military-data cases (L-2).
    pub(crate) military: String,
    /// The 新北市 民政局, which has none of 臺北市's.
    pub(crate) elsewhere: String,
    pub(crate) ministry: String,
    pub(crate) it: String,
    pub(crate) cht: String,
}

impl Parties {
    /// The session of `party` on a household-data case, and whether it is the agency's.
    fn of(&self, party: Party) -> (&str, bool) {
        match party {
            AGENCY => (&self.agency, true),
            COUNTY => (&self.county, false),
            MINISTRY => (&self.ministry, false),
            IT => (&self.it, false),
            CHT => (&self.cht, false),
            other => panic!("no session of {other:?}"),
        }
    }
}

pub(crate) async fn parties(portal: &Portal) -> Parties {
    let agency = portal.agency_card(TAIPEI_POLICE, "臺北市政府警察局");
    let mut staff = Vec::new();
    for (name, role, jurisdiction, email) in [
        ("陳民政", Role::CountyOfficer, "county:臺北市", COUNTY_MAIL),
        (
            "張役政",
            Role::CountyMilitaryOfficer,
            "county:臺北市",
            MILITARY_MAIL,
        ),
        ("高民政", Role::CountyOfficer, "county:新北市", NTPC_MAIL),
        ("張審核", Role::MinistryReviewer, "national", MINISTRY_MAIL),
        ("林資訊", Role::InformationServices, "national", IT_MAIL),
        ("王中華", Role::ChtEngineer, "national", CHT_MAIL),
    ] {
        let card = portal
            .staff_mailed(name, role, jurisdiction, Some(email))
            .await;
        staff.push(portal.session("Staff", "", &card).await);
    }
    let [county, military, elsewhere, ministry, it, cht] =
        <[String; 6]>::try_from(staff).expect("six");
    Parties {
        agency: portal.session("Agency", TAIPEI_POLICE, &agency).await,
        county,
        military,
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
    file_with(portal, agency, &fields, DocumentKind::ALL).await
}

/// Files an application of `fields` with a PDF for each of `documents` on the agency's page;
/// the case id.
pub(crate) async fn file_with(
    portal: &Portal,
    agency: &str,
    fields: &[(&str, &str)],
    documents: &[DocumentKind],
) -> String {
    let pdfs: Vec<Vec<u8>> = documents.iter().map(|kind| pdf(*kind)).collect();
    let files: Vec<(&str, &str, &[u8])> = documents
        .iter()
        .zip(&pdfs)
        .map(|(kind, bytes)| (kind.field(), "文件.pdf", bytes.as_slice()))
        .collect();
    let (status, html) = portal
        .post_files(APPLY_PATH, Some(agency), fields, &files)
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

/// The page of case `id` on the agency's side or the staff side.
fn case_path(agency: bool, id: &str) -> String {
    let path = if agency {
        AGENCY_CASE_PATH
    } else {
        STAFF_CASE_PATH
    };
    format!("{path}?id={id}")
}

/// The HTML of case `id`'s page as `cookie` sees it on its side.
pub(crate) async fn case_html(portal: &Portal, cookie: &str, agency: bool, id: &str) -> String {
    let response = portal.page(&case_path(agency, id), Some(cookie)).await;
    assert_eq!(response.status(), StatusCode::OK);
    crate::support::body_text(response).await
}

/// Case `id`'s page as `cookie` sees it on its side.
pub(crate) async fn case_page(portal: &Portal, cookie: &str, agency: bool, id: &str) -> Page {
    Page::parse(&case_html(portal, cookie, agency, id).await)
}

/// `cookie` posts `fields` to the case page of its side.
pub(crate) async fn post(
    portal: &Portal,
    cookie: &str,
    agency: bool,
    id: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Page) {
    let (status, html) = portal
        .post_page(&case_path(agency, id), Some(cookie), fields)
        .await;
    (status, Page::parse(&html))
}

/// `cookie` posts `step` of case `id` (with `extra` fields), done or refused.
pub(crate) async fn try_step(
    portal: &Portal,
    cookie: &str,
    agency: bool,
    id: &str,
    step: Step,
    extra: &[(&str, &str)],
) -> (StatusCode, Page) {
    let mut fields = vec![("action", "step"), ("step", step.code())];
    fields.extend_from_slice(extra);
    post(portal, cookie, agency, id, &fields).await
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
    let (status, page) = try_step(portal, cookie, agency, id, step, extra).await;
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

/// The steps of case `id` done, in order of their codes.
pub(crate) async fn steps_done(portal: &Portal, id: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT step FROM workflow_steps WHERE case_id = $1 AND party = '*' ORDER BY step",
    )
    .bind(id)
    .fetch_all(&portal.app.test_db.db.pool)
    .await
    .expect("steps")
}

/// What the staff case page of `id` says of the agency's user environment (L-8).
async fn environment(portal: &Portal, cookie: &str, id: &str) -> String {
    case_page(portal, cookie, false, id)
        .await
        .text(".environment")
}

/// Takes `steps` of household-data case `id` in order, each by the party the workflow names
/// for it; the page of the last.
pub(crate) async fn take_steps(portal: &Portal, who: &Parties, id: &str, steps: &[Step]) -> Page {
    let mut last = None;
    for step in steps {
        let (cookie, agency) = who.of(step.party());
        last = Some(take(portal, cookie, agency, id, *step, &[]).await);
    }
    last.expect("a step")
}

/// Takes steps 2 to 5 of case `id`.
pub(crate) async fn review(portal: &Portal, who: &Parties, id: &str) {
    use Step::*;
    let steps = [
        S02Receive,
        S03CountyConfirm,
        S04AgencyConfirm,
        S05MinistryReview,
    ];
    take_steps(portal, who, id, &steps).await;
}

/// Takes steps 6 to 8 of reviewed case `id`; the county unit's page of step 8, which shows
/// the 密碼表 (L-7).
pub(crate) async fn register(portal: &Portal, who: &Parties, id: &str) -> Page {
    use Step::*;
    let steps = [S06Addresses, S07MinistryReply, S08Register];
    take_steps(portal, who, id, &steps).await
}

/// The 密碼表 (user code, password) `page` shows once (L-7).
pub(crate) fn password_table_shown(page: &Page) -> (String, String) {
    let told = page.notices().join(" ");
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
    (user.to_owned(), password.to_owned())
}

/// Whether the 密碼表 `(user, password)` is case `id`'s current one.
pub(crate) async fn password_table_works(
    portal: &Portal,
    id: &str,
    (user, password): &(String, String),
) -> bool {
    let mut conn = portal.app.test_db.db.pool.acquire().await.expect("conn");
    password_table::verify(&mut conn, id, user, password)
        .await
        .expect("verify")
}

/// Takes steps 9, 10 and 15 of registered case `id`: the firewall, and 中華電信's address
/// and line.
pub(crate) async fn connect(portal: &Portal, who: &Parties, id: &str) {
    use Step::*;
    let steps = [S09Firewall, S10ChtAddress, S15ChtLine];
    take_steps(portal, who, id, &steps).await;
}

/// Takes steps 12 to 14 of case `id` whose agency handed over its certificate (step 11);
/// 資訊服務司's page of step 14, which shows the Iss key it issued.
pub(crate) async fn approve_keys(portal: &Portal, who: &Parties, id: &str) -> Page {
    use Step::*;
    let steps = [S12CountyKey, S13MinistryKey, S14IssKey];
    take_steps(portal, who, id, &steps).await
}

/// Takes steps 16 and 17 of case `id`: the county unit schedules the connection test at `at`
/// (ROC date-time), and 資訊服務司 assists it.
pub(crate) async fn schedule_test(portal: &Portal, who: &Parties, id: &str, at: &str) {
    take(
        portal,
        &who.county,
        false,
        id,
        Step::S16CountyTest,
        &[("test_at", at)],
    )
    .await;
    take(portal, &who.it, false, id, Step::S17ItTest, &[]).await;
}

/// How many key exchanges of case `id` are kept.
async fn keys_kept(portal: &Portal, id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM agency_link_keys WHERE link_id = $1")
        .bind(id)
        .fetch_one(&portal.app.test_db.db.pool)
        .await
        .expect("keys")
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
    let (_, page) = try_step(&portal, &who.elsewhere, false, &id, Step::S02Receive, &[]).await;
    assert!(page
        .alerts()
        .iter()
        .any(|alert| alert.contains("查無此申請案件")));
    assert_eq!(steps_done(&portal, &id).await.len(), 1);

    review(&portal, &who, &id).await;
    // Not theirs: 中華電信 cannot assign the addresses; nothing changes.
    let (status, _) = try_step(&portal, &who.cht, false, &id, Step::S06Addresses, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(steps_done(&portal, &id).await.len(), 5);

    // L-7: the county unit sees the 密碼表 once, and it works; only its hash is kept.
    let registered = register(&portal, &who, &id).await;
    assert_eq!(registered.table_rows("資訊服務司編訂之網路位址").len(), 3);
    let table = password_table_shown(&registered);
    assert!(password_table_works(&portal, &id, &table).await);
    let again = case_html(&portal, &who.county, false, &id).await;
    assert!(!again.contains(&table.1), "shown once");
    // L-8: the agency's first 連結介面 made its user environment.
    let environments: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM agency_environments WHERE agency_code = $1")
            .bind(TAIPEI_POLICE)
            .fetch_one(&portal.app.test_db.db.pool)
            .await
            .expect("environments");
    assert_eq!(environments, 1);
    // Twice is refused, and nothing changes.
    let (_, twice) = try_step(&portal, &who.county, false, &id, Step::S08Register, &[]).await;
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
    connect(&portal, &who, &id).await;
    let (_, missing) = try_step(&portal, &who.county, false, &id, Step::S16CountyTest, &[]).await;
    assert!(!missing.alerts().is_empty(), "the test date is required");
    assert_eq!(steps_done(&portal, &id).await.len(), 11);
    schedule_test(&portal, &who, &id, "112/11/20 10:00:00").await;
    // L-18 is the agency's own test call, not a form.
    let (_, by_form) = try_step(&portal, &who.agency, true, &id, Step::S18AgencyTest, &[]).await;
    assert!(by_form
        .alerts()
        .iter()
        .any(|alert| alert.contains("其他方式")));

    let history = case_page(&portal, &who.agency, true, &id)
        .await
        .texts(".timeline li");
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
    register(&portal, &who, &id).await;
    assert_eq!(steps_done(&portal, &id).await.len(), 8);

    // Another agency's certificate, or none, is refused, and nothing changes.
    let other = portal.agency_card("382130000C", "新北市政府警察局");
    for pasted in [
        certificate_pem(&other.certificate_der),
        "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----".into(),
    ] {
        let (status, refused) = try_step(
            &portal,
            &who.agency,
            true,
            &id,
            Step::S11AgencyKey,
            &[("certificate", &pasted)],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(!refused.alerts().is_empty(), "refused");
    }
    assert_eq!(steps_done(&portal, &id).await.len(), 8);
    // Only the agency hands it over.
    let own = portal.agency_card(TAIPEI_POLICE, "臺北市政府警察局");
    let pem = certificate_pem(&own.certificate_der);
    let (status, _) = try_step(
        &portal,
        &who.county,
        false,
        &id,
        Step::S11AgencyKey,
        &[("certificate", &pem)],
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
    let issued = approve_keys(&portal, &who, &id).await;
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
    let agency_page = case_page(&portal, &who.agency, true, &id).await;
    assert_eq!(agency_page.text(".iss-key"), key);
    let county_page = case_html(&portal, &who.county, false, &id).await;
    assert!(!county_page.contains(&key));
    assert!(county_page.contains("已產製"));

    // Withdrawn, the case forgets its key exchange with its addresses.
    take(&portal, &who.it, false, &id, Step::S09Firewall, &[]).await;
    assert_eq!(keys_kept(&portal, &id).await, 1);
    let (_, withdrawn) = post(&portal, &who.agency, true, &id, &[("action", "withdraw")]).await;
    assert!(withdrawn.notices().join(" ").contains("已撤回"));
    assert_eq!(
        keys_kept(&portal, &id).await,
        0,
        "a withdrawn case's keys are forgotten"
    );
}

#[tokio::test]
async fn l_6_a_conflicting_host_is_sent_back_and_filed_again_with_another_address() {
    let portal = Portal::start().await;
    let who = parties(&portal).await;
    // The host lies in the registry network's own range (戶役政資訊網路, 10.200.0.0/16).
    let second = file(&portal, &who.agency, "10.200.8.0/29").await;
    review(&portal, &who, &second).await;
    let (_, refused) = try_step(&portal, &who.it, false, &second, Step::S06Addresses, &[]).await;
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
    assert_eq!(steps_done(&portal, &second).await.len(), 0);
    take(
        &portal,
        &who.agency,
        true,
        &second,
        Step::S01File,
        &[("host_address", "198.51.100.0/28")],
    )
    .await;
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
    register(&portal, &who, &id).await;
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
