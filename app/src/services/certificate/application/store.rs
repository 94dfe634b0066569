//! Pre-applications in the database (C-1, C-2, C-4): matching the applicant against the
//! registry, and the application itself — one open per citizen, its 用戶代碼 and PIN sealed —
//! taken, replaced and closed as [`MoicaApplication`] cases, each change one unit of work with
//! its timeline event, audit row and notice mail.

use super::cases::{
    ApplicationAction, ApplicationFacts, ApplicationStatus, MoicaApplication, Proof, Replacement,
};
use super::form::ApplicationForm;
use super::{ApplicationSummary, Channel, COLLECT_WITHIN_DAYS};
use crate::cases::actor::Actor;
use crate::cases::number::letter;
use crate::cases::work::Work;
use crate::cases::{Code, Machine};
use crate::domain::roc_date::RocDate;
use crate::error::PortalError;
use crate::platform::clock::{case_reference, roc_date_time, taipei_to_utc, unix_to_taipei};
use crate::platform::db::Db;
use crate::platform::rows::RowExt;
use crate::platform::seal::SealKey;
use crate::services::certificate::eligibility::{IdStatus, RegistryFacts};
use crate::services::certificate::mail::{
    ApplicationNotice, InForceNotice, RenewalRequestNotice, ReplacedNotice,
};
use crate::services::certificate::renewal::RenewalRefusal;
use crate::services::certificate::store::{cards_in_force, certificates_in_force, hold_citizen};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

/// The registry columns of an applicant (`citizens c`) that [`registry_entry`] reads.
pub const REGISTRY_COLUMNS: &str = "c.birth_date, c.id_status, \
    CAST(c.nationality_registered AS INTEGER) AS nationality_registered, \
    CAST(c.under_guardianship AS INTEGER) AS under_guardianship";

/// What the registry says of an applicant: the facts of 申辦資格 (C-1), and whether the ID
/// number is in use.
pub struct RegistryEntry {
    pub facts: RegistryFacts,
    pub in_use: bool,
}

/// The [`REGISTRY_COLUMNS`] of `row`.
pub fn registry_entry(row: &AnyRow) -> Result<RegistryEntry, PortalError> {
    let birth_date: String = row.try_get("birth_date")?;
    let birth_date = NaiveDate::parse_from_str(&birth_date, "%Y-%m-%d")
        .map_err(|error| PortalError::unavailable(format!("registry birth date: {error}")))?;
    Ok(RegistryEntry {
        facts: RegistryFacts {
            birth_date,
            nationality_registered: row.flag("nationality_registered")?,
            under_guardianship: row.flag("under_guardianship")?,
        },
        in_use: row.code::<IdStatus>("id_status")? == IdStatus::Active,
    })
}

/// The registry person an application was matched to.
#[derive(Clone, Debug)]
pub struct Applicant {
    pub citizen_id: i64,
    pub name: String,
    pub facts: RegistryFacts,
}

/// The applicant whose registry entry the ID number, name and birth date match, with an ID
/// number in use; `None` for any mismatch, without saying which.
pub async fn identify(
    pool: &AnyPool,
    form: &ApplicationForm,
) -> Result<Option<Applicant>, PortalError> {
    let row = sqlx::query(&format!(
        "SELECT c.id, c.name, {REGISTRY_COLUMNS} FROM citizens c WHERE c.national_id = $1"
    ))
    .bind(form.national_id.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let name: String = row.try_get("name")?;
    let entry = registry_entry(&row)?;
    let matches = form.name.matches(&name)
        && entry.facts.birth_date == form.birth_date.to_naive()
        && entry.in_use;
    if !matches {
        return Ok(None);
    }
    Ok(Some(Applicant {
        citizen_id: row.try_get("id")?,
        name,
        facts: entry.facts,
    }))
}

/// How an application is filed: by the citizen online, by a registrar at the counter, or by
/// the citizen's card renewing the certificate with this id online (線上續卡, C-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filing {
    Online,
    Counter,
    Renewal { certificate: i64 },
}

