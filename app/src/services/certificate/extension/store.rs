//! The RA's side of 展期 (C-4): the window, the card's proof, the CA's new certificate for the
//! same key, and the record — the row takes the new certificate and remembers the original
//! expiry and the replaced certificate — with the notice mail and the audit row in one unit
//! of work on [`MoicaCertificate`]; then the replaced certificate is revoked.

use super::{CardCertificate, Extendable, Extended, ExtensionRefusal, ACTION};
use crate::cases::actor::Actor;
use crate::cases::machine::{transition, Party, Reason};
use crate::cases::work::{Value, Work};
use crate::cases::Code;
use crate::domain::national_id::NationalId;
use crate::error::PortalError;
use crate::pki::{Purpose, UncheckedCertificate};
use crate::platform::ca::CitizenCertificateRequest;
use crate::platform::clock::{months_after, roc_date_time};
use crate::platform::AppState;
use crate::services::certificate::card_services::store::DelegateDetail;
use crate::services::certificate::cases::{
    overtaken_as, CertificateAction, CertificateFacts, CertificateStatus, MoicaCertificate,
};
use crate::services::certificate::mail::ExtensionNotice;
use crate::services::certificate::proof;
use crate::services::certificate::store::{held, hold_citizen, opens_on, Held, HeldRecord};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Serialize;

/// The end of the extension: [`super::EXTENSION_YEARS`] after the original expiry, in
/// Taipei's calendar. Also the end of the window to ask for it, and the 8-year lapse.
pub fn extended_not_after(original_not_after: i64) -> Option<i64> {
    months_after(original_not_after, 12 * super::EXTENSION_YEARS)
}

/// Where a certificate expiring at `not_after` stands in its window at `now` (C-4): it opens
/// 60 days before expiry ([`Extendable::NotYet`]) and closes 3 years after it.
fn window(not_after: i64, now: i64) -> Extendable {
    if let Some(opens_on) = opens_on(not_after, now) {
        return Extendable::NotYet { opens_on };
    }
    match extended_not_after(not_after) {
        Some(until) if now < until => Extendable::Open {
            until: roc_date_time(until),
        },
        _ => Extendable::Closed,
    }
}

/// What the extension's guard reads of a certificate (extended before or not, expiring at
/// `not_after`) at `now`, and where it stands in its window.
fn facts(extended: bool, not_after: i64, now: i64) -> (CertificateFacts, Extendable) {
    let window = window(not_after, now);
    let facts = CertificateFacts {
        in_force: now < not_after,
        extended,
        window: window.window(),
        ..CertificateFacts::default()
    };
    (facts, window)
}

/// Whether a certificate (`status` as recorded, extended before or not, expiring at
/// `not_after`) can be extended at `now` (C-4), as [`MoicaCertificate`] decides: from 60 days
/// before expiry until 3 years after it, once, while neither suspended nor revoked.
pub fn assess(status: CertificateStatus, extended: bool, not_after: i64, now: i64) -> Extendable {
    let (facts, window) = facts(extended, not_after, now);
    match transition::<MoicaCertificate>(status, CertificateAction::Extend, Party::Citizen, &facts)
    {
        Ok(_) => window,
        Err(refused) if refused.reason == Reason::NotNow => match status {
            CertificateStatus::Suspended => Extendable::Suspended,
            _ => Extendable::Revoked,
        },
        Err(_) if extended => Extendable::AlreadyExtended,
        Err(_) => window,
    }
}

/// What the extension's guard reads of `row` at `now`.
fn facts_of(row: &HeldRecord, now: i64) -> CertificateFacts {
    facts(row.original_not_after.is_some(), row.not_after, now).0
}

/// The certificate a card presented, decoded; not one at all is [`ExtensionRefusal::NotFound`].
fn presented(certificate_b64: &str) -> Result<UncheckedCertificate, PortalError> {
    proof::presented(certificate_b64).ok_or_else(|| ExtensionRefusal::NotFound.into())
}

/// The record of the certificate with this fingerprint, or of the one that replaced it (then
/// `true`: the card still holds the replaced one).
async fn find(state: &AppState, fingerprint: &str) -> Result<(HeldRecord, bool), PortalError> {
    let row = held(&state.db.pool, Held::CertificateOrReplaced(fingerprint))
        .await?
        .ok_or(ExtensionRefusal::NotFound)?;
    let replaced = row.certificate_sha256 != fingerprint;
    Ok((row, replaced))
}

