//! The counter and the registration authority in the database (C-2): finding an application,
//! handing its sealed codes to the issuing registrar, and — once the registrar's signature
//! verifies — having the CA certify the card's key and recording the card, the fee, the
//! office and the registrar, with the application closed, its codes erased, the notice mail
//! and the audit row in one transaction.

use super::{
    issuance_statement, ApplicationStatus, CounterApplication, IssuanceRefusal, IssuanceTicket,
    IssuedCard, VALIDITY_YEARS,
};
use crate::domain::card_number::CardNumber;
use crate::domain::national_id::NationalId;
use crate::domain::pin::NewMoicaPin;
use crate::domain::roc_date::RocDate;
use crate::error::PortalError;
use crate::pki::{CheckedCertificate, Purpose};
use crate::platform::audit;
use crate::platform::ca::CitizenCertificateRequest;
use crate::platform::clock::{roc_date_time, unix_to_taipei};
use crate::platform::{challenge, outbox, AppState};
use crate::services::certificate::application::store::seal_label;
use crate::services::certificate::application::{PinChoice, FEE, POSTAGE};
use crate::services::certificate::eligibility::{self, RegistryFacts};
use crate::services::certificate::store::{record_holder, HolderError};
use crate::services::staff::{role::Jurisdiction, store as staff, StaffMember};
use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::NaiveDate;
use sqlx::{AnyConnection, AnyPool, Row};

/// An application row with its applicant's registry entry.
struct Found {
    id: i64,
    national_id: NationalId,
    user_code_sealed: Option<String>,
    pin_sealed: Option<String>,
    view: CounterApplication,
    birth_date: NaiveDate,
}

const SELECT: &str = "SELECT a.id, a.reference, a.citizen_id, a.email, a.mobile, a.pin_choice, \
        a.user_code_sealed, a.pin_sealed, a.status, a.submitted_at, a.expires_at, \
        c.national_id, c.name, c.birth_date, c.county, c.township, c.id_status, \
        CAST(c.nationality_registered AS INTEGER), CAST(c.under_guardianship AS INTEGER), \
        a.renewal_of \
     FROM moica_applications a JOIN citizens c ON c.id = a.citizen_id";

/// The application `query` names: a 申請編號, or an ID number (that citizen's latest).
async fn load(pool: &AnyPool, query: &str, now: i64) -> Result<Option<Found>, PortalError> {
    let query = query.trim();
    let row = if query.starts_with('M') && query.len() == 15 {
        sqlx::query(&format!("{SELECT} WHERE a.reference = $1"))
            .bind(query)
            .fetch_optional(pool)
            .await
    } else {
        let id = NationalId::parse(query)
            .map_err(|_| PortalError::field("q", &IssuanceRefusal::BadQuery))?;
        sqlx::query(&format!(
            "{SELECT} WHERE c.national_id = $1 ORDER BY a.id DESC LIMIT 1"
        ))
        .bind(id.as_str().to_owned())
        .fetch_optional(pool)
        .await
    }
    .map_err(PortalError::unavailable)?;
    row.map(|row| found(&row, now)).transpose()
}

