//! The root and the four authorities of the development PKI, with names that mimic the real
//! ones (so the checks recognise each family) and say loudly that they are for development.

use super::issue::{random_serial, timestamp};
use super::{certificate_path, files, key_path, trust_dir, CaFamily, PkiError};
use app::pki::profile::DEVELOPMENT_ORGANIZATION;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use std::path::Path;

/// How long the root is valid.
const ROOT_YEARS: i64 = 20;
/// How long each issuing authority is valid.
const AUTHORITY_YEARS: i64 = 10;
const YEAR_SECONDS: i64 = 365 * 24 * 60 * 60;

/// The distinguished name of a development authority: `C=TW`, the development organisation,
/// the real authority's unit name (which the checks use to tell families apart) and a common
/// name that repeats that this is not the real one.
pub(super) fn distinguished_name(family: CaFamily) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CountryName, "TW");
    name.push(DnType::OrganizationName, DEVELOPMENT_ORGANIZATION);
    name.push(DnType::OrganizationalUnitName, family.unit_name());
    name.push(
        DnType::CommonName,
        format!(
            "{}（開發測試用）Huji development {}",
            family.unit_name(),
            family.code().to_ascii_uppercase()
        ),
    );
    name
}

fn authority_params(family: CaFamily, at: i64, years: i64) -> Result<CertificateParams, PkiError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(family);
    params.not_before = timestamp(at)?;
    params.not_after = timestamp(at.saturating_add(years.saturating_mul(YEAR_SECONDS)))?;
    params.serial_number = Some(random_serial());
    params.is_ca = IsCa::Ca(match family {
        CaFamily::Grca => BasicConstraints::Constrained(1),
        _ => BasicConstraints::Constrained(0),
    });
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.use_authority_key_identifier_extension = family != CaFamily::Grca;
    Ok(params)
}

/// Writes the keys and certificates of a new PKI into `dir`.
pub(super) fn create(dir: &Path, at: i64) -> Result<(), PkiError> {
    files::create_dir(&trust_dir(dir), false)?;
    files::create_dir(&dir.join("private"), true)?;

    let root_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let root_params = authority_params(CaFamily::Grca, at, ROOT_YEARS)?;
    let root = root_params.self_signed(&root_key)?;
    files::write_secret(&key_path(dir, CaFamily::Grca), &root_key.serialize_pem())?;
    files::write_public(&certificate_path(dir, CaFamily::Grca), &root.pem())?;

    let root_issuer = Issuer::new(root_params, &root_key);
    for family in CaFamily::ISSUING {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let certificate =
            authority_params(family, at, AUTHORITY_YEARS)?.signed_by(&key, &root_issuer)?;
        files::write_secret(&key_path(dir, family), &key.serialize_pem())?;
        files::write_public(&certificate_path(dir, family), &certificate.pem())?;
    }
    Ok(())
}
