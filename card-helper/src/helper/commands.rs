//! The helper's closed set of commands, one handler each, as in web-eid-app's `CommandType`.

use crate::backend::Backend;
use crate::client::CardClient;
use crate::personalisation::TransportKey;
use crate::profile::MAX_TRIES;
use crate::protocol::*;
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Longest challenge the helper signs, in bytes.
const MAX_CHALLENGE_LEN: usize = 1024;

/// Every request the helper understands.
#[derive(Debug)]
pub enum Command {
    Version,
    Readers,
    Certificate(ReaderQuery),
    /// Signs for the page of this origin (checked by the origin guard).
    Sign(SignRequest, PageOrigin),
    PinStatus(ReaderQuery),
    /// 鎖卡解碼.
    UnlockPin(UnlockPinRequest),
    ChangePin(ChangePinRequest),
    /// Personalisation at the counter (C-2): PIN, 用戶代碼 and a key generated on the card.
    IssueKey(IssueKeyRequest, PageOrigin),
    /// Personalisation at the counter (C-2): the issued certificate, then 開卡, for the page
    /// of this origin that had the key made.
    WriteCertificate(WriteCertificateRequest, PageOrigin),
    /// 展期 (C-4): the certificate of an activated card replaced by one for the same key.
    ReplaceCertificate(ReplaceCertificateRequest),
    /// 用戶代碼重設 (C-3): the card's reset counter, which the authorisation covers…
    ResetCounter(ReaderQuery),
    /// … and the reset itself.
    ResetUserCode(ResetUserCodeRequest),
    /// 展期 at a counter (C-4): the certificate replaced on the management centre's authority.
    AuthorizedReplace(AuthorizedReplaceRequest),
}

/// The successful answer of each command.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Reply {
    Version(VersionResponse),
    Readers(ReadersResponse),
    Certificate(CertificateResponse),
    Signature(SignResponse),
    PinStatus(PinStatusResponse),
    PublicKey(IssueKeyResponse),
    ResetCounter(ResetCounterResponse),
}

impl Command {
    /// The name used in logs; never the request's content.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Version => "version",
            Command::Readers => "readers",
            Command::Certificate(_) => "certificate",
            Command::Sign(..) => "sign",
            Command::PinStatus(_) => "pin-status",
            Command::UnlockPin(_) => "pin-unlock",
            Command::ChangePin(_) => "pin-change",
            Command::IssueKey(..) => "issue-key",
            Command::WriteCertificate(..) => "issue-certificate",
            Command::ReplaceCertificate(_) => "replace-certificate",
            Command::ResetCounter(_) => "reset-counter",
            Command::ResetUserCode(_) => "reset-user-code",
            Command::AuthorizedReplace(_) => "replace-certificate-authorized",
        }
    }

    /// Runs the command; blocking, since PC/SC calls are. A try of a PIN or 用戶代碼 waits its
    /// turn in `pace`.
    pub fn execute(
        self,
        backend: &Backend,
        pace: &PinPace,
        personalising: &Personalising,
    ) -> Result<Reply, HelperError> {
        match self {
            Command::Version => Ok(version(backend)),
            Command::Readers => readers(backend),
            Command::Certificate(query) => certificate(backend, query.reader.as_deref()),
            Command::Sign(request, origin) => sign(backend, pace, &request, &origin),
            Command::PinStatus(query) => pin_status(backend, query.reader.as_deref()),
            Command::UnlockPin(request) => unlock_pin(backend, pace, &request),
            Command::ChangePin(request) => change_pin(backend, pace, &request),
            Command::IssueKey(request, origin) => {
                issue_key(backend, personalising, &request, &origin)
            }
            Command::WriteCertificate(request, origin) => {
                write_certificate(backend, personalising, &request, &origin)
            }
            Command::ReplaceCertificate(request) => replace_certificate(backend, &request),
            Command::ResetCounter(query) => reset_counter(backend, query.reader.as_deref()),
            Command::ResetUserCode(request) => reset_user_code(backend, &request),
            Command::AuthorizedReplace(request) => authorized_replace(backend, &request),
        }
    }
}

/// The origin of the page that sent a request, as the origin guard matched it.
#[derive(Clone, Debug)]
pub struct PageOrigin(pub String);

