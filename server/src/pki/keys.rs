//! Subject keys: generated here for soft tokens, virtual cards and tests, or only the public
//! key, as when the key pair is generated on the card and never leaves it.

use super::PkiError;
use rcgen::{KeyPair, PublicKeyData, SignatureAlgorithm, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256};
use rsa::pkcs8::EncodePrivateKey;

/// Whose key a certificate certifies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubjectKey {
    /// Generate a key pair of the kind the certificate normally has (ECDSA P-256 for cards
    /// and servers, RSA 2048 for API certificates) and hand the private key back.
    Generate,
    /// Generate an RSA 2048 key pair whatever the certificate's usual kind: the portal's IC
    /// cards, and so the soft token and the virtual card, hold RSA keys and sign RS256
    /// (`docs/card-protocol.md`).
    GenerateRsa,
    /// Certify this public key (a DER SubjectPublicKeyInfo, P-256 or RSA): the card made the
    /// key pair and only the public half comes to the CA.
    PublicKey(Vec<u8>),
}

/// The kind of key `SubjectKey::Generate` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum KeyKind {
    EcdsaP256,
    Rsa2048,
}

/// A resolved subject key: the public half to certify, and the private half if we made it.
pub(super) enum ResolvedKey {
    Generated(Box<KeyPair>),
    Public(rcgen::SubjectPublicKeyInfo),
}

impl ResolvedKey {
    pub(super) fn public(&self) -> &dyn PublicKeyData {
        match self {
            ResolvedKey::Generated(pair) => pair.as_ref(),
            ResolvedKey::Public(info) => info,
        }
    }

    pub(super) fn private_key_pem(&self) -> Option<String> {
        match self {
            ResolvedKey::Generated(pair) => Some(pair.serialize_pem()),
            ResolvedKey::Public(_) => None,
        }
    }
}

impl SubjectKey {
    pub(super) fn resolve(&self, kind: KeyKind) -> Result<ResolvedKey, PkiError> {
        match self {
            SubjectKey::Generate => {
                generate(kind).map(|pair| ResolvedKey::Generated(Box::new(pair)))
            }
            SubjectKey::GenerateRsa => {
                generate(KeyKind::Rsa2048).map(|pair| ResolvedKey::Generated(Box::new(pair)))
            }
            SubjectKey::PublicKey(spki) => rcgen::SubjectPublicKeyInfo::from_der(spki)
                .map(ResolvedKey::Public)
                .map_err(|_| PkiError::UnsupportedPublicKey),
        }
    }
}

fn generate(kind: KeyKind) -> Result<KeyPair, PkiError> {
    match kind {
        KeyKind::EcdsaP256 => Ok(KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?),
        KeyKind::Rsa2048 => generate_rsa(&PKCS_RSA_SHA256),
    }
}

/// `ring` cannot generate RSA keys, so the `rsa` crate makes the key and `ring` (through
/// rcgen) signs with it. The `rsa` crate is used for generation only, never to decrypt.
fn generate_rsa(algorithm: &'static SignatureAlgorithm) -> Result<KeyPair, PkiError> {
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
        .map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
    Ok(KeyPair::from_pkcs8_der_and_sign_algo(
        &pkcs8.as_bytes().into(),
        algorithm,
    )?)
}
