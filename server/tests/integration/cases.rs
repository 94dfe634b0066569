//! The case engine on real databases (issue 17): of concurrent actions on one case exactly one
//! wins, and every change writes its timeline event in its own transaction.

use crate::api_service::{company, file_application, SHRIMP, SHRIMP_NAME};
use crate::support::{fresh_db, Portal};
use app::cases::actor::Actor;
use app::cases::timeline::timeline;
use app::cases::work::Work;
use app::cases::{Machine, Party, Rule};
use app::domain::purpose::Purpose;
use app::error::PortalError;
use app::i18n::Lang;
use app::platform::AppState;
use app::services::api_service::cases::{ApiCase, ApiGrant};
use app::services::api_service::{store, CaseStatus};
use app::services::staff::role::Role;

/// A reviewer of the ministry, as the review pages make one.
fn reviewer(id: i64) -> Actor {
    Actor {
        party: Party::Staff(Role::MinistryReviewer),
        name: format!("staff:{id}"),
        source_ip: "192.0.2.9".into(),
        staff_id: None,
    }
}

/// The portal with SHRIMP's API申請 submitted as its page submits it, signed by its card: the
/// portal (kept while the test runs), its state and the case's S/N.
async fn submitted_case() -> (Portal, AppState, String) {
    let portal = Portal::start().await;
    let shrimp = company(&portal, SHRIMP, SHRIMP_NAME).await;
    let case_id = file_application(&portal, &shrimp).await;
    let state = portal.app.state.clone();
    (portal, state, case_id)
}

async fn count(state: &AppState, sql: &str, case_id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(case_id)
        .fetch_one(&state.db.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn concurrent_decisions_on_one_case_exactly_one_wins() {
    let (_test_db, state, case_id) = submitted_case().await;
    // Eight reviewers decide at once, half approving and half rejecting, each on its own task
    // and connection.
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let state = state.clone();
            let case_id = case_id.clone();
            tokio::spawn(async move {
                let note = Purpose::parse("審核完畢").expect("note");
                store::decide(&state, &reviewer(n), &case_id, n % 2 == 0, &note).await
            })
        })
        .collect();
    let mut won = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            Ok(case) => won.push(case.status),
            Err(PortalError::Refused { zh_tw, .. }) => {
                assert_eq!(zh_tw, "此案件已有審核結果或已由申請機構取消。");
            }
            Err(other) => panic!("a losing decision must be refused, not {other:?}"),
        }
    }
    assert_eq!(won.len(), 1, "exactly one decision wins: {won:?}");
    let decided = won[0];
    assert!(matches!(
        decided,
        CaseStatus::Approved | CaseStatus::Rejected
    ));
    // One decision in the timeline and in the audit log; the grant opened only if approved.
    assert_eq!(
        count(
            &state,
            "SELECT COUNT(*) FROM case_events WHERE case_type = 'api_service.case' AND case_id = $1",
            &case_id
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &state,
            "SELECT COUNT(*) FROM audit_log WHERE subject = $1 AND action IN \
             ('api_service.case.approve', 'api_service.case.reject')",
            &case_id
        )
        .await,
        1
    );
    let grants = count(
        &state,
        "SELECT COUNT(*) FROM api_grants WHERE business_id = $1",
        SHRIMP,
    )
    .await;
    assert_eq!(grants, i64::from(decided == CaseStatus::Approved));
}

