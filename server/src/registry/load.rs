//! Writing the registry into SQLite or PostgreSQL through the Any driver: household offices,
//! the demo rows, and bulk seeding with generation overlapped with batched multi-row INSERTs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, AnyPool, Arguments, Connection};
use tokio::sync::mpsc;

use super::demo::{self, DemoAgency, DemoCitizen, DemoCompany};
use super::generator::{
    max_generated, Citizen, Company, Generator, Issuance, FIRST_GENERATED_CITIZEN_ID, GENERATED_AT,
};
use super::places::{TownshipInfo, TOWNSHIPS};

/// What to generate: `citizens` people and `companies` businesses from `seed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedOptions {
    pub citizens: u64,
    pub companies: u64,
    pub seed: u64,
}

/// What a seeding run wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedReport {
    pub citizens: u64,
    pub issuances: u64,
    pub companies: u64,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// Seeding is once per database: generated ids and ID numbers would collide.
    #[error("the registry already holds generated {table}; seed a fresh database")]
    AlreadySeeded { table: &'static str },
    #[error("at most {max} {what} can be generated")]
    TooMany { what: &'static str, max: u64 },
    #[error("the registry supports SQLite and PostgreSQL, not {0}")]
    UnsupportedDatabase(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Fills the registry with `opts.citizens` citizens (with their card histories) and
/// `opts.companies` companies generated from `opts.seed`, in one transaction: it all lands or
/// nothing does. Fails with [`SeedError::AlreadySeeded`] if generated rows are already there;
/// the demo rows may or may not be (see [`load_demo`]). Household offices are added if missing.
pub async fn seed(pool: &AnyPool, opts: &SeedOptions) -> Result<SeedReport, SeedError> {
    let started = Instant::now();
    let max = max_generated();
    for (what, n) in [("citizens", opts.citizens), ("companies", opts.companies)] {
        if n > max {
            return Err(SeedError::TooMany { what, max });
        }
    }
    let mut conn = pool.acquire().await?;
    let dialect = Dialect::of(&conn)?;
    ensure_not_seeded(&mut conn).await?;
    insert_rows(&mut conn, dialect, offices(), ON_CONFLICT_DO_NOTHING).await?;

    let tuning = match dialect {
        Dialect::Sqlite => Some(SqliteTuning::apply(&mut conn).await?),
        Dialect::Postgres => None,
    };
    let written = write_generated(&mut conn, dialect, opts).await;
    if let Some(tuning) = tuning {
        tuning.restore(&mut conn).await?;
    }
    let counts = written?;
    sync_citizen_id_sequence(&mut conn, dialect).await?;
    Ok(SeedReport {
        citizens: counts.citizens,
        issuances: counts.issuances,
        companies: counts.companies,
        elapsed: started.elapsed(),
    })
}

/// Inserts the demo citizens, their cards, the demo companies and agencies (and the household
/// offices), leaving rows that are already there untouched: safe to run at every start.
pub async fn load_demo(pool: &AnyPool) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let dialect = Dialect::of(&conn).map_err(|e| sqlx::Error::Configuration(e.into()))?;
    let mut tx = conn.begin().await?;
    insert_rows(&mut tx, dialect, offices(), ON_CONFLICT_DO_NOTHING).await?;
    let citizens = demo::CITIZENS.iter().map(|c| demo_citizen(c)).collect();
    insert_rows(&mut tx, dialect, citizens, ON_CONFLICT_DO_NOTHING).await?;
    for citizen in demo::CITIZENS {
        let existing: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM id_card_issuances WHERE citizen_id = $1")
                .bind(citizen.id)
                .fetch_one(&mut *tx)
                .await?;
        if existing == 0 {
            insert_rows(&mut tx, dialect, demo_issuances(citizen), "").await?;
        }
    }
    let companies = demo::COMPANIES.iter().map(|c| demo_company(c)).collect();
    insert_rows(&mut tx, dialect, companies, ON_CONFLICT_DO_NOTHING).await?;
    let agencies = demo::AGENCIES.iter().map(|a| Agency(a)).collect();
    insert_rows(&mut tx, dialect, agencies, ON_CONFLICT_DO_NOTHING).await?;
    tx.commit().await?;
    sync_citizen_id_sequence(&mut conn, dialect).await
}

const ON_CONFLICT_DO_NOTHING: &str = " ON CONFLICT DO NOTHING";

/// The database behind an Any connection, for the few statements that differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn of(conn: &AnyConnection) -> Result<Self, SeedError> {
        match conn.backend_name() {
            "SQLite" => Ok(Self::Sqlite),
            "PostgreSQL" => Ok(Self::Postgres),
            other => Err(SeedError::UnsupportedDatabase(other.to_owned())),
        }
    }

    /// Bind variables allowed in one statement.
    fn max_variables(self) -> usize {
        match self {
            Self::Sqlite => 32_766,
            Self::Postgres => 65_535,
        }
    }

    /// Rows of `R` that fit in one statement.
    fn rows_per_statement<R: Row>(self) -> usize {
        self.max_variables() / R::COLUMNS.len()
    }
}