impl Filing {
    /// The action that starts the case.
    fn action(self) -> ApplicationAction {
        match self {
            Filing::Online => ApplicationAction::Apply,
            Filing::Counter => ApplicationAction::ApplyAtCounter,
            Filing::Renewal { .. } => ApplicationAction::RequestRenewal,
        }
    }

    fn channel(self) -> Channel {
        match self {
            Filing::Online | Filing::Renewal { .. } => Channel::Online,
            Filing::Counter => Channel::Counter,
        }
    }

    fn renewal_of(self) -> Option<i64> {
        match self {
            Filing::Renewal { certificate } => Some(certificate),
            _ => None,
        }
    }

    /// The filing of a stored application: its `channel` and `renewal_of`. Anything but a
    /// plain online one counts as proved with a card, so an unknown channel is never replaced
    /// by knowledge alone.
    fn stored(channel: &str, renewal_of: Option<i64>) -> Filing {
        match renewal_of {
            Some(certificate) => Filing::Renewal { certificate },
            None if channel == Channel::Online.code() => Filing::Online,
            None => Filing::Counter,
        }
    }

    /// How its applicant was proved: online by knowledge alone; at the counter with the ID
    /// card shown to the registrar; renewing with the citizen's card and PIN.
    fn proof(self) -> Proof {
        match self {
            Filing::Online => Proof::Knowledge,
            Filing::Counter | Filing::Renewal { .. } => Proof::Card,
        }
    }
}

/// The label a sealed secret of application `id` is bound to.
pub fn seal_label(id: i64, field: &str) -> String {
    format!("moica-application:{id}:{field}")
}

/// The audit detail of a submission (`moica_application.submit`, `moica_renewal.request`).
#[derive(Serialize)]
struct SubmitDetail<'a> {
    pin_choice: &'static str,
    /// The open application this one replaced.
    replaced: Option<&'a str>,
}

/// Takes the application filed by `actor`: supersedes the citizen's open one (its secrets
/// erased) — unless that one was proved with a card and this one is not, which is refused
/// with [`super::identity_refusal`] and changes nothing — stores this one with the 用戶代碼
/// and a chosen PIN sealed, mails the notice and audits it.
pub async fn submit(
    db: &Db,
    seal: &SealKey,
    now: i64,
    applicant: &Applicant,
    form: &ApplicationForm,
    actor: &Actor,
    filing: Filing,
) -> Result<ApplicationSummary, PortalError> {
    // Two submissions racing on PostgreSQL: the second's insert waits for the first and then
    // breaks the one-open index (or finds the open one replaced first); tried again, it
    // supersedes the first like any later one.
    let mut attempts = 0;
    loop {
        attempts += 1;
        match try_submit(db, seal, now, applicant, form, actor, filing).await {
            Err(Failure::Raced) if attempts < 3 => continue,
            Err(Failure::Raced) => return Err(PortalError::Unavailable),
            Err(Failure::Fault(error)) => return Err(error),
            Ok(summary) => return Ok(summary),
        }
    }
}

enum Failure {
    Raced,
    Fault(PortalError),
}

impl From<sqlx::Error> for Failure {
    fn from(error: sqlx::Error) -> Failure {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => Failure::Raced,
            _ => Failure::Fault(error.into()),
        }
    }
}

impl From<PortalError> for Failure {
    fn from(error: PortalError) -> Failure {
        if error == PortalError::from(MoicaApplication::overtaken()) {
            Failure::Raced
        } else {
            Failure::Fault(error)
        }
    }
}

