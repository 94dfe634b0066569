//! The helper's side of the card profile: the APDU sequences for each operation and the mapping of status words to [`HelperError`].

use crate::apdu::{Command, Response, StatusWord};
use crate::personalisation::Secrets;
use crate::profile::*;
use crate::protocol::HelperError;

/// A channel to one card: PC/SC in a reader, or the software card in-process.
pub trait Transport {
    /// Sends a command APDU and returns the raw response APDU.
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, HelperError>;
}

/// Which secret a failed check was about, to pick the matching error code.
#[derive(Clone, Copy)]
enum Secret {
    Pin,
    UserCode,
}

/// Operations on a card that speaks Huji's profile, with its application selected.
pub struct CardClient<'a> {
    transport: &'a mut dyn Transport,
}

impl<'a> CardClient<'a> {
    /// Selects the Huji application; any other card is [`HelperError::UnsupportedCard`].
    pub fn select(transport: &'a mut dyn Transport) -> Result<CardClient<'a>, HelperError> {
        let mut client = CardClient { transport };
        let response = client.send(Command::new(
            INS_SELECT,
            SELECT_BY_AID,
            0x00,
            AID.to_vec(),
            None,
        ))?;
        match response.sw {
            StatusWord::OK => Ok(client),
            _ => Err(HelperError::UnsupportedCard),
        }
    }

    /// Sends one command and collects chained response data (`61xx` + GET RESPONSE).
    fn send(&mut self, command: Command) -> Result<Response, HelperError> {
        let raw = self.transport.transmit(&command.to_bytes())?;
        let mut response = Response::parse(&raw).ok_or(HelperError::CardError {
            status: "short response".into(),
        })?;
        while let Some(more) = response.sw.as_more_data() {
            let next = Command::new(INS_GET_RESPONSE, 0, 0, Vec::new(), Some(more));
            let raw = self.transport.transmit(&next.to_bytes())?;
            let next = Response::parse(&raw).ok_or(HelperError::CardError {
                status: "short response".into(),
            })?;
            response.data.extend_from_slice(&next.data);
            response.sw = next.sw;
        }
        Ok(response)
    }

    /// Selects the certificate EF; the card's answer.
    fn select_certificate_file(&mut self) -> Result<StatusWord, HelperError> {
        let select = Command::new(
            INS_SELECT,
            SELECT_BY_FILE_ID,
            0x0C,
            CERTIFICATE_EF.to_vec(),
            None,
        );
        Ok(self.send(select)?.sw)
    }

    /// Reads the whole certificate file in 256-byte chunks until a short read.
    pub fn read_certificate(&mut self) -> Result<Vec<u8>, HelperError> {
        expect_ok(self.select_certificate_file()?, Secret::Pin)?;
        let mut certificate = Vec::new();
        loop {
            let offset = u16::try_from(certificate.len())
                .ok()
                .filter(|&offset| offset < 0x8000)
                .ok_or(HelperError::CardError {
                    status: "certificate too large".into(),
                })?;
            let [p1, p2] = offset.to_be_bytes();
            let response =
                self.send(Command::new(INS_READ_BINARY, p1, p2, Vec::new(), Some(256)))?;
            match response.sw {
                StatusWord::OK => certificate.extend_from_slice(&response.data),
                StatusWord::END_OF_FILE => {
                    certificate.extend_from_slice(&response.data);
                    break;
                }
                // Offset past the end: the file ended exactly on a chunk boundary, or is empty.
                StatusWord::WRONG_PARAMETERS => break,
                sw => return Err(status_error(sw, Secret::Pin)),
            }
        }
        if certificate.is_empty() {
            return Err(HelperError::CardNotActivated);
        }
        Ok(certificate)
    }

    /// Tries left before the PIN blocks, read with an empty VERIFY (no try is used).
    pub fn pin_tries_left(&mut self) -> Result<u8, HelperError> {
        let response = self.send(Command::new(INS_VERIFY, 0, REF_PIN, Vec::new(), None))?;
        match response.sw {
            StatusWord::OK => Ok(MAX_TRIES),
            StatusWord::AUTHENTICATION_BLOCKED => Ok(0),
            sw => sw
                .as_tries_left()
                .ok_or_else(|| status_error(sw, Secret::Pin)),
        }
    }

    pub fn verify_pin(&mut self, pin: &str) -> Result<(), HelperError> {
        let field = encode_reference(pin).ok_or(HelperError::InvalidPinFormat)?;
        let response = self.send(Command::new(INS_VERIFY, 0, REF_PIN, field.to_vec(), None))?;
        expect_ok(response.sw, Secret::Pin)
    }

    /// Signs the SHA-256 DigestInfo of `message`; the PIN must be verified in this session.
    pub fn sign(&mut self, message: &[u8]) -> Result<Vec<u8>, HelperError> {
        let (p1, p2) = PSO_CDS;
        let command = Command::new(
            INS_PERFORM_SECURITY_OPERATION,
            p1,
            p2,
            sha256_digest_info(message),
            Some(256),
        );
        let response = self.send(command)?;
        expect_ok(response.sw, Secret::Pin)?;
        Ok(response.data)
    }

    /// 鎖卡解碼: RESET RETRY COUNTER with the user code, setting a new PIN.
    pub fn unlock_pin(&mut self, user_code: &str, new_pin: &str) -> Result<(), HelperError> {
        let new_pin = encode_reference(new_pin).ok_or(HelperError::InvalidPinFormat)?;
        let user_code = encode_reference(user_code).ok_or(HelperError::InvalidRequest {
            reason: "the user code must be 6 to 16 letters or digits".to_owned(),
        })?;
        let data = [user_code, new_pin].concat();
        let response = self.send(Command::new(
            INS_RESET_RETRY_COUNTER,
            0,
            REF_PIN,
            data,
            None,
        ))?;
        expect_ok(response.sw, Secret::UserCode)
    }

    /// CHANGE REFERENCE DATA with the old PIN (a wrong one uses a try) and the new PIN.
    pub fn change_pin(&mut self, old_pin: &str, new_pin: &str) -> Result<(), HelperError> {
        let old_pin = encode_reference(old_pin).ok_or(HelperError::InvalidPinFormat)?;
        let new_pin = encode_reference(new_pin).ok_or(HelperError::InvalidPinFormat)?;
        let data = [old_pin, new_pin].concat();
        let command = Command::new(INS_CHANGE_REFERENCE_DATA, 0, REF_PIN, data, None);
        let response = self.send(command)?;
        expect_ok(response.sw, Secret::Pin)
    }
}

impl CardClient<'_> {
    /// Personalisation (C-2): sets the PIN and 用戶代碼 of a card not yet activated.
    fn set_references(&mut self, pin: &str, user_code: &str) -> Result<(), HelperError> {
        let pin = encode_reference(pin).ok_or(HelperError::InvalidPinFormat)?;
        let user_code = encode_reference(user_code).ok_or(HelperError::InvalidRequest {
            reason: "the user code must be 6 to 16 letters or digits".to_owned(),
        })?;
        for (reference, data) in [(REF_PIN, pin), (REF_USER_CODE, user_code)] {
            let command =
                Command::new(INS_CHANGE_REFERENCE_DATA, 1, reference, data.to_vec(), None);
            personalisation_ok(self.send(command)?.sw)?;
        }
        Ok(())
    }

