//! Fuzzes `RocDate::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::roc_date::RocDate;

huji_fuzz::round_trip!(RocDate::parse, |v: &RocDate| v.display_compact());
