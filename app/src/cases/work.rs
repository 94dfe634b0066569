//! One unit of work: a change to cases, begun as an actor, that writes its audit rows, its
//! timeline events and its mail in the same transaction and commits them together (F-7,
//! F-8). Every service changes cases through it instead of hand-writing begin → update →
//! audit → mail → commit.

use super::actor::Actor;
use super::code::Code;
use super::machine::{transition, Machine};
use crate::error::PortalError;
use crate::platform::audit::{self, AuditKey};
use crate::platform::db::Db;
use crate::platform::outbox;
use serde::Serialize;
use sqlx::{Any, AnyConnection, Transaction};

/// A message a change sends, in the transaction of the change (delivered by the outbox).
/// Each service keeps its templates, zh-TW and English, in its `mail.rs`.
pub trait Mail {
    fn to(&self) -> &str;
    fn subject(&self) -> String;
    fn body(&self) -> String;
}

/// A case's key as stored: text (a UUID S/N) or an integer row id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseKey {
    Text(String),
    Int(i64),
}

impl std::fmt::Display for CaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaseKey::Text(text) => f.write_str(text),
            CaseKey::Int(id) => write!(f, "{id}"),
        }
    }
}

impl From<&str> for CaseKey {
    fn from(key: &str) -> CaseKey {
        CaseKey::Text(key.to_owned())
    }
}

impl From<i64> for CaseKey {
    fn from(key: i64) -> CaseKey {
        CaseKey::Int(key)
    }
}

/// A value a change writes into a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    /// A yes/no column (BOOLEAN on both databases).
    Flag(bool),
}