fn found(row: &sqlx::any::AnyRow, now: i64) -> Result<Found, PortalError> {
    let birth_date: String = row.get(13);
    let birth_date = NaiveDate::parse_from_str(&birth_date, "%Y-%m-%d")
        .map_err(|error| PortalError::unavailable(format!("registry birth date: {error}")))?;
    let national_id = NationalId::parse(&row.get::<String, _>(11))
        .map_err(|_| PortalError::unavailable("registry ID number does not parse"))?;
    let expires_at: i64 = row.get(10);
    let mut status = ApplicationStatus::from_code(&row.get::<String, _>(8))
        .ok_or_else(|| PortalError::unavailable("unknown application status"))?;
    // Lapsed but not yet closed by the purge: it is lapsed all the same.
    if status == ApplicationStatus::Submitted && expires_at <= now {
        status = ApplicationStatus::Expired;
    }
    let facts = RegistryFacts {
        birth_date,
        nationality_registered: row.get::<i64, _>(17) != 0,
        under_guardianship: row.get::<i64, _>(18) != 0,
    };
    let today = unix_to_taipei(now).date_naive();
    let mut ineligible = eligibility::check(&facts, today).err().unwrap_or_default();
    if row.get::<String, _>(16) != "active" {
        // An ID number no longer in use is no registered person.
        ineligible.insert(0, eligibility::Ineligible::NotRegistered);
        ineligible.dedup();
    }
    let roc = |date: NaiveDate| {
        RocDate::from_naive(date)
            .map(RocDate::display_slash)
            .unwrap_or_default()
    };
    let collect_by = unix_to_taipei(expires_at - 1).date_naive();
    Ok(Found {
        id: row.get(0),
        user_code_sealed: row.get(6),
        pin_sealed: row.get(7),
        birth_date,
        view: CounterApplication {
            reference: row.get(1),
            name: row.get(12),
            masked_id: national_id.masked(),
            birth_date: roc(birth_date),
            registered_in: format!("{}{}", row.get::<String, _>(14), row.get::<String, _>(15)),
            email: row.get(3),
            mobile: row.get(4),
            pin_choice: PinChoice::from_code(&row.get::<String, _>(5))
                .unwrap_or(PinChoice::Default),
            submitted_at: roc_date_time(row.get(9)),
            collect_by: roc(collect_by),
            status,
            ineligible,
            renewal: row.get::<Option<i64>, _>(19).is_some(),
        },
        national_id,
    })
}

pub async fn find(
    state: &AppState,
    member: &StaffMember,
    query: &str,
) -> Result<Option<CounterApplication>, PortalError> {
    let found = load(&state.db.pool, query, state.clock.unix()).await?;
    if let Some(found) = &found {
        // Looking an applicant up reads registry data: audited like any other access.
        member
            .record(
                state,
                "moica_issuance.view",
                &found.view.reference,
                serde_json::json!({}),
            )
            .await?;
    }
    Ok(found.map(|found| found.view))
}

/// Most renewals a page lists.
const RENEWALS_LISTED: i64 = 100;

pub async fn waiting_renewals(
    state: &AppState,
    member: &StaffMember,
) -> Result<Vec<super::WaitingRenewal>, PortalError> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT a.reference, c.name, c.national_id, a.submitted_at \
         FROM moica_applications a JOIN citizens c ON c.id = a.citizen_id \
         WHERE a.renewal_of IS NOT NULL AND a.status = 'submitted' AND a.expires_at > $1 \
         ORDER BY a.submitted_at, a.id LIMIT $2",
    )
    .bind(state.clock.unix())
    .bind(RENEWALS_LISTED)
    .fetch_all(&state.db.pool)
    .await
    .map_err(PortalError::unavailable)?;
    // Listing applicants reads registry data: audited like a look-up.
    member
        .record(
            state,
            "moica_issuance.list_renewals",
            "moica_applications",
            serde_json::json!({ "count": rows.len() }),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(reference, name, national_id, submitted_at)| super::WaitingRenewal {
                reference,
                name,
                masked_id: NationalId::parse(&national_id)
                    .map(|id| id.masked())
                    .unwrap_or_default(),
                submitted_at: roc_date_time(submitted_at),
            },
        )
        .collect())
}

