//! `TrustStore::check_certificate`: chain, signatures, validity, kind, key usage, subject
//! fields and revocation, in that order, at a time the caller gives.

use super::checked::{CheckedCertificate, PublicKeyKind};
use super::input::certificate_der;
use super::profile::API_CERTIFICATE_POLICY;
use super::revocation::{self, trim_serial};
use super::subject::SubjectFields;
use super::trust_store::{Authority, TrustStore};
use super::{CaFamily, CertificateError, Purpose};
use sha2::{Digest, Sha256};
use x509_parser::der_parser::asn1_rs::Oid;
use x509_parser::extensions::ParsedExtension;
use x509_parser::oid_registry::{OID_EC_P256, OID_X509_EXT_CERTIFICATE_POLICIES};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// Chains longer than this (end entity, intermediates, root) are not followed.
const MAX_CHAIN: usize = 5;

/// The smallest RSA modulus accepted, in bits.
const MIN_RSA_BITS: usize = 2048;

/// What a certificate is, read from its own extensions before asking whether it fits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Card,
    Api,
    Server,
}

impl TrustStore {
    /// Checks a certificate presented for `purpose` as things stand at `at` (Unix seconds,
    /// from the injected clock). Accepts DER, PEM or bare Base64.
    pub fn check_certificate(
        &self,
        input: &[u8],
        purpose: Purpose,
        at: i64,
    ) -> Result<CheckedCertificate, CertificateError> {
        let der = certificate_der(input)?;
        let cert = parse_certificate(&der)?;
        let chain = self.chain(&cert)?;
        let issuers = chain
            .iter()
            .map(|authority| parse_certificate(&authority.der))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| CertificateError::UnknownIssuer)?;

        check_validity(&cert, at)?;
        for issuer in &issuers {
            check_validity(issuer, at)?;
        }
        let family = chain
            .first()
            .and_then(|issuer| issuer.family)
            .ok_or(CertificateError::UnknownIssuer)?;
        check_kind(&cert, purpose, family)?;
        check_key_usage(&cert, purpose)?;
        let key_kind = key_kind(&cert)?;
        if purpose == Purpose::ApiCertificate && !matches!(key_kind, PublicKeyKind::Rsa { .. }) {
            return Err(CertificateError::WrongKeyUsage);
        }
        let fields = SubjectFields::read(&cert, purpose)?;

        let mut subject = &cert;
        for (authority, issuer) in chain.iter().zip(&issuers) {
            revocation::check(&authority.revocation_lists, subject.raw_serial(), at)?;
            subject = issuer;
        }

