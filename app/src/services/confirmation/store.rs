//! Requests through the case engine (I-1, I-2): filing with the server's own checks of the
//! certificate, the serial and the dates; withdrawal; the ministry's answer, which registers
//! (啟用) or closes (停用) the system in the same unit of work; and the job that records each
//! approved request taking effect on its date.

use super::form::{Asked, Person, RequestForm, CERTIFICATE, SERIAL, SYSTEM};
use super::mail::{Decided, Filed, InEffect, ToDesk};
use super::oversight::{ConfirmationSystem, Oversight, OversightAction};
use super::requests::{
    ConfirmationRequest, RequestAction, RequestFacts, RequestKind, RequestStatus, PREFIX,
};
use super::systems::{self, NewSystem, OutOfService, RegisterError, System};
use super::{Applicant, ApplicantKind, PersonView, RequestView, SystemState, SystemView};
use crate::cases::actor::Actor;
use crate::cases::work::Work;
use crate::cases::Code;
use crate::domain::roc_date::RocDate;
use crate::error::PortalError;
use crate::platform::clock::{
    case_reference, months_after, roc_date, roc_date_time, taipei_day_start, taipei_to_utc,
};
use crate::platform::db::Db;
use crate::platform::rows::RowExt;
use crate::platform::AppState;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

/// The signed-in applicant: an agency (read afresh from the registry) or a company, which
/// applies as a financial institution; anyone else is sent to the service's page, which
/// offers both sign-ins.
pub async fn require_applicant(state: &AppState) -> Result<Applicant, PortalError> {
    use crate::platform::auth::{self, Principal};
    match auth::current_principal(state).await? {
        Some(Principal::Agency { code, .. }) => {
            let mut conn = state.db.pool.acquire().await?;
            if let Some(agency) = crate::services::agency::by_code(&mut conn, &code).await? {
                return Ok(Applicant {
                    kind: ApplicantKind::Agency,
                    id: agency.code,
                    name: agency.name,
                });
            }
        }
        Some(Principal::Company {
            business_id, name, ..
        }) => {
            return Ok(Applicant {
                kind: ApplicantKind::Financial,
                id: business_id,
                name,
            })
        }
        _ => {}
    }
    Err(auth::sign_in_required(super::NOTICES_PATH))
}

/// The actor an applicant acts as.
pub fn actor(applicant: &Applicant, source_ip: String) -> Actor {
    match applicant.kind {
        ApplicantKind::Agency => Actor::agency(&applicant.id, source_ip),
        ApplicantKind::Financial => Actor::company(&applicant.id, source_ip),
    }
}

/// Midnight in Taipei at the start of `date`.
fn midnight(date: RocDate) -> i64 {
    taipei_to_utc(date.to_naive().and_hms_opt(0, 0, 0).unwrap_or_default()).timestamp()
}

fn field(name: &str, zh_tw: String, english: String) -> PortalError {
    PortalError::Field {
        field: name.into(),
        zh_tw,
        english,
    }
}

/// The refusal of a planned date sooner than a month from `now` (要點三(二), 四(一)).
fn month_ahead(planned_from: i64, now: i64) -> Result<(), PortalError> {
    let earliest = months_after(taipei_day_start(now), 1).unwrap_or(i64::MAX);
    if planned_from >= earliest {
        return Ok(());
    }
    let date = roc_date(earliest);
    Err(field(
        super::form::PLANNED_OPEN.name,
        format!("申請應於預定日期一個月前提出：預定日期最早為 {date}"),
        format!("Requests are filed a month ahead: the earliest date is {date}"),
    ))
}

