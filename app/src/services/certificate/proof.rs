//! A citizen card proving itself without an account — 展期, 續卡 and 開卡 (C-4) need no sign-in,
//! as the certificate may have expired or not be active yet: the RA hands out a single-use
//! challenge bound to the certificate on the card, the card signs a statement of it with its
//! PIN, and the RA checks that signature against the certificate it recorded.

/// What the card signs for `action` (`extension`, `renewal`, `activation`): the challenge and
/// the card number, so that a signature serves that one step only.
pub fn card_statement(action: &str, challenge: &str, card_number: &str) -> String {
    format!("huji-moica-{action}/1\nchallenge={challenge}\ncard={card_number}\n")
}

#[cfg(feature = "ssr")]
pub use server::*;

use crate::components::helper_client::{self as helper, CardReader};
use crate::domain::field_kind::FieldKind;
use crate::domain::pin::CardPin;
use crate::i18n::Lang;
use base64::{engine::general_purpose::STANDARD, Engine};
use card_helper::protocol::{SignRequest, SignResponse};
use leptos::html;
use leptos::prelude::*;

/// The card's PIN typed, checked and emptied; `None` (with the error shown) if it does not parse.
pub fn take_pin(
    input: NodeRef<html::Input>,
    error: RwSignal<Option<String>>,
    lang: Lang,
) -> Option<String> {
    let typed = input
        .get_untracked()
        .map(|input| input.value())
        .unwrap_or_default();
    error.set(FieldKind::CardPin.check(&typed, lang).map(str::to_owned));
    let pin = CardPin::parse(&typed).ok()?;
    if let Some(input) = input.get_untracked() {
        input.set_value("");
    }
    Some(pin.expose().to_owned())
}

/// Has the card in `card`'s reader sign the statement of `action` for `challenge` with `pin`.
pub async fn card_signs<T: Clone + Send + Sync + 'static>(
    card: CardReader<T>,
    action: &str,
    challenge: &str,
    card_number: &str,
    pin: String,
    lang: Lang,
) -> Result<SignResponse, String> {
    let request = SignRequest {
        challenge_b64: STANDARD.encode(card_statement(action, challenge, card_number)),
        pin,
        reader: Some(card.reader.get_untracked()),
    };
    helper::sign(&card.base(), &request)
        .await
        .map_err(|error| error.message(lang))
}

#[cfg(feature = "ssr")]
mod server {
    use super::card_statement;
    use crate::cases::actor::Actor;
    use crate::error::PortalError;
    use crate::pki::UncheckedCertificate;
    use crate::platform::audit;
    use crate::platform::{auth, challenge, rate_limit, AppState};
    use base64::{engine::general_purpose::STANDARD, Engine};

    /// The holder acting with their card, named in the audit log by the masked ID number.
    pub fn holder(national_id: &str, source_ip: String) -> Actor {
        let masked = crate::domain::national_id::NationalId::parse(national_id)
            .map(|id| id.masked())
            .unwrap_or_default();
        Actor::citizen(&masked, source_ip)
    }

    /// The DER of a certificate the card helper read (standard base64).
    pub fn decoded(certificate_b64: &str) -> Option<Vec<u8>> {
        STANDARD.decode(certificate_b64.trim()).ok()
    }

    /// The certificate a card presented (DER, standard base64), decoded; `None` if it is not one.
    pub fn presented(certificate_b64: &str) -> Option<UncheckedCertificate> {
        decoded(certificate_b64).and_then(|der| UncheckedCertificate::read(&der))
    }

    fn purpose(action: &str, certificate: &UncheckedCertificate) -> String {
        format!("moica-{action}:{}", certificate.fingerprint_sha256)
    }

    /// A challenge for `action` on this certificate only.
    pub async fn issue_challenge(
        state: &AppState,
        action: &str,
        certificate: &UncheckedCertificate,
    ) -> Result<String, PortalError> {
        let challenge = challenge::issue_to_client(
            &state.db.pool,
            state.clock.unix(),
            &purpose(action, certificate),
            &auth::client_buckets(),
        )
        .await?
        .map_err(rate_limit::too_many_requests)?;
        Ok(challenge.value)
    }

    /// Uses the challenge up (one challenge, one attempt); whether it was good for `action` on
    /// this certificate.
    pub async fn consume_challenge(
        state: &AppState,
        action: &str,
        certificate: &UncheckedCertificate,
        value: &str,
    ) -> Result<bool, PortalError> {
        let purpose = purpose(action, certificate);
        let outcome =
            challenge::consume(&state.db.pool, state.clock.unix(), value, &purpose).await?;
        Ok(outcome.is_ok())
    }

    /// Whether the card signed the statement of `action` for this challenge and card; a
    /// signature that does not verify is audited as `moica_<action>.refused`, up to
    /// [`audit::REFUSALS`] a card, past which the visitor waits (429) and nothing is written.
    pub async fn signed(
        state: &AppState,
        action: &str,
        certificate: &UncheckedCertificate,
        challenge: &str,
        card_number: &str,
        signature_b64: &str,
        actor: &Actor,
    ) -> Result<bool, PortalError> {
        let signed = state
            .settings
            .card_signed(card_statement(action, challenge, card_number).as_bytes());
        let good = STANDARD
            .decode(signature_b64.trim())
            .is_ok_and(|signature| certificate.verifies_rs256(&signed, &signature));
        if !good {
            let event = actor.event(
                &format!("moica_{action}.refused"),
                card_number,
                &serde_json::json!({ "reason": "BadSignature" }),
            );
            let bucket = format!("moica-refusal:{card_number}");
            audit::record_refusal(&state.db, state.clock.unix(), &bucket, &event).await?;
        }
        Ok(good)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c4_the_statement_binds_the_step_challenge_and_card() {
        assert_eq!(
            card_statement("extension", "c", "TP03000000087321"),
            "huji-moica-extension/1\nchallenge=c\ncard=TP03000000087321\n"
        );
        assert_ne!(
            card_statement("renewal", "c", "TP03000000087321"),
            card_statement("activation", "c", "TP03000000087321")
        );
    }
}
