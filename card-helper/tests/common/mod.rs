//! Helpers shared by the card-helper tests: test cards, hex APDUs, and signature checks against a certificate.
#![allow(dead_code)]

use card_helper::card::{generated_state, CardState, Factory};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub const PIN: &str = "730101";
pub const USER_CODE: &str = "CODE1234";

/// An activated card with a fresh key and self-signed certificate, generated once per test binary.
pub fn activated_state() -> CardState {
    static STATE: OnceLock<CardState> = OnceLock::new();
    STATE
        .get_or_init(|| {
            generated_state("Huji Test Company", PIN, USER_CODE).expect("generate a test card")
        })
        .clone()
}

/// Bytes from hex text; spaces are ignored so APDUs can be written field by field.
pub fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).expect("ascii hex");
            u8::from_str_radix(pair, 16).expect("hex digit pair")
        })
        .collect()
}

/// A reference data field: the text padded with FF to 16 bytes, as hex.
pub fn field(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes.resize(16, 0xFF);
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Whether the helper's signature, asked for by a page of `origin`, is the card's over
/// `challenge` for that page.
pub fn signed_for(
    certificate_der: &[u8],
    origin: &str,
    challenge: &[u8],
    signature: &[u8],
) -> bool {
    let message = card_helper::protocol::signed_message(origin, challenge);
    signature_verifies(certificate_der, &message, signature)
}

/// Whether `signature` is a valid RS256 signature of `message` by the certificate's key.
pub fn signature_verifies(certificate_der: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let (_, certificate) =
        x509_parser::parse_x509_certificate(certificate_der).expect("parse the certificate");
    let key =
        RsaPublicKey::from_public_key_der(certificate.public_key().raw).expect("an RSA public key");
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(message),
        signature,
    )
    .is_ok()
}

/// A certificate for the card's public key, issued by a throwaway CA as the RA would.
pub fn issue_certificate(spki: &[u8]) -> Vec<u8> {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca_params = rcgen::CertificateParams::default();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Test MOICA");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Test Citizen");
    params
        .signed_by(&CardPublicKey::from_spki(spki), &issuer)
        .expect("issue")
        .der()
        .to_vec()
}

/// The card's RSA public key as rcgen wants it: PKCS#1 RSAPublicKey bytes.
struct CardPublicKey(Vec<u8>);

impl CardPublicKey {
    fn from_spki(spki: &[u8]) -> CardPublicKey {
        use rsa::pkcs1::EncodeRsaPublicKey;
        use rsa::pkcs8::DecodePublicKey;
        let key = rsa::RsaPublicKey::from_public_key_der(spki).expect("card SPKI");
        CardPublicKey(key.to_pkcs1_der().expect("PKCS#1").as_bytes().to_vec())
    }
}

impl rcgen::PublicKeyData for CardPublicKey {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

/// The printed number and the factory key of the blank cards in these tests.
pub const CARD_NUMBER: &str = "TP04000000099001";
pub const FACTORY_KEY: [u8; 32] = [0x5A; 32];

/// A blank card as the factory makes it: numbered, with its attestation key.
pub fn blank_factory_state() -> CardState {
    let factory = Factory {
        card_number: CARD_NUMBER.to_owned(),
        key: FACTORY_KEY.to_vec(),
    };
    card_helper::card::blank_state("000000", "FACTORY1", Some(factory)).expect("blank card")
}

/// Whether `tag` is the [`FACTORY_KEY`]'s attestation that card [`CARD_NUMBER`] made the key
/// `spki` and that it signed `key_proof`.
pub fn attested(spki: &[u8], key_proof: &[u8], tag: &[u8]) -> bool {
    use hmac::{Hmac, Mac};
    let message = card_helper::protocol::card_attestation_message(
        CARD_NUMBER,
        spki,
        &Sha256::digest(key_proof),
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(&FACTORY_KEY).expect("key");
    mac.update(&message);
    mac.verify_slice(tag).is_ok()
}
