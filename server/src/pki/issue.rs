//! Issuing end-entity certificates in the subject profile of `docs/pki.md`: business cards
//! (MOEACA), citizen cards (MOICA), agency cards (GCA), companies' API certificates and server
//! certificates.

use super::keys::{KeyKind, SubjectKey};
use super::{files, CaFamily, Pki, PkiError};
use app::domain::agency_code::AgencyCode;
use app::domain::business_id::BusinessId;
use app::pki::profile::{API_CERTIFICATE_POLICY, SUBJECT_SERIAL_NUMBER};
use app::pki::Purpose;
use rcgen::string::{Ia5String, PrintableString};
use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose, SanType, SerialNumber,
};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// OID of the certificatePolicies extension (RFC 5280 §4.2.1.4).
const CERTIFICATE_POLICIES: &[u64] = &[2, 5, 29, 32];

/// When a certificate is valid, in Unix seconds (both ends included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    pub not_before: i64,
    pub not_after: i64,
}

impl Validity {
    /// `days` days starting at `at`.
    pub fn days_from(at: i64, days: i64) -> Validity {
        Validity {
            not_before: at,
            not_after: at.saturating_add(days.saturating_mul(24 * 60 * 60)),
        }
    }
}

/// A certificate just issued, with its private key when the PKI generated it.
#[derive(Clone, PartialEq, Eq)]
pub struct Issued {
    pub family: CaFamily,
    /// Lower-case hexadecimal, as `CheckedCertificate::serial_hex` reports it.
    pub serial_hex: String,
    pub certificate_pem: String,
    pub certificate_der: Vec<u8>,
    /// PKCS#8 PEM, for soft tokens, virtual cards and tests; `None` when only the public key
    /// was given.
    pub private_key_pem: Option<String>,
}

impl Issued {
    /// Writes `<prefix>.crt` (PEM) and, when the key was generated here, `<prefix>.key`
    /// (PKCS#8 PEM, mode 0600; an existing key file is never overwritten). Returns the paths.
    pub fn write_files(&self, prefix: &Path) -> Result<Vec<PathBuf>, PkiError> {
        let with_extension = |extension: &str| {
            let mut name = prefix.as_os_str().to_owned();
            name.push(extension);
            PathBuf::from(name)
        };
        let mut written = Vec::new();
        if let Some(key) = &self.private_key_pem {
            let path = with_extension(".key");
            files::write_secret(&path, key)?;
            written.push(path);
        }
        let path = with_extension(".crt");
        files::write_public(&path, &self.certificate_pem)?;
        written.push(path);
        Ok(written)
    }
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("family", &self.family)
            .field("serial_hex", &self.serial_hex)
            .field(
                "private_key_pem",
                &self.private_key_pem.as_ref().map(|_| "…"),
            )
            .finish_non_exhaustive()
    }
}

impl Pki {
    /// A 工商憑證: `C=TW, CN=<company>, serialNumber=<統一編號>`, signed by MOEACA.
    pub fn issue_business_card(
        &self,
        business_id: &BusinessId,
        company_name: &str,
        validity: Validity,
        key: &SubjectKey,
    ) -> Result<Issued, PkiError> {
        let mut params = end_entity(validity)?;
        params.distinguished_name = company_name_and_id(company_name, business_id)?;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        self.sign(CaFamily::Moeaca, params, key)
    }