pub async fn start(
    state: &AppState,
    member: &StaffMember,
    posted: &[(String, String)],
) -> Result<super::CounterStart, PortalError> {
    use crate::services::certificate::application::{
        form::ApplicationForm, store as applications, Channel,
    };
    let form = match ApplicationForm::parse_for(posted, Channel::Counter) {
        Ok(form) => form,
        Err(errors) => return Ok(super::CounterStart::Invalid(errors)),
    };
    let applicant = applications::identify(&state.db.pool, &form)
        .await
        .map_err(PortalError::unavailable)?
        .ok_or_else(crate::services::certificate::application::identity_refusal)?;
    if let Err(reasons) = eligibility::check(&applicant.facts, state.clock.today_taipei()) {
        return Err(eligibility::refusal(&reasons));
    }
    let summary = applications::submit(
        &state.db,
        &state.seal,
        state.clock.unix(),
        &applicant,
        &form,
        applications::Taker::Registrar(member),
    )
    .await?;
    Ok(super::CounterStart::Started {
        reference: summary.reference,
    })
}

/// An open, eligible application, or the refusal.
fn issuable(found: Option<Found>) -> Result<Found, PortalError> {
    let found = found.ok_or(IssuanceRefusal::NotFound)?;
    if found.view.status != ApplicationStatus::Submitted {
        return Err(IssuanceRefusal::NotOpen.into());
    }
    if !found.view.ineligible.is_empty() {
        return Err(eligibility::refusal(&found.view.ineligible));
    }
    Ok(found)
}

pub async fn begin(
    state: &AppState,
    member: &StaffMember,
    reference: &str,
) -> Result<IssuanceTicket, PortalError> {
    if state.moica_ca.is_none() {
        return Err(IssuanceRefusal::NoAuthority.into());
    }
    let now = state.clock.unix();
    let reference = reference_only(reference)?;
    let found = issuable(load(&state.db.pool, reference, now).await?)?;
    let open = |sealed: &Option<String>, field: &str| {
        sealed
            .as_deref()
            .and_then(|sealed| state.seal.open(sealed, &seal_label(found.id, field)))
            .ok_or_else(|| {
                PortalError::unavailable(format!(
                    "application {} has no readable {field}",
                    found.id
                ))
            })
    };
    let user_code = open(&found.user_code_sealed, "user_code")?;
    let pin = match found.view.pin_choice {
        PinChoice::Chosen => open(&found.pin_sealed, "pin")?,
        PinChoice::Default => RocDate::from_naive(found.birth_date)
            .map(|birth| NewMoicaPin::default_for(birth).expose().to_owned())
            .ok_or_else(|| PortalError::unavailable("birth date before the ROC"))?,
    };
    let purpose = challenge_purpose(&found.view.reference, member);
    let challenge = challenge::issue(&state.db.pool, now, &purpose)
        .await
        .map_err(PortalError::unavailable)?;
    member
        .record(
            state,
            "moica_issuance.begin",
            &found.view.reference,
            serde_json::json!({}),
        )
        .await?;
    Ok(IssuanceTicket {
        challenge: challenge.value,
        user_code,
        pin,
    })
}

/// What an issuance challenge is for: this application, by this registrar only.
fn challenge_purpose(reference: &str, member: &StaffMember) -> String {
    format!("moica-issuance:{reference}:{}", member.id)
}

/// An application reference as `begin` and `issue` take it: never an ID number, which `find`
/// alone accepts (and whose audit rows name the reference).
fn reference_only(reference: &str) -> Result<&str, PortalError> {
    let reference = reference.trim();
    if reference.len() == 15 && reference.starts_with('M') && reference.is_ascii() {
        Ok(reference)
    } else {
        Err(IssuanceRefusal::NotFound.into())
    }
}

/// What the registrar's page sends once the card made its key and the registrar signed.
pub struct IssueRequest {
    pub reference: String,
    pub card_number: String,
    pub challenge: String,
    pub public_key_b64: String,
    pub certificate_b64: String,
    pub signature_b64: String,
    /// The blank card's signature, with its new key, of the proof statement.
    pub key_signature_b64: String,
}