/// A table row that knows its columns and how to bind itself, in column order.
trait Row: Send + 'static {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    fn bind(self, args: &mut AnyArguments<'static>) -> Result<(), sqlx::Error>;
}

/// Adds one value; the registry binds only i64, text, bool and their options.
fn add<T>(args: &mut AnyArguments<'static>, value: T) -> Result<(), sqlx::Error>
where
    T: 'static + sqlx::Encode<'static, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    args.add(value).map_err(sqlx::Error::Encode)
}

impl Row for Citizen {
    const TABLE: &'static str = "citizens";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "national_id",
        "name",
        "sex",
        "birth_date",
        "county",
        "township",
        "village",
        "neighborhood",
        "street_address",
        "household_office_code",
        "father_name",
        "mother_name",
        "adoptive_father_name",
        "adoptive_mother_name",
        "under_guardianship",
        "id_status",
        "nationality_registered",
        "created_at",
    ];

    fn bind(self, args: &mut AnyArguments<'static>) -> Result<(), sqlx::Error> {
        add(args, self.id)?;
        add(args, self.national_id)?;
        add(args, self.name)?;
        add(args, self.sex)?;
        add(args, self.birth_date)?;
        add(args, self.county)?;
        add(args, self.township)?;
        add(args, self.village)?;
        add(args, self.neighborhood)?;
        add(args, self.street_address)?;
        add(args, self.household_office_code)?;
        add(args, self.father_name)?;
        add(args, self.mother_name)?;
        add(args, self.adoptive_father_name)?;
        add(args, self.adoptive_mother_name)?;
        add(args, self.under_guardianship)?;
        add(args, self.id_status)?;
        add(args, self.nationality_registered)?;
        add(args, self.created_at)
    }
}

impl Row for Issuance {
    const TABLE: &'static str = "id_card_issuances";
    const COLUMNS: &'static [&'static str] = &[
        "citizen_id",
        "issue_date",
        "apply_code",
        "issue_site_id",
        "is_current",
    ];

    fn bind(self, args: &mut AnyArguments<'static>) -> Result<(), sqlx::Error> {
        add(args, self.citizen_id)?;
        add(args, self.issue_date)?;
        add(args, self.apply_code)?;
        add(args, self.issue_site_id)?;
        add(args, self.is_current)
    }
}

impl Row for Company {
    const TABLE: &'static str = "companies";
    const COLUMNS: &'static [&'static str] = &[
        "business_id",
        "name",
        "status",
        "representative",
        "address",
        "registered_on",
    ];

    fn bind(self, args: &mut AnyArguments<'static>) -> Result<(), sqlx::Error> {
        add(args, self.business_id)?;
        add(args, self.name)?;
        add(args, self.status)?;
        add(args, self.representative)?;
        add(args, self.address)?;
        add(args, self.registered_on)
    }
}

/// A government agency of the agency registry (issue 18).
struct Agency(&'static DemoAgency);

impl Row for Agency {
    const TABLE: &'static str = "agencies";
    const COLUMNS: &'static [&'static str] = &["code", "name", "county", "email", "created_at"];

    fn bind(self, args: &mut AnyArguments<'static>) -> Result<(), sqlx::Error> {
        add(args, self.0.code)?;
        add(args, self.0.name)?;
        add(args, self.0.county)?;
        add(args, self.0.email)?;
        add(args, GENERATED_AT)
    }
}

