//! Filing an agency linking application (seed 001 step 1, SPEC §2 L-1, issue 18) on real
//! databases: the case row, its items and documents, its start and step 1 written together,
//! or nothing at all.

use crate::support::{fresh_db, test_clock, TestDb};
use app::cases::actor::Actor;
use app::cases::work::Work;
use app::cases::{Code, Party};
use app::error::PortalError;
use app::platform::clock::Clock;
use app::services::agency_link::documents::{self, DocumentKind, Upload, MAX_BYTES};
use app::services::agency_link::form::Application;
use app::services::agency_link::store;
use sqlx::{AnyPool, Row};

const AGENCY: &str = "376470000A";

/// The agency as its sign-in will make it (until that lands, built literally).
fn agency() -> Actor {
    Actor {
        party: Party::Agency,
        name: format!("agency:{AGENCY}"),
        source_ip: "203.0.113.5".into(),
        staff_id: None,
    }
}

/// A database with the demo agency.
async fn with_agency() -> TestDb {
    let test_db = fresh_db().await;
    sqlx::query(
        "INSERT INTO agencies (code, name, county, email, created_at) \
         VALUES ($1, '範例市政府', '臺北市', 'link@agency.gov.tw', 0)",
    )
    .bind(AGENCY)
    .execute(&test_db.db.pool)
    .await
    .expect("agency");
    test_db
}