        Ok(CheckedCertificate {
            purpose,
            family,
            serial_hex: serial_hex(cert.raw_serial()),
            subject: cert.subject().to_string(),
            common_name: fields.common_name,
            organization: fields.organization,
            business_id: fields.business_id,
            agency_code: fields.agency_code,
            id_last4: fields.id_last4,
            dns_names: fields.dns_names,
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            fingerprint_sha256: hex::encode(Sha256::digest(&der)),
            spki_der: cert.public_key().raw.to_vec(),
            public_key: cert.public_key().subject_public_key.data.to_vec(),
            key_kind,
            der,
        })
    }

    /// What the issuer's revocation lists and the certificate's own dates say at `at` of a
    /// certificate the trust store vouched for before: one on record, or byte for byte the
    /// same (`der`). Its issuer is found by name and key identifier, and its signature is not
    /// checked again, so that answering for a card costs a lookup and not a signature check.
    /// `None` when `der` is not a certificate.
    pub fn on_record(&self, der: &[u8], at: i64) -> Option<OnRecord> {
        let cert = parse_certificate(der).ok()?;
        let wanted_key_id = authority_key_id(&cert);
        let revoked = self
            .authorities
            .iter()
            .filter(|authority| is_candidate_issuer(authority, &cert, wanted_key_id))
            .any(|issuer| {
                revocation::check(&issuer.revocation_lists, cert.raw_serial(), at)
                    == Err(CertificateError::Revoked)
            });
        Some(OnRecord {
            revoked,
            expired: check_validity(&cert, at) == Err(CertificateError::Expired),
        })
    }

    /// The issuers of `cert`, nearest first, ending with a trusted root. A certificate whose
    /// issuer is not in the store is `UnknownIssuer`; one whose issuer is there but whose
    /// signature does not verify (a forgery, or a tampered certificate) is `BadSignature`.
    fn chain(&self, cert: &X509Certificate<'_>) -> Result<Vec<&Authority>, CertificateError> {
        let mut chain: Vec<&Authority> = Vec::new();
        let mut current_der: Option<&[u8]> = None;
        while chain.len() < MAX_CHAIN {
            let current = match current_der {
                Some(der) => parse_certificate(der).map_err(|_| CertificateError::UnknownIssuer)?,
                None => cert.clone(),
            };
            let wanted_key_id = authority_key_id(&current);
            let mut candidates = self
                .authorities
                .iter()
                .filter(|authority| is_candidate_issuer(authority, &current, wanted_key_id))
                .peekable();
            if candidates.peek().is_none() {
                return Err(CertificateError::UnknownIssuer);
            }
            let issuer = candidates
                .find(|authority| {
                    parse_certificate(&authority.der).is_ok_and(|issuer| {
                        current.verify_signature(Some(issuer.public_key())).is_ok()
                    })
                })
                .ok_or(CertificateError::BadSignature)?;
            chain.push(issuer);
            if issuer.is_root {
                return Ok(chain);
            }
            current_der = Some(&issuer.der);
        }
        Err(CertificateError::UnknownIssuer)
    }
}

fn parse_certificate(der: &[u8]) -> Result<X509Certificate<'_>, CertificateError> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Ok(cert),
        _ => Err(CertificateError::Malformed),
    }
}

fn is_candidate_issuer(
    authority: &Authority,
    subject: &X509Certificate<'_>,
    wanted_key_id: Option<&[u8]>,
) -> bool {
    let key_matches = match (wanted_key_id, authority.key_id.as_deref()) {
        (Some(wanted), Some(actual)) => wanted == actual,
        _ => true,
    };
    authority.signs_certificates && key_matches && authority.subject == subject.issuer().as_raw()
}

fn authority_key_id<'a>(cert: &'a X509Certificate<'_>) -> Option<&'a [u8]> {
    cert.iter_extensions()
        .find_map(|extension| match extension.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => aki.key_identifier.as_ref(),
            _ => None,
        })
        .map(|id| id.0)
}

pub(super) fn subject_key_id<'a>(cert: &'a X509Certificate<'_>) -> Option<&'a [u8]> {
    cert.iter_extensions()
        .find_map(|extension| match extension.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0),
            _ => None,
        })
}

fn check_validity(cert: &X509Certificate<'_>, at: i64) -> Result<(), CertificateError> {
    let validity = cert.validity();
    if at < validity.not_before.timestamp() {
        Err(CertificateError::NotYetValid)
    } else if at > validity.not_after.timestamp() {
        Err(CertificateError::Expired)
    } else {
        Ok(())
    }
}

/// Whether the certificate is the kind `purpose` needs, from the right authority: a citizen
/// card where a business card is needed, a business card where an agency card is, or an
/// IC-card certificate where an API certificate is, is `WrongType`.
fn check_kind(
    cert: &X509Certificate<'_>,
    purpose: Purpose,
    family: CaFamily,
) -> Result<(), CertificateError> {
    if cert.is_ca() || has_unknown_critical_extension(cert) {
        return Err(CertificateError::WrongType);
    }
    let server_auth = matches!(cert.extended_key_usage(), Ok(Some(eku)) if eku.value.server_auth);
    let kind = if server_auth {
        Kind::Server
    } else if has_policy(cert, API_CERTIFICATE_POLICY) {
        Kind::Api
    } else {
        Kind::Card
    };
    let wanted = match purpose {
        Purpose::BusinessCard | Purpose::CitizenCard | Purpose::AgencyCard => Kind::Card,
        Purpose::ApiCertificate => Kind::Api,
        Purpose::ServerCertificate => Kind::Server,
    };
    if kind == wanted && purpose.accepts(family) {
        Ok(())
    } else {
        Err(CertificateError::WrongType)
    }
}

