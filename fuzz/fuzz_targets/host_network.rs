//! Fuzzes `HostNetwork::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::host_network::HostNetwork;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = HostNetwork::parse(input) {
        assert_eq!(HostNetwork::parse(&value.to_string()), Ok(value));
    }
});
