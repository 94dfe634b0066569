//! Revoking issued certificates and publishing each authority's CRL into the trust directory.

use super::issue::timestamp;
use super::{files, trust_dir, CaFamily, Pki, PkiError};
use app::pki::normalise_serial;
use rcgen::{CertificateRevocationListParams, KeyIdMethod, RevokedCertParams, SerialNumber};
use std::path::PathBuf;

/// How long a published CRL stays fresh (its nextUpdate): the server refuses certificates
/// once the CRL is older, so `huji pki crl` must run at least this often.
pub const CRL_LIFETIME_SECONDS: i64 = 7 * 24 * 60 * 60;

impl Pki {
    /// Revokes the certificate with `serial_hex` (as `Issued::serial_hex` or the checks report
    /// it) at `at`, and publishes new CRLs. Revoking twice changes nothing.
    pub fn revoke(&self, serial_hex: &str, at: i64) -> Result<CaFamily, PkiError> {
        let serial = normalise_serial(serial_hex)
            .ok_or_else(|| PkiError::UnknownSerial(serial_hex.to_owned()))?;
        let family = CaFamily::ALL
            .into_iter()
            .find(|family| {
                self.issued_dir(*family)
                    .join(format!("{serial}.crt"))
                    .exists()
            })
            .ok_or_else(|| PkiError::UnknownSerial(serial.clone()))?;
        if !self
            .revoked(family)?
            .iter()
            .any(|(known, _)| *known == serial)
        {
            files::create_dir(&self.dir.join("revoked"), false)?;
            files::append_line(&self.revoked_path(family), &format!("{serial} {at}"))?;
        }
        self.write_crls(at)?;
        Ok(family)
    }

    /// Writes `trust/<ca>.crl` for every authority: thisUpdate `at`, nextUpdate
    /// `at + CRL_LIFETIME_SECONDS`, CRL number `at`. Returns the files written.
    pub fn write_crls(&self, at: i64) -> Result<Vec<PathBuf>, PkiError> {
        let mut written = Vec::new();
        for family in CaFamily::ALL {
            let revoked_certs = self
                .revoked(family)?
                .into_iter()
                .map(|(serial, revoked_at)| {
                    Ok(RevokedCertParams {
                        serial_number: SerialNumber::from_slice(
                            &hex::decode(&serial).map_err(|_| PkiError::UnknownSerial(serial))?,
                        ),
                        revocation_time: timestamp(revoked_at)?,
                        reason_code: None,
                        invalidity_date: None,
                    })
                })
                .collect::<Result<Vec<_>, PkiError>>()?;
            let crl = CertificateRevocationListParams {
                this_update: timestamp(at)?,
                next_update: timestamp(at.saturating_add(CRL_LIFETIME_SECONDS))?,
                crl_number: SerialNumber::from(u64::try_from(at).unwrap_or(0)),
                issuing_distribution_point: None,
                revoked_certs,
                key_identifier_method: KeyIdMethod::Sha256,
            }
            .signed_by(&self.issuer(family)?)?;
            let path = trust_dir(&self.dir).join(format!("{}.crl", family.code()));
            files::write_public(&path, &crl.pem()?)?;
            written.push(path);
        }
        Ok(written)
    }

    pub(super) fn issued_dir(&self, family: CaFamily) -> PathBuf {
        self.dir.join("issued").join(family.code())
    }

    fn revoked_path(&self, family: CaFamily) -> PathBuf {
        self.dir
            .join("revoked")
            .join(format!("{}.txt", family.code()))
    }

    /// The revocations recorded for `family`: (serial, Unix time).
    pub(super) fn revoked(&self, family: CaFamily) -> Result<Vec<(String, i64)>, PkiError> {
        let path = self.revoked_path(family);
        if !path.exists() {
            return Ok(Vec::new());
        }
        Ok(files::read_text(&path)?
            .lines()
            .filter_map(|line| {
                let (serial, at) = line.split_once(' ')?;
                Some((serial.to_owned(), at.trim().parse().ok()?))
            })
            .collect())
    }
}