    /// Personalisation (C-2): sets an interim PIN and 用戶代碼 on a card not yet activated,
    /// has it generate its key pair and verifies the interim PIN, so that the new key can
    /// prove itself; the DER SubjectPublicKeyInfo of the new key.
    pub fn generate_key(&mut self, pin: &str, user_code: &str) -> Result<Vec<u8>, HelperError> {
        self.set_references(pin, user_code)?;
        let generate = Command::new(
            INS_GENERATE_ASYMMETRIC_KEY_PAIR,
            0x80,
            0,
            Vec::new(),
            Some(256),
        );
        let response = self.send(generate)?;
        personalisation_ok(response.sw)?;
        self.verify_pin(pin)?;
        Ok(response.data)
    }

    /// The card's factory attestation of the key it made (C-2, issue 21 item 10), given the
    /// SHA-256 digest of the proof that key signed: the card number the chip carries and the
    /// HMAC-SHA256 tag ([`crate::protocol::card_attestation_message`]).
    pub fn attest(&mut self, key_proof_sha256: &[u8]) -> Result<(String, Vec<u8>), HelperError> {
        let command = Command::new(
            INS_INTERNAL_AUTHENTICATE,
            0,
            0,
            key_proof_sha256.to_vec(),
            Some(CARD_NUMBER_LEN + FACTORY_KEY_LEN),
        );
        let response = self.send(command)?;
        match response.sw {
            StatusWord::OK => {}
            StatusWord::REFERENCED_DATA_NOT_FOUND => return Err(HelperError::NoFactoryKey),
            sw => personalisation_ok(sw)?,
        }
        let mut answer = response.data;
        if answer.len() != CARD_NUMBER_LEN + FACTORY_KEY_LEN {
            return Err(HelperError::CardError {
                status: "attestation of the wrong length".into(),
            });
        }
        let tag = answer.split_off(CARD_NUMBER_LEN);
        let number = String::from_utf8(answer).map_err(|_| HelperError::CardError {
            status: "card number not ASCII".into(),
        })?;
        Ok((number, tag))
    }

