//! The registered application systems (`confirmation_systems`, migration 0027): the ministry's
//! record of each approved system, read by the API on every call (through its cache) and
//! written when a system is registered.

use super::{ApplicantKind, StopGround};
use crate::cases::Code;
use crate::pki::{normalise_serial, CaFamily, CertificateError, Purpose, TrustStore};
use crate::platform::audit::{self, AuditEvent};
use crate::platform::db::Db;
use crate::platform::rows::RowExt;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

/// A system as the ministry approved it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct System {
    pub id: i64,
    pub applicant_kind: ApplicantKind,
    pub organisation: String,
    pub address: String,
    pub system_name: String,
    pub certificate_family: CaFamily,
    pub certificate_serial: String,
    pub certificate_sha256: String,
    pub certificate_not_after: i64,
    pub enabled_from: i64,
    pub disabled_from: Option<i64>,
    pub stop: Option<(i64, StopGround)>,
    pub daily_quota: i64,
    /// The applicant whose approved 啟用 request registered it (機關代號 or 統一編號); `None`
    /// for a system an operator recorded.
    pub applicant_id: Option<String>,
    /// Where it stands with the ministry (I-4), and the deadline to improve it was given.
    pub oversight: super::oversight::Oversight,
    pub improve_by: Option<i64>,
}

/// Why a registered system is not served at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutOfService {
    /// Before the opening date the ministry answered.
    NotYetEnabled,
    /// From the date of an approved disable request (I-2).
    Disabled,
    /// Stopped by the ministry on a ground of rule 6 (I-4).
    Stopped(StopGround),
    /// Its server certificate has expired: the system stops with it (I-2).
    CertificateExpired,
}

impl System {
    /// Whether the system is out of service at `now`, and why; the first reason wins.
    pub fn out_of_service(&self, now: i64) -> Option<OutOfService> {
        if let Some((_, ground)) = self.stop {
            Some(OutOfService::Stopped(ground))
        } else if self.disabled_from.is_some_and(|from| now >= from) {
            Some(OutOfService::Disabled)
        } else if now >= self.certificate_not_after {
            Some(OutOfService::CertificateExpired)
        } else if now < self.enabled_from {
            Some(OutOfService::NotYetEnabled)
        } else {
            None
        }
    }
}

impl sqlx::FromRow<'_, AnyRow> for System {
    fn from_row(row: &AnyRow) -> sqlx::Result<System> {
        let family: String = row.try_get("certificate_family")?;
        let stopped_at: Option<i64> = row.try_get("stopped_at")?;
        let stop_ground: Option<String> = row.try_get("stop_ground")?;
        let stop = match (stopped_at, stop_ground) {
            (Some(at), Some(ground)) => Some((
                at,
                StopGround::from_code(&ground).ok_or_else(|| undecodable("stop_ground"))?,
            )),
            _ => None,
        };
        Ok(System {
            id: row.try_get("id")?,
            applicant_kind: row.code("applicant_kind")?,
            organisation: row.try_get("organisation")?,
            address: row.try_get("address")?,
            system_name: row.try_get("system_name")?,
            certificate_family: CaFamily::from_code(&family)
                .ok_or_else(|| undecodable("certificate_family"))?,
            certificate_serial: row.try_get("certificate_serial")?,
            certificate_sha256: row.try_get("certificate_sha256")?,
            certificate_not_after: row.try_get("certificate_not_after")?,
            enabled_from: row.try_get("enabled_from")?,
            disabled_from: row.try_get("disabled_from")?,
            stop,
            daily_quota: row.try_get("daily_quota")?,
            applicant_id: row.try_get("applicant_id")?,
            oversight: row.code("oversight")?,
            improve_by: row.try_get("improve_by")?,
        })
    }
}

fn undecodable(column: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: "not a code of its vocabulary".into(),
    }
}

/// Every registered system, in or out of service: a few hundred rows at most, which the API
/// holds in memory so that a certificate of no system costs no read.
pub async fn all(pool: &AnyPool) -> sqlx::Result<Vec<System>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM confirmation_systems ORDER BY id"
    ))
    .fetch_all(pool)
    .await
}

