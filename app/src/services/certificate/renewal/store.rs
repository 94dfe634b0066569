//! The RA's side of 線上續卡 and 開卡 (C-4): the renewal window, the request as an application
//! that names the certificate it renews, and the activation of a mailed card.

use super::payment;
use super::{
    MailedCard, Renewable, RenewalCertificate, RenewalReceipt, RenewalRefusal, ACTIVATION, RENEWAL,
};
use crate::cases::actor::NoDetail;
use crate::cases::machine::{transition, Party};
use crate::cases::work::Work;
use crate::domain::{
    email::Email, national_id::NationalId, person_name::PersonName, phone::Mobile, pin::UserCode,
    roc_date::RocDate,
};
use crate::error::PortalError;
use crate::pki::{Purpose, UncheckedCertificate};
use crate::platform::clock::{months_after, roc_date_time, unix_to_taipei};
use crate::platform::AppState;
use crate::services::certificate::application::{
    form::ApplicationForm, store as applications, FEE, POSTAGE,
};
use crate::services::certificate::cases::{
    overtaken_as, CertificateAction, CertificateFacts, CertificateStatus, MoicaCertificate,
};
use crate::services::certificate::eligibility::{self, RegistryFacts};
use crate::services::certificate::mail::ActivationNotice;
use crate::services::certificate::proof;
use crate::services::certificate::store::{held, opens_on, Held, HeldRecord};
use chrono::NaiveDate;

/// Whether a certificate (`status` as recorded, extended before or not, expiring at
/// `not_after`) can be renewed online at `now` (C-4): an extended one that stayed valid, from 60
/// days before its expiry — the 8-year one — until a year after it.
pub fn assess(status: CertificateStatus, extended: bool, not_after: i64, now: i64) -> Renewable {
    match status {
        CertificateStatus::Revoked => return Renewable::Revoked,
        CertificateStatus::Suspended => return Renewable::Suspended,
        CertificateStatus::Active => {}
    }
    if !extended {
        return Renewable::NotExtended;
    }
    if let Some(opens_on) = opens_on(not_after, now) {
        return Renewable::NotYet { opens_on };
    }
    match months_after(not_after, 12) {
        Some(closes) if now < closes => Renewable::Open,
        _ => Renewable::Closed,
    }
}

fn presented(certificate_b64: &str) -> Result<UncheckedCertificate, PortalError> {
    proof::presented(certificate_b64).ok_or_else(|| RenewalRefusal::NotFound.into())
}

/// The record of exactly this certificate.
async fn find(
    state: &AppState,
    certificate: &UncheckedCertificate,
) -> Result<HeldRecord, PortalError> {
    held(
        &state.db.pool,
        Held::Certificate(&certificate.fingerprint_sha256),
    )
    .await?
    .ok_or_else(|| RenewalRefusal::NotFound.into())
}

/// The provider's checkout for `order`, good until the renewal lapses, coming back to the
/// renewal page.
fn checkout(state: &AppState, order: &payment::OrderState) -> String {
    let back = format!("{}{}", state.settings.public_origin, super::RENEWAL_PATH);
    state
        .payments
        .checkout(&order.order_id, order.expires_at, &back)
}

/// Where the certificate of `row` stands, an open renewal of it included.
async fn renewable(state: &AppState, row: &HeldRecord, now: i64) -> Result<Renewable, PortalError> {
    let waiting: Option<String> = sqlx::query_scalar(
        "SELECT reference FROM moica_applications \
         WHERE renewal_of = $1 AND status = 'submitted' AND expires_at > $2",
    )
    .bind(row.id)
    .bind(now)
    .fetch_optional(&state.db.pool)
    .await?;
    let renewable = match waiting {
        Some(reference) => {
            let mut conn = state.db.pool.acquire().await?;
            let checkout_url = payment::order_of(&mut conn, &reference)
                .await?
                .filter(|order| !order.paid)
                .map(|order| checkout(state, &order));
            Renewable::Requested {
                reference,
                checkout_url,
            }
        }
        None => assess(
            row.status,
            row.original_not_after.is_some(),
            row.not_after,
            now,
        ),
    };
    // The holder has a card issued since (補領): this one is not renewed (C-2).
    if renewable == Renewable::Open
        && row
            .superseded(&mut *state.db.pool.acquire().await?, now)
            .await?
    {
        return Ok(Renewable::Superseded);
    }
    Ok(renewable)
}

pub async fn status(
    state: &AppState,
    certificate_b64: &str,
) -> Result<RenewalCertificate, PortalError> {
    let certificate = presented(certificate_b64)?;
    let row = find(state, &certificate).await?;
    Ok(RenewalCertificate {
        renewable: renewable(state, &row, state.clock.unix()).await?,
        card_number: row.card_number,
        name: row.holder.name,
        not_after: roc_date_time(row.not_after),
    })
}

