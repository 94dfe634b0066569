//! The one question of the service (I-3): does this citizen certificate belong to this ID
//! number, and what is its status now? Answered from the RA's records (`moica_certificates`
//! with the holder's registry entry) and the MOICA CA's revocation list, nothing else.
//!
//! A certificate names its holder and the last four digits of the ID number, which leaves a
//! few tens of thousands of ID numbers to try against it. So a holder's certificates answer
//! at most [`MISSES_A_DAY`] ID numbers that are not the holder's a Taipei day, counting every
//! card and every system together; after that, nothing about them until midnight, not even
//! the right ID number.
//!
//! Confirmations asked at the same moment are decided together, as the verification API's
//! are ([`crate::verify::batch`]): one transaction reads their records and their holders'
//! misses, decides, counts the misses and logs the calls, holding those holders against every
//! other server's batches until they are counted.

use super::answer::ConfirmAnswer;
use super::calls::{Call, ConfirmCall};
use crate::verify::batch::{count_in, hold_in, Batcher};
use crate::verify::call_log::LogRow;
use app::domain::card_number::CardNumber;
use app::platform::clock::taipei_day_start;
use app::platform::db::placeholders;
use app::platform::db::Db;
use app::platform::id_hash::IdHashKey;
use app::platform::rows::RowExt;
use app::platform::script::{Script, Writing};
use app::platform::AppState;
use app::services::certificate::cases::CertificateStatus;
use app::services::certificate::status::CertificateState;
use app::services::confirmation::ConfirmedStatus;
use base64::Engine;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use std::collections::HashMap;

/// ID numbers not the holder's that a holder's certificates answer a Taipei day, from every
/// system together.
pub const MISSES_A_DAY: i64 = 5;

/// The most confirmations decided in one transaction (3 parameters each to read them).
const MAX_BATCH: usize = 128;

/// What the system shows of the user's card.
#[derive(Clone, Debug)]
pub(super) enum Presented {
    /// The certificate itself, DER: the one the user signed in with.
    Certificate(Vec<u8>),
    /// The card's printed number: its newest certificate.
    Card(CardNumber),
}

/// The answer. An unknown certificate, an unknown card and an ID number that is not the
/// holder's all answer [`Confirmation::DoesNotBelong`], so the answer tells a system nothing
/// it did not already hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmation {
    Belongs(ConfirmedStatus),
    DoesNotBelong,
    /// The holder's certificates were asked [`MISSES_A_DAY`] ID numbers not theirs today: no
    /// answer about them until midnight in Taipei.
    Withheld,
}

/// One question: the card or certificate shown, the ID number, and the call that asks it
/// (when, and what its log row says).
struct Question {
    presented: Presented,
    national_id: String,
    call: Call,
}

/// What the records hold on the certificate a question shows.
struct Record {
    holder_id: i64,
    national_id: String,
    status: CertificateStatus,
    awaiting_activation: bool,
    not_after: i64,
    /// The recorded certificate, base64 DER (read for a card: the question has none).
    certificate_der: Option<String>,
}

/// The holders' records and the count of their misses: the confirmations asked at the same
/// moment are decided in one transaction.
#[derive(Clone)]
pub(super) struct Holders {
    questions: Batcher<Question, Confirmation>,
}

impl Holders {
    /// Starts the batches on the current runtime, on `db` (the machine APIs' connection).
    pub(super) fn start(db: Db, app: &AppState) -> Holders {
        let trust = app.trust.clone();
        let key = app.id_key.clone();
        Holders {
            questions: Batcher::start(MAX_BATCH, move |batch| {
                let (db, trust, key) = (db.clone(), trust.current(), key.clone());
                async move { decide(&db, &trust, &key, batch).await }
            }),
        }
    }

    /// Answers `call` for `presented` and the ID number `national_id` (parsed), and logs it
    /// with its answer before answering.
    pub(super) async fn confirm(
        &self,
        presented: Presented,
        national_id: &str,
        call: Call,
    ) -> sqlx::Result<Confirmation> {
        self.questions
            .call(Question {
                presented,
                national_id: national_id.to_owned(),
                call,
            })
            .await
    }
}

