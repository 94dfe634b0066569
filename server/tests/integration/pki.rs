//! The development PKI and the server-side certificate checks together (SPEC F-4): every
//! certificate is issued by `server::pki` and checked by `app::pki`, as in production.

use app::domain::business_id::BusinessId;
use app::domain::FieldError;
use app::i18n::Lang;
use app::pki::{
    expect_business_id, CaFamily, CertificateError, PublicKeyKind, Purpose, ReloadableTrustStore,
    TrustStore, TrustStoreError,
};
use base64::Engine;
use proptest::prelude::*;
use rcgen::{DistinguishedName, DnType, KeyPair, KeyUsagePurpose, PublicKeyData, SigningKey};
use server::pki::{Issued, Pki, PkiError, SubjectKey, Validity, CRL_LIFETIME_SECONDS};
use std::path::Path;

/// 2026-01-01 00:00:00 UTC: the injected "now" of every test.
const NOW: i64 = 1_767_225_600;
const DAY: i64 = 24 * 60 * 60;

struct Fixture {
    _dir: tempfile::TempDir,
    pki: Pki,
    store: ReloadableTrustStore,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temporary directory");
        let pki = Pki::init(dir.path(), NOW).expect("init");
        let store = ReloadableTrustStore::load(&pki.trust_dir()).expect("trust store");
        Fixture {
            _dir: dir,
            pki,
            store,
        }
    }

    fn check(
        &self,
        input: &[u8],
        purpose: Purpose,
    ) -> Result<app::pki::CheckedCertificate, CertificateError> {
        self.store.current().check_certificate(input, purpose, NOW)
    }

    fn business_card(&self, validity: Validity) -> Issued {
        self.pki
            .issue_business_card(
                &business_id(),
                "開發測試股份有限公司",
                validity,
                &SubjectKey::Generate,
            )
            .expect("business card")
    }

    fn citizen_card(&self) -> Issued {
        self.pki
            .issue_citizen_card("王小明", "6789", a_year(), &SubjectKey::Generate)
            .expect("citizen card")
    }

    fn api_certificate(&self) -> Issued {
        self.pki
            .issue_api_certificate(
                &business_id(),
                "開發測試股份有限公司",
                a_year(),
                &SubjectKey::Generate,
            )
            .expect("API certificate")
    }
}

fn business_id() -> BusinessId {
    BusinessId::with_checksum(459_525).expect("business ID")
}

fn a_year() -> Validity {
    Validity::days_from(NOW - DAY, 365)
}

fn key_pair(issued: &Issued) -> KeyPair {
    KeyPair::from_pem(issued.private_key_pem.as_deref().expect("private key")).expect("key")
}

#[test]
fn f4_business_card_from_moeaca_is_accepted_with_its_business_id() {
    let fixture = Fixture::new();
    let card = fixture.business_card(a_year());
    let checked = fixture
        .check(card.certificate_pem.as_bytes(), Purpose::BusinessCard)
        .expect("accepted");
    assert_eq!(checked.issuer_family(), CaFamily::Moeaca);
    assert_eq!(checked.business_id(), Some(&business_id()));
    assert_eq!(checked.subject_name(), Some("開發測試股份有限公司"));
    assert_eq!(checked.serial_hex(), card.serial_hex);
    assert_eq!(checked.not_before(), NOW - DAY);
    assert_eq!(checked.not_after(), NOW - DAY + 365 * DAY);
    assert_eq!(checked.public_key_kind(), PublicKeyKind::EcdsaP256);
    assert_eq!(checked.der(), card.certificate_der.as_slice());
    assert_eq!(checked.fingerprint_sha256().len(), 64);
    assert_eq!(expect_business_id(&checked, &business_id()), Ok(()));
}

