//! The one question of the service (I-3): does this citizen certificate belong to this ID
//! number, and what is its status now? Answered from the RA's records (`moica_certificates`
//! with the holder's registry entry) and the MOICA CA's revocation list, nothing else.
//!
//! A certificate names its holder and the last four digits of the ID number, which leaves a
//! few tens of thousands of ID numbers to try against it. So a card answers at most
//! [`MISSES_A_DAY`] ID numbers that are not its holder's a Taipei day, counting every system
//! together; after that, nothing about it until midnight, not even the right ID number.

use super::ConfirmedStatus;
use crate::domain::{card_number::CardNumber, national_id::NationalId};
use crate::pki::TrustStore;
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
    /// The card was asked [`MISSES_A_DAY`] ID numbers not its holder's today: no answer about
    /// it until midnight in Taipei.
    Withheld,
}

/// ID numbers not the holder's a card answers a Taipei day, from every system together.
pub const MISSES_A_DAY: i64 = 5;

/// Answers for `presented` and `id` at `now`; `key` hashes the card's name in the count of
/// misses.
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
            let record = held(pool, Held::Certificate(&fingerprint)).await?;
            (record, format!("certificate:{fingerprint}"))
        }
        Presented::Card(card) => (
            held(pool, Held::Card(card)).await?,
            format!("card:{}", card.as_str()),
        ),
    };
    // A known certificate counts as its card, however it is presented; an unknown one as
    // itself, so that it answers as a known one would.
    let subject = match &record {
        Some(record) => format!("card:{}", record.card_number),
        None => unknown_subject,
    };
    let subject = key.hash(&subject);
    let day = taipei_day_start(now);
    let Some(record) = record.filter(|record| record.holder.national_id == id.as_str()) else {
        return Ok(if count_miss(pool, &subject, day).await? {
            Confirmation::DoesNotBelong
        } else {
            Confirmation::Withheld
        });
    };
    if misses(pool, &subject, day).await? >= MISSES_A_DAY {
        return Ok(Confirmation::Withheld);
    }
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
    // The CA's own revocation list wins over records that have not caught up with it.
    let listed_revoked = der.is_some_and(|der| trust.lists_as_revoked(&der, now));
    Ok(Confirmation::Belongs(if listed_revoked {
        ConfirmedStatus::Revoked
    } else {
        match recorded {
            CertificateState::Valid => ConfirmedStatus::Valid,
            CertificateState::Suspended | CertificateState::AwaitingActivation => {
                ConfirmedStatus::Suspended
            }
            CertificateState::Revoked => ConfirmedStatus::Revoked,
            CertificateState::Expired => ConfirmedStatus::Expired,
        }
    }))
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
