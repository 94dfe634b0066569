//! What a Huji card remembers between sessions, and where it is kept (a JSON state file or memory).

use base64::{engine::general_purpose::STANDARD, Engine};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// The card's persistent memory. The PIN and user code are kept in clear because this is a
/// development card: a real card keeps them in its secure element and never reads them out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardState {
    /// RSA private key, PKCS#8 DER, base64; absent until GENERATE ASYMMETRIC KEY PAIR.
    #[serde(with = "optional_base64", default)]
    pub private_key_pkcs8: Option<Vec<u8>>,
    /// The certificate file's content (DER), base64; empty until written.
    #[serde(with = "base64_bytes", default)]
    pub certificate: Vec<u8>,
    /// 卡片密碼 (PIN).
    pub pin: String,
    /// 用戶代碼: unlocks a blocked PIN (鎖卡解碼).
    pub user_code: String,
    pub pin_tries_left: u8,
    pub user_code_tries_left: u8,
    /// Set by ACTIVATE FILE (開卡): personalisation commands are refused afterwards.
    pub activated: bool,
    /// The card management key (PUT DATA at personalisation): authorises 用戶代碼 resets.
    /// Absent on cards made without one (development tokens), which cannot be reset.
    #[serde(with = "optional_base64", default)]
    pub management_key: Option<Vec<u8>>,
    /// Resets done so far: each authorisation covers the current count.
    #[serde(default)]
    pub reset_counter: u32,
    /// What the card was made with at the factory: its card number and the key, diversified
    /// for that number, with which it attests the keys it makes (issue 21 item 10). Absent on
    /// cards made personalised (development tokens), which are never issued onto, and erased
    /// when the card is activated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factory: Option<Factory>,
}

/// A card's factory data: its printed card number and its attestation key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factory {
    pub card_number: String,
    #[serde(with = "base64_bytes")]
    pub key: Vec<u8>,
}

impl fmt::Debug for Factory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Factory")
            .field("card_number", &self.card_number)
            .field("key", &"****")
            .finish()
    }
}

impl fmt::Debug for CardState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardState")
            .field(
                "private_key_pkcs8",
                &self.private_key_pkcs8.as_ref().map(|_| "****"),
            )
            .field("certificate_len", &self.certificate.len())
            .field("pin", &"****")
            .field("user_code", &"****")
            .field("pin_tries_left", &self.pin_tries_left)
            .field("user_code_tries_left", &self.user_code_tries_left)
            .field("activated", &self.activated)
            .field(
                "management_key",
                &self.management_key.as_ref().map(|_| "****"),
            )
            .field("reset_counter", &self.reset_counter)
            .field("factory", &self.factory)
            .finish()
    }
}

impl CardState {
    /// Reads a state file written by [`FileStore`]; refuses one that other users may read,
    /// as it holds the card's key and PIN (issue 21 item 11).
    pub fn load(path: &Path) -> io::Result<CardState> {
        check_private(path)?;
        let text = std::fs::read_to_string(path)?;
        serde_json::from_str(&text).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// Writes the state atomically (temporary file, then rename), so a crash mid-write
    /// never leaves a card without its key or with a reset counter; readable and writable by
    /// its owner only (0600) from the first byte.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        // One left by a crash may have any mode: start afresh.
        match std::fs::remove_file(&temporary) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        io::Write::write_all(&mut options.open(&temporary)?, text.as_bytes())?;
        std::fs::rename(&temporary, path)
    }
}

/// Refuses `path` when its group or other users have any access to it (the portal's
/// `app::platform::private_file::check`, which this crate cannot depend on).
pub fn check_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "{path} is open to other users (mode {mode:03o}) and holds a card's key \
                     and PIN: replace it, or if nobody else can have read it, \
                     `chmod 600 {path}`",
                    path = path.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Where the card persists its state after every change, before it answers.
pub trait CardStore: Send {
    fn save(&mut self, state: &CardState) -> io::Result<()>;
}

/// Persists to a JSON state file.
#[derive(Debug, Clone)]
pub struct FileStore {
    pub path: PathBuf,
}

impl CardStore for FileStore {
    fn save(&mut self, state: &CardState) -> io::Result<()> {
        state.save(&self.path)
    }
}

/// Keeps nothing: for unit tests, and cards whose state dies with the process.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore;

impl CardStore for MemoryStore {
    fn save(&mut self, _state: &CardState) -> io::Result<()> {
        Ok(())
    }
}

mod base64_bytes {
    use super::{Engine, STANDARD};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

mod optional_base64 {
    use super::{Engine, STANDARD};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => serializer.serialize_some(&STANDARD.encode(bytes)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| STANDARD.decode(text).map_err(serde::de::Error::custom))
            .transpose()
    }
}