#[test]
fn f4_citizen_card_carries_the_name_and_only_the_last_four_id_digits() {
    let fixture = Fixture::new();
    let card = fixture.citizen_card();
    let checked = fixture
        .check(&card.certificate_der, Purpose::CitizenCard)
        .expect("accepted");
    assert_eq!(checked.issuer_family(), CaFamily::Moica);
    assert_eq!(checked.subject_name(), Some("王小明"));
    assert_eq!(checked.id_last4(), Some("6789"));
    assert_eq!(checked.business_id(), None);
    assert!(!checked.subject().contains("12345"));
}

#[test]
fn f4_citizen_card_is_issued_for_a_public_key_generated_on_the_card() {
    let fixture = Fixture::new();
    let card_key = KeyPair::generate().expect("card key");
    let issued = fixture
        .pki
        .issue_citizen_card(
            "林小華",
            "0042",
            a_year(),
            &SubjectKey::PublicKey(card_key.subject_public_key_info()),
        )
        .expect("issued");
    assert_eq!(issued.private_key_pem, None);
    let checked = fixture
        .check(issued.certificate_pem.as_bytes(), Purpose::CitizenCard)
        .expect("accepted");
    assert_eq!(
        checked.public_key_spki(),
        card_key.subject_public_key_info().as_slice()
    );
    let signature = card_key.sign(b"challenge").expect("signature");
    assert_eq!(checked.verify_signature(b"challenge", &signature), Ok(()));
}

#[test]
fn f4_citizen_card_with_an_rsa_card_key_verifies_pkcs1_signatures() {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
    let fixture = Fixture::new();
    let card_key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("RSA key");
    let spki = card_key
        .to_public_key()
        .to_public_key_der()
        .expect("SPKI")
        .into_vec();
    let issued = fixture
        .pki
        .issue_citizen_card("陳大文", "1234", a_year(), &SubjectKey::PublicKey(spki))
        .expect("issued");
    let checked = fixture
        .check(&issued.certificate_der, Purpose::CitizenCard)
        .expect("accepted");
    assert_eq!(checked.public_key_kind(), PublicKeyKind::Rsa { bits: 2048 });
    let pkcs8 = card_key.to_pkcs8_der().expect("PKCS#8");
    let signer =
        KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8.as_bytes().into(), &rcgen::PKCS_RSA_SHA256)
            .expect("signer");
    let signature = signer.sign(b"challenge").expect("signature");
    assert_eq!(checked.verify_signature(b"challenge", &signature), Ok(()));
    assert_eq!(
        checked.verify_signature(b"another challenge", &signature),
        Err(CertificateError::BadSignature)
    );
}

#[test]
fn f4_api_certificate_is_rsa_and_verifies_rs256_signatures() {
    let fixture = Fixture::new();
    let api = fixture.api_certificate();
    let checked = fixture
        .check(api.certificate_pem.as_bytes(), Purpose::ApiCertificate)
        .expect("accepted");
    assert_eq!(checked.public_key_kind(), PublicKeyKind::Rsa { bits: 2048 });
    assert_eq!(checked.business_id(), Some(&business_id()));
    assert_eq!(checked.organization(), Some("開發測試股份有限公司"));
    let signature = key_pair(&api).sign(b"header.payload").expect("RS256");
    assert_eq!(
        checked.verify_signature(b"header.payload", &signature),
        Ok(())
    );
    let mut forged = signature.clone();
    forged[10] ^= 1;
    assert_eq!(
        checked.verify_signature(b"header.payload", &forged),
        Err(CertificateError::BadSignature)
    );
}

#[test]
fn f4_ecdsa_signatures_verify_in_der_and_fixed_forms() {
    use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    let fixture = Fixture::new();
    let card = fixture.business_card(a_year());
    let checked = fixture
        .check(&card.certificate_der, Purpose::BusinessCard)
        .expect("accepted");
    let key = key_pair(&card);
    let der_signature = key.sign(b"nonce").expect("signature");
    assert_eq!(checked.verify_signature(b"nonce", &der_signature), Ok(()));

    let rng = ring::rand::SystemRandom::new();
    let fixed =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, key.serialized_der(), &rng)
            .expect("ring key");
    let fixed_signature = fixed.sign(&rng, b"nonce").expect("signature");
    assert_eq!(fixed_signature.as_ref().len(), 64);
    assert_eq!(
        checked.verify_signature(b"nonce", fixed_signature.as_ref()),
        Ok(())
    );
    assert_eq!(
        checked.verify_signature(b"other nonce", fixed_signature.as_ref()),
        Err(CertificateError::BadSignature)
    );
    assert_eq!(
        checked.verify_signature(b"nonce", b"not a signature"),
        Err(CertificateError::BadSignature)
    );
}

