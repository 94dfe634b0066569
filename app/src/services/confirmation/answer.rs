//! The one question of the service (I-3): does this citizen certificate belong to this ID
//! number, and what is its status now? Answered from the RA's records (`moica_certificates`
//! with the holder's registry entry) and the MOICA CA's revocation list, nothing else.
//!
//! A certificate names its holder and the last four digits of the ID number, which leaves a
//! few tens of thousands of ID numbers to try against it. So a holder's certificates answer
//! at most [`MISSES_A_DAY`] ID numbers that are not the holder's a Taipei day, counting every
//! card and every system together; after that, nothing about them until midnight, not even
//! the right ID number.

use super::ConfirmedStatus;
use crate::domain::{card_number::CardNumber, national_id::NationalId};
use crate::pki::{CertificateError, Purpose, TrustStore};
use crate::platform::clock::taipei_day_start;
use crate::platform::id_hash::IdHashKey;
use crate::services::certificate::status::CertificateState;
use crate::services::certificate::store::{held, Held};
use base64::Engine;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

/// What the system shows of the user's card.
#[derive(Clone, Copy, Debug)]
pub enum Presented<'a> {
    /// The certificate itself, DER: the one the user signed in with.
    Certificate(&'a [u8]),
    /// The card's printed number: its newest certificate.
    Card(&'a CardNumber),
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

/// ID numbers not the holder's that a holder's certificates answer a Taipei day, from every
/// system together.
pub const MISSES_A_DAY: i64 = 5;

/// Answers for `presented` and `id` at `now`; `key` hashes the holder's (or the unknown
/// certificate's) name in the count of misses.
pub async fn confirm(
    pool: &AnyPool,
    trust: &TrustStore,
    key: &IdHashKey,
    presented: Presented<'_>,
    id: &NationalId,
    now: i64,
) -> sqlx::Result<Confirmation> {
    let (record, unknown_subject) = match presented {
        Presented::Certificate(der) => {
            let fingerprint = hex::encode(Sha256::digest(der));
            // A certificate an extension replaced is still on the card until the card takes
            // the new one: it is still the holder's.
            let record = held(pool, Held::CertificateOrReplaced(&fingerprint)).await?;
            (record, format!("certificate:{fingerprint}"))
        }
        Presented::Card(card) => (
            held(pool, Held::Card(card)).await?,
            format!("card:{}", card.as_str()),
        ),
    };
    // A known certificate counts as its holder's, whichever card or certificate is presented;
    // an unknown one as itself, so that it answers as a known one would.
    let subject = key.hash(&match &record {
        Some(record) => format!("citizen:{}", record.holder.id),
        None => unknown_subject,
    });
    let day = taipei_day_start(now);
    // The same read whatever the ID number, so that once the day's misses are used up no
    // answer, and no answer's timing, tells the right ID number from a wrong one.
    if misses(pool, &subject, day).await? >= MISSES_A_DAY {
        return Ok(Confirmation::Withheld);
    }
    let Some(record) = record.filter(|record| record.holder.national_id == id.as_str()) else {
        return Ok(if count_miss(pool, &subject, day).await? {
            Confirmation::DoesNotBelong
        } else {
            Confirmation::Withheld
        });
    };
    let recorded = CertificateState::of(
        record.status,
        record.awaiting_activation,
        record.not_after,
        now,
    );
    let der = match presented {
        Presented::Certificate(der) => Some(der.to_vec()),
        Presented::Card(_) => record
            .certificate_der
            .as_deref()
            .and_then(|text| base64::engine::general_purpose::STANDARD.decode(text).ok()),
    };
    // The CA's own revocation list wins over records that have not caught up with it; a
    // presented certificate's own end (one an extension replaced ends before the record's)
    // over the record's.
    let listed_revoked = der
        .as_deref()
        .is_some_and(|der| trust.lists_as_revoked(der, now));
    let presented_expired = matches!(presented, Presented::Certificate(der)
        if trust.check_certificate(der, Purpose::CitizenCard, now) == Err(CertificateError::Expired));
    Ok(Confirmation::Belongs(match recorded {
        _ if listed_revoked => ConfirmedStatus::Revoked,
        CertificateState::Revoked => ConfirmedStatus::Revoked,
        _ if presented_expired => ConfirmedStatus::Expired,
        CertificateState::Expired => ConfirmedStatus::Expired,
        CertificateState::Valid => ConfirmedStatus::Valid,
        CertificateState::Suspended | CertificateState::AwaitingActivation => {
            ConfirmedStatus::Suspended
        }
    }))
}

/// Forgets the misses of days before the Taipei day of `now` (the background purge).
pub async fn purge_expired(pool: &AnyPool, now: i64) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM confirmation_misses WHERE day < $1")
        .bind(taipei_day_start(now))
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
}

/// Counts a miss against `subject` on `day`; false, counting nothing, once the day's misses
/// are used up. One statement, so a burst of guesses gets no more answers than the limit.
async fn count_miss(pool: &AnyPool, subject: &str, day: i64) -> sqlx::Result<bool> {
    let counted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO confirmation_misses (subject_hash, day, misses) VALUES ($1, $2, 1) \
         ON CONFLICT (subject_hash, day) DO UPDATE \
         SET misses = confirmation_misses.misses + 1 \
         WHERE confirmation_misses.misses < $3 \
         RETURNING misses",
    )
    .bind(subject)
    .bind(day)
    .bind(MISSES_A_DAY)
    .fetch_optional(pool)
    .await?;
    Ok(counted.is_some())
}

async fn misses(pool: &AnyPool, subject: &str, day: i64) -> sqlx::Result<i64> {
    let misses: Option<i64> = sqlx::query_scalar(
        "SELECT misses FROM confirmation_misses WHERE subject_hash = $1 AND day = $2",
    )
    .bind(subject)
    .bind(day)
    .fetch_optional(pool)
    .await?;
    Ok(misses.unwrap_or(0))
}
