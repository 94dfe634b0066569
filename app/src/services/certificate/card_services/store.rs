//! Card services in the database (C-5): the certificate found by card or ID number, and each
//! service as one transaction with its audit row and notice mail; revocation asks the CA first
//! and reloads the trust store, so the CRL and this portal refuse the certificate at once.

use super::form::{parse, Applicant, Request};
use super::{CardService, HeldCertificate, ResetTicket, ServiceOutcome, ServiceRefusal};
use crate::cases::actor::{Actor, NoDetail};
use crate::cases::machine::{transition, Machine};
use crate::cases::work::Work;
use crate::domain::pin::NewMoicaPin;
use crate::domain::roc_date::RocDate;
use crate::domain::{card_number::CardNumber, national_id::NationalId};
use crate::error::PortalError;
use crate::platform::clock::roc_date_time;
use crate::platform::rows::RowExt;
use crate::platform::{audit, auth, AppState};
use crate::services::certificate::cases::{
    CertificateAction, CertificateFacts, CertificateStatus, MoicaCertificate,
};
use crate::services::certificate::mail::{self, ServiceNotice};
use crate::services::certificate::status::CertificateState;
use crate::services::certificate::store::{held, Held};
use crate::services::staff::StaffMember;
use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::AnyPool;

/// A certificate row with what the services need beyond the view.
struct Found {
    id: i64,
    national_id: NationalId,
    birth_date: NaiveDate,
    status: CertificateStatus,
    not_after: i64,
    view: HeldCertificate,
}

impl Found {
    /// What the counter services' guards read at `now`.
    fn facts(&self, now: i64) -> CertificateFacts {
        CertificateFacts {
            in_force: now < self.not_after,
            ..CertificateFacts::default()
        }
    }
}

async fn load(pool: &AnyPool, query: &str, now: i64) -> Result<Option<Found>, PortalError> {
    let query = query.trim();
    let record = if let Ok(card) = CardNumber::parse(query) {
        held(pool, Held::Card(&card)).await?
    } else if let Ok(id) = NationalId::parse(query) {
        held(pool, Held::Holder(&id)).await?
    } else {
        return Err(PortalError::field("q", &ServiceRefusal::BadQuery));
    };
    let Some(record) = record else {
        return Ok(None);
    };
    let national_id = NationalId::parse(&record.holder.national_id)
        .map_err(|_| PortalError::unavailable("registry ID number does not parse"))?;
    let birth_date = NaiveDate::parse_from_str(&record.holder.birth_date, "%Y-%m-%d")
        .map_err(|error| PortalError::unavailable(format!("registry birth date: {error}")))?;
    let state = CertificateState::of(
        record.status,
        record.awaiting_activation,
        record.not_after,
        now,
    );
    Ok(Some(Found {
        id: record.id,
        view: HeldCertificate {
            masked_id: national_id.masked(),
            not_after: roc_date_time(record.not_after),
            state,
            card_number: record.card_number,
            serial: record.serial,
            name: record.holder.name,
            email: record.email,
            mobile: record.mobile,
            published: record.published,
        },
        national_id,
        birth_date,
        status: record.status,
        not_after: record.not_after,
    }))
}

pub async fn find(
    state: &AppState,
    member: &StaffMember,
    query: &str,
) -> Result<Option<HeldCertificate>, PortalError> {
    let now = state.clock.unix();
    let found = load(&state.db.pool, query, now).await?;
    if let Some(found) = &found {
        // Looking is audited on its own: it changes nothing.
        let event = Actor::staff(member, auth::source_ip()).event(
            "moica_services.view",
            &found.view.card_number,
            &NoDetail {},
        );
        audit::record(&state.db, now, &event).await?;
    }
    Ok(found.map(|found| found.view))
}

impl Applicant {
    /// A delegate as the audit log names them (masked ID number); `None` for the holder.
    fn delegate(&self) -> Option<DelegateDetail<'_>> {
        match self {
            Applicant::Holder => None,
            Applicant::Delegate { name, national_id } => Some(DelegateDetail {
                name: name.as_str(),
                id: national_id.masked(),
            }),
        }
    }
}

/// A delegate in an audit row.
#[derive(Serialize)]
pub struct DelegateDetail<'a> {
    name: &'a str,
    /// The masked ID number.
    id: String,
}

/// The audit detail of a counter service (`moica_services.<service>`).
#[derive(Serialize)]
struct ServiceDetail<'a> {
    service: &'static str,
    serial: &'a str,
    delegate: Option<DelegateDetail<'a>>,
    /// For a publication change: whether the certificate is now published.
    published: Option<bool>,
}

