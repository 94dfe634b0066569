//! Reads a migrated database's schema into a backend-neutral [`Schema`], so that tests can
//! compare the SQLite and PostgreSQL migrations and check that the codes Rust stores are the
//! ones a column's CHECK allows.
//!
//! What is normalised, so that the two dialects of one intent compare equal:
//! - Column types become a [`TypeClass`]: SQLite's affinity rules (a declared type containing
//!   INT is integer, CHAR/CLOB/TEXT text, BLOB blob, REAL/FLOA/DOUB real), except that a
//!   declared BOOL type is boolean, as PostgreSQL has it; on PostgreSQL smallint, integer and
//!   bigint are integer, text/varchar/char text, bytea blob, real/double precision real.
//!   Integer widths are not compared: SQLite keeps every integer in up to 8 bytes.
//! - A primary-key column is NOT NULL on both: SQLite lets a non-INTEGER key hold NULL (a
//!   documented legacy quirk of the engine, not something a migration says).
//! - Defaults and CHECK and index-predicate expressions are tokenised: case of keywords and
//!   identifiers, comments, `::type` casts and grouping parentheses are dropped (so operator
//!   precedence expressed only by parentheses is not compared); `!=` is `<>`.
//!   `col IN (…)`, PostgreSQL's `col = ANY (ARRAY[…])` and `col = literal` become
//!   [`Condition::In`].
//! - A default that takes the next value of a sequence (PostgreSQL's BIGSERIAL) reads as no
//!   default: SQLite's INTEGER PRIMARY KEY generates its value without one, so whether a key
//!   is generated is not compared.
//! - Constraint and trigger names are not compared (PostgreSQL names what SQLite does not, and
//!   one PostgreSQL trigger may stand for two SQLite ones); UNIQUE constraints are column
//!   lists, and only indexes made by CREATE INDEX are [`Index`]es, by name.

use app::platform::db::{Backend, Db};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Every table of the application (not sqlx's `_sqlx_migrations`, not SQLite's own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: BTreeMap<String, Column>,
    /// Column and table CHECK constraints alike: both dialects keep them per table.
    pub checks: BTreeSet<Condition>,
    /// The column lists of UNIQUE constraints (not of unique indexes: see `indexes`).
    pub uniques: BTreeSet<Vec<String>>,
    pub foreign_keys: BTreeSet<ForeignKey>,
    /// Indexes made by CREATE INDEX, by name.
    pub indexes: BTreeMap<String, Index>,
    pub triggers: BTreeSet<Trigger>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub class: TypeClass,
    pub nullable: bool,
    /// The column's 1-based position in the primary key, if it is part of it.
    pub primary_key: Option<u32>,
    /// The normalised default expression; `None` also for a sequence's next value.
    pub default: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeClass {
    Integer,
    Real,
    Numeric,
    Text,
    Blob,
    Boolean,
    /// A type neither dialect's mapping knows, by its (lower-case) name.
    Other(String),
}

/// A CHECK constraint or an index predicate, normalised.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Condition {
    /// `column IN (values…)`, in whichever dialect it was written.
    In {
        column: String,
        values: BTreeSet<Literal>,
    },
    /// Any other expression, as normalised text.
    Other(String),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Literal {
    Number(String),
    Text(String),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub references_table: String,
    pub references_columns: Vec<String>,
    /// NO ACTION, RESTRICT, CASCADE, SET NULL or SET DEFAULT.
    pub on_update: String,
    pub on_delete: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    pub columns: Vec<String>,
    pub unique: bool,
    pub predicate: Option<Condition>,
}

/// A row trigger, by when it fires (lower case, e.g. "before" and "delete").
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Trigger {
    pub timing: String,
    pub event: String,
}

impl Schema {
    /// The schema of `db`, which must have been migrated.
    pub async fn read(db: &Db) -> Schema {
        match db.backend {
            Backend::Sqlite => read_sqlite(db).await,
            Backend::Postgres => read_postgres(db).await,
        }
    }

    /// The values a CHECK of `table.column` allows, if one lists them (`column IN (…)`); what
    /// every such CHECK of the column allows, if there are several. Texts unquoted, numbers
    /// as written.
    pub fn check_values(&self, table: &str, column: &str) -> Option<BTreeSet<String>> {
        self.tables
            .get(table)?
            .checks
            .iter()
            .filter_map(|check| match check {
                Condition::In { column: c, values } if c == column => {
                    Some(values.iter().map(|v| v.value().to_owned()).collect())
                }
                _ => None,
            })
            .reduce(|all: BTreeSet<String>, these| all.intersection(&these).cloned().collect())
    }

    /// Every way in which `other` differs from this schema, one line each, naming the table
    /// and what differs; `name` and `other_name` say which side is which (e.g. "SQLite").
    pub fn differences(&self, name: &str, other: &Schema, other_name: &str) -> Vec<String> {
        let sides = Sides {
            left: name,
            right: other_name,
        };
        let mut out = Vec::new();
        for (table, pair) in paired(&self.tables, &other.tables) {
            match pair {
                (Some(a), Some(b)) => a.differences(table, b, &sides, &mut out),
                (Some(_), None) => out.push(format!("table {table}: only on {}", sides.left)),
                _ => out.push(format!("table {table}: only on {}", sides.right)),
            }
        }
        out
    }
}

/// Which side of a comparison is which, for the messages.
struct Sides<'a> {
    left: &'a str,
    right: &'a str,
}

