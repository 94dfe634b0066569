//! Parsing-path tests that need no issued certificate (issuing and checking together are
//! tested with the development PKI in `server/tests/integration/pki.rs`).

use super::*;
use base64::Engine;
use proptest::prelude::*;

const NOW: i64 = 1_767_225_600;

const PURPOSES: [Purpose; 5] = [
    Purpose::BusinessCard,
    Purpose::CitizenCard,
    Purpose::AgencyCard,
    Purpose::ApiCertificate,
    Purpose::ServerCertificate,
];

#[test]
fn f4_empty_and_oversized_inputs_are_malformed() {
    assert_eq!(certificate_der(b""), Err(CertificateError::Malformed));
    assert_eq!(
        certificate_der(&vec![0x30; 70 * 1024]),
        Err(CertificateError::Malformed)
    );
}

#[test]
fn f4_bare_base64_must_decode_to_a_der_sequence() {
    let not_a_sequence = base64::engine::general_purpose::STANDARD.encode(b"\x04\x02hi");
    assert_eq!(
        certificate_der(not_a_sequence.as_bytes()),
        Err(CertificateError::Malformed)
    );
    let sequence = base64::engine::general_purpose::STANDARD.encode(b"\x30\x00");
    assert_eq!(
        certificate_der(sequence.as_bytes()),
        Ok(b"\x30\x00".to_vec())
    );
}

#[test]
fn i_1_a_serial_is_compared_however_it_was_written() {
    for written in ["0a1b2c", "0A:1B:2C", "00 0A 1B 2C", " 0a1B2c\n"] {
        assert_eq!(
            normalise_serial(written).as_deref(),
            Some("0a1b2c"),
            "{written:?}"
        );
    }
    assert_eq!(normalise_serial("00").as_deref(), Some("00"));
    for not_a_serial in ["", "0a1", "0a:zz", "序號"] {
        assert_eq!(normalise_serial(not_a_serial), None, "{not_a_serial:?}");
    }
}

#[test]
fn f4_der_that_is_not_a_certificate_is_malformed_even_for_an_empty_store() {
    let store = TrustStore::empty();
    for input in [
        &b"\x30\x00"[..],
        b"\x30\x03\x02\x01\x01",
        b"\x30\x80\x00\x00",
    ] {
        for purpose in PURPOSES {
            assert_eq!(
                store.check_certificate(input, purpose, NOW),
                Err(CertificateError::Malformed)
            );
        }
    }
}

proptest! {
    #[test]
    fn f4_checking_arbitrary_bytes_never_panics_or_succeeds(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let store = TrustStore::empty();
        for purpose in PURPOSES {
            prop_assert!(store.check_certificate(&bytes, purpose, NOW).is_err());
        }
    }

    #[test]
    fn f4_arbitrary_der_sequences_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = vec![0x30, 0x82, (body.len() >> 8) as u8, body.len() as u8];
        bytes.extend_from_slice(&body);
        prop_assert!(TrustStore::empty().check_certificate(&bytes, Purpose::BusinessCard, NOW).is_err());
    }

    #[test]
    fn f4_arbitrary_pem_bodies_never_panic(body in "[A-Za-z0-9+/=\\n!-]{0,600}") {
        let pem = format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n");
        prop_assert!(TrustStore::empty().check_certificate(pem.as_bytes(), Purpose::CitizenCard, NOW).is_err());
    }
}