pub async fn begin(state: &AppState, certificate_b64: &str) -> Result<String, PortalError> {
    let certificate = presented(certificate_b64)?;
    let row = find(state, &certificate).await?;
    if let Some(refusal) = renewable(state, &row, state.clock.unix()).await?.refusal() {
        return Err(refusal.into());
    }
    proof::issue_challenge(state, RENEWAL, &certificate).await
}

/// What the renewal page sends.
pub struct RenewalRequest {
    pub certificate_b64: String,
    pub challenge: String,
    pub signature_b64: String,
    pub email: String,
    pub mobile: String,
    pub user_code: String,
    pub user_code_confirm: String,
}

pub async fn request(
    state: &AppState,
    request: RenewalRequest,
    source_ip: String,
) -> Result<RenewalReceipt, PortalError> {
    // The fields first: a typo costs nothing on the card.
    let email =
        Email::parse(&request.email).map_err(|error| PortalError::field("email", &error))?;
    let mobile = Mobile::parse_optional(&request.mobile)
        .map_err(|error| PortalError::field("mobile", &error))?;
    let user_code = UserCode::parse(&request.user_code)
        .map_err(|error| PortalError::field("user_code", &error))?;
    if UserCode::parse(&request.user_code_confirm).ok() != Some(user_code.clone()) {
        return Err(
            crate::services::certificate::application::form::user_codes_differ("user_code_confirm"),
        );
    }
    let certificate = presented(&request.certificate_b64)?;
    let now = state.clock.unix();
    if !proof::consume_challenge(state, RENEWAL, &certificate, &request.challenge).await? {
        return Err(RenewalRefusal::ChallengeUnusable.into());
    }
    let row = find(state, &certificate).await?;
    let actor = row.actor(source_ip);
    let signed = proof::signed(
        state,
        RENEWAL,
        &certificate,
        &request.challenge,
        &row.card_number,
        &request.signature_b64,
        &actor,
    )
    .await?;
    if !signed {
        return Err(RenewalRefusal::BadSignature.into());
    }
    if let Some(refusal) = renewable(state, &row, now).await?.refusal() {
        return Err(refusal.into());
    }
    // 申辦資格 (C-1) on today's registry, as for any application.
    let birth_date = NaiveDate::parse_from_str(&row.holder.birth_date, "%Y-%m-%d")
        .map_err(|error| PortalError::unavailable(format!("registry birth date: {error}")))?;
    let facts = RegistryFacts {
        birth_date,
        nationality_registered: row.holder.nationality_registered,
        under_guardianship: row.holder.under_guardianship,
    };
    if let Err(reasons) = eligibility::check(&facts, unix_to_taipei(now).date_naive()) {
        return Err(eligibility::refusal(&reasons));
    }
    let registry = |what: &str| PortalError::unavailable(format!("registry {what} does not parse"));
    let form = ApplicationForm {
        national_id: NationalId::parse(&row.holder.national_id)
            .map_err(|_| registry("ID number"))?,
        name: PersonName::parse(&row.holder.name).map_err(|_| registry("name"))?,
        birth_date: RocDate::from_naive(birth_date).ok_or_else(|| registry("birth date"))?,
        email,
        mobile,
        user_code,
        pin: None,
        captcha_id: String::new(),
        captcha_answer: String::new(),
    };
    let applicant = applications::Applicant {
        citizen_id: row.holder.id,
        name: row.holder.name.clone(),
        facts,
    };
    let summary = applications::submit(
        &state.db,
        &state.seal,
        now,
        &applicant,
        &form,
        &actor,
        applications::Filing::Renewal {
            certificate: row.id,
        },
    )
    .await?;
    let mut conn = state.db.pool.acquire().await?;
    let order = payment::order_of(&mut conn, &summary.reference)
        .await?
        .ok_or_else(|| PortalError::unavailable("a renewal without its payment order"))?;
    Ok(RenewalReceipt {
        checkout_url: checkout(state, &order),
        reference: summary.reference,
        submitted_at: summary.submitted_at,
        fee: FEE,
        postage: POSTAGE,
        email: summary.email,
    })
}

fn mailed(row: HeldRecord) -> MailedCard {
    MailedCard {
        card_number: row.card_number,
        name: row.holder.name,
        not_after: roc_date_time(row.not_after),
        awaiting: row.awaiting_activation,
    }
}

pub async fn mailed_card(
    state: &AppState,
    certificate_b64: &str,
) -> Result<MailedCard, PortalError> {
    let certificate = presented(certificate_b64)?;
    Ok(mailed(find(state, &certificate).await?))
}