pub async fn perform(
    state: &AppState,
    member: &StaffMember,
    posted: &[(String, String)],
) -> Result<ServiceOutcome, PortalError> {
    let request = match parse(posted) {
        Ok(request) if request.service.in_form() => request,
        Ok(_) => {
            return Ok(ServiceOutcome::Invalid(PortalError::field(
                "service",
                &ServiceRefusal::NoService,
            )))
        }
        Err(error) => return Ok(ServiceOutcome::Invalid(error)),
    };
    let now = state.clock.unix();
    let found = match found_for(state, &request, now).await {
        Ok(found) => found,
        Err(error) => return Ok(ServiceOutcome::Invalid(error)),
    };
    let action = request.service.action();
    let actor = Actor::staff(member, auth::source_ip());
    // 停用、復用、廢止 change the status; the others need a certificate still in force. Decided
    // before the CA is asked anything.
    if let Err(refused) =
        transition::<MoicaCertificate>(found.status, action, actor.party, &found.facts(now))
    {
        return Ok(ServiceOutcome::Invalid(refused.into()));
    }
    if action == CertificateAction::Revoke {
        let Some(ca) = state.moica_ca.clone() else {
            return Ok(ServiceOutcome::Invalid(PortalError::refused(
                &ServiceRefusal::NoAuthority,
            )));
        };
        // The CA first: if the record fails afterwards, the CRL already refuses the
        // certificate, which is the safe side.
        ca.revoke(&found.view.serial, now)
            .map_err(PortalError::unavailable)?;
        if let Err(error) = state.trust.reload() {
            tracing::error!(%error, "trust store reload after a revocation failed");
        }
    }
    record(state, &actor, &request, &found, action, now).await?;
    Ok(ServiceOutcome::Done {
        service: request.service,
        card_number: found.view.card_number,
    })
}

/// The certificate a request names; the refusal if there is none or the delegate is its holder.
async fn found_for(state: &AppState, request: &Request, now: i64) -> Result<Found, PortalError> {
    let found = load(&state.db.pool, request.card.as_str(), now)
        .await?
        .ok_or_else(|| PortalError::refused(&ServiceRefusal::NotFound))?;
    if let Applicant::Delegate { national_id, .. } = &request.applicant {
        if *national_id == found.national_id {
            return Err(PortalError::field(
                "delegate_id",
                &ServiceRefusal::DelegateIsHolder,
            ));
        }
    }
    Ok(found)
}

/// 重設用戶代碼 (C-3): for an active certificate in force, the card management centre
/// authorises exactly this new 用戶代碼, the default PIN and the card's reset counter with the
/// key of this certificate's card, so only that card takes it, once. Audited and the holder
/// mailed first.
pub async fn authorize_reset(
    state: &AppState,
    member: &StaffMember,
    posted: &[(String, String)],
) -> Result<ResetTicket, PortalError> {
    let request = parse(posted)?;
    let (Some(user_code), Some(counter)) = (&request.user_code, request.counter) else {
        return Err(PortalError::field("service", &ServiceRefusal::NoService));
    };
    let now = state.clock.unix();
    let found = found_for(state, &request, now).await?;
    let actor = Actor::staff(member, auth::source_ip());
    transition::<MoicaCertificate>(
        found.status,
        CertificateAction::ResetUserCode,
        actor.party,
        &found.facts(now),
    )?;
    let Some(ca) = state.moica_ca.clone() else {
        return Err(PortalError::refused(&ServiceRefusal::NoAuthority));
    };
    let der: Option<String> =
        sqlx::query_scalar("SELECT certificate_der FROM moica_certificates WHERE id = $1")
            .bind(found.id)
            .fetch_one(&state.db.pool)
            .await?;
    let spki = der
        .and_then(|der| STANDARD.decode(der).ok())
        .and_then(|der| crate::pki::UncheckedCertificate::read(&der))
        .map(|certificate| certificate.public_key_spki)
        .ok_or_else(|| PortalError::refused(&ServiceRefusal::NoCardKey))?;
    let pin = RocDate::from_naive(found.birth_date)
        .map(|birth| NewMoicaPin::default_for(birth).expose().to_owned())
        .ok_or_else(|| PortalError::unavailable("birth date before the ROC"))?;
    let message =
        card_helper::protocol::reset_authorization_message(counter, user_code.expose(), &pin);
    let authorization_b64 = management_tag(ca.as_ref(), &spki, &message)?;
    record(
        state,
        &actor,
        &request,
        &found,
        CertificateAction::ResetUserCode,
        now,
    )
    .await?;
    Ok(ResetTicket {
        pin,
        authorization_b64,
    })
}

/// The card management centre's HMAC-SHA256 of `message` under the key of the card with public
/// key `spki`, standard base64.
fn management_tag(
    ca: &dyn crate::platform::ca::CertificateAuthority,
    spki: &[u8],
    message: &str,
) -> Result<String, PortalError> {
    let key = ca
        .card_management_key(spki)
        .map_err(PortalError::unavailable)?;
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key),
        message.as_bytes(),
    );
    Ok(STANDARD.encode(tag.as_ref()))
}

