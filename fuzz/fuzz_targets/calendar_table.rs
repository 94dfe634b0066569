//! Fuzzes `WorkingCalendar::parse_table`: it must never panic, whatever the holiday file holds.
#![no_main]

use app::domain::calendar::WorkingCalendar;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(input) = std::str::from_utf8(data) {
        let _ = WorkingCalendar::parse_table(input);
    }
});