#[test]
fn i1_server_certificates_from_gca_moeaca_and_xca_are_accepted() {
    let fixture = Fixture::new();
    for family in [CaFamily::Gca, CaFamily::Moeaca, CaFamily::Xca] {
        let issued = fixture
            .pki
            .issue_server_certificate(
                family,
                "開發測試機關",
                "app.example.gov.tw",
                a_year(),
                &SubjectKey::Generate,
            )
            .expect("server certificate");
        let checked = fixture
            .check(&issued.certificate_der, Purpose::ServerCertificate)
            .expect("accepted");
        assert_eq!(checked.issuer_family(), family);
        assert_eq!(checked.organization(), Some("開發測試機關"));
        assert_eq!(checked.dns_names(), ["app.example.gov.tw".to_owned()]);
    }
    assert!(matches!(
        fixture.pki.issue_server_certificate(
            CaFamily::Moica,
            "開發測試機關",
            "app.example.gov.tw",
            a_year(),
            &SubjectKey::Generate
        ),
        Err(PkiError::WrongFamily(CaFamily::Moica))
    ));
}

#[test]
fn f4_expired_certificate_is_refused() {
    let fixture = Fixture::new();
    let card = fixture.business_card(Validity::days_from(NOW - 400 * DAY, 365));
    assert_eq!(
        fixture.check(&card.certificate_der, Purpose::BusinessCard),
        Err(CertificateError::Expired)
    );
}

#[test]
fn f4_not_yet_valid_certificate_is_refused() {
    let fixture = Fixture::new();
    let card = fixture.business_card(Validity::days_from(NOW + DAY, 365));
    assert_eq!(
        fixture.check(&card.certificate_der, Purpose::BusinessCard),
        Err(CertificateError::NotYetValid)
    );
}

#[test]
fn f4_revoked_certificate_is_refused_once_the_new_crl_is_loaded() {
    let fixture = Fixture::new();
    let card = fixture.citizen_card();
    let other = fixture.citizen_card();
    assert_eq!(
        fixture.pki.revoke(&card.serial_hex, NOW).expect("revoke"),
        CaFamily::Moica
    );
    // The running server still holds the previous CRL until it reloads.
    assert!(fixture
        .check(&card.certificate_der, Purpose::CitizenCard)
        .is_ok());
    fixture.store.reload().expect("reload");
    assert_eq!(
        fixture.check(&card.certificate_der, Purpose::CitizenCard),
        Err(CertificateError::Revoked)
    );
    assert!(fixture
        .check(&other.certificate_der, Purpose::CitizenCard)
        .is_ok());
    // Revoking again is harmless, and serials are accepted with colons and in upper case.
    let colons = card
        .serial_hex
        .to_ascii_uppercase()
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).into_owned())
        .collect::<Vec<_>>()
        .join(":");
    assert_eq!(
        fixture.pki.revoke(&colons, NOW + 1).expect("revoke"),
        CaFamily::Moica
    );
}

#[test]
fn f4_revoking_an_unknown_serial_is_an_error() {
    let fixture = Fixture::new();
    assert!(matches!(
        fixture.pki.revoke("0123456789abcdef", NOW),
        Err(PkiError::UnknownSerial(_))
    ));
    assert!(matches!(
        fixture.pki.revoke("not hex", NOW),
        Err(PkiError::UnknownSerial(_))
    ));
}

