//! Fuzzes `Email::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::email::Email;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = Email::parse(input) {
        assert_eq!(Email::parse(&value.to_string()), Ok(value));
    }
});
