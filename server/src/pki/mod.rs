//! The development PKI (SPEC F-4): a root and four authorities that mimic GRCA, MOEACA,
//! MOICA, GCA and XCA, issuing the certificates every flow needs and publishing their CRLs.
//!
//! Everything it makes is marked 開發測試用 / development in its names and can never be taken
//! for a real authority. On disk (`huji pki init --dir DIR`):
//!
//! - `DIR/trust/` — the five CA certificates (`grca.crt`, `moeaca.crt`, …) and their CRLs
//!   (`*.crl`): the directory the server's trust store reads.
//! - `DIR/private/` — the CA keys, PKCS#8 PEM, mode 0600 in a 0700 directory.
//! - `DIR/issued/<ca>/<serial>.crt` — every certificate issued, so that `revoke` finds its CA.
//! - `DIR/revoked/<ca>.txt` — `serial unix-time` per revocation, from which CRLs are written.

mod authorities;
mod card_management;
mod files;
mod issue;
mod keys;
pub mod ocsp;
mod revocation;

pub use app::pki::CaFamily;
pub use issue::{Issued, Validity};
pub use keys::SubjectKey;
pub use revocation::CRL_LIFETIME_SECONDS;

use rcgen::{Issuer, KeyPair};
use std::path::{Path, PathBuf};

