//! Database access for citizen certificates (server only).

use super::cases::CertificateStatus;
use super::mail::ExpiryNotice;
use super::status::{CertificateState, CertificateSummary};
use crate::cases::actor::Actor;
use crate::cases::work::Work;
use crate::cases::Code;
use crate::domain::card_number::CardNumber;
use crate::domain::national_id::NationalId;
use crate::error::PortalError;
use crate::platform::clock::roc_date_time;
use crate::platform::rows::RowExt;
use base64::{engine::general_purpose::STANDARD, Engine};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

/// The public summary of the certificate on card `card`, as of `now`.
pub async fn summary_by_card(
    pool: &AnyPool,
    card: &CardNumber,
    now: i64,
) -> sqlx::Result<Option<CertificateSummary>> {
    let row = sqlx::query(
        "SELECT card_number, certificate_der, serial, issuer, not_before, not_after, status, \
                CAST(published AS INTEGER) AS published, \
                CAST(awaiting_activation AS INTEGER) AS awaiting \
         FROM moica_certificates WHERE card_number = $1 ORDER BY not_before DESC LIMIT 1",
    )
    .bind(card.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let not_after: i64 = row.try_get("not_after")?;
    let state = CertificateState::of(row.code("status")?, row.flag("awaiting")?, not_after, now);
    let published = row.flag("published")?;
    Ok(Some(CertificateSummary {
        card_number: row.try_get("card_number")?,
        published,
        holder: row
            .try_get::<Option<String>, _>("certificate_der")?
            .filter(|_| published)
            .and_then(|der| crate::pki::UncheckedCertificate::read(der.as_bytes()))
            .and_then(|certificate| certificate.common_name),
        serial: row.try_get::<String, _>("serial")?.to_uppercase(),
        issuer: row.try_get("issuer")?,
        not_before: roc_date_time(row.try_get("not_before")?),
        not_after: roc_date_time(not_after),
        state,
    }))
}

/// Why a certificate could not be recorded as a registry person's.
#[derive(Debug, thiserror::Error)]
pub enum HolderError {
    #[error("no citizen has this ID number")]
    UnknownCitizen,
    #[error("the certificate's name or last 4 ID digits are not the citizen's")]
    NotTheirs,
    #[error("this certificate is already recorded, or its card number holds an active one")]
    AlreadyRecorded,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Records an issued citizen certificate as `national_id`'s (what the registration authority
/// does at issuance, C-2): the certificate's name and last 4 ID digits must be the person's.
pub async fn record_holder(
    conn: &mut AnyConnection,
    certificate: &crate::pki::CheckedCertificate,
    national_id: &crate::domain::national_id::NationalId,
    card: &CardNumber,
    now: i64,
) -> Result<i64, HolderError> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM citizens WHERE national_id = $1")
            .bind(national_id.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    let (citizen_id, name) = row.ok_or(HolderError::UnknownCitizen)?;
    if certificate.subject_name() != Some(name.as_str())
        || certificate.id_last4() != Some(national_id.last4())
    {
        return Err(HolderError::NotTheirs);
    }
    // fetch_all: SQLite commits a RETURNING statement only once it has been stepped to its end.
    let inserted: sqlx::Result<Vec<i64>> = sqlx::query_scalar(
        "INSERT INTO moica_certificates (card_number, serial, subject, issuer, not_before, \
             not_after, status, created_at, citizen_id, certificate_sha256, certificate_der) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $10) RETURNING id",
    )
    .bind(card.as_str())
    .bind(certificate.serial_hex())
    .bind(certificate.subject())
    .bind(certificate.issuer_family().unit_name())
    .bind(certificate.not_before())
    .bind(certificate.not_after())
    .bind(now)
    .bind(citizen_id)
    .bind(certificate.fingerprint_sha256())
    .bind(STANDARD.encode(certificate.der()))
    .fetch_all(&mut *conn)
    .await;
    match inserted {
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            Err(HolderError::AlreadyRecorded)
        }
        other => other?
            .first()
            .copied()
            .ok_or(HolderError::Database(sqlx::Error::RowNotFound)),
    }
}

/// Records certificate `id` as extended once from `original_not_after` (set-up of demo and test
/// cards; an extension through the portal records this itself).
pub async fn record_extended(
    conn: &mut AnyConnection,
    id: i64,
    original_not_after: i64,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE moica_certificates SET original_not_after = $1, extended_at = $2 WHERE id = $3",
    )
    .bind(original_not_after)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Whether the RA has suspended or revoked the citizen certificate with this fingerprint, or
/// it waits for 開卡: a staff member's own card included, which then neither signs in nor signs
/// for the RA.
pub async fn withdrawn(pool: &AnyPool, fingerprint_sha256: &str) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM moica_certificates WHERE certificate_sha256 = $1 \
         AND (status IN ($2, $3) OR awaiting_activation = TRUE)",
    )
    .bind(fingerprint_sha256)
    .bind(CertificateStatus::Suspended.code())
    .bind(CertificateStatus::Revoked.code())
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// What the RA's records say of the certificate with this serial, for a status query (OCSP,
/// issue 19 item 4): its status, whether it waits for 開卡, and when its status last changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordedStatus {
    pub status: CertificateStatus,
    pub awaiting_activation: bool,
    /// Unix seconds: the last 停用, 復用 or 廢止, else the issuance.
    pub changed_at: i64,
}