/// The form's field errors of a refused server certificate.
fn certificate_refused(error: RegisterError) -> PortalError {
    match error {
        RegisterError::Certificate(error) => PortalError::field(CERTIFICATE, &error),
        RegisterError::WrongAuthority { kind, .. } => field(
            CERTIFICATE,
            match kind {
                ApplicantKind::Agency => "政府機關(構)之伺服器應用軟體憑證須由政府憑證管理中心(GCA)簽發",
                ApplicantKind::Financial => "金融服務業之伺服器應用軟體憑證須由工商憑證管理中心(MOEACA)或組織及團體憑證管理中心(XCA)簽發",
            }
            .into(),
            match kind {
                ApplicantKind::Agency => "A government agency's server certificate must be issued by GCA",
                ApplicantKind::Financial => "A financial institution's server certificate must be issued by MOEACA or XCA",
            }
            .into(),
        ),
        RegisterError::SerialMismatch { actual, .. } => field(
            SERIAL.name,
            format!("伺服器憑證序號與上傳之憑證不符（憑證之序號為 {actual}）"),
            format!("This is not the uploaded certificate's serial number ({actual})"),
        ),
        RegisterError::AlreadyRegistered => field(
            CERTIFICATE,
            "此伺服器憑證已登記於其他應用系統".into(),
            "This server certificate is already registered for a system".into(),
        ),
        RegisterError::MissingField | RegisterError::Quota => {
            PortalError::unavailable(format!("{error}"))
        }
        RegisterError::Database(error) => error.into(),
    }
}

/// Whether `system` is `applicant`'s: registered by one of its approved requests.
fn owns(applicant: &Applicant, system: &System) -> bool {
    system.applicant_kind == applicant.kind && system.applicant_id.as_deref() == Some(&applicant.id)
}

/// Whether a 停用 request may be filed for `system` at `now`: it is open, or approved to open,
/// and no closing date is set yet.
fn closable(system: &System, now: i64) -> bool {
    system.disabled_from.is_none()
        && matches!(
            system.out_of_service(now),
            None | Some(OutOfService::NotYetEnabled)
        )
}

/// The audit details of a filing.
#[derive(Serialize)]
struct FiledDetail<'a> {
    kind: &'static str,
    system_name: &'a str,
    certificate_serial: &'a str,
    planned_from: i64,
}

/// How many requests an applicant may file in 24 hours, whatever became of them: enough for
/// every system it runs, not for a loop of filing and withdrawing that fills the desk and
/// mails a stranger's address.
pub const FILINGS_PER_DAY: i64 = 10;

/// What a request records about the system.
struct Particulars {
    organisation: String,
    address: String,
    system_name: String,
    serial: String,
    sha256: String,
    certificate: Option<String>,
    system_id: Option<i64>,
}