/// A 戶政事務所 row.
struct Office(&'static TownshipInfo);

impl Row for Office {
    const TABLE: &'static str = "household_offices";
    const COLUMNS: &'static [&'static str] = &["code", "name", "county", "township"];

    fn bind(self, args: &mut AnyArguments<'static>) -> Result<(), sqlx::Error> {
        add(args, self.0.code.clone())?;
        add(args, self.0.office_name())?;
        add(args, self.0.county().name)?;
        add(args, self.0.name)
    }
}

/// One household office per township.
fn offices() -> Vec<Office> {
    TOWNSHIPS.iter().map(Office).collect()
}

/// An INSERT ready to run: the SQL is shared between statements of the same shape.
struct Statement {
    sql: Arc<str>,
    args: AnyArguments<'static>,
}

impl Statement {
    async fn execute(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        sqlx::query_with(&self.sql, self.args).execute(conn).await?;
        Ok(())
    }
}

/// Builds statements, reusing the SQL text (and so the prepared statement) of each shape.
#[derive(Default)]
struct StatementBuilder {
    sql: HashMap<(&'static str, usize, &'static str), Arc<str>>,
}

impl StatementBuilder {
    fn build<R: Row>(
        &mut self,
        dialect: Dialect,
        rows: impl ExactSizeIterator<Item = R>,
        suffix: &'static str,
    ) -> Result<Statement, sqlx::Error> {
        let sql = self
            .sql
            .entry((R::TABLE, rows.len(), suffix))
            .or_insert_with(|| insert_sql(dialect, R::TABLE, R::COLUMNS, rows.len(), suffix).into())
            .clone();
        let mut args = AnyArguments::default();
        args.reserve(rows.len() * R::COLUMNS.len(), 0);
        for row in rows {
            row.bind(&mut args)?;
        }
        Ok(Statement { sql, args })
    }
}

/// Inserts a few rows (offices, demo rows) in as many statements as the variable limit needs.
async fn insert_rows<R: Row>(
    conn: &mut AnyConnection,
    dialect: Dialect,
    rows: Vec<R>,
    suffix: &'static str,
) -> Result<(), sqlx::Error> {
    let mut builder = StatementBuilder::default();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let part: Vec<R> = rows
            .by_ref()
            .take(dialect.rows_per_statement::<R>())
            .collect();
        builder
            .build(dialect, part.into_iter(), suffix)?
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// `INSERT INTO table (columns) VALUES (…), (…)` for `rows` rows, then `suffix`.
///
/// PostgreSQL gets `$1, $2, …`. SQLite gets anonymous `?`: it does accept `$N`, but looks each
/// named parameter up by a linear scan, which makes a 30,000-variable statement quadratic
/// (seconds per statement instead of milliseconds).
fn insert_sql(
    dialect: Dialect,
    table: &str,
    columns: &[&str],
    rows: usize,
    suffix: &str,
) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(64 + rows * columns.len() * 8);
    let _ = write!(sql, "INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let anonymous = format!("({})", vec!["?"; columns.len()].join(", "));
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        match dialect {
            Dialect::Sqlite => sql.push_str(&anonymous),
            Dialect::Postgres => {
                let _ = write!(
                    sql,
                    "({})",
                    placeholders(row * columns.len() + 1, columns.len())
                );
            }
        }
    }
    sql.push_str(suffix);
    sql
}

/// `$first, $first+1, …` (`count` of them).
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn ensure_not_seeded(conn: &mut AnyConnection) -> Result<(), SeedError> {
    let citizen: Option<i64> = sqlx::query_scalar("SELECT id FROM citizens WHERE id >= $1 LIMIT 1")
        .bind(FIRST_GENERATED_CITIZEN_ID)
        .fetch_optional(&mut *conn)
        .await?;
    if citizen.is_some() {
        return Err(SeedError::AlreadySeeded { table: "citizens" });
    }
    let sql = format!(
        "SELECT business_id FROM companies WHERE business_id NOT IN ({}) LIMIT 1",
        placeholders(1, demo::COMPANIES.len())
    );
    let mut query = sqlx::query_scalar::<_, String>(&sql);
    for company in demo::COMPANIES {
        query = query.bind(company.business_id);
    }
    if query.fetch_optional(&mut *conn).await?.is_some() {
        return Err(SeedError::AlreadySeeded { table: "companies" });
    }
    Ok(())
}

/// Rows written by a seeding run.
struct Counts {
    citizens: u64,
    issuances: u64,
    companies: u64,
}

