//! Fuzzes `CardPin::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::pin::CardPin;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = CardPin::parse(input) {
        assert_eq!(CardPin::parse(value.expose()), Ok(value));
    }
});
