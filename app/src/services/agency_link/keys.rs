//! The key exchange of a link (SPEC L-11…L-14, seed 001 steps 11–14): the agency hands over
//! the certificate whose key its system signs its calls to the link with (a GCA 機關憑證 of
//! its own, RSA so that it signs RS256); the county unit (12) and 戶政司 (13) pass it on;
//! 資訊服務司 issues the link's Iss key for it (14). The linked-agency API accepts a call only
//! when it is signed with this certificate's key and carries this Iss key. A send-back, a
//! withdrawal or a cancellation forgets both: an exchange is made again or never used.

use super::LinkKeys;
use crate::domain::agency_code::AgencyCode;
use crate::error::PortalError;
use crate::pki::{
    certificate_pem, expect_agency_code, CertificateError, PublicKeyKind, Purpose, TrustStore,
};
use crate::platform::clock::roc_date_time;
use crate::platform::password;
use sqlx::{AnyConnection, Row};

/// The posted field of step 11.
pub const CERTIFICATE: &str = "certificate";

/// Step 11: checks the certificate `input` (PEM, DER or bare Base64) for the agency `agency`
/// — a GCA 機關憑證 valid now, chaining to the trusted roots, not revoked, naming the agency's
/// code and certifying an RSA key — and keeps it for case `link_id`.
pub async fn hand_over(
    conn: &mut AnyConnection,
    trust: &TrustStore,
    link_id: &str,
    agency: &AgencyCode,
    input: &[u8],
    now: i64,
) -> Result<(), PortalError> {
    let checked = trust
        .check_certificate(input, Purpose::AgencyCard, now)
        .and_then(|checked| expect_agency_code(&checked, agency).map(|()| checked))
        .and_then(|checked| match checked.public_key_kind() {
            PublicKeyKind::Rsa { .. } => Ok(checked),
            PublicKeyKind::EcdsaP256 => Err(CertificateError::WrongKeyUsage),
        })
        .map_err(|error| PortalError::field(CERTIFICATE, &error))?;
    sqlx::query(
        "INSERT INTO agency_link_keys (link_id, certificate_pem, certificate_serial, \
         certificate_not_after, uploaded_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (link_id) DO UPDATE SET certificate_pem = excluded.certificate_pem, \
         certificate_serial = excluded.certificate_serial, \
         certificate_not_after = excluded.certificate_not_after, \
         uploaded_at = excluded.uploaded_at, iss_key = NULL, iss_issued_at = NULL",
    )
    .bind(link_id)
    .bind(certificate_pem(checked.der()))
    .bind(checked.serial_hex().to_uppercase())
    .bind(checked.not_after())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Step 14: issues the Iss key of case `link_id` for the certificate handed over at step 11.
pub async fn issue_iss_key(
    conn: &mut AnyConnection,
    link_id: &str,
    now: i64,
) -> Result<String, PortalError> {
    let key = password::iss_key();
    let issued = sqlx::query(
        "UPDATE agency_link_keys SET iss_key = $1, iss_issued_at = $2 WHERE link_id = $3",
    )
    .bind(&key)
    .bind(now)
    .bind(link_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if issued != 1 {
        return Err(PortalError::unavailable(format!(
            "{link_id}: no certificate to issue an Iss key for"
        )));
    }
    Ok(key)
}

/// Forgets case `link_id`'s certificate and Iss key.
pub async fn forget(conn: &mut AnyConnection, link_id: &str) -> Result<(), PortalError> {
    sqlx::query("DELETE FROM agency_link_keys WHERE link_id = $1")
        .bind(link_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Case `link_id`'s keys as its page shows them; the Iss key only when `with_iss_key` (the
/// agency, whose system carries it, and 資訊服務司, which issued it).
pub async fn view(
    conn: &mut AnyConnection,
    link_id: &str,
    with_iss_key: bool,
) -> Result<Option<LinkKeys>, PortalError> {
    let row = sqlx::query(
        "SELECT certificate_serial, certificate_not_after, uploaded_at, iss_key \
         FROM agency_link_keys WHERE link_id = $1",
    )
    .bind(link_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let iss_key: Option<String> = row.try_get("iss_key")?;
    Ok(Some(LinkKeys {
        certificate_serial: row.try_get("certificate_serial")?,
        certificate_not_after: roc_date_time(row.try_get("certificate_not_after")?),
        handed_over_at: roc_date_time(row.try_get("uploaded_at")?),
        iss_key_issued: iss_key.is_some(),
        iss_key: iss_key.filter(|_| with_iss_key),
    }))
}
