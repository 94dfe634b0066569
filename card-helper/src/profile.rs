//! Constants of Huji's card APDU profile (docs/card-protocol.md), shared by the card and the helper.

use sha2::{Digest, Sha256};

/// Application identifier: `F0` (ISO 7816-5 category F, proprietary and unregistered),
/// "HUJI" in ASCII, then the profile version 00 01.
pub const AID: [u8; 7] = [0xF0, 0x48, 0x55, 0x4A, 0x49, 0x00, 0x01];

/// Elementary file holding the X.509 certificate (DER).
pub const CERTIFICATE_EF: [u8; 2] = [0x40, 0x01];
/// Largest certificate file the card stores.
pub const CERTIFICATE_MAX_LEN: usize = 8192;

pub const INS_SELECT: u8 = 0xA4;
pub const INS_READ_BINARY: u8 = 0xB0;
pub const INS_UPDATE_BINARY: u8 = 0xD6;
pub const INS_VERIFY: u8 = 0x20;
pub const INS_CHANGE_REFERENCE_DATA: u8 = 0x24;
pub const INS_RESET_RETRY_COUNTER: u8 = 0x2C;
pub const INS_PERFORM_SECURITY_OPERATION: u8 = 0x2A;
pub const INS_GENERATE_ASYMMETRIC_KEY_PAIR: u8 = 0x46;
pub const INS_ACTIVATE_FILE: u8 = 0x44;
pub const INS_GET_RESPONSE: u8 = 0xC0;
pub const INS_GET_DATA: u8 = 0xCA;
pub const INS_PUT_DATA: u8 = 0xDA;
/// INTERNAL AUTHENTICATE: the card attests, under its factory key, that it made its key
/// itself ([`crate::protocol::card_attestation_message`]).
pub const INS_INTERNAL_AUTHENTICATE: u8 = 0x88;

/// The card number printed on the card (2 letters and 14 digits), which its factory key
/// is diversified for and its attestation names.
pub const CARD_NUMBER_LEN: usize = 16;
/// Length of the card's factory key and of its HMAC-SHA256 attestations.
pub const FACTORY_KEY_LEN: usize = 32;
/// Length of the SHA-256 digest of the key proof an attestation covers.
pub const KEY_PROOF_DIGEST_LEN: usize = 32;

/// GET DATA / PUT DATA P1-P2 of the card management data (用戶代碼重設, C-3): the key the card
/// management centre authorises resets with (PUT, personalisation only), and the number of
/// resets done so far (GET, 4 bytes big-endian), which each authorisation covers.
pub const DATA_MANAGEMENT_KEY: (u8, u8) = (0x01, 0x01);
pub const DATA_RESET_COUNTER: (u8, u8) = (0x01, 0x02);
/// Length of the card management key and of its HMAC-SHA256 authorisations.
pub const MANAGEMENT_KEY_LEN: usize = 32;
/// RESET RETRY COUNTER P1 of a reset authorised by the card management centre.
pub const RESET_BY_MANAGEMENT: u8 = 0x01;

/// ACTIVATE FILE P2 on an activated card: commit the staged replacement certificate (展期).
pub const ACTIVATE_REPLACE_CERTIFICATE: u8 = 0x01;
/// ACTIVATE FILE P2 on an activated card: commit the staged replacement with the card
/// management centre's authorisation instead of the PIN (展期 at a counter).
pub const ACTIVATE_REPLACE_AUTHORISED: u8 = 0x02;

/// SELECT P1: by DF name (AID) and by file identifier.
pub const SELECT_BY_AID: u8 = 0x04;
pub const SELECT_BY_FILE_ID: u8 = 0x02;

/// Reference data qualifiers (P2 of VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER).
pub const REF_PIN: u8 = 0x81;
/// 用戶代碼: the user code that unlocks a blocked PIN.
pub const REF_USER_CODE: u8 = 0x82;

/// PSO P1-P2 for COMPUTE DIGITAL SIGNATURE.
pub const PSO_CDS: (u8, u8) = (0x9E, 0x9A);

/// Tries of the PIN and of the user code before they block.
pub const MAX_TRIES: u8 = 3;

/// Every reference data (PIN, user code) travels as a 16-byte field padded with `FF`.
pub const REFERENCE_FIELD_LEN: usize = 16;
const PADDING: u8 = 0xFF;

/// The RSA modulus size the card generates and signs with.
pub const RSA_BITS: usize = 2048;

/// DER prefix of a SHA-256 DigestInfo (RFC 8017 section 9.2, note 1).
pub const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Whether text is acceptable reference data: 6 to 16 ASCII letters or digits (the
/// portal's `UserCode` rule; its `CardPin` takes the narrower 6 to 8).
pub fn is_valid_reference(text: &str) -> bool {
    (6..=REFERENCE_FIELD_LEN).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Pads reference data to the 16-byte field, or `None` if it breaks the format rule.
pub fn encode_reference(text: &str) -> Option<[u8; REFERENCE_FIELD_LEN]> {
    if !is_valid_reference(text) {
        return None;
    }
    let mut field = [PADDING; REFERENCE_FIELD_LEN];
    field[..text.len()].copy_from_slice(text.as_bytes());
    Some(field)
}

/// Strips the padding of a 16-byte field, or `None` if the field is malformed.
pub fn decode_reference(field: &[u8]) -> Option<String> {
    if field.len() != REFERENCE_FIELD_LEN {
        return None;
    }
    let end = field
        .iter()
        .position(|&b| b == PADDING)
        .unwrap_or(field.len());
    if field[end..].iter().any(|&b| b != PADDING) {
        return None;
    }
    let text = std::str::from_utf8(&field[..end]).ok()?;
    is_valid_reference(text).then(|| text.to_owned())
}

/// The SHA-256 DigestInfo of a message: the input of COMPUTE DIGITAL SIGNATURE.
pub fn sha256_digest_info(message: &[u8]) -> Vec<u8> {
    let mut info = SHA256_DIGEST_INFO_PREFIX.to_vec();
    info.extend_from_slice(&Sha256::digest(message));
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_data_round_trips_through_the_padded_field() {
        let field = encode_reference("730101").expect("valid PIN");
        assert_eq!(&field[6..], &[0xFF; 10]);
        assert_eq!(decode_reference(&field).as_deref(), Some("730101"));
    }

    #[test]
    fn malformed_reference_data_is_refused() {
        assert_eq!(encode_reference("12345"), None);
        assert_eq!(encode_reference("12345 7"), None);
        assert_eq!(encode_reference("12345678901234567"), None);
        let mut field = [0xFF; REFERENCE_FIELD_LEN];
        field[..6].copy_from_slice(b"123456");
        field[8] = b'1';
        assert_eq!(decode_reference(&field), None);
        assert_eq!(decode_reference(&field[..8]), None);
    }

    #[test]
    fn digest_info_is_51_bytes() {
        assert_eq!(sha256_digest_info(b"challenge").len(), 51);
    }
}
