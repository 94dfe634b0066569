//! The card management centre (卡管中心) beside the development MOICA CA: one master secret,
//! `private/card-management.key` (hex, mode 0600, made with the PKI or on first use), from
//! which each card's management key is derived from the card's public key. The key goes onto
//! the card at personalisation; later it authorises a 用戶代碼 reset of exactly that card (C-3)
//! — and no per-card secret is stored anywhere. From the same secret each blank card's
//! factory key is derived from its card number: loaded into the card when it is made, it
//! attests the key the card makes at the counter (issue 21 item 10).

use super::{files, Pki, PkiError};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use std::path::{Path, PathBuf};

/// Bytes of the master secret and of each card's key.
const KEY_LEN: usize = 32;

impl Pki {
    /// The management key of the card whose key pair has this SubjectPublicKeyInfo:
    /// HMAC-SHA256 of the master secret over a label and the SPKI.
    pub fn card_management_key(&self, public_key_spki: &[u8]) -> Result<[u8; KEY_LEN], PkiError> {
        self.derive(b"huji-card-management/1\n", public_key_spki)
    }

    /// The factory key of the blank card with this printed number: HMAC-SHA256 of the master
    /// secret over another label and the number.
    pub fn card_factory_key(&self, card_number: &str) -> Result<[u8; KEY_LEN], PkiError> {
        self.derive(b"huji-card-factory/1\n", card_number.as_bytes())
    }

    /// Whether `tag` is the HMAC-SHA256 of `message` under the factory key of `card_number`
    /// (compared in constant time).
    pub fn card_attests(
        &self,
        card_number: &str,
        message: &[u8],
        tag: &[u8],
    ) -> Result<bool, PkiError> {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.card_factory_key(card_number)?);
        Ok(hmac::verify(&key, message, tag).is_ok())
    }

    fn derive(&self, label: &[u8], data: &[u8]) -> Result<[u8; KEY_LEN], PkiError> {
        let master = hmac::Key::new(hmac::HMAC_SHA256, &self.card_management_master()?);
        let mut context = hmac::Context::with_key(&master);
        context.update(label);
        context.update(data);
        let mut key = [0u8; KEY_LEN];
        key.copy_from_slice(context.sign().as_ref());
        Ok(key)
    }

    /// Writes the factory key of `card_number` to `out` (hex, mode 0600, which must not exist)
    /// for the card maker (`huji-virtual-card --init --blank --factory-key`).
    pub fn write_card_factory_key(&self, card_number: &str, out: &Path) -> Result<(), PkiError> {
        files::write_secret(out, &hex::encode(self.card_factory_key(card_number)?))
    }

    fn card_management_path(&self) -> PathBuf {
        self.dir.join("private").join("card-management.key")
    }

    /// The master secret, made on first use (a PKI from before the card management centre).
    pub(super) fn card_management_master(&self) -> Result<Vec<u8>, PkiError> {
        let path = self.card_management_path();
        if !path.exists() {
            let mut secret = [0u8; KEY_LEN];
            SystemRandom::new()
                .fill(&mut secret)
                .map_err(|_| PkiError::KeyGeneration("no system randomness".into()))?;
            // Another process may have made it a moment ago: then its secret stands.
            if let Err(error) = files::write_secret(&path, &hex::encode(secret)) {
                if !path.exists() {
                    return Err(error);
                }
            }
        }
        let text = files::read_secret(&path)?;
        hex::decode(text.trim())
            .ok()
            .filter(|secret| secret.len() == KEY_LEN)
            .ok_or(PkiError::Incomplete(path))
    }
}