pub async fn issue(
    state: &AppState,
    member: &StaffMember,
    request: IssueRequest,
) -> Result<IssuedCard, PortalError> {
    reference_only(&request.reference)?;
    let card = CardNumber::parse(&request.card_number)
        .map_err(|error| PortalError::field("card_number", &error))?;
    let decode = |text: &str| {
        STANDARD
            .decode(text.trim())
            .map_err(|_| IssuanceRefusal::Encoding)
    };
    let public_key = decode(&request.public_key_b64)?;
    let registrar_certificate = decode(&request.certificate_b64)?;
    let signature = decode(&request.signature_b64)?;
    let key_signature = decode(&request.key_signature_b64)?;
    let Some(ca) = state.moica_ca.clone() else {
        return Err(IssuanceRefusal::NoAuthority.into());
    };
    let now = state.clock.unix();
    // Used up first, whatever follows: one challenge, one attempt.
    let purpose = challenge_purpose(&request.reference, member);
    challenge::consume(&state.db.pool, now, &request.challenge, &purpose)
        .await
        .map_err(PortalError::unavailable)?
        .map_err(|_| IssuanceRefusal::ChallengeUnusable)?;
    // The RA: the signature must be the signed-in registrar's, over exactly this issuance.
    let statement = issuance_statement(
        &request.challenge,
        &request.reference,
        card.as_str(),
        &STANDARD.encode(&public_key),
    );
    let reference = request.reference.as_str();
    let registrar = match state.trust.current().check_certificate(
        &registrar_certificate,
        Purpose::CitizenCard,
        now,
    ) {
        Ok(checked) => checked,
        Err(error) => {
            let why = format!("{error:?}");
            return Err(refused(state, member, reference, PortalError::refused(&error), why).await);
        }
    };
    let signer = staff::by_certificate(&state.db.pool, registrar.fingerprint_sha256())
        .await
        .map_err(PortalError::unavailable)?;
    let withdrawn = crate::services::certificate::store::withdrawn(
        &state.db.pool,
        registrar.fingerprint_sha256(),
    )
    .await
    .map_err(PortalError::unavailable)?;
    let key_proof = crate::services::certificate::proof::card_statement(
        super::KEY_PROOF,
        &request.challenge,
        card.as_str(),
    );
    let refusal = if signer.as_ref().map(|signer| signer.id) != Some(member.id) || withdrawn {
        Some(IssuanceRefusal::NotYourCertificate)
    } else if registrar
        .verify_signature(statement.as_bytes(), &signature)
        .is_err()
    {
        Some(IssuanceRefusal::BadSignature)
    } else if !crate::pki::spki_verifies_rs256(&public_key, key_proof.as_bytes(), &key_signature) {
        Some(IssuanceRefusal::NoKeyPossession)
    } else {
        None
    };
    if let Some(refusal) = refusal {
        let why = format!("{refusal:?} (certificate {})", registrar.serial_hex());
        return Err(refused(state, member, reference, refusal.into(), why).await);
    }

    let found = issuable(load(&state.db.pool, &request.reference, now).await?)?;
    let in_use: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM moica_certificates WHERE card_number = $1 \
         AND status IN ('active', 'suspended')",
    )
    .bind(card.as_str())
    .fetch_optional(&state.db.pool)
    .await
    .map_err(PortalError::unavailable)?;
    if in_use.is_some() {
        return Err(IssuanceRefusal::CardInUse.into());
    }

    // The CA certifies the key the card made; the trust store then checks the result like
    // any certificate the portal meets (chain, profile, key size).
    let not_after = crate::platform::clock::months_after(now, 12 * VALIDITY_YEARS)
        .ok_or_else(|| PortalError::unavailable("validity out of range"))?;
    let ca_request = CitizenCertificateRequest {
        name: &found.view.name,
        id_last4: found.national_id.last4(),
        not_before: now,
        not_after,
        public_key_spki: &public_key,
    };
    let der = match ca.certify_citizen_card(&ca_request) {
        Ok(der) => der,
        Err(error) => {
            tracing::warn!(%error, "the CA refused a card key");
            return Err(IssuanceRefusal::BadPublicKey.into());
        }
    };
    let checked: Option<CheckedCertificate> = state
        .trust
        .current()
        .check_certificate(&der, Purpose::CitizenCard, now)
        .ok()
        .filter(|checked| checked.public_key_spki() == public_key.as_slice());
    let recorded = match (&checked, ca.card_management_key(&public_key)) {
        (Some(certificate), Ok(key)) => {
            record_issued(state, member, &found, &card, certificate, &key, now).await
        }
        (None, _) => Err(IssuanceRefusal::BadPublicKey.into()),
        (_, Err(error)) => Err(PortalError::unavailable(error)),
    };
    if recorded.is_err() {
        // Not recorded (another counter issued this application a moment ago, the card number
        // was taken, the result is not what was asked, a fault): the certificate must not stay
        // valid anywhere.
        let serial = crate::pki::certificate_serial_hex(&der).unwrap_or_default();
        if let Err(error) = ca.revoke(&serial, now) {
            tracing::error!(%error, %serial, "an unrecorded certificate could not be revoked");
        }
    }
    recorded
}