    /// A 自然人憑證: `C=TW, CN=<name>, serialNumber=<last four digits of the ID number>`,
    /// signed by MOICA. The full ID number is never in the certificate.
    pub fn issue_citizen_card(
        &self,
        name: &str,
        national_id_last4: &str,
        validity: Validity,
        key: &SubjectKey,
    ) -> Result<Issued, PkiError> {
        if name.trim().is_empty() {
            return Err(PkiError::InvalidSubject("the name is empty"));
        }
        if national_id_last4.len() != 4 || !national_id_last4.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PkiError::InvalidSubject(
                "the ID number's last four characters must be four digits",
            ));
        }
        let mut params = end_entity(validity)?;
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CountryName, "TW");
        subject.push(DnType::CommonName, name.trim());
        subject.push(
            DnType::CustomDnType(SUBJECT_SERIAL_NUMBER.to_vec()),
            printable(national_id_last4)?,
        );
        params.distinguished_name = subject;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        self.sign(CaFamily::Moica, params, key)
    }

    /// A 機關憑證 IC card of a government agency: `C=TW, CN=<agency>, serialNumber=<機關代號>`,
    /// signed by GCA, with the key usages of the other cards.
    pub fn issue_agency_card(
        &self,
        agency_code: &AgencyCode,
        agency_name: &str,
        validity: Validity,
        key: &SubjectKey,
    ) -> Result<Issued, PkiError> {
        if agency_name.trim().is_empty() {
            return Err(PkiError::InvalidSubject("the agency name is empty"));
        }
        let mut params = end_entity(validity)?;
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CountryName, "TW");
        subject.push(DnType::CommonName, agency_name.trim());
        subject.push(
            DnType::CustomDnType(SUBJECT_SERIAL_NUMBER.to_vec()),
            printable(agency_code.as_str())?,
        );
        params.distinguished_name = subject;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        self.sign(CaFamily::Gca, params, key)
    }

    /// A company's API certificate (not on an IC card): the business-card subject with
    /// `O=<company>`, the API certificate policy, client authentication and an RSA 2048 key so
    /// that it can sign RS256 tokens.
    pub fn issue_api_certificate(
        &self,
        business_id: &BusinessId,
        company_name: &str,
        validity: Validity,
        key: &SubjectKey,
    ) -> Result<Issued, PkiError> {
        let mut params = end_entity(validity)?;
        params.distinguished_name = company_name_and_id(company_name, business_id)?;
        params
            .distinguished_name
            .push(DnType::OrganizationName, company_name.trim());
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.custom_extensions = vec![CustomExtension::from_oid_content(
            CERTIFICATE_POLICIES,
            certificate_policies(API_CERTIFICATE_POLICY),
        )];
        self.sign_with(CaFamily::Moeaca, params, key, KeyKind::Rsa2048)
    }

    /// A server certificate of an application system (I-1): `C=TW, O=<organisation>,
    /// CN=<dns name>`, the DNS name as subjectAltName, server authentication. `family` is GCA
    /// for agencies, MOEACA or XCA for financial institutions.
    pub fn issue_server_certificate(
        &self,
        family: CaFamily,
        organization: &str,
        dns_name: &str,
        validity: Validity,
        key: &SubjectKey,
    ) -> Result<Issued, PkiError> {
        if !Purpose::ServerCertificate.accepts(family) {
            return Err(PkiError::WrongFamily(family));
        }
        let dns = Ia5String::try_from(dns_name.trim())
            .map_err(|_| PkiError::InvalidSubject("the DNS name is not ASCII"))?;
        if dns.as_str().is_empty() || organization.trim().is_empty() {
            return Err(PkiError::InvalidSubject(
                "organisation and DNS name are required",
            ));
        }
        let mut params = end_entity(validity)?;
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CountryName, "TW");
        subject.push(DnType::OrganizationName, organization.trim());
        subject.push(DnType::CommonName, dns.as_str());
        params.distinguished_name = subject;
        params.subject_alt_names = vec![SanType::DnsName(dns)];
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.sign(family, params, key)
    }

    /// Signs any end-entity `params` with `family`'s key (a P-256 key if one is generated),
    /// records the certificate for revocation and returns it. The named `issue_*` functions
    /// are the profile; this is for tests that need a certificate outside it.
    pub fn sign(
        &self,
        family: CaFamily,
        params: CertificateParams,
        key: &SubjectKey,
    ) -> Result<Issued, PkiError> {
        self.sign_with(family, params, key, KeyKind::EcdsaP256)
    }

    fn sign_with(
        &self,
        family: CaFamily,
        mut params: CertificateParams,
        key: &SubjectKey,
        kind: KeyKind,
    ) -> Result<Issued, PkiError> {
        let subject_key = key.resolve(kind)?;
        let serial = params
            .serial_number
            .get_or_insert_with(random_serial)
            .clone();
        params.use_authority_key_identifier_extension = true;
        let certificate = params.signed_by(&subject_key.public(), &self.issuer(family)?)?;
        let issued = Issued {
            family,
            serial_hex: hex::encode(serial.as_ref()),
            certificate_pem: certificate.pem(),
            certificate_der: certificate.der().to_vec(),
            private_key_pem: subject_key.private_key_pem(),
        };
        self.record_issued(&issued)?;
        Ok(issued)
    }

    fn record_issued(&self, issued: &Issued) -> Result<(), PkiError> {
        let dir = self.issued_dir(issued.family);
        files::create_dir(&dir, false)?;
        files::write_public(
            &dir.join(format!("{}.crt", issued.serial_hex)),
            &issued.certificate_pem,
        )
    }
}

/// Parameters shared by every end-entity certificate.
fn end_entity(validity: Validity) -> Result<CertificateParams, PkiError> {
    if validity.not_after <= validity.not_before {
        return Err(PkiError::InvalidValidity);
    }
    let mut params = CertificateParams::default();
    params.not_before = timestamp(validity.not_before)?;
    params.not_after = timestamp(validity.not_after)?;
    params.is_ca = IsCa::ExplicitNoCa;
    Ok(params)
}

fn company_name_and_id(
    company_name: &str,
    business_id: &BusinessId,
) -> Result<DistinguishedName, PkiError> {
    if company_name.trim().is_empty() {
        return Err(PkiError::InvalidSubject("the company name is empty"));
    }
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CountryName, "TW");
    subject.push(DnType::CommonName, company_name.trim());
    subject.push(
        DnType::CustomDnType(SUBJECT_SERIAL_NUMBER.to_vec()),
        printable(business_id.as_str())?,
    );
    Ok(subject)
}

/// X.520 wants serialNumber as a PrintableString.
fn printable(text: &str) -> Result<DnValue, PkiError> {
    PrintableString::try_from(text)
        .map(DnValue::PrintableString)
        .map_err(|_| PkiError::InvalidSubject("serialNumber must be printable ASCII"))
}

/// certificatePolicies with one policy and no qualifiers, DER-encoded by yasna (the encoder
/// rcgen itself uses).
fn certificate_policies(policy: &[u64]) -> Vec<u8> {
    yasna::construct_der(|writer| {
        writer.write_sequence(|writer| {
            writer.next().write_sequence(|writer| {
                writer
                    .next()
                    .write_oid(&yasna::models::ObjectIdentifier::from_slice(policy));
            });
        });
    })
}

/// A random positive 128-bit serial number whose first byte is never zero, so its hex form
/// has no leading zeros to trim.
pub(super) fn random_serial() -> SerialNumber {
    let mut bytes: [u8; 16] = rand::random();
    bytes[0] = (bytes[0] & 0x7f) | 0x10;
    SerialNumber::from_slice(&bytes)
}

pub(super) fn timestamp(unix: i64) -> Result<OffsetDateTime, PkiError> {
    OffsetDateTime::from_unix_timestamp(unix).map_err(|_| PkiError::InvalidValidity)
}