impl Sides<'_> {
    /// "x on SQLite, y on PostgreSQL".
    fn both(&self, left: impl fmt::Display, right: impl fmt::Display) -> String {
        format!("{left} on {}, {right} on {}", self.left, self.right)
    }

    /// One line per item of `left` or `right` that the other lacks.
    fn only<T: Ord + fmt::Display>(
        &self,
        context: &str,
        left: &BTreeSet<T>,
        right: &BTreeSet<T>,
        out: &mut Vec<String>,
    ) {
        for item in left.difference(right) {
            out.push(format!("{context} {item}: only on {}", self.left));
        }
        for item in right.difference(left) {
            out.push(format!("{context} {item}: only on {}", self.right));
        }
    }
}

/// The union of both maps' keys, each with what either map holds for it.
fn paired<'a, V>(
    left: &'a BTreeMap<String, V>,
    right: &'a BTreeMap<String, V>,
) -> impl Iterator<Item = (&'a str, (Option<&'a V>, Option<&'a V>))> {
    let keys: BTreeSet<&String> = left.keys().chain(right.keys()).collect();
    keys.into_iter()
        .map(|key| (key.as_str(), (left.get(key), right.get(key))))
}

impl Table {
    fn differences(&self, table: &str, other: &Table, sides: &Sides, out: &mut Vec<String>) {
        for (column, pair) in paired(&self.columns, &other.columns) {
            let context = format!("table {table}, column {column}");
            match pair {
                (Some(a), Some(b)) => a.differences(&context, b, sides, out),
                (Some(_), None) => out.push(format!("{context}: only on {}", sides.left)),
                _ => out.push(format!("{context}: only on {}", sides.right)),
            }
        }
        self.check_differences(table, other, sides, out);
        let uniques = |table: &Table| -> BTreeSet<String> {
            table
                .uniques
                .iter()
                .map(|c| format!("({})", c.join(", ")))
                .collect()
        };
        sides.only(
            &format!("table {table}, UNIQUE"),
            &uniques(self),
            &uniques(other),
            out,
        );
        sides.only(
            &format!("table {table}, FOREIGN KEY"),
            &self.foreign_keys,
            &other.foreign_keys,
            out,
        );
        for (name, pair) in paired(&self.indexes, &other.indexes) {
            let context = format!("table {table}, index {name}");
            match pair {
                (Some(a), Some(b)) => a.differences(&context, b, sides, out),
                (Some(_), None) => out.push(format!("{context}: only on {}", sides.left)),
                _ => out.push(format!("{context}: only on {}", sides.right)),
            }
        }
        sides.only(
            &format!("table {table}, trigger"),
            &self.triggers,
            &other.triggers,
            out,
        );
    }

