//! Fuzzes `Mobile::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::phone::Mobile;

huji_fuzz::round_trip!(Mobile::parse, ToString::to_string);
