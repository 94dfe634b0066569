//! The SQLite and PostgreSQL migrations are written twice by hand; these tests hold them to
//! one schema (issue 17): tables, columns, CHECKs, keys, indexes and triggers.

use crate::schema::{Condition, ForeignKey, Literal, Schema, Trigger, TypeClass};
use crate::support::{fresh_db, fresh_sqlite_db};
use app::platform::db::Backend;
use std::collections::BTreeSet;

#[tokio::test]
async fn migrations_define_the_same_schema_on_sqlite_and_postgresql() {
    let sqlite_db = fresh_sqlite_db().await;
    let sqlite = Schema::read(&sqlite_db.db).await;
    assert_known_schema(&sqlite, "SQLite");
    if std::env::var_os("HUJI_TEST_POSTGRES_ADMIN_URL").is_none() {
        eprintln!("HUJI_TEST_POSTGRES_ADMIN_URL is not set: the SQLite schema alone is checked");
        return;
    }
    let postgres_db = fresh_db().await;
    assert_eq!(postgres_db.db.backend, Backend::Postgres);
    let postgres = Schema::read(&postgres_db.db).await;
    assert_known_schema(&postgres, "PostgreSQL");
    let differences = sqlite.differences("SQLite", &postgres, "PostgreSQL");
    assert!(
        differences.is_empty(),
        "the migrations define different schemas:\n{}",
        differences.join("\n")
    );
}

/// What the migrations are known to define, so that a reading that lost something (and would
/// then compare equal to another reading that lost it too) fails here.
fn assert_known_schema(schema: &Schema, backend: &str) {
    for table in [
        "sessions",
        "audit_log",
        "audit_head",
        "outbox",
        "household_offices",
        "citizens",
        "id_card_issuances",
        "companies",
        "moica_certificates",
        "sign_in_challenges",
        "staff",
        "id_card_loss_reports",
        "id_card_loss_events",
        "captchas",
        "rate_limits",
        "api_cases",
        "api_grants",
        "api_token_ids",
        "verification_failures",
        "api_calls",
        "moica_applications",
    ] {
        assert!(
            schema.tables.contains_key(table),
            "{backend}: no table {table}"
        );
    }
    for internal in ["_sqlx_migrations", "sqlite_sequence"] {
        assert!(
            !schema.tables.contains_key(internal),
            "{backend}: {internal} read"
        );
    }
    let strings =
        |values: &[&str]| -> BTreeSet<String> { values.iter().map(|v| v.to_string()).collect() };
    assert_eq!(
        schema.check_values("api_cases", "status"),
        Some(strings(&[
            "pending",
            "cancelled",
            "uploaded",
            "approved",
            "rejected"
        ])),
        "{backend}: api_cases.status"
    );
    assert_eq!(
        schema.check_values("id_card_issuances", "apply_code"),
        Some(strings(&["1", "2", "3"])),
        "{backend}: id_card_issuances.apply_code"
    );
    assert_eq!(schema.check_values("api_cases", "business_id"), None);

    let table = |name: &str| &schema.tables[name];
    let status = &table("api_cases").columns["status"];
    assert_eq!(
        (status.class.clone(), status.nullable, status.primary_key),
        (TypeClass::Text, false, None),
        "{backend}: api_cases.status"
    );
    let key = |table_name: &str, column: &str| table(table_name).columns[column].primary_key;
    assert_eq!(key("rate_limits", "bucket"), Some(1), "{backend}");
    assert_eq!(key("rate_limits", "window_start"), Some(2), "{backend}");
    assert_eq!(key("outbox", "id"), Some(1), "{backend}");
    let guardianship = &table("citizens").columns["under_guardianship"];
    assert_eq!(guardianship.class, TypeClass::Boolean, "{backend}");
    assert_eq!(guardianship.default.as_deref(), Some("false"), "{backend}");
    assert_eq!(
        table("sign_in_challenges").columns["purpose"]
            .default
            .as_deref(),
        Some("'sign-in'"),
        "{backend}"
    );
    assert_eq!(
        table("captchas").columns["image"].class,
        TypeClass::Blob,
        "{backend}"
    );
    assert!(
        table("staff").checks.contains(&Condition::Other(
            "jurisdiction_office is null or jurisdiction_county is not null".into()
        )),
        "{backend}: staff's jurisdiction CHECK, read {:?}",
        table("staff").checks
    );

    let one_pending = &table("api_cases").indexes["api_cases_one_pending"];
    assert_eq!(one_pending.columns, ["business_id"], "{backend}");
    assert!(one_pending.unique, "{backend}");
    assert_eq!(
        one_pending.predicate,
        Some(Condition::In {
            column: "status".into(),
            values: [Literal::Text("pending".into())].into(),
        }),
        "{backend}"
    );
    let queue = &table("api_cases").indexes["api_cases_queue"];
    assert_eq!(queue.columns, ["status", "submitted_at"], "{backend}");
    assert!(!queue.unique && queue.predicate.is_none(), "{backend}");
    assert!(
        table("household_offices")
            .uniques
            .contains(&vec!["county".to_owned(), "township".to_owned()]),
        "{backend}: UNIQUE (county, township)"
    );
    assert!(
        table("id_card_loss_reports")
            .foreign_keys
            .contains(&ForeignKey {
                columns: vec!["issuance_id".into()],
                references_table: "id_card_issuances".into(),
                references_columns: vec!["id".into()],
                on_update: "NO ACTION".into(),
                on_delete: "NO ACTION".into(),
            }),
        "{backend}: id_card_loss_reports.issuance_id's key, read {:?}",
        table("id_card_loss_reports").foreign_keys
    );
    let trigger = |event: &str| Trigger {
        timing: "before".into(),
        event: event.into(),
    };
    assert_eq!(
        table("audit_log").triggers,
        [trigger("update"), trigger("delete")].into(),
        "{backend}: audit_log is append-only"
    );
    assert_eq!(
        table("api_calls").triggers,
        [trigger("update"), trigger("delete")].into(),
        "{backend}: api_calls is append-only, kept five years"
    );
}

