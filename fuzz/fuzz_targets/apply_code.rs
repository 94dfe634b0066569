//! Fuzzes `ApplyCode::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::apply_code::ApplyCode;

huji_fuzz::round_trip!(ApplyCode::parse, ToString::to_string);
