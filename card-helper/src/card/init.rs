//! Creating card state files: blank (for personalisation), from a PEM key and certificate, or freshly generated for tests and demos.

use super::certificate_holds_key;
use super::state::{CardState, Factory};
use crate::profile::{is_valid_reference, CARD_NUMBER_LEN, FACTORY_KEY_LEN, MAX_TRIES, RSA_BITS};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::RsaPrivateKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("the PIN must be 6 to 16 letters or digits")]
    Pin,
    #[error("the user code must be 6 to 16 letters or digits")]
    UserCode,
    #[error("the private key is neither a PKCS#8 nor a PKCS#1 RSA key in PEM: {0}")]
    Key(String),
    #[error("the certificate is neither PEM nor DER: {0}")]
    Certificate(String),
    #[error("the certificate does not carry the private key's public key")]
    KeyMismatch,
    #[error("could not create the key or certificate: {0}")]
    Generate(String),
    #[error("the card number must be 2 capital letters and 14 digits")]
    CardNumber,
    #[error("the factory key must be {FACTORY_KEY_LEN} bytes")]
    FactoryKey,
}

/// A card fresh from the factory: no key, no certificate, not activated; with `factory` (its
/// card number and attestation key) a card that can be issued at a counter.
pub fn blank_state(
    pin: &str,
    user_code: &str,
    factory: Option<Factory>,
) -> Result<CardState, InitError> {
    if !is_valid_reference(pin) {
        return Err(InitError::Pin);
    }
    if !is_valid_reference(user_code) {
        return Err(InitError::UserCode);
    }
    if let Some(factory) = &factory {
        let number = factory.card_number.as_bytes();
        let well_formed = number.len() == CARD_NUMBER_LEN
            && number[..2].iter().all(u8::is_ascii_uppercase)
            && number[2..].iter().all(u8::is_ascii_digit);
        if !well_formed {
            return Err(InitError::CardNumber);
        }
        if factory.key.len() != FACTORY_KEY_LEN {
            return Err(InitError::FactoryKey);
        }
    }
    Ok(CardState {
        factory,
        private_key_pkcs8: None,
        certificate: Vec::new(),
        pin: pin.to_owned(),
        user_code: user_code.to_owned(),
        pin_tries_left: MAX_TRIES,
        user_code_tries_left: MAX_TRIES,
        activated: false,
        management_key: None,
        reset_counter: 0,
    })
}

/// An activated card holding a key and certificate from the development PKI.
pub fn personalised_state(
    key_pem: &str,
    certificate: &[u8],
    pin: &str,
    user_code: &str,
) -> Result<CardState, InitError> {
    let key = RsaPrivateKey::from_pkcs8_pem(key_pem)
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(key_pem))
        .map_err(|e| InitError::Key(e.to_string()))?;
    let certificate = if certificate.starts_with(b"-----") {
        CertificateDer::from_pem_slice(certificate)
            .map_err(|e| InitError::Certificate(e.to_string()))?
            .to_vec()
    } else {
        certificate.to_vec()
    };
    activated(key, certificate, pin, user_code)
}

/// An activated card with a new RSA key and a self-signed certificate named `common_name`.
pub fn generated_state(
    common_name: &str,
    pin: &str,
    user_code: &str,
) -> Result<CardState, InitError> {
    let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, RSA_BITS)
        .map_err(|e| InitError::Generate(e.to_string()))?;
    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|e| InitError::Generate(e.to_string()))?;
    let signer = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(
        &PrivatePkcs8KeyDer::from(pkcs8.as_bytes()),
        &rcgen::PKCS_RSA_SHA256,
    )
    .map_err(|e| InitError::Generate(e.to_string()))?;
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    let certificate = params
        .self_signed(&signer)
        .map_err(|e| InitError::Generate(e.to_string()))?;
    activated(key, certificate.der().to_vec(), pin, user_code)
}

fn activated(
    key: RsaPrivateKey,
    certificate: Vec<u8>,
    pin: &str,
    user_code: &str,
) -> Result<CardState, InitError> {
    let spki = key
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| InitError::Key(e.to_string()))?;
    if !certificate_holds_key(&certificate, spki.as_bytes()) {
        return Err(InitError::KeyMismatch);
    }
    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|e| InitError::Key(e.to_string()))?;
    Ok(CardState {
        private_key_pkcs8: Some(pkcs8.as_bytes().to_vec()),
        certificate,
        activated: true,
        ..blank_state(pin, user_code, None)?
    })
}
