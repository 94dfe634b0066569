//! Card services in the database (C-5): the certificate found by card or ID number, and each
//! service as one transaction with its audit row and notice mail; revocation asks the CA first
//! and reloads the trust store, so the CRL and this portal refuse the certificate at once.

use super::{CardService, HeldCertificate, ResetTicket, ServiceOutcome, ServiceRefusal};
use crate::domain::pin::{NewMoicaPin, UserCode};
use crate::domain::roc_date::RocDate;
use crate::domain::{
    card_number::CardNumber, email::Email, national_id::NationalId, person_name::PersonName,
    phone::Mobile,
};
use crate::error::PortalError;
use crate::forms::value;
use crate::platform::audit;
use crate::platform::clock::roc_date_time;
use crate::platform::{outbox, AppState};
use crate::services::certificate::status::CertificateState;
use crate::services::staff::StaffMember;
use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::NaiveDate;
use sqlx::{AnyPool, Row};

/// A certificate row with what the services need beyond the view.
struct Found {
    id: i64,
    national_id: NationalId,
    birth_date: NaiveDate,
    status: String,
    not_after: i64,
    view: HeldCertificate,
}

const SELECT: &str = "SELECT m.id, m.card_number, m.serial, m.status, m.not_after, m.email, \
        m.mobile, CAST(m.published AS INTEGER), c.name, c.national_id, c.birth_date, \
        CAST(m.awaiting_activation AS INTEGER) \
     FROM moica_certificates m JOIN citizens c ON c.id = m.citizen_id";

