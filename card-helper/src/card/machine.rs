//! The card side of Huji's APDU profile: a state machine that answers command APDUs and persists every change before it answers.

use super::state::{CardState, CardStore};
use crate::apdu::{Command, Response, StatusWord};
use crate::profile::*;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::{Pkcs1v15Sign, RsaPrivateKey};

/// Why a state cannot be loaded into a card.
#[derive(Debug, thiserror::Error)]
pub enum CardLoadError {
    #[error("the state's private key is not a PKCS#8 RSA key: {0}")]
    Key(String),
}

/// What the card knows only until the next reset or power cycle.
#[derive(Default)]
struct Session {
    application_selected: bool,
    certificate_selected: bool,
    pin_verified: bool,
    /// Response bytes not yet fetched with GET RESPONSE.
    pending: Vec<u8>,
    /// On an activated card, the replacement certificate UPDATE BINARY has written so far
    /// (展期, C-4): it becomes the certificate file only when committed whole.
    staged_certificate: Vec<u8>,
}

/// A Huji card: persistent state, its decoded key, a store and the current session.
pub struct Card<S: CardStore> {
    state: CardState,
    key: Option<RsaPrivateKey>,
    store: S,
    session: Session,
}

type Outcome = Result<Response, StatusWord>;

impl<S: CardStore> Card<S> {
    pub fn new(state: CardState, store: S) -> Result<Card<S>, CardLoadError> {
        let key = state
            .private_key_pkcs8
            .as_deref()
            .map(RsaPrivateKey::from_pkcs8_der)
            .transpose()
            .map_err(|e| CardLoadError::Key(e.to_string()))?;
        Ok(Card {
            state,
            key,
            store,
            session: Session::default(),
        })
    }

    pub fn state(&self) -> &CardState {
        &self.state
    }

    /// Power-up, power-down and reset all end the session: selection and PIN status are lost.
    pub fn reset(&mut self) {
        self.session = Session::default();
    }

