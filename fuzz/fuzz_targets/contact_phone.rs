//! Fuzzes `ContactPhone::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::phone::ContactPhone;

huji_fuzz::round_trip!(ContactPhone::parse, |v: &ContactPhone| v
    .as_str()
    .to_owned());