    /// The DER SubjectPublicKeyInfo of the card's key (GENERATE ASYMMETRIC KEY PAIR P1 `81`
    /// reads it; nothing is generated).
    pub fn public_key(&mut self) -> Result<Vec<u8>, HelperError> {
        let read = Command::new(
            INS_GENERATE_ASYMMETRIC_KEY_PAIR,
            0x81,
            0,
            Vec::new(),
            Some(256),
        );
        let response = self.send(read)?;
        expect_ok(response.sw, Secret::Pin)?;
        Ok(response.data)
    }

    /// Personalisation (C-2): sets the citizen's PIN and 用戶代碼, stores the card management
    /// key, writes `certificate` to the certificate file and activates the card, which it
    /// accepts only if the certificate carries the card's own key.
    pub fn personalise_and_activate(
        &mut self,
        certificate: &[u8],
        secrets: &Secrets,
    ) -> Result<(), HelperError> {
        if secrets.management_key.len() != MANAGEMENT_KEY_LEN {
            return Err(HelperError::InvalidRequest {
                reason: format!("the management key must be {MANAGEMENT_KEY_LEN} bytes"),
            });
        }
        self.set_references(&secrets.pin, &secrets.user_code)?;
        let (p1, p2) = DATA_MANAGEMENT_KEY;
        let put = Command::new(INS_PUT_DATA, p1, p2, secrets.management_key.clone(), None);
        personalisation_ok(self.send(put)?.sw)?;
        self.write_certificate_file(certificate, personalisation_ok)?;
        match self
            .send(Command::new(INS_ACTIVATE_FILE, 0, 0, Vec::new(), None))?
            .sw
        {
            StatusWord::OK => Ok(()),
            StatusWord::CONDITIONS_NOT_SATISFIED => Err(other_key()),
            sw => Err(status_error(sw, Secret::Pin)),
        }
    }

    /// The number of 用戶代碼 resets done so far (C-3).
    pub fn reset_counter(&mut self) -> Result<u32, HelperError> {
        let (p1, p2) = DATA_RESET_COUNTER;
        let response = self.send(Command::new(INS_GET_DATA, p1, p2, Vec::new(), Some(4)))?;
        expect_ok(response.sw, Secret::Pin)?;
        let counter: [u8; 4] = response
            .data
            .try_into()
            .map_err(|_| HelperError::CardError {
                status: "malformed reset counter".into(),
            })?;
        Ok(u32::from_be_bytes(counter))
    }

    /// 用戶代碼重設 (C-3): the new 用戶代碼 and PIN with the card management centre's
    /// authorisation of them and of the card's reset counter.
    pub fn reset_user_code(
        &mut self,
        user_code: &str,
        pin: &str,
        authorization: &[u8],
    ) -> Result<(), HelperError> {
        let user_code = encode_reference(user_code).ok_or(HelperError::InvalidRequest {
            reason: "the user code must be 6 to 16 letters or digits".to_owned(),
        })?;
        let pin = encode_reference(pin).ok_or(HelperError::InvalidPinFormat)?;
        if authorization.len() != MANAGEMENT_KEY_LEN {
            return Err(HelperError::NotAuthorized);
        }
        let data = [&user_code[..], &pin[..], authorization].concat();
        let reset = Command::new(
            INS_RESET_RETRY_COUNTER,
            RESET_BY_MANAGEMENT,
            REF_USER_CODE,
            data,
            None,
        );
        match self.send(reset)?.sw {
            StatusWord::OK => Ok(()),
            sw => Err(management_error(sw)),
        }
    }

    /// 展期 (C-4): after the PIN, replaces the certificate of an activated card with
    /// `certificate`, which the card takes only whole and only if it carries the card's key.
    pub fn replace_certificate(
        &mut self,
        pin: &str,
        certificate: &[u8],
    ) -> Result<(), HelperError> {
        self.verify_pin(pin)?;
        self.write_certificate_file(certificate, |sw| expect_ok(sw, Secret::Pin))?;
        let commit = Command::new(
            INS_ACTIVATE_FILE,
            0,
            ACTIVATE_REPLACE_CERTIFICATE,
            Vec::new(),
            None,
        );
        match self.send(commit)?.sw {
            StatusWord::OK => Ok(()),
            StatusWord::INCORRECT_DATA => Err(other_key()),
            sw => Err(status_error(sw, Secret::Pin)),
        }
    }