/// Files `form` for `applicant` at `now`; the request's id, or every field to correct.
pub async fn file(
    state: &AppState,
    applicant: &Applicant,
    form: &RequestForm,
    source_ip: String,
) -> Result<i64, Vec<PortalError>> {
    use base64::Engine;
    let now = state.clock.unix();
    let planned_from = midnight(form.planned_on);
    let mut errors = Vec::new();
    if let Err(error) = month_ahead(planned_from, now) {
        errors.push(error);
    }
    let particulars = match &form.asked {
        Asked::Enable(enable) => {
            let new = NewSystem {
                applicant_kind: applicant.kind,
                organisation: &applicant.name,
                address: enable.address.as_str(),
                system_name: enable.system_name.as_str(),
                certificate: &enable.certificate,
                serial: enable.serial.as_str(),
                enabled_from: planned_from,
                daily_quota: 1,
            };
            match systems::check(&state.trust.current(), &new, now) {
                // A server certificate is public: only the organisation it names ties it to
                // the applicant.
                Ok(checked)
                    if checked.organisation.as_deref().map(str::trim)
                        != Some(applicant.name.trim()) =>
                {
                    errors.push(field(
                        CERTIFICATE,
                        format!(
                            "伺服器憑證之機關(構)名稱須為貴機關(構)之名稱「{}」",
                            applicant.name
                        ),
                        format!(
                            "The server certificate must name your organisation, “{}”",
                            applicant.name
                        ),
                    ));
                    None
                }
                Ok(checked) => {
                    if planned_from >= checked.not_after {
                        let date = roc_date(checked.not_after);
                        errors.push(field(
                            super::form::PLANNED_OPEN.name,
                            format!("預定開放日期須早於伺服器憑證有效期限（{date}）"),
                            format!("The opening date must come before the server certificate expires ({date})"),
                        ));
                    }
                    let der = crate::pki::certificate_der(&enable.certificate).ok();
                    Some(Particulars {
                        organisation: new.organisation.trim().into(),
                        address: new.address.trim().into(),
                        system_name: new.system_name.trim().into(),
                        serial: checked.serial,
                        sha256: checked.sha256,
                        certificate: der
                            .map(|der| base64::engine::general_purpose::STANDARD.encode(der)),
                        system_id: None,
                    })
                }
                Err(error) => {
                    errors.push(certificate_refused(error));
                    None
                }
            }
        }
        Asked::Disable(disable) => {
            let mut conn = state.db.pool.acquire().await.map_err(|e| vec![e.into()])?;
            let system = systems::by_id(&mut conn, disable.system)
                .await
                .map_err(|error| vec![error.into()])?
                .filter(|system| owns(applicant, system));
            match system {
                Some(system) if closable(&system, now) => Some(Particulars {
                    organisation: system.organisation,
                    address: system.address,
                    system_name: system.system_name,
                    serial: system.certificate_serial,
                    sha256: system.certificate_sha256,
                    certificate: None,
                    system_id: Some(system.id),
                }),
                _ => {
                    errors.push(field(
                        SYSTEM,
                        "查無貴機關(構)服務中之此應用系統".into(),
                        "None of your systems in service is this one".into(),
                    ));
                    None
                }
            }
        }
    };
    let Some(particulars) = particulars.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    let actor = actor(applicant, source_ip);
    insert(state, applicant, form, &particulars, planned_from, &actor)
        .await
        .map_err(|error| vec![error])
}

