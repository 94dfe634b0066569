//! A certificate that passed every check, with the fields the services use, and the
//! verification of signatures made with its key.

use super::{CaFamily, CertificateError, Purpose};
use crate::domain::agency_code::AgencyCode;
use crate::domain::business_id::BusinessId;
use ring::signature::{
    UnparsedPublicKey, VerificationAlgorithm, ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_FIXED,
    RSA_PKCS1_2048_8192_SHA256,
};

/// The kind of key a certificate certifies (the two the portal's cards and API clients use).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublicKeyKind {
    /// ECDSA on NIST P-256.
    EcdsaP256,
    /// RSA, with its modulus size in bits (2048 or more).
    Rsa { bits: usize },
}

/// The outcome of [`TrustStore::check_certificate`](super::TrustStore::check_certificate):
/// only that function builds one, so holding it means the checks passed at the time given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedCertificate {
    pub(super) der: Vec<u8>,
    pub(super) purpose: Purpose,
    pub(super) family: CaFamily,
    pub(super) serial_hex: String,
    pub(super) subject: String,
    pub(super) common_name: Option<String>,
    pub(super) organization: Option<String>,
    pub(super) business_id: Option<BusinessId>,
    pub(super) agency_code: Option<AgencyCode>,
    pub(super) id_last4: Option<String>,
    pub(super) dns_names: Vec<String>,
    pub(super) not_before: i64,
    pub(super) not_after: i64,
    pub(super) fingerprint_sha256: String,
    pub(super) spki_der: Vec<u8>,
    /// The BIT STRING inside the SubjectPublicKeyInfo: what `ring` verifies with.
    pub(super) public_key: Vec<u8>,
    pub(super) key_kind: PublicKeyKind,
}

impl CheckedCertificate {
    /// The certificate itself, DER-encoded.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// What it was checked for.
    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    /// The authority that issued it.
    pub fn issuer_family(&self) -> CaFamily {
        self.family
    }

    /// The certificate's serial number in lower-case hexadecimal, without leading zero bytes
    /// (憑證序號; what revocation and I-2's server-certificate serial refer to).
    pub fn serial_hex(&self) -> &str {
        &self.serial_hex
    }

    /// The whole subject, RFC 4514 style, for logs and the back office.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The subject's name: the company (business and API), the agency, the person (citizen)
    /// or the host (server) — the subject commonName.
    pub fn subject_name(&self) -> Option<&str> {
        self.common_name.as_deref()
    }

    /// The subject organizationName (server certificates: the agency or institution).
    pub fn organization(&self) -> Option<&str> {
        self.organization.as_deref()
    }

    /// 統一編號 of a business or API certificate.
    pub fn business_id(&self) -> Option<&BusinessId> {
        self.business_id.as_ref()
    }

    /// 機關代號 of an agency certificate (機關憑證).
    pub fn agency_code(&self) -> Option<&AgencyCode> {
        self.agency_code.as_ref()
    }

    /// The last four digits of the holder's ID number (citizen certificates carry no more).
    pub fn id_last4(&self) -> Option<&str> {
        self.id_last4.as_deref()
    }

    /// The DNS names of a server certificate (subjectAltName).
    pub fn dns_names(&self) -> &[String] {
        &self.dns_names
    }

    /// Start of validity, Unix seconds.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// End of validity, Unix seconds.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// SHA-256 of the DER, lower-case hexadecimal: how the portal remembers a certificate.
    pub fn fingerprint_sha256(&self) -> &str {
        &self.fingerprint_sha256
    }

    /// The SubjectPublicKeyInfo, DER-encoded.
    pub fn public_key_spki(&self) -> &[u8] {
        &self.spki_der
    }

    pub fn public_key_kind(&self) -> PublicKeyKind {
        self.key_kind
    }

    /// The RSA public key as PKCS#1 `RSAPublicKey` DER (what JWT libraries take for RS256);
    /// `None` for an ECDSA key.
    pub fn rsa_public_key_der(&self) -> Option<&[u8]> {
        matches!(self.key_kind, PublicKeyKind::Rsa { .. }).then_some(self.public_key.as_slice())
    }

    /// Verifies a signature made with the certificate's private key over `message`:
    /// ECDSA P-256 with SHA-256 (DER-encoded, or the 64-byte `r‖s` that cards and JWS
    /// produce) or RSA PKCS#1 v1.5 with SHA-256 (RS256).
    pub fn verify_signature(
        &self,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CertificateError> {
        verify_with(self.key_kind, &self.public_key, message, signature)
    }
}

/// Verifies `signature` over `message` with `public_key` (the subjectPublicKey bits) of
/// `kind`, as [`CheckedCertificate::verify_signature`] describes.
pub(super) fn verify_with(
    kind: PublicKeyKind,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), CertificateError> {
    let algorithm: &'static dyn VerificationAlgorithm = match kind {
        PublicKeyKind::EcdsaP256 if signature.len() == 64 => &ECDSA_P256_SHA256_FIXED,
        PublicKeyKind::EcdsaP256 => &ECDSA_P256_SHA256_ASN1,
        PublicKeyKind::Rsa { .. } => &RSA_PKCS1_2048_8192_SHA256,
    };
    UnparsedPublicKey::new(algorithm, public_key)
        .verify(message, signature)
        .map_err(|_| CertificateError::BadSignature)
}

/// Checks that the 統一編號 a company typed is the one in its certificate (C-1, card sign-in).
pub fn expect_business_id(
    certificate: &CheckedCertificate,
    typed: &BusinessId,
) -> Result<(), CertificateError> {
    match certificate.business_id() {
        Some(id) if id == typed => Ok(()),
        Some(_) => Err(CertificateError::BusinessIdMismatch),
        None => Err(CertificateError::WrongType),
    }
}

/// Checks that the 機關代號 an agency typed is the one in its 機關憑證 (agency sign-in).
pub fn expect_agency_code(
    certificate: &CheckedCertificate,
    typed: &AgencyCode,
) -> Result<(), CertificateError> {
    match certificate.agency_code() {
        Some(code) if code == typed => Ok(()),
        Some(_) => Err(CertificateError::AgencyCodeMismatch),
        None => Err(CertificateError::WrongType),
    }
}