/// A household-data Web Service API application, the agency's first over the GSN VPN.
fn posted(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("interface", "api_vpn"),
        ("data_kind", "household"),
        ("county", "臺北市"),
        ("host_address", "203.0.113.0/28"),
        ("legal_basis", "戶籍法第六十五條"),
        ("purpose", "核對申辦案件當事人之戶籍資料"),
        ("contact_name", "林志明"),
        ("contact_landline", "(02)23456789#123"),
        ("contact_email", "lin@agency.gov.tw"),
        ("items", "household.national_id"),
        ("items", "household.name"),
        ("items", "household.street_address"),
        ("ciso_name", "陳資安"),
        ("ciso_title", "資通安全長"),
        ("ciso_reviewed_on", "112/11/10"),
        ("first_vpn", "yes"),
        ("vpn_customer_name", "範例市政府"),
        ("vpn_tech_name", "張技術"),
        ("vpn_tech_phone", "0912345678"),
        ("vpn_tech_email", "tech@agency.gov.tw"),
        ("vpn_admin_name", "王管理"),
        ("vpn_admin_phone", "(02)23456789"),
        ("vpn_admin_email", "admin@agency.gov.tw"),
        ("vpn_customer_type", "GSN-VPN"),
        ("vpn_group_name", "內政部(戶役政連結系統)"),
        ("vpn_group_code", "D75"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (key, value) in extra {
        form.retain(|(k, _)| k != key);
        form.push(((*key).to_owned(), (*value).to_owned()));
    }
    form
}

fn pdf(kind: DocumentKind) -> Vec<u8> {
    format!("%PDF-1.7\n% {}\n%%EOF\n", kind.code()).into_bytes()
}

/// One document of each kind `application` needs.
fn documents_for(application: &Application) -> Vec<Upload> {
    documents::required_documents(application)
        .into_iter()
        .map(|kind| Upload::new(kind, &format!("{}.pdf", kind.code()), pdf(kind)).unwrap())
        .collect()
}

/// Files `application` with `uploads` as the agency, committing only if it is taken.
async fn file(
    pool_db: &TestDb,
    application: &Application,
    uploads: Vec<Upload>,
) -> Result<String, PortalError> {
    let actor = agency();
    let mut work = Work::begin(&pool_db.db, &actor, test_clock().unix()).await?;
    let id = store::file(&mut work, AGENCY, application, uploads).await?;
    work.commit().await?;
    Ok(id)
}

async fn count(pool: &AnyPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .expect("count")
}

/// Nothing of a filing is in the database.
async fn assert_nothing_written(pool: &AnyPool) {
    for table in [
        "agency_links",
        "agency_link_items",
        "agency_link_documents",
        "workflow_steps",
        "case_events",
    ] {
        assert_eq!(count(pool, table).await, 0, "{table}");
    }
}

#[tokio::test]
async fn l_1_the_agency_files_and_the_case_starts_with_step_1_done() {
    let test_db = with_agency().await;
    let pool = &test_db.db.pool;
    let application = Application::parse(&posted(&[])).expect("valid form");
    let uploads = documents_for(&application);
    assert_eq!(uploads.len(), 5);
    let id = file(&test_db, &application, uploads).await.expect("filed");
    assert_eq!(id, "A1121117-000001");

    let row = sqlx::query(
        "SELECT agency_code, interface, data_kind, county, status, revision, host_address, \
         application, filed_at, CAST(first_vpn AS INTEGER) AS first_vpn \
         FROM agency_links WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(pool)
    .await
    .expect("the case row");
    let text = |column: &str| row.try_get::<String, _>(column).unwrap();
    assert_eq!(text("agency_code"), AGENCY);
    assert_eq!(text("interface"), "api_vpn");
    assert_eq!(text("data_kind"), "household");
    assert_eq!(text("county"), "臺北市");
    assert_eq!(text("status"), "in_progress");
    assert_eq!(text("host_address"), "203.0.113.0/28");
    assert_eq!(row.try_get::<i64, _>("first_vpn").unwrap(), 1);
    assert_eq!(
        row.try_get::<i64, _>("filed_at").unwrap(),
        test_clock().unix()
    );
    // Inserted at revision 0; step 1 bumped it.
    assert_eq!(row.try_get::<i64, _>("revision").unwrap(), 1);
    let details: serde_json::Value = serde_json::from_str(&text("application")).unwrap();
    assert_eq!(details["security_review"]["reviewed_on"], "112/11/10");
    assert_eq!(details["gsn_vpn"]["technical"]["name"], "張技術");

    let items: Vec<String> =
        sqlx::query_scalar("SELECT item FROM agency_link_items WHERE link_id = $1 ORDER BY item")
            .bind(&id)
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(
        items,
        [
            "household.name",
            "household.national_id",
            "household.street_address"
        ]
    );

    let mut conn = pool.acquire().await.unwrap();
    let filed = documents::list(&mut conn, &id).await.unwrap();
    let kinds: Vec<DocumentKind> = filed.iter().map(|document| document.kind).collect();
    assert_eq!(kinds.len(), 5);
    for kind in DocumentKind::ALL {
        assert!(kinds.contains(kind), "{kind:?}");
    }
    let gsn = filed
        .iter()
        .find(|document| document.kind == DocumentKind::GsnVpn)
        .unwrap();
    assert_eq!(gsn.file_name, "gsn_vpn.pdf");
    assert_eq!(gsn.uploaded_by, format!("agency:{AGENCY}"));
    let bytes = pdf(DocumentKind::GsnVpn);
    assert_eq!(gsn.size, bytes.len() as i64);
    let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
    assert_eq!(gsn.sha256, hex::encode(digest));
    let download = documents::fetch(&mut conn, &id, &gsn.id)
        .await
        .unwrap()
        .expect("the document");
    assert_eq!(download.bytes, bytes);
    assert!(documents::fetch(&mut conn, "A1121117-000002", &gsn.id)
        .await
        .unwrap()
        .is_none());

    let steps: Vec<(String, String)> = sqlx::query_as(
        "SELECT step, party FROM workflow_steps WHERE case_type = 'agency_link.case' \
         AND case_id = $1",
    )
    .bind(&id)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(steps, [("s01".to_owned(), "*".to_owned())]);
    let events: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, actor FROM case_events WHERE case_type = 'agency_link.case' \
         AND case_id = $1 ORDER BY id",
    )
    .bind(&id)
    .fetch_all(pool)
    .await
    .unwrap();
    let agency = format!("agency:{AGENCY}");
    assert_eq!(
        events,
        [
            ("file".to_owned(), agency.clone()),
            ("s01".to_owned(), agency)
        ]
    );
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE subject = $1 ORDER BY seq")
            .bind(&id)
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(audited, ["agency_link.case.file", "agency_link.case.s01"]);
}

#[tokio::test]
async fn l_1_a_military_later_application_files_three_documents_and_numbers_follow() {
    let test_db = with_agency().await;
    let first = Application::parse(&posted(&[])).unwrap();
    file(&test_db, &first, documents_for(&first)).await.unwrap();
    let mut form = posted(&[
        ("data_kind", "military"),
        ("interface", "egate_internet"),
        ("first_vpn", ""),
        ("county", "連江縣"),
    ]);
    form.retain(|(k, _)| !k.starts_with("ciso_") && !k.starts_with("vpn_") && k != "items");
    form.push(("items".into(), "military.name".into()));
    let military = Application::parse(&form).expect("valid form");
    let uploads = documents_for(&military);
    assert_eq!(uploads.len(), 3);
    let id = file(&test_db, &military, uploads).await.unwrap();
    assert_eq!(id, "A1121117-000002");
    let kind: String = sqlx::query_scalar("SELECT data_kind FROM agency_links WHERE id = $1")
        .bind(&id)
        .fetch_one(&test_db.db.pool)
        .await
        .unwrap();
    assert_eq!(kind, "military");
}

#[tokio::test]
async fn l_1_a_missing_document_a_non_pdf_and_an_oversize_file_are_refused_with_nothing_written() {
    let test_db = with_agency().await;
    let pool = &test_db.db.pool;
    let application = Application::parse(&posted(&[])).unwrap();

    let mut missing = documents_for(&application);
    missing.retain(|upload| upload.kind != DocumentKind::SecurityAgreement);
    let refused = file(&test_db, &application, missing).await.unwrap_err();
    assert_eq!(
        refused,
        PortalError::Field {
            field: "document_security_agreement".into(),
            zh_tw: "請上傳此文件".into(),
            english: "Please upload this document".into(),
        }
    );
    assert_nothing_written(pool).await;

    // Built past `Upload::new`, as a forged caller could: the store checks the bytes again.
    let mut not_pdf = documents_for(&application);
    not_pdf[4].bytes = b"PK\x03\x04 a zip file %%EOF".to_vec();
    let refused = file(&test_db, &application, not_pdf).await.unwrap_err();
    assert!(
        refused.message(app::i18n::Lang::ZhTw).contains("PDF"),
        "{refused:?}"
    );
    assert_nothing_written(pool).await;

    let mut oversize = documents_for(&application);
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(MAX_BYTES, b' ');
    big.extend(b"\n%%EOF\n");
    assert!(Upload::new(DocumentKind::ItemTable, "big.pdf", big.clone()).is_err());
    oversize[1].bytes = big;
    let refused = file(&test_db, &application, oversize).await.unwrap_err();
    assert!(
        refused
            .message(app::i18n::Lang::English)
            .contains("larger than 5 MB"),
        "{refused:?}"
    );
    assert_nothing_written(pool).await;
}

#[tokio::test]
async fn l_1_a_filled_wan_ip_is_refused_before_anything_is_filed() {
    let test_db = with_agency().await;
    let errors = Application::parse(&posted(&[("vpn_wan_ip", "203.0.113.9")])).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(matches!(&errors[0], PortalError::Field { field, zh_tw, .. }
        if field == "vpn_wan_ip" && zh_tw.contains("請勿填寫")));
    assert_nothing_written(&test_db.db.pool).await;
}

/// The kinds the schema admits are exactly the declared ones.
#[tokio::test]
async fn l_1_document_kinds_check_exactly_the_declared_codes() {
    let test_db = fresh_db().await;
    let schema = crate::schema::Schema::read(&test_db.db).await;
    let declared = DocumentKind::ALL
        .iter()
        .map(|kind| kind.code().to_owned())
        .collect();
    assert_eq!(
        schema.check_values("agency_link_documents", "kind"),
        Some(declared)
    );
}

fn refused_saying(result: &Result<String, PortalError>, words: &str) -> bool {
    matches!(result, Err(PortalError::Refused { zh_tw, .. }) if zh_tw.contains(words))
}

async fn close_all(pool: &AnyPool) {
    sqlx::query("UPDATE agency_links SET status = 'withdrawn', closed_at = 0")
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn l_1_one_case_in_progress_per_interface_and_data_kind_even_when_filed_at_once() {
    let test_db = with_agency().await;
    let pool = &test_db.db.pool;
    let application = Application::parse(&posted(&[])).unwrap();
    let attempts = (0..5).map(|_| file(&test_db, &application, documents_for(&application)));
    let results = futures_util::future::join_all(attempts).await;
    assert_eq!(results.iter().filter(|result| result.is_ok()).count(), 1);
    for refused in results.iter().filter(|result| result.is_err()) {
        assert!(refused_saying(refused, "已有一件"), "{refused:?}");
    }
    assert_eq!(count(pool, "agency_links").await, 1);
    let documents = documents_for(&application).len() as i64;
    assert_eq!(count(pool, "agency_link_documents").await, documents);

    // Another interface is another case; a closed case frees its place.
    let egate = Application::parse(&posted(&[("interface", "egate_vpn")])).expect("valid");
    file(&test_db, &egate, documents_for(&egate))
        .await
        .expect("another interface");
    close_all(pool).await;
    file(&test_db, &application, documents_for(&application))
        .await
        .expect("filed again once the first is closed");
}

#[tokio::test]
async fn l_1_an_agency_files_at_most_ten_applications_in_24_hours() {
    let test_db = with_agency().await;
    let pool = &test_db.db.pool;
    let application = Application::parse(&posted(&[])).unwrap();
    for _ in 0..store::FILINGS_PER_DAY {
        file(&test_db, &application, documents_for(&application))
            .await
            .expect("within the cap");
        close_all(pool).await;
    }
    let refused = file(&test_db, &application, documents_for(&application)).await;
    assert!(refused_saying(&refused, "24 小時"), "{refused:?}");
    assert_eq!(count(pool, "agency_links").await, store::FILINGS_PER_DAY);
}