/// The [`RecordedStatus`] of the certificate with `serial` (lower-case hex without leading
/// zero bytes, as recorded); `None` if the RA never recorded it.
pub async fn recorded_status(pool: &AnyPool, serial: &str) -> sqlx::Result<Option<RecordedStatus>> {
    let row = sqlx::query(
        "SELECT status, CAST(awaiting_activation AS INTEGER) AS awaiting, \
                COALESCE(status_changed_at, created_at) AS changed_at \
         FROM moica_certificates WHERE serial = $1",
    )
    .bind(serial)
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        Ok(RecordedStatus {
            status: row.code("status")?,
            awaiting_activation: row.flag("awaiting")?,
            changed_at: row.try_get("changed_at")?,
        })
    })
    .transpose()
}

/// A recorded certificate with its holder's registry entry: what the certificate services
/// read about a card, loaded in one place ([`held`]).
pub struct HeldRecord {
    pub id: i64,
    pub card_number: String,
    pub serial: String,
    pub status: CertificateStatus,
    pub not_after: i64,
    /// The expiry before an extension (展期), if it was extended.
    pub original_not_after: Option<i64>,
    pub certificate_sha256: String,
    pub certificate_der: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub published: bool,
    pub awaiting_activation: bool,
    pub holder: Holder,
}

/// The holder as the household registry has them.
pub struct Holder {
    pub id: i64,
    pub name: String,
    pub national_id: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    pub nationality_registered: bool,
    pub under_guardianship: bool,
}

impl HeldRecord {
    /// The holder acting with this card, as the audit log and timelines name them.
    pub fn actor(&self, source_ip: String) -> Actor {
        super::proof::holder(&self.holder.national_id, source_ip)
    }

    /// Whether the holder has another certificate in force at `now` (a card issued since this
    /// one expired, 補領): then this one is neither extended nor renewed (C-2). Inside a unit
    /// of work about to record a certificate, [`hold_citizen`] first.
    pub async fn superseded(
        &self,
        conn: &mut AnyConnection,
        now: i64,
    ) -> Result<bool, PortalError> {
        Ok(!cards_in_force(conn, self.holder.id, now, Some(self.id))
            .await?
            .is_empty())
    }
}

/// Holds the citizen's registry row for the rest of a unit of work that checks
/// [`cards_in_force`] and then records a certificate or a renewal, so that two such units for
/// one person (a counter's 補領 and an extension, say) run one after the other on PostgreSQL.
/// SQLite's units of work already do (`BEGIN IMMEDIATE`).
pub async fn hold_citizen(conn: &mut AnyConnection, citizen_id: i64) -> Result<(), PortalError> {
    if conn.backend_name() != "PostgreSQL" {
        return Ok(());
    }
    let held: Option<i64> =
        sqlx::query_scalar("SELECT id FROM citizens WHERE id = $1 FOR NO KEY UPDATE")
            .bind(citizen_id)
            .fetch_optional(conn)
            .await?;
    held.map(|_| ())
        .ok_or_else(|| PortalError::unavailable("the certificate's holder is not in the registry"))
}

