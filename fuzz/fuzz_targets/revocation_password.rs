//! Fuzzes `RevocationPassword::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::revocation_password::RevocationPassword;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = RevocationPassword::parse(input) {
        assert_eq!(RevocationPassword::parse(value.expose()), Ok(value));
    }
});