/// Paces the PIN and 用戶代碼 tries made through the helper, card by card (issue 21 item 4):
/// after a wrong one the card's next try waits 1 s, after two in a row 2 s, then
/// [`PinPace::LONGEST`], so that a page cannot spend a card's tries faster than a person types
/// them. A right one ends the pacing.
#[derive(Debug, Default)]
pub struct PinPace(Mutex<HashMap<String, Pace>>);

#[derive(Clone, Copy, Debug)]
struct Pace {
    wrong_in_a_row: u32,
    last_wrong: Instant,
}

impl PinPace {
    pub const LONGEST: Duration = Duration::from_secs(3);

    /// Runs `attempt`, a try of a PIN or 用戶代碼 on the card in `reader`, in its turn. The card
    /// is held throughout (`Backend::with_card`), so tries on one card follow one another.
    fn paced<R>(
        &self,
        reader: &str,
        attempt: impl FnOnce() -> Result<R, HelperError>,
    ) -> Result<R, HelperError> {
        let pace = self.lock().get(reader).copied();
        if let Some(pace) = pace {
            let wait = (Duration::from_secs(1) * pace.wrong_in_a_row).min(Self::LONGEST);
            std::thread::sleep(wait.saturating_sub(pace.last_wrong.elapsed()));
        }
        let outcome = attempt();
        match &outcome {
            Err(
                HelperError::WrongPin { .. }
                | HelperError::PinBlocked
                | HelperError::WrongUserCode { .. }
                | HelperError::UserCodeBlocked,
            ) => {
                let mut paces = self.lock();
                let wrong_in_a_row = paces.get(reader).map_or(0, |pace| pace.wrong_in_a_row) + 1;
                paces.insert(
                    reader.to_owned(),
                    Pace {
                        wrong_in_a_row,
                        last_wrong: Instant::now(),
                    },
                );
            }
            Ok(_) => {
                self.lock().remove(reader);
            }
            Err(_) => {}
        }
        outcome
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pace>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn version(backend: &Backend) -> Reply {
    Reply::Version(VersionResponse {
        name: "huji-card-helper".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        protocol: PROTOCOL_VERSION,
        mode: backend.mode().to_owned(),
    })
}

fn readers(backend: &Backend) -> Result<Reply, HelperError> {
    let readers = backend.readers()?;
    Ok(Reply::Readers(ReadersResponse { readers }))
}

fn certificate(backend: &Backend, reader: Option<&str>) -> Result<Reply, HelperError> {
    backend.with_card(reader, |reader, transport| {
        let certificate = CardClient::select(transport)?.read_certificate()?;
        Ok(Reply::Certificate(CertificateResponse {
            reader: reader.to_owned(),
            certificate_b64: STANDARD.encode(certificate),
        }))
    })
}

/// A challenge to sign: base64 of 1 to [`MAX_CHALLENGE_LEN`] bytes.
fn decode_challenge(challenge_b64: &str) -> Result<Vec<u8>, HelperError> {
    STANDARD
        .decode(challenge_b64)
        .ok()
        .filter(|challenge| (1..=MAX_CHALLENGE_LEN).contains(&challenge.len()))
        .ok_or_else(|| HelperError::InvalidRequest {
            reason: format!("challenge_b64 must be base64 of 1 to {MAX_CHALLENGE_LEN} bytes"),
        })
}

fn sign(
    backend: &Backend,
    pace: &PinPace,
    request: &SignRequest,
    origin: &PageOrigin,
) -> Result<Reply, HelperError> {
    let message = signed_message(&origin.0, &decode_challenge(&request.challenge_b64)?);
    backend.with_card(request.reader.as_deref(), |reader, transport| {
        let mut card = CardClient::select(transport)?;
        let certificate = card.read_certificate()?;
        pace.paced(reader, || card.verify_pin(&request.pin))?;
        let signature = card.sign(&message)?;
        Ok(Reply::Signature(SignResponse {
            reader: reader.to_owned(),
            signature_b64: STANDARD.encode(signature),
            algorithm: "RS256".to_owned(),
            certificate_b64: STANDARD.encode(certificate),
        }))
    })
}

fn pin_status(backend: &Backend, reader: Option<&str>) -> Result<Reply, HelperError> {
    backend.with_card(reader, |_, transport| {
        let tries_left = CardClient::select(transport)?.pin_tries_left()?;
        Ok(status_reply(tries_left))
    })
}

fn unlock_pin(
    backend: &Backend,
    pace: &PinPace,
    request: &UnlockPinRequest,
) -> Result<Reply, HelperError> {
    backend.with_card(request.reader.as_deref(), |reader, transport| {
        let mut card = CardClient::select(transport)?;
        pace.paced(reader, || {
            card.unlock_pin(&request.user_code, &request.new_pin)
        })?;
        Ok(status_reply(card.pin_tries_left()?))
    })
}

fn change_pin(
    backend: &Backend,
    pace: &PinPace,
    request: &ChangePinRequest,
) -> Result<Reply, HelperError> {
    backend.with_card(request.reader.as_deref(), |reader, transport| {
        let mut card = CardClient::select(transport)?;
        pace.paced(reader, || {
            card.change_pin(&request.old_pin, &request.new_pin)
        })?;
        Ok(status_reply(MAX_TRIES))
    })
}

/// The personalisations under way, by reader (issue 21 item 10): the one-time transport key
/// made when the card made its key, with the page's origin and the card's key. Each is used to
/// open what the RA sealed to it, and dropped once the card is activated, after
/// [`Personalising::PENDING_FOR`], or when that page has the card make another key. Memory only.
#[derive(Debug, Default)]
pub struct Personalising(Mutex<HashMap<String, Pending>>);

#[derive(Debug)]
struct Pending {
    transport_key: TransportKey,
    origin: String,
    /// The card's new key (DER SubjectPublicKeyInfo).
    spki: Vec<u8>,
    made: Instant,
}

impl Personalising {
    /// How long a personalisation may wait for its certificate.
    pub const PENDING_FOR: Duration = Duration::from_secs(10 * 60);

    /// The personalisations still in time.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        let mut pending = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        pending.retain(|_, pending| pending.made.elapsed() < Self::PENDING_FOR);
        pending
    }

    /// Whether a page of `origin` may start a personalisation in `reader`: not while a page of
    /// another origin has one under way there, which a new key would make unwritable.
    fn may_start(&self, reader: &str, origin: &str) -> bool {
        self.lock()
            .get(reader)
            .is_none_or(|pending| pending.origin == origin)
    }
}

/// A random interim PIN or 用戶代碼: what the blank card holds between making its key and
/// being personalised with the citizen's, known to nobody.
fn interim_reference() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, 16)
}