async fn insert(
    state: &AppState,
    applicant: &Applicant,
    form: &RequestForm,
    particulars: &Particulars,
    planned_from: i64,
    actor: &Actor,
) -> Result<i64, PortalError> {
    let (overview, reason) = match &form.asked {
        Asked::Enable(enable) => (Some(enable.overview.as_str()), None),
        Asked::Disable(disable) => (None, Some(disable.reason.as_str())),
    };
    let person = |person: &Person| {
        [
            person.name.as_str().to_owned(),
            person.title.as_str().to_owned(),
            person.unit.as_str().to_owned(),
            person.email.as_str().to_owned(),
            person.phone.as_str().to_owned(),
            person.fax.as_str().to_owned(),
        ]
    };
    let mut work = Work::begin(&state.db, actor, state.clock.unix()).await?;
    let filed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM confirmation_requests \
         WHERE applicant_kind = $1 AND applicant_id = $2 AND filed_at > $3",
    )
    .bind(applicant.kind.code())
    .bind(&applicant.id)
    .bind(work.now - 86_400)
    .fetch_one(work.conn())
    .await?;
    if filed >= FILINGS_PER_DAY {
        return Err(PortalError::Refused {
            zh_tw: format!("貴機關(構)24小時內已提出 {FILINGS_PER_DAY} 件申請，請稍後再試。"),
            english: format!(
                "You have filed {FILINGS_PER_DAY} requests in 24 hours; please try again later."
            ),
        });
    }
    let mut query = sqlx::query_scalar(
        "INSERT INTO confirmation_requests (kind, status, applicant_kind, applicant_id, \
         organisation, address, system_name, certificate_serial, certificate_sha256, \
         certificate, system_id, contact_name, contact_title, contact_unit, contact_email, \
         contact_phone, contact_fax, deputy_name, deputy_title, deputy_unit, deputy_email, \
         deputy_phone, deputy_fax, planned_from, overview, reason, filed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22, $23, $24, $25, $26, $27) RETURNING id",
    )
    .bind(form.kind().code())
    .bind(RequestStatus::Pending.code())
    .bind(applicant.kind.code())
    .bind(&applicant.id)
    .bind(&particulars.organisation)
    .bind(&particulars.address)
    .bind(&particulars.system_name)
    .bind(&particulars.serial)
    .bind(&particulars.sha256)
    .bind(particulars.certificate.as_deref())
    .bind(particulars.system_id);
    for value in person(&form.contact)
        .into_iter()
        .chain(person(&form.deputy))
    {
        query = query.bind(value);
    }
    let inserted: Result<i64, sqlx::Error> = query
        .bind(planned_from)
        .bind(overview)
        .bind(reason)
        .bind(work.now)
        .fetch_one(work.conn())
        .await;
    let id = match inserted {
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            return Err(PortalError::Refused {
                zh_tw: format!(
                    "此伺服器憑證已有審核中之{}申請，請待審核結果或先撤回該申請。",
                    form.kind().label(crate::i18n::Lang::ZhTw)
                ),
                english: "A request of this kind for this server certificate is already in review: wait for its answer or withdraw it first.".into(),
            })
        }
        other => other?,
    };
    work.start::<ConfirmationRequest>(
        id,
        RequestAction::File,
        RequestStatus::Pending,
        &FiledDetail {
            kind: form.kind().code(),
            system_name: &particulars.system_name,
            certificate_serial: &particulars.serial,
            planned_from,
        },
    )
    .await?;
    let view = load(work.conn(), id)
        .await?
        .ok_or_else(|| PortalError::unavailable(format!("confirmation request {id} vanished")))?;
    work.mail(&Filed { request: &view }).await?;
    work.mail(&ToDesk {
        desk: &state.settings.review_mailbox,
        request: &view,
    })
    .await?;
    work.commit().await?;
    Ok(id)
}

const REQUEST_COLUMNS: &str = "id, kind, status, applicant_kind, applicant_id, organisation, \
    address, system_name, certificate_serial, contact_name, contact_title, contact_unit, \
    contact_email, contact_phone, contact_fax, deputy_name, deputy_title, deputy_unit, \
    deputy_email, deputy_phone, deputy_fax, planned_from, overview, reason, filed_at, \
    decided_at, decision_note, effective_from, system_id";

fn view(row: &AnyRow) -> sqlx::Result<RequestView> {
    let person = |prefix: &str| -> sqlx::Result<PersonView> {
        let text = |field: &str| row.try_get::<String, _>(format!("{prefix}_{field}").as_str());
        Ok(PersonView {
            name: text("name")?,
            title: text("title")?,
            unit: text("unit")?,
            email: text("email")?,
            phone: text("phone")?,
            fax: text("fax")?,
        })
    };
    let id: i64 = row.try_get("id")?;
    let filed_at: i64 = row.try_get("filed_at")?;
    Ok(RequestView {
        id,
        number: case_reference(PREFIX, id, filed_at),
        kind: row.code("kind")?,
        status: row.code("status")?,
        applicant_kind: row.code("applicant_kind")?,
        applicant_id: row.try_get("applicant_id")?,
        organisation: row.try_get("organisation")?,
        address: row.try_get("address")?,
        system_name: row.try_get("system_name")?,
        certificate_serial: row.try_get("certificate_serial")?,
        contact: person("contact")?,
        deputy: person("deputy")?,
        planned_on: roc_date(row.try_get("planned_from")?),
        overview: row.try_get("overview")?,
        reason: row.try_get("reason")?,
        filed_at: roc_date_time(filed_at),
        decided_at: row
            .try_get::<Option<i64>, _>("decided_at")?
            .map(roc_date_time),
        decision_note: row.try_get("decision_note")?,
        effective_on: row
            .try_get::<Option<i64>, _>("effective_from")?
            .map(roc_date),
        system_id: row.try_get("system_id")?,
    })
}