    /// CHECKs only one side has; an IN-list on a column that both sides restrict, but to
    /// different values, is one line saying which values differ.
    fn check_differences(&self, table: &str, other: &Table, sides: &Sides, out: &mut Vec<String>) {
        let mut left: BTreeSet<&Condition> = self.checks.difference(&other.checks).collect();
        let mut right: BTreeSet<&Condition> = other.checks.difference(&self.checks).collect();
        for a in left.clone() {
            let Condition::In { column, values } = a else {
                continue;
            };
            let same_column = right
                .iter()
                .copied()
                .find(|b| matches!(b, Condition::In { column: c, .. } if c == column));
            if let Some(b @ Condition::In { values: others, .. }) = same_column {
                let list = |values: BTreeSet<&Literal>| -> String {
                    let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                    format!("{{{}}}", shown.join(", "))
                };
                out.push(format!(
                    "table {table}, CHECK on {column}: {} only on {}; {} only on {}",
                    list(values.difference(others).collect()),
                    sides.left,
                    list(others.difference(values).collect()),
                    sides.right,
                ));
                left.remove(a);
                right.remove(b);
            }
        }
        for check in left {
            out.push(format!(
                "table {table}, CHECK ({check}): only on {}",
                sides.left
            ));
        }
        for check in right {
            out.push(format!(
                "table {table}, CHECK ({check}): only on {}",
                sides.right
            ));
        }
    }
}

impl Column {
    fn differences(&self, context: &str, other: &Column, sides: &Sides, out: &mut Vec<String>) {
        if self.class != other.class {
            let types = sides.both(&self.class, &other.class);
            out.push(format!("{context}: type {types}"));
        }
        if self.nullable != other.nullable {
            let null = |nullable: bool| if nullable { "nullable" } else { "NOT NULL" };
            let both = sides.both(null(self.nullable), null(other.nullable));
            out.push(format!("{context}: {both}"));
        }
        if self.primary_key != other.primary_key {
            let key = |position: Option<u32>| match position {
                Some(n) => format!("primary key column {n}"),
                None => "not in the primary key".to_owned(),
            };
            let both = sides.both(key(self.primary_key), key(other.primary_key));
            out.push(format!("{context}: {both}"));
        }
        if self.default != other.default {
            let default = |d: &Option<String>| d.clone().unwrap_or_else(|| "none".to_owned());
            let both = sides.both(default(&self.default), default(&other.default));
            out.push(format!("{context}: default {both}"));
        }
    }
}

impl Index {
    fn differences(&self, context: &str, other: &Index, sides: &Sides, out: &mut Vec<String>) {
        if self.columns != other.columns {
            let columns = |c: &[String]| format!("({})", c.join(", "));
            let both = sides.both(columns(&self.columns), columns(&other.columns));
            out.push(format!("{context}: columns {both}"));
        }
        if self.unique != other.unique {
            let unique = |u: bool| if u { "unique" } else { "not unique" };
            out.push(format!(
                "{context}: {}",
                sides.both(unique(self.unique), unique(other.unique))
            ));
        }
        if self.predicate != other.predicate {
            let predicate = |p: &Option<Condition>| match p {
                Some(p) => format!("WHERE {p}"),
                None => "no WHERE".to_owned(),
            };
            let both = sides.both(predicate(&self.predicate), predicate(&other.predicate));
            out.push(format!("{context}: {both}"));
        }
    }
}

impl fmt::Display for TypeClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeClass::Integer => f.write_str("integer"),
            TypeClass::Real => f.write_str("real"),
            TypeClass::Numeric => f.write_str("numeric"),
            TypeClass::Text => f.write_str("text"),
            TypeClass::Blob => f.write_str("blob"),
            TypeClass::Boolean => f.write_str("boolean"),
            TypeClass::Other(name) => f.write_str(name),
        }
    }
}

impl Literal {
    /// The value itself: a text unquoted, a number as written.
    pub fn value(&self) -> &str {
        match self {
            Literal::Number(n) | Literal::Text(n) => n,
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Number(n) => f.write_str(n),
            Literal::Text(t) => write!(f, "'{}'", t.replace('\'', "''")),
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::In { column, values } => {
                let values: Vec<String> = values.iter().map(Literal::to_string).collect();
                write!(f, "{column} IN ({})", values.join(", "))
            }
            Condition::Other(expression) => f.write_str(expression),
        }
    }
}

impl fmt::Display for ForeignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "({}) REFERENCES {} ({}) ON UPDATE {} ON DELETE {}",
            self.columns.join(", "),
            self.references_table,
            self.references_columns.join(", "),
            self.on_update,
            self.on_delete
        )
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.timing.to_uppercase(),
            self.event.to_uppercase()
        )
    }
}

// ---- SQLite ----

