//! Structured JSON logs on stdout. As a last line of defence, anything shaped like a national
//! ID number is masked before it leaves the process (F-8: no ID numbers in plain text).

use regex::Regex;
use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::LazyLock;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// A letter, 1 or 2 (or 8/9 for residence permits), then 8 digits, in ASCII or full-width
/// forms (Ａ１２３４５６７８９, as an IME types it). Whether it stands alone is decided by
/// [`stands_alone`], from the characters around it.
static NATIONAL_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([A-Za-zＡ-Ｚａ-ｚ][1289１２８９])[0-9０-９]{5}([0-9０-９]{3})")
        .expect("valid pattern")
});

/// Whether `c` would make a longer token of an ID number it touches: an ASCII or full-width
/// letter or digit. Everything else is a break: `_` (`case_A123456789`), punctuation, spaces
/// and Chinese characters (an ID number written right after 身分證 or before 號 is still one).
fn joins(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '０'..='９')
}

/// Whether `before` ends in an escape, which breaks a token though it ends in a letter or
/// digit: a JSON line's (`\n`, `\t`, `\u001b`…), Rust's `\0` (a field logged with `?`), and
/// percent-encoding (`%20`, or 身分證 in a URL logged as it came).
fn ends_in_escape(before: &str) -> bool {
    let bytes = before.as_bytes();
    let tail = |n: usize| bytes.len().checked_sub(n).map(|at| &bytes[at..]);
    let hex = |b: &[u8]| b.iter().all(u8::is_ascii_hexdigit);
    matches!(
        tail(2),
        Some([b'\\', b'n' | b'r' | b't' | b'b' | b'f' | b'0'])
    ) || matches!(tail(6), Some([b'\\', b'u', digits @ ..]) if hex(digits))
        || matches!(tail(3), Some([b'%', digits @ ..]) if hex(digits))
}

/// Whether the ID-number-shaped text at `start..end` of `line` is one, not part of a longer
/// token such as a hash or a serial number (`XA123456789Y`).
fn stands_alone(line: &str, start: usize, end: usize) -> bool {
    let before = &line[..start];
    let opens = before.chars().next_back().is_none_or(|c| !joins(c)) || ends_in_escape(before);
    opens && line[end..].chars().next().is_none_or(|c| !joins(c))
}

/// Masks every ID number in `line`: `A123456789` → `A1*****789`.
pub fn mask_national_ids(line: &str) -> Cow<'_, str> {
    NATIONAL_ID.replace_all(line, |found: &regex::Captures<'_>| {
        let whole = found.get(0).expect("the match");
        if stands_alone(line, whole.start(), whole.end()) {
            Cow::Owned(format!("{}*****{}", &found[1], &found[2]))
        } else {
            Cow::Borrowed(&line[whole.range()])
        }
    })
}

/// A request's path as the log records it. As it came, except in two cases:
/// - when it names an ID number only once percent-decoded (`%41123456789`, or `%EF%BC%A1…`
///   typed full-width into the address bar), no pattern of characters can find it there, so
///   the path is recorded decoded with the number masked;
/// - a character that would hide itself or disguise the line in a log viewer (a control, a
///   line separator, a bidi override, a zero-width or other default-ignorable character, a
///   combining mark), which a client may send raw, is percent-encoded.
///
/// A path is otherwise kept escaped as it was sent, so what a probe of the server tried
/// (`/%61dmin`, `%2F`, `%2E`) reads as it reached the router.
pub fn logged_path(path: &str) -> Cow<'_, str> {
    // What the path shows as it came is masked here; only what decoding reveals decides.
    let raw = mask_national_ids(path);
    let revealed = {
        let decoded = percent_encoding::percent_decode_str(&raw).decode_utf8_lossy();
        let masked = mask_national_ids(&decoded);
        (*masked != *decoded).then(|| masked.into_owned())
    };
    let logged = revealed.map_or(raw, Cow::Owned);
    if logged.is_ascii() && !logged.bytes().any(|b| b.is_ascii_control()) {
        return logged;
    }
    Cow::Owned(
        HIDDEN
            .replace_all(&logged, |hidden: &regex::Captures<'_>| {
                // Every byte of a hidden character is a control or beyond ASCII.
                percent_encoding::percent_encode(hidden[0].as_bytes(), percent_encoding::CONTROLS)
                    .to_string()
            })
            .into_owned(),
    )
}

