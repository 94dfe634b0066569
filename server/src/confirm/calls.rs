//! The confirmation API's call log (`confirmation_calls`, migration 0027): every call of a
//! registered system, accepted or refused. A question that reaches the holders' records is
//! logged in the transaction that decides it ([`super::holders`]), so its answer is never sent
//! without its row; a call refused before (its system out of service, a malformed body, …) by
//! the machine APIs' shared writer, which commits it before it is answered
//! ([`crate::verify::call_log`]). Never a
//! certificate, a card number or an ID number: the ID only as its keyed hash.

use super::answer::ConfirmAnswer;
use crate::verify::call_log::LogRow;
use app::platform::db::placeholders;
use app::platform::script::Script;
use std::time::Instant;

/// A call as it is answered: what its row will say besides the answer.
#[derive(Clone, Debug)]
pub(super) struct Call {
    /// When it arrived (Unix seconds), and the instant, for its latency.
    pub called_at: i64,
    pub started: Instant,
    pub source_ip: String,
    /// The registered system it came from, once its certificate named one.
    pub system_id: Option<i64>,
    pub id_hash: Option<String>,
    /// Its row is written: it was decided with the holders' records.
    pub logged: bool,
}

impl Call {
    /// Its row with `answer`, its latency until now; none for a call that named no system.
    pub(super) fn row(&self, answer: &ConfirmAnswer) -> Option<ConfirmCall> {
        Some(ConfirmCall {
            system_id: self.system_id?,
            called_at: self.called_at,
            source_ip: self.source_ip.clone(),
            outcome: answer.code.code(),
            status: answer.status().map(app::cases::Code::code),
            id_hash: self.id_hash.clone(),
            latency_us: i64::try_from(self.started.elapsed().as_micros()).unwrap_or(i64::MAX),
        })
    }
}

/// One call, as the log keeps it.
pub(super) struct ConfirmCall {
    system_id: i64,
    called_at: i64,
    source_ip: String,
    outcome: &'static str,
    status: Option<&'static str>,
    id_hash: Option<String>,
    latency_us: i64,
}

/// The confirmation API's call log: one statement for a batch's rows, none for no rows.
impl LogRow for ConfirmCall {
    fn write_in<'q>(script: &mut Script<'q>, rows: &'q [ConfirmCall]) {
        if rows.is_empty() {
            return;
        }
        script.push(&format!(
            "INSERT INTO confirmation_calls (system_id, called_at, source_ip, outcome, status, \
             id_hash, latency_us) VALUES {}",
            placeholders(
                script.backend(),
                rows.len(),
                &["BIGINT", "BIGINT", "TEXT", "TEXT", "TEXT", "TEXT", "BIGINT"]
            )
        ));
        for call in rows {
            script
                .bind(call.system_id)
                .bind(call.called_at)
                .bind(call.source_ip.as_str())
                .bind(call.outcome)
                .bind(call.status)
                .bind(call.id_hash.as_deref())
                .bind(call.latency_us);
        }
    }
}