async fn load(pool: &AnyPool, query: &str, now: i64) -> Result<Option<Found>, PortalError> {
    let query = query.trim();
    let row = if let Ok(card) = CardNumber::parse(query) {
        sqlx::query(&format!(
            "{SELECT} WHERE m.card_number = $1 ORDER BY m.not_before DESC LIMIT 1"
        ))
        .bind(card.as_str().to_owned())
        .fetch_optional(pool)
        .await
    } else if let Ok(id) = NationalId::parse(query) {
        sqlx::query(&format!(
            "{SELECT} WHERE c.national_id = $1 ORDER BY m.not_before DESC LIMIT 1"
        ))
        .bind(id.as_str().to_owned())
        .fetch_optional(pool)
        .await
    } else {
        return Err(PortalError::field("q", &ServiceRefusal::BadQuery));
    }
    .map_err(PortalError::unavailable)?;
    let Some(row) = row else { return Ok(None) };
    let national_id = NationalId::parse(&row.get::<String, _>(9))
        .map_err(|_| PortalError::unavailable("registry ID number does not parse"))?;
    let birth_date = NaiveDate::parse_from_str(&row.get::<String, _>(10), "%Y-%m-%d")
        .map_err(|error| PortalError::unavailable(format!("registry birth date: {error}")))?;
    let status: String = row.get(3);
    let not_after: i64 = row.get(4);
    let state = CertificateState::of(&status, row.get::<i64, _>(11) != 0, not_after, now);
    Ok(Some(Found {
        id: row.get(0),
        view: HeldCertificate {
            card_number: row.get(1),
            serial: row.get(2),
            name: row.get(8),
            masked_id: national_id.masked(),
            not_after: roc_date_time(not_after),
            state,
            email: row.get(5),
            mobile: row.get(6),
            published: row.get::<i64, _>(7) != 0,
        },
        national_id,
        birth_date,
        status,
        not_after,
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
        member
            .record(
                state,
                "moica_services.view",
                &found.view.card_number,
                serde_json::json!({}),
            )
            .await?;
    }
    Ok(found.map(|found| found.view))
}

/// Who asked at the counter.
enum Applicant {
    Holder,
    Delegate {
        name: PersonName,
        national_id: NationalId,
    },
}

impl Applicant {
    /// A delegate as the audit log names them (masked ID number); null for the holder.
    fn audit_detail(&self) -> serde_json::Value {
        match self {
            Applicant::Holder => serde_json::Value::Null,
            Applicant::Delegate { name, national_id } => serde_json::json!({
                "name": name.as_str(),
                "id": national_id.masked(),
            }),
        }
    }
}

/// A posted service, parsed; the first problem as the refusal.
struct Request {
    card: CardNumber,
    service: CardService,
    applicant: Applicant,
    contacts: Option<(Email, Mobile)>,
    published: Option<bool>,
    /// For a 用戶代碼 reset: the new code.
    user_code: Option<UserCode>,
    /// For a service on the card: the card's management counter.
    counter: Option<u32>,
}

fn parse(posted: &[(String, String)]) -> Result<Request, PortalError> {
    let card = CardNumber::parse(value(posted, "card"))
        .map_err(|error| PortalError::field("card", &error))?;
    let service = CardService::from_code(value(posted, "service"))
        .ok_or_else(|| PortalError::field("service", &ServiceRefusal::NoService))?;
    let applicant = match value(posted, "applicant") {
        "delegate" => {
            let name = PersonName::parse(value(posted, "delegate_name"))
                .map_err(|error| PortalError::field("delegate_name", &error))?;
            let national_id = NationalId::parse(value(posted, "delegate_id"))
                .map_err(|error| PortalError::field("delegate_id", &error))?;
            if value(posted, "letter") != "on" {
                return Err(PortalError::field("letter", &ServiceRefusal::NoLetter));
            }
            Applicant::Delegate { name, national_id }
        }
        _ => Applicant::Holder,
    };
    if !service.delegable() && matches!(applicant, Applicant::Delegate { .. }) {
        return Err(PortalError::refused(&ServiceRefusal::InPersonOnly));
    }
    if service == CardService::Revoke && value(posted, "confirm") != "on" {
        return Err(PortalError::field("confirm", &ServiceRefusal::NotConfirmed));
    }
    let contacts = match service {
        CardService::Contacts => Some((
            Email::parse(value(posted, "email"))
                .map_err(|error| PortalError::field("email", &error))?,
            Mobile::parse(value(posted, "mobile"))
                .map_err(|error| PortalError::field("mobile", &error))?,
        )),
        _ => None,
    };
    let published =
        (service == CardService::Publication).then(|| value(posted, "published") == "yes");
    let user_code = match service {
        CardService::ResetUserCode => {
            let typed = value(posted, "user_code");
            let user_code =
                UserCode::parse(typed).map_err(|error| PortalError::field("user_code", &error))?;
            if UserCode::parse(value(posted, "user_code_confirm")).ok() != Some(user_code.clone()) {
                return Err(
                    crate::services::certificate::application::form::user_codes_differ(
                        "user_code_confirm",
                    ),
                );
            }
            Some(user_code)
        }
        _ => None,
    };
    // A service on the card covers the card's management counter.
    let counter = if service.in_form() {
        None
    } else {
        Some(
            value(posted, "counter")
                .parse::<u32>()
                .map_err(|_| PortalError::refused(&ServiceRefusal::NoCounter))?,
        )
    };
    Ok(Request {
        card,
        service,
        applicant,
        contacts,
        published,
        user_code,
        counter,
    })
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
    // 停用、復用、廢止 change the status; the others need a certificate still in force.
    let expired = now >= found.not_after;
    let next_status = match (request.service, found.status.as_str()) {
        (CardService::Suspend, "active") if !expired => Some("suspended"),
        (CardService::Resume, "suspended") if !expired => Some("active"),
        (CardService::Revoke, "active" | "suspended") => Some("revoked"),
        (CardService::Contacts | CardService::Publication, "active" | "suspended") if !expired => {
            None
        }
        _ => {
            return Ok(ServiceOutcome::Invalid(PortalError::refused(
                &ServiceRefusal::WrongState,
            )))
        }
    };
    if request.service == CardService::Revoke {
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
    record(state, member, &request, &found, next_status, now).await?;
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
    if found.status != "active" || now >= found.not_after {
        return Err(PortalError::refused(&ServiceRefusal::WrongState));
    }
    let Some(ca) = state.moica_ca.clone() else {
        return Err(PortalError::refused(&ServiceRefusal::NoAuthority));
    };
    let der: Option<String> =
        sqlx::query_scalar("SELECT certificate_der FROM moica_certificates WHERE id = $1")
            .bind(found.id)
            .fetch_one(&state.db.pool)
            .await
            .map_err(PortalError::unavailable)?;
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
    record(state, member, &request, &found, None, now).await?;
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
    use crate::services::certificate::extension::store::{extend_at_counter, Extender};
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
    let extender = Extender::Counter {
        member,
        delegate: request.applicant.audit_detail(),
    };
    let (extended, spki) = extend_at_counter(state, request.card.as_str(), &extender).await?;
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

async fn record(
    state: &AppState,
    member: &StaffMember,
    request: &Request,
    found: &Found,
    next_status: Option<&str>,
    now: i64,
) -> Result<(), PortalError> {
    let fail = PortalError::unavailable;
    let mut tx = state.db.begin_write().await.map_err(fail)?;
    let changed = match (next_status, &request.contacts, request.published) {
        _ if request.service == CardService::ResetUserCode => sqlx::query(
            "UPDATE moica_certificates SET user_code_reset_at = $1 \
             WHERE id = $2 AND status = 'active'",
        )
        .bind(now)
        .bind(found.id),
        // A revocation already done at the CA must be recorded whatever another counter did
        // to the row meanwhile (suspended it, say): only another revocation stops it.
        (Some("revoked"), _, _) => sqlx::query(
            "UPDATE moica_certificates SET status = 'revoked', status_changed_at = $1 \
             WHERE id = $2 AND status IN ('active', 'suspended')",
        )
        .bind(now)
        .bind(found.id),
        (Some(status), _, _) => sqlx::query(
            "UPDATE moica_certificates SET status = $1, status_changed_at = $2 \
             WHERE id = $3 AND status = $4",
        )
        .bind(status)
        .bind(now)
        .bind(found.id)
        .bind(&found.status),
        (None, Some((email, mobile)), _) => sqlx::query(
            "UPDATE moica_certificates SET email = $1, mobile = $2 WHERE id = $3 AND status = $4",
        )
        .bind(email.as_str().to_owned())
        .bind(mobile.as_str().to_owned())
        .bind(found.id)
        .bind(&found.status),
        (None, None, published) => sqlx::query(
            "UPDATE moica_certificates SET published = $1 WHERE id = $2 AND status = $3",
        )
        .bind(published.unwrap_or(true))
        .bind(found.id)
        .bind(&found.status),
    }
    .execute(&mut *tx)
    .await
    .map_err(fail)?
    .rows_affected();
    if changed != 1 {
        // Another counter changed it a moment ago.
        return Err(PortalError::refused(&ServiceRefusal::WrongState));
    }
    let delegate = request.applicant.audit_detail();
    let detail = serde_json::json!({
        "service": request.service.code(),
        "serial": found.view.serial,
        "delegate": delegate,
        "published": request.published,
    });
    let action = format!("moica_services.{}", request.service.code());
    audit::append(
        &mut tx,
        now,
        &member.audit(&action, &found.view.card_number, detail),
    )
    .await
    .map_err(fail)?;
    // The holder hears of it at the address on record (and the new one, for a change).
    let mut addresses: Vec<String> = found.view.email.iter().cloned().collect();
    if let Some((email, _)) = &request.contacts {
        if !addresses.iter().any(|known| known == email.as_str()) {
            addresses.push(email.as_str().to_owned());
        }
    }
    for address in addresses {
        notify(&mut tx, now, &address, request, found)
            .await
            .map_err(fail)?;
    }
    tx.commit().await.map_err(fail)
}

async fn notify(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    to: &str,
    request: &Request,
    found: &Found,
) -> sqlx::Result<i64> {
    let (zh, en) = match request.service {
        CardService::Suspend => ("已停用", "was suspended"),
        CardService::Resume => ("已復用", "was resumed"),
        CardService::Revoke => ("已廢止，且無法回復", "was revoked; this cannot be undone"),
        CardService::Contacts => (
            "之手機號碼及連絡用電子信箱已修改",
            "has new contact details",
        ),
        CardService::Publication => ("之公佈狀態已修改", "has a new publication setting"),
        CardService::ResetUserCode => (
            "之用戶代碼已重設，PIN 碼已恢復為預設值（民國出生年月日 6 碼）",
            "had its user code reset; its PIN is back to the default (your ROC date of birth, 6 digits)",
        ),
        // An extension mails its own notice (自然人憑證展期通知) and is never recorded here.
        CardService::Extend => return Ok(0),
    };
    let by = match &request.applicant {
        Applicant::Holder => String::new(),
        Applicant::Delegate { name, .. } => {
            format!("（受委託人 {} 代辦 / by your delegate)", name.as_str())
        }
    };
    outbox::enqueue(
        conn,
        now,
        to,
        "自然人憑證異動通知 / Citizen certificate changed",
        &format!(
            "{name} 您好：\n\n您的自然人憑證（IC 卡號 {card}）於 {at} 在戶政事務所{zh}{by}。\n\
             如非您本人或您委託之人辦理，請儘速攜帶國民身分證正本洽任一戶政事務所，或撥打內政服務熱線 1996。\n\n\
             Your citizen certificate (card {card}) {en} at a household registration office on \
             {at}. If neither you nor your delegate asked for this, contact a household \
             registration office with your ID card at once, or call 1996.\n",
            name = found.view.name,
            card = found.view.card_number,
            at = roc_date_time(now),
        ),
    )
    .await
}
