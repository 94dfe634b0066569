//! Server-side checks of the certificates people and systems present (SPEC F-4): chain to the
//! configured roots, validity, key usage, revocation and the Taiwanese subject fields.
//!
//! The subject profile of each certificate authority is described in `docs/pki.md`; the
//! development PKI in `server::pki` issues certificates in exactly that shape.

mod check;
mod checked;
mod error;
mod input;
pub mod profile;
mod revocation;
mod subject;
mod trust_store;

pub use check::{
    certificate_serial_hex, normalise_serial, rsa_public_key_unchecked, spki_verifies_rs256,
    OnRecord, UncheckedCertificate,
};
pub use checked::{expect_agency_code, expect_business_id, CheckedCertificate, PublicKeyKind};
pub use error::{CertificateError, TrustStoreError};
pub use input::{certificate_der, certificate_pem};
pub use profile::{CaFamily, Purpose};
pub use trust_store::{ReloadableTrustStore, TrustStore};

#[cfg(test)]
mod tests;
