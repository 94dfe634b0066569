//! Fuzzes `CompanyName::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::company_name::CompanyName;

huji_fuzz::round_trip!(CompanyName::parse, ToString::to_string);