/// A certificate in force: its card, until when (ROC date) and the e-mail on file for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardInForce {
    pub card_number: String,
    pub valid_until: String,
    pub email: Option<String>,
}

/// The citizen's certificates in force at `now` besides the certificate `besides` (the one
/// being renewed or extended): active or suspended (a mailed card waiting for 開卡 too), and
/// not expired (a certificate's status stays active past its expiry). One person holds one
/// (C-2).
pub async fn certificates_in_force(
    conn: &mut AnyConnection,
    citizen_id: i64,
    now: i64,
    besides: Option<i64>,
) -> Result<Vec<CardInForce>, PortalError> {
    // Certificate ids start at 1: 0 stands for none.
    let rows: Vec<(String, i64, Option<String>)> = sqlx::query_as(
        "SELECT card_number, not_after, email FROM moica_certificates \
         WHERE citizen_id = $1 AND status IN ($2, $3) AND not_after > $4 AND id <> $5 \
         ORDER BY id",
    )
    .bind(citizen_id)
    .bind(CertificateStatus::Active.code())
    .bind(CertificateStatus::Suspended.code())
    .bind(now)
    .bind(besides.unwrap_or(0))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(card_number, not_after, email)| CardInForce {
            card_number,
            valid_until: crate::platform::clock::roc_date(not_after),
            email,
        })
        .collect())
}

/// The card numbers of [`certificates_in_force`].
pub async fn cards_in_force(
    conn: &mut AnyConnection,
    citizen_id: i64,
    now: i64,
    besides: Option<i64>,
) -> Result<Vec<String>, PortalError> {
    let cards = certificates_in_force(conn, citizen_id, now, besides).await?;
    Ok(cards.into_iter().map(|card| card.card_number).collect())
}

impl sqlx::FromRow<'_, AnyRow> for HeldRecord {
    fn from_row(row: &AnyRow) -> sqlx::Result<HeldRecord> {
        Ok(HeldRecord {
            id: row.try_get("id")?,
            card_number: row.try_get("card_number")?,
            serial: row.try_get("serial")?,
            status: row.code("status")?,
            not_after: row.try_get("not_after")?,
            original_not_after: row.try_get("original_not_after")?,
            certificate_sha256: row.try_get("certificate_sha256")?,
            certificate_der: row.try_get("certificate_der")?,
            email: row.try_get("email")?,
            mobile: row.try_get("mobile")?,
            published: row.flag("published")?,
            awaiting_activation: row.flag("awaiting_activation")?,
            holder: Holder {
                id: row.try_get("citizen_id")?,
                name: row.try_get("name")?,
                national_id: row.try_get("national_id")?,
                birth_date: row.try_get("birth_date")?,
                nationality_registered: row.flag("nationality_registered")?,
                under_guardianship: row.flag("under_guardianship")?,
            },
        })
    }
}

