//! The card's APDU state machine driven by scripted command APDUs, as a reader would send them.

mod common;

use card_helper::card::{blank_state, Card, CardState, FileStore, MemoryStore};
use card_helper::profile::sha256_digest_info;
use common::*;

const SELECT_APP: &str = "00 A4 04 00 07 F04855 4A49 0001";
const SELECT_CERT: &str = "00 A4 02 0C 02 4001";
const PIN_STATUS: &str = "00 20 00 81";

/// A card with the application selected.
fn selected_card(state: CardState) -> Card<MemoryStore> {
    let mut card = Card::new(state, MemoryStore).expect("load the card");
    assert_eq!(send(&mut card, SELECT_APP), (vec![], 0x9000));
    card
}

/// Sends hex APDU text and splits the answer into data and status word.
fn send<S: card_helper::card::CardStore>(card: &mut Card<S>, apdu: &str) -> (Vec<u8>, u16) {
    let response = card.respond(&hex(apdu));
    (response.data, response.sw.0)
}

fn sw<S: card_helper::card::CardStore>(card: &mut Card<S>, apdu: &str) -> u16 {
    send(card, apdu).1
}

fn verify(pin: &str) -> String {
    format!("00 20 00 81 10 {}", field(pin))
}

fn sign_apdu(message: &[u8]) -> String {
    let info: String = sha256_digest_info(message)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    format!("00 2A 9E 9A 33 {info} 00")
}

#[test]
fn commands_before_selecting_the_application_are_refused() {
    let mut card = Card::new(activated_state(), MemoryStore).expect("load the card");
    assert_eq!(sw(&mut card, PIN_STATUS), 0x6985);
    assert_eq!(sw(&mut card, "00 A4 04 00 05 A000000001"), 0x6A82);
    assert_eq!(sw(&mut card, SELECT_APP), 0x9000);
    assert_eq!(sw(&mut card, "80 20 00 81"), 0x6E00);
    assert_eq!(sw(&mut card, "00 FF 00 00"), 0x6D00);
    assert_eq!(sw(&mut card, "00 20 00"), 0x6700);
    assert_eq!(sw(&mut card, "00 B0 00 00 00"), 0x6986);
}

#[test]
fn the_certificate_reads_in_chunks_until_the_end_of_the_file() {
    let state = activated_state();
    let expected = state.certificate.clone();
    let mut card = selected_card(state);
    assert_eq!(sw(&mut card, SELECT_CERT), 0x9000);
    let mut read = Vec::new();
    loop {
        let [p1, p2] = (read.len() as u16).to_be_bytes();
        let (data, status) = send(&mut card, &format!("00 B0 {p1:02X} {p2:02X} 00"));
        read.extend_from_slice(&data);
        match status {
            0x9000 => assert_eq!(data.len(), 256),
            0x6282 => break,
            other => panic!("unexpected status {other:04X}"),
        }
    }
    assert_eq!(read, expected);
    let [p1, p2] = (expected.len() as u16).to_be_bytes();
    assert_eq!(
        sw(&mut card, &format!("00 B0 {p1:02X} {p2:02X} 00")),
        0x6B00
    );
}

#[test]
fn two_wrong_pins_then_the_right_one_resets_the_counter() {
    let mut card = selected_card(activated_state());
    assert_eq!(sw(&mut card, PIN_STATUS), 0x63C3);
    assert_eq!(sw(&mut card, &verify("000000")), 0x63C2);
    assert_eq!(sw(&mut card, &verify("000000")), 0x63C1);
    assert_eq!(sw(&mut card, &verify(PIN)), 0x9000);
    assert_eq!(sw(&mut card, PIN_STATUS), 0x9000);
    assert_eq!(card.state().pin_tries_left, 3);
    card.reset();
    assert_eq!(sw(&mut card, SELECT_APP), 0x9000);
    assert_eq!(sw(&mut card, PIN_STATUS), 0x63C3);
}

