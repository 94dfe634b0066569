//! Fuzzes `NationalId::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::national_id::NationalId;

huji_fuzz::round_trip!(NationalId::parse, ToString::to_string);
