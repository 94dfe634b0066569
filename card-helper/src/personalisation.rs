//! What a blank card is personalised with — the citizen's 用戶代碼 and PIN and the card
//! management key — sealed by the registration authority to the card helper alone, never
//! readable by the registrar's page that carries it (issue 21 item 10).
//!
//! At `/v1/issue/key` the helper makes a one-time transport key pair ([`TransportKey`]) and
//! has the card's new key sign its public half ([`crate::protocol::key_proof_message`]); the
//! RA, once it has checked that proof and certified the card's key, seals the [`Secrets`] to
//! that public key with HPKE (RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
//! ChaCha20-Poly1305, base mode), bound to the certificate issued ([`seal`]); the helper opens
//! them at `/v1/issue/certificate` and writes them to the card with that certificate.

use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use rand_core::OsRng;
use serde::{Deserialize, Serialize};
use std::fmt;

type Suite = X25519HkdfSha256;
type PrivateKey = <Suite as Kem>::PrivateKey;
type PublicKey = <Suite as Kem>::PublicKey;
type EncappedKey = <Suite as Kem>::EncappedKey;

/// The HPKE `info`: what the sealed box is for.
const INFO: &[u8] = b"huji-card-personalisation/1";

/// Bytes of an X25519 public key, and of the encapsulated key that starts a sealed box.
pub const PUBLIC_KEY_LEN: usize = 32;

/// What the card is personalised with.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secrets {
    pub user_code: String,
    pub pin: String,
    /// The card management key (C-3), 32 bytes.
    pub management_key: Vec<u8>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets { user_code: ****, pin: ****, management_key: **** }")
    }
}

/// Why secrets could not be sealed or opened; deliberately no more precise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the transport public key is not an X25519 public key")]
    BadPublicKey,
    #[error("the sealed personalisation does not open with this transport key and certificate")]
    DoesNotOpen,
}

/// The helper's one-time key for one personalisation.
pub struct TransportKey {
    private: PrivateKey,
    public: PublicKey,
}

impl fmt::Debug for TransportKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TransportKey { .. }")
    }
}

impl TransportKey {
    pub fn generate() -> TransportKey {
        let (private, public) = Suite::gen_keypair(&mut OsRng);
        TransportKey { private, public }
    }

    /// The public half, [`PUBLIC_KEY_LEN`] bytes, for the card to sign and the RA to seal to.
    pub fn public_key(&self) -> Vec<u8> {
        self.public.to_bytes().to_vec()
    }

    /// The secrets in `sealed`, if they were sealed to this key for `certificate` (DER).
    pub fn open(&self, certificate: &[u8], sealed: &[u8]) -> Result<Secrets, SealError> {
        if sealed.len() < PUBLIC_KEY_LEN {
            return Err(SealError::DoesNotOpen);
        }
        let (encapped, ciphertext) = sealed.split_at(PUBLIC_KEY_LEN);
        let encapped = EncappedKey::from_bytes(encapped).map_err(|_| SealError::DoesNotOpen)?;
        let plaintext = hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, Suite>(
            &OpModeR::Base,
            &self.private,
            &encapped,
            INFO,
            ciphertext,
            certificate,
        )
        .map_err(|_| SealError::DoesNotOpen)?;
        serde_json::from_slice(&plaintext).map_err(|_| SealError::DoesNotOpen)
    }
}

/// `secrets` sealed to `transport_public_key` for the card that `certificate` (DER) is written
/// to: the encapsulated key, then the ciphertext.
pub fn seal(
    transport_public_key: &[u8],
    certificate: &[u8],
    secrets: &Secrets,
) -> Result<Vec<u8>, SealError> {
    let recipient =
        PublicKey::from_bytes(transport_public_key).map_err(|_| SealError::BadPublicKey)?;
    let plaintext = serde_json::to_vec(secrets).map_err(|_| SealError::BadPublicKey)?;
    let (encapped, ciphertext) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, Suite, _>(
        &OpModeS::Base,
        &recipient,
        INFO,
        &plaintext,
        certificate,
        &mut OsRng,
    )
    .map_err(|_| SealError::BadPublicKey)?;
    let mut sealed = encapped.to_bytes().to_vec();
    sealed.extend_from_slice(&ciphertext);
    Ok(sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> Secrets {
        Secrets {
            user_code: "Code2024x".into(),
            pin: "135790".into(),
            management_key: vec![7; 32],
        }
    }

    #[test]
    fn security_21_10_sealed_secrets_open_only_with_their_key_and_certificate() {
        let key = TransportKey::generate();
        let sealed = seal(&key.public_key(), b"certificate", &secrets()).expect("sealed");
        assert!(!String::from_utf8_lossy(&sealed).contains("Code2024x"));
        assert_eq!(key.open(b"certificate", &sealed), Ok(secrets()));
        assert_eq!(
            key.open(b"another certificate", &sealed),
            Err(SealError::DoesNotOpen)
        );
        assert_eq!(
            TransportKey::generate().open(b"certificate", &sealed),
            Err(SealError::DoesNotOpen)
        );
        let mut tampered = sealed.clone();
        *tampered.last_mut().expect("bytes") ^= 1;
        assert_eq!(
            key.open(b"certificate", &tampered),
            Err(SealError::DoesNotOpen)
        );
        assert_eq!(
            key.open(b"certificate", &sealed[..10]),
            Err(SealError::DoesNotOpen)
        );
        assert_eq!(
            seal(&[1; 5], b"certificate", &secrets()),
            Err(SealError::BadPublicKey)
        );
    }

    #[test]
    fn security_21_10_secrets_never_print() {
        let printed = format!("{:?}", secrets());
        assert!(!printed.contains("Code2024x") && !printed.contains("135790"));
    }
}