/// 展期 at the counter (C-4): the extension as online (window, CA, record, revocation of the
/// replaced certificate, mail), audited as the registrar's with the delegate; then the card
/// management centre authorises the card to take exactly the new certificate, once.
pub async fn extend(
    state: &AppState,
    member: &StaffMember,
    posted: &[(String, String)],
) -> Result<super::CounterExtension, PortalError> {
    use crate::services::certificate::extension::store::extend_at_counter;
    use sha2::{Digest, Sha256};
    let request = parse(posted)?;
    let (CardService::Extend, Some(counter)) = (request.service, request.counter) else {
        return Err(PortalError::field("service", &ServiceRefusal::NoService));
    };
    let now = state.clock.unix();
    found_for(state, &request, now).await?;
    let Some(ca) = state.moica_ca.clone() else {
        return Err(PortalError::refused(&ServiceRefusal::NoAuthority));
    };
    let actor = Actor::staff(member, auth::source_ip());
    let (extended, spki) = extend_at_counter(
        state,
        request.card.as_str(),
        &actor,
        request.applicant.delegate(),
    )
    .await?;
    let der = STANDARD
        .decode(&extended.certificate_b64)
        .map_err(PortalError::unavailable)?;
    let message = card_helper::protocol::replace_authorization_message(
        counter,
        &hex::encode(Sha256::digest(&der)),
    );
    let authorization_b64 = management_tag(ca.as_ref(), &spki, &message)?;
    Ok(super::CounterExtension {
        extended,
        authorization_b64,
    })
}

/// Records `action` on the certificate, its audit row and the holder's notice in one unit of
/// work.
async fn record(
    state: &AppState,
    actor: &Actor,
    request: &Request,
    found: &Found,
    action: CertificateAction,
    now: i64,
) -> Result<(), PortalError> {
    let mut work = Work::begin(&state.db, actor, now).await?;
    let detail = ServiceDetail {
        service: request.service.code(),
        serial: &found.view.serial,
        delegate: request.applicant.delegate(),
        published: request.published,
    };
    let facts = found.facts(now);
    if action == CertificateAction::Revoke {
        revoke(&mut work, found.id, &detail, &facts).await?;
    } else {
        let act = work
            .act::<MoicaCertificate>(found.id, found.status, action)
            .detail(&detail);
        let act = match (action, &request.contacts) {
            (CertificateAction::ResetUserCode, _) => act.set("user_code_reset_at", now),
            (CertificateAction::Contacts, Some((email, mobile))) => act
                .set("email", email.as_str())
                .set("mobile", mobile.as_str()),
            (CertificateAction::Publication, _) => {
                act.set("published", request.published.unwrap_or(true))
            }
            _ => act.set("status_changed_at", now),
        };
        act.run(&facts).await?;
    }
    // The holder hears of it at the address on record (and the new one, for a change).
    let mut addresses: Vec<&str> = found.view.email.iter().map(String::as_str).collect();
    if let Some((email, _)) = &request.contacts {
        if !addresses.contains(&email.as_str()) {
            addresses.push(email.as_str());
        }
    }
    if let Some(change) = mail::change(request.service) {
        let delegate = match &request.applicant {
            Applicant::Holder => None,
            Applicant::Delegate { name, .. } => Some(name.as_str()),
        };
        for to in addresses {
            work.mail(&ServiceNotice {
                to,
                name: &found.view.name,
                card_number: &found.view.card_number,
                change,
                delegate,
                at: now,
            })
            .await?;
        }
    }
    work.commit().await
}

/// How often a revocation re-reads a certificate another counter keeps changing.
const REVOCATION_ATTEMPTS: usize = 3;

/// Records a revocation already done at the CA: whatever another counter did to the row
/// meanwhile (suspended it, say), only another revocation stops it, so it acts from the status
/// read now, inside the unit of work, and reads again if it is overtaken.
async fn revoke(
    work: &mut Work<'_>,
    id: i64,
    detail: &ServiceDetail<'_>,
    facts: &CertificateFacts,
) -> Result<(), PortalError> {
    let now = work.now;
    let party = work.actor.party;
    let mut attempts = 0;
    loop {
        let row = sqlx::query("SELECT status FROM moica_certificates WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *work.conn())
            .await?;
        let status: CertificateStatus = row.code("status")?;
        // Another revocation is final; anything else is the race below.
        transition::<MoicaCertificate>(status, CertificateAction::Revoke, party, facts)?;
        let revoked = work
            .act::<MoicaCertificate>(id, status, CertificateAction::Revoke)
            .set("status_changed_at", now)
            .detail(detail)
            .run(facts)
            .await;
        attempts += 1;
        match revoked {
            Err(error)
                if attempts < REVOCATION_ATTEMPTS
                    && error == PortalError::from(MoicaCertificate::overtaken()) =>
            {
                continue
            }
            other => return other.map(|_| ()),
        }
    }
}