/// Generation and binding run on a blocking thread, a few statements ahead of the writer, so
/// that they overlap with the database's work. Everything happens in one transaction, with
/// the secondary indexes dropped during the load and rebuilt at the end (faster than
/// maintaining them row by row, and rolled back with the rest if anything fails).
async fn write_generated(
    conn: &mut AnyConnection,
    dialect: Dialect,
    opts: &SeedOptions,
) -> Result<Counts, SeedError> {
    let (sender, mut receiver) = mpsc::channel::<Result<Statement, sqlx::Error>>(4);
    let generator = Generator::new(opts.seed);
    let (citizens, companies) = (opts.citizens, opts.companies);
    let producer = tokio::task::spawn_blocking(move || {
        produce(&generator, dialect, citizens, companies, &sender).unwrap_or_else(|e| {
            // The writer stops at the first error; if it is gone already, so is the error.
            let _ = sender.blocking_send(Err(e));
            0
        })
    });

    let mut tx = conn.begin().await?;
    let indexes = SecondaryIndexes::remove(&mut tx, dialect).await?;
    while let Some(statement) = receiver.recv().await {
        statement?.execute(&mut tx).await?;
    }
    let issuances = match producer.await {
        Ok(issuances) => issuances,
        // The generator is pure code: a panic there is a bug, not a database condition.
        Err(failure) => std::panic::resume_unwind(failure.into_panic()),
    };
    indexes.recreate(&mut tx).await?;
    tx.commit().await?;
    if dialect == Dialect::Sqlite {
        // The load went through the WAL in one transaction; give the disk space back.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *conn)
            .await?;
    }
    Ok(Counts {
        citizens,
        issuances,
        companies,
    })
}

/// Generates the rows and binds them into full-size statements; citizens first, each
/// statement of issuances after the statements holding their citizens. Returns the number of
/// issuances.
fn produce(
    generator: &Generator,
    dialect: Dialect,
    citizens: u64,
    companies: u64,
    sender: &mpsc::Sender<Result<Statement, sqlx::Error>>,
) -> Result<u64, sqlx::Error> {
    let mut builder = StatementBuilder::default();
    let send = |statement| sender.blocking_send(Ok(statement)).is_ok();

    let per_statement = dialect.rows_per_statement::<Citizen>() as u64;
    let issuances_per_statement = dialect.rows_per_statement::<Issuance>();
    let mut pending: Vec<Issuance> = Vec::with_capacity(2 * issuances_per_statement);
    let mut issuances = 0;
    for start in (0..citizens).step_by(per_statement as usize) {
        let batch = generator.citizens(start..(start + per_statement).min(citizens));
        issuances += batch.issuances.len() as u64;
        pending.extend(batch.issuances);
        if !send(builder.build(dialect, batch.citizens.into_iter(), "")?) {
            return Ok(issuances);
        }
        while pending.len() >= issuances_per_statement {
            let full = pending.drain(..issuances_per_statement);
            if !send(builder.build(dialect, full, "")?) {
                return Ok(issuances);
            }
        }
    }
    if !pending.is_empty() && !send(builder.build(dialect, pending.into_iter(), "")?) {
        return Ok(issuances);
    }

    let per_statement = dialect.rows_per_statement::<Company>() as u64;
    for start in (0..companies).step_by(per_statement as usize) {
        let batch = generator.companies(start..(start + per_statement).min(companies));
        if !send(builder.build(dialect, batch.into_iter(), "")?) {
            return Ok(issuances);
        }
    }
    Ok(issuances)
}

/// Tables whose secondary indexes are rebuilt around a bulk load.
const BULK_TABLES: [&str; 3] = ["citizens", "id_card_issuances", "companies"];

/// The definitions of the bulk tables' secondary indexes (those created by `CREATE INDEX` in
/// the migrations, not those backing a primary key), read from the database itself so that
/// the migrations stay their only source.
struct SecondaryIndexes {
    definitions: Vec<String>,
}

