//! What the ministry's side of agency linking produces, on the database (issue 18): the
//! subnets 資訊服務司 assigns (L-6) and the 密碼表 戶政司 issues (L-7).

use crate::support::{fresh_db, TestDb};
use app::cases::Code;
use app::platform::db::Db;
use app::services::agency_link::addresses::{
    self, parse_host, AddressKind, Allocation, AllocationError, Conflict, IpNet, LinkNetwork,
};
use app::services::agency_link::cases::{Interface, LinkStatus};
use app::services::agency_link::password_table;
use sqlx::Row;

const NOW: i64 = 1_700_000_000;

fn net(text: &str) -> IpNet {
    parse_host(text).unwrap_or_else(|| panic!("{text} parses"))
}

/// A fresh database with cases in progress, as (id, interface, host address), each of its
/// own agency.
async fn with_cases(links: &[(&str, Interface, &str)]) -> TestDb {
    let test_db = fresh_db().await;
    let db = &test_db.db;
    for (index, (id, interface, host)) in links.iter().enumerate() {
        let agency = format!("A0900{index:04}E");
        sqlx::query(
            "INSERT INTO agencies (code, name, county, email, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(&agency)
        .bind(format!("測試機關{index}"))
        .bind("臺北市")
        .bind("it@agency.example.gov.tw")
        .bind(NOW)
        .execute(&db.pool)
        .await
        .expect("agency");
        sqlx::query(
            "INSERT INTO agency_links (id, agency_code, interface, data_kind, county, first_vpn, \
             status, filed_at, host_address, application) \
             VALUES ($1, $2, $3, 'household', '臺北市', $4, $5, $6, $7, '{}')",
        )
        .bind(*id)
        .bind(&agency)
        .bind(interface.code())
        .bind(true)
        .bind(LinkStatus::InProgress.code())
        .bind(NOW)
        .bind(*host)
        .execute(&db.pool)
        .await
        .expect("agency link");
    }
    test_db
}

async fn set_status(db: &Db, id: &str, status: LinkStatus) {
    sqlx::query("UPDATE agency_links SET status = $1 WHERE id = $2")
        .bind(status.code())
        .bind(id)
        .execute(&db.pool)
        .await
        .expect("status");
}

/// Allocates in a transaction of its own, committed only if it succeeds.
async fn allocate(
    db: &Db,
    id: &str,
    host: &str,
    config: &LinkNetwork,
) -> Result<Allocation, AllocationError> {
    let mut tx = db.begin_write().await.expect("begin");
    let allocation = addresses::allocate(&mut tx, id, net(host), config, NOW).await?;
    tx.commit().await.expect("commit");
    Ok(allocation)
}

async fn allocation(db: &Db, id: &str) -> Option<Allocation> {
    let mut conn = db.pool.acquire().await.expect("connection");
    addresses::allocation(&mut conn, id).await.expect("read")
}

#[tokio::test]
async fn l_6_each_kind_gets_the_first_free_subnet_of_its_pool() {
    let test_db = with_cases(&[
        ("L1", Interface::ApiVpn, "192.0.2.10"),
        ("L2", Interface::LinkVpn, "192.0.2.11"),
    ])
    .await;
    let db = &test_db.db;
    let config = LinkNetwork::default();
    assert_eq!(allocation(db, "L1").await, None);
    let first = allocate(db, "L1", "192.0.2.10", &config).await.expect("L1");
    assert_eq!(
        (first.device, first.gateway, first.server),
        (
            net("172.20.0.0/30"),
            net("172.20.64.0/29"),
            net("172.20.128.0/32")
        )
    );
    assert_eq!(first.device.netmask().to_string(), "255.255.255.252");
    assert_eq!(allocation(db, "L1").await.as_ref(), Some(&first));
    let second = allocate(db, "L2", "192.0.2.11", &config).await.expect("L2");
    assert_eq!(
        (second.device, second.gateway, second.server),
        (
            net("172.20.0.4/30"),
            net("172.20.64.8/29"),
            net("172.20.128.1/32")
        )
    );
    // Allocating again (the step retaken) replaces the case's own subnets, not others'.
    let again = allocate(db, "L1", "192.0.2.10", &config)
        .await
        .expect("again");
    assert_eq!(again, first);
}

#[tokio::test]
async fn l_6_a_conflicting_host_is_refused_naming_the_conflict() {
    let test_db = with_cases(&[
        ("L1", Interface::ApiVpn, "192.0.2.0/28"),
        ("L2", Interface::EgateVpn, "198.51.100.1"),
        ("L3", Interface::LinkVpn, "203.0.113.1"),
    ])
    .await;
    let db = &test_db.db;
    set_status(db, "L1", LinkStatus::Live).await;
    set_status(db, "L3", LinkStatus::Withdrawn).await;
    let config = LinkNetwork::default();
    allocate(db, "L1", "192.0.2.0/28", &config)
        .await
        .expect("L1");

    let refused = |host: &'static str| {
        let config = config.clone();
        async move {
            match allocate(db, "L2", host, &config).await {
                Err(AllocationError::Conflict { conflict, .. }) => conflict,
                other => panic!("{host}: {other:?}"),
            }
        }
    };
    assert_eq!(
        refused("10.200.1.1").await,
        Conflict::Registry {
            range: net("10.200.0.0/16")
        }
    );
    assert_eq!(
        refused("172.20.128.0").await,
        Conflict::Allocated {
            link_id: "L1".into(),
            interface: Interface::ApiVpn,
            kind: AddressKind::Server,
            network: net("172.20.128.0/32"),
        }
    );
    assert_eq!(
        refused("192.0.2.9").await,
        Conflict::Host {
            link_id: "L1".into(),
            host: net("192.0.2.0/28"),
        }
    );
    let error = allocate(db, "L2", "192.0.2.9", &config).await.unwrap_err();
    let message = error.message(app::i18n::Lang::ZhTw).expect("a refusal");
    assert!(
        message.contains("案件 L1 之主機網路位址 192.0.2.0/28"),
        "{message}"
    );
    assert_eq!(allocation(db, "L2").await, None, "nothing stored");
    // A withdrawn case's host holds nothing.
    allocate(db, "L2", "203.0.113.1", &config)
        .await
        .expect("L3 is withdrawn");
}

