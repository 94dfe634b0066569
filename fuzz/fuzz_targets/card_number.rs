//! Fuzzes `CardNumber::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::card_number::CardNumber;

huji_fuzz::round_trip!(CardNumber::parse, ToString::to_string);