#[test]
fn the_third_wrong_pin_blocks_the_card_with_6983() {
    let mut card = selected_card(activated_state());
    assert_eq!(sw(&mut card, &verify("000000")), 0x63C2);
    assert_eq!(sw(&mut card, &verify("000000")), 0x63C1);
    assert_eq!(sw(&mut card, &verify("000000")), 0x6983);
    assert_eq!(sw(&mut card, &verify(PIN)), 0x6983);
    assert_eq!(sw(&mut card, PIN_STATUS), 0x6983);
    assert_eq!(sw(&mut card, &sign_apdu(b"challenge")), 0x6982);
    let change = format!("00 24 00 81 20 {}{}", field(PIN), field("123456"));
    assert_eq!(sw(&mut card, &change), 0x6983);
}

#[test]
fn the_user_code_unlocks_a_blocked_pin_and_sets_a_new_one() {
    let mut card = selected_card(activated_state());
    for _ in 0..3 {
        send(&mut card, &verify("000000"));
    }
    let unlock = |code: &str| format!("00 2C 00 81 20 {}{}", field(code), field("246810"));
    assert_eq!(sw(&mut card, &unlock("WRONG123")), 0x63C2);
    assert_eq!(sw(&mut card, &unlock(USER_CODE)), 0x9000);
    assert_eq!(card.state().user_code_tries_left, 3);
    assert_eq!(sw(&mut card, PIN_STATUS), 0x63C3);
    assert_eq!(sw(&mut card, &verify(PIN)), 0x63C2);
    assert_eq!(sw(&mut card, &verify("246810")), 0x9000);
}

#[test]
fn three_wrong_user_codes_block_the_user_code() {
    let mut card = selected_card(activated_state());
    let unlock = format!("00 2C 00 81 20 {}{}", field("WRONG123"), field("246810"));
    assert_eq!(sw(&mut card, &unlock), 0x63C2);
    assert_eq!(sw(&mut card, &unlock), 0x63C1);
    assert_eq!(sw(&mut card, &unlock), 0x6983);
    let right = format!("00 2C 00 81 20 {}{}", field(USER_CODE), field("246810"));
    assert_eq!(sw(&mut card, &right), 0x6983);
    assert_eq!(sw(&mut card, "00 20 00 82"), 0x6983);
}

#[test]
fn changing_the_pin_needs_the_old_pin() {
    let mut card = selected_card(activated_state());
    let change = |old: &str| format!("00 24 00 81 20 {}{}", field(old), field("13579A"));
    assert_eq!(sw(&mut card, &change("000000")), 0x63C2);
    assert_eq!(sw(&mut card, &change(PIN)), 0x9000);
    assert_eq!(card.state().pin_tries_left, 3);
    assert_eq!(sw(&mut card, &verify(PIN)), 0x63C2);
    assert_eq!(sw(&mut card, &verify("13579A")), 0x9000);
    let short_new = format!(
        "00 24 00 81 20 {}{}",
        field("13579A"),
        "3132FFFFFFFFFFFFFFFFFFFFFFFFFFFF"
    );
    assert_eq!(sw(&mut card, &short_new), 0x6A80);
}

#[test]
fn a_signature_needs_the_pin_and_verifies_with_the_certificate_key() {
    let state = activated_state();
    let certificate = state.certificate.clone();
    let mut card = selected_card(state);
    assert_eq!(sw(&mut card, &sign_apdu(b"server challenge")), 0x6982);
    assert_eq!(sw(&mut card, &verify(PIN)), 0x9000);
    let (signature, status) = send(&mut card, &sign_apdu(b"server challenge"));
    assert_eq!(status, 0x9000);
    assert_eq!(signature.len(), 256);
    assert!(signature_verifies(
        &certificate,
        b"server challenge",
        &signature
    ));
    assert!(!signature_verifies(
        &certificate,
        b"another challenge",
        &signature
    ));
    let raw_hash = format!("00 2A 9E 9A 20 {} 00", "AB".repeat(32));
    assert_eq!(sw(&mut card, &raw_hash), 0x6A80);
}

