//! Software tokens (`--soft-token FILE`, repeatable): the card logic in-process on state files,
//! each in a reader of its own, for trying the portal without a reader.

use crate::card::{Card, FileStore};
use crate::client::Transport;
use crate::protocol::{HelperError, ReaderInfo};
use std::path::Path;
use std::sync::Mutex;

/// One software card and the reader name it is reported in.
struct Token {
    reader: String,
    /// Boxed: a card with its decoded key is large.
    card: Box<Mutex<Card<FileStore>>>,
}

/// Software cards, each always "inserted" in its own reader.
pub struct SoftToken {
    tokens: Vec<Token>,
}

impl SoftToken {
    /// The reader a token file is shown in: `Huji Soft Token (<file stem>)`.
    pub fn reader_name(path: &Path) -> String {
        let stem = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("Huji Soft Token ({stem})")
    }

    /// The cards in the order given; the first is used when a request names no reader.
    pub fn new(cards: Vec<(String, Card<FileStore>)>) -> SoftToken {
        SoftToken {
            tokens: cards
                .into_iter()
                .map(|(reader, card)| Token {
                    reader,
                    card: Box::new(Mutex::new(card)),
                })
                .collect(),
        }
    }

    pub fn readers(&self) -> Vec<ReaderInfo> {
        self.tokens
            .iter()
            .map(|token| ReaderInfo {
                name: token.reader.clone(),
                card_present: true,
            })
            .collect()
    }

    pub fn with_card<R>(
        &self,
        requested: Option<&str>,
        operation: impl FnOnce(&str, &mut dyn Transport) -> Result<R, HelperError>,
    ) -> Result<R, HelperError> {
        let token = match requested {
            Some(name) => self
                .tokens
                .iter()
                .find(|token| token.reader == name)
                .ok_or(HelperError::ReaderNotFound)?,
            None => self.tokens.first().ok_or(HelperError::NoReader)?,
        };
        let mut card = token.card.lock().map_err(|_| HelperError::Internal)?;
        card.reset();
        let result = operation(&token.reader, &mut SoftTransport { card: &mut card });
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
