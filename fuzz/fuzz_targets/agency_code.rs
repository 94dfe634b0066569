//! Fuzzes `AgencyCode::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::agency_code::AgencyCode;

huji_fuzz::round_trip!(AgencyCode::parse, ToString::to_string);