#[test]
fn personalisation_generates_the_key_on_card_writes_the_certificate_and_activates() {
    let blank = blank_state(PIN, USER_CODE, None).expect("blank card");
    let mut card = selected_card(blank);
    assert_eq!(sw(&mut card, &verify(PIN)), 0x9000);
    // No key yet: nothing to sign with, nothing to activate.
    assert_eq!(sw(&mut card, &sign_apdu(b"x")), 0x6A88);
    assert_eq!(sw(&mut card, "00 44 00 00"), 0x6A88);

    // The SubjectPublicKeyInfo (294 bytes) comes in two parts: 256 bytes, 61 26, GET RESPONSE.
    let (mut spki, status) = send(&mut card, "00 46 80 00 00");
    assert_eq!((spki.len(), status), (256, 0x6126));
    let (rest, status) = send(&mut card, "00 C0 00 00 26");
    assert_eq!(status, 0x9000);
    spki.extend_from_slice(&rest);

    let certificate = issue_certificate(&spki);
    // Before activation the new key already proves itself (the RA's check at issuance).
    let (proof, status) = send(&mut card, &sign_apdu(b"possession"));
    assert_eq!(status, 0x9000);
    assert!(signature_verifies(&certificate, b"possession", &proof));
    assert_eq!(sw(&mut card, "00 DA 01 01 02 0102"), 0x6700);
    assert_eq!(
        sw(&mut card, &format!("00 DA 01 01 20 {}", "07".repeat(32))),
        0x9000
    );
    assert_eq!(card.state().management_key.as_deref(), Some(&[7u8; 32][..]));
    assert_eq!(sw(&mut card, SELECT_CERT), 0x9000);
    for (index, chunk) in certificate.chunks(200).enumerate() {
        let [p1, p2] = ((index * 200) as u16).to_be_bytes();
        let data: String = chunk.iter().map(|b| format!("{b:02X}")).collect();
        let update = format!("00 D6 {p1:02X} {p2:02X} {:02X} {data}", chunk.len());
        assert_eq!(sw(&mut card, &update), 0x9000);
    }
    assert_eq!(card.state().certificate, certificate);
    assert_eq!(sw(&mut card, "00 44 00 00"), 0x9000);

    assert_eq!(sw(&mut card, "00 46 80 00 00"), 0x6985);
    assert_eq!(sw(&mut card, "00 44 00 00"), 0x6985);
    // With the PIN verified, UPDATE BINARY only stages a replacement (展期); nothing commits it.
    assert_eq!(sw(&mut card, "00 D6 00 00 01 00"), 0x9000);
    assert_eq!(card.state().certificate, certificate);
    let (signature, status) = send(&mut card, &sign_apdu(b"after activation"));
    assert_eq!(status, 0x9000);
    assert!(signature_verifies(
        &certificate,
        b"after activation",
        &signature
    ));
}

#[test]
fn activation_refuses_a_certificate_of_another_key() {
    let other = activated_state().certificate;
    let mut card = selected_card(blank_state(PIN, USER_CODE, None).expect("blank card"));
    send(&mut card, "00 46 80 00 00");
    assert_eq!(sw(&mut card, SELECT_CERT), 0x9000);
    for (index, chunk) in other.chunks(200).enumerate() {
        let [p1, p2] = ((index * 200) as u16).to_be_bytes();
        let data: String = chunk.iter().map(|b| format!("{b:02X}")).collect();
        sw(
            &mut card,
            &format!("00 D6 {p1:02X} {p2:02X} {:02X} {data}", chunk.len()),
        );
    }
    assert_eq!(sw(&mut card, "00 44 00 00"), 0x6985);
}

#[test]
fn the_pin_counter_survives_a_restart_through_the_state_file() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("card.json");
    activated_state().save(&path).expect("write the state");
    let store = FileStore { path: path.clone() };
    let mut card = Card::new(CardState::load(&path).expect("load"), store).expect("card");
    assert_eq!(sw(&mut card, SELECT_APP), 0x9000);
    assert_eq!(sw(&mut card, &verify("000000")), 0x63C2);
    drop(card);
    let reloaded = CardState::load(&path).expect("reload");
    assert_eq!(reloaded.pin_tries_left, 2);
    let text = std::fs::read_to_string(&path).expect("read the state file");
    assert!(!text.contains("000000"), "a wrong PIN must not be stored");
}