#[tokio::test]
async fn a_case_and_its_grant_keep_their_timelines() {
    let (_test_db, state, case_id) = submitted_case().await;
    let note = Purpose::parse("資料齊全准予使用").expect("note");
    store::decide(&state, &reviewer(1), &case_id, true, &note)
        .await
        .expect("approved");
    let mut conn = state.db.pool.acquire().await.expect("connection");
    let case = timeline::<ApiCase>(&mut conn, &case_id, Lang::ZhTw)
        .await
        .expect("timeline");
    let steps: Vec<(Option<&str>, &str, &str, &str)> = case
        .iter()
        .map(|entry| {
            (
                entry.from.as_deref(),
                entry.to.as_str(),
                entry.action.as_str(),
                entry.actor.as_str(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (None, "受理中", "送出申請", "company:24941832"),
            (Some("受理中"), "核准", "核准", "staff:1"),
        ]
    );
    assert_eq!(case[0].at, "112/11/17 14:35:04");
    assert_eq!(case[1].note.as_deref(), Some("資料齊全准予使用"));
    let grant = timeline::<ApiGrant>(&mut conn, SHRIMP, Lang::English)
        .await
        .expect("grant timeline");
    assert_eq!(grant.len(), 1);
    assert_eq!(
        (grant[0].from.as_deref(), grant[0].to.as_str()),
        (None, "Active")
    );
}

/// Each case type's state column admits exactly the codes its vocabulary declares, on the
/// database the suite runs on: a state added in Rust but not in the schema (or the reverse)
/// fails here, not when a case first reaches it.
#[tokio::test]
async fn state_columns_check_exactly_the_declared_codes() {
    let test_db = fresh_db().await;
    let schema = crate::schema::Schema::read(&test_db.db).await;
    for column in app::cases::catalogue::state_columns() {
        let declared: std::collections::BTreeSet<String> =
            column.codes.iter().map(|code| (*code).to_owned()).collect();
        assert_eq!(
            schema.check_values(column.table, column.column),
            Some(declared),
            "{}: CHECK of {}.{}",
            column.case_type,
            column.table,
            column.column
        );
    }
}

app::coded! {
    /// The state of a shelf item, for the engine's own test table.
    enum Shelf {
        Stocked = "stocked", "上架", "Stocked";
    }
}

app::coded! {
    enum Restock {
        Replace = "replace", "更換", "Replace";
    }
}

/// A case type over a table of the test's own: an item replaced in place, keeping what it
/// replaced.
struct Item;

impl Machine for Item {
    const TYPE: &'static str = "test.item";
    const TITLE: &'static str = "test item";
    const TABLE: &'static str = "test_items";
    const KEY: &'static str = "id";
    const STATE_COLUMN: &'static str = "state";
    type State = Shelf;
    type Action = Restock;
    type Facts = ();
    const STARTS: &'static [(Restock, Shelf)] = &[];
    const RULES: &'static [Rule<Shelf, Restock, ()>] = &[Rule {
        from: &[Shelf::Stocked],
        action: Restock::Replace,
        by: &[Party::System],
        guard: None,
        to: Shelf::Stocked,
    }];
}

/// `Act::copy` writes a column's value from before the change into another, and
/// `Act::only_if_equals` holds the change to a row that still has the value it was decided on:
/// the second of two replacements of the same label is refused and writes nothing.
#[tokio::test]
async fn an_act_copies_the_row_as_it_was_and_holds_to_a_bound_condition() {
    let test_db = fresh_db().await;
    let pool = &test_db.db.pool;
    sqlx::query(
        "CREATE TABLE test_items (id BIGINT PRIMARY KEY, state TEXT NOT NULL, \
         label TEXT NOT NULL, previous_label TEXT)",
    )
    .execute(pool)
    .await
    .expect("table");
    sqlx::query("INSERT INTO test_items (id, state, label) VALUES (1, 'stocked', 'a')")
        .execute(pool)
        .await
        .expect("item");
    let system = Actor::system();
    let replace = |from: &'static str, to: &'static str| {
        let db = test_db.db.clone();
        let system = system.clone();
        async move {
            let mut work = Work::begin(&db, &system, 1_700_000_000).await?;
            work.act::<Item>(1_i64, Shelf::Stocked, Restock::Replace)
                .set("label", to)
                .copy("previous_label", "label")
                .only_if_equals("label", from)
                .run(&())
                .await?;
            work.commit().await
        }
    };
    replace("a", "b").await.expect("replaced");
    let refused = replace("a", "c")
        .await
        .expect_err("the label is no longer a");
    assert_eq!(refused, PortalError::from(Item::overtaken()));
    let row: (String, Option<String>) =
        sqlx::query_as("SELECT label, previous_label FROM test_items WHERE id = 1")
            .fetch_one(pool)
            .await
            .expect("row");
    assert_eq!(row, ("b".into(), Some("a".into())));
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM case_events WHERE case_type = 'test.item'")
            .fetch_one(pool)
            .await
            .expect("events");
    assert_eq!(events, 1);
}