#[tokio::test]
async fn l_6_released_and_closed_cases_free_their_subnets() {
    let test_db = with_cases(&[
        ("L1", Interface::ApiVpn, "192.0.2.1"),
        ("L2", Interface::ApiVpn, "192.0.2.2"),
        ("L3", Interface::ApiVpn, "192.0.2.3"),
    ])
    .await;
    let db = &test_db.db;
    let config = LinkNetwork::default();
    let first = allocate(db, "L1", "192.0.2.1", &config).await.expect("L1");
    let mut conn = db.pool.acquire().await.expect("connection");
    addresses::release(&mut conn, "L1").await.expect("release");
    drop(conn);
    assert_eq!(allocation(db, "L1").await, None);
    let second = allocate(db, "L2", "192.0.2.2", &config).await.expect("L2");
    assert_eq!(
        (second.device, second.gateway, second.server),
        (first.device, first.gateway, first.server),
        "the released subnets are handed out again"
    );
    // A cancelled case's subnets are free even before they are released.
    set_status(db, "L2", LinkStatus::Live).await;
    set_status(db, "L2", LinkStatus::Cancelled).await;
    let third = allocate(db, "L3", "192.0.2.3", &config).await.expect("L3");
    assert_eq!(third.device, first.device);
}

#[tokio::test]
async fn l_6_a_full_pool_is_named() {
    let test_db = with_cases(&[
        ("L1", Interface::LinkVpn, "192.0.2.1"),
        ("L2", Interface::LinkVpn, "192.0.2.2"),
    ])
    .await;
    let db = &test_db.db;
    let config = LinkNetwork::parse(
        "10.200.0.0/16",
        ("172.20.0.0/30", 30),
        ("172.20.64.0/29", 29),
        ("172.20.128.0/24", 32),
    )
    .expect("config");
    allocate(db, "L1", "192.0.2.1", &config).await.expect("L1");
    match allocate(db, "L2", "192.0.2.2", &config).await {
        Err(AllocationError::PoolFull { kind, pool }) => {
            assert_eq!((kind, pool), (AddressKind::Device, net("172.20.0.0/30")))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn l_6_parallel_allocations_never_share_a_subnet() {
    let ids: Vec<String> = (1..=8).map(|n| format!("L{n}")).collect();
    let hosts: Vec<String> = (1..=8).map(|n| format!("192.0.2.{n}")).collect();
    let links: Vec<(&str, Interface, &str)> = ids
        .iter()
        .zip(&hosts)
        .map(|(id, host)| (id.as_str(), Interface::ApiVpn, host.as_str()))
        .collect();
    let test_db = with_cases(&links).await;
    let db = &test_db.db;
    let config = std::sync::Arc::new(LinkNetwork::default());
    let tasks: Vec<_> = ids
        .iter()
        .zip(&hosts)
        .map(|(id, host)| {
            let (db, config, id, host) = (db.clone(), config.clone(), id.clone(), host.clone());
            tokio::spawn(async move { allocate(&db, &id, &host, &config).await })
        })
        .collect();
    let mut subnets = std::collections::BTreeSet::new();
    for task in tasks {
        let allocation = task.await.expect("task").expect("allocated");
        for kind in AddressKind::ALL {
            assert!(
                subnets.insert(allocation.of(*kind)),
                "{} handed out twice",
                allocation.of(*kind)
            );
        }
    }
    assert_eq!(subnets.len(), 24);
}

#[tokio::test]
async fn l_6_the_kind_column_checks_exactly_the_declared_kinds() {
    let test_db = fresh_db().await;
    let schema = crate::schema::Schema::read(&test_db.db).await;
    let declared = AddressKind::ALL
        .iter()
        .map(|kind| kind.code().to_owned())
        .collect();
    assert_eq!(
        schema.check_values("agency_link_addresses", "kind"),
        Some(declared)
    );
}

async fn issue(db: &Db, id: &str) -> password_table::PasswordTable {
    let mut tx = db.begin_write().await.expect("begin");
    let table = password_table::issue(&mut tx, id, NOW)
        .await
        .expect("issue");
    tx.commit().await.expect("commit");
    table
}

async fn verify(db: &Db, id: &str, user: &str, password: &str) -> bool {
    let mut conn = db.pool.acquire().await.expect("connection");
    password_table::verify(&mut conn, id, user, password)
        .await
        .expect("verify")
}

#[tokio::test]
async fn l_7_the_password_is_stored_only_as_a_hash() {
    let test_db = with_cases(&[("L1", Interface::ApiVpn, "192.0.2.1")]).await;
    let db = &test_db.db;
    let table = issue(db, "L1").await;
    assert!(table.agency_user.starts_with("A09000000E-"), "{table:?}");
    assert_eq!(table.password.len(), password_table::PASSWORD_LENGTH);
    let row = sqlx::query("SELECT agency_user, password_hash FROM agency_link_passwords")
        .fetch_one(&db.pool)
        .await
        .expect("row");
    let user: String = row.try_get("agency_user").expect("user");
    let hash: String = row.try_get("password_hash").expect("hash");
    assert_eq!(user, table.agency_user);
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(&table.password));
}

#[tokio::test]
async fn l_7_verify_accepts_the_current_table_only() {
    let test_db = with_cases(&[
        ("L1", Interface::ApiVpn, "192.0.2.1"),
        ("L2", Interface::ApiVpn, "192.0.2.2"),
    ])
    .await;
    let db = &test_db.db;
    assert!(
        !verify(db, "L1", "A09000000E-x", "anything").await,
        "none issued"
    );
    let old = issue(db, "L1").await;
    assert!(verify(db, "L1", &old.agency_user, &old.password).await);
    let mut wrong = old.password.clone();
    wrong.replace_range(0..1, if wrong.starts_with('A') { "B" } else { "A" });
    assert!(!verify(db, "L1", &old.agency_user, &wrong).await);
    assert!(!verify(db, "L1", "A09000000E-AAAAAAAA", &old.password).await);
    assert!(!verify(db, "L2", &old.agency_user, &old.password).await);

    let new = issue(db, "L1").await;
    assert_ne!(new, old);
    assert!(verify(db, "L1", &new.agency_user, &new.password).await);
    assert!(
        !verify(db, "L1", &old.agency_user, &old.password).await,
        "issuing again invalidates the old table"
    );
    let rows: i64 = sqlx::query("SELECT COUNT(*) AS n FROM agency_link_passwords")
        .fetch_one(&db.pool)
        .await
        .expect("count")
        .try_get("n")
        .expect("n");
    assert_eq!(rows, 1);
}
