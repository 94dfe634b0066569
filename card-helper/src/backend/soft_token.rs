//! The software token (`--soft-token FILE`): the card logic in-process on a state file, for trying the portal without a reader.

use crate::card::{Card, FileStore};
use crate::client::Transport;
use crate::protocol::{HelperError, ReaderInfo};
use std::sync::Mutex;

/// The reader name the soft token reports.
pub const SOFT_TOKEN_READER: &str = "Huji soft token";

pub struct SoftToken {
    /// Boxed: a card with its decoded key is large, and the backend enum should not be.
    card: Box<Mutex<Card<FileStore>>>,
}

impl SoftToken {
    pub fn new(card: Card<FileStore>) -> SoftToken {
        SoftToken {
            card: Box::new(Mutex::new(card)),
        }
    }

    pub fn readers(&self) -> Vec<ReaderInfo> {
        vec![ReaderInfo {
            name: SOFT_TOKEN_READER.to_owned(),
            card_present: true,
        }]
    }

    pub fn with_card<R>(
        &self,
        operation: impl FnOnce(&str, &mut dyn Transport) -> Result<R, HelperError>,
    ) -> Result<R, HelperError> {
        let mut card = self.card.lock().map_err(|_| HelperError::Internal)?;
        card.reset();
        let result = operation(SOFT_TOKEN_READER, &mut SoftTransport { card: &mut card });
        card.reset();
        result
    }
}

struct SoftTransport<'a> {
    card: &'a mut Card<FileStore>,
}

impl Transport for SoftTransport<'_> {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, HelperError> {
        Ok(self.card.process(apdu))
    }
}
