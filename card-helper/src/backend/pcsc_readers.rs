//! Cards in PC/SC readers, through the platform's PC/SC service (pcsc-lite's pcscd on Linux).

use crate::client::Transport;
use crate::protocol::{HelperError, ReaderInfo};
use pcsc::{Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use std::ffi::CString;
use std::sync::Mutex;
use std::time::Duration;

/// All readers, or only the one named by `--reader`.
pub struct PcscReaders {
    reader: Option<String>,
    /// One card operation at a time within the helper; transactions keep other programs out.
    busy: Mutex<()>,
}

impl PcscReaders {
    pub fn new(reader: Option<String>) -> PcscReaders {
        PcscReaders {
            reader,
            busy: Mutex::new(()),
        }
    }

    pub fn readers(&self) -> Result<Vec<ReaderInfo>, HelperError> {
        let context = Context::establish(Scope::User).map_err(pcsc_error)?;
        Ok(list(&context)?
            .into_iter()
            .map(|(name, card_present)| ReaderInfo {
                name: name.to_string_lossy().into_owned(),
                card_present,
            })
            .collect())
    }

    pub fn with_card<R>(
        &self,
        requested: Option<&str>,
        operation: impl FnOnce(&str, &mut dyn Transport) -> Result<R, HelperError>,
    ) -> Result<R, HelperError> {
        let _busy = self.busy.lock().map_err(|_| HelperError::Internal)?;
        let context = Context::establish(Scope::User).map_err(pcsc_error)?;
        let readers = list(&context)?;
        if readers.is_empty() {
            return Err(HelperError::NoReader);
        }
        let chosen = match (requested, &self.reader) {
            (Some(wanted), _) => {
                let (name, present) = readers
                    .into_iter()
                    .find(|(name, _)| name.to_string_lossy() == wanted)
                    .ok_or(HelperError::ReaderNotFound)?;
                if !present {
                    return Err(HelperError::NoCard);
                }
                (name, present)
            }
            (None, Some(wanted)) => readers
                .into_iter()
                .find(|(name, _)| name.to_string_lossy() == wanted.as_str())
                .ok_or(HelperError::NoReader)?,
            (None, None) => readers
                .into_iter()
                .find(|(_, present)| *present)
                .ok_or(HelperError::NoCard)?,
        };
        let (name, _) = chosen;
        let mut card = context
            .connect(&name, ShareMode::Shared, Protocols::ANY)
            .map_err(pcsc_error)?;
        let result = {
            let transaction = card.transaction().map_err(pcsc_error)?;
            let mut transport = PcscTransport { card: &transaction };
            operation(&name.to_string_lossy(), &mut transport)
        };
        // A failed reset only matters if the card is gone, which the result already says.
        let _ = card.disconnect(Disposition::ResetCard);
        result
    }
}

/// Reader names and whether a card is present, without waiting.
fn list(context: &Context) -> Result<Vec<(CString, bool)>, HelperError> {
    let names = match context.list_readers_owned() {
        Ok(names) => names,
        Err(pcsc::Error::NoReadersAvailable) => return Ok(Vec::new()),
        Err(error) => return Err(pcsc_error(error)),
    };
    let mut states: Vec<ReaderState> = names
        .into_iter()
        .map(|name| ReaderState::new(name, State::UNAWARE))
        .collect();
    context
        .get_status_change(Duration::ZERO, &mut states)
        .map_err(pcsc_error)?;
    Ok(states
        .iter()
        .map(|state| {
            let present = state.event_state().contains(State::PRESENT)
                && !state.event_state().contains(State::MUTE);
            (state.name().to_owned(), present)
        })
        .collect())
}

struct PcscTransport<'a> {
    card: &'a pcsc::Card,
}

impl Transport for PcscTransport<'_> {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, HelperError> {
        let mut buffer = [0u8; pcsc::MAX_BUFFER_SIZE];
        self.card
            .transmit(apdu, &mut buffer)
            .map(<[u8]>::to_vec)
            .map_err(pcsc_error)
    }
}

/// Every PC/SC failure as one of the helper's stable error codes.
fn pcsc_error(error: pcsc::Error) -> HelperError {
    use pcsc::Error::*;
    match error {
        NoService | ServiceStopped => HelperError::PcscUnavailable,
        NoReadersAvailable | UnknownReader | ReaderUnavailable => HelperError::NoReader,
        NoSmartcard => HelperError::NoCard,
        RemovedCard | UnpoweredCard | UnresponsiveCard => HelperError::CardRemoved,
        SharingViolation | ResetCard => HelperError::CardInUse,
        // pcsc-lite ends a transaction this way when the card went away in the middle of it.
        NotTransacted => HelperError::CardRemoved,
        other => {
            tracing::warn!(error = %other, "unexpected PC/SC error");
            HelperError::Internal
        }
    }
}