    /// 展期 at a counter (C-4): replaces the certificate of an activated card with
    /// `certificate`, on the card management centre's authorisation of it and of the card's
    /// management counter.
    pub fn replace_certificate_authorized(
        &mut self,
        certificate: &[u8],
        authorization: &[u8],
    ) -> Result<(), HelperError> {
        self.write_certificate_file(certificate, |sw| expect_ok(sw, Secret::Pin))?;
        let commit = Command::new(
            INS_ACTIVATE_FILE,
            0,
            ACTIVATE_REPLACE_AUTHORISED,
            authorization.to_vec(),
            None,
        );
        match self.send(commit)?.sw {
            StatusWord::OK => Ok(()),
            sw => Err(management_error(sw)),
        }
    }

    /// Selects the certificate EF and sends `certificate` in UPDATE BINARY chunks, judging each
    /// answer with `step`.
    fn write_certificate_file(
        &mut self,
        certificate: &[u8],
        step: fn(StatusWord) -> Result<(), HelperError>,
    ) -> Result<(), HelperError> {
        if certificate.is_empty() || certificate.len() > CERTIFICATE_MAX_LEN {
            return Err(HelperError::InvalidRequest {
                reason: format!("the certificate must be 1 to {CERTIFICATE_MAX_LEN} bytes"),
            });
        }
        step(self.select_certificate_file()?)?;
        for (index, chunk) in certificate.chunks(WRITE_CHUNK).enumerate() {
            let offset = u16::try_from(index * WRITE_CHUNK).map_err(|_| HelperError::Internal)?;
            let [p1, p2] = offset.to_be_bytes();
            let update = Command::new(INS_UPDATE_BINARY, p1, p2, chunk.to_vec(), None);
            step(self.send(update)?.sw)?;
        }
        Ok(())
    }
}

/// A card management command's refusal.
fn management_error(sw: StatusWord) -> HelperError {
    match sw {
        StatusWord::SECURITY_STATUS_NOT_SATISFIED | StatusWord::WRONG_LENGTH => {
            HelperError::NotAuthorized
        }
        StatusWord::REFERENCED_DATA_NOT_FOUND => HelperError::NoManagementKey,
        StatusWord::INCORRECT_DATA => other_key(),
        sw => status_error(sw, Secret::UserCode),
    }
}

fn other_key() -> HelperError {
    HelperError::InvalidRequest {
        reason: "the certificate does not carry the card's public key".to_owned(),
    }
}

/// Bytes written by one UPDATE BINARY: a short APDU's data field holds at most 255.
const WRITE_CHUNK: usize = 240;

/// A personalisation step's answer: once the card is activated it is refused with `6985`, or
/// `6982` for a certificate write without the PIN.
fn personalisation_ok(sw: StatusWord) -> Result<(), HelperError> {
    match sw {
        StatusWord::OK => Ok(()),
        StatusWord::CONDITIONS_NOT_SATISFIED | StatusWord::SECURITY_STATUS_NOT_SATISFIED => {
            Err(HelperError::CardActivated)
        }
        sw => Err(status_error(sw, Secret::Pin)),
    }
}

fn expect_ok(sw: StatusWord, secret: Secret) -> Result<(), HelperError> {
    match sw {
        StatusWord::OK => Ok(()),
        sw => Err(status_error(sw, secret)),
    }
}

/// The helper error a card status word means, given which secret the command checked.
fn status_error(sw: StatusWord, secret: Secret) -> HelperError {
    match (sw, secret) {
        (StatusWord::AUTHENTICATION_BLOCKED, Secret::Pin) => HelperError::PinBlocked,
        (StatusWord::AUTHENTICATION_BLOCKED, Secret::UserCode) => HelperError::UserCodeBlocked,
        (StatusWord::CONDITIONS_NOT_SATISFIED, _) => HelperError::CardNotActivated,
        (StatusWord::INCORRECT_DATA, _) => HelperError::InvalidPinFormat,
        (sw, secret) => match (sw.as_tries_left(), secret) {
            (Some(tries_left), Secret::Pin) => HelperError::WrongPin { tries_left },
            (Some(tries_left), Secret::UserCode) => HelperError::WrongUserCode { tries_left },
            (None, _) => HelperError::CardError {
                status: sw.to_string(),
            },
        },
    }
}