#[test]
fn f4_missing_crl_makes_the_status_unknown() {
    let fixture = Fixture::new();
    let card = fixture.business_card(a_year());
    std::fs::remove_file(fixture.pki.trust_dir().join("moeaca.crl")).expect("remove CRL");
    fixture.store.reload().expect("reload");
    assert_eq!(
        fixture.check(&card.certificate_der, Purpose::BusinessCard),
        Err(CertificateError::CrlUnavailable)
    );
}

#[test]
fn f4_stale_crl_makes_the_status_unknown() {
    let fixture = Fixture::new();
    let card = fixture.business_card(a_year());
    let later = NOW + CRL_LIFETIME_SECONDS + 1;
    assert_eq!(
        fixture.store.current().check_certificate(
            &card.certificate_der,
            Purpose::BusinessCard,
            later
        ),
        Err(CertificateError::CrlStale)
    );
    fixture.pki.write_crls(later).expect("new CRLs");
    fixture.store.reload().expect("reload");
    assert!(fixture
        .store
        .current()
        .check_certificate(&card.certificate_der, Purpose::BusinessCard, later)
        .is_ok());
}

#[test]
fn f4_crl_signed_by_a_foreign_ca_is_not_trusted() {
    let fixture = Fixture::new();
    let foreign = Fixture::new();
    let card = fixture.business_card(a_year());
    std::fs::copy(
        foreign.pki.trust_dir().join("moeaca.crl"),
        fixture.pki.trust_dir().join("moeaca.crl"),
    )
    .expect("replace CRL");
    fixture.store.reload().expect("reload");
    assert_eq!(
        fixture.check(&card.certificate_der, Purpose::BusinessCard),
        Err(CertificateError::CrlUnavailable)
    );
}

#[test]
fn f4_certificate_from_a_foreign_ca_is_refused() {
    let fixture = Fixture::new();
    let foreign = Fixture::new();
    let card = foreign.business_card(a_year());
    assert_eq!(
        fixture.check(&card.certificate_der, Purpose::BusinessCard),
        Err(CertificateError::UnknownIssuer)
    );
    assert!(foreign
        .check(&card.certificate_der, Purpose::BusinessCard)
        .is_ok());
}

#[test]
fn f4_tampered_certificate_signature_is_refused() {
    let fixture = Fixture::new();
    let mut der = fixture.business_card(a_year()).certificate_der;
    let last = der.len() - 1;
    der[last] ^= 0x01;
    assert_eq!(
        fixture.check(&der, Purpose::BusinessCard),
        Err(CertificateError::BadSignature)
    );
}

#[test]
fn f4_citizen_card_where_a_business_card_is_needed_is_the_wrong_type() {
    let fixture = Fixture::new();
    let citizen = fixture.citizen_card();
    let business = fixture.business_card(a_year());
    let api = fixture.api_certificate();
    let server = fixture
        .pki
        .issue_server_certificate(
            CaFamily::Moeaca,
            "開發測試銀行",
            "bank.example.tw",
            a_year(),
            &SubjectKey::Generate,
        )
        .expect("server certificate");
    let wrong = [
        (&citizen, Purpose::BusinessCard),
        (&business, Purpose::CitizenCard),
        (&api, Purpose::BusinessCard),
        (&business, Purpose::ApiCertificate),
        (&server, Purpose::BusinessCard),
        (&business, Purpose::ServerCertificate),
        (&citizen, Purpose::ServerCertificate),
    ];
    for (issued, purpose) in wrong {
        assert_eq!(
            fixture.check(&issued.certificate_der, purpose),
            Err(CertificateError::WrongType),
            "{:?} used as {purpose:?}",
            issued.family
        );
    }
}

#[test]
fn f4_ca_certificate_presented_as_a_card_is_the_wrong_type() {
    let fixture = Fixture::new();
    let ca = fixture.pki.ca_certificate_pem(CaFamily::Moeaca).to_owned();
    assert_eq!(
        fixture.check(ca.as_bytes(), Purpose::BusinessCard),
        Err(CertificateError::WrongType)
    );
}

