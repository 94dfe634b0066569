//! Fuzzes `IssueSiteId::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::place_code::IssueSiteId;

huji_fuzz::round_trip!(IssueSiteId::parse, ToString::to_string);