/// The characters [`logged_path`] percent-encodes: those a log viewer shows as nothing, as a
/// line break, or as something else than they are.
static HIDDEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\p{M}]")
        .expect("valid pattern")
});

/// Masks what passes through it with [`mask_national_ids`]. The log's thread hands it one whole
/// event per write, so a token is never split.
struct Masking<W> {
    out: W,
    /// Whether the last write or flush failed: a failure is reported once, not once a line.
    failing: bool,
}

impl<W> Masking<W> {
    fn new(out: W) -> Masking<W> {
        Masking {
            out,
            failing: false,
        }
    }

    /// The log's thread drops a line it cannot write without a word: say so on stderr, as the
    /// formatter did when it wrote itself, without ever failing or panicking for it.
    fn report<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        match &result {
            Err(error) if !self.failing => {
                let _ = writeln!(io::stderr(), "huji: writing the log failed: {error}");
                self.failing = true;
            }
            Err(_) => {}
            Ok(_) => self.failing = false,
        }
        result
    }
}

impl<W: Write> Write for Masking<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let written = self.out.write_all(mask_national_ids(&text).as_bytes());
        self.report(written).map(|()| buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = self.out.flush();
        self.report(flushed)
    }
}

/// Lines that may wait for the log's thread: half a second of the home page at full speed,
/// and a bound on the memory a slow reader of stdout can make them take.
const WAITING_LINES: usize = 8_192;