/// A soft token holds a card's key and PIN: written for its owner only, and refused when
/// other users may read it (issue 21 item 11).
#[cfg(unix)]
#[test]
fn security_21_11_a_soft_token_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("card.token");
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    // Even over a temporary file a crash left open to everyone.
    std::fs::write(directory.path().join("card.token.tmp"), "{}").expect("leftover");
    activated_state().save(&path).expect("write the state");
    assert_eq!(mode(&path), 0o600);
    assert!(CardState::load(&path).is_ok());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let refused = CardState::load(&path).expect_err("refused").to_string();
    assert!(
        refused.contains(&format!("chmod 600 {}", path.display())),
        "{refused}"
    );
}

#[test]
fn a_card_is_made_from_a_pem_key_and_its_certificate_only() {
    use base64::{engine::general_purpose::STANDARD, Engine};
    use card_helper::card::{personalised_state, InitError};
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};

    let source = activated_state();
    let key_der = source.private_key_pkcs8.clone().expect("a key");
    let key = rsa::RsaPrivateKey::from_pkcs8_der(&key_der).expect("PKCS#8 key");
    let pkcs8_pem = key.to_pkcs8_pem(LineEnding::LF).expect("PEM");
    let pkcs1_pem = key.to_pkcs1_pem(LineEnding::LF).expect("PEM");
    let certificate_pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        STANDARD.encode(&source.certificate)
    );

    let from_pem = personalised_state(&pkcs8_pem, certificate_pem.as_bytes(), PIN, USER_CODE);
    let from_pem = from_pem.expect("PKCS#8 key with a PEM certificate");
    assert_eq!(from_pem.certificate, source.certificate);
    assert!(from_pem.activated);
    let from_der = personalised_state(&pkcs1_pem, &source.certificate, PIN, USER_CODE);
    assert!(from_der.is_ok(), "PKCS#1 key with a DER certificate");

    let other = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("another key");
    let other_pem = other.to_pkcs8_pem(LineEnding::LF).expect("PEM");
    let mismatch = personalised_state(&other_pem, &source.certificate, PIN, USER_CODE);
    assert!(matches!(mismatch, Err(InitError::KeyMismatch)));
    let bad_pin = personalised_state(&pkcs8_pem, &source.certificate, "12", USER_CODE);
    assert!(matches!(bad_pin, Err(InitError::Pin)));
}

/// UPDATE BINARY commands writing `certificate` in 200-byte chunks.
fn update_apdus(certificate: &[u8]) -> Vec<String> {
    certificate
        .chunks(200)
        .enumerate()
        .map(|(index, chunk)| {
            let [p1, p2] = ((index * 200) as u16).to_be_bytes();
            let data: String = chunk.iter().map(|b| format!("{b:02X}")).collect();
            format!("00 D6 {p1:02X} {p2:02X} {:02X} {data}", chunk.len())
        })
        .collect()
}

#[test]
fn c4_an_activated_card_takes_a_new_certificate_of_its_key_only_whole_and_with_the_pin() {
    let state = activated_state();
    let (_, parsed) = x509_parser::parse_x509_certificate(&state.certificate).expect("parse");
    let extended = issue_certificate(parsed.public_key().raw);
    let mut card = selected_card(state.clone());
    assert_eq!(sw(&mut card, SELECT_CERT), 0x9000);
    // Without the PIN a replacement can be staged, but it does not commit.
    for update in update_apdus(&extended) {
        assert_eq!(sw(&mut card, &update), 0x9000);
    }
    assert_eq!(sw(&mut card, "00 44 00 01"), 0x6982);
    assert_eq!(card.state().certificate, state.certificate);

    assert_eq!(sw(&mut card, &verify(PIN)), 0x9000);
    assert_eq!(sw(&mut card, SELECT_CERT), 0x9000);
    // Half a certificate is not one of the card's key: refused, the old one stays.
    assert_eq!(sw(&mut card, &update_apdus(&extended)[0]), 0x9000);
    assert_eq!(sw(&mut card, "00 44 00 01"), 0x6A80);
    assert_eq!(card.state().certificate, state.certificate);
    for update in update_apdus(&extended) {
        assert_eq!(sw(&mut card, &update), 0x9000);
    }
    assert_eq!(card.state().certificate, state.certificate);
    assert_eq!(sw(&mut card, "00 44 00 01"), 0x9000);
    assert_eq!(card.state().certificate, extended);
    // A blank card has nothing to replace.
    let mut blank = selected_card(blank_state(PIN, USER_CODE, None).expect("blank card"));
    assert_eq!(sw(&mut blank, "00 44 00 01"), 0x6985);
}