/// The comparison itself: a schema equals its copy, and each change to the copy is named.
#[tokio::test]
async fn the_schema_comparison_names_each_difference() {
    let test_db = fresh_sqlite_db().await;
    let schema = Schema::read(&test_db.db).await;
    assert_eq!(
        schema.differences("SQLite", &schema.clone(), "copy"),
        Vec::<String>::new()
    );

    let mut changed = schema.clone();
    let api_cases = changed.tables.get_mut("api_cases").expect("api_cases");
    let status = api_cases
        .checks
        .iter()
        .find(|c| matches!(c, Condition::In { column, .. } if column == "status"))
        .cloned()
        .expect("api_cases.status CHECK");
    api_cases.checks.remove(&status);
    if let Condition::In { column, mut values } = status {
        values.remove(&Literal::Text("rejected".into()));
        values.insert(Literal::Text("archived".into()));
        api_cases.checks.insert(Condition::In { column, values });
    }
    api_cases
        .indexes
        .get_mut("api_cases_queue")
        .expect("api_cases_queue")
        .columns
        .pop();
    changed
        .tables
        .get_mut("citizens")
        .and_then(|citizens| citizens.columns.get_mut("sex"))
        .expect("citizens.sex")
        .nullable = true;
    changed.tables.remove("captchas");

    assert_eq!(
        schema.differences("SQLite", &changed, "copy"),
        [
            "table api_cases, CHECK on status: {'rejected'} only on SQLite; {'archived'} only on copy",
            "table api_cases, index api_cases_queue: columns (status, submitted_at) on SQLite, (status) on copy",
            "table captchas: only on SQLite",
            "table citizens, column sex: NOT NULL on SQLite, nullable on copy",
        ]
    );
}

/// A SQLite database in a directory of its own, migrated up to the migration before `version`,
/// and the migrator that takes it through all of them.
async fn sqlite_migrated_before(
    version: i64,
) -> (tempfile::TempDir, sqlx::AnyPool, sqlx::migrate::Migrator) {
    use sqlx::migrate::Migrator;
    use std::borrow::Cow;
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/upgrade.db?mode=rwc", dir.path().display());
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("connect");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    let all = Migrator::new(path.clone()).await.expect("migrations");
    let mut before = Migrator::new(path).await.expect("migrations");
    before.migrations = Cow::Owned(
        all.migrations
            .iter()
            .filter(|migration| migration.version < version)
            .cloned()
            .collect(),
    );
    before.run(&pool).await.expect("the earlier migrations");
    (dir, pool, all)
}

