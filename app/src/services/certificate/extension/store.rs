//! The RA's side of 展期 (C-4): the window, the card's proof, the CA's new certificate for the
//! same key, and the record — the row takes the new certificate and remembers the original
//! expiry and the replaced certificate — with the notice mail and the audit row in one
//! transaction; then the replaced certificate is revoked.

use super::{CardCertificate, Extendable, Extended, ExtensionRefusal, ACTION};
use crate::domain::national_id::NationalId;
use crate::error::PortalError;
use crate::pki::{Purpose, UncheckedCertificate};
use crate::platform::audit::{self, AuditEvent, CitizenActor};
use crate::platform::ca::CitizenCertificateRequest;
use crate::platform::clock::{months_after, roc_date_time};
use crate::platform::{outbox, AppState};
use crate::services::certificate::proof;
use crate::services::certificate::store::opens_on;
use crate::services::staff::StaffMember;
use base64::{engine::general_purpose::STANDARD, Engine};

/// The end of the extension: [`super::EXTENSION_YEARS`] after the original expiry, in
/// Taipei's calendar. Also the end of the window to ask for it, and the 8-year lapse.
pub fn extended_not_after(original_not_after: i64) -> Option<i64> {
    months_after(original_not_after, 12 * super::EXTENSION_YEARS)
}

/// Whether a certificate (`status` as recorded, extended before or not, expiring at
/// `not_after`) can be extended at `now` (C-4): from 60 days before expiry until 3 years after
/// it, once, while neither suspended nor revoked.
pub fn assess(status: &str, extended: bool, not_after: i64, now: i64) -> Extendable {
    match status {
        "revoked" => return Extendable::Revoked,
        "suspended" => return Extendable::Suspended,
        _ => {}
    }
    if extended {
        return Extendable::AlreadyExtended;
    }
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

/// A recorded certificate with its holder.
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    card_number: String,
    serial: String,
    status: String,
    not_after: i64,
    original_not_after: Option<i64>,
    certificate_sha256: String,
    certificate_der: Option<String>,
    email: Option<String>,
    name: String,
    national_id: String,
}

impl Row {
    fn actor(&self, source_ip: String) -> CitizenActor {
        proof::holder(&self.national_id, source_ip)
    }
}

/// The certificate a card presented, decoded; not one at all is [`ExtensionRefusal::NotFound`].
fn presented(certificate_b64: &str) -> Result<UncheckedCertificate, PortalError> {
    proof::presented(certificate_b64).ok_or_else(|| ExtensionRefusal::NotFound.into())
}

/// The record of the certificate with this fingerprint, or of the one that replaced it (then
/// `true`: the card still holds the replaced one).
async fn find(state: &AppState, fingerprint: &str) -> Result<(Row, bool), PortalError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT m.id, m.card_number, m.serial, m.status, m.not_after, m.original_not_after, \
                m.certificate_sha256, m.certificate_der, m.email, c.name, c.national_id \
         FROM moica_certificates m JOIN citizens c ON c.id = m.citizen_id \
         WHERE m.certificate_sha256 = $1 OR m.previous_sha256 = $1 \
         ORDER BY m.id DESC LIMIT 1",
    )
    .bind(fingerprint)
    .fetch_optional(&state.db.pool)
    .await
    .map_err(PortalError::unavailable)?;
    let row = row.ok_or(ExtensionRefusal::NotFound)?;
    let replaced = row.certificate_sha256 != fingerprint;
    Ok((row, replaced))
}

fn extendable(row: &Row, replaced: bool, now: i64) -> Extendable {
    if replaced {
        Extendable::NotWritten
    } else {
        assess(
            &row.status,
            row.original_not_after.is_some(),
            row.not_after,
            now,
        )
    }
}