/// SQLite keeps CHECKs only in the CREATE TABLE text (`sqlite_master.sql`, which ALTER TABLE
/// ADD COLUMN rewrites), so they and index predicates are parsed from there; the rest comes
/// from the pragmas.
async fn read_sqlite(db: &Db) -> Schema {
    let pool = &db.pool;
    let rows = sqlx::query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("list SQLite tables");
    let mut tables = BTreeMap::new();
    for row in rows {
        let name: String = row.get("name");
        let sql: String = row.get("sql");
        let mut table = Table {
            checks: sqlite_checks(&sql),
            ..Table::default()
        };
        let columns =
            sqlx::query("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)")
                .bind(&name)
                .fetch_all(pool)
                .await
                .expect("SQLite table_info");
        for column in columns {
            let position: i64 = column.get("pk");
            let primary_key = u32::try_from(position).ok().filter(|&p| p > 0);
            let default: Option<String> = column.get("dflt_value");
            table.columns.insert(
                column.get("name"),
                Column {
                    class: sqlite_class(&column.get::<String, _>("type")),
                    nullable: column.get::<i64, _>("notnull") == 0 && primary_key.is_none(),
                    primary_key,
                    default: default.as_deref().and_then(normalised_default),
                },
            );
        }
        read_sqlite_indexes(db, &name, &mut table).await;
        let keys = sqlx::query(
            "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete \
             FROM pragma_foreign_key_list(?) ORDER BY id, seq",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .expect("SQLite foreign_key_list");
        // One row per column of a key; `to` is NULL where the key names no columns, i.e. the
        // referenced table's primary key, which is filled in below once every table is read.
        let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        for key in keys {
            let entry = by_id.entry(key.get("id")).or_insert_with(|| ForeignKey {
                columns: Vec::new(),
                references_table: key.get("table"),
                references_columns: Vec::new(),
                on_update: key.get("on_update"),
                on_delete: key.get("on_delete"),
            });
            entry.columns.push(key.get("from"));
            if let Some(to) = key.get::<Option<String>, _>("to") {
                entry.references_columns.push(to);
            }
        }
        table.foreign_keys = by_id.into_values().collect();
        tables.insert(name, table);
    }
    let primary_keys: BTreeMap<String, Vec<String>> = tables
        .iter()
        .map(|(name, table)| (name.clone(), primary_key_columns(table)))
        .collect();
    for table in tables.values_mut() {
        table.foreign_keys = std::mem::take(&mut table.foreign_keys)
            .into_iter()
            .map(|mut key| {
                if key.references_columns.is_empty() {
                    key.references_columns = primary_keys
                        .get(&key.references_table)
                        .cloned()
                        .unwrap_or_default();
                }
                key
            })
            .collect();
    }
    let triggers = sqlx::query("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        .fetch_all(pool)
        .await
        .expect("list SQLite triggers");
    for row in triggers {
        let table: String = row.get("tbl_name");
        let trigger = sqlite_trigger(&row.get::<String, _>("sql"));
        tables.entry(table).or_default().triggers.insert(trigger);
    }
    Schema { tables }
}

async fn read_sqlite_indexes(db: &Db, table_name: &str, table: &mut Table) {
    let indexes = sqlx::query("SELECT name, \"unique\", origin FROM pragma_index_list(?)")
        .bind(table_name)
        .fetch_all(&db.pool)
        .await
        .expect("SQLite index_list");
    for index in indexes {
        let name: String = index.get("name");
        let origin: String = index.get("origin");
        let columns: Vec<String> =
            sqlx::query("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                .bind(&name)
                .fetch_all(&db.pool)
                .await
                .expect("SQLite index_info")
                .iter()
                .map(|c| {
                    c.get::<Option<String>, _>("name")
                        .expect("an indexed column, not an expression: schema.rs reads no others")
                })
                .collect();
        match origin.as_str() {
            // The primary key is read from the columns.
            "pk" => {}
            "u" => {
                table.uniques.insert(columns);
            }
            _ => {
                let sql: String =
                    sqlx::query("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?")
                        .bind(&name)
                        .fetch_one(&db.pool)
                        .await
                        .expect("CREATE INDEX text")
                        .get("sql");
                let unique = index.get::<i64, _>("unique") != 0;
                table.indexes.insert(
                    name,
                    Index {
                        columns,
                        unique,
                        predicate: sqlite_index_predicate(&sql),
                    },
                );
            }
        }
    }
}

fn primary_key_columns(table: &Table) -> Vec<String> {
    let mut key: Vec<(u32, &String)> = table
        .columns
        .iter()
        .filter_map(|(name, column)| Some((column.primary_key?, name)))
        .collect();
    key.sort();
    key.into_iter().map(|(_, name)| name.clone()).collect()
}

fn sqlite_class(declared: &str) -> TypeClass {
    let declared = declared.to_uppercase();
    let has = |part: &str| declared.contains(part);
    if has("BOOL") {
        TypeClass::Boolean
    } else if has("INT") {
        TypeClass::Integer
    } else if has("CHAR") || has("CLOB") || has("TEXT") {
        TypeClass::Text
    } else if has("BLOB") || declared.is_empty() {
        TypeClass::Blob
    } else if has("REAL") || has("FLOA") || has("DOUB") {
        TypeClass::Real
    } else if has("NUMERIC") || has("DECIMAL") {
        TypeClass::Numeric
    } else {
        TypeClass::Other(declared.to_lowercase())
    }
}

/// Every CHECK of a CREATE TABLE statement, of a column or of the table.
fn sqlite_checks(create_table: &str) -> BTreeSet<Condition> {
    let tokens = tokenise(create_table);
    let mut checks = BTreeSet::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].is_word("check") && tokens.get(i + 1).is_some_and(|t| t.is_punct("(")) {
            let end = closing(&tokens, i + 1);
            checks.insert(Condition::of(&tokens[i + 2..end]));
            i = end;
        }
        i += 1;
    }
    checks
}

fn sqlite_index_predicate(create_index: &str) -> Option<Condition> {
    let tokens = tokenise(create_index);
    let mut depth = 0;
    for (i, token) in tokens.iter().enumerate() {
        if token.is_punct("(") {
            depth += 1;
        } else if token.is_punct(")") {
            depth -= 1;
        } else if depth == 0 && token.is_word("where") {
            return Some(Condition::of(&tokens[i + 1..]));
        }
    }
    None
}

/// When a CREATE TRIGGER fires: BEFORE unless it says otherwise, as SQLite has it.
fn sqlite_trigger(create_trigger: &str) -> Trigger {
    let tokens = tokenise(create_trigger);
    let words: Vec<&str> = tokens.iter().filter_map(Token::word).collect();
    let at = words
        .iter()
        .position(|w| ["before", "after", "instead", "delete", "insert", "update"].contains(w))
        .expect("a CREATE TRIGGER says when it fires");
    let (timing, event) = match words[at] {
        "instead" => ("instead of", words.get(at + 2)),
        "before" | "after" => (words[at], words.get(at + 1)),
        _ => ("before", words.get(at)),
    };
    Trigger {
        timing: timing.to_owned(),
        event: event.expect("a trigger's event").to_string(),
    }
}

// ---- PostgreSQL ----

/// Everything is cast to text, bigint or boolean: the sqlx Any driver decodes no other types
/// (not `name`, `"char"` or arrays, which the catalogs use).
async fn read_postgres(db: &Db) -> Schema {
    let pool = &db.pool;
    let mut tables: BTreeMap<String, Table> = sqlx::query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("list PostgreSQL tables")
    .iter()
    .map(|row| (row.get("name"), Table::default()))
    .collect();

    let columns = sqlx::query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                data_type::text AS data_type, is_nullable::text AS is_nullable, \
                column_default::text AS column_default \
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(pool)
    .await
    .expect("PostgreSQL columns");
    for row in columns {
        let Some(table) = tables.get_mut(&row.get::<String, _>("table_name")) else {
            continue;
        };
        let default: Option<String> = row.get("column_default");
        table.columns.insert(
            row.get("column_name"),
            Column {
                class: postgres_class(&row.get::<String, _>("data_type")),
                nullable: row.get::<String, _>("is_nullable") == "YES",
                primary_key: None,
                default: default.as_deref().and_then(normalised_default),
            },
        );
    }

    let constraints = sqlx::query(
        "SELECT t.relname::text AS table_name, c.contype::text AS kind, \
                pg_get_constraintdef(c.oid) AS definition, \
                array_to_string(ARRAY(SELECT a.attname::text \
                    FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) \
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
                    ORDER BY k.n), ',') AS columns, \
                f.relname::text AS referenced_table, \
                array_to_string(ARRAY(SELECT a.attname::text \
                    FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n) \
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum \
                    ORDER BY k.n), ',') AS referenced_columns, \
                c.confupdtype::text AS on_update, c.confdeltype::text AS on_delete \
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
         LEFT JOIN pg_class f ON f.oid = c.confrelid \
         WHERE t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())",
    )
    .fetch_all(pool)
    .await
    .expect("PostgreSQL constraints");
    for row in constraints {
        let Some(table) = tables.get_mut(&row.get::<String, _>("table_name")) else {
            continue;
        };
        let list = |column: &str| -> Vec<String> {
            let joined: String = row.get(column);
            joined.split(',').map(str::to_owned).collect()
        };
        match row.get::<String, _>("kind").as_str() {
            "p" => {
                for (position, name) in (1..).zip(list("columns")) {
                    let column = table
                        .columns
                        .get_mut(&name)
                        .expect("a primary key's column is a column of its table");
                    column.primary_key = Some(position);
                }
            }
            "u" => {
                table.uniques.insert(list("columns"));
            }
            "c" => {
                table
                    .checks
                    .insert(postgres_check(&row.get::<String, _>("definition")));
            }
            "f" => {
                table.foreign_keys.insert(ForeignKey {
                    columns: list("columns"),
                    references_table: row.get("referenced_table"),
                    references_columns: list("referenced_columns"),
                    on_update: postgres_action(&row.get::<String, _>("on_update")),
                    on_delete: postgres_action(&row.get::<String, _>("on_delete")),
                });
            }
            // NOT NULL (PostgreSQL 18 lists it here too) is read from the columns.
            "n" => {}
            other => panic!("constraint kind {other:?} is not read by schema.rs: teach it"),
        }
    }

    // Indexes that back a primary key or UNIQUE constraint are those constraints.
    let indexes = sqlx::query(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
                x.indisunique AS is_unique, pg_get_expr(x.indpred, x.indrelid) AS predicate, \
                array_to_string(ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) \
                    FROM generate_series(1, x.indnkeyatts) AS k ORDER BY k), ',') AS columns \
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid \
         WHERE t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid \
                         AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x'))",
    )
    .fetch_all(pool)
    .await
    .expect("PostgreSQL indexes");
    for row in indexes {
        let Some(table) = tables.get_mut(&row.get::<String, _>("table_name")) else {
            continue;
        };
        let columns: String = row.get("columns");
        let predicate: Option<String> = row.get("predicate");
        table.indexes.insert(
            row.get("index_name"),
            Index {
                columns: columns.split(',').map(str::to_owned).collect(),
                unique: row.get("is_unique"),
                predicate: predicate.map(|p| Condition::of(&tokenise(&p))),
            },
        );
    }

    // information_schema lists a trigger once per event; internal (foreign key) ones not.
    let triggers = sqlx::query(
        "SELECT event_object_table::text AS table_name, action_timing::text AS timing, \
                event_manipulation::text AS event \
         FROM information_schema.triggers WHERE trigger_schema = current_schema()",
    )
    .fetch_all(pool)
    .await
    .expect("PostgreSQL triggers");
    for row in triggers {
        if let Some(table) = tables.get_mut(&row.get::<String, _>("table_name")) {
            table.triggers.insert(Trigger {
                timing: row.get::<String, _>("timing").to_lowercase(),
                event: row.get::<String, _>("event").to_lowercase(),
            });
        }
    }
    Schema { tables }
}