/// Decides a batch in one transaction that holds its holders from before their misses are
/// read until the new ones are counted: SQLite's write lock, taken at the start, and on
/// PostgreSQL a lock per holder ([`hold_in`]). So the batches of every server on the database,
/// about any one holder, follow one another in the order they asked, each seeing the misses of
/// those before it: no burst of guesses, spread over servers, gets more than [`MISSES_A_DAY`]
/// answers, and the right ID number in a burst is answered only if it comes before the
/// limit, as it would one at a time. Every question takes this same path whatever its ID
/// number, so once a holder's misses are used up no answer, and no answer's timing, tells the
/// right ID number from a wrong one.
async fn decide(
    db: &Db,
    trust: &app::pki::TrustStore,
    key: &IdHashKey,
    batch: Vec<Question>,
) -> sqlx::Result<Vec<Confirmation>> {
    let backend = db.backend;
    let shown: Vec<Shown> = batch
        .iter()
        .map(|question| Shown::of(&question.presented))
        .collect();
    let mut reading = Writing::script(backend);
    let read = records_in(&mut reading, &shown);
    let (mut writing, mut answers) = Writing::begin(db, reading).await?;
    let records = records_of(answers.rows(read), batch.len())?;
    // A known certificate counts as its holder's, whichever card or certificate is shown; an
    // unknown one as itself, so that it answers as a known one would.
    let subjects: Vec<(String, i64)> = batch
        .iter()
        .zip(&records)
        .zip(&shown)
        .map(|((question, record), shown)| {
            let subject = match record {
                Some(record) => format!("citizen:{}", record.holder_id),
                None => shown.unknown.clone(),
            };
            (
                key.hash(&subject),
                taipei_day_start(question.call.called_at),
            )
        })
        .collect();
    let mut asked: Vec<&(String, i64)> = subjects.iter().collect();
    asked.sort_unstable();
    asked.dedup();
    let mut counting = Script::new(backend);
    hold_in(&mut counting, asked.iter().map(|(hash, _)| hash.as_str()))?;
    let read = misses_in(&mut counting, &asked);
    let misses = misses_of(writing.run(counting).await?.rows(read), &asked)?;
    let (answers, counted) = judge_batch(trust, &batch, &records, &subjects, misses);
    let mut writes = Script::new(backend);
    if !counted.is_empty() {
        count_in(
            &mut writes,
            ("confirmation_misses", "subject_hash", "misses", "BIGINT"),
            counted
                .iter()
                .map(|(subject, day, more)| (subject.as_str(), *day, *more))
                .collect(),
        );
    }
    let logged: Vec<_> = batch
        .iter()
        .zip(&answers)
        .filter_map(|(question, answer)| question.call.row(&ConfirmAnswer::answered(*answer)))
        .collect();
    ConfirmCall::write_in(&mut writes, &logged);
    writing.commit(writes).await?;
    Ok(answers)
}

/// The answers to a batch in order, each seeing the misses of those before it, and the misses
/// to count: (subject, day, how many more).
fn judge_batch(
    trust: &app::pki::TrustStore,
    batch: &[Question],
    records: &[Option<Record>],
    subjects: &[(String, i64)],
    read: HashMap<(String, i64), i64>,
) -> (Vec<Confirmation>, Vec<(String, i64, i64)>) {
    // (count read, count now) per subject and day.
    let mut misses: HashMap<(String, i64), (i64, i64)> = read
        .into_iter()
        .map(|(subject, misses)| (subject, (misses, misses)))
        .collect();
    let answers = batch
        .iter()
        .zip(records)
        .zip(subjects)
        .map(|((question, record), subject)| {
            let (_, count) = misses.entry(subject.clone()).or_default();
            judge(trust, question, record.as_ref(), count)
        })
        .collect();
    let counted = misses
        .into_iter()
        .filter(|(_, (read, now))| now > read)
        .map(|((subject, day), (read, now))| (subject, day, now - read))
        .collect();
    (answers, counted)
}

/// The answer to `question`, given its certificate's `record` and its holder's `misses` today
/// before it, raised when its ID number is not the holder's.
fn judge(
    trust: &app::pki::TrustStore,
    question: &Question,
    record: Option<&Record>,
    misses: &mut i64,
) -> Confirmation {
    if *misses >= MISSES_A_DAY {
        return Confirmation::Withheld;
    }
    let Some(record) = record.filter(|record| record.national_id == question.national_id) else {
        *misses += 1;
        return Confirmation::DoesNotBelong;
    };
    let now = question.call.called_at;
    let recorded = CertificateState::of(
        record.status,
        record.awaiting_activation,
        record.not_after,
        now,
    );
    let recorded_der;
    let der: Option<&[u8]> = match &question.presented {
        Presented::Certificate(der) => Some(der),
        Presented::Card(_) => {
            recorded_der = record
                .certificate_der
                .as_deref()
                .and_then(|text| base64::engine::general_purpose::STANDARD.decode(text).ok());
            recorded_der.as_deref()
        }
    };
    // The CA's own revocation list wins over records that have not caught up with it; a
    // presented certificate's own end (one an extension replaced ends before the record's)
    // over the record's.
    let on_record = der.and_then(|der| trust.on_record(der, now));
    let listed_revoked = on_record.is_some_and(|found| found.revoked);
    let presented_expired = matches!(question.presented, Presented::Certificate(_))
        && on_record.is_some_and(|found| found.expired);
    Confirmation::Belongs(match recorded {
        _ if listed_revoked => ConfirmedStatus::Revoked,
        CertificateState::Revoked => ConfirmedStatus::Revoked,
        _ if presented_expired => ConfirmedStatus::Expired,
        CertificateState::Expired => ConfirmedStatus::Expired,
        CertificateState::Valid => ConfirmedStatus::Valid,
        CertificateState::Suspended | CertificateState::AwaitingActivation => {
            ConfirmedStatus::Suspended
        }
    })
}