#[test]
fn f4_certificate_without_digital_signature_key_usage_is_refused() {
    let fixture = Fixture::new();
    let mut params = rcgen::CertificateParams::default();
    params.not_before = time::OffsetDateTime::from_unix_timestamp(NOW - DAY).expect("time");
    params.not_after = time::OffsetDateTime::from_unix_timestamp(NOW + 365 * DAY).expect("time");
    params.is_ca = rcgen::IsCa::ExplicitNoCa;
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CountryName, "TW");
    subject.push(DnType::CommonName, "開發測試股份有限公司");
    subject.push(
        DnType::CustomDnType(vec![2, 5, 4, 5]),
        business_id().as_str(),
    );
    params.distinguished_name = subject;
    params.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    let issued = fixture
        .pki
        .sign(CaFamily::Moeaca, params, &SubjectKey::Generate)
        .expect("issued");
    assert_eq!(
        fixture.check(&issued.certificate_der, Purpose::BusinessCard),
        Err(CertificateError::WrongKeyUsage)
    );
}

#[test]
fn f4_mismatched_business_id_is_refused() {
    let fixture = Fixture::new();
    let card = fixture.business_card(a_year());
    let checked = fixture
        .check(&card.certificate_der, Purpose::BusinessCard)
        .expect("accepted");
    let typed = BusinessId::with_checksum(1_234_567).expect("business ID");
    assert_eq!(
        expect_business_id(&checked, &typed),
        Err(CertificateError::BusinessIdMismatch)
    );
    let citizen = fixture
        .check(
            &fixture.citizen_card().certificate_der,
            Purpose::CitizenCard,
        )
        .expect("accepted");
    assert_eq!(
        expect_business_id(&citizen, &typed),
        Err(CertificateError::WrongType)
    );
}

#[test]
fn f4_truncated_der_is_malformed() {
    let fixture = Fixture::new();
    let der = fixture.business_card(a_year()).certificate_der;
    for length in [1, 2, 10, der.len() / 2, der.len() - 1] {
        assert_eq!(
            fixture.check(&der[..length], Purpose::BusinessCard),
            Err(CertificateError::Malformed),
            "{length} bytes"
        );
    }
    let mut trailing = der.clone();
    trailing.push(0);
    assert_eq!(
        fixture.check(&trailing, Purpose::BusinessCard),
        Err(CertificateError::Malformed)
    );
}

#[test]
fn f4_garbage_is_malformed() {
    let fixture = Fixture::new();
    for garbage in [
        &b""[..],
        b"hello",
        b"\x00\x01\x02",
        b"-----BEGIN CERTIFICATE-----",
        "憑證".as_bytes(),
    ] {
        assert_eq!(
            fixture.check(garbage, Purpose::BusinessCard),
            Err(CertificateError::Malformed)
        );
    }
}

#[test]
fn f4_pem_with_junk_inside_is_malformed_and_text_around_it_is_allowed() {
    let fixture = Fixture::new();
    let pem = fixture.business_card(a_year()).certificate_pem;
    let junk_inside = pem.replacen("\n", "\n!!junk!!\n", 2);
    assert_eq!(
        fixture.check(junk_inside.as_bytes(), Purpose::BusinessCard),
        Err(CertificateError::Malformed)
    );
    let no_end = pem.replace("-----END CERTIFICATE-----", "");
    assert_eq!(
        fixture.check(no_end.as_bytes(), Purpose::BusinessCard),
        Err(CertificateError::Malformed)
    );
    let key_only = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert_eq!(
        fixture.check(key_only.as_bytes(), Purpose::BusinessCard),
        Err(CertificateError::Malformed)
    );
    let with_text = format!("Subject: 開發測試股份有限公司\n{pem}\ntrailing notes\n");
    assert!(fixture
        .check(with_text.as_bytes(), Purpose::BusinessCard)
        .is_ok());
}

#[test]
fn f4_bare_base64_cer_export_is_accepted() {
    let fixture = Fixture::new();
    let der = fixture.business_card(a_year()).certificate_der;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&der);
    let wrapped: Vec<String> = encoded
        .as_bytes()
        .chunks(64)
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect();
    let cer = wrapped.join("\r\n");
    assert!(fixture.check(cer.as_bytes(), Purpose::BusinessCard).is_ok());
}