/// Audits the RA's refusal of `reference` and answers `error`.
async fn refused(
    state: &AppState,
    member: &StaffMember,
    reference: &str,
    error: PortalError,
    why: String,
) -> PortalError {
    let detail = serde_json::json!({ "reason": why });
    match member
        .record(state, "moica_issuance.refused", reference, detail)
        .await
    {
        Ok(()) => error,
        Err(fault) => fault,
    }
}

#[allow(clippy::too_many_arguments)]
async fn record_issued(
    state: &AppState,
    member: &StaffMember,
    found: &Found,
    card: &CardNumber,
    certificate: &CheckedCertificate,
    management_key: &[u8],
    now: i64,
) -> Result<IssuedCard, PortalError> {
    let office = match &member.jurisdiction {
        Jurisdiction::Office { code, .. } => Some(code.clone()),
        _ => None,
    };
    let mut tx = state
        .db
        .begin_write()
        .await
        .map_err(PortalError::unavailable)?;
    let certificate_id =
        match record_holder(&mut tx, certificate, &found.national_id, card, now).await {
            Ok(id) => id,
            Err(HolderError::AlreadyRecorded) => return Err(IssuanceRefusal::CardInUse.into()),
            Err(error) => return Err(PortalError::unavailable(error)),
        };
    let fail = PortalError::unavailable;
    // An online renewal is mailed: postage on top, and nothing accepts the certificate until
    // the holder activates the card online (開卡, C-4).
    let mailed = found.view.renewal;
    let fee = if mailed { FEE + POSTAGE } else { FEE };
    sqlx::query(
        "UPDATE moica_certificates SET application_id = $1, fee = $2, household_office_code = $3, \
         issued_by = $4, email = $5, mobile = $6, awaiting_activation = $7 WHERE id = $8",
    )
    .bind(found.id)
    .bind(i64::from(fee))
    .bind(office.as_deref())
    .bind(member.id)
    .bind(&found.view.email)
    .bind(&found.view.mobile)
    .bind(mailed)
    .bind(certificate_id)
    .execute(&mut *tx)
    .await
    .map_err(fail)?;
    let closed = sqlx::query(
        "UPDATE moica_applications SET status = 'issued', issued_at = $1, \
         household_office_code = $2, user_code_sealed = NULL, pin_sealed = NULL \
         WHERE id = $3 AND status = 'submitted'",
    )
    .bind(now)
    .bind(office.as_deref())
    .bind(found.id)
    .execute(&mut *tx)
    .await
    .map_err(fail)?
    .rows_affected();
    if closed != 1 {
        // Another counter issued it a moment ago: this certificate is not recorded.
        return Err(IssuanceRefusal::NotOpen.into());
    }
    let issued = IssuedCard {
        reference: found.view.reference.clone(),
        card_number: card.as_str().to_owned(),
        serial: certificate.serial_hex().to_owned(),
        not_after: roc_date_time(certificate.not_after()),
        fee,
        mailed,
        certificate_b64: STANDARD.encode(certificate.der()),
        management_key_b64: STANDARD.encode(management_key),
    };
    notify(&mut tx, now, &found.view, &issued)
        .await
        .map_err(fail)?;
    audit::append(
        &mut tx,
        now,
        &member.audit(
            "moica_issuance.issue",
            &issued.reference,
            serde_json::json!({
                "card_number": issued.card_number,
                "serial": issued.serial,
                "fee": fee,
                "mailed": mailed,
                "office": office,
            }),
        ),
    )
    .await
    .map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    Ok(issued)
}

