//! Sealing short-lived secrets the portal must hold for a while and give back, such as the
//! 用戶代碼 and PIN of a certificate application until the counter writes them to the card:
//! ChaCha20-Poly1305 under a key kept in a file outside the database, so that a copy of the
//! database alone reveals nothing. Each value is bound to a label naming its row and field,
//! so a sealed value cannot be moved to another.

use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use std::fmt;

pub struct SealKey {
    key: LessSafeKey,
    random: SystemRandom,
}

impl SealKey {
    pub fn new(secret: &[u8; 32]) -> SealKey {
        let key = UnboundKey::new(&CHACHA20_POLY1305, secret)
            .expect("a 32-byte key is what ChaCha20-Poly1305 takes");
        SealKey {
            key: LessSafeKey::new(key),
            random: SystemRandom::new(),
        }
    }

    /// `plaintext` sealed under a fresh random nonce, as base64 text; `None` only if the
    /// system's random source fails.
    pub fn seal(&self, plaintext: &str, label: &str) -> Option<String> {
        let mut nonce = [0u8; NONCE_LEN];
        self.random.fill(&mut nonce).ok()?;
        let mut sealed = plaintext.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(label.as_bytes()),
                &mut sealed,
            )
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Some(base64::engine::general_purpose::STANDARD.encode(out))
    }

    /// The plaintext of `sealed`, if it was sealed by this key under `label`.
    pub fn open(&self, sealed: &str, label: &str) -> Option<String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = body.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(label.as_bytes()), &mut body)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealKey(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_label() {
        let key = SealKey::new(&[7; 32]);
        let sealed = key
            .seal("Abc12345", "application:1:user_code")
            .expect("sealed");
        assert!(!sealed.contains("Abc12345"));
        assert_eq!(
            key.open(&sealed, "application:1:user_code").as_deref(),
            Some("Abc12345")
        );
        assert_eq!(key.open(&sealed, "application:2:user_code"), None);
        assert_eq!(key.open(&sealed, "application:1:pin"), None);
        assert_eq!(
            SealKey::new(&[8; 32]).open(&sealed, "application:1:user_code"),
            None
        );
        assert_eq!(key.open("not base64!", "application:1:user_code"), None);
        assert_eq!(key.open("AAAA", "application:1:user_code"), None);
    }

    #[test]
    fn sealing_the_same_value_twice_differs() {
        let key = SealKey::new(&[7; 32]);
        assert_ne!(key.seal("135790", "x"), key.seal("135790", "x"));
        assert_eq!(format!("{key:?}"), "SealKey(****)");
    }
}
