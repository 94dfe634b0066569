//! Structured JSON logs on stdout. As a last line of defence, anything shaped like a national
//! ID number is masked before it leaves the process (F-8: no ID numbers in plain text).

use regex::Regex;
use std::io::{self, Write};
use std::sync::LazyLock;
use tracing_subscriber::{fmt::MakeWriter, EnvFilter};

/// A letter, 1 or 2 (or 8/9 for residence permits), then 8 digits, not inside a longer token.
static NATIONAL_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b([A-Z])([1289])\d{5}(\d{3})\b").expect("valid pattern"));

/// Masks every ID-number-shaped token in `line`: `A123456789` → `A1*****789`.
pub fn mask_national_ids(line: &str) -> std::borrow::Cow<'_, str> {
    NATIONAL_ID.replace_all(line, "$1$2*****$3")
}

/// Writes to stdout through [`mask_national_ids`].
#[derive(Clone, Copy, Debug, Default)]
pub struct MaskingStdout;

pub struct MaskingWriter(io::Stdout);

impl Write for MaskingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // The formatter hands over one whole event per call, so a token is never split.
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(mask_national_ids(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<'a> MakeWriter<'a> for MaskingStdout {
    type Writer = MaskingWriter;

    fn make_writer(&'a self) -> Self::Writer {
        MaskingWriter(io::stdout())
    }
}

/// JSON lines, level from `RUST_LOG` (default `info`).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_env_filter(filter)
        .with_writer(MaskingStdout)
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f8_national_ids_are_masked_in_log_lines() {
        assert_eq!(
            mask_national_ids(r#"{"msg":"verify A123456789 ok","id":"b287654321"}"#),
            r#"{"msg":"verify A1*****789 ok","id":"b2*****321"}"#
        );
    }

    #[test]
    fn f8_other_numbers_are_left_alone() {
        let line = "case 24536806 took 1234567890 ns; token XA123456789Y";
        assert_eq!(mask_national_ids(line), line);
    }
}
