//! Fuzzes `OfficeHours::parse`: it must never panic, and what it accepts must read back the same
//! from its stored form (`code`; its `Display` is for people, with an en dash).
#![no_main]

use app::domain::office_hours::OfficeHours;

huji_fuzz::round_trip!(OfficeHours::parse, |v: &OfficeHours| v.code());