const COLUMNS: &str = "id, applicant_kind, organisation, address, system_name, \
    certificate_family, certificate_serial, certificate_sha256, certificate_not_after, \
    enabled_from, disabled_from, stopped_at, stop_ground, daily_quota, applicant_id, oversight, \
    improve_by";

/// System `id`, if any.
pub async fn by_id(conn: &mut sqlx::AnyConnection, id: i64) -> sqlx::Result<Option<System>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM confirmation_systems WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Takes up to `wanted` calls of system `id`'s `quota` for the Taipei day whose midnight is
/// `day`, from the count every server shares; returns how many it got (0 once the day's quota
/// is given out). One statement, so concurrent servers never give out more than the quota.
pub async fn take_quota(
    pool: &AnyPool,
    id: i64,
    day: i64,
    quota: i64,
    wanted: i64,
) -> sqlx::Result<i64> {
    let taken: Option<i64> = sqlx::query_scalar(
        "INSERT INTO confirmation_quota_days (system_id, day, taken) VALUES ($1, $2, $3) \
         ON CONFLICT (system_id, day) DO UPDATE \
         SET taken = confirmation_quota_days.taken + excluded.taken \
         WHERE confirmation_quota_days.taken < $4 \
         RETURNING taken",
    )
    .bind(id)
    .bind(day)
    .bind(wanted)
    .bind(quota)
    .fetch_optional(pool)
    .await?;
    Ok(taken.map_or(0, |taken| (wanted - (taken - quota).max(0)).max(0)))
}

/// The call log's outcome for a call that was answered (belongs or not).
pub const ANSWERED: &str = "answered";

/// A system the ministry approved, as it is recorded (I-1, I-2).
#[derive(Clone, Debug)]
pub struct NewSystem<'a> {
    pub applicant_kind: ApplicantKind,
    pub organisation: &'a str,
    pub address: &'a str,
    pub system_name: &'a str,
    /// The server certificate, PEM or DER.
    pub certificate: &'a [u8],
    /// 伺服器憑證序號 as the applicant wrote it on the form: it must be the certificate's.
    pub serial: &'a str,
    pub enabled_from: i64,
    pub daily_quota: i64,
}

/// Why a system cannot be registered.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("the server certificate is refused: {0}")]
    Certificate(CertificateError),
    #[error("a {kind:?} presents a server certificate of its own authority, not {family:?}")]
    WrongAuthority {
        kind: ApplicantKind,
        family: CaFamily,
    },
    #[error("the serial {given} is not the certificate's ({actual})")]
    SerialMismatch { given: String, actual: String },
    #[error("organisation, address and system name are required")]
    MissingField,
    #[error("the daily quota must be positive")]
    Quota,
    #[error("this server certificate is already registered for a system")]
    AlreadyRegistered,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A system's server certificate as checked for its registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub family: CaFamily,
    pub serial: String,
    pub sha256: String,
    pub not_after: i64,
    /// The subject's organizationName: the agency or institution it was issued to.
    pub organisation: Option<String>,
}

/// Checks `new` as things stand at `now`: its server certificate (chain, validity,
/// revocation, the issuer for the applicant, I-1), that the serial the applicant wrote is the
/// certificate's, the required text and the quota.
pub fn check(
    trust: &TrustStore,
    new: &NewSystem<'_>,
    now: i64,
) -> Result<Registration, RegisterError> {
    let checked = trust
        .check_certificate(new.certificate, Purpose::ServerCertificate, now)
        .map_err(RegisterError::Certificate)?;
    let family = checked.issuer_family();
    if !new.applicant_kind.accepts(family) {
        return Err(RegisterError::WrongAuthority {
            kind: new.applicant_kind,
            family,
        });
    }
    if normalise_serial(new.serial).as_deref() != Some(checked.serial_hex()) {
        return Err(RegisterError::SerialMismatch {
            given: new.serial.trim().to_owned(),
            actual: checked.serial_hex().to_owned(),
        });
    }
    let fields = [new.organisation, new.address, new.system_name];
    if fields.iter().any(|field| field.trim().is_empty()) {
        return Err(RegisterError::MissingField);
    }
    if new.daily_quota <= 0 {
        return Err(RegisterError::Quota);
    }
    Ok(Registration {
        family,
        serial: checked.serial_hex().to_owned(),
        sha256: checked.fingerprint_sha256().to_owned(),
        not_after: checked.not_after(),
        organisation: checked.organization().map(str::to_owned),
    })
}

