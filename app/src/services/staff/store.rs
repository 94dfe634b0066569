//! Staff accounts in the database (server only): binding a certificate to a role and a
//! jurisdiction, finding the account behind a signed-in certificate, listing and disabling.

use super::role::{Jurisdiction, Role, Scope};
use super::StaffMember;
use crate::domain::email::Email;
use crate::pki::CheckedCertificate;
use crate::platform::audit::{self, AuditEvent};
use crate::platform::db::Db;
use sqlx::AnyPool;

/// The jurisdiction as typed by an operator: `national`, `county:臺北市` or
/// `office:63000010`; [`add`] checks it against the registry's household offices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JurisdictionSpec {
    National,
    County(String),
    Office(String),
}

impl std::str::FromStr for JurisdictionSpec {
    type Err = StaffError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().split_once(':') {
            None if text.trim() == "national" => Ok(JurisdictionSpec::National),
            Some(("county", name)) if !name.trim().is_empty() => {
                Ok(JurisdictionSpec::County(name.trim().to_owned()))
            }
            Some(("office", code)) if !code.trim().is_empty() => {
                Ok(JurisdictionSpec::Office(code.trim().to_owned()))
            }
            _ => Err(StaffError::BadJurisdiction(text.to_owned())),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("jurisdiction {0:?} is not `national`, `county:<縣市>` or `office:<戶政事務所代碼>`")]
    BadJurisdiction(String),
    #[error("no county or city named {0:?} in the registry")]
    UnknownCounty(String),
    #[error("no household registration office with code {0:?} in the registry")]
    UnknownOffice(String),
    #[error("role {role} works {expected}, not with this jurisdiction")]
    ScopeMismatch { role: Role, expected: &'static str },
    #[error("this certificate is already bound to staff account {0}")]
    AlreadyBound(i64),
    #[error("no active staff account {0}")]
    UnknownStaff(i64),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A new account: who, in which role and jurisdiction, and where the notices of their
/// inbox go (none: they are not mailed).
pub struct NewStaff<'a> {
    pub name: &'a str,
    pub role: Role,
    pub jurisdiction: &'a JurisdictionSpec,
    pub email: Option<&'a Email>,
}

/// Binds `certificate` (a checked citizen certificate) to a new account, and records it in
/// the audit log as done by `actor`.
pub async fn add(
    db: &Db,
    new: &NewStaff<'_>,
    certificate: &CheckedCertificate,
    actor: &str,
    now: i64,
) -> Result<i64, StaffError> {
    let NewStaff {
        name,
        role,
        jurisdiction: spec,
        email,
    } = *new;
    let jurisdiction = resolve(&db.pool, spec).await?;
    if jurisdiction.scope() != role.scope() {
        let expected = match role.scope() {
            Scope::National => "nationwide (`national`)",
            Scope::County => "in one county or city (`county:<縣市>`)",
            Scope::Office => "in one household office (`office:<代碼>`)",
        };
        return Err(StaffError::ScopeMismatch { role, expected });
    }
    if let Some(existing) = by_certificate(&db.pool, certificate.fingerprint_sha256()).await? {
        return Err(StaffError::AlreadyBound(existing.id));
    }
    let (county, office) = columns(&jurisdiction);
    let mut tx = db.pool.begin().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO staff (name, role, jurisdiction_county, jurisdiction_office, \
         certificate_sha256, certificate_serial, certificate_subject, certificate_not_after, \
         created_at, email) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(name.trim())
    .bind(role.code())
    .bind(county)
    .bind(office)
    .bind(certificate.fingerprint_sha256())
    .bind(certificate.serial_hex())
    .bind(certificate.subject())
    .bind(certificate.not_after())
    .bind(now)
    .bind(email.map(Email::as_str))
    .fetch_one(&mut *tx)
    .await?;
    let event = AuditEvent {
        actor: actor.to_owned(),
        source_ip: "local".into(),
        action: "staff.add".into(),
        subject: format!("staff:{id}"),
        detail: serde_json::json!({
            "role": role.code(),
            "county": county,
            "office": office,
            "certificate_serial": certificate.serial_hex(),
            "email": email.is_some(),
        })
        .to_string(),
    };
    audit::append(&mut tx, &db.audit, now, &event).await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets where the notices of account `id`'s inbox go.
pub async fn set_email(
    db: &Db,
    id: i64,
    email: &Email,
    actor: &str,
    now: i64,
) -> Result<(), StaffError> {
    let mut tx = db.pool.begin().await?;
    let changed = sqlx::query("UPDATE staff SET email = $1 WHERE id = $2 AND disabled_at IS NULL")
        .bind(email.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed != 1 {
        return Err(StaffError::UnknownStaff(id));
    }
    let event = AuditEvent {
        actor: actor.to_owned(),
        source_ip: "local".into(),
        action: "staff.email".into(),
        subject: format!("staff:{id}"),
        detail: "{}".into(),
    };
    audit::append(&mut tx, &db.audit, now, &event).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables an account: it can no longer sign in, and its open sessions stop working at
/// their next request (every request reloads the account).
pub async fn disable(db: &Db, id: i64, actor: &str, now: i64) -> Result<(), StaffError> {
    let mut tx = db.pool.begin().await?;
    let changed =
        sqlx::query("UPDATE staff SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if changed != 1 {
        return Err(StaffError::UnknownStaff(id));
    }
    let event = AuditEvent {
        actor: actor.to_owned(),
        source_ip: "local".into(),
        action: "staff.disable".into(),
        subject: format!("staff:{id}"),
        detail: "{}".into(),
    };
    audit::append(&mut tx, &db.audit, now, &event).await?;
    tx.commit().await?;
    Ok(())
}

type StaffRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

const SELECT: &str = "SELECT s.id, s.name, s.role, s.jurisdiction_county, s.jurisdiction_office, \
     o.name, s.certificate_not_after FROM staff s \
     LEFT JOIN household_offices o ON o.code = s.jurisdiction_office";

/// The active account bound to the certificate with this SHA-256 fingerprint.
pub async fn by_certificate(pool: &AnyPool, sha256: &str) -> sqlx::Result<Option<StaffMember>> {
    let row: Option<StaffRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE s.certificate_sha256 = $1 AND s.disabled_at IS NULL"
    ))
    .bind(sha256)
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(member))
}

/// The active account `id`.
pub async fn by_id(pool: &AnyPool, id: i64) -> sqlx::Result<Option<StaffMember>> {
    let row: Option<StaffRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE s.id = $1 AND s.disabled_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(member))
}

