//! Fuzzes `County::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::county::County;

huji_fuzz::round_trip!(County::parse, ToString::to_string);