/// Inserts `new`, whose certificate [`check`] accepted as `certificate`, owned by the
/// applicant `owner` (none: recorded by an operator), in the caller's transaction; returns
/// its id.
pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    new: &NewSystem<'_>,
    certificate: &Registration,
    owner: Option<&str>,
    now: i64,
) -> Result<i64, RegisterError> {
    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO confirmation_systems (applicant_kind, organisation, address, system_name, \
         certificate_family, certificate_serial, certificate_sha256, certificate_not_after, \
         enabled_from, daily_quota, created_at, applicant_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(new.applicant_kind.code())
    .bind(new.organisation.trim())
    .bind(new.address.trim())
    .bind(new.system_name.trim())
    .bind(certificate.family.code())
    .bind(&certificate.serial)
    .bind(&certificate.sha256)
    .bind(certificate.not_after)
    .bind(new.enabled_from)
    .bind(new.daily_quota)
    .bind(now)
    .bind(owner)
    .fetch_one(conn)
    .await;
    match inserted {
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            Err(RegisterError::AlreadyRegistered)
        }
        other => Ok(other?),
    }
}

/// Records `new` as an approved system (an operator's record of a paper request), after
/// [`check`]; audited as `confirmation.system.register` by `actor`. Returns the system's id.
pub async fn register(
    db: &Db,
    trust: &TrustStore,
    new: &NewSystem<'_>,
    actor: &str,
    now: i64,
) -> Result<i64, RegisterError> {
    let certificate = check(trust, new, now)?;
    let mut tx = db.pool.begin().await?;
    let id = insert(&mut tx, new, &certificate, None, now).await?;
    let event = AuditEvent {
        actor: actor.to_owned(),
        source_ip: "local".into(),
        action: "confirmation.system.register".into(),
        subject: format!("confirmation_system:{id}"),
        detail: serde_json::json!({
            "organisation": new.organisation.trim(),
            "system": new.system_name.trim(),
            "certificate_serial": certificate.serial,
            "certificate_family": certificate.family.code(),
            "enabled_from": new.enabled_from,
            "daily_quota": new.daily_quota,
        })
        .to_string(),
    };
    audit::append(&mut tx, &db.audit, now, &event).await?;
    tx.commit().await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system() -> System {
        System {
            id: 1,
            applicant_kind: ApplicantKind::Financial,
            organisation: "示範商業銀行".into(),
            address: "臺北市中正區重慶南路一段122號".into(),
            system_name: "網路銀行".into(),
            certificate_family: CaFamily::Xca,
            certificate_serial: "01".into(),
            certificate_sha256: "00".into(),
            certificate_not_after: 1_000,
            enabled_from: 100,
            disabled_from: None,
            stop: None,
            daily_quota: 10,
            applicant_id: None,
            oversight: super::super::oversight::Oversight::Normal,
            improve_by: None,
        }
    }

    #[test]
    fn i_2_a_system_is_served_from_its_opening_date_until_its_certificate_expires() {
        let system = system();
        assert_eq!(system.out_of_service(99), Some(OutOfService::NotYetEnabled));
        assert_eq!(system.out_of_service(100), None);
        assert_eq!(system.out_of_service(999), None);
        assert_eq!(
            system.out_of_service(1_000),
            Some(OutOfService::CertificateExpired)
        );
    }

    #[test]
    fn i_2_a_disable_request_takes_effect_on_its_date() {
        let system = System {
            disabled_from: Some(500),
            ..system()
        };
        assert_eq!(system.out_of_service(499), None);
        assert_eq!(system.out_of_service(500), Some(OutOfService::Disabled));
    }

    #[test]
    fn i_4_a_stopped_system_is_out_of_service_whatever_its_dates() {
        let system = System {
            stop: Some((300, StopGround::RuleViolation)),
            ..system()
        };
        assert_eq!(
            system.out_of_service(200),
            Some(OutOfService::Stopped(StopGround::RuleViolation))
        );
    }
}