#[test]
fn f4_every_refusal_has_its_own_message_in_both_languages() {
    let all = [
        CertificateError::Malformed,
        CertificateError::Expired,
        CertificateError::NotYetValid,
        CertificateError::Revoked,
        CertificateError::UnknownIssuer,
        CertificateError::WrongType,
        CertificateError::WrongKeyUsage,
        CertificateError::BadSignature,
        CertificateError::BusinessIdMismatch,
        CertificateError::AgencyCodeMismatch,
        CertificateError::CrlUnavailable,
        CertificateError::CrlStale,
    ];
    for lang in [Lang::ZhTw, Lang::English] {
        let mut messages: Vec<&str> = all.iter().map(|error| error.message(lang)).collect();
        messages.sort_unstable();
        messages.dedup();
        assert_eq!(messages.len(), all.len(), "{lang:?}");
    }
}

#[test]
fn f4_init_is_idempotent_and_keys_are_private() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let first = Pki::init(dir.path(), NOW).expect("init");
    let root = first.ca_certificate_pem(CaFamily::Grca).to_owned();
    let second = Pki::init(dir.path(), NOW + DAY).expect("init again");
    assert_eq!(second.ca_certificate_pem(CaFamily::Grca), root);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for family in CaFamily::ALL {
            let key = dir
                .path()
                .join("private")
                .join(format!("{}.key", family.code()));
            let mode = std::fs::metadata(&key)
                .expect("key file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{}", key.display());
        }
    }
    let store = TrustStore::load(&first.trust_dir()).expect("trust store");
    drop(store);
}

#[test]
fn f4_issued_files_keep_the_key_private_and_never_overwrite_it() {
    let fixture = Fixture::new();
    let out = tempfile::tempdir().expect("temporary directory");
    let prefix = out.path().join("demo-company");
    let card = fixture.business_card(a_year());
    let written = card.write_files(&prefix).expect("written");
    assert_eq!(written.len(), 2);
    let pem = std::fs::read(out.path().join("demo-company.crt")).expect("certificate file");
    assert!(fixture.check(&pem, Purpose::BusinessCard).is_ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = std::fs::metadata(out.path().join("demo-company.key")).expect("key file");
        assert_eq!(key.permissions().mode() & 0o777, 0o600);
    }
    assert!(matches!(
        card.write_files(&prefix),
        Err(PkiError::Io { .. })
    ));
}

#[test]
fn f4_development_authorities_say_they_are_for_development() {
    let fixture = Fixture::new();
    for family in CaFamily::ALL {
        let pem = fixture.pki.ca_certificate_pem(family);
        let der = app::pki::certificate_der(pem.as_bytes()).expect("PEM");
        let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("certificate");
        let subject = cert.subject().to_string();
        assert!(subject.contains("開發測試用"), "{subject}");
        assert!(subject.contains(family.unit_name()), "{subject}");
    }
}

#[test]
fn f4_partial_pki_directory_is_refused() {
    let fixture = Fixture::new();
    let dir = fixture.pki.trust_dir();
    let parent = dir.parent().expect("PKI directory");
    std::fs::remove_file(dir.join("xca.crt")).expect("remove");
    assert!(matches!(Pki::open(parent), Err(PkiError::Incomplete(_))));
    assert!(matches!(
        Pki::init(parent, NOW),
        Err(PkiError::Incomplete(_))
    ));
    let empty = tempfile::tempdir().expect("temporary directory");
    assert!(matches!(
        Pki::open(empty.path()),
        Err(PkiError::NotInitialised(_))
    ));
}

