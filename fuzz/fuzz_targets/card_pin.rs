//! Fuzzes `CardPin::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::pin::CardPin;

huji_fuzz::round_trip!(CardPin::parse, |v: &CardPin| v.expose().to_owned());
