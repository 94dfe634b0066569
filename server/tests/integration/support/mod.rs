//! Test fixtures, in one place for every test module: a fresh database per test, the real
//! router on top of it ([`spawn_app`]), the whole portal with its PKI ([`Portal`]) and a small
//! model of a rendered page ([`Page`]).

mod page;
mod portal;

pub use page::Page;
pub use portal::{card_signs, form_post, session_cookie, Portal};

use app::pki::{ReloadableTrustStore, TrustStore};
use app::platform::{
    audit::AuditKey,
    clock::{Clock, FixedClock},
    db::{Backend, Db},
    state::{AppState, PortalSettings, Shared},
};
use axum::{body::Body, http::Request, response::Response, Router};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use sqlx::Executor;
use std::sync::Arc;
use tower::ServiceExt;

pub const ORIGIN: &str = "http://127.0.0.1:3000";

/// What a card signs, through the card helper, for a `challenge` of the test portal's pages.
pub fn card_signed(challenge: &[u8]) -> Vec<u8> {
    card_helper::protocol::signed_message(ORIGIN, challenge)
}

/// What a blank card's new key signs for a `challenge` of the test portal's counter page,
/// naming the card helper's transport key.
pub fn card_key_proof(transport_key_b64: &str, challenge: &[u8]) -> Vec<u8> {
    card_helper::protocol::key_proof_message(ORIGIN, transport_key_b64, challenge)
}

/// A database nobody else uses. SQLite files live in a temp dir removed on drop; a PostgreSQL
/// database is dropped by the next `fresh_db` of this process (dropping needs a connection,
/// which `Drop` cannot await), so a long run keeps about as many databases as tests run at
/// once, not one per test.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres_name: Option<String>,
}

/// PostgreSQL test databases whose tests have finished. Safe with tests running in parallel:
/// a name is added only when its `TestDb` is dropped, at the end of its test (whatever else
/// holds its pool — the router, a `reconnect` — belongs to the same test and goes with it),
/// and each name is taken out by exactly one `fresh_db`.
static FINISHED_POSTGRES_DATABASES: std::sync::Mutex<Vec<String>> =
    std::sync::Mutex::new(Vec::new());

/// The PostgreSQL database `name` (if any) is finished with: the next `fresh_db` drops it.
fn finished_with(name: Option<String>) {
    if let Some(name) = name {
        FINISHED_POSTGRES_DATABASES
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(name);
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        finished_with(self.postgres_name.take());
    }
}

pub async fn fresh_db() -> TestDb {
    match std::env::var("HUJI_TEST_POSTGRES_ADMIN_URL") {
        Ok(admin_url) => {
            let (name, url) = new_postgres_database(&admin_url).await;
            let db = Db::connect(&url, 8, test_audit_key())
                .await
                .expect("connect test database");
            TestDb {
                db,
                url,
                _dir: None,
                postgres_name: Some(name),
            }
        }
        Err(_) => fresh_sqlite_db().await,
    }
}

/// A new, empty PostgreSQL database (no tables, not migrated): its name and URL. Databases of
/// finished tests are dropped first.
async fn new_postgres_database(admin_url: &str) -> (String, String) {
    sqlx::any::install_default_drivers();
    let name = format!("huji_test_{}", uuid::Uuid::new_v4().simple());
    // A server that stopped answering fails each test in seconds, not half a minute.
    let admin = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect(admin_url)
        .await
        .expect("postgres admin connection");
    let finished = std::mem::take(
        &mut *FINISHED_POSTGRES_DATABASES
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    );
    for old in finished {
        admin
            .execute(format!("DROP DATABASE IF EXISTS {old} WITH (FORCE)").as_str())
            .await
            .expect("drop a finished test database");
    }
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    let url = format!("{base}/{name}");
    (name, url)
}

/// Where a database can be made that is not there yet, on the backend the tests run on: a
/// SQLite file not yet made, or a PostgreSQL database without tables. Dropped with the value.
pub struct EmptyDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres_name: Option<String>,
}

impl Drop for EmptyDatabase {
    fn drop(&mut self) {
        finished_with(self.postgres_name.take());
    }
}