/// A CHECK as `pg_get_constraintdef` writes it: `CHECK (expression)`.
fn postgres_check(definition: &str) -> Condition {
    let tokens = tokenise(definition);
    match tokens.first() {
        Some(first) if first.is_word("check") => Condition::of(&tokens[1..]),
        _ => Condition::of(&tokens),
    }
}

fn postgres_class(data_type: &str) -> TypeClass {
    match data_type {
        "smallint" | "integer" | "bigint" => TypeClass::Integer,
        "real" | "double precision" => TypeClass::Real,
        "numeric" => TypeClass::Numeric,
        "text" | "character varying" | "character" => TypeClass::Text,
        "bytea" => TypeClass::Blob,
        "boolean" => TypeClass::Boolean,
        other => TypeClass::Other(other.to_owned()),
    }
}

/// `pg_constraint`'s one-letter referential actions, as SQLite's pragma spells them.
fn postgres_action(code: &str) -> String {
    match code {
        "a" => "NO ACTION",
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        other => panic!("unknown referential action {other:?}"),
    }
    .to_owned()
}

// ---- Expressions ----

/// SQL as the normaliser sees it: comments and white space gone, words lower case.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Text(String),
    Number(String),
    Punct(String),
}

impl Token {
    fn word(&self) -> Option<&str> {
        match self {
            Token::Word(w) => Some(w),
            _ => None,
        }
    }

