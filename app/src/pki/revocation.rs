//! The authorities' CRLs, each parsed and its signature verified once, when the trust store is
//! loaded (issue 21 item 6): a certificate check then only looks a serial number up, however
//! long the lists and however many checks arrive.

use super::CertificateError;
use std::collections::HashSet;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

/// A CRL whose signature the authority holding it verified.
#[derive(Debug, Clone)]
pub(super) struct RevocationList {
    this_update: i64,
    next_update: Option<i64>,
    /// The revoked serial numbers, without the leading zero bytes DER adds.
    revoked: HashSet<Vec<u8>>,
}

impl RevocationList {
    /// The lists among `crls` that the CA certificate `issuer_der` signed.
    pub(super) fn signed_by(
        issuer_der: &[u8],
        crls: &[CertificateRevocationList<'_>],
    ) -> Vec<RevocationList> {
        let Ok((_, issuer)) = X509Certificate::from_der(issuer_der) else {
            return Vec::new();
        };
        crls.iter()
            .filter(|crl| crl.issuer().as_raw() == issuer.subject().as_raw())
            .filter(|crl| crl.verify_signature(issuer.public_key()).is_ok())
            .map(|crl| RevocationList {
                this_update: crl.last_update().timestamp(),
                next_update: crl.next_update().map(|next| next.timestamp()),
                revoked: crl
                    .iter_revoked_certificates()
                    .map(|revoked| trim_serial(revoked.raw_serial()).to_vec())
                    .collect(),
            })
            .collect()
    }

    fn current_at(&self, at: i64) -> bool {
        self.this_update <= at && self.next_update.is_some_and(|next| at <= next)
    }
}

/// Whether the certificate with `raw_serial` stands in the freshest of its issuer's `lists`
/// current at `at`: none at all is `CrlUnavailable`, none current `CrlStale`.
pub(super) fn check(
    lists: &[RevocationList],
    raw_serial: &[u8],
    at: i64,
) -> Result<(), CertificateError> {
    if lists.is_empty() {
        return Err(CertificateError::CrlUnavailable);
    }
    let freshest = lists
        .iter()
        .filter(|list| list.current_at(at))
        .max_by_key(|list| list.this_update)
        .ok_or(CertificateError::CrlStale)?;
    if freshest.revoked.contains(trim_serial(raw_serial)) {
        Err(CertificateError::Revoked)
    } else {
        Ok(())
    }
}

/// Serial numbers compare without the leading zero byte DER adds to keep them positive.
pub(super) fn trim_serial(raw: &[u8]) -> &[u8] {
    let zeros = raw.iter().take_while(|byte| **byte == 0).count();
    &raw[zeros.min(raw.len().saturating_sub(1))..]
}