/// Makes `db` refuse every row inserted into `table` for which `condition` (SQL over `NEW`)
/// holds, as a full disk or a broken constraint would, until [`accept_rows`].
pub async fn refuse_rows(db: &app::platform::db::Db, table: &str, condition: &str) {
    use app::platform::db::Backend;
    let statements = match db.backend {
        Backend::Sqlite => vec![format!(
            "CREATE TRIGGER test_refuse BEFORE INSERT ON {table} WHEN {condition} \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )],
        Backend::Postgres => vec![
            format!(
                "CREATE FUNCTION test_refuse() RETURNS trigger AS $$ BEGIN IF {condition} THEN \
                 RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END; \
                 $$ LANGUAGE plpgsql"
            ),
            format!(
                "CREATE TRIGGER test_refuse BEFORE INSERT ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION test_refuse()"
            ),
        ],
    };
    for statement in statements {
        sqlx::query(&statement)
            .execute(&db.pool)
            .await
            .expect("refuse rows");
    }
}

/// Takes the rows [`refuse_rows`] refused again.
pub async fn accept_rows(db: &app::platform::db::Db, table: &str) {
    let statement = match db.backend {
        app::platform::db::Backend::Sqlite => "DROP TRIGGER test_refuse".to_owned(),
        app::platform::db::Backend::Postgres => format!("DROP TRIGGER test_refuse ON {table}"),
    };
    sqlx::query(&statement)
        .execute(&db.pool)
        .await
        .expect("accept rows");
}

pub async fn empty_database() -> EmptyDatabase {
    match std::env::var("HUJI_TEST_POSTGRES_ADMIN_URL") {
        Ok(admin_url) => {
            let (name, url) = new_postgres_database(&admin_url).await;
            EmptyDatabase {
                url,
                _dir: None,
                postgres_name: Some(name),
            }
        }
        Err(_) => {
            let dir = tempfile::tempdir().expect("tempdir");
            EmptyDatabase {
                // Written the long way round, as an operator might: the restore must put the
                // file where SQLite will open it.
                url: format!("sqlite://{}/data/../data/huji.db", dir.path().display()),
                _dir: Some(dir),
                postgres_name: None,
            }
        }
    }
}

/// A fresh SQLite database even when the tests run on PostgreSQL, for a test that compares
/// the two.
pub async fn fresh_sqlite_db() -> TestDb {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/huji.db", dir.path().display());
    let db = Db::connect(&url, 8, test_audit_key())
        .await
        .expect("connect test database");
    TestDb {
        db,
        url,
        _dir: Some(dir),
        postgres_name: None,
    }
}

/// Opens the same database again, as a second server (or a restarted one) would: with the
/// same audit key.
pub async fn reconnect(test_db: &TestDb) -> Db {
    Db::connect(&test_db.url, 4, test_audit_key())
        .await
        .expect("reconnect")
}

/// The audit key of every test database (the servers on one database share theirs).
pub fn test_audit_key() -> AuditKey {
    AuditKey::new(&[0x5a; 32])
}

pub fn backend(test_db: &TestDb) -> Backend {
    test_db.db.backend
}

pub struct TestApp {
    pub test_db: TestDb,
    pub router: Router,
    pub clock: FixedClock,
    pub state: AppState,
    /// The verification API's state: its call log is flushed through it.
    pub verify: server::verify::VerifyState,
}

/// The ID-number hash key of every test app.
pub fn test_id_key() -> app::platform::id_hash::IdHashKey {
    app::platform::id_hash::IdHashKey::new(&[7; 32])
}

/// The token the test apps' `/metrics` asks for (the bytes of [`TEST_METRICS_TOKEN`]).
pub const TEST_METRICS_TOKEN: &str =
    "0505050505050505050505050505050505050505050505050505050505050505";

pub fn test_metrics() -> server::web::observability::MetricsEndpoint {
    server::web::observability::MetricsEndpoint::new(
        server::web::observability::metrics_handle(),
        &[5; 32],
    )
}

/// The key the tests' portal shares with its payment provider.
pub const PAYMENT_KEY: [u8; 32] = [7; 32];

pub fn state_with_trust(db: &Db, clock: &FixedClock, trust: ReloadableTrustStore) -> AppState {
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    AppState::new(Shared {
        leptos_options: LeptosOptions::builder()
            .output_name("huji")
            .site_root(std::env::temp_dir().display().to_string())
            .build(),
        db: db.clone(),
        clock,
        calendar: Arc::new(
            app::domain::calendar::WorkingCalendar::parse_table(include_str!(
                "../../../data/holidays.txt"
            ))
            .expect("shipped holiday table"),
        ),
        settings: Arc::new(PortalSettings {
            public_origin: ORIGIN.into(),
            card_helper_url: "http://127.0.0.1:24170".into(),
            review_mailbox: "api-review@example.gov.tw".into(),
            // Tests of other rules move the clock to weekends and evenings: their counters are
            // open at any hour, as the browser tests' are. The hours themselves are proved on
            // a server that keeps them (`moica_issuance::c_2_counter_actions_…`).
            counters_always_open: true,
        }),
        trust: Arc::new(trust),
        proxies: Arc::new(Default::default()),
        id_key: Arc::new(test_id_key()),
        seal: Arc::new(app::platform::seal::SealKey::new(&[9; 32])),
        moica_ca: None,
        // The development payment provider, as a development portal has it.
        payments: Arc::new(app::services::certificate::renewal::payment::Payments::new(
            &PAYMENT_KEY,
            format!("{ORIGIN}{}", server::web::payments::DEV_CHECKOUT_PATH),
        )),
        link_network: Arc::new(Default::default()),
    })
}

/// 112/11/17 14:35:04 Taipei: the instant of the seeds' screenshots, "now" in every app test.
pub fn test_clock() -> FixedClock {
    FixedClock::at_taipei(
        chrono::NaiveDate::from_ymd_opt(2023, 11, 17)
            .and_then(|d| d.and_hms_opt(14, 35, 4))
            .expect("valid date"),
    )
}

/// The paper forms' printer with the font scripts/install-deps.sh installs, read once.
pub fn test_printer() -> Arc<server::papers::Printer> {
    static PRINTER: std::sync::OnceLock<Arc<server::papers::Printer>> = std::sync::OnceLock::new();
    PRINTER
        .get_or_init(|| {
            Arc::new(
                server::papers::Printer::open(
                    std::path::Path::new(server::papers::DEFAULT_FONT),
                    server::papers::DEFAULT_FONT_INDEX,
                )
                .expect("fonts-noto-cjk (scripts/install-deps.sh)"),
            )
        })
        .clone()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with_trust(ReloadableTrustStore::fixed(TrustStore::empty())).await
}

/// The app trusting `trust` (e.g. a development PKI made at `test_clock()`'s time).
pub async fn spawn_app_with_trust(trust: ReloadableTrustStore) -> TestApp {
    spawn_app_with(trust, &server::verify::Settings::default(), None).await
}

/// The app trusting `trust`, its verification API configured with `settings`, counter
/// issuance asking `moica_ca`.
pub async fn spawn_app_with(
    trust: ReloadableTrustStore,
    settings: &server::verify::Settings,
    moica_ca: Option<Arc<dyn app::platform::ca::CertificateAuthority>>,
) -> TestApp {
    let test_db = fresh_db().await;
    let clock = test_clock();
    let mut state = state_with_trust(&test_db.db, &clock, trust);
    state.edit().moica_ca = moica_ca;
    let verify = server::verify::VerifyState::new(state.clone(), settings);
    let confirm = server::confirm::ConfirmState::new(state.clone(), &Default::default());
    let router = server::web::router(
        state.clone(),
        verify.clone(),
        confirm,
        test_metrics(),
        test_printer(),
    );
    TestApp {
        test_db,
        router,
        clock,
        state,
        verify,
    }
}

impl TestApp {
    /// The machine APIs' refused calls no caller was proven to make, once every call answered
    /// is counted: (API, what the calls named, refusal, how many, rows kept), in that order.
    pub async fn refused_calls(&self) -> Vec<(String, String, String, i64, i64)> {
        self.verify.flush().await;
        sqlx::query_as(
            "SELECT api, named, code, CAST(SUM(refusals) AS BIGINT), COUNT(*) \
             FROM refused_calls GROUP BY api, named, code ORDER BY api, named, code",
        )
        .fetch_all(&self.test_db.db.pool)
        .await
        .expect("refused calls")
    }

    pub async fn send(&self, request: Request<Body>) -> Response {
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("router never fails")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }
}

pub async fn body_bytes(response: Response) -> axum::body::Bytes {
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
}

pub async fn body_text(response: Response) -> String {
    String::from_utf8_lossy(&body_bytes(response).await).into_owned()
}

/// The text layer of `pdf`, all pages, as a reader copies it: each shown string mapped to
/// Unicode by the font's ToUnicode CMap. The CMap's `bfchar` entries are read here because
/// lopdf's own CMap parser refuses the PostScript comments krilla writes before them.
pub fn pdf_text(pdf: &[u8]) -> String {
    let document = lopdf::Document::load_mem(pdf).expect("a PDF lopdf reads");
    let mut unicode: std::collections::HashMap<u16, String> = std::collections::HashMap::new();
    for object in document.objects.values() {
        let Ok(stream) = object.as_stream() else {
            continue;
        };
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        let text = String::from_utf8_lossy(&content);
        let mut in_bfchar = false;
        for line in text.lines().map(str::trim) {
            if line.ends_with("beginbfchar") {
                in_bfchar = true;
            } else if line == "endbfchar" {
                in_bfchar = false;
            } else if in_bfchar {
                let hex: Vec<&str> = line
                    .split(['<', '>', ' '])
                    .filter(|part| !part.is_empty())
                    .collect();
                let code = u16::from_str_radix(hex[0], 16).expect("a code");
                let units: Vec<u16> = (0..hex[1].len())
                    .step_by(4)
                    .map(|i| u16::from_str_radix(&hex[1][i..i + 4], 16).expect("UTF-16"))
                    .collect();
                unicode.insert(code, String::from_utf16(&units).expect("Unicode"));
            }
        }
    }
    fn shown(
        objects: &[lopdf::Object],
        unicode: &std::collections::HashMap<u16, String>,
        text: &mut String,
    ) {
        for object in objects {
            match object {
                lopdf::Object::String(bytes, _) => {
                    for pair in bytes.chunks(2) {
                        let code = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
                        text.push_str(unicode.get(&code).map_or("\u{fffd}", String::as_str));
                    }
                }
                lopdf::Object::Array(items) => shown(items, unicode, text),
                _ => {}
            }
        }
    }
    let mut text = String::new();
    for page in document.get_pages().values() {
        let content = document
            .get_and_decode_page_content(*page)
            .expect("the page's content");
        for operation in content.operations {
            if operation.operator == "Tj" || operation.operator == "TJ" {
                shown(&operation.operands, &unicode, &mut text);
                text.push(' ');
            }
        }
    }
    text
}