fn issue_key(
    backend: &Backend,
    personalising: &Personalising,
    request: &IssueKeyRequest,
    origin: &PageOrigin,
) -> Result<Reply, HelperError> {
    let challenge = decode_challenge(&request.challenge_b64)?;
    backend.with_card(request.reader.as_deref(), |reader, transport| {
        if !personalising.may_start(reader, &origin.0) {
            return Err(HelperError::CardInUse);
        }
        let mut card = CardClient::select(transport)?;
        let transport_key = TransportKey::generate();
        let transport_key_b64 = STANDARD.encode(transport_key.public_key());
        let message = key_proof_message(&origin.0, &transport_key_b64, &challenge);
        let interim_pin = interim_reference();
        let public_key = card.generate_key(&interim_pin, &interim_reference())?;
        let signature = card.sign(&message)?;
        let (card_number, attestation) = card.attest(&Sha256::digest(&message))?;
        let pending = Pending {
            transport_key,
            origin: origin.0.clone(),
            spki: public_key.clone(),
            made: Instant::now(),
        };
        personalising.lock().insert(reader.to_owned(), pending);
        Ok(Reply::PublicKey(IssueKeyResponse {
            reader: reader.to_owned(),
            public_key_b64: STANDARD.encode(public_key),
            signature_b64: STANDARD.encode(signature),
            transport_key_b64,
            card_number,
            attestation_b64: STANDARD.encode(attestation),
        }))
    })
}