    /// Answers raw command bytes with raw response bytes.
    pub fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.respond(apdu).to_bytes()
    }

    pub fn respond(&mut self, apdu: &[u8]) -> Response {
        let command = match Command::parse(apdu) {
            Ok(command) => command,
            Err(sw) => return Response::status(sw),
        };
        if command.ins != INS_GET_RESPONSE {
            self.session.pending.clear();
        }
        let outcome = self.dispatch(&command);
        let response = outcome.unwrap_or_else(Response::status);
        self.chain(response, command.le.unwrap_or(256))
    }

    fn dispatch(&mut self, command: &Command) -> Outcome {
        if command.cla != 0x00 {
            return Err(StatusWord::CLA_NOT_SUPPORTED);
        }
        if command.ins == INS_SELECT {
            return self.select(command);
        }
        if !self.session.application_selected {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        match command.ins {
            INS_GET_RESPONSE => self.get_response(),
            INS_READ_BINARY => self.read_binary(command),
            INS_UPDATE_BINARY => self.update_binary(command),
            INS_VERIFY => self.verify(command),
            INS_CHANGE_REFERENCE_DATA => self.change_reference_data(command),
            INS_RESET_RETRY_COUNTER => self.reset_retry_counter(command),
            INS_PERFORM_SECURITY_OPERATION => self.compute_signature(command),
            INS_GENERATE_ASYMMETRIC_KEY_PAIR => self.generate_key_pair(command),
            INS_ACTIVATE_FILE => self.activate(command),
            INS_GET_DATA => self.get_data(command),
            INS_PUT_DATA => self.put_data(command),
            INS_INTERNAL_AUTHENTICATE => self.attest(command),
            _ => Err(StatusWord::INS_NOT_SUPPORTED),
        }
    }

    /// Responses longer than Ne are cut; the rest waits for GET RESPONSE (`61xx`).
    fn chain(&mut self, mut response: Response, ne: usize) -> Response {
        if response.data.len() > ne && response.sw == StatusWord::OK {
            self.session.pending = response.data.split_off(ne);
            response.sw = StatusWord::more_data(self.session.pending.len());
        }
        response
    }

    fn persist(&mut self) -> Result<(), StatusWord> {
        self.store
            .save(&self.state)
            .map_err(|_| StatusWord::MEMORY_FAILURE)
    }

    fn select(&mut self, command: &Command) -> Outcome {
        match command.p1 {
            SELECT_BY_AID => {
                self.session = Session::default();
                if command.data != AID {
                    return Err(StatusWord::FILE_NOT_FOUND);
                }
                self.session.application_selected = true;
                Ok(Response::ok(Vec::new()))
            }
            SELECT_BY_FILE_ID => {
                if !self.session.application_selected {
                    return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
                }
                if command.data != CERTIFICATE_EF {
                    return Err(StatusWord::FILE_NOT_FOUND);
                }
                self.session.certificate_selected = true;
                // A replacement is staged from scratch after each selection.
                self.session.staged_certificate.clear();
                Ok(Response::ok(Vec::new()))
            }
            _ => Err(StatusWord::INCORRECT_P1_P2),
        }
    }

    fn get_response(&mut self) -> Outcome {
        if self.session.pending.is_empty() {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        Ok(Response::ok(std::mem::take(&mut self.session.pending)))
    }

    /// Offsets are 15 bits of P1-P2; short-EF addressing (P1 bit 8) is not supported.
    fn file_offset(command: &Command) -> Result<usize, StatusWord> {
        if command.p1 & 0x80 != 0 {
            return Err(StatusWord::INCORRECT_P1_P2);
        }
        Ok(usize::from(u16::from_be_bytes([command.p1, command.p2])))
    }

    fn read_binary(&mut self, command: &Command) -> Outcome {
        if !self.session.certificate_selected {
            return Err(StatusWord::NO_CURRENT_EF);
        }
        let offset = Self::file_offset(command)?;
        let file = &self.state.certificate;
        if offset >= file.len() {
            return Err(StatusWord::WRONG_PARAMETERS);
        }
        let wanted = command.le.unwrap_or(256);
        let end = file.len().min(offset + wanted);
        let data = file[offset..end].to_vec();
        let sw = if data.len() < wanted {
            StatusWord::END_OF_FILE
        } else {
            StatusWord::OK
        };
        Ok(Response { data, sw })
    }

    /// Before activation UPDATE BINARY writes the certificate file itself; afterwards it writes
    /// a replacement kept in the session, which ACTIVATE FILE P2 `01` (with the PIN) or `02`
    /// (with the card management centre's authorisation) commits (展期, C-4).
    fn update_binary(&mut self, command: &Command) -> Outcome {
        if !self.session.certificate_selected {
            return Err(StatusWord::NO_CURRENT_EF);
        }
        let offset = Self::file_offset(command)?;
        let file = if self.state.activated {
            &mut self.session.staged_certificate
        } else {
            &mut self.state.certificate
        };
        let end = offset + command.data.len();
        if offset > file.len() {
            return Err(StatusWord::WRONG_PARAMETERS);
        }
        if end > CERTIFICATE_MAX_LEN {
            return Err(StatusWord::NOT_ENOUGH_MEMORY);
        }
        if end > file.len() {
            file.resize(end, 0);
        }
        file[offset..end].copy_from_slice(&command.data);
        if !self.state.activated {
            self.persist()?;
        }
        Ok(Response::ok(Vec::new()))
    }

    fn verify(&mut self, command: &Command) -> Outcome {
        if command.p1 != 0x00 {
            return Err(StatusWord::INCORRECT_P1_P2);
        }
        let tries = match command.p2 {
            REF_PIN => self.state.pin_tries_left,
            REF_USER_CODE => self.state.user_code_tries_left,
            _ => return Err(StatusWord::REFERENCED_DATA_NOT_FOUND),
        };
        if command.data.is_empty() {
            return match (tries, command.p2 == REF_PIN && self.session.pin_verified) {
                (0, _) => Err(StatusWord::AUTHENTICATION_BLOCKED),
                (_, true) => Ok(Response::ok(Vec::new())),
                (tries, false) => Err(StatusWord::tries_left(tries)),
            };
        }
        if command.p2 != REF_PIN {
            return Err(StatusWord::INCORRECT_P1_P2);
        }
        let pin = decode_reference(&command.data).ok_or(StatusWord::INCORRECT_DATA)?;
        self.check_pin(&pin)?;
        Ok(Response::ok(Vec::new()))
    }

    /// Decrements the counter and persists it before comparing (anti-tearing), restores it on a match.
    fn check_pin(&mut self, pin: &str) -> Result<(), StatusWord> {
        self.session.pin_verified = false;
        if self.state.pin_tries_left == 0 {
            return Err(StatusWord::AUTHENTICATION_BLOCKED);
        }
        self.state.pin_tries_left -= 1;
        self.persist()?;
        if pin != self.state.pin {
            return Err(match self.state.pin_tries_left {
                0 => StatusWord::AUTHENTICATION_BLOCKED,
                tries => StatusWord::tries_left(tries),
            });
        }
        self.state.pin_tries_left = MAX_TRIES;
        self.persist()?;
        self.session.pin_verified = true;
        Ok(())
    }

    fn change_reference_data(&mut self, command: &Command) -> Outcome {
        match (command.p1, command.p2) {
            (0x00, REF_PIN) => {
                let (old, new) = Self::two_references(&command.data)?;
                self.check_pin(&old)?;
                self.state.pin = new;
                self.persist()?;
                Ok(Response::ok(Vec::new()))
            }
            (0x01, REF_PIN | REF_USER_CODE) => {
                if self.state.activated {
                    return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
                }
                let new = decode_reference(&command.data).ok_or(StatusWord::INCORRECT_DATA)?;
                if command.p2 == REF_PIN {
                    self.state.pin = new;
                    self.state.pin_tries_left = MAX_TRIES;
                } else {
                    self.state.user_code = new;
                    self.state.user_code_tries_left = MAX_TRIES;
                }
                self.persist()?;
                Ok(Response::ok(Vec::new()))
            }
            (0x00 | 0x01, _) => Err(StatusWord::REFERENCED_DATA_NOT_FOUND),
            _ => Err(StatusWord::INCORRECT_P1_P2),
        }
    }

    /// Splits `first || second`, two padded 16-byte fields, checking both formats first.
    fn two_references(data: &[u8]) -> Result<(String, String), StatusWord> {
        if data.len() != 2 * REFERENCE_FIELD_LEN {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let (first, second) = data.split_at(REFERENCE_FIELD_LEN);
        let first = decode_reference(first).ok_or(StatusWord::INCORRECT_DATA)?;
        let second = decode_reference(second).ok_or(StatusWord::INCORRECT_DATA)?;
        Ok((first, second))
    }

    /// 鎖卡解碼: the user code resets the PIN counter and sets a new PIN. P1 `01` P2 `82`: a
    /// 用戶代碼 reset authorised by the card management centre (C-3).
    fn reset_retry_counter(&mut self, command: &Command) -> Outcome {
        match (command.p1, command.p2) {
            (0x00, REF_PIN) => {}
            (RESET_BY_MANAGEMENT, REF_USER_CODE) => return self.reset_by_management(command),
            (0x00, _) => return Err(StatusWord::REFERENCED_DATA_NOT_FOUND),
            _ => return Err(StatusWord::INCORRECT_P1_P2),
        }
        let (user_code, new_pin) = Self::two_references(&command.data)?;
        if self.state.user_code_tries_left == 0 {
            return Err(StatusWord::AUTHENTICATION_BLOCKED);
        }
        self.state.user_code_tries_left -= 1;
        self.persist()?;
        if user_code != self.state.user_code {
            return Err(match self.state.user_code_tries_left {
                0 => StatusWord::AUTHENTICATION_BLOCKED,
                tries => StatusWord::tries_left(tries),
            });
        }
        self.state.user_code_tries_left = MAX_TRIES;
        self.state.pin = new_pin;
        self.state.pin_tries_left = MAX_TRIES;
        self.session.pin_verified = false;
        self.persist()?;
        Ok(Response::ok(Vec::new()))
    }

    /// `user code || PIN || HMAC-SHA256` (16 + 16 + 32 bytes): with a valid authorisation of
    /// the current reset counter, sets both, unblocks both and counts the reset. A wrong
    /// authorisation changes nothing (`6982`); a card without a management key cannot be reset.
    fn reset_by_management(&mut self, command: &Command) -> Outcome {
        if command.data.len() != 2 * REFERENCE_FIELD_LEN + MANAGEMENT_KEY_LEN {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let (codes, tag) = command.data.split_at(2 * REFERENCE_FIELD_LEN);
        let (user_code, pin) = Self::two_references(codes)?;
        let message = crate::protocol::reset_authorization_message(
            self.state.reset_counter,
            &user_code,
            &pin,
        );
        self.check_management_tag(&message, tag)?;
        self.state.user_code = user_code;
        self.state.user_code_tries_left = MAX_TRIES;
        self.state.pin = pin;
        self.state.pin_tries_left = MAX_TRIES;
        self.state.reset_counter = self.state.reset_counter.wrapping_add(1);
        self.session.pin_verified = false;
        self.persist()?;
        Ok(Response::ok(Vec::new()))
    }

    /// INTERNAL AUTHENTICATE of the card's key: with a 32-byte digest (the helper sends the
    /// SHA-256 of the key proof it had the key sign), answers the card number and the factory
    /// key's HMAC-SHA256 of the [`crate::protocol::card_attestation_message`]. Only before
    /// activation, which also erases the factory data: a card with factory data gets a key
    /// only from GENERATE ASYMMETRIC KEY PAIR, so the key attested is one the card made
    /// (`6A88` without a key or factory data, `6985` once activated).
    fn attest(&mut self, command: &Command) -> Outcome {
        use hmac::{Hmac, Mac};
        if (command.p1, command.p2) != (0x00, 0x00) {
            return Err(StatusWord::INCORRECT_P1_P2);
        }
        if command.data.len() != KEY_PROOF_DIGEST_LEN {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if self.state.activated {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let factory = self
            .state
            .factory
            .as_ref()
            .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)?;
        let spki = self.public_key_der()?;
        let message =
            crate::protocol::card_attestation_message(&factory.card_number, &spki, &command.data);
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&factory.key)
            .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
        mac.update(&message);
        let mut answer = factory.card_number.as_bytes().to_vec();
        answer.extend_from_slice(&mac.finalize().into_bytes());
        Ok(Response::ok(answer))
    }

    /// Whether `tag` is the card management centre's HMAC-SHA256 of `message` under this card's
    /// management key (compared in constant time); `6A88` without a key, `6982` if not.
    fn check_management_tag(&self, message: &str, tag: &[u8]) -> Result<(), StatusWord> {
        use hmac::{Hmac, Mac};
        let key = self
            .state
            .management_key
            .as_deref()
            .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)?;
        if tag.len() != MANAGEMENT_KEY_LEN {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key)
            .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
        mac.update(message.as_bytes());
        mac.verify_slice(tag)
            .map_err(|_| StatusWord::SECURITY_STATUS_NOT_SATISFIED)
    }

    /// GET DATA of the reset counter.
    fn get_data(&mut self, command: &Command) -> Outcome {
        if (command.p1, command.p2) != DATA_RESET_COUNTER {
            return Err(StatusWord::REFERENCED_DATA_NOT_FOUND);
        }
        Ok(Response::ok(
            self.state.reset_counter.to_be_bytes().to_vec(),
        ))
    }

    /// PUT DATA of the management key: personalisation only.
    fn put_data(&mut self, command: &Command) -> Outcome {
        if (command.p1, command.p2) != DATA_MANAGEMENT_KEY {
            return Err(StatusWord::REFERENCED_DATA_NOT_FOUND);
        }
        if self.state.activated {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        if command.data.len() != MANAGEMENT_KEY_LEN {
            return Err(StatusWord::WRONG_LENGTH);
        }
        self.state.management_key = Some(command.data.clone());
        self.persist()?;
        Ok(Response::ok(Vec::new()))
    }

    /// COMPUTE DIGITAL SIGNATURE: RSASSA-PKCS1-v1_5 over a SHA-256 DigestInfo sent whole.
    fn compute_signature(&mut self, command: &Command) -> Outcome {
        if (command.p1, command.p2) != PSO_CDS {
            return Err(StatusWord::INCORRECT_P1_P2);
        }
        // Also before activation: at personalisation the card proves it holds its new key.
        let key = self
            .key
            .as_ref()
            .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)?;
        if !self.session.pin_verified {
            return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let is_digest_info = command.data.len() == SHA256_DIGEST_INFO_PREFIX.len() + 32
            && command.data.starts_with(&SHA256_DIGEST_INFO_PREFIX);
        if !is_digest_info {
            return Err(StatusWord::INCORRECT_DATA);
        }
        key.sign(Pkcs1v15Sign::new_unprefixed(), &command.data)
            .map(Response::ok)
            .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)
    }

    /// P1 `80` generates a new RSA key on the card; P1 `81` reads the public key. Both answer
    /// with the SubjectPublicKeyInfo (DER); the private key never leaves the card.
    fn generate_key_pair(&mut self, command: &Command) -> Outcome {
        match (command.p1, command.p2) {
            (0x80, 0x00) => {
                if self.state.activated {
                    return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
                }
                let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, RSA_BITS)
                    .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
                let der = key
                    .to_pkcs8_der()
                    .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
                self.state.private_key_pkcs8 = Some(der.as_bytes().to_vec());
                self.state.certificate.clear();
                self.key = Some(key);
                self.persist()?;
                self.public_key()
            }
            (0x81, 0x00) => self.public_key(),
            _ => Err(StatusWord::INCORRECT_P1_P2),
        }
    }

    fn public_key_der(&self) -> Result<Vec<u8>, StatusWord> {
        let key = self
            .key
            .as_ref()
            .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)?;
        key.to_public_key()
            .to_public_key_der()
            .map(|der| der.as_bytes().to_vec())
            .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)
    }

    fn public_key(&self) -> Outcome {
        self.public_key_der().map(Response::ok)
    }

    /// 開卡 (P2 `00`): ends personalisation once the certificate file holds a certificate of
    /// the card's key. On an activated card, P2 `01` replaces the certificate with the staged
    /// one — only with the PIN verified and only by a certificate of the same key (展期, C-4).
    fn activate(&mut self, command: &Command) -> Outcome {
        match (command.p1, command.p2) {
            (0x00, 0x00) if !self.state.activated => {
                let spki = self.public_key_der()?;
                if !super::certificate_holds_key(&self.state.certificate, &spki) {
                    return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
                }
                self.state.activated = true;
                // A used card attests nothing again, whatever becomes of its certificate.
                self.state.factory = None;
            }
            (0x00, ACTIVATE_REPLACE_CERTIFICATE) if self.state.activated => {
                if !self.session.pin_verified {
                    return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
                }
                let spki = self.public_key_der()?;
                let staged = std::mem::take(&mut self.session.staged_certificate);
                if !super::certificate_holds_key(&staged, &spki) {
                    return Err(StatusWord::INCORRECT_DATA);
                }
                self.state.certificate = staged;
            }
            (0x00, ACTIVATE_REPLACE_AUTHORISED) if self.state.activated => {
                let staged = std::mem::take(&mut self.session.staged_certificate);
                let message = crate::protocol::replace_authorization_message(
                    self.state.reset_counter,
                    &sha256_hex(&staged),
                );
                self.check_management_tag(&message, &command.data)?;
                if !super::certificate_holds_key(&staged, &self.public_key_der()?) {
                    return Err(StatusWord::INCORRECT_DATA);
                }
                self.state.certificate = staged;
                self.state.reset_counter = self.state.reset_counter.wrapping_add(1);
            }
            (0x00, 0x00 | ACTIVATE_REPLACE_CERTIFICATE | ACTIVATE_REPLACE_AUTHORISED) => {
                return Err(StatusWord::CONDITIONS_NOT_SATISFIED)
            }
            _ => return Err(StatusWord::INCORRECT_P1_P2),
        }
        self.persist()?;
        Ok(Response::ok(Vec::new()))
    }
}

/// Lower-case hex SHA-256, as the authorisation of a replacement names the certificate.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