/// What a question shows, as [`records_in`]'s statement looks it up: a card's number, or a
/// certificate's SHA-256 (hex); and whom it counts as when nothing on record is shown.
struct Shown {
    card: Option<String>,
    sha256: Option<String>,
    unknown: String,
}

impl Shown {
    fn of(presented: &Presented) -> Shown {
        match presented {
            Presented::Card(card) => Shown {
                card: Some(card.as_str().to_owned()),
                sha256: None,
                unknown: format!("card:{}", card.as_str()),
            },
            Presented::Certificate(der) => {
                let sha256 = hex::encode(Sha256::digest(der));
                Shown {
                    card: None,
                    unknown: format!("certificate:{sha256}"),
                    sha256: Some(sha256),
                }
            }
        }
    }
}

/// Adds to `script` the statement that reads the records of a batch, each question as it
/// was `shown`: a card's newest certificate; a certificate, or the one an extension replaced
/// it with (the card still holds the replaced one until it takes the new: it is still the
/// holder's). Its place, whose rows [`records_of`] reads.
fn records_in<'q>(script: &mut Script<'q>, shown: &'q [Shown]) -> usize {
    let place = script.push(&format!(
        "WITH q (k, card, sha256) AS (VALUES {}) \
         SELECT q.k, c.id AS holder_id, c.national_id, m.status, m.not_after, \
                CAST(m.awaiting_activation AS INTEGER) AS awaiting_activation, \
                CASE WHEN q.card IS NULL THEN NULL ELSE m.certificate_der END \
                    AS certificate_der \
         FROM q \
         JOIN moica_certificates m ON m.id = COALESCE( \
             (SELECT n.id FROM moica_certificates n WHERE n.card_number = q.card AND n.citizen_id IS NOT NULL \
              ORDER BY n.not_before DESC, n.id DESC LIMIT 1), \
             (SELECT n.id FROM moica_certificates n \
              WHERE (n.certificate_sha256 = q.sha256 OR n.previous_sha256 = q.sha256) \
                AND n.citizen_id IS NOT NULL \
              ORDER BY n.not_before DESC, n.id DESC LIMIT 1)) \
         JOIN citizens c ON c.id = m.citizen_id",
        placeholders(script.backend(), shown.len(), &["BIGINT", "TEXT", "TEXT"])
    ));
    for (k, shown) in shown.iter().enumerate() {
        script
            .bind(i64::try_from(k).unwrap_or(i64::MAX))
            .bind(shown.card.as_deref())
            .bind(shown.sha256.as_deref());
    }
    place
}

/// The records of a batch of `questions` questions, in its order, from the `rows` that
/// [`records_in`]'s statement answered.
fn records_of(rows: Vec<AnyRow>, questions: usize) -> sqlx::Result<Vec<Option<Record>>> {
    let mut records: Vec<Option<Record>> = (0..questions).map(|_| None).collect();
    for row in rows {
        let k: i64 = row.try_get("k")?;
        let slot = usize::try_from(k)
            .ok()
            .and_then(|k| records.get_mut(k))
            .ok_or_else(|| sqlx::Error::Protocol("a record of no question".into()))?;
        *slot = Some(Record {
            holder_id: row.try_get("holder_id")?,
            national_id: row.try_get("national_id")?,
            status: row.code("status")?,
            awaiting_activation: row.flag("awaiting_activation")?,
            not_after: row.try_get("not_after")?,
            certificate_der: row.try_get("certificate_der")?,
        });
    }
    Ok(records)
}