/// A card waiting for 開卡 whose certificate checks today, with what the certificate's guard
/// read; or the refusal.
async fn activatable(
    state: &AppState,
    certificate_b64: &str,
) -> Result<(UncheckedCertificate, HeldRecord, CertificateFacts), PortalError> {
    let certificate = presented(certificate_b64)?;
    let row = find(state, &certificate).await?;
    // A card that needs no activation is told so first, whatever its state.
    if !row.awaiting_activation {
        return Err(RenewalRefusal::NotAwaiting.into());
    }
    let valid = proof::decoded(certificate_b64).is_some_and(|der| {
        state
            .trust
            .current()
            .check_certificate(&der, Purpose::CitizenCard, state.clock.unix())
            .is_ok()
    });
    let facts = CertificateFacts {
        in_force: valid,
        awaiting_activation: row.awaiting_activation,
        ..CertificateFacts::default()
    };
    transition::<MoicaCertificate>(
        row.status,
        CertificateAction::Activate,
        Party::Citizen,
        &facts,
    )?;
    Ok((certificate, row, facts))
}

pub async fn begin_activation(
    state: &AppState,
    certificate_b64: &str,
) -> Result<String, PortalError> {
    let (certificate, ..) = activatable(state, certificate_b64).await?;
    proof::issue_challenge(state, ACTIVATION, &certificate).await
}

pub async fn activate(
    state: &AppState,
    certificate_b64: &str,
    challenge: &str,
    signature_b64: &str,
    source_ip: String,
) -> Result<MailedCard, PortalError> {
    let certificate = presented(certificate_b64)?;
    if !proof::consume_challenge(state, ACTIVATION, &certificate, challenge).await? {
        return Err(RenewalRefusal::ChallengeUnusable.into());
    }
    let (certificate, row, facts) = activatable(state, certificate_b64).await?;
    let actor = row.actor(source_ip);
    let signed = proof::signed(
        state,
        ACTIVATION,
        &certificate,
        challenge,
        &row.card_number,
        signature_b64,
        &actor,
    )
    .await?;
    if !signed {
        return Err(RenewalRefusal::BadSignature.into());
    }
    let now = state.clock.unix();
    let mut work = Work::begin(&state.db, &actor, now).await?;
    work.act::<MoicaCertificate>(row.id, row.status, CertificateAction::Activate)
        .set("awaiting_activation", false)
        .set("activated_at", now)
        // 待開卡 is a flag, not a state: this makes a second activation fail.
        .only_if("awaiting_activation = TRUE")
        .run(&facts)
        .await
        .map_err(|error| overtaken_as(error, RenewalRefusal::NotAwaiting))?;
    work.audit("moica_renewal.activate", &row.card_number, &NoDetail {})
        .await?;
    if let Some(email) = &row.email {
        work.mail(&ActivationNotice {
            to: email,
            name: &row.holder.name,
            card_number: &row.card_number,
            at: now,
        })
        .await?;
    }
    work.commit().await?;
    Ok(MailedCard {
        awaiting: false,
        ..mailed(row)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::clock::taipei_to_utc;

    fn at(text: &str) -> i64 {
        let local = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
            .expect("date and time");
        taipei_to_utc(local).timestamp()
    }

    #[test]
    fn c4_online_renewal_opens_60_days_before_the_8_year_expiry_and_closes_a_year_after() {
        let expiry = at("2031-11-17 14:35:04");
        let opens = expiry - 60 * 86_400;
        assert_eq!(
            assess(CertificateStatus::Active, true, expiry, opens - 1),
            Renewable::NotYet {
                opens_on: "120/09/18".into()
            }
        );
        assert_eq!(
            assess(CertificateStatus::Active, true, expiry, opens),
            Renewable::Open
        );
        let closes = at("2032-11-17 14:35:04");
        assert_eq!(
            assess(CertificateStatus::Active, true, expiry, closes - 1),
            Renewable::Open
        );
        assert_eq!(
            assess(CertificateStatus::Active, true, expiry, closes),
            Renewable::Closed
        );
    }

    #[test]
    fn c4_only_an_extended_certificate_that_stayed_valid_renews_online() {
        let expiry = at("2031-11-17 14:35:04");
        assert_eq!(
            assess(CertificateStatus::Active, false, expiry, expiry),
            Renewable::NotExtended
        );
        assert_eq!(
            assess(CertificateStatus::Suspended, true, expiry, expiry),
            Renewable::Suspended
        );
        assert_eq!(
            assess(CertificateStatus::Revoked, true, expiry, expiry),
            Renewable::Revoked
        );
    }
}