pub async fn status(
    state: &AppState,
    certificate_b64: &str,
) -> Result<CardCertificate, PortalError> {
    let certificate = presented(certificate_b64)?;
    let (row, replaced) = find(state, &certificate.fingerprint_sha256).await?;
    Ok(CardCertificate {
        extendable: extendable(&row, replaced, state.clock.unix()),
        card_number: row.card_number,
        name: row.name,
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
    if let Some(refusal) = extendable(&row, replaced, now).refusal() {
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
    let actor = row.actor(source_ip);
    let signed = proof::signed(
        state,
        ACTION,
        &certificate,
        challenge,
        &row.card_number,
        signature_b64,
        &actor,
    )
    .await?;
    if !signed {
        return Err(ExtensionRefusal::BadSignature.into());
    }
    if let Some(refusal) = extendable(&row, replaced, now).refusal() {
        return Err(refusal.into());
    }
    issue(state, &row, &certificate, now, &Extender::Holder(&actor)).await
}

/// Who extends: the holder with the card online, or a registrar at a counter for the holder or
/// a delegate (`delegate`: the audit detail naming them, or null).
pub enum Extender<'a> {
    Holder(&'a CitizenActor),
    Counter {
        member: &'a StaffMember,
        delegate: serde_json::Value,
    },
}

impl Extender<'_> {
    fn audit(&self, subject: &str, mut detail: serde_json::Value) -> AuditEvent {
        match self {
            Extender::Holder(actor) => {
                actor.audit("moica_extension.extend", subject, detail.to_string())
            }
            Extender::Counter { member, delegate } => {
                detail["channel"] = "counter".into();
                detail["delegate"] = delegate.clone();
                member.audit("moica_extension.extend", subject, detail)
            }
        }
    }
}

/// 展期 at a counter (C-4): the certificate in force on card `card_number`, if its window is
/// open; the new certificate and the card's public key (for the card management centre).
pub async fn extend_at_counter(
    state: &AppState,
    card_number: &str,
    extender: &Extender<'_>,
) -> Result<(Extended, Vec<u8>), PortalError> {
    let fingerprint: Option<String> = sqlx::query_scalar(
        "SELECT certificate_sha256 FROM moica_certificates \
         WHERE card_number = $1 AND status IN ('active', 'suspended')",
    )
    .bind(card_number)
    .fetch_optional(&state.db.pool)
    .await
    .map_err(PortalError::unavailable)?;
    let (row, _) = find(state, &fingerprint.ok_or(ExtensionRefusal::NotFound)?).await?;
    let certificate = row
        .certificate_der
        .as_deref()
        .and_then(proof::presented)
        .ok_or(ExtensionRefusal::NotFound)?;
    let now = state.clock.unix();
    if let Some(refusal) = extendable(&row, false, now).refusal() {
        return Err(refusal.into());
    }
    let extended = issue(state, &row, &certificate, now, extender).await?;
    Ok((extended, certificate.public_key_spki))
}

/// The CA certifies the card's key until the original expiry + 3 years; the row takes the new
/// certificate, and the replaced one is revoked (or, if the record failed, the new one).
async fn issue(
    state: &AppState,
    row: &Row,
    certificate: &UncheckedCertificate,
    now: i64,
    extender: &Extender<'_>,
) -> Result<Extended, PortalError> {
    let Some(ca) = state.moica_ca.clone() else {
        return Err(ExtensionRefusal::NoAuthority.into());
    };
    let national_id = NationalId::parse(&row.national_id)
        .map_err(|_| PortalError::unavailable("registry ID number does not parse"))?;
    let until = extended_not_after(row.not_after)
        .ok_or_else(|| PortalError::unavailable("validity out of range"))?;
    let request = CitizenCertificateRequest {
        name: &row.name,
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
        Some(extended) => record(state, row, certificate, extended, now, extender).await,
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

async fn record(
    state: &AppState,
    row: &Row,
    replaced: &UncheckedCertificate,
    extended: &crate::pki::CheckedCertificate,
    now: i64,
    extender: &Extender<'_>,
) -> Result<Extended, PortalError> {
    let fail = PortalError::unavailable;
    let mut tx = state.db.begin_write().await.map_err(fail)?;
    // The right-hand sides read the row as it was: the original expiry and fingerprint.
    let updated = sqlx::query(
        "UPDATE moica_certificates SET serial = $1, certificate_sha256 = $2, \
             certificate_der = $3, not_before = $4, not_after = $5, \
             original_not_after = not_after, previous_sha256 = certificate_sha256, \
             extended_at = $6, expiry_notice_at = NULL \
         WHERE id = $7 AND certificate_sha256 = $8 AND status = 'active' \
           AND original_not_after IS NULL",
    )
    .bind(extended.serial_hex())
    .bind(extended.fingerprint_sha256())
    .bind(STANDARD.encode(extended.der()))
    .bind(extended.not_before())
    .bind(extended.not_after())
    .bind(now)
    .bind(row.id)
    .bind(&replaced.fingerprint_sha256)
    .execute(&mut *tx)
    .await
    .map_err(fail)?
    .rows_affected();
    if updated != 1 {
        return Err(ExtensionRefusal::AlreadyExtended.into());
    }
    // A staff account bound to the card (F-6) follows it to the new certificate.
    let staff = sqlx::query(
        "UPDATE staff SET certificate_sha256 = $1, certificate_serial = $2, \
             certificate_not_after = $3 \
         WHERE certificate_sha256 = $4",
    )
    .bind(extended.fingerprint_sha256())
    .bind(extended.serial_hex())
    .bind(extended.not_after())
    .bind(&replaced.fingerprint_sha256)
    .execute(&mut *tx)
    .await
    .map_err(fail)?
    .rows_affected();
    let done = Extended {
        card_number: row.card_number.clone(),
        serial: extended.serial_hex().to_owned(),
        not_after: roc_date_time(extended.not_after()),
        certificate_b64: STANDARD.encode(extended.der()),
    };
    if let Some(email) = &row.email {
        notify(&mut tx, now, email, &row.name, &done)
            .await
            .map_err(fail)?;
    }
    let event = extender.audit(
        &row.card_number,
        serde_json::json!({
            "replaced_serial": row.serial,
            "serial": done.serial,
            "not_after": extended.not_after(),
            "staff_accounts": staff,
        }),
    );
    audit::append(&mut tx, now, &event).await.map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    Ok(done)
}

/// 憑證展期通知.
async fn notify(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    email: &str,
    name: &str,
    extended: &Extended,
) -> sqlx::Result<i64> {
    outbox::enqueue(
        conn,
        now,
        email,
        "自然人憑證展期通知 / Citizen certificate extended",
        &format!(
            "{name} 您好：\n\n您的自然人憑證（IC 卡號 {card}）已於 {at} 完成線上展期。\n\
             新憑證序號：{serial}\n憑證效期至：{until}\n\
             每張憑證限展期一次；效期屆滿後請辦理續卡或重新申請。\n\
             如非本人辦理，請立即洽戶政事務所辦理停用，或撥打內政服務熱線 1996。\n\n\
             Your citizen certificate (card {card}) was extended online on {at}. New \
             certificate serial {serial}, valid until {until}. A certificate can be extended \
             only once; renew it or apply again when it expires. If you did not do this, \
             contact a household registration office at once to suspend it, or call 1996.\n",
            card = extended.card_number,
            at = roc_date_time(now),
            serial = extended.serial,
            until = extended.not_after,
        ),
    )
    .await
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
            assess("active", false, expiry, opens - 1),
            Extendable::NotYet { opens_on } if opens_on == "120/09/30"
        ));
        assert_eq!(
            assess("active", false, expiry, opens),
            Extendable::Open {
                until: "123/11/29 14:00:00".into()
            }
        );
        // After expiry, until the 3 years counted from it are over.
        let closes = at("2034-11-29", "14:00:00");
        assert!(matches!(
            assess("active", false, expiry, closes - 1),
            Extendable::Open { .. }
        ));
        assert_eq!(assess("active", false, expiry, closes), Extendable::Closed);
    }

    #[test]
    fn c4_only_once_and_only_an_active_certificate() {
        let expiry = at("2031-11-29", "14:00:00");
        let inside = expiry - 86_400;
        assert_eq!(
            assess("active", true, expiry, inside),
            Extendable::AlreadyExtended
        );
        assert_eq!(
            assess("suspended", false, expiry, inside),
            Extendable::Suspended
        );
        assert_eq!(
            assess("revoked", false, expiry, inside),
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