impl From<bool> for Value {
    fn from(value: bool) -> Value {
        Value::Flag(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Value {
        Value::Int(Some(value))
    }
}

impl From<Option<i64>> for Value {
    fn from(value: Option<i64>) -> Value {
        Value::Int(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Value {
        Value::Text(Some(value.to_owned()))
    }
}

impl From<String> for Value {
    fn from(value: String) -> Value {
        Value::Text(Some(value))
    }
}

impl From<Option<String>> for Value {
    fn from(value: Option<String>) -> Value {
        Value::Text(value)
    }
}

/// A change to cases in progress. Dropped without [`Work::commit`], it rolls back whole.
pub struct Work<'a> {
    tx: Transaction<'static, Any>,
    audit: AuditKey,
    pub actor: &'a Actor,
    pub now: i64,
}

impl<'a> Work<'a> {
    /// Begins a change that reads and then writes (on SQLite it holds the write lock from the
    /// start, see [`Db::begin_write`]).
    pub async fn begin(db: &Db, actor: &'a Actor, now: i64) -> Result<Work<'a>, PortalError> {
        Ok(Work {
            tx: db.begin_write().await?,
            audit: db.audit.clone(),
            actor,
            now,
        })
    }

    /// The transaction, for the service's own queries.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Appends the audit row of `action` on `subject` by this work's actor.
    pub async fn audit(
        &mut self,
        action: &str,
        subject: &str,
        detail: &impl Serialize,
    ) -> Result<(), PortalError> {
        let event = self.actor.event(action, subject, detail);
        audit::append(&mut self.tx, &self.audit, self.now, &event).await?;
        Ok(())
    }

    /// Queues `mail`; it is sent only if this work commits.
    pub async fn mail(&mut self, mail: &impl Mail) -> Result<(), PortalError> {
        outbox::enqueue(
            &mut self.tx,
            self.now,
            mail.to(),
            &mail.subject(),
            &mail.body(),
        )
        .await?;
        Ok(())
    }

    /// Records that the case `key` (just inserted by the service) started in `state` by
    /// `action`: its first timeline event and its audit row.
    pub async fn start<M: Machine>(
        &mut self,
        key: impl Into<CaseKey>,
        action: M::Action,
        state: M::State,
        detail: &impl Serialize,
    ) -> Result<(), PortalError> {
        let key = key.into();
        self.opened::<M>(key.clone(), action, state).await?;
        match M::audit_action(action) {
            Some(audited) => self.audit(&audited, &key.to_string(), detail).await,
            None => Ok(()),
        }
    }

    /// Records the first timeline event of a case that another action's audit row already
    /// accounts for (a grant opened by the approval of its application).
    pub async fn opened<M: Machine>(
        &mut self,
        key: impl Into<CaseKey>,
        action: M::Action,
        state: M::State,
    ) -> Result<(), PortalError> {
        debug_assert!(
            super::machine::starts::<M>(action, state),
            "{} does not start in {state:?} by {action:?}",
            M::TYPE
        );
        self.event::<M>(&key.into().to_string(), None, state, action.code(), None)
            .await
    }

    /// Takes `action` on the case `key`, read in `from`: the declaration decides the new
    /// state (or refuses), and [`Act::run`] writes it with the case's other changes.
    pub fn act<'w, M: Machine>(
        &'w mut self,
        key: impl Into<CaseKey>,
        from: M::State,
        action: M::Action,
    ) -> Act<'w, 'a, M> {
        Act {
            work: self,
            key: key.into(),
            from,
            action,
            changes: Vec::new(),
            copies: Vec::new(),
            conditions: Vec::new(),
            equals: Vec::new(),
            note: None,
            detail: serde_json::json!({}),
        }
    }

    /// Appends a timeline event of case `key`; `action` is one of the type's actions, or a
    /// step of its workflow.
    pub(super) async fn event<M: Machine>(
        &mut self,
        key: &str,
        from: Option<M::State>,
        to: M::State,
        action: &str,
        note: Option<&str>,
    ) -> Result<(), PortalError> {
        sqlx::query(
            "INSERT INTO case_events (case_type, case_id, from_state, to_state, action, actor, at, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(M::TYPE)
        .bind(key)
        .bind(from.map(Code::code))
        .bind(to.code())
        .bind(action)
        .bind(&self.actor.name)
        .bind(self.now)
        .bind(note)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Commits the change, its audit rows, timeline events and mail together.
    pub async fn commit(self) -> Result<(), PortalError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// An action being taken on one case; see [`Work::act`].
pub struct Act<'w, 'a, M: Machine> {
    work: &'w mut Work<'a>,
    key: CaseKey,
    from: M::State,
    action: M::Action,
    changes: Vec<(&'static str, Value)>,
    copies: Vec<(&'static str, &'static str)>,
    conditions: Vec<&'static str>,
    equals: Vec<(&'static str, Value)>,
    note: Option<String>,
    detail: serde_json::Value,
}

impl<M: Machine> Act<'_, '_, M> {
    /// Also writes `value` into `column` of the case's row.
    pub fn set(mut self, column: &'static str, value: impl Into<Value>) -> Self {
        self.changes.push((column, value.into()));
        self
    }

    /// Also writes into `column` the value `from` (another column of the case's row) had before
    /// this change: a row that keeps what it replaces.
    pub fn copy(mut self, column: &'static str, from: &'static str) -> Self {
        self.copies.push((column, from));
        self
    }

    /// Also requires `column` to hold `value` (not NULL: that is [`Act::only_if`]'s `IS NULL`)
    /// at the moment of writing: the row is still the one the change was decided on.
    pub fn only_if_equals(mut self, column: &'static str, value: impl Into<Value>) -> Self {
        self.equals.push((column, value.into()));
        self
    }

    /// Also requires `condition` (fixed SQL over the case's row) at the moment of writing: for
    /// actions that leave the state as it is, this is what makes a second one fail.
    pub fn only_if(mut self, condition: &'static str) -> Self {
        self.conditions.push(condition);
        self
    }

    /// A note for the timeline (a reason, a decision text).
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// The audit row's details.
    pub fn detail(mut self, detail: &impl Serialize) -> Self {
        self.detail = serde_json::to_value(detail).unwrap_or_else(|_| serde_json::json!({}));
        self
    }

    /// Decides with `facts`, then writes the new state only if the case is still in the state
    /// it was read in: of two actions racing on one case exactly one changes it, and the other
    /// is refused ([`Machine::overtaken`]) with nothing written.
    pub async fn run(self, facts: &M::Facts) -> Result<M::State, PortalError> {
        let to = transition::<M>(self.from, self.action, self.work.actor.party, facts)?;
        let mut sql = format!("UPDATE {} SET {} = $1", M::TABLE, M::STATE_COLUMN);
        for (index, (column, _)) in self.changes.iter().enumerate() {
            sql.push_str(&format!(", {column} = ${}", index + 2));
        }
        // The right-hand sides read the row as it was before this UPDATE.
        for (column, from) in &self.copies {
            sql.push_str(&format!(", {column} = {from}"));
        }
        let key_at = self.changes.len() + 2;
        sql.push_str(&format!(
            " WHERE {} = ${key_at} AND {} = ${}",
            M::KEY,
            M::STATE_COLUMN,
            key_at + 1
        ));
        for (index, (column, _)) in self.equals.iter().enumerate() {
            sql.push_str(&format!(" AND {column} = ${}", key_at + 2 + index));
        }
        for condition in &self.conditions {
            sql.push_str(" AND ");
            sql.push_str(condition);
        }
        let mut query = bind(sqlx::query(&sql).bind(to.code()), &self.changes);
        query = match &self.key {
            CaseKey::Text(key) => query.bind(key.clone()),
            CaseKey::Int(key) => query.bind(*key),
        };
        query = bind(query.bind(self.from.code()), &self.equals);
        let changed = query.execute(&mut *self.work.tx).await?.rows_affected();
        if changed != 1 {
            return Err(M::overtaken().into());
        }
        let key = self.key.to_string();
        self.work
            .event::<M>(
                &key,
                Some(self.from),
                to,
                self.action.code(),
                self.note.as_deref(),
            )
            .await?;
        if let Some(audited) = M::audit_action(self.action) {
            self.work.audit(&audited, &key, &self.detail).await?;
        }
        Ok(to)
    }
}

type Query<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// `query` with the values of `columns` bound in order.
fn bind<'q>(mut query: Query<'q>, columns: &[(&'static str, Value)]) -> Query<'q> {
    for (_, value) in columns {
        query = match value {
            Value::Int(value) => query.bind(*value),
            Value::Text(value) => query.bind(value.clone()),
            Value::Flag(value) => query.bind(*value),
        };
    }
    query
}