    fn is_word(&self, word: &str) -> bool {
        self.word() == Some(word)
    }

    fn is_punct(&self, punct: &str) -> bool {
        matches!(self, Token::Punct(p) if p == punct)
    }

    fn literal(&self) -> Option<Literal> {
        match self {
            Token::Text(t) => Some(Literal::Text(t.clone())),
            Token::Number(n) => Some(Literal::Number(n.clone())),
            _ => None,
        }
    }
}

/// Words that take parentheses without being a function called with them.
const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "null", "any", "all", "some", "array", "exists", "like",
    "between", "case", "when", "then", "else", "end", "where", "check", "true", "false",
];

fn tokenise(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && next == Some('-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' || c == '"' {
            // A quoted text or identifier; the quote doubled stands for itself.
            let mut text = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == c && chars.get(i + 1) == Some(&c) {
                    text.push(c);
                    i += 2;
                } else if chars[i] == c {
                    i += 1;
                    break;
                } else {
                    text.push(chars[i]);
                    i += 1;
                }
            }
            tokens.push(if c == '\'' {
                Token::Text(text)
            } else {
                Token::Word(text)
            });
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            tokens.push(Token::Word(word.to_lowercase()));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            tokens.push(Token::Number(chars[start..i].iter().collect()));
        } else {
            let pair: String = [c, next.unwrap_or(' ')].iter().collect();
            let (punct, width) = match pair.as_str() {
                "::" | "<>" | "<=" | ">=" | "||" => (pair.clone(), 2),
                "!=" => ("<>".to_owned(), 2),
                "==" => ("=".to_owned(), 2),
                _ => (c.to_string(), 1),
            };
            i += width;
            tokens.push(Token::Punct(punct));
        }
    }
    tokens
}

