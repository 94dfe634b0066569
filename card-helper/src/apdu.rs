//! ISO 7816-4 short APDUs: command parsing and encoding, responses, and the status words Huji's card profile uses.

use std::fmt;

/// A status word (SW1-SW2) as defined by ISO 7816-4.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    pub const OK: StatusWord = StatusWord(0x9000);
    /// Fewer bytes than requested: the end of the file was reached.
    pub const END_OF_FILE: StatusWord = StatusWord(0x6282);
    pub const MEMORY_FAILURE: StatusWord = StatusWord(0x6581);
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);
    pub const SECURITY_STATUS_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    pub const AUTHENTICATION_BLOCKED: StatusWord = StatusWord(0x6983);
    pub const CONDITIONS_NOT_SATISFIED: StatusWord = StatusWord(0x6985);
    pub const NO_CURRENT_EF: StatusWord = StatusWord(0x6986);
    pub const INCORRECT_DATA: StatusWord = StatusWord(0x6A80);
    pub const FILE_NOT_FOUND: StatusWord = StatusWord(0x6A82);
    pub const NOT_ENOUGH_MEMORY: StatusWord = StatusWord(0x6A84);
    pub const INCORRECT_P1_P2: StatusWord = StatusWord(0x6A86);
    pub const REFERENCED_DATA_NOT_FOUND: StatusWord = StatusWord(0x6A88);
    pub const WRONG_PARAMETERS: StatusWord = StatusWord(0x6B00);
    pub const INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    pub const CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
    pub const NO_PRECISE_DIAGNOSIS: StatusWord = StatusWord(0x6F00);

    /// `63Cx`: verification failed, `x` tries left.
    pub fn tries_left(tries: u8) -> StatusWord {
        StatusWord(0x63C0 | u16::from(tries.min(15)))
    }

    /// `61xx`: more response bytes wait for GET RESPONSE (`00` means 256 or more).
    pub fn more_data(remaining: usize) -> StatusWord {
        StatusWord(0x6100 | u16::from(u8::try_from(remaining).unwrap_or(0)))
    }

    /// The tries left if this is a `63Cx` status word.
    pub fn as_tries_left(self) -> Option<u8> {
        (self.0 & 0xFFF0 == 0x63C0).then_some((self.0 & 0x000F) as u8)
    }

    /// The bytes announced by a `61xx` status word.
    pub fn as_more_data(self) -> Option<usize> {
        (self.0 & 0xFF00 == 0x6100).then(|| match self.0 & 0xFF {
            0 => 256,
            n => usize::from(n as u8),
        })
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// A command APDU in short form (Lc and Le at most one byte each).
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    /// Expected response length Ne (1..=256); `None` when the command carries no Le.
    pub le: Option<usize>,
}

/// Command bodies can hold PINs: only the header and lengths are shown.
impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Command({:02X} {:02X} {:02X} {:02X}, {} data bytes, le {:?})",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.le
        )
    }
}

impl Command {
    pub fn new(ins: u8, p1: u8, p2: u8, data: Vec<u8>, le: Option<usize>) -> Command {
        Command {
            cla: 0x00,
            ins,
            p1,
            p2,
            data,
            le,
        }
    }

    /// Parses a short APDU (cases 1 to 4); extended lengths are refused with `6700`.
    pub fn parse(bytes: &[u8]) -> Result<Command, StatusWord> {
        let (header, body) = match bytes {
            [cla, ins, p1, p2, body @ ..] => ([*cla, *ins, *p1, *p2], body),
            _ => return Err(StatusWord::WRONG_LENGTH),
        };
        let decode_le = |byte: u8| if byte == 0 { 256 } else { usize::from(byte) };
        let (data, le) = match body {
            [] => (Vec::new(), None),
            [le] => (Vec::new(), Some(decode_le(*le))),
            [0, ..] => return Err(StatusWord::WRONG_LENGTH),
            [lc, rest @ ..] => {
                let lc = usize::from(*lc);
                match rest.len() {
                    n if n == lc => (rest.to_vec(), None),
                    n if n == lc + 1 => (rest[..lc].to_vec(), Some(decode_le(rest[lc]))),
                    _ => return Err(StatusWord::WRONG_LENGTH),
                }
            }
        };
        let [cla, ins, p1, p2] = header;
        Ok(Command {
            cla,
            ins,
            p1,
            p2,
            data,
            le,
        })
    }

    /// Encodes the command; data longer than 255 bytes is a programming error and is cut.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.cla, self.ins, self.p1, self.p2];
        if !self.data.is_empty() {
            let len = self.data.len().min(255);
            out.push(len as u8);
            out.extend_from_slice(&self.data[..len]);
        }
        if let Some(le) = self.le {
            out.push(if le >= 256 { 0 } else { le as u8 });
        }
        out
    }
}

/// A response APDU: data followed by the status word.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: StatusWord,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Response({} data bytes, {})", self.data.len(), self.sw)
    }
}

impl Response {
    pub fn status(sw: StatusWord) -> Response {
        Response {
            data: Vec::new(),
            sw,
        }
    }

    pub fn ok(data: Vec<u8>) -> Response {
        Response {
            data,
            sw: StatusWord::OK,
        }
    }

    /// Splits raw response bytes into data and status word; fewer than 2 bytes is malformed.
    pub fn parse(bytes: &[u8]) -> Option<Response> {
        let split = bytes.len().checked_sub(2)?;
        let (data, sw) = bytes.split_at(split);
        Some(Response {
            data: data.to_vec(),
            sw: StatusWord(u16::from_be_bytes([sw[0], sw[1]])),
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.data.clone();
        out.extend_from_slice(&self.sw.0.to_be_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_short_case_round_trips() {
        let cases = [
            Command::new(0x44, 0, 0, vec![], None),
            Command::new(0xB0, 0, 0, vec![], Some(256)),
            Command::new(0x20, 0, 0x81, vec![1, 2, 3], None),
            Command::new(0x2A, 0x9E, 0x9A, vec![1; 51], Some(256)),
        ];
        for command in cases {
            assert_eq!(Command::parse(&command.to_bytes()), Ok(command));
        }
    }

    #[test]
    fn inconsistent_lengths_are_wrong_length() {
        assert_eq!(Command::parse(&[0, 0xA4, 4]), Err(StatusWord::WRONG_LENGTH));
        assert_eq!(
            Command::parse(&[0, 0xA4, 4, 0, 5, 1, 2]),
            Err(StatusWord::WRONG_LENGTH)
        );
        assert_eq!(
            Command::parse(&[0, 0xA4, 4, 0, 0, 1, 0]),
            Err(StatusWord::WRONG_LENGTH)
        );
    }

    #[test]
    fn status_words_carry_tries_and_remaining_bytes() {
        assert_eq!(StatusWord(0x63C2).as_tries_left(), Some(2));
        assert_eq!(StatusWord(0x6983).as_tries_left(), None);
        assert_eq!(StatusWord::more_data(300).as_more_data(), Some(256));
        assert_eq!(StatusWord::more_data(38).as_more_data(), Some(38));
    }
}
