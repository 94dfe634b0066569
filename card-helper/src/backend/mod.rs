//! Where the helper finds a card: PC/SC readers, or the in-process software token.

mod pcsc_readers;
mod soft_token;

pub use pcsc_readers::PcscReaders;
pub use soft_token::SoftToken;

use crate::client::Transport;
use crate::protocol::{HelperError, ReaderInfo};

/// The two closed ways of reaching a card.
pub enum Backend {
    Pcsc(PcscReaders),
    Soft(SoftToken),
}

impl Backend {
    /// Reported by `GET /v1/version`.
    pub fn mode(&self) -> &'static str {
        match self {
            Backend::Pcsc(_) => "pcsc",
            Backend::Soft(_) => "soft-token",
        }
    }

    pub fn readers(&self) -> Result<Vec<ReaderInfo>, HelperError> {
        match self {
            Backend::Pcsc(readers) => readers.readers(),
            Backend::Soft(token) => Ok(token.readers()),
        }
    }

    /// Runs `operation` on the card in `reader` (the first reader holding a card if `None`)
    /// in a fresh session (blocking), then resets the card so that no verified PIN outlives
    /// the operation. `operation` gets the reader's name.
    pub fn with_card<R>(
        &self,
        reader: Option<&str>,
        operation: impl FnOnce(&str, &mut dyn Transport) -> Result<R, HelperError>,
    ) -> Result<R, HelperError> {
        match self {
            Backend::Pcsc(readers) => readers.with_card(reader, operation),
            Backend::Soft(token) => token.with_card(reader, operation),
        }
    }
}