/// Every active account whose jurisdiction lies within `within`, by id.
pub async fn list_within(pool: &AnyPool, within: &Jurisdiction) -> sqlx::Result<Vec<StaffMember>> {
    let rows: Vec<StaffRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE s.disabled_at IS NULL ORDER BY s.id"
    ))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(member)
        .filter(|member| within.covers(&member.jurisdiction))
        .collect())
}

fn member(row: StaffRow) -> Option<StaffMember> {
    let (id, name, role, county, office, office_name, not_after) = row;
    let jurisdiction = match (county, office) {
        (None, None) => Jurisdiction::National,
        (Some(county), None) => Jurisdiction::County { county },
        (Some(county), Some(code)) => Jurisdiction::Office {
            county,
            name: office_name.unwrap_or_else(|| code.clone()),
            code,
        },
        (None, Some(_)) => return None,
    };
    Some(StaffMember {
        id,
        name,
        role: Role::from_code(&role)?,
        jurisdiction,
        certificate_valid_until: crate::platform::clock::roc_date_time(not_after),
    })
}

fn columns(jurisdiction: &Jurisdiction) -> (Option<&str>, Option<&str>) {
    match jurisdiction {
        Jurisdiction::National => (None, None),
        Jurisdiction::County { county } => (Some(county), None),
        Jurisdiction::Office { county, code, .. } => (Some(county), Some(code)),
    }
}

async fn resolve(pool: &AnyPool, spec: &JurisdictionSpec) -> Result<Jurisdiction, StaffError> {
    match spec {
        JurisdictionSpec::National => Ok(Jurisdiction::National),
        JurisdictionSpec::County(county) => {
            let found: Option<(String,)> =
                sqlx::query_as("SELECT county FROM household_offices WHERE county = $1 LIMIT 1")
                    .bind(county)
                    .fetch_optional(pool)
                    .await?;
            found
                .map(|(county,)| Jurisdiction::County { county })
                .ok_or_else(|| StaffError::UnknownCounty(county.clone()))
        }
        JurisdictionSpec::Office(code) => {
            let found: Option<(String, String, String)> =
                sqlx::query_as("SELECT code, name, county FROM household_offices WHERE code = $1")
                    .bind(code)
                    .fetch_optional(pool)
                    .await?;
            found
                .map(|(code, name, county)| Jurisdiction::Office { county, code, name })
                .ok_or_else(|| StaffError::UnknownOffice(code.clone()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jurisdictions_are_typed_as_national_county_or_office() {
        assert_eq!(
            "national".parse::<JurisdictionSpec>().ok(),
            Some(JurisdictionSpec::National)
        );
        assert_eq!(
            "county:臺北市".parse::<JurisdictionSpec>().ok(),
            Some(JurisdictionSpec::County("臺北市".into()))
        );
        assert_eq!(
            "office:63000010".parse::<JurisdictionSpec>().ok(),
            Some(JurisdictionSpec::Office("63000010".into()))
        );
        assert!("county:".parse::<JurisdictionSpec>().is_err());
        assert!("everywhere".parse::<JurisdictionSpec>().is_err());
    }
}
