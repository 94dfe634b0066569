//! Fuzzes `ShortText::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::short_text::ShortText;

huji_fuzz::round_trip!(ShortText::parse, ToString::to_string);