/// Where the certificate of `row` stands for an extension at `now`: its own window and state,
/// and whether the holder has another certificate in force (C-2).
async fn extendable(
    state: &AppState,
    row: &HeldRecord,
    replaced: bool,
    now: i64,
) -> Result<Extendable, PortalError> {
    if replaced {
        return Ok(Extendable::NotWritten);
    }
    let extendable = assess(
        row.status,
        row.original_not_after.is_some(),
        row.not_after,
        now,
    );
    if extendable.refusal().is_none()
        && row
            .superseded(&mut *state.db.pool.acquire().await?, now)
            .await?
    {
        return Ok(Extendable::Superseded);
    }
    Ok(extendable)
}

pub async fn status(
    state: &AppState,
    certificate_b64: &str,
) -> Result<CardCertificate, PortalError> {
    let certificate = presented(certificate_b64)?;
    let (row, replaced) = find(state, &certificate.fingerprint_sha256).await?;
    Ok(CardCertificate {
        extendable: extendable(state, &row, replaced, state.clock.unix()).await?,
        card_number: row.card_number,
        name: row.holder.name,
        not_after: roc_date_time(row.not_after),
    })
}

pub async fn begin(state: &AppState, certificate_b64: &str) -> Result<String, PortalError> {
    if state.moica_ca.is_none() {
        return Err(ExtensionRefusal::NoAuthority.into());
    }
    let now = state.clock.unix();
    let certificate = presented(certificate_b64)?;
    let (row, replaced) = find(state, &certificate.fingerprint_sha256).await?;
    if let Some(refusal) = extendable(state, &row, replaced, now).await?.refusal() {
        return Err(refusal.into());
    }
    proof::issue_challenge(state, ACTION, &certificate).await
}

pub async fn extend(
    state: &AppState,
    certificate_b64: &str,
    challenge: &str,
    signature_b64: &str,
    source_ip: String,
) -> Result<Extended, PortalError> {
    let certificate = presented(certificate_b64)?;
    if state.moica_ca.is_none() {
        return Err(ExtensionRefusal::NoAuthority.into());
    }
    let now = state.clock.unix();
    // Used up first, whatever follows: one challenge, one attempt.
    if !proof::consume_challenge(state, ACTION, &certificate, challenge).await? {
        return Err(ExtensionRefusal::ChallengeUnusable.into());
    }
    let (row, replaced) = find(state, &certificate.fingerprint_sha256).await?;
    let holder = row.actor(source_ip);
    let signed = proof::signed(
        state,
        ACTION,
        &certificate,
        challenge,
        &row.card_number,
        signature_b64,
        &holder,
    )
    .await?;
    if !signed {
        return Err(ExtensionRefusal::BadSignature.into());
    }
    if let Some(refusal) = extendable(state, &row, replaced, now).await?.refusal() {
        return Err(refusal.into());
    }
    issue(state, &row, &certificate, now, &holder, None).await
}

/// Where an extension was done, beyond the holder's own online step: at a counter, for the
/// holder or a delegate (the audit log names them by masked ID number).
#[derive(Serialize)]
pub struct AtCounter<'a> {
    /// Always `counter`.
    channel: &'static str,
    delegate: Option<DelegateDetail<'a>>,
}

/// The audit detail of `moica_extension.extend`.
#[derive(Serialize)]
struct ExtensionDetail<'a> {
    replaced_serial: &'a str,
    serial: &'a str,
    not_after: i64,
    /// Staff accounts bound to the card that follow it to the new certificate (F-6).
    staff_accounts: u64,
    #[serde(flatten)]
    counter: Option<AtCounter<'a>>,
}

/// 展期 at a counter (C-4) by `actor` (a registrar) for the holder or `delegate`: the
/// certificate in force on card `card_number`, if its window is open; the new certificate and
/// the card's public key (for the card management centre).
pub async fn extend_at_counter(
    state: &AppState,
    card_number: &str,
    actor: &Actor,
    delegate: Option<DelegateDetail<'_>>,
) -> Result<(Extended, Vec<u8>), PortalError> {
    let fingerprint: Option<String> = sqlx::query_scalar(
        "SELECT certificate_sha256 FROM moica_certificates \
         WHERE card_number = $1 AND status IN ($2, $3)",
    )
    .bind(card_number)
    .bind(CertificateStatus::Active.code())
    .bind(CertificateStatus::Suspended.code())
    .fetch_optional(&state.db.pool)
    .await?;
    let (row, _) = find(state, &fingerprint.ok_or(ExtensionRefusal::NotFound)?).await?;
    let certificate = row
        .certificate_der
        .as_deref()
        .and_then(proof::presented)
        .ok_or(ExtensionRefusal::NotFound)?;
    let now = state.clock.unix();
    if let Some(refusal) = extendable(state, &row, false, now).await?.refusal() {
        return Err(refusal.into());
    }
    let counter = AtCounter {
        channel: "counter",
        delegate,
    };
    let extended = issue(state, &row, &certificate, now, actor, Some(counter)).await?;
    Ok((extended, certificate.public_key_spki))
}