#[test]
fn f4_trust_store_without_a_root_or_with_a_broken_file_fails_to_load() {
    let empty = tempfile::tempdir().expect("temporary directory");
    assert!(matches!(
        TrustStore::load(empty.path()),
        Err(TrustStoreError::NoRoot { .. })
    ));
    std::fs::write(empty.path().join("broken.crt"), "not a certificate").expect("write");
    assert!(matches!(
        TrustStore::load(empty.path()),
        Err(TrustStoreError::Unreadable { .. })
    ));
    assert!(matches!(
        TrustStore::load(Path::new("/nonexistent/huji-trust")),
        Err(TrustStoreError::Io { .. })
    ));
}

#[test]
fn f4_failed_reload_keeps_the_previous_trust_store() {
    let fixture = Fixture::new();
    let card = fixture.business_card(a_year());
    std::fs::write(fixture.pki.trust_dir().join("broken.crl"), "junk").expect("write");
    assert!(fixture.store.reload().is_err());
    assert!(fixture
        .check(&card.certificate_der, Purpose::BusinessCard)
        .is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Changing any byte of a good business card never panics, and the result is never
    /// accepted as any other kind of certificate.
    #[test]
    fn f4_mutated_certificates_never_panic(position in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let fixture = shared_fixture();
        let mut der = fixture.1.clone();
        let index = position.index(der.len());
        der[index] = byte;
        let store = TrustStore::load(&fixture.0).expect("trust store");
        for purpose in [Purpose::BusinessCard, Purpose::CitizenCard, Purpose::ApiCertificate, Purpose::ServerCertificate] {
            if let Ok(checked) = store.check_certificate(&der, purpose, NOW) {
                prop_assert_eq!(checked.purpose(), Purpose::BusinessCard);
            }
        }
    }
}

/// One PKI for all proptest cases: (trust directory, a business card's DER).
fn shared_fixture() -> &'static (std::path::PathBuf, Vec<u8>) {
    static FIXTURE: std::sync::OnceLock<(std::path::PathBuf, Vec<u8>)> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory").keep();
        let pki = Pki::init(&dir, NOW).expect("init");
        let card = pki
            .issue_business_card(
                &business_id(),
                "開發測試股份有限公司",
                a_year(),
                &SubjectKey::Generate,
            )
            .expect("card");
        (pki.trust_dir(), card.certificate_der)
    })
}

/// How long `run` takes at best out of three tries: what the code costs, without the pauses
/// other work on the machine puts in any one try.
fn best_of_three(mut run: impl FnMut()) -> std::time::Duration {
    (0..3)
        .map(|_| {
            let started = std::time::Instant::now();
            run();
            started.elapsed()
        })
        .min()
        .expect("three tries")
}

#[test]
fn security_21_6_crls_are_verified_once_per_load_and_a_reload_sees_a_new_one() {
    let fixture = Fixture::new();
    let card = fixture.citizen_card();
    // A long MOICA CRL: 200,000 revoked serials, as a real authority's list grows.
    let revoked: String = (0..200_000u64)
        .map(|n| format!("7f{n:014x} {NOW}\n"))
        .collect();
    let revoked_dir = fixture._dir.path().join("revoked");
    std::fs::create_dir_all(&revoked_dir).expect("revoked directory");
    std::fs::write(revoked_dir.join("moica.txt"), revoked).expect("revocations");
    fixture.pki.write_crls(NOW).expect("CRLs");

    let load = best_of_three(|| fixture.store.reload().expect("reload"));
    // Ten checks cost less than reading the lists once: none parses or verifies a CRL.
    let checks = best_of_three(|| {
        for _ in 0..10 {
            assert!(fixture
                .check(&card.certificate_der, Purpose::CitizenCard)
                .is_ok());
        }
    });
    assert!(
        checks < load,
        "10 checks took {checks:?}, loading the trust store {load:?}"
    );

    // A reload reads the new list, and the revocation counts at once.
    fixture.pki.revoke(&card.serial_hex, NOW).expect("revoke");
    assert!(fixture
        .check(&card.certificate_der, Purpose::CitizenCard)
        .is_ok());
    fixture.store.reload().expect("reload");
    assert_eq!(
        fixture.check(&card.certificate_der, Purpose::CitizenCard),
        Err(CertificateError::Revoked)
    );
}
