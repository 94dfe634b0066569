//! Fuzzes `RocDateTime::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::roc_date::RocDateTime;

huji_fuzz::round_trip!(RocDateTime::parse, ToString::to_string);