/// The CA certifies the card's key until the original expiry + 3 years; the row takes the new
/// certificate, and the replaced one is revoked (or, if the record failed, the new one).
async fn issue(
    state: &AppState,
    row: &HeldRecord,
    certificate: &UncheckedCertificate,
    now: i64,
    actor: &Actor,
    counter: Option<AtCounter<'_>>,
) -> Result<Extended, PortalError> {
    let Some(ca) = state.moica_ca.clone() else {
        return Err(ExtensionRefusal::NoAuthority.into());
    };
    let national_id = NationalId::parse(&row.holder.national_id)
        .map_err(|_| PortalError::unavailable("registry ID number does not parse"))?;
    let until = extended_not_after(row.not_after)
        .ok_or_else(|| PortalError::unavailable("validity out of range"))?;
    let request = CitizenCertificateRequest {
        name: &row.holder.name,
        id_last4: national_id.last4(),
        not_before: now,
        not_after: until,
        public_key_spki: &certificate.public_key_spki,
    };
    let der = ca.certify_citizen_card(&request).map_err(|error| {
        tracing::warn!(%error, "the CA did not extend a certificate");
        ExtensionRefusal::AuthorityFailed
    })?;
    let checked = state
        .trust
        .current()
        .check_certificate(&der, Purpose::CitizenCard, now)
        .ok()
        .filter(|checked| checked.public_key_spki() == certificate.public_key_spki.as_slice());
    let recorded = match &checked {
        Some(extended) => record(state, row, certificate, extended, now, actor, counter).await,
        None => Err(ExtensionRefusal::AuthorityFailed.into()),
    };
    let (revoke, outcome) = match recorded {
        Ok(extended) => (row.serial.clone(), Ok(extended)),
        // Not recorded (extended a moment ago by another request, a fault): the new
        // certificate must not stay valid anywhere.
        Err(error) => (
            crate::pki::certificate_serial_hex(&der).unwrap_or_default(),
            Err(error),
        ),
    };
    // Recorded: the replaced certificate is revoked, so the card carries one valid certificate.
    if let Err(error) = ca.revoke(&revoke, now) {
        tracing::error!(%error, serial = %revoke, "a certificate could not be revoked");
    } else if let Err(error) = state.trust.reload() {
        tracing::error!(%error, "the trust store could not be reloaded after a revocation");
    }
    outcome
}