/// Personalises the card in `reader` from what the RA sealed, only for the page that started
/// it, only with the card that made the key, and only for a certificate of that key: nothing
/// is written to another card.
fn write_certificate(
    backend: &Backend,
    personalising: &Personalising,
    request: &WriteCertificateRequest,
    origin: &PageOrigin,
) -> Result<Reply, HelperError> {
    let certificate = decode_certificate(&request.certificate_b64)?;
    let sealed = STANDARD
        .decode(&request.personalisation_b64)
        .map_err(|_| HelperError::PersonalisationSealed)?;
    backend.with_card(request.reader.as_deref(), |reader, transport| {
        let mut card = CardClient::select(transport)?;
        let card_key = card.public_key().ok();
        let secrets = {
            let pending = personalising.lock();
            let pending = pending
                .get(reader)
                .filter(|pending| pending.origin == origin.0)
                .filter(|pending| card_key.as_deref() == Some(pending.spki.as_slice()))
                .ok_or(HelperError::PersonalisationSealed)?;
            if !crate::card::certificate_holds_key(&certificate, &pending.spki) {
                return Err(HelperError::InvalidRequest {
                    reason: "the certificate is not of the card's key".to_owned(),
                });
            }
            pending
                .transport_key
                .open(&certificate, &sealed)
                .map_err(|_| HelperError::PersonalisationSealed)?
        };
        card.personalise_and_activate(&certificate, &secrets)?;
        personalising.lock().remove(reader);
        certificate_reply(reader, &mut card)
    })
}

fn replace_certificate(
    backend: &Backend,
    request: &ReplaceCertificateRequest,
) -> Result<Reply, HelperError> {
    let certificate = decode_certificate(&request.certificate_b64)?;
    backend.with_card(request.reader.as_deref(), |reader, transport| {
        let mut card = CardClient::select(transport)?;
        card.replace_certificate(&request.pin, &certificate)?;
        certificate_reply(reader, &mut card)
    })
}

fn reset_counter(backend: &Backend, reader: Option<&str>) -> Result<Reply, HelperError> {
    backend.with_card(reader, |reader, transport| {
        let counter = CardClient::select(transport)?.reset_counter()?;
        Ok(Reply::ResetCounter(ResetCounterResponse {
            reader: reader.to_owned(),
            counter,
        }))
    })
}

fn reset_user_code(
    backend: &Backend,
    request: &ResetUserCodeRequest,
) -> Result<Reply, HelperError> {
    let authorization = STANDARD
        .decode(&request.authorization_b64)
        .map_err(|_| HelperError::NotAuthorized)?;
    backend.with_card(request.reader.as_deref(), |_, transport| {
        let mut card = CardClient::select(transport)?;
        card.reset_user_code(&request.user_code, &request.pin, &authorization)?;
        Ok(status_reply(card.pin_tries_left()?))
    })
}

fn authorized_replace(
    backend: &Backend,
    request: &AuthorizedReplaceRequest,
) -> Result<Reply, HelperError> {
    let certificate = decode_certificate(&request.certificate_b64)?;
    let authorization = STANDARD
        .decode(&request.authorization_b64)
        .map_err(|_| HelperError::NotAuthorized)?;
    backend.with_card(request.reader.as_deref(), |reader, transport| {
        let mut card = CardClient::select(transport)?;
        card.replace_certificate_authorized(&certificate, &authorization)?;
        certificate_reply(reader, &mut card)
    })
}

fn decode_certificate(certificate_b64: &str) -> Result<Vec<u8>, HelperError> {
    STANDARD
        .decode(certificate_b64)
        .map_err(|_| HelperError::InvalidRequest {
            reason: "certificate_b64 must be standard base64".to_owned(),
        })
}

/// The certificate now on the card, read back.
fn certificate_reply(reader: &str, card: &mut CardClient<'_>) -> Result<Reply, HelperError> {
    Ok(Reply::Certificate(CertificateResponse {
        reader: reader.to_owned(),
        certificate_b64: STANDARD.encode(card.read_certificate()?),
    }))
}

fn status_reply(tries_left: u8) -> Reply {
    Reply::PinStatus(PinStatusResponse {
        tries_left,
        max_tries: MAX_TRIES,
        blocked: tries_left == 0,
    })
}
