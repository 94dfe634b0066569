//! Fuzzes `PersonName::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::person_name::PersonName;

huji_fuzz::round_trip!(PersonName::parse, ToString::to_string);
