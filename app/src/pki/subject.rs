//! The subject fields each kind of certificate carries (see `docs/pki.md`), read once the
//! certificate's chain, validity, kind and key usage have passed.

use super::check::oid_is;
use super::profile::SUBJECT_SERIAL_NUMBER;
use super::{CertificateError, Purpose};
use crate::domain::agency_code::AgencyCode;
use crate::domain::business_id::BusinessId;
use x509_parser::der_parser::asn1_rs::Tag;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::X509Certificate;
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

/// The subject fields each kind of certificate must carry (see `docs/pki.md`).
pub(super) struct SubjectFields {
    pub common_name: Option<String>,
    pub organization: Option<String>,
    pub business_id: Option<BusinessId>,
    pub agency_code: Option<AgencyCode>,
    pub id_last4: Option<String>,
    pub dns_names: Vec<String>,
}

impl SubjectFields {
    pub(super) fn read(
        cert: &X509Certificate<'_>,
        purpose: Purpose,
    ) -> Result<SubjectFields, CertificateError> {
        let subject = cert.subject();
        let common_name = first_text(subject.iter_common_name());
        let organization = first_text(subject.iter_organization());
        let serial_number = subject_serial_number(subject);
        let mut fields = SubjectFields {
            common_name,
            organization,
            business_id: None,
            agency_code: None,
            id_last4: None,
            dns_names: Vec::new(),
        };
        match purpose {
            Purpose::BusinessCard | Purpose::ApiCertificate => {
                let id = serial_number.ok_or(CertificateError::Malformed)?;
                fields.business_id =
                    Some(BusinessId::parse(&id).map_err(|_| CertificateError::Malformed)?);
            }
            Purpose::AgencyCard => {
                // GCA names the agency by its 機關代號 in serialNumber and by its name in CN.
                let code = serial_number.ok_or(CertificateError::Malformed)?;
                fields.agency_code =
                    Some(AgencyCode::parse(&code).map_err(|_| CertificateError::Malformed)?);
                if fields
                    .common_name
                    .as_deref()
                    .is_none_or(|name| name.trim().is_empty())
                {
                    return Err(CertificateError::Malformed);
                }
            }
            Purpose::CitizenCard => {
                // MOICA writes a longer serialNumber whose last four characters are the last
                // four digits of the ID number; the development PKI writes just those four.
                let number = serial_number.ok_or(CertificateError::Malformed)?;
                let last4 = number
                    .char_indices()
                    .rev()
                    .nth(3)
                    .map(|(start, _)| &number[start..])
                    .filter(|tail| tail.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or(CertificateError::Malformed)?;
                fields.id_last4 = Some(last4.to_owned());
                if fields
                    .common_name
                    .as_deref()
                    .is_none_or(|name| name.trim().is_empty())
                {
                    return Err(CertificateError::Malformed);
                }
            }
            Purpose::ServerCertificate => {
                if let Ok(Some(names)) = cert.subject_alternative_name() {
                    fields.dns_names = names
                        .value
                        .general_names
                        .iter()
                        .filter_map(|name| match name {
                            GeneralName::DNSName(dns) => Some((*dns).to_owned()),
                            _ => None,
                        })
                        .collect();
                }
            }
        }
        Ok(fields)
    }
}

fn subject_serial_number(subject: &X509Name<'_>) -> Option<String> {
    subject
        .iter_attributes()
        .filter(|attribute| oid_is(attribute.attr_type(), SUBJECT_SERIAL_NUMBER))
        .find_map(attribute_text)
}

pub(super) fn first_text<'a, 'b: 'a>(
    mut attributes: impl Iterator<Item = &'a AttributeTypeAndValue<'b>>,
) -> Option<String> {
    attributes.find_map(attribute_text)
}

/// The text of a name attribute: UTF8String, PrintableString, IA5String or, as older Taiwanese
/// certificates write Chinese names, BMPString (UTF-16BE).
fn attribute_text(attribute: &AttributeTypeAndValue<'_>) -> Option<String> {
    if let Ok(text) = attribute.as_str() {
        return Some(text.to_owned());
    }
    let value = attribute.attr_value();
    if value.tag() != Tag::BmpString || value.data.len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = value
        .data
        .chunks_exact(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
        .collect();
    String::from_utf16(&units).ok()
}
