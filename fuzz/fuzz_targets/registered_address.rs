//! Fuzzes `RegisteredAddress::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::address::RegisteredAddress;

huji_fuzz::round_trip!(RegisteredAddress::parse, |v: &RegisteredAddress| v
    .as_str()
    .to_owned());
