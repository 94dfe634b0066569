//! The counter and the registration authority in the database (C-2): taking an application
//! at the counter, handing its sealed codes to the issuing registrar, and — once the
//! registrar's signature verifies — having the CA certify the card's key and recording the
//! card, the fee, the office and the registrar, with the application issued (a
//! [`MoicaApplication`] case), its codes erased, the certificate's case opened, the notice mail
//! and the audit row in one unit of work. Finding applications is in [`super::lookup`].

use super::lookup::{load, record, Found};
use super::{issuance_statement, IssuanceRefusal, IssuanceTicket, IssuedCard, VALIDITY_YEARS};
use crate::cases::actor::Actor;
use crate::cases::work::Work;
use crate::cases::{transition, Party};
use crate::domain::card_number::CardNumber;
use crate::domain::pin::NewMoicaPin;
use crate::domain::roc_date::RocDate;
use crate::error::PortalError;
use crate::pki::{CheckedCertificate, Purpose};
use crate::platform::ca::CitizenCertificateRequest;
use crate::platform::clock::roc_date_time;
use crate::platform::{auth, challenge, AppState};
use crate::services::certificate::application::cases::{ApplicationAction, MoicaApplication};
use crate::services::certificate::application::store::{self as applications, seal_label, Filing};
use crate::services::certificate::application::{PinChoice, FEE, POSTAGE};
use crate::services::certificate::cases::{CertificateAction, CertificateStatus, MoicaCertificate};
use crate::services::certificate::eligibility;
use crate::services::certificate::mail::IssuedNotice;
use crate::services::certificate::store::{
    cards_in_force, hold_citizen, record_holder, HolderError,
};
use crate::services::staff::{role::Jurisdiction, store as staff, StaffMember};
use base64::{engine::general_purpose::STANDARD, Engine};
use card_helper::personalisation::{Secrets, PUBLIC_KEY_LEN};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub async fn start(
    state: &AppState,
    member: &StaffMember,
    posted: &[(String, String)],
) -> Result<super::CounterStart, PortalError> {
    use crate::services::certificate::application::{form::ApplicationForm, Channel};
    let form = match ApplicationForm::parse_for(posted, Channel::Counter) {
        Ok(form) => form,
        Err(errors) => return Ok(super::CounterStart::Invalid(errors)),
    };
    let applicant = applications::identify(&state.db.pool, &form)
        .await?
        .ok_or(IssuanceRefusal::IdentityMismatch)?;
    if let Err(reasons) = eligibility::check(&applicant.facts, state.clock.today_taipei()) {
        return Err(eligibility::refusal(&reasons));
    }
    let summary = applications::submit(
        &state.db,
        &state.seal,
        state.clock.unix(),
        &applicant,
        &form,
        &Actor::staff(member, auth::source_ip()),
        Filing::Counter,
    )
    .await?;
    Ok(super::CounterStart::Started {
        reference: summary.reference,
    })
}

/// An application `party` may issue at `now` and whose applicant is eligible, or the refusal.
fn issuable(found: Option<Found>, party: Party, now: i64) -> Result<Found, PortalError> {
    let found = found.ok_or(IssuanceRefusal::NotFound)?;
    transition::<MoicaApplication>(
        found.status,
        ApplicationAction::Issue,
        party,
        &found.facts(now),
    )?;
    if !found.view.ineligible.is_empty() {
        return Err(eligibility::refusal(&found.view.ineligible));
    }
    if !found.view.cards_in_force.is_empty() {
        return Err(found.view.in_force_refusal().into());
    }
    if found.view.unpaid {
        return Err(IssuanceRefusal::Unpaid.into());
    }
    Ok(found)
}

/// The audit detail of an issuance begun (`moica_issuance.begin`).
#[derive(Serialize)]
struct BeginDetail {
    /// The registrar confirmed the application number and contacts with the applicant.
    contacts_confirmed: bool,
}

pub async fn begin(
    state: &AppState,
    member: &StaffMember,
    reference: &str,
    contacts_confirmed: bool,
) -> Result<IssuanceTicket, PortalError> {
    if state.moica_ca.is_none() {
        return Err(IssuanceRefusal::NoAuthority.into());
    }
    let now = state.clock.unix();
    let reference = reference_only(reference)?;
    let party = Party::Staff(member.role);
    let found = issuable(load(&state.db.pool, reference, now).await?, party, now)?;
    // Whoever knows a citizen's ID number, name and birth date may have filed the newest
    // application with their own e-mail, 用戶代碼 and PIN: the person at the counter must
    // recognise it (issue 21 item 5). A renewal was filed with the holder's card and is
    // mailed, with nobody at the counter.
    if !found.view.renewal && !contacts_confirmed {
        return Err(PortalError::field(
            super::CONTACTS_CONFIRMED,
            &IssuanceRefusal::ContactsNotConfirmed,
        ));
    }
    let purpose = challenge_purpose(&found.view.reference, member);
    let challenge = challenge::issue(&state.db.pool, now, &purpose).await?;
    record(
        state,
        member,
        "moica_issuance.begin",
        &found.view.reference,
        &BeginDetail { contacts_confirmed },
    )
    .await?;
    Ok(IssuanceTicket {
        challenge: challenge.value,
    })
}

