//! Database access for citizen certificates (server only).

use super::status::{CertificateState, CertificateSummary};
use crate::domain::card_number::CardNumber;
use crate::platform::clock::roc_date_time;
use sqlx::AnyPool;

#[derive(sqlx::FromRow)]
struct CardRow {
    card_number: String,
    subject: String,
    serial: String,
    issuer: String,
    not_before: i64,
    not_after: i64,
    status: String,
}

/// The public summary of the certificate on card `card`, as of `now`.
pub async fn summary_by_card(
    pool: &AnyPool,
    card: &CardNumber,
    now: i64,
) -> sqlx::Result<Option<CertificateSummary>> {
    let row: Option<CardRow> = sqlx::query_as(
        "SELECT card_number, subject, serial, issuer, not_before, not_after, status \
         FROM moica_certificates WHERE card_number = $1 ORDER BY not_before DESC LIMIT 1",
    )
    .bind(card.as_str())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| {
        let state = match row.status.as_str() {
            "revoked" => CertificateState::Revoked,
            "suspended" => CertificateState::Suspended,
            _ if now >= row.not_after => CertificateState::Expired,
            _ => CertificateState::Valid,
        };
        CertificateSummary {
            card_number: row.card_number,
            subject: row.subject,
            serial: row.serial,
            issuer: row.issuer,
            not_before: roc_date_time(row.not_before),
            not_after: roc_date_time(row.not_after),
            state,
        }
    }))
}
