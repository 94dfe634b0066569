//! Fuzzes `Purpose::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::purpose::Purpose;

huji_fuzz::round_trip!(Purpose::parse, ToString::to_string);