/// Migration 0043: the calls logged before it are in the person's index after it, each keyed
/// as the job keys the calls after it (`id_hash::short`, whose sign the first hex digit
/// decides), and the marks stand at the newest calls, so the page reads no whole log.
#[tokio::test]
async fn f_8_the_calls_logged_before_the_persons_index_are_in_it() {
    use app::platform::id_hash;
    let (_dir, pool, all) = sqlite_migrated_before(43).await;
    let hashes = [
        format!("{:0<64}", "8"),
        "f".repeat(64),
        format!("7{}", "f".repeat(63)),
        format!("{:0<64}", "0123456789abcdef"),
    ];
    let mut expected = Vec::new();
    for hash in &hashes[..3] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_calls (business_id, ap_id, user_id, called_at, source_ip, id_hash, \
             rd_code, latency_us, signed) VALUES ('12345678', 'ap', 'user', 1, '127.0.0.1', $1, \
             'RS7009', 1, 1) RETURNING id",
        )
        .bind(hash)
        .fetch_one(&pool)
        .await
        .expect("a verification");
        expected.push((id_hash::short(hash).expect("a hash"), 1, id));
    }
    let unnamed: i64 = sqlx::query_scalar(
        "INSERT INTO api_calls (business_id, ap_id, user_id, called_at, source_ip, \
         rd_code, latency_us, signed) VALUES ('12345678', 'ap', 'user', 1, '127.0.0.1', \
         'HJ4004', 1, 1) RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .expect("a call naming no one");
    let query: i64 = sqlx::query_scalar(
        "INSERT INTO agency_link_calls (called_at, source_ip, operation, outcome, id_hash, \
         latency_us) VALUES (1, '127.0.0.1', 'person_query', 'HJL2001', $1, 1) RETURNING id",
    )
    .bind(&hashes[3])
    .fetch_one(&pool)
    .await
    .expect("a person query");
    expected.push((id_hash::short(&hashes[3]).expect("a hash"), 2, query));
    // A confirmation (of a system this test need not make), and one whose id_hash is no hash,
    // which is passed by.
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&pool)
        .await
        .expect("pragma");
    let mut confirmations = Vec::new();
    for hash in [hashes[0].as_str(), "not a keyed hash"] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO confirmation_calls (system_id, called_at, source_ip, outcome, id_hash, \
             latency_us) VALUES (1, 1, '127.0.0.1', 'answered', $1, 1) RETURNING id",
        )
        .bind(hash)
        .fetch_one(&pool)
        .await
        .expect("a confirmation");
        confirmations.push(id);
    }
    expected.push((i64::MIN, 3, confirmations[0]));
    all.run(&pool).await.expect("the later migrations");

    let mut indexed: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT id_key, log, call_id FROM id_usage")
            .fetch_all(&pool)
            .await
            .expect("the index");
    indexed.sort_unstable_by_key(|&(_, log, id)| (log, id));
    assert_eq!(indexed, expected);
    assert_eq!(expected[0].0, i64::MIN, "8000… is the lowest key");
    assert_eq!(expected[1].0, -1);
    let marks: Vec<(i64, i64)> =
        sqlx::query_as("SELECT log, through_id FROM id_usage_marks ORDER BY log")
            .fetch_all(&pool)
            .await
            .expect("the marks");
    assert_eq!(marks, [(1, unnamed), (2, query), (3, confirmations[1])]);
}