/// 發證通知: the card, its validity and what to do first; no secret.
async fn notify(
    conn: &mut AnyConnection,
    now: i64,
    application: &CounterApplication,
    issued: &IssuedCard,
) -> sqlx::Result<i64> {
    if issued.mailed {
        return notify_mailed(conn, now, application, issued).await;
    }
    outbox::enqueue(
        conn,
        now,
        &application.email,
        "自然人憑證發證通知 / Citizen certificate issued",
        &format!(
            "{name} 您好：\n\n您的自然人憑證已於 {at} 發證並完成開卡（申請編號 {reference}）。\n\
             IC 卡號：{card}\n憑證序號：{serial}\n憑證效期至：{until}\n工本費：{fee} 元\n\
             PIN 碼為您申請時所設定（未自行設定者為民國出生年月日 6 碼），請儘速變更。\n\
             如非本人申請，請立即洽戶政事務所辦理停用，或撥打內政服務熱線 1996。\n\n\
             Your citizen certificate was issued and activated on {at} (application \
             {reference}). Card {card}, certificate serial {serial}, valid until {until}; fee \
             NT${fee}. The PIN is the one you chose, or your ROC date of birth (6 digits): \
             change it soon. If you did not apply, contact a household registration office at \
             once to suspend it, or call 1996.\n",
            name = application.name,
            at = roc_date_time(now),
            reference = issued.reference,
            card = issued.card_number,
            serial = issued.serial,
            until = issued.not_after,
            fee = issued.fee,
        ),
    )
    .await
}

/// 續卡新卡寄送通知: the renewed card is on its way and must be activated online first.
async fn notify_mailed(
    conn: &mut AnyConnection,
    now: i64,
    application: &CounterApplication,
    issued: &IssuedCard,
) -> sqlx::Result<i64> {
    outbox::enqueue(
        conn,
        now,
        &application.email,
        "自然人憑證續卡新卡寄送通知 / Your renewed citizen certificate card is in the mail",
        &format!(
            "{name} 您好：\n\n您線上申請之自然人憑證續卡（申請編號 {reference}）已於 {at} 製卡，\
             並以掛號寄至您的戶籍地址。\nIC 卡號：{card}\n憑證效期至：{until}\n已收費用：{fee} 元\n\
             收到新卡後，請至網路申辦服務「憑證線上開卡」，將新卡插入讀卡機並輸入 PIN 碼\
             （民國出生年月日 6 碼）完成開卡；開卡前新卡無法使用。\n\
             如非本人申請，請立即洽戶政事務所辦理停用，或撥打內政服務熱線 1996。\n\n\
             The card renewing your citizen certificate (application {reference}) was made on \
             {at} and mailed by registered post to your registered address. Card {card}, valid \
             until {until}; NT${fee} taken. When it arrives, activate it online (Activate a \
             mailed card) with the card in a reader and its PIN (your ROC date of birth, 6 \
             digits): it cannot be used before. If you did not apply, contact a household \
             registration office at once to suspend it, or call 1996.\n",
            name = application.name,
            reference = issued.reference,
            at = roc_date_time(now),
            card = issued.card_number,
            until = issued.not_after,
            fee = issued.fee,
        ),
    )
    .await
}
