//! A workflow case's steps in a unit of work: the progress as stored in `workflow_steps`, a
//! step taken and a case sent back. Like [`Work::act`], each change is decided by the
//! declarations ([`super::workflow`], and the case type's [`Machine`] for the state steps are
//! taken in) and written only if the case is still as it was read: every change bumps the case
//! row's `revision`, so of two racing changes to one case exactly one is written.

use super::code::Code;
use super::machine::{transition, Machine, Party};
use super::work::Work;
use super::workflow::{self, Progress, Workflow};
use crate::error::PortalError;
use serde::Serialize;
use sqlx::AnyConnection;

/// The party code of a step done (not a confirmation).
const DONE: &str = "*";

/// A workflow case as read for a change: its state, revision and progress.
pub struct Read<W: Workflow> {
    pub key: String,
    pub state: <W::Case as Machine>::State,
    revision: i64,
    pub progress: Progress<W::Step>,
}

/// The progress of case `key`: its steps done and confirmations, in the order they were made.
pub async fn progress<W: Workflow>(
    conn: &mut AnyConnection,
    key: &str,
) -> Result<Progress<W::Step>, PortalError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT step, party FROM workflow_steps WHERE case_type = $1 AND case_id = $2 \
         ORDER BY at, step",
    )
    .bind(W::Case::TYPE)
    .bind(key)
    .fetch_all(conn)
    .await?;
    let mut progress = Progress::default();
    for (step, party) in rows {
        let step = W::Step::from_code(&step).ok_or_else(|| {
            PortalError::unavailable(format!("{}: unknown step {step}", W::Case::TYPE))
        })?;
        match party.as_str() {
            DONE => progress.done.push(step),
            code => progress.confirmed.push((
                step,
                Party::from_code(code).ok_or_else(|| {
                    PortalError::unavailable(format!("{}: unknown party {code}", W::Case::TYPE))
                })?,
            )),
        }
    }
    Ok(progress)
}

/// When each step of case `key` was done.
pub async fn done_at<W: Workflow>(
    conn: &mut AnyConnection,
    key: &str,
) -> Result<Vec<(W::Step, i64)>, PortalError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT step, at FROM workflow_steps WHERE case_type = $1 AND case_id = $2 AND party = $3",
    )
    .bind(W::Case::TYPE)
    .bind(key)
    .bind(DONE)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(step, at)| W::Step::from_code(&step).map(|step| (step, at)))
        .collect())
}

impl Work<'_> {
    /// Reads workflow case `key` in this work's transaction; `None` if there is no such case.
    pub async fn read_steps<W: Workflow>(
        &mut self,
        key: &str,
    ) -> Result<Option<Read<W>>, PortalError> {
        let sql = format!(
            "SELECT {}, revision FROM {} WHERE {} = $1",
            W::Case::STATE_COLUMN,
            W::Case::TABLE,
            W::Case::KEY
        );
        let Some((state, revision)): Option<(String, i64)> = sqlx::query_as(&sql)
            .bind(key)
            .fetch_optional(self.conn())
            .await?
        else {
            return Ok(None);
        };
        let state = <W::Case as Machine>::State::from_code(&state).ok_or_else(|| {
            PortalError::unavailable(format!("{}: unknown state {state}", W::Case::TYPE))
        })?;
        let progress = progress::<W>(self.conn(), key).await?;
        Ok(Some(Read {
            key: key.to_owned(),
            state,
            revision,
            progress,
        }))
    }

    /// This work's actor takes (or, for a step every party confirms, confirms) `step` of the
    /// case read as `read`: the progress after it. Refused with nothing written if the case is
    /// not open, the step is not ready or not the actor's, or another change came first.
    pub async fn step<W: Workflow>(
        &mut self,
        read: &Read<W>,
        step: W::Step,
        attrs: &W::Attrs,
        facts: &<W::Case as Machine>::Facts,
        note: Option<&str>,
        detail: &impl Serialize,
    ) -> Result<Progress<W::Step>, PortalError> {
        let party = self.actor.party;
        let key = read.key.as_str();
        transition::<W::Case>(read.state, W::STEP, party, facts)?;
        let next = workflow::take::<W>(&read.progress, step, party, attrs)?;
        self.bump::<W>(read).await?;
        let done = next.done.contains(&step);
        if done {
            self.forget::<W>(key, step).await?;
        }
        sqlx::query(
            "INSERT INTO workflow_steps (case_type, case_id, step, party, at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(W::Case::TYPE)
        .bind(key)
        .bind(step.code())
        .bind(if done { DONE } else { party.code() })
        .bind(self.now)
        .execute(self.conn())
        .await?;
        self.event::<W::Case>(key, Some(read.state), read.state, step.code(), note)
            .await?;
        self.audit(&format!("{}.{}", W::Case::TYPE, step.code()), key, detail)
            .await?;
        Ok(next)
    }

    /// This work's actor sends the case read as `read` back to `to`: that step and every step
    /// after it are to be taken again, for `reason`.
    pub async fn send_back<W: Workflow>(
        &mut self,
        read: &Read<W>,
        to: W::Step,
        facts: &<W::Case as Machine>::Facts,
        reason: &str,
        detail: &impl Serialize,
    ) -> Result<Progress<W::Step>, PortalError> {
        let key = read.key.as_str();
        transition::<W::Case>(read.state, W::SEND_BACK, self.actor.party, facts)?;
        let next = workflow::send_back::<W>(&read.progress, to);
        self.bump::<W>(read).await?;
        let reopened = read
            .progress
            .done
            .iter()
            .chain(read.progress.confirmed.iter().map(|(step, _)| step))
            .filter(|step| !next.done.contains(step));
        for step in reopened {
            self.forget::<W>(key, *step).await?;
        }
        self.event::<W::Case>(
            key,
            Some(read.state),
            read.state,
            W::SEND_BACK.code(),
            Some(reason),
        )
        .await?;
        if let Some(audited) = W::Case::audit_action(W::SEND_BACK) {
            self.audit(&audited, key, detail).await?;
        }
        Ok(next)
    }

    /// Forgets that `step` of case `key` was done or confirmed.
    async fn forget<W: Workflow>(&mut self, key: &str, step: W::Step) -> Result<(), PortalError> {
        sqlx::query(
            "DELETE FROM workflow_steps WHERE case_type = $1 AND case_id = $2 AND step = $3",
        )
        .bind(W::Case::TYPE)
        .bind(key)
        .bind(step.code())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Marks the case changed, if it is still open and unchanged since `read`.
    async fn bump<W: Workflow>(&mut self, read: &Read<W>) -> Result<(), PortalError> {
        let sql = format!(
            "UPDATE {} SET revision = revision + 1 WHERE {} = $1 AND revision = $2 AND {} = $3",
            W::Case::TABLE,
            W::Case::KEY,
            W::Case::STATE_COLUMN
        );
        let changed = sqlx::query(&sql)
            .bind(&read.key)
            .bind(read.revision)
            .bind(W::OPEN.code())
            .execute(self.conn())
            .await?
            .rows_affected();
        if changed == 1 {
            Ok(())
        } else {
            Err(W::Case::overtaken().into())
        }
    }
}
