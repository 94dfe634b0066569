//! The Huji card itself: persistent state, the APDU state machine, and ways to create a card.

mod init;
mod machine;
mod state;

pub use init::{blank_state, generated_state, personalised_state, InitError};
pub use machine::{Card, CardLoadError};
pub use state::{check_private, CardState, CardStore, Factory, FileStore, MemoryStore};

/// Whether a certificate carries this SubjectPublicKeyInfo: the DER of the key appears verbatim
/// inside the certificate's TBSCertificate, so a byte search suffices without parsing it.
pub(crate) fn certificate_holds_key(certificate: &[u8], spki: &[u8]) -> bool {
    !spki.is_empty() && certificate.windows(spki.len()).any(|window| window == spki)
}