/// Which certificate to load.
#[derive(Clone, Copy, Debug)]
pub enum Held<'a> {
    /// Exactly the certificate with this fingerprint.
    Certificate(&'a str),
    /// The certificate with this fingerprint, or the one that replaced it by an extension
    /// (the card still holds the replaced one until it takes the new).
    CertificateOrReplaced(&'a str),
    /// The newest certificate on this card.
    Card(&'a CardNumber),
    /// The newest certificate of this citizen.
    Holder(&'a NationalId),
}

/// The certificate `which` names, with its holder.
pub async fn held(pool: &AnyPool, which: Held<'_>) -> sqlx::Result<Option<HeldRecord>> {
    const SELECT: &str = "SELECT m.id, m.card_number, m.serial, m.status, m.not_after, \
            m.original_not_after, m.certificate_sha256, m.certificate_der, m.email, m.mobile, \
            CAST(m.published AS INTEGER) AS published, \
            CAST(m.awaiting_activation AS INTEGER) AS awaiting_activation, \
            c.id AS citizen_id, c.name, c.national_id, c.birth_date, \
            CAST(c.nationality_registered AS INTEGER) AS nationality_registered, \
            CAST(c.under_guardianship AS INTEGER) AS under_guardianship \
         FROM moica_certificates m JOIN citizens c ON c.id = m.citizen_id";
    let (filter, key) = match which {
        Held::Certificate(fingerprint) => ("m.certificate_sha256 = $1", fingerprint),
        Held::CertificateOrReplaced(fingerprint) => (
            "m.certificate_sha256 = $1 OR m.previous_sha256 = $1",
            fingerprint,
        ),
        Held::Card(card) => ("m.card_number = $1", card.as_str()),
        Held::Holder(id) => ("c.national_id = $1", id.as_str()),
    };
    sqlx::query_as(&format!(
        "{SELECT} WHERE {filter} ORDER BY m.not_before DESC, m.id DESC LIMIT 1"
    ))
    .bind(key)
    .fetch_optional(pool)
    .await
}

/// The registry person an active citizen certificate was issued to (activated, if it was a
/// mailed renewal): id, name, ID number.
pub async fn holder_of(
    pool: &AnyPool,
    fingerprint_sha256: &str,
) -> sqlx::Result<Option<(i64, String, String)>> {
    Ok(held(pool, Held::Certificate(fingerprint_sha256))
        .await?
        .filter(|record| record.status == CertificateStatus::Active && !record.awaiting_activation)
        .map(|record| {
            (
                record.holder.id,
                record.holder.name,
                record.holder.national_id,
            )
        }))
}

/// Days before expiry the holder is told, and extension (展期) opens (C-4).
pub const EXPIRY_NOTICE_DAYS: i64 = 60;

/// When a window that opens [`EXPIRY_NOTICE_DAYS`] before `expiry` opens (展期, 線上續卡,
/// C-4): `None` once it is open at `now`, else the day it opens (ROC, `120/09/30`).
pub fn opens_on(expiry: i64, now: i64) -> Option<String> {
    let opens = expiry - EXPIRY_NOTICE_DAYS * 86_400;
    (now < opens).then(|| {
        crate::domain::roc_date::RocDate::from_naive(
            crate::platform::clock::unix_to_taipei(opens).date_naive(),
        )
        .map(crate::domain::roc_date::RocDate::display_slash)
        .unwrap_or_default()
    })
}

/// 憑證到期通知: mails every holder whose active certificate expires within
/// [`EXPIRY_NOTICE_DAYS`], once per certificate (claimed row by row, so several servers running
/// this together send each notice once). The number of notices queued.
pub async fn notify_expiring(db: &crate::platform::db::Db, now: i64) -> Result<u64, PortalError> {
    let due = sqlx::query(
        "SELECT m.id, m.card_number, m.not_after, m.email, c.name \
         FROM moica_certificates m JOIN citizens c ON c.id = m.citizen_id \
         WHERE m.status = $1 AND m.email IS NOT NULL AND m.expiry_notice_at IS NULL \
           AND m.not_after > $2 AND m.not_after <= $3",
    )
    .bind(CertificateStatus::Active.code())
    .bind(now)
    .bind(now + EXPIRY_NOTICE_DAYS * 86_400)
    .fetch_all(&db.pool)
    .await?;
    let actor = Actor::system();
    let mut sent = 0;
    for row in due {
        let id: i64 = row.try_get("id")?;
        let email: String = row.try_get("email")?;
        let name: String = row.try_get("name")?;
        let card_number: String = row.try_get("card_number")?;
        let mut work = Work::begin(db, &actor, now).await?;
        // The notice is no change of the certificate's state: only the claim that it was sent.
        let claimed = sqlx::query(
            "UPDATE moica_certificates SET expiry_notice_at = $1 \
             WHERE id = $2 AND expiry_notice_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *work.conn())
        .await?
        .rows_affected();
        if claimed == 1 {
            work.mail(&ExpiryNotice {
                to: &email,
                name: &name,
                card_number: &card_number,
                not_after: row.try_get("not_after")?,
            })
            .await?;
            sent += 1;
        }
        work.commit().await?;
    }
    Ok(sent)
}
