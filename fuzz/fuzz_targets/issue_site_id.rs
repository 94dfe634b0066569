//! Fuzzes `IssueSiteId::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::place_code::IssueSiteId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = IssueSiteId::parse(input) {
        assert_eq!(IssueSiteId::parse(&value.to_string()), Ok(value));
    }
});