/// Request `id`, if any.
pub async fn load(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<RequestView>> {
    let row = sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM confirmation_requests WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(view).transpose()
}

/// Request `id` if it is `applicant`'s (someone else's is not found).
pub async fn load_own(
    conn: &mut AnyConnection,
    applicant: &Applicant,
    id: i64,
) -> sqlx::Result<Option<RequestView>> {
    Ok(load(conn, id).await?.filter(|request| {
        request.applicant_kind == applicant.kind && request.applicant_id == applicant.id
    }))
}

/// `applicant`'s requests, newest first.
pub async fn requests_of(pool: &AnyPool, applicant: &Applicant) -> sqlx::Result<Vec<RequestView>> {
    sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM confirmation_requests \
         WHERE applicant_kind = $1 AND applicant_id = $2 ORDER BY id DESC"
    ))
    .bind(applicant.kind.code())
    .bind(&applicant.id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(view)
    .collect()
}

/// The ministry's queue: requests in review (oldest first), then the 50 latest answered.
pub async fn queue(pool: &AnyPool) -> sqlx::Result<(Vec<RequestView>, Vec<RequestView>)> {
    let rows = |sql: String| async move {
        sqlx::query(&sql)
            .fetch_all(pool)
            .await?
            .iter()
            .map(view)
            .collect::<sqlx::Result<Vec<_>>>()
    };
    Ok((
        rows(format!(
            "SELECT {REQUEST_COLUMNS} FROM confirmation_requests WHERE status = 'pending' \
             ORDER BY id"
        ))
        .await?,
        rows(format!(
            "SELECT {REQUEST_COLUMNS} FROM confirmation_requests WHERE status <> 'pending' \
             ORDER BY id DESC LIMIT 50"
        ))
        .await?,
    ))
}

/// `system` as the lists show it at `now`.
pub fn system_view(system: &System, now: i64) -> SystemView {
    SystemView {
        id: system.id,
        applicant_kind: system.applicant_kind,
        organisation: system.organisation.clone(),
        system_name: system.system_name.clone(),
        certificate_serial: system.certificate_serial.clone(),
        enabled_on: roc_date(system.enabled_from),
        disabled_on: system.disabled_from.map(roc_date),
        certificate_expires_on: roc_date(system.certificate_not_after),
        state: match system.out_of_service(now) {
            None => SystemState::InService,
            Some(OutOfService::NotYetEnabled) => SystemState::NotYetEnabled,
            Some(OutOfService::Disabled) => SystemState::Disabled,
            Some(OutOfService::Stopped(_)) => SystemState::Stopped,
            Some(OutOfService::CertificateExpired) => SystemState::CertificateExpired,
        },
        daily_quota: system.daily_quota,
        oversight: system.oversight,
        improve_by: system.improve_by.map(roc_date),
        stop_ground: system.stop.map(|(_, ground)| ground),
    }
}

/// The systems of `applicant` (every system: `None`), and which of them a 停用 request may
/// be filed for now.
pub async fn system_views(
    pool: &AnyPool,
    applicant: Option<&Applicant>,
    now: i64,
) -> sqlx::Result<Vec<(SystemView, bool)>> {
    Ok(systems::all(pool)
        .await?
        .iter()
        .filter(|system| applicant.is_none_or(|applicant| owns(applicant, system)))
        .map(|system| (system_view(system, now), closable(system, now)))
        .collect())
}

