//! The one question of the service (I-3): does this citizen certificate belong to this ID
//! number, and what is its status now? Answered from the RA's records (`moica_certificates`
//! with the holder's registry entry) and the MOICA CA's revocation list, nothing else.

use super::ConfirmedStatus;
use crate::domain::{card_number::CardNumber, national_id::NationalId};
use crate::pki::TrustStore;
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
}

/// Answers for `presented` and `id` at `now`.
pub async fn confirm(
    pool: &AnyPool,
    trust: &TrustStore,
    presented: Presented<'_>,
    id: &NationalId,
    now: i64,
) -> sqlx::Result<Confirmation> {
    let record = match presented {
        Presented::Certificate(der) => {
            let fingerprint = hex::encode(Sha256::digest(der));
            held(pool, Held::Certificate(&fingerprint)).await?
        }
        Presented::Card(card) => held(pool, Held::Card(card)).await?,
    };
    let Some(record) = record.filter(|record| record.holder.national_id == id.as_str()) else {
        return Ok(Confirmation::DoesNotBelong);
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