/// The extension as one unit of work: the row takes the new certificate and keeps the
/// original expiry and the replaced fingerprint (only if it still holds the certificate the
/// card presented and was never extended), a staff account bound to the card follows it, the
/// holder is mailed and the registrar's or holder's step audited.
async fn record(
    state: &AppState,
    row: &HeldRecord,
    replaced: &UncheckedCertificate,
    extended: &crate::pki::CheckedCertificate,
    now: i64,
    actor: &Actor,
    counter: Option<AtCounter<'_>>,
) -> Result<Extended, PortalError> {
    let mut work = Work::begin(&state.db, actor, now).await?;
    // Again inside the unit of work: a card issued to the holder since (補領 at a counter)
    // stops the extension, so that one person never holds two certificates in force (C-2).
    hold_citizen(work.conn(), row.holder.id).await?;
    if row.superseded(work.conn(), now).await? {
        return Err(ExtensionRefusal::Superseded.into());
    }
    work.act::<MoicaCertificate>(row.id, row.status, CertificateAction::Extend)
        .set("serial", extended.serial_hex())
        .set("certificate_sha256", extended.fingerprint_sha256())
        .set("certificate_der", STANDARD.encode(extended.der()))
        .set("not_before", extended.not_before())
        .set("not_after", extended.not_after())
        .set("extended_at", now)
        .set("expiry_notice_at", Value::Int(None))
        .copy("original_not_after", "not_after")
        .copy("previous_sha256", "certificate_sha256")
        .only_if_equals("certificate_sha256", replaced.fingerprint_sha256.as_str())
        .only_if("original_not_after IS NULL")
        .run(&facts_of(row, now))
        .await
        // Extended a moment ago by another request.
        .map_err(|error| overtaken_as(error, ExtensionRefusal::AlreadyExtended))?;
    // A staff account bound to the card (F-6) follows it to the new certificate.
    let staff_accounts = sqlx::query(
        "UPDATE staff SET certificate_sha256 = $1, certificate_serial = $2, \
             certificate_not_after = $3 \
         WHERE certificate_sha256 = $4",
    )
    .bind(extended.fingerprint_sha256())
    .bind(extended.serial_hex())
    .bind(extended.not_after())
    .bind(&replaced.fingerprint_sha256)
    .execute(&mut *work.conn())
    .await?
    .rows_affected();
    let done = Extended {
        card_number: row.card_number.clone(),
        serial: extended.serial_hex().to_owned(),
        not_after: roc_date_time(extended.not_after()),
        certificate_b64: STANDARD.encode(extended.der()),
    };
    if let Some(email) = &row.email {
        work.mail(&ExtensionNotice {
            to: email,
            name: &row.holder.name,
            card_number: &done.card_number,
            serial: &done.serial,
            until: &done.not_after,
            at: now,
        })
        .await?;
    }
    let detail = ExtensionDetail {
        replaced_serial: &row.serial,
        serial: &done.serial,
        not_after: extended.not_after(),
        staff_accounts,
        counter,
    };
    work.audit("moica_extension.extend", &row.card_number, &detail)
        .await?;
    work.commit().await?;
    Ok(done)
}

pub async fn extended(state: &AppState, certificate_b64: &str) -> Result<Extended, PortalError> {
    let certificate = presented(certificate_b64)?;
    let (row, replaced) = find(state, &certificate.fingerprint_sha256).await?;
    let (true, Some(der)) = (replaced, row.certificate_der) else {
        return Err(ExtensionRefusal::NotFound.into());
    };
    Ok(Extended {
        card_number: row.card_number,
        serial: row.serial,
        not_after: roc_date_time(row.not_after),
        certificate_b64: der,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::clock::taipei_to_utc;
    use chrono::NaiveDate;

    fn at(date: &str, time: &str) -> i64 {
        let local = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .expect("date")
            .and_time(chrono::NaiveTime::parse_from_str(time, "%H:%M:%S").expect("time"));
        taipei_to_utc(local).timestamp()
    }

    #[test]
    fn c4_the_window_opens_60_days_before_expiry_and_closes_3_years_after() {
        let expiry = at("2031-11-29", "14:00:00");
        let opens = expiry - 60 * 86_400;
        assert!(matches!(
            assess(CertificateStatus::Active, false, expiry, opens - 1),
            Extendable::NotYet { opens_on } if opens_on == "120/09/30"
        ));
        assert_eq!(
            assess(CertificateStatus::Active, false, expiry, opens),
            Extendable::Open {
                until: "123/11/29 14:00:00".into()
            }
        );
        // After expiry, until the 3 years counted from it are over.
        let closes = at("2034-11-29", "14:00:00");
        assert!(matches!(
            assess(CertificateStatus::Active, false, expiry, closes - 1),
            Extendable::Open { .. }
        ));
        assert_eq!(
            assess(CertificateStatus::Active, false, expiry, closes),
            Extendable::Closed
        );
    }

    #[test]
    fn c4_only_once_and_only_an_active_certificate() {
        let expiry = at("2031-11-29", "14:00:00");
        let inside = expiry - 86_400;
        assert_eq!(
            assess(CertificateStatus::Active, true, expiry, inside),
            Extendable::AlreadyExtended
        );
        assert_eq!(
            assess(CertificateStatus::Suspended, false, expiry, inside),
            Extendable::Suspended
        );
        assert_eq!(
            assess(CertificateStatus::Revoked, false, expiry, inside),
            Extendable::Revoked
        );
    }

    #[test]
    fn c4_the_extension_counts_from_the_original_expiry_in_taipei() {
        // 29 February + 3 years is 28 February in Taipei's calendar.
        let leap = at("2028-02-29", "09:30:00");
        assert_eq!(extended_not_after(leap), Some(at("2031-02-28", "09:30:00")));
    }
}