/// The index of the parenthesis closing the one at `open`, or the end.
fn closing(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        if token.is_punct("(") {
            depth += 1;
        } else if token.is_punct(")") {
            depth -= 1;
            if depth == 0 {
                return i;
            }
        }
    }
    tokens.len()
}

/// Type names of more than one word, after the first (`character varying`, …).
const TYPE_WORDS: &[&str] = &["varying", "precision", "with", "without", "time", "zone"];

/// `tokens` without PostgreSQL's `::type` casts.
fn without_casts(tokens: &[Token]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !tokens[i].is_punct("::") {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        }
        i += 1;
        if tokens.get(i).and_then(Token::word).is_some() {
            i += 1;
        }
        while tokens
            .get(i)
            .and_then(Token::word)
            .is_some_and(|w| TYPE_WORDS.contains(&w))
        {
            i += 1;
        }
        if tokens.get(i).is_some_and(|t| t.is_punct("(")) {
            i = closing(tokens, i) + 1;
        }
        if tokens.get(i).is_some_and(|t| t.is_punct("["))
            && tokens.get(i + 1).is_some_and(|t| t.is_punct("]"))
        {
            i += 2;
        }
    }
    out
}

impl Condition {
    fn of(tokens: &[Token]) -> Condition {
        let tokens = without_casts(tokens);
        let bare: Vec<&Token> = tokens
            .iter()
            .filter(|t| !["(", ")", "[", "]"].iter().any(|p| t.is_punct(p)))
            .collect();
        in_list(&bare).unwrap_or_else(|| Condition::Other(render(&tokens)))
    }
}