/// RFC 5280 §4.2: a critical extension the checker does not understand means refusal.
fn has_unknown_critical_extension(cert: &X509Certificate<'_>) -> bool {
    cert.iter_extensions().any(|extension| {
        extension.critical
            && matches!(
                extension.parsed_extension(),
                ParsedExtension::UnsupportedExtension { .. } | ParsedExtension::ParseError { .. }
            )
    })
}

fn has_policy(cert: &X509Certificate<'_>, policy: &[u64]) -> bool {
    let Ok(Some(extension)) = cert.get_extension_unique(&OID_X509_EXT_CERTIFICATE_POLICIES) else {
        return false;
    };
    match extension.parsed_extension() {
        ParsedExtension::CertificatePolicies(policies) => policies
            .iter()
            .any(|information| oid_is(&information.policy_id, policy)),
        _ => false,
    }
}

pub(super) fn oid_is(oid: &Oid<'_>, arcs: &[u64]) -> bool {
    oid.iter()
        .is_some_and(|components| components.eq(arcs.iter().copied()))
}

/// Key usage (and, for API certificates, extended key usage) must allow the purpose. A
/// certificate without a key-usage extension is refused: every authority here sets one.
fn check_key_usage(cert: &X509Certificate<'_>, purpose: Purpose) -> Result<(), CertificateError> {
    let usage = match cert.key_usage() {
        Ok(Some(usage)) => usage.value,
        Ok(None) => return Err(CertificateError::WrongKeyUsage),
        Err(_) => return Err(CertificateError::Malformed),
    };
    let allowed = match purpose {
        Purpose::BusinessCard | Purpose::CitizenCard | Purpose::AgencyCard => {
            usage.digital_signature()
        }
        Purpose::ApiCertificate => {
            usage.digital_signature()
                && matches!(cert.extended_key_usage(), Ok(Some(eku)) if eku.value.client_auth || eku.value.any)
        }
        Purpose::ServerCertificate => usage.digital_signature() || usage.key_encipherment(),
    };
    if allowed {
        Ok(())
    } else {
        Err(CertificateError::WrongKeyUsage)
    }
}

fn key_kind(cert: &X509Certificate<'_>) -> Result<PublicKeyKind, CertificateError> {
    let spki = cert.public_key();
    match spki.parsed() {
        Ok(PublicKey::EC(_))
            if spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|parameters| parameters.as_oid().ok())
                .is_some_and(|curve| curve == OID_EC_P256) =>
        {
            Ok(PublicKeyKind::EcdsaP256)
        }
        Ok(PublicKey::RSA(rsa)) if rsa.key_size() >= MIN_RSA_BITS => Ok(PublicKeyKind::Rsa {
            bits: rsa.key_size(),
        }),
        Ok(_) => Err(CertificateError::WrongKeyUsage),
        Err(_) => Err(CertificateError::Malformed),
    }
}

/// A serial as people and tools write it (`0A:1B 2C`, upper case, leading zero bytes) in the
/// form the checks report and the records keep: lower-case hex without separators or leading
/// zero bytes; `None` if it is not hex.
pub fn normalise_serial(written: &str) -> Option<String> {
    let compact: String = written
        .chars()
        .filter(|c| !matches!(c, ':' | ' '))
        .collect::<String>()
        .to_ascii_lowercase();
    let bytes = hex::decode(compact.trim()).ok()?;
    (!bytes.is_empty()).then(|| serial_hex(&bytes))
}

fn serial_hex(raw: &[u8]) -> String {
    hex::encode(trim_serial(raw))
}

/// What [`TrustStore::on_record`] finds of a certificate on record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OnRecord {
    /// Its issuer's current revocation list names it.
    pub revoked: bool,
    /// Its notAfter has passed.
    pub expired: bool,
}

