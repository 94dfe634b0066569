//! The card management centre (卡管中心) beside the development MOICA CA, with two master
//! secrets in `private/` (hex, mode 0600, made with the PKI):
//! - `card-management.key` (also made on first use by a PKI from before the centre): each
//!   card's management key is derived from the card's public key. The key goes onto the card
//!   at personalisation; later it authorises a 用戶代碼 reset of exactly that card (C-3).
//! - `card-factory.key`: each blank card's factory key is derived from its printed number. It
//!   is loaded into the card when the card is made (`huji pki card-factory-key`), and the card
//!   attests with it the key it makes at the counter (issue 21 item 10). Checking an
//!   attestation never makes this secret: a centre without it knows no blank card.
//!
//! No per-card secret is stored anywhere. A production centre keeps both secrets in a
//! hardware security module, not in files beside the portal.

use super::{files, Pki, PkiError};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use std::path::{Path, PathBuf};

/// Bytes of a master secret and of each card's key.
const KEY_LEN: usize = 32;

/// The centre's master secrets.
#[derive(Clone, Copy)]
pub(super) enum Master {
    Management,
    Factory,
}

impl Master {
    fn file_name(self) -> &'static str {
        match self {
            Master::Management => "card-management.key",
            Master::Factory => "card-factory.key",
        }
    }
}

impl Pki {
    /// The management key of the card whose key pair has this SubjectPublicKeyInfo:
    /// HMAC-SHA256 of the management secret over a label and the SPKI.
    pub fn card_management_key(&self, public_key_spki: &[u8]) -> Result<[u8; KEY_LEN], PkiError> {
        let master = self.master(Master::Management, true)?;
        Ok(derive(
            &master,
            b"huji-card-management/1\n",
            public_key_spki,
        ))
    }

    /// The factory key of the blank card with this printed number: HMAC-SHA256 of the factory
    /// secret over a label and the number. For the card maker; makes the secret if need be.
    pub fn card_factory_key(&self, card_number: &str) -> Result<[u8; KEY_LEN], PkiError> {
        let master = self.master(Master::Factory, true)?;
        Ok(derive(
            &master,
            b"huji-card-factory/1\n",
            card_number.as_bytes(),
        ))
    }

    /// Whether `tag` is the HMAC-SHA256 of `message` under the factory key of `card_number`
    /// (compared in constant time). Refused without the factory secret, which it never makes.
    pub fn card_attests(
        &self,
        card_number: &str,
        message: &[u8],
        tag: &[u8],
    ) -> Result<bool, PkiError> {
        let master = self.master(Master::Factory, false)?;
        let key = derive(&master, b"huji-card-factory/1\n", card_number.as_bytes());
        let key = hmac::Key::new(hmac::HMAC_SHA256, &key);
        Ok(hmac::verify(&key, message, tag).is_ok())
    }

    /// Writes the factory key of `card_number` to `out` (hex, mode 0600, which must not exist)
    /// for the card maker (`huji-virtual-card --init --blank --factory-key`).
    pub fn write_card_factory_key(&self, card_number: &str, out: &Path) -> Result<(), PkiError> {
        files::write_secret(out, &hex::encode(self.card_factory_key(card_number)?))
    }

    fn master_path(&self, master: Master) -> PathBuf {
        self.dir.join("private").join(master.file_name())
    }

    /// A master secret; with `create`, made if missing.
    pub(super) fn master(&self, master: Master, create: bool) -> Result<Vec<u8>, PkiError> {
        let path = self.master_path(master);
        if create && !path.exists() {
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

/// HMAC-SHA256 of `master` over `label` and `data`.
fn derive(master: &[u8], label: &[u8], data: &[u8]) -> [u8; KEY_LEN] {
    let master = hmac::Key::new(hmac::HMAC_SHA256, master);
    let mut context = hmac::Context::with_key(&master);
    context.update(label);
    context.update(data);
    let mut key = [0u8; KEY_LEN];
    key.copy_from_slice(context.sign().as_ref());
    key
}