impl SecondaryIndexes {
    async fn remove(conn: &mut AnyConnection, dialect: Dialect) -> Result<Self, sqlx::Error> {
        let query = match dialect {
            Dialect::Sqlite => {
                "SELECT name, sql FROM sqlite_master \
                 WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ($1, $2, $3) \
                 ORDER BY name"
            }
            Dialect::Postgres => {
                "SELECT CAST(i.indexname AS TEXT), i.indexdef FROM pg_indexes i \
                 WHERE i.schemaname = current_schema() AND i.tablename IN ($1, $2, $3) \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
                                 WHERE c.conname = i.indexname AND c.connamespace = \
                                 (SELECT oid FROM pg_namespace WHERE nspname = current_schema())) \
                 ORDER BY i.indexname"
            }
        };
        let mut select = sqlx::query_as::<_, (String, String)>(query);
        for table in BULK_TABLES {
            select = select.bind(table);
        }
        let indexes = select.fetch_all(&mut *conn).await?;
        for (name, _) in &indexes {
            // Index names come from the catalogue, not from input.
            sqlx::query(&format!("DROP INDEX \"{name}\""))
                .execute(&mut *conn)
                .await?;
        }
        Ok(Self {
            definitions: indexes.into_iter().map(|(_, sql)| sql).collect(),
        })
    }

    async fn recreate(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        for sql in self.definitions {
            sqlx::query(&sql).execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// After rows with explicit ids, PostgreSQL's sequence must move past them.
async fn sync_citizen_id_sequence(
    conn: &mut AnyConnection,
    dialect: Dialect,
) -> Result<(), sqlx::Error> {
    if dialect == Dialect::Postgres {
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('citizens', 'id'), \
             (SELECT COALESCE(MAX(id), 1) FROM citizens))",
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Loading-connection settings for SQLite: no fsync and a large page cache while seeding,
/// put back as they were afterwards (the connection returns to the pool).
struct SqliteTuning {
    synchronous: i64,
    cache_size: i64,
}

impl SqliteTuning {
    async fn apply(conn: &mut AnyConnection) -> Result<Self, sqlx::Error> {
        let synchronous = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?;
        let cache_size = sqlx::query_scalar("PRAGMA cache_size")
            .fetch_one(&mut *conn)
            .await?;
        sqlx::query("PRAGMA synchronous = OFF")
            .execute(&mut *conn)
            .await?;
        sqlx::query("PRAGMA cache_size = -262144")
            .execute(&mut *conn)
            .await?;
        Ok(Self {
            synchronous,
            cache_size,
        })
    }

    async fn restore(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        // PRAGMA values cannot be bound; these are integers read from SQLite itself.
        sqlx::query(&format!("PRAGMA synchronous = {}", self.synchronous))
            .execute(&mut *conn)
            .await?;
        sqlx::query(&format!("PRAGMA cache_size = {}", self.cache_size))
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

fn demo_citizen(c: &DemoCitizen) -> Citizen {
    let township = super::places::find_township(c.county, c.township)
        .expect("demo citizens live in real townships");
    Citizen {
        id: c.id,
        national_id: c.national_id.to_owned(),
        name: c.name.to_owned(),
        sex: c.sex,
        birth_date: c.birth_date.to_owned(),
        county: township.county().name,
        township: township.name,
        village: c.village.to_owned(),
        neighborhood: c.neighborhood,
        street_address: c.street_address.to_owned(),
        household_office_code: township.code.clone(),
        father_name: c.father_name.map(str::to_owned),
        mother_name: c.mother_name.map(str::to_owned),
        adoptive_father_name: c.adoptive_father_name.map(str::to_owned),
        adoptive_mother_name: c.adoptive_mother_name.map(str::to_owned),
        under_guardianship: c.under_guardianship,
        id_status: "active",
        nationality_registered: true,
        created_at: GENERATED_AT,
    }
}

fn demo_issuances(c: &DemoCitizen) -> Vec<Issuance> {
    let last = c.issuances.len() - 1;
    c.issuances
        .iter()
        .enumerate()
        .map(|(i, &(date, apply_code, site))| Issuance {
            citizen_id: c.id,
            issue_date: date.to_owned(),
            apply_code,
            issue_site_id: site,
            is_current: i == last,
        })
        .collect()
}

fn demo_company(c: &DemoCompany) -> Company {
    Company {
        business_id: c.business_id.to_owned(),
        name: c.name.to_owned(),
        status: c.status,
        representative: c.representative.to_owned(),
        address: c.address.to_owned(),
        registered_on: c.registered_on.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::atomic::{AtomicU32, Ordering};

    use sqlx::any::AnyPoolOptions;
    use sqlx::migrate::Migrator;

    use super::*;

    /// A migrated database nobody else uses: a temp SQLite file (removed on drop), or a new
    /// PostgreSQL database when `postgres` is asked for and HUJI_TEST_POSTGRES_ADMIN_URL is set.
    struct TestDb {
        pool: AnyPool,
        _dir: Option<tempfile::TempDir>,
    }

    async fn migrated(url: &str, dir: &str, max_connections: u32) -> AnyPool {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .connect(url)
            .await
            .expect("connect");
        let migrations = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .join(dir);
        Migrator::new(migrations)
            .await
            .expect("read migrations")
            .run(&pool)
            .await
            .expect("migrate");
        pool
    }

    async fn sqlite_db(max_connections: u32) -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/registry.db?mode=rwc", dir.path().display());
        let pool = migrated(&url, "sqlite", max_connections).await;
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&pool)
            .await
            .expect("WAL");
        TestDb {
            pool,
            _dir: Some(dir),
        }
    }

    async fn postgres_db() -> Option<TestDb> {
        let admin_url = std::env::var("HUJI_TEST_POSTGRES_ADMIN_URL").ok()?;
        sqlx::any::install_default_drivers();
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "huji_registry_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .as_millis()
        );
        let admin = AnyPool::connect(&admin_url).await.expect("postgres admin");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .expect("create database");
        admin.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(b, _)| b);
        let pool = migrated(&format!("{base}/{name}"), "postgres", 4).await;
        Some(TestDb { pool, _dir: None })
    }

    fn opts(citizens: u64, companies: u64, seed: u64) -> SeedOptions {
        SeedOptions {
            citizens,
            companies,
            seed,
        }
    }

    /// Every registry row as text, in a stable order, read through the Any driver with the
    /// types the application uses. BOOLEAN columns are read as `CAST(… AS INTEGER)`: the Any
    /// driver cannot decode a SQLite BOOLEAN column (sqlx#2778).
    async fn dump(pool: &AnyPool) -> Vec<String> {
        use sqlx::Row as _;
        let tables = [
            ("citizens", Citizen::COLUMNS.join(", "), "id"),
            (
                "id_card_issuances",
                format!("id, {}", Issuance::COLUMNS.join(", ")),
                "id",
            ),
            ("companies", Company::COLUMNS.join(", "), "business_id"),
        ];
        let mut out = Vec::new();
        for (table, columns, order) in tables {
            let select: Vec<String> = columns
                .split(", ")
                .map(|c| match c {
                    "under_guardianship" | "nationality_registered" | "is_current" => {
                        format!("CAST({c} AS INTEGER)")
                    }
                    _ => c.to_owned(),
                })
                .collect();
            let sql = format!("SELECT {} FROM {table} ORDER BY {order}", select.join(", "));
            for row in sqlx::query(&sql).fetch_all(pool).await.expect(table) {
                let mut line = String::from(table);
                for (i, column) in columns.split(", ").enumerate() {
                    let value = match column {
                        "id"
                        | "citizen_id"
                        | "neighborhood"
                        | "apply_code"
                        | "created_at"
                        | "under_guardianship"
                        | "nationality_registered"
                        | "is_current" => row.try_get::<i64, _>(i).map(|v| v.to_string()),
                        _ => row
                            .try_get::<Option<String>, _>(i)
                            .map(|v| format!("{v:?}")),
                    };
                    line.push('|');
                    line.push_str(&value.expect(column));
                }
                out.push(line);
            }
        }
        out
    }

    async fn count(pool: &AnyPool, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
    }

    #[tokio::test]
    async fn f1_dollar_placeholders_work_on_sqlite() {
        let db = sqlite_db(1).await;
        let (sum, text, flag): (i64, String, i64) =
            sqlx::query_as("SELECT $1 + $2, $3, CAST($4 AS INTEGER)")
                .bind(40_i64)
                .bind(2_i64)
                .bind("臺北市")
                .bind(true)
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert_eq!((sum, text.as_str(), flag), (42, "臺北市", 1));
        // Out of order and repeated, as PostgreSQL allows.
        let twice: i64 = sqlx::query_scalar("SELECT $2 * 10 + $1 + $2")
            .bind(1_i64)
            .bind(3_i64)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(twice, 34);
    }

    #[tokio::test]
    async fn f1_one_current_issuance_per_citizen() {
        let db = sqlite_db(2).await;
        seed(&db.pool, &opts(3_000, 0, 1)).await.unwrap();
        load_demo(&db.pool).await.unwrap();
        let doubles = count(
            &db.pool,
            "SELECT COUNT(*) FROM (SELECT citizen_id FROM id_card_issuances WHERE is_current \
             GROUP BY citizen_id HAVING COUNT(*) > 1) d",
        )
        .await;
        assert_eq!(doubles, 0);
        let holders_without_current = count(
            &db.pool,
            "SELECT COUNT(DISTINCT citizen_id) FROM id_card_issuances i WHERE NOT EXISTS \
             (SELECT 1 FROM id_card_issuances c WHERE c.citizen_id = i.citizen_id AND c.is_current)",
        )
        .await;
        assert_eq!(holders_without_current, 0);

        // The schema, not the generator, enforces it.
        let second_current = sqlx::query(
            "INSERT INTO id_card_issuances (citizen_id, issue_date, apply_code, issue_site_id, \
             is_current) VALUES ($1, '2025-01-02', 2, '63000', TRUE)",
        )
        .bind(demo::WANG_XIAOMING.id)
        .execute(&db.pool)
        .await;
        assert!(
            second_current.is_err(),
            "a second current card must be refused"
        );
    }

    #[tokio::test]
    async fn f1_seeding_is_deterministic_byte_for_byte() {
        let a = sqlite_db(2).await;
        let b = sqlite_db(2).await;
        let c = sqlite_db(2).await;
        seed(&a.pool, &opts(2_500, 300, 9)).await.unwrap();
        seed(&b.pool, &opts(2_500, 300, 9)).await.unwrap();
        seed(&c.pool, &opts(2_500, 300, 10)).await.unwrap();
        let (dump_a, dump_b, dump_c) = (
            dump(&a.pool).await,
            dump(&b.pool).await,
            dump(&c.pool).await,
        );
        assert_eq!(dump_a.len(), dump_b.len());
        assert!(dump_a == dump_b, "same seed, same rows");
        assert!(dump_a != dump_c, "another seed, other rows");
    }

    #[tokio::test]
    async fn f1_seed_refuses_a_seeded_database() {
        let db = sqlite_db(2).await;
        let report = seed(&db.pool, &opts(500, 50, 2)).await.unwrap();
        assert_eq!((report.citizens, report.companies), (500, 50));
        let before = dump(&db.pool).await;
        let again = seed(&db.pool, &opts(500, 50, 3)).await;
        assert!(matches!(
            again,
            Err(SeedError::AlreadySeeded { table: "citizens" })
        ));
        let companies_only = sqlite_db(2).await;
        seed(&companies_only.pool, &opts(0, 10, 2)).await.unwrap();
        let again = seed(&companies_only.pool, &opts(0, 10, 2)).await;
        assert!(matches!(
            again,
            Err(SeedError::AlreadySeeded { table: "companies" })
        ));
        assert!(
            before == dump(&db.pool).await,
            "a refused seed changes nothing"
        );
    }

    #[tokio::test]
    async fn f1_demo_rows_load_idempotently_before_or_after_seeding() {
        let db = sqlite_db(2).await;
        load_demo(&db.pool).await.unwrap();
        load_demo(&db.pool).await.unwrap();
        seed(&db.pool, &opts(200, 20, 4)).await.unwrap();
        load_demo(&db.pool).await.unwrap();
        assert_eq!(
            count(&db.pool, "SELECT COUNT(*) FROM citizens").await,
            200 + super::demo::CITIZENS.len() as i64
        );
        assert_eq!(
            count(&db.pool, "SELECT COUNT(*) FROM companies").await,
            20 + super::demo::COMPANIES.len() as i64
        );
        assert_eq!(
            count(&db.pool, "SELECT COUNT(*) FROM household_offices").await,
            368
        );

        let wang: (String, String, String, String, i64) = sqlx::query_as(
            "SELECT name, birth_date, township, father_name, CAST(under_guardianship AS INTEGER) \
             FROM citizens WHERE national_id = $1",
        )
        .bind(demo::WANG_XIAOMING.national_id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(
            wang,
            (
                "王小明".into(),
                "1984-01-01".into(),
                "大安區".into(),
                "王大明".into(),
                0
            )
        );
        let card: (String, i64, String) = sqlx::query_as(
            "SELECT i.issue_date, i.apply_code, i.issue_site_id FROM id_card_issuances i \
             JOIN citizens c ON c.id = i.citizen_id WHERE c.national_id = $1 AND i.is_current",
        )
        .bind("A123456789")
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(card, ("2021-06-15".into(), 3, "63000".into()));
        let guarded: i64 = sqlx::query_scalar(
            "SELECT CAST(under_guardianship AS INTEGER) FROM citizens WHERE national_id = $1",
        )
        .bind(demo::CHEN_ZHIQIANG.national_id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(guarded, 1);
        let status: String =
            sqlx::query_scalar("SELECT status FROM companies WHERE business_id = $1")
                .bind(demo::DISSOLVED_COMPANY.business_id)
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert_eq!(status, "解散");
        assert_eq!(
            count(
                &db.pool,
                "SELECT COUNT(*) FROM id_card_issuances WHERE citizen_id < 1000"
            )
            .await,
            demo::CITIZENS
                .iter()
                .map(|citizen| citizen.issuances.len() as i64)
                .sum::<i64>()
        );
    }

    #[tokio::test]
    async fn f1_seed_restores_the_loading_connection_settings() {
        let db = sqlite_db(1).await;
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&db.pool)
            .await
            .unwrap();
        let before: (i64, i64) = (
            count(&db.pool, "PRAGMA synchronous").await,
            count(&db.pool, "PRAGMA cache_size").await,
        );
        seed(&db.pool, &opts(100, 10, 5)).await.unwrap();
        let after = (
            count(&db.pool, "PRAGMA synchronous").await,
            count(&db.pool, "PRAGMA cache_size").await,
        );
        assert_eq!(before, after);
        assert_eq!(before.0, 1, "NORMAL");
    }

    #[tokio::test]
    async fn f1_seed_rebuilds_the_indexes_it_drops() {
        let db = sqlite_db(2).await;
        let indexes =
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                       AND tbl_name IN ('citizens', 'id_card_issuances', 'companies')";
        let before = count(&db.pool, indexes).await;
        seed(&db.pool, &opts(300, 10, 6)).await.unwrap();
        assert_eq!(count(&db.pool, indexes).await, before);
        assert_eq!(before, 3);
        let duplicate = sqlx::query(
            "INSERT INTO citizens (id, national_id, name, sex, birth_date, county, township, \
             village, neighborhood, street_address, household_office_code, created_at) \
             SELECT 999, national_id, name, sex, birth_date, county, township, village, \
             neighborhood, street_address, household_office_code, created_at \
             FROM citizens WHERE id = 1000",
        )
        .execute(&db.pool)
        .await;
        assert!(
            duplicate.is_err(),
            "national IDs stay unique after the load"
        );
    }

    #[tokio::test]
    async fn f1_postgres_gets_the_same_rows_as_sqlite() {
        let Some(pg) = postgres_db().await else {
            eprintln!("HUJI_TEST_POSTGRES_ADMIN_URL not set: PostgreSQL part skipped");
            return;
        };
        let sqlite = sqlite_db(2).await;
        for db in [&pg, &sqlite] {
            load_demo(&db.pool).await.unwrap();
            seed(&db.pool, &opts(4_000, 400, 12)).await.unwrap();
            load_demo(&db.pool).await.unwrap();
        }
        assert!(dump(&pg.pool).await == dump(&sqlite.pool).await);
        let again = seed(&pg.pool, &opts(1, 0, 12)).await;
        assert!(matches!(again, Err(SeedError::AlreadySeeded { .. })));
        // The id sequence moved past the explicit ids.
        let next: i64 = sqlx::query_scalar(
            "INSERT INTO citizens (national_id, name, sex, birth_date, county, township, village, \
             neighborhood, street_address, household_office_code, created_at) \
             VALUES ('A100000001', '測試', 'M', '2000-01-01', '臺北市', '大安區', '龍安里', 1, \
             '1號', '63000030', 0) RETURNING id",
        )
        .fetch_one(&pg.pool)
        .await
        .unwrap();
        assert_eq!(next, FIRST_GENERATED_CITIZEN_ID + 4_000);
    }
}