/// A certificate read without judging it: what the RA needs of one it issued itself, found by
/// fingerprint in its own records, even once expired, revoked or superseded — to revoke one that
/// failed the checks, or to check a card's signature before extending its certificate (C-4).
pub struct UncheckedCertificate {
    pub serial_hex: String,
    /// Lower-case hex SHA-256 of the DER, as [`CheckedCertificate::fingerprint_sha256`].
    pub fingerprint_sha256: String,
    /// The DER SubjectPublicKeyInfo.
    pub public_key_spki: Vec<u8>,
    key_kind: Option<PublicKeyKind>,
    /// The subjectPublicKey bits (PKCS#1 `RSAPublicKey` for RSA).
    public_key: Vec<u8>,
    /// The subject's commonName: the holder's name on a citizen certificate.
    pub common_name: Option<String>,
}

impl UncheckedCertificate {
    /// Accepts DER, PEM or bare Base64; `None` if it is no certificate.
    pub fn read(input: &[u8]) -> Option<UncheckedCertificate> {
        let der = certificate_der(input).ok()?;
        let cert = parse_certificate(&der).ok()?;
        Some(UncheckedCertificate {
            serial_hex: serial_hex(cert.raw_serial()),
            fingerprint_sha256: hex::encode(Sha256::digest(&der)),
            public_key_spki: cert.public_key().raw.to_vec(),
            key_kind: key_kind(&cert).ok(),
            public_key: cert.public_key().subject_public_key.data.to_vec(),
            common_name: super::subject::first_text(cert.subject().iter_common_name()),
        })
    }

    /// The RSA public key as PKCS#1 `RSAPublicKey` DER; `None` for another kind of key.
    pub fn rsa_public_key(&self) -> Option<&[u8]> {
        matches!(self.key_kind, Some(PublicKeyKind::Rsa { .. })).then_some(&self.public_key[..])
    }

    /// Whether `signature` over `message` was made with this certificate's key (ECDSA P-256
    /// or RSA, with SHA-256), whatever the certificate's standing now: a signature kept
    /// with a record, verified again later.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key_kind.is_some_and(|kind| {
            super::checked::verify_with(kind, &self.public_key, message, signature).is_ok()
        })
    }

    /// Whether `signature` is an RS256 signature of `message` by this certificate's RSA key.
    pub fn verifies_rs256(&self, message: &[u8], signature: &[u8]) -> bool {
        use ring::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
        self.rsa_public_key().is_some_and(|key| {
            UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key)
                .verify(message, signature)
                .is_ok()
        })
    }
}

/// Whether `signature` is an RS256 signature of `message` by the RSA key of this DER
/// SubjectPublicKeyInfo: a blank card's new key proving itself before any certificate holds it.
pub fn spki_verifies_rs256(spki: &[u8], message: &[u8], signature: &[u8]) -> bool {
    use ring::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
    use x509_parser::x509::SubjectPublicKeyInfo;
    SubjectPublicKeyInfo::from_der(spki).is_ok_and(|(rest, info)| {
        rest.is_empty()
            && UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &info.subject_public_key.data)
                .verify(message, signature)
                .is_ok()
    })
}

/// The serial number of a certificate as [`CheckedCertificate::serial_hex`] reports it, read
/// without judging the certificate: to revoke one that failed the checks.
pub fn certificate_serial_hex(input: &[u8]) -> Option<String> {
    UncheckedCertificate::read(input).map(|cert| cert.serial_hex)
}

/// The RSA public key of a certificate as PKCS#1 `RSAPublicKey` DER, read without judging the
/// certificate: to check a signature first and only then say whether the certificate still
/// counts (the verification API tells a stranger nothing about a company's certificate).
pub fn rsa_public_key_unchecked(input: &[u8]) -> Option<Vec<u8>> {
    UncheckedCertificate::read(input)?
        .rsa_public_key()
        .map(<[u8]>::to_vec)
}