/// The last day to collect an application filed at `now` (Taipei), and the moment it lapses:
/// the midnight after.
fn collection_window(now: i64) -> (NaiveDate, i64) {
    let today = unix_to_taipei(now).date_naive();
    let collect_by = today + chrono::Days::new(COLLECT_WITHIN_DAYS);
    let expires_at = taipei_to_utc(
        (collect_by + chrono::Days::new(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default(),
    )
    .timestamp();
    (collect_by, expires_at)
}

/// How often the holder of a certificate in force hears of online applications in their name.
const IN_FORCE_NOTICES: crate::platform::rate_limit::Limit = crate::platform::rate_limit::Limit {
    max: 1,
    window_seconds: 24 * 60 * 60,
};

async fn try_submit(
    db: &Db,
    seal: &SealKey,
    now: i64,
    applicant: &Applicant,
    form: &ApplicationForm,
    actor: &Actor,
    filing: Filing,
) -> Result<ApplicationSummary, Failure> {
    let (collect_by, expires_at) = collection_window(now);
    let mut work = Work::begin(db, actor, now).await?;
    // A renewal, again inside the unit of work: not while the holder has a card issued since
    // (C-2; the renewal page checked it before the card signed).
    if let Filing::Renewal { certificate } = filing {
        hold_citizen(work.conn(), applicant.citizen_id).await?;
        if !cards_in_force(work.conn(), applicant.citizen_id, now, Some(certificate))
            .await?
            .is_empty()
        {
            return Err(Failure::Fault(RenewalRefusal::Superseded.into()));
        }
    }
    let replaced = supersede(&mut work, applicant.citizen_id, filing.proof()).await?;
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO moica_applications \
             (reference, citizen_id, channel, email, mobile, pin_choice, submitted_at, expires_at, \
              renewal_of, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(applicant.citizen_id)
    .bind(filing.channel().code())
    .bind(form.email.as_str())
    .bind(super::stored_mobile(form.mobile.as_ref()))
    .bind(form.pin_choice().code())
    .bind(now)
    .bind(expires_at)
    .bind(filing.renewal_of())
    .bind(ApplicationStatus::Submitted.code())
    .fetch_all(&mut *work.conn())
    .await?
    .first()
    .copied()
    .ok_or(sqlx::Error::RowNotFound)?;
    if matches!(filing, Filing::Renewal { .. }) {
        // Paid before it is fulfilled (C-4).
        crate::services::certificate::renewal::payment::open(work.conn(), id, now).await?;
    }
    let reference = case_reference(letter::MOICA_APPLICATION, id, now);
    let sealed = |secret: &str, field: &str| {
        seal.seal(secret, &seal_label(id, field))
            .ok_or(Failure::Fault(PortalError::Unavailable))
    };
    let user_code = sealed(form.user_code.expose(), "user_code")?;
    let pin = match &form.pin {
        Some(pin) => Some(sealed(pin.expose(), "pin")?),
        None => None,
    };
    sqlx::query(
        "UPDATE moica_applications SET reference = $1, user_code_sealed = $2, pin_sealed = $3 \
         WHERE id = $4",
    )
    .bind(&reference)
    .bind(&user_code)
    .bind(pin.as_deref())
    .bind(id)
    .execute(&mut *work.conn())
    .await?;
    let summary = ApplicationSummary {
        reference,
        name: applicant.name.clone(),
        masked_id: form.national_id.masked(),
        birth_date: form.birth_date.display_slash(),
        email: form.email.as_str().to_owned(),
        mobile: form
            .mobile
            .as_ref()
            .map(|mobile| mobile.as_str().to_owned()),
        pin_choice: form.pin_choice(),
        submitted_at: roc_date_time(now),
        collect_by: RocDate::from_naive(collect_by)
            .map(RocDate::display_slash)
            .unwrap_or_default(),
        replaced: replaced.as_ref().map(|(reference, _)| reference.clone()),
    };
    let detail = SubmitDetail {
        pin_choice: summary.pin_choice.code(),
        replaced: summary.replaced.as_deref(),
    };
    work.start::<MoicaApplication>(
        summary.reference.as_str(),
        filing.action(),
        ApplicationStatus::Submitted,
        &detail,
    )
    .await?;
    if let Filing::Renewal { .. } = filing {
        work.mail(&RenewalRequestNotice { summary: &summary })
            .await?;
    } else {
        work.mail(&ApplicationNotice { summary: &summary }).await?;
    }
    // A holder applying again hears, at the e-mail on file for the certificate in force, that
    // the new card needs the old one revoked first, or that someone applied in their name
    // (C-2). Never on the page: the visitor proved only what they know. At most once a day
    // per certificate, however often someone who knows the holder's details applies.
    if matches!(filing, Filing::Online) {
        for card in certificates_in_force(work.conn(), applicant.citizen_id, now, None).await? {
            let bucket = format!("moica-in-force-notice:{}", card.card_number);
            let due = IN_FORCE_NOTICES
                .hit(work.conn(), &bucket, now)
                .await?
                .is_ok();
            if let (true, Some(to)) = (due, card.email.as_deref()) {
                work.mail(&InForceNotice {
                    to,
                    card: &card,
                    summary: &summary,
                })
                .await?;
            }
        }
    }
    // The replaced application's e-mail hears of it, so that nobody replaces someone's
    // application unnoticed.
    if let Some((old, email)) = &replaced {
        work.mail(&ReplacedNotice {
            to: email,
            old,
            summary: &summary,
        })
        .await?;
    }
    work.commit().await?;
    Ok(summary)
}

/// Replaces the citizen's open application, if any and if the newer one, proved by `newer`,
/// may replace it, erasing its secrets: its reference and e-mail.
async fn supersede(
    work: &mut Work<'_>,
    citizen_id: i64,
    newer: Proof,
) -> Result<Option<(String, String)>, Failure> {
    let open = sqlx::query(
        "SELECT reference, email, expires_at, channel, renewal_of FROM moica_applications \
         WHERE citizen_id = $1 AND status = $2",
    )
    .bind(citizen_id)
    .bind(ApplicationStatus::Submitted.code())
    .fetch_optional(&mut *work.conn())
    .await?;
    let Some(open) = open else { return Ok(None) };
    let reference: String = open.try_get("reference")?;
    let channel: String = open.try_get("channel")?;
    let waiting = Filing::stored(&channel, open.try_get("renewal_of")?).proof();
    let facts = ApplicationFacts::at(open.try_get("expires_at")?, work.now)
        .replaced(Replacement { waiting, newer });
    work.act::<MoicaApplication>(
        reference.as_str(),
        ApplicationStatus::Submitted,
        ApplicationAction::Supersede,
    )
    .set("user_code_sealed", None::<String>)
    .set("pin_sealed", None::<String>)
    .run(&facts)
    .await?;
    Ok(Some((reference, open.try_get("email")?)))
}

/// Closes the applications not collected in time and erases their secrets, each as the
/// system's own unit of work (claimed row by row: several servers running this together close
/// each once). The number closed.
pub async fn close_expired(db: &Db, now: i64) -> Result<u64, PortalError> {
    let due = sqlx::query(
        "SELECT reference, expires_at FROM moica_applications \
         WHERE status = $1 AND expires_at <= $2",
    )
    .bind(ApplicationStatus::Submitted.code())
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    let actor = Actor::system();
    let mut closed = 0;
    for row in due {
        let reference: String = row.try_get("reference")?;
        let facts = ApplicationFacts::at(row.try_get("expires_at")?, now);
        let mut work = Work::begin(db, &actor, now).await?;
        let expired = work
            .act::<MoicaApplication>(
                reference.as_str(),
                ApplicationStatus::Submitted,
                ApplicationAction::Expire,
            )
            .set("user_code_sealed", None::<String>)
            .set("pin_sealed", None::<String>)
            .run(&facts)
            .await;
        match expired {
            Ok(_) => {
                work.commit().await?;
                closed += 1;
            }
            // Issued, replaced or closed elsewhere since it was read: nothing left to close.
            Err(error) if error == PortalError::from(MoicaApplication::overtaken()) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(closed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn c2_application_numbers_carry_the_roc_date() {
        // 2026-11-28 12:00 in Taipei.
        assert_eq!(
            crate::platform::clock::case_reference('M', 42, 1_795_838_400),
            "M1151128-000042"
        );
    }
}
