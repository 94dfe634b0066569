//! The vsmartcard `vpcd` wire protocol: a card connects to the virtual reader and answers its framed messages.

use crate::card::{Card, CardStore};
use std::io::{self, Read, Write};

/// Answer-to-reset: T=1, historical bytes "HUJI", followed by its check byte.
pub const ATR: [u8; 9] = atr([0x3B, 0x84, 0x80, 0x01, b'H', b'U', b'J', b'I', 0x00]);

/// Fills in TCK, the XOR of every byte after TS (ISO 7816-3, needed when T=1 is offered).
const fn atr(mut bytes: [u8; 9]) -> [u8; 9] {
    let mut check = 0;
    let mut i = 1;
    while i < bytes.len() - 1 {
        check ^= bytes[i];
        i += 1;
    }
    bytes[bytes.len() - 1] = check;
    bytes
}

/// vpcd control codes, each sent as a one-byte message.
const POWER_OFF: u8 = 0;
const POWER_ON: u8 = 1;
const RESET: u8 = 2;
const GET_ATR: u8 = 4;

/// Plays `card` on a vpcd connection until the reader closes it. Every message is a 2-byte
/// big-endian length and a payload: one byte is a control, more is a command APDU.
pub fn serve<S: CardStore>(
    connection: &mut (impl Read + Write),
    card: &mut Card<S>,
) -> io::Result<()> {
    loop {
        let mut length = [0u8; 2];
        match connection.read_exact(&mut length) {
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            other => other?,
        }
        let mut payload = vec![0u8; usize::from(u16::from_be_bytes(length))];
        connection.read_exact(&mut payload)?;
        match payload.as_slice() {
            [] => {}
            [POWER_OFF | POWER_ON | RESET] => card.reset(),
            [GET_ATR] => write_frame(connection, &ATR)?,
            [_] => {}
            apdu => write_frame(connection, &card.process(apdu))?,
        }
    }
}

fn write_frame(connection: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    let length = u16::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "response too long"))?;
    connection.write_all(&length.to_be_bytes())?;
    connection.write_all(payload)?;
    connection.flush()
}