/// `column IN (a, b)`, `column = ANY (ARRAY[a, b])` or `column = a`, brackets removed.
fn in_list(tokens: &[&Token]) -> Option<Condition> {
    let (first, rest) = tokens.split_first()?;
    let column = first.word().filter(|w| !KEYWORDS.contains(w))?;
    let words: Vec<Option<&str>> = rest.iter().take(3).map(|t| t.word()).collect();
    let list = if words.first() == Some(&Some("in")) {
        &rest[1..]
    } else if rest.first().is_some_and(|t| t.is_punct("=")) {
        if words.get(1..3) == Some(&[Some("any"), Some("array")][..]) {
            &rest[3..]
        } else if rest.len() == 2 {
            &rest[1..]
        } else {
            return None;
        }
    } else {
        return None;
    };
    let mut values = BTreeSet::new();
    for (n, token) in list.iter().enumerate() {
        if n % 2 == 0 {
            values.insert(token.literal()?);
        } else if !token.is_punct(",") {
            return None;
        }
    }
    if values.is_empty() || list.len() % 2 == 0 {
        return None;
    }
    Some(Condition::In {
        column: column.to_owned(),
        values,
    })
}

/// The tokens as text, without grouping parentheses (those not calling a function).
fn render(tokens: &[Token]) -> String {
    let mut kept: Vec<&Token> = Vec::new();
    let mut calls: Vec<bool> = Vec::new();
    for token in tokens {
        if token.is_punct("(") {
            let call = kept
                .last()
                .and_then(|t| t.word())
                .is_some_and(|w| !KEYWORDS.contains(&w));
            calls.push(call);
            if !call {
                continue;
            }
        } else if token.is_punct(")") && !calls.pop().unwrap_or(true) {
            continue;
        }
        kept.push(token);
    }
    let mut out = String::new();
    let mut previous: Option<&Token> = None;
    for token in kept {
        let tight = previous.is_none_or(|p| p.is_punct("(") || p.is_punct("["))
            || [")", ",", "(", "]", "["].iter().any(|p| token.is_punct(p));
        if !tight {
            out.push(' ');
        }
        match token {
            Token::Word(w) | Token::Number(w) | Token::Punct(w) => out.push_str(w),
            Token::Text(t) => out.push_str(&Literal::Text(t.clone()).to_string()),
        }
        previous = Some(token);
    }
    out
}

fn normalised_default(default: &str) -> Option<String> {
    let rendered = render(&without_casts(&tokenise(default)));
    (!rendered.starts_with("nextval(")).then_some(rendered)
}

/// The normaliser, on the forms each dialect gives back (PostgreSQL's from `pg_catalog`).
#[test]
fn the_dialects_of_one_condition_read_the_same() {
    let read = |sql: &str| Condition::of(&tokenise(sql));
    assert_eq!(
        postgres_check("CHECK ((status = ANY (ARRAY['a'::text, 'b'::text])))"),
        read("status IN ('b', 'a') -- comment")
    );
    assert_eq!(
        read("(apply_code = ANY (ARRAY[(1)::bigint, (2)::bigint]))"),
        read("apply_code IN (1, 2)")
    );
    assert_eq!(read("(status = 'lost'::text)"), read("status IN ('lost')"));
    assert_eq!(
        read("(((jurisdiction_office IS NULL) OR (jurisdiction_county IS NOT NULL)))"),
        Condition::Other("jurisdiction_office is null or jurisdiction_county is not null".into())
    );
    assert_eq!(
        read("((length(national_id) = 10))"),
        Condition::Other("length(national_id) = 10".into())
    );
    assert_ne!(
        read("apply_code IN (1, 2)"),
        read("apply_code IN ('1', '2')")
    );
    assert_ne!(read("a <> 1"), read("a = 1"));
    assert_eq!(read("a != 1"), read("(a <> 1)"));
    assert_eq!(normalised_default("'{}'::text"), normalised_default("'{}'"));
    assert_eq!(normalised_default("FALSE"), Some("false".into()));
    assert_eq!(
        normalised_default("nextval('outbox_id_seq'::regclass)"),
        None
    );
}

#[test]
fn sqlite_checks_are_found_past_comments_and_quoted_text() {
    let checks = sqlite_checks(
        "CREATE TABLE t (\n a TEXT CHECK (a IN ('x,y', 'z)')), -- not a CHECK (b < 0)\n \
         b INTEGER CONSTRAINT positive CHECK (b > 0),\n CHECK (a IS NOT NULL OR b = 1)\n)",
    );
    let text = |t: &str| Literal::Text(t.into());
    assert_eq!(
        checks,
        [
            Condition::In {
                column: "a".into(),
                values: [text("x,y"), text("z)")].into(),
            },
            Condition::Other("b > 0".into()),
            Condition::Other("a is not null or b = 1".into()),
        ]
        .into()
    );
}
