//! The card management centre (卡管中心) beside the development MOICA CA: one master secret,
//! `private/card-management.key` (hex, mode 0600, made with the PKI or on first use), from
//! which each card's management key is derived from the card's public key. The key goes onto
//! the card at personalisation; later it authorises a 用戶代碼 reset of exactly that card (C-3)
//! — and no per-card secret is stored anywhere.

use super::{files, Pki, PkiError};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use std::path::PathBuf;

/// Bytes of the master secret and of each card's key.
const KEY_LEN: usize = 32;

impl Pki {
    /// The management key of the card whose key pair has this SubjectPublicKeyInfo:
    /// HMAC-SHA256 of the master secret over a label and the SPKI.
    pub fn card_management_key(&self, public_key_spki: &[u8]) -> Result<[u8; KEY_LEN], PkiError> {
        let master = hmac::Key::new(hmac::HMAC_SHA256, &self.card_management_master()?);
        let mut context = hmac::Context::with_key(&master);
        context.update(b"huji-card-management/1\n");
        context.update(public_key_spki);
        let mut key = [0u8; KEY_LEN];
        key.copy_from_slice(context.sign().as_ref());
        Ok(key)
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
