//! Fuzzes `Email::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::email::Email;

huji_fuzz::round_trip!(Email::parse, ToString::to_string);