/// Adds to `script` the statement that reads the misses counted so far of each of `asked`
/// (subject, day; each pair once). Its place, whose rows [`misses_of`] reads.
fn misses_in<'q>(script: &mut Script<'q>, asked: &[&'q (String, i64)]) -> usize {
    let place = script.push(&format!(
        "WITH q (subject_hash, day) AS (VALUES {}) \
         SELECT f.subject_hash, f.day, f.misses FROM q \
         JOIN confirmation_misses f ON f.subject_hash = q.subject_hash AND f.day = q.day",
        placeholders(script.backend(), asked.len(), &["TEXT", "BIGINT"])
    ));
    for (subject, day) in asked {
        script.bind(subject.as_str()).bind(*day);
    }
    place
}

/// The misses counted so far of each of `asked`, from the `rows` that [`misses_in`]'s
/// statement answered: none counted, none read.
fn misses_of(
    rows: Vec<AnyRow>,
    asked: &[&(String, i64)],
) -> sqlx::Result<HashMap<(String, i64), i64>> {
    let mut misses: HashMap<(String, i64), i64> =
        asked.iter().map(|&subject| (subject.clone(), 0)).collect();
    for row in rows {
        let subject: (String, i64) = (row.try_get("subject_hash")?, row.try_get("day")?);
        misses.insert(subject, row.try_get("misses")?);
    }
    Ok(misses)
}

/// Forgets the misses of days before yesterday (Taipei) at `now` (the background purge):
/// yesterday's are kept a day longer for calls still in flight at midnight, and servers whose
/// clocks are behind.
pub async fn purge_expired(pool: &AnyPool, now: i64) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM confirmation_misses WHERE day < $1")
        .bind(taipei_day_start(now) - 86_400)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOLDER: &str = "A123456789";
    const SOMEONE_ELSE: &str = "B223456780";
    const NOW: i64 = 1_800_000_000;

    fn question(national_id: &str) -> Question {
        Question {
            presented: Presented::Card(CardNumber::parse("TP03000000000001").expect("card")),
            national_id: national_id.to_owned(),
            call: Call {
                called_at: NOW,
                started: std::time::Instant::now(),
                source_ip: "192.0.2.1".to_owned(),
                system_id: Some(1),
                id_hash: None,
                logged: false,
            },
        }
    }

    fn record() -> Record {
        Record {
            holder_id: 7,
            national_id: HOLDER.to_owned(),
            status: CertificateStatus::Active,
            awaiting_activation: false,
            not_after: NOW + 86_400,
            certificate_der: None,
        }
    }

    /// Judges `asked` about one holder whose misses today are `before`.
    fn judged(asked: &[&str], before: i64) -> (Vec<Confirmation>, Vec<(String, i64, i64)>) {
        let batch: Vec<Question> = asked.iter().map(|id| question(id)).collect();
        let records: Vec<Option<Record>> = batch.iter().map(|_| Some(record())).collect();
        let subject = ("holder".to_owned(), taipei_day_start(NOW));
        let subjects = vec![subject.clone(); batch.len()];
        let read = HashMap::from([(subject, before)]);
        judge_batch(
            &app::pki::TrustStore::empty(),
            &batch,
            &records,
            &subjects,
            read,
        )
    }

    #[test]
    fn i_3_in_a_batch_a_holder_answers_five_ids_not_theirs_then_nothing() {
        let mut asked = vec![SOMEONE_ELSE; 4];
        asked.push(HOLDER);
        asked.extend([SOMEONE_ELSE; 3]);
        asked.push(HOLDER);
        let (answers, counted) = judged(&asked, 0);
        let valid = Confirmation::Belongs(ConfirmedStatus::Valid);
        use Confirmation::{DoesNotBelong as No, Withheld};
        assert_eq!(
            answers,
            [No, No, No, No, valid, No, Withheld, Withheld, Withheld]
        );
        assert_eq!(counted, [("holder".to_owned(), taipei_day_start(NOW), 5)]);
    }

    #[test]
    fn i_3_once_the_misses_are_used_up_a_right_and_a_wrong_id_get_the_same_answer() {
        // And count nothing either way.
        for asked in [HOLDER, SOMEONE_ELSE] {
            let (answers, counted) = judged(&[asked], MISSES_A_DAY);
            assert_eq!(answers, [Confirmation::Withheld], "{asked}");
            assert!(counted.is_empty(), "{asked}");
        }
        // With one miss left, a wrong ID number is counted, a right one is not.
        assert_eq!(judged(&[SOMEONE_ELSE], MISSES_A_DAY - 1).1.len(), 1);
        assert!(judged(&[HOLDER], MISSES_A_DAY - 1).1.is_empty());
    }
}