/// JSON lines on stdout, level from `RUST_LOG` (default `info`). A thread of their own masks
/// and writes them, as many as are waiting in one write: a request hands its line over and
/// goes on, instead of making a system call for it (issue 23 item 5). Drop the guard only
/// after the runtime, whose tasks log until it ends: dropping it writes the lines still
/// waiting (tracing-appender gives them about a second).
pub fn init() -> WorkerGuard {
    let (writer, guard) = NonBlockingBuilder::default()
        // No line is dropped under load: with the queue full, an event waits for room.
        .lossy(false)
        .buffered_lines_limit(WAITING_LINES)
        .thread_name("huji-log")
        .finish(Masking::new(io::BufWriter::new(io::stdout())));
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        // The request's span is the only one: its list would print it a second time, and
        // reading a span back costs more than the rest of the line.
        .with_span_list(false)
        .with_env_filter(filter)
        .with_writer(writer)
        .init();
    guard
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
    fn f8_the_log_writer_masks_each_line_it_is_handed() {
        let mut masking = Masking::new(Vec::new());
        masking
            .write_all(b"{\"msg\":\"verify A123456789\"}\n")
            .and_then(|()| masking.write_all(b"{\"msg\":\"case 24536806\"}\n"))
            .expect("written to memory");
        assert_eq!(
            String::from_utf8(masking.out).expect("UTF-8"),
            "{\"msg\":\"verify A1*****789\"}\n{\"msg\":\"case 24536806\"}\n"
        );
    }

    #[test]
    fn f8_an_id_number_beside_chinese_or_after_an_escaped_break_is_masked() {
        assert_eq!(
            mask_national_ids(
                r#"{"msg":"身分證A123456789號","detail":"a\nB287654321\tC123456789\u001bD123456789"}"#
            ),
            r#"{"msg":"身分證A1*****789號","detail":"a\nB2*****321\tC1*****789\u001bD1*****789"}"#
        );
        assert_eq!(
            mask_national_ids(r#"{"path":"/q/%E8%AD%89A123456789/%20B287654321"}"#),
            r#"{"path":"/q/%E8%AD%89A1*****789/%20B2*****321"}"#
        );
    }

    #[test]
    fn a_line_that_cannot_be_written_fails_once_reported_and_never_panics() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut masking = Masking::new(Closed);
        assert!(masking.write(b"{}\n").is_err());
        assert!(masking.write(b"{}\n").is_err());
        assert!(masking.failing, "reported, and not again for the next line");
        masking.flush().expect("flushed");
        assert!(!masking.failing, "a write that works ends the failure");
    }

    #[test]
    fn f8_an_id_number_after_an_underscore_or_in_full_width_is_masked() {
        assert_eq!(
            mask_national_ids(r#"{"msg":"case_A123456789 id=B287654321_x"}"#),
            r#"{"msg":"case_A1*****789 id=B2*****321_x"}"#
        );
        assert_eq!(
            mask_national_ids(
                "身分證Ａ１２３４５６７８９號、ａ２８７６５４３２１ and A１２３４５６７８９"
            ),
            "身分證Ａ１*****７８９號、ａ２*****３２１ and A１*****７８９"
        );
        assert_eq!(
            mask_national_ids("A123456789_B287654321_C123456789"),
            "A1*****789_B2*****321_C1*****789",
            "side by side, each is masked"
        );
    }

    #[test]
    fn f8_an_id_number_after_any_escape_is_masked() {
        assert_eq!(
            mask_national_ids(r#"\rA123456789 \bA123456789 \fA123456789 \u00E9A123456789"#),
            r#"\rA1*****789 \bA1*****789 \fA1*****789 \u00E9A1*****789"#
        );
        assert_eq!(
            mask_national_ids(r#"{"x":"\"\\0A123456789\"","path":"/%e8%ad%89A123456789"}"#),
            r#"{"x":"\"\\0A1*****789\"","path":"/%e8%ad%89A1*****789"}"#
        );
    }

    #[test]
    fn f8_an_id_number_typed_into_the_address_bar_is_masked() {
        let typed = "/q/%EF%BC%A1%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98%EF%BC%99/%41123456789/A%3123456789";
        assert_eq!(
            mask_national_ids(&logged_path(typed)),
            "/q/Ａ１*****７８９/A1*****789/A1*****789"
        );
        assert_eq!(
            logged_path("/q/%ZZ%E8%+1%/%41123456789"),
            "/q/%ZZ\u{fffd}%+1%/A1*****789",
            "decoded as the app decodes it"
        );
    }

    #[test]
    fn f8_a_logged_path_without_an_id_number_is_kept_as_it_came_and_shows_what_hides() {
        for path in [
            "/%6Civez",
            "/%6Civez/XA123456789Y",
            "/%2e%2E/%2F%25%0A/%E8%AD%89%E2%80%AE",
            "/q/%ZZ%E8%+1%",
            "/證",
        ] {
            assert_eq!(logged_path(path), path);
        }
        assert_eq!(
            logged_path("/%61dmin/A123456789"),
            "/%61dmin/A1*****789",
            "an ID number seen without decoding is masked where it stands"
        );
        assert_eq!(logged_path("/q/A123456789%41"), "/q/A1*****789%41");
        assert_eq!(
            logged_path("/a\u{202E}exe.pdf/\u{2028}\u{200B}\u{E0001}a\u{0338}/證"),
            "/a%E2%80%AEexe.pdf/%E2%80%A8%E2%80%8B%F3%A0%80%81a%CC%B8/證"
        );
        assert_eq!(
            logged_path("/%41123456789/\u{202E}"),
            "/A1*****789/%E2%80%AE",
            "decoded and masked, it still shows what hides"
        );
    }

    #[test]
    fn f8_other_numbers_are_left_alone() {
        let line = "case 24536806 took 1234567890 ns; token XA123456789Y XＡ１２３４５６７８９ A1234567890 \
                    ＸＡ１２３４５６７８９ Ａ１２３４５６７８９０ A123456789Y A123456789B123456789 %2A123456789";
        assert_eq!(mask_national_ids(line), line);
    }
}