/// The 用戶代碼 and PIN of application `found`: unsealed for the card, the default PIN computed
/// from the birth date.
fn citizen_codes(state: &AppState, found: &Found) -> Result<(String, String), PortalError> {
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
    Ok((user_code, pin))
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
    /// The card helper's one-time transport key, which the card's proof names and to which
    /// the card's personalisation is sealed.
    pub transport_key_b64: String,
    pub certificate_b64: String,
    pub signature_b64: String,
    /// The blank card's signature, with its new key, of the proof statement.
    pub key_signature_b64: String,
    /// The card's factory attestation of its new key, its card number and that proof
    /// ([`card_helper::protocol::card_attestation_message`]).
    pub attestation_b64: String,
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
    let transport_key = decode(&request.transport_key_b64)?;
    if transport_key.len() != PUBLIC_KEY_LEN {
        return Err(IssuanceRefusal::Encoding.into());
    }
    let registrar_certificate = decode(&request.certificate_b64)?;
    let signature = decode(&request.signature_b64)?;
    let key_signature = decode(&request.key_signature_b64)?;
    let attestation = decode(&request.attestation_b64)?;
    let Some(ca) = state.moica_ca.clone() else {
        return Err(IssuanceRefusal::NoAuthority.into());
    };
    let now = state.clock.unix();
    // Used up first, whatever follows: one challenge, one attempt.
    let purpose = challenge_purpose(&request.reference, member);
    challenge::consume(&state.db.pool, now, &request.challenge, &purpose)
        .await?
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
    let signer = staff::by_certificate(&state.db.pool, registrar.fingerprint_sha256()).await?;
    let withdrawn = crate::services::certificate::store::withdrawn(
        &state.db.pool,
        registrar.fingerprint_sha256(),
    )
    .await?;
    let key_proof = crate::services::certificate::proof::card_statement(
        super::KEY_PROOF,
        &request.challenge,
        card.as_str(),
    );
    let key_proof = state
        .settings
        .card_key_proof(&STANDARD.encode(&transport_key), key_proof.as_bytes());
    let refusal = if signer.as_ref().map(|signer| signer.id) != Some(member.id) || withdrawn {
        Some(IssuanceRefusal::NotYourCertificate)
    } else if registrar
        .verify_signature(
            &state.settings.card_signed(statement.as_bytes()),
            &signature,
        )
        .is_err()
    {
        Some(IssuanceRefusal::BadSignature)
    } else if !crate::pki::spki_verifies_rs256(&public_key, &key_proof, &key_signature) {
        Some(IssuanceRefusal::NoKeyPossession)
    } else {
        // Last, once the registrar's signature holds: the card management centre checks the
        // chip's attestation for the number typed (issue 21 item 10).
        let message = card_helper::protocol::card_attestation_message(
            card.as_str(),
            &public_key,
            &Sha256::digest(&key_proof),
        );
        match ca.card_attests(card.as_str(), &message, &attestation) {
            Ok(true) => None,
            Ok(false) => Some(IssuanceRefusal::NotAttested),
            Err(error) => {
                let why = format!("the card management centre failed: {error}");
                let error = PortalError::unavailable(&error);
                return Err(refused(state, member, reference, error, why).await);
            }
        }
    };
    if let Some(refusal) = refusal {
        let why = format!("{refusal:?} (certificate {})", registrar.serial_hex());
        let error = match refusal {
            IssuanceRefusal::NotAttested => PortalError::field("card_number", &refusal),
            refusal => refusal.into(),
        };
        return Err(refused(state, member, reference, error, why).await);
    }

    let actor = Actor::staff(member, auth::source_ip());
    let found = issuable(
        load(&state.db.pool, &request.reference, now).await?,
        actor.party,
        now,
    )?;
    // A number that ever held a certificate is a used card, whatever became of it: a blank
    // card made again with that number (a copied card file) gets nothing.
    let in_use: Option<i64> =
        sqlx::query_scalar("SELECT id FROM moica_certificates WHERE card_number = $1 LIMIT 1")
            .bind(card.as_str())
            .fetch_optional(&state.db.pool)
            .await?;
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
        (Some(certificate), Ok(management_key)) => {
            match personalisation(
                state,
                &found,
                &transport_key,
                certificate,
                management_key.to_vec(),
            ) {
                Ok(sealed) => {
                    record_issued(state, &actor, member, &found, &card, certificate, sealed).await
                }
                Err(error) => Err(error),
            }
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

/// What the card is personalised with — the citizen's 用戶代碼 and PIN and its management key
/// — sealed to the card helper's transport key for `certificate` (issue 21 item 10).
fn personalisation(
    state: &AppState,
    found: &Found,
    transport_key: &[u8],
    certificate: &CheckedCertificate,
    management_key: Vec<u8>,
) -> Result<Vec<u8>, PortalError> {
    let (user_code, pin) = citizen_codes(state, found)?;
    let secrets = Secrets {
        user_code,
        pin,
        management_key,
    };
    card_helper::personalisation::seal(transport_key, certificate.der(), &secrets)
        .map_err(|_| IssuanceRefusal::Encoding.into())
}

/// Audits the RA's refusal of `reference` and answers `error`.
async fn refused(
    state: &AppState,
    member: &StaffMember,
    reference: &str,
    error: PortalError,
    why: String,
) -> PortalError {
    let detail = RefusedDetail { reason: why };
    match record(state, member, "moica_issuance.refused", reference, &detail).await {
        Ok(()) => error,
        Err(fault) => fault,
    }
}

/// The audit detail of the RA's refusal (`moica_issuance.refused`).
#[derive(Serialize)]
struct RefusedDetail {
    reason: String,
}

/// The audit detail of an issuance (`moica_issuance.issue`).
#[derive(Serialize)]
struct IssueDetail<'a> {
    card_number: &'a str,
    fee: u32,
    mailed: bool,
    office: Option<&'a str>,
    serial: &'a str,
}

/// Records the certified card as the applicant's and issues the application, in one unit of
/// work by the registrar.
async fn record_issued(
    state: &AppState,
    actor: &Actor,
    member: &StaffMember,
    found: &Found,
    card: &CardNumber,
    certificate: &CheckedCertificate,
    personalisation: Vec<u8>,
) -> Result<IssuedCard, PortalError> {
    let office = match &member.jurisdiction {
        Jurisdiction::Office { code, .. } => Some(code.as_str()),
        _ => None,
    };
    let mut work = Work::begin(&state.db, actor, state.clock.unix()).await?;
    let now = work.now;
    // Again inside the unit of work that records the card: a certificate of the applicant's
    // put back in force since `begin` (復用 at another counter, an extension) still stops a
    // second one.
    hold_citizen(work.conn(), found.citizen_id).await?;
    if !cards_in_force(work.conn(), found.citizen_id, now, found.renewal_of)
        .await?
        .is_empty()
    {
        return Err(found.view.in_force_refusal().into());
    }
    if found.view.renewal
        && !crate::services::certificate::renewal::payment::is_paid(work.conn(), found.id).await?
    {
        return Err(IssuanceRefusal::Unpaid.into());
    }
    let certificate_id =
        match record_holder(work.conn(), certificate, &found.national_id, card, now).await {
            Ok(id) => id,
            Err(HolderError::AlreadyRecorded) => return Err(IssuanceRefusal::CardInUse.into()),
            Err(error) => return Err(PortalError::unavailable(error)),
        };
    // The issuance's audit row (below) accounts for the certificate's first event.
    work.opened::<MoicaCertificate>(
        certificate_id,
        CertificateAction::Issue,
        CertificateStatus::Active,
    )
    .await?;
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
    .bind(office)
    .bind(member.id)
    .bind(&found.view.email)
    .bind(&found.view.mobile)
    .bind(mailed)
    .bind(certificate_id)
    .execute(&mut *work.conn())
    .await?;
    let issued = IssuedCard {
        reference: found.view.reference.clone(),
        card_number: card.as_str().to_owned(),
        serial: certificate.serial_hex().to_owned(),
        not_after: roc_date_time(certificate.not_after()),
        fee,
        mailed,
        certificate_b64: STANDARD.encode(certificate.der()),
        personalisation_b64: STANDARD.encode(personalisation),
    };
    // Another counter issued it a moment ago: refused, and this certificate is not recorded.
    work.act::<MoicaApplication>(
        issued.reference.as_str(),
        found.status,
        ApplicationAction::Issue,
    )
    .set("issued_at", now)
    .set("household_office_code", office.map(str::to_owned))
    .set("user_code_sealed", None::<String>)
    .set("pin_sealed", None::<String>)
    .detail(&IssueDetail {
        card_number: &issued.card_number,
        fee,
        mailed,
        office,
        serial: &issued.serial,
    })
    .run(&found.facts(now))
    .await?;
    work.mail(&IssuedNotice {
        to: &found.view.email,
        name: &found.view.name,
        issued: &issued,
        at: now,
    })
    .await?;
    work.commit().await?;
    Ok(issued)
}
