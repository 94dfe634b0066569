//! Fuzzes `UserCode::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::pin::UserCode;

huji_fuzz::round_trip!(UserCode::parse, |v: &UserCode| v.expose().to_owned());