/// Why the development PKI could not do what was asked.
#[derive(thiserror::Error, Debug)]
pub enum PkiError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no development PKI in {0} (run `huji pki init --dir {0}`)")]
    NotInitialised(PathBuf),
    #[error("{0} holds part of a PKI only; remove it or restore the missing files")]
    Incomplete(PathBuf),
    #[error("certificate or CRL generation failed: {0}")]
    Generation(#[from] rcgen::Error),
    #[error("key generation failed: {0}")]
    KeyGeneration(String),
    #[error("the public key is not a P-256 or RSA SubjectPublicKeyInfo")]
    UnsupportedPublicKey,
    #[error("invalid subject: {0}")]
    InvalidSubject(&'static str),
    #[error("the validity period ends before it starts, or is out of range")]
    InvalidValidity,
    #[error("{0:?} does not issue this kind of certificate")]
    WrongFamily(CaFamily),
    #[error("OCSP response: {0}")]
    Ocsp(String),
    #[error("no certificate with serial {0} was issued by this PKI")]
    UnknownSerial(String),
}

/// The development MOICA CA answering the registration authority's requests (C-2).
impl app::platform::ca::CertificateAuthority for Pki {
    fn certify_citizen_card(
        &self,
        request: &app::platform::ca::CitizenCertificateRequest<'_>,
    ) -> Result<Vec<u8>, app::platform::ca::CaError> {
        self.issue_citizen_card(
            request.name,
            request.id_last4,
            Validity {
                not_before: request.not_before,
                not_after: request.not_after,
            },
            &SubjectKey::PublicKey(request.public_key_spki.to_vec()),
        )
        .map(|issued| issued.certificate_der)
        .map_err(|error| app::platform::ca::CaError(error.to_string()))
    }

    fn card_management_key(
        &self,
        public_key_spki: &[u8],
    ) -> Result<[u8; 32], app::platform::ca::CaError> {
        Pki::card_management_key(self, public_key_spki)
            .map_err(|error| app::platform::ca::CaError(error.to_string()))
    }

    fn card_attests(
        &self,
        card_number: &str,
        message: &[u8],
        tag: &[u8],
    ) -> Result<bool, app::platform::ca::CaError> {
        Pki::card_attests(self, card_number, message, tag)
            .map_err(|error| app::platform::ca::CaError(error.to_string()))
    }

    fn ocsp_serials(&self, request_der: &[u8]) -> Result<Vec<String>, Vec<u8>> {
        self.ocsp_query(CaFamily::Moica, request_der)
            .map(|query| query.serials())
            .map_err(ocsp::Refusal::response)
    }

    fn ocsp_response(
        &self,
        request_der: &[u8],
        statuses: &[app::platform::ca::OcspStatus],
        now: i64,
    ) -> Vec<u8> {
        self.ocsp_query(CaFamily::Moica, request_der)
            .map_err(|refusal| refusal.response())
            .and_then(|query| {
                self.sign_ocsp_response(CaFamily::Moica, &query, statuses, now)
                    .map_err(|error| {
                        tracing::error!(%error, "the OCSP response could not be signed");
                        ocsp::Refusal::Internal.response()
                    })
            })
            .unwrap_or_else(|refused| refused)
    }

    fn revoke(&self, serial_hex: &str, at: i64) -> Result<(), app::platform::ca::CaError> {
        // One revocation at a time: each appends to the list and rewrites every CRL.
        static REVOKING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one_at_a_time = REVOKING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Pki::revoke(self, serial_hex, at)
            .map(|_| ())
            .map_err(|error| app::platform::ca::CaError(error.to_string()))
    }
}

/// An opened development PKI: the CA certificates and keys of `dir`.
pub struct Pki {
    dir: PathBuf,
    authorities: Authorities,
}

/// The five authorities, one field each so that a lookup cannot miss.
struct Authorities {
    grca: Authority,
    moeaca: Authority,
    moica: Authority,
    gca: Authority,
    xca: Authority,
}

/// One CA of the PKI, with its signing key.
struct Authority {
    certificate_pem: String,
    key: KeyPair,
}

impl Pki {
    /// Creates the root and the four authorities in `dir` and publishes empty CRLs, valid from
    /// `at` (Unix seconds). If `dir` already holds a PKI it is opened unchanged, so running
    /// `init` twice is harmless.
    pub fn init(dir: &Path, at: i64) -> Result<Pki, PkiError> {
        match Pki::open(dir) {
            Err(PkiError::NotInitialised(_)) => {}
            opened => return opened,
        }
        authorities::create(dir, at)?;
        let pki = Pki::open(dir)?;
        for master in [
            card_management::Master::Management,
            card_management::Master::Factory,
        ] {
            pki.master(master, true)?;
        }
        pki.write_crls(at)?;
        Ok(pki)
    }

    /// Opens the PKI that `init` made in `dir`.
    pub fn open(dir: &Path) -> Result<Pki, PkiError> {
        let present: Vec<bool> = CaFamily::ALL
            .iter()
            .flat_map(|family| [certificate_path(dir, *family), key_path(dir, *family)])
            .map(|path| path.exists())
            .collect();
        if present.iter().all(|exists| !exists) {
            return Err(PkiError::NotInitialised(dir.to_path_buf()));
        }
        if present.iter().any(|exists| !exists) {
            return Err(PkiError::Incomplete(dir.to_path_buf()));
        }
        let load = |family| -> Result<Authority, PkiError> {
            Ok(Authority {
                certificate_pem: files::read_text(&certificate_path(dir, family))?,
                key: KeyPair::from_pem(&files::read_secret(&key_path(dir, family))?)?,
            })
        };
        Ok(Pki {
            dir: dir.to_path_buf(),
            authorities: Authorities {
                grca: load(CaFamily::Grca)?,
                moeaca: load(CaFamily::Moeaca)?,
                moica: load(CaFamily::Moica)?,
                gca: load(CaFamily::Gca)?,
                xca: load(CaFamily::Xca)?,
            },
        })
    }

    /// The directory to configure as the server's trust store.
    pub fn trust_dir(&self) -> PathBuf {
        trust_dir(&self.dir)
    }

    /// The PEM certificate of one of the authorities.
    pub fn ca_certificate_pem(&self, family: CaFamily) -> &str {
        &self.authority(family).certificate_pem
    }

    fn authority(&self, family: CaFamily) -> &Authority {
        let all = &self.authorities;
        match family {
            CaFamily::Grca => &all.grca,
            CaFamily::Moeaca => &all.moeaca,
            CaFamily::Moica => &all.moica,
            CaFamily::Gca => &all.gca,
            CaFamily::Xca => &all.xca,
        }
    }

    fn issuer(&self, family: CaFamily) -> Result<Issuer<'static, &KeyPair>, PkiError> {
        let authority = self.authority(family);
        Ok(Issuer::from_ca_cert_pem(
            &authority.certificate_pem,
            &authority.key,
        )?)
    }
}

fn trust_dir(dir: &Path) -> PathBuf {
    dir.join("trust")
}

fn certificate_path(dir: &Path, family: CaFamily) -> PathBuf {
    trust_dir(dir).join(format!("{}.crt", family.code()))
}

fn key_path(dir: &Path, family: CaFamily) -> PathBuf {
    dir.join("private").join(format!("{}.key", family.code()))
}
