//! The configured trust anchors: root and intermediate certificates and the authorities' CRLs,
//! read from one directory and reloadable while the server runs.

use super::revocation::RevocationList;
use super::{CaFamily, TrustStoreError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use x509_parser::pem::Pem;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

/// A CA certificate of the trust store, kept as DER and parsed again when used (parsing is
/// cheap and borrows, which a long-lived store cannot), with the CRLs it signed. What finds
/// it as a certificate's issuer is read once, at load.
#[derive(Debug, Clone)]
pub(super) struct Authority {
    pub der: Vec<u8>,
    pub is_root: bool,
    /// Its subject name, DER: what its certificates name as their issuer.
    pub subject: Vec<u8>,
    /// Its subjectKeyIdentifier, which its certificates' authorityKeyIdentifier repeats.
    pub key_id: Option<Vec<u8>>,
    /// A CA whose key usage, if stated, allows signing certificates.
    pub signs_certificates: bool,
    /// Which authority it is, from its organizationalUnitName (`None`: one we do not know).
    pub family: Option<CaFamily>,
    /// The CRLs of the directory whose signature this authority's key verified, when the
    /// store was loaded. A CRL no authority signed is in none (and so protects nothing).
    pub revocation_lists: Vec<RevocationList>,
}

/// Roots, intermediates and CRLs loaded from one directory: `*.crt`/`*.pem` (PEM or DER
/// certificates, bundles allowed) and `*.crl` (PEM or DER). Other files are ignored, so the
/// directory may also hold a README.
#[derive(Debug, Clone)]
pub struct TrustStore {
    pub(super) authorities: Vec<Authority>,
}

impl TrustStore {
    /// A store that trusts nothing: every certificate is refused. For fuzzing the parsing path.
    pub fn empty() -> TrustStore {
        TrustStore {
            authorities: Vec::new(),
        }
    }

    /// Reads every certificate and CRL in `dir`, and verifies each CRL against the authorities
    /// once, here, rather than at every check. A file that cannot be parsed is an error
    /// rather than silently skipped: a broken trust store must be noticed at start-up.
    pub fn load(dir: &Path) -> Result<TrustStore, TrustStoreError> {
        let io = |source| TrustStoreError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .map(|entry| entry.map(|entry| entry.path()))
            .collect::<Result<_, _>>()
            .map_err(io)?;
        paths.sort();
        let mut authorities = Vec::new();
        let mut crl_files = Vec::new();
        for path in paths {
            let extension = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            let is_crl = match extension.as_deref() {
                Some("crt" | "pem" | "cer") => false,
                Some("crl") => true,
                _ => continue,
            };
            let bytes = std::fs::read(&path).map_err(|source| TrustStoreError::Io {
                path: path.clone(),
                source,
            })?;
            let unreadable = || TrustStoreError::Unreadable { path: path.clone() };
            let blocks = der_blocks(&bytes, is_crl).ok_or_else(unreadable)?;
            for der in blocks {
                if is_crl {
                    crl_files.push((path.clone(), der));
                } else {
                    authorities.push(Authority::from_der(der).ok_or_else(unreadable)?);
                }
            }
        }
        if !authorities.iter().any(|a| a.is_root) {
            return Err(TrustStoreError::NoRoot {
                path: dir.to_path_buf(),
            });
        }
        let crls = crl_files
            .iter()
            .map(|(path, der)| {
                CertificateRevocationList::from_der(der)
                    .map(|(_, crl)| crl)
                    .map_err(|_| TrustStoreError::Unreadable { path: path.clone() })
            })
            .collect::<Result<Vec<_>, _>>()?;
        for authority in &mut authorities {
            authority.revocation_lists = RevocationList::signed_by(&authority.der, &crls);
        }
        Ok(TrustStore { authorities })
    }
}

impl Authority {
    fn from_der(der: Vec<u8>) -> Option<Authority> {
        let (rest, cert) = X509Certificate::from_der(&der).ok()?;
        if !rest.is_empty() {
            return None;
        }
        let is_root = cert.subject().as_raw() == cert.issuer().as_raw()
            && cert.verify_signature(None).is_ok();
        let family = cert
            .subject()
            .iter_organizational_unit()
            .filter_map(|unit| unit.as_str().ok())
            .find_map(CaFamily::from_unit_name);
        let subject = cert.subject().as_raw().to_vec();
        let key_id = super::check::subject_key_id(&cert).map(<[u8]>::to_vec);
        let signs_certificates = cert.is_ca()
            && !matches!(cert.key_usage(), Ok(Some(usage)) if !usage.value.key_cert_sign());
        Some(Authority {
            der,
            is_root,
            subject,
            key_id,
            signs_certificates,
            family,
            revocation_lists: Vec::new(),
        })
    }
}

/// The DER objects of a file: one DER object, or every PEM block of the expected kind.
fn der_blocks(bytes: &[u8], is_crl: bool) -> Option<Vec<Vec<u8>>> {
    if bytes.first() == Some(&0x30) {
        return Some(vec![bytes.to_vec()]);
    }
    let wanted: &[&str] = if is_crl {
        &["X509 CRL"]
    } else {
        &["CERTIFICATE", "X509 CERTIFICATE"]
    };
    let mut blocks = Vec::new();
    for block in Pem::iter_from_buffer(bytes) {
        let block: Pem = block.ok()?;
        if wanted.contains(&block.label.as_str()) {
            blocks.push(block.contents);
        }
    }
    (!blocks.is_empty()).then_some(blocks)
}

/// A trust store that an operator can reload (new CRLs, a new intermediate) without a restart;
/// checks in flight keep the snapshot they started with.
#[derive(Debug)]
pub struct ReloadableTrustStore {
    /// `None` for a store that is not read from disk (no roots configured, tests).
    dir: Option<PathBuf>,
    current: RwLock<Arc<TrustStore>>,
}

impl ReloadableTrustStore {
    pub fn load(dir: &Path) -> Result<ReloadableTrustStore, TrustStoreError> {
        Ok(ReloadableTrustStore {
            dir: Some(dir.to_path_buf()),
            current: RwLock::new(Arc::new(TrustStore::load(dir)?)),
        })
    }

    /// A store that never changes: `TrustStore::empty()` when no roots are configured.
    pub fn fixed(store: TrustStore) -> ReloadableTrustStore {
        ReloadableTrustStore {
            dir: None,
            current: RwLock::new(Arc::new(store)),
        }
    }

    /// The store as last loaded.
    pub fn current(&self) -> Arc<TrustStore> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Reads the directory again; on failure the previous store stays in use.
    pub fn reload(&self) -> Result<(), TrustStoreError> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let fresh = Arc::new(TrustStore::load(dir)?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }
}