/// The migrations from 0034 on applied to a SQLite database that already holds a loss report
/// and its event, and an API case, made with the migrations before: a table rebuilt to change
/// a CHECK (0034, 0036) must keep every row and every reference to it.
#[tokio::test]
async fn a_database_holding_reports_and_cases_takes_the_later_migrations_and_keeps_them() {
    let (_dir, pool, all) = sqlite_migrated_before(34).await;
    server::registry::load_demo(&pool)
        .await
        .expect("demo registry");
    let (citizen, issuance, office): (i64, i64, String) = sqlx::query_as(
        "SELECT c.id, i.id, o.code FROM citizens c \
         JOIN id_card_issuances i ON i.citizen_id = c.id AND i.is_current \
         JOIN household_offices o ON o.county = c.county AND o.township = c.township \
         ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("a citizen with a card");
    sqlx::query(
        "INSERT INTO id_card_loss_reports (id, reference, citizen_id, issuance_id, \
         household_office_code, channel, phone, email, reported_at, in_office_hours) \
         VALUES (7, 'L1121117-000007', $1, $2, $3, 'online', '0912345678', 'a@example.com', 1, TRUE)",
    )
    .bind(citizen)
    .bind(issuance)
    .bind(&office)
    .execute(&pool)
    .await
    .expect("a report");
    sqlx::query(
        "INSERT INTO id_card_loss_events (report_id, kind, county, recorded_at) \
         VALUES (7, 'reported', '臺北市', 1)",
    )
    .execute(&pool)
    .await
    .expect("its event");
    sqlx::query(
        "INSERT INTO api_cases (id, business_id, kind, status, company_name, host_ip, contact, \
         landline, mobile, email, purpose, submitted_at, review_extended_at, extension_reason) \
         VALUES ('case-1', '24536806', 'apply', 'pending', '蝦蝦樂購股份有限公司', '203.0.113.5', \
         '郭總裁', '(02)3939889', '0910123321', 'a@example.com', '依洗錢防制法', 1, 2, '需查證')",
    )
    .execute(&pool)
    .await
    .expect("an API case");

    // An online renewal waiting when payment came to be asked for (0038).
    sqlx::query(
        "INSERT INTO moica_certificates (id, card_number, serial, subject, issuer, not_before, \
         not_after, status, created_at, citizen_id) \
         VALUES (5, 'TP03000000000005', '05', 'CN=王小明', 'CN=MOICA', 0, 9, 'active', 0, $1)",
    )
    .bind(citizen)
    .execute(&pool)
    .await
    .expect("a certificate");
    sqlx::query(
        "INSERT INTO moica_applications (id, reference, citizen_id, channel, email, mobile, \
         pin_choice, submitted_at, expires_at, renewal_of) \
         VALUES (9, 'M1121117-000009', $1, 'online', 'a@example.com', '', 'default', 1, 9, 5)",
    )
    .bind(citizen)
    .execute(&pool)
    .await
    .expect("a renewal");
    all.run(&pool).await.expect("the later migrations");
    let order: (String, i64, String) = sqlx::query_as(
        "SELECT status, amount, order_id FROM renewal_payments WHERE application_id = 9",
    )
    .fetch_one(&pool)
    .await
    .expect("the waiting renewal's payment order");
    assert_eq!(
        (order.0.as_str(), order.1, order.2.len()),
        ("unpaid", 278, 32)
    );
    // 0036 made api_cases again: the case is kept whole, and a plan may be filed (A-N11).
    let case: (String, String, i64, String) = sqlx::query_as(
        "SELECT kind, purpose, review_extended_at, extension_reason FROM api_cases WHERE id = 'case-1'",
    )
    .fetch_one(&pool)
    .await
    .expect("the API case");
    assert_eq!(
        case,
        ("apply".into(), "依洗錢防制法".into(), 2, "需查證".into())
    );
    // 0041 numbered it by the Taipei day it was filed (Unix second 1: ROC 59/01/01), and the
    // day's counter goes on from it (issue 24 item 9).
    let number: (String, i64) = sqlx::query_as(
        "SELECT c.number, n.last FROM api_cases c \
         JOIN case_numbers n ON n.prefix = 'S' AND n.day = '0590101' WHERE c.id = 'case-1'",
    )
    .fetch_one(&pool)
    .await
    .expect("the case's number");
    assert_eq!(number, ("S0590101-000001".into(), 1));
    sqlx::query("UPDATE api_cases SET kind = 'plan' WHERE id = 'case-1'")
        .execute(&pool)
        .await
        .expect("a plan case");
    let kept: (String, String, i64) = sqlx::query_as(
        "SELECT r.reference, r.channel, CAST(r.in_office_hours AS INTEGER) \
         FROM id_card_loss_reports r \
         JOIN id_card_loss_events e ON e.report_id = r.id WHERE r.id = 7",
    )
    .fetch_one(&pool)
    .await
    .expect("the report and its event");
    assert_eq!(kept, ("L1121117-000007".into(), "online".into(), 1));
    let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&pool)
        .await
        .expect("foreign key check");
    assert!(broken.is_empty(), "{broken:?}");
    // Foreign keys are on again, and the new channel is allowed.
    let on: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&pool)
        .await
        .expect("pragma");
    assert_eq!(on, 1);
    sqlx::query("UPDATE id_card_loss_reports SET channel = 'phone' WHERE id = 7")
        .execute(&pool)
        .await
        .expect("the phone channel");
}