/// `applicant` withdraws its request `id` while it is in review.
pub async fn withdraw(
    state: &AppState,
    applicant: &Applicant,
    id: i64,
    source_ip: String,
) -> Result<RequestView, PortalError> {
    let actor = actor(applicant, source_ip);
    let mut work = Work::begin(&state.db, &actor, state.clock.unix()).await?;
    let request = load_own(work.conn(), applicant, id)
        .await?
        .ok_or_else(not_found)?;
    let facts = RequestFacts {
        now: work.now,
        effective_from: None,
    };
    work.act::<ConfirmationRequest>(id, request.status, RequestAction::Withdraw)
        .run(&facts)
        .await?;
    let request = load(work.conn(), id).await?.ok_or_else(not_found)?;
    work.mail(&ToDesk {
        desk: &state.settings.review_mailbox,
        request: &request,
    })
    .await?;
    work.commit().await?;
    Ok(request)
}

/// `request` as found (or not) with its timeline in `lang`; a request not found is refused.
pub async fn with_timeline(
    conn: &mut AnyConnection,
    request: Option<RequestView>,
    lang: crate::i18n::Lang,
) -> Result<(RequestView, Vec<crate::cases::timeline::TimelineEntry>), PortalError> {
    let request = request.ok_or_else(not_found)?;
    let key = request.id.to_string();
    let timeline =
        crate::cases::timeline::timeline::<ConfirmationRequest>(conn, &key, lang).await?;
    Ok((request, timeline))
}

fn not_found() -> PortalError {
    PortalError::Refused {
        zh_tw: "查無此申請案件。".into(),
        english: "There is no such request.".into(),
    }
}

/// The audit details of an answer.
#[derive(Serialize)]
struct AnswerDetail {
    approve: bool,
    effective_from: Option<i64>,
    system_id: Option<i64>,
    daily_quota: Option<i64>,
}

/// The ministry answers request `id` (I-2): 同意 registers a 啟用 request's system from the
/// effective date, or closes a 停用 request's system on it, in the same unit of work as the
/// answer, its mail and its audit row; 不同意 records the 說明 only. Every refusal at once.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: i64,
    answer: &super::form::Answer,
) -> Result<RequestView, Vec<PortalError>> {
    let now = state.clock.unix();
    let mut work = Work::begin(&state.db, actor, now)
        .await
        .map_err(|error| vec![error])?;
    let one = |error: PortalError| vec![error];
    let request = load(work.conn(), id)
        .await
        .map_err(|e| one(e.into()))?
        .ok_or_else(|| one(not_found()))?;
    let effective_from = answer.effective_on.map(midnight);
    let mut system_id = request.system_id;
    if let Some(from) = effective_from.filter(|_| answer.approve) {
        let effective = super::form::EFFECTIVE_ON.name;
        if from < taipei_day_start(now) {
            return Err(one(field(
                effective,
                "生效日期不得早於今日".into(),
                "The effective date cannot be in the past".into(),
            )));
        }
        match request.kind {
            RequestKind::Enable => {
                system_id = Some(enable(&mut work, state, &request, id, from, answer).await?);
            }
            RequestKind::Disable => {
                let system = request.system_id.unwrap_or_default();
                let closed = sqlx::query(
                    "UPDATE confirmation_systems SET disabled_from = $1 \
                     WHERE id = $2 AND disabled_from IS NULL AND enabled_from < $1",
                )
                .bind(from)
                .bind(system)
                .execute(work.conn())
                .await
                .map_err(|e| one(e.into()))?;
                if closed.rows_affected() != 1 {
                    return Err(one(field(
                        effective,
                        "此應用系統已有停用日期，或生效日期未晚於其開放日期".into(),
                        "The system already has a closing date, or this date is not after its opening".into(),
                    )));
                }
            }
        }
    }
    let facts = RequestFacts {
        now,
        effective_from,
    };
    let action = if answer.approve {
        RequestAction::Approve
    } else {
        RequestAction::Reject
    };
    work.act::<ConfirmationRequest>(id, request.status, action)
        .set("decided_at", now)
        .set("decided_by", actor.staff_id)
        .set("decision_note", answer.note.as_str())
        .set("effective_from", effective_from.filter(|_| answer.approve))
        .set("system_id", system_id)
        .note(answer.note.as_str())
        .detail(&AnswerDetail {
            approve: answer.approve,
            effective_from,
            system_id,
            daily_quota: answer.daily_quota,
        })
        .run(&facts)
        .await
        .map_err(one)?;
    let request = load(work.conn(), id)
        .await
        .map_err(|e| one(e.into()))?
        .ok_or_else(|| one(not_found()))?;
    work.mail(&Decided { request: &request })
        .await
        .map_err(one)?;
    work.commit().await.map_err(one)?;
    Ok(request)
}

