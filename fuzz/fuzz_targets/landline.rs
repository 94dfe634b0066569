//! Fuzzes `Landline::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::phone::Landline;

huji_fuzz::round_trip!(Landline::parse, ToString::to_string);
