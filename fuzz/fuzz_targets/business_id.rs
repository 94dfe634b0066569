//! Fuzzes `BusinessId::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::business_id::BusinessId;

huji_fuzz::round_trip!(BusinessId::parse, ToString::to_string);