/// Registers the system of the 啟用 request `request` from `from`, its certificate checked
/// again as things stand now (it may have been revoked since the filing).
async fn enable(
    work: &mut Work<'_>,
    state: &AppState,
    request: &RequestView,
    id: i64,
    from: i64,
    answer: &super::form::Answer,
) -> Result<i64, Vec<PortalError>> {
    use base64::Engine;
    let one = |error: PortalError| vec![error];
    let certificate: Option<String> =
        sqlx::query_scalar("SELECT certificate FROM confirmation_requests WHERE id = $1")
            .bind(id)
            .fetch_one(work.conn())
            .await
            .map_err(|e| one(e.into()))?;
    let der = certificate
        .and_then(|text| base64::engine::general_purpose::STANDARD.decode(text).ok())
        .unwrap_or_default();
    let new = NewSystem {
        applicant_kind: request.applicant_kind,
        organisation: &request.organisation,
        address: &request.address,
        system_name: &request.system_name,
        certificate: &der,
        serial: &request.certificate_serial,
        enabled_from: from,
        daily_quota: answer
            .daily_quota
            .unwrap_or(super::form::DEFAULT_DAILY_QUOTA),
    };
    let checked = systems::check(&state.trust.current(), &new, work.now)
        .map_err(|error| one(certificate_refused(error)))?;
    if from >= checked.not_after {
        let date = roc_date(checked.not_after);
        return Err(one(field(
            super::form::EFFECTIVE_ON.name,
            format!("生效日期須早於伺服器憑證有效期限（{date}）"),
            format!("The effective date must come before the server certificate expires ({date})"),
        )));
    }
    let now = work.now;
    let system = systems::insert(
        work.conn(),
        &new,
        &checked,
        Some(&request.applicant_id),
        now,
    )
    .await
    .map_err(|error| one(certificate_refused(error)))?;
    work.opened::<ConfirmationSystem>(system, OversightAction::Register, Oversight::Normal)
        .await
        .map_err(one)?;
    Ok(system)
}

/// The job (I-2): each approved request whose effective date has come takes effect, and its
/// applicant is told; returns how many did. The system itself opened or closed on the date
/// already (the API reads the dates); this records it in the case and mails it.
pub async fn take_effect(db: &Db, now: i64) -> Result<usize, PortalError> {
    let due: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, effective_from FROM confirmation_requests \
         WHERE status = 'approved' AND effective_from <= $1 ORDER BY id",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    let actor = Actor::system();
    let mut taken = 0;
    for (id, effective_from) in due {
        let mut work = Work::begin(db, &actor, now).await?;
        let facts = RequestFacts {
            now,
            effective_from: Some(effective_from),
        };
        // Another server's job may have taken it first: then nothing changes here.
        match work
            .act::<ConfirmationRequest>(id, RequestStatus::Approved, RequestAction::TakeEffect)
            .run(&facts)
            .await
        {
            Ok(_) => {}
            Err(PortalError::Refused { .. }) => continue,
            Err(error) => return Err(error),
        }
        let request = load(work.conn(), id).await?.ok_or_else(not_found)?;
        work.mail(&InEffect { request: &request }).await?;
        work.commit().await?;
        taken += 1;
    }
    Ok(taken)
}