/// The card management centre's HMAC-SHA256 of `message` under `key`, as APDU hex.
fn management_tag(key: &[u8], message: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("key");
    mac.update(message.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// The card management centre's authorisation of a reset, as the portal has it computed.
fn authorise(key: &[u8], counter: u32, user_code: &str, pin: &str) -> String {
    let message = card_helper::protocol::reset_authorization_message(counter, user_code, pin);
    let tag = management_tag(key, &message);
    format!("00 2C 01 82 40 {}{}{tag}", field(user_code), field(pin))
}

#[test]
fn c3_the_user_code_is_reset_only_with_the_management_centres_authorisation_and_once() {
    let key = [7u8; 32];
    let mut state = activated_state();
    // Blocked: three wrong user codes and three wrong PINs.
    state.user_code_tries_left = 0;
    state.pin_tries_left = 0;
    let without_key = state.clone();
    state.management_key = Some(key.to_vec());
    let mut card = selected_card(state);
    assert_eq!(
        send(&mut card, "00 CA 01 02 04"),
        (vec![0, 0, 0, 0], 0x9000)
    );

    // Another key's authorisation, or one for other codes, changes nothing.
    let forged = authorise(&[8u8; 32], 0, "NewCode88", "730101");
    assert_eq!(sw(&mut card, &forged), 0x6982);
    let good = authorise(&key, 0, "NewCode88", "730101");
    let tampered = good.replace(&field("730101"), &field("111111"));
    assert_eq!(sw(&mut card, &tampered), 0x6982);
    assert_eq!(card.state().user_code_tries_left, 0);

    assert_eq!(sw(&mut card, &good), 0x9000);
    assert_eq!(card.state().user_code, "NewCode88");
    assert_eq!(
        (
            card.state().pin_tries_left,
            card.state().user_code_tries_left
        ),
        (3, 3)
    );
    assert_eq!(sw(&mut card, &verify("730101")), 0x9000);
    // The counter moved: the same authorisation does not serve twice.
    assert_eq!(
        send(&mut card, "00 CA 01 02 04"),
        (vec![0, 0, 0, 1], 0x9000)
    );
    assert_eq!(sw(&mut card, &good), 0x6982);

    // The key is set at personalisation only; a card without one cannot be reset.
    assert_eq!(
        sw(&mut card, &format!("00 DA 01 01 20 {}", "08".repeat(32))),
        0x6985
    );
    let mut plain = selected_card(without_key);
    assert_eq!(sw(&mut plain, &good), 0x6A88);
}

/// ACTIVATE FILE P2 `02` with the management centre's tag over `counter` and `certificate`.
fn authorised_commit(key: &[u8], counter: u32, certificate: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest: String = Sha256::digest(certificate)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let message = card_helper::protocol::replace_authorization_message(counter, &digest);
    format!("00 44 00 02 20 {}", management_tag(key, &message))
}

#[test]
fn c4_at_a_counter_the_management_centre_authorises_the_new_certificate_instead_of_the_pin() {
    let key = [7u8; 32];
    let mut state = activated_state();
    state.management_key = Some(key.to_vec());
    let (_, parsed) = x509_parser::parse_x509_certificate(&state.certificate).expect("parse");
    let extended = issue_certificate(parsed.public_key().raw);
    let mut card = selected_card(state.clone());
    let stage = |card: &mut Card<MemoryStore>, certificate: &[u8]| {
        assert_eq!(sw(card, SELECT_CERT), 0x9000);
        for update in update_apdus(certificate) {
            assert_eq!(sw(card, &update), 0x9000);
        }
    };
    // Another key's tag, or a tag for another certificate, commits nothing.
    stage(&mut card, &extended);
    assert_eq!(
        sw(&mut card, &authorised_commit(&[8u8; 32], 0, &extended)),
        0x6982
    );
    stage(&mut card, &extended);
    let other = activated_state().certificate;
    assert_eq!(sw(&mut card, &authorised_commit(&key, 0, &other)), 0x6982);
    assert_eq!(card.state().certificate, state.certificate);

    stage(&mut card, &extended);
    let good = authorised_commit(&key, 0, &extended);
    assert_eq!(sw(&mut card, &good), 0x9000);
    assert_eq!(card.state().certificate, extended);
    // The counter moved: the tag does not serve twice.
    assert_eq!(
        send(&mut card, "00 CA 01 02 04"),
        (vec![0, 0, 0, 1], 0x9000)
    );
    stage(&mut card, &extended);
    assert_eq!(sw(&mut card, &good), 0x6982);
}

#[test]
fn security_21_10_a_blank_card_attests_with_its_factory_key_only_the_key_it_made() {
    let mut card = selected_card(blank_factory_state());
    let digest = "AB".repeat(32);
    let attest = format!("00 88 00 00 20 {digest} 30");
    // No key yet: nothing to attest; a digest of the wrong length is refused.
    assert_eq!(sw(&mut card, &attest), 0x6A88);
    let (mut spki, _) = send(&mut card, "00 46 80 00 00");
    let (rest, _) = send(&mut card, "00 C0 00 00 26");
    spki.extend_from_slice(&rest);
    assert_eq!(sw(&mut card, "00 88 00 00 02 ABAB 30"), 0x6700);
    assert_eq!(
        sw(&mut card, &format!("00 88 00 01 20 {digest} 30")),
        0x6A86
    );

    let (answer, status) = send(&mut card, &attest);
    assert_eq!(status, 0x9000);
    let (number, tag) = answer.split_at(16);
    assert_eq!(number, CARD_NUMBER.as_bytes());
    let key_proof_digest = [0xABu8; 32];
    let message =
        card_helper::protocol::card_attestation_message(CARD_NUMBER, &spki, &key_proof_digest);
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&FACTORY_KEY).expect("key");
    mac.update(&message);
    assert!(mac.verify_slice(tag).is_ok(), "the factory key's tag");
    // Another number, another key or another proof is another tag.
    let activated = activated_state();
    let other_key = activated_spki(&activated);
    for (number, key, digest) in [
        ("TP04000000099002", spki.as_slice(), key_proof_digest),
        (CARD_NUMBER, other_key.as_slice(), key_proof_digest),
        (CARD_NUMBER, spki.as_slice(), [0xAC; 32]),
    ] {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&FACTORY_KEY).expect("key");
        mac.update(&card_helper::protocol::card_attestation_message(
            number, key, &digest,
        ));
        assert!(mac.verify_slice(tag).is_err());
    }

    // A card made without factory data attests nothing; nor does an activated card.
    let mut plain = selected_card(blank_state(PIN, USER_CODE, None).expect("blank card"));
    send(&mut plain, "00 46 80 00 00");
    assert_eq!(sw(&mut plain, &attest), 0x6A88);
    let mut activated = selected_card(activated);
    assert_eq!(sw(&mut activated, &attest), 0x6985);
}

/// The DER SubjectPublicKeyInfo of an activated card's key, read from the card.
fn activated_spki(state: &CardState) -> Vec<u8> {
    let mut card = selected_card(state.clone());
    let (mut spki, _) = send(&mut card, "00 46 81 00 00");
    let (rest, _) = send(&mut card, "00 C0 00 00 26");
    spki.extend_from_slice(&rest);
    spki
}

#[test]
fn security_21_10_a_malformed_factory_card_is_not_made() {
    let factory = |card_number: &str, key: &[u8]| card_helper::card::Factory {
        card_number: card_number.to_owned(),
        key: key.to_vec(),
    };
    assert!(blank_state(
        PIN,
        USER_CODE,
        Some(factory("TP0400000009900", &FACTORY_KEY))
    )
    .is_err());
    assert!(blank_state(
        PIN,
        USER_CODE,
        Some(factory("tp04000000099001", &FACTORY_KEY))
    )
    .is_err());
    assert!(blank_state(PIN, USER_CODE, Some(factory(CARD_NUMBER, &[1; 16]))).is_err());
    assert!(blank_state(PIN, USER_CODE, Some(factory(CARD_NUMBER, &FACTORY_KEY))).is_ok());
}
