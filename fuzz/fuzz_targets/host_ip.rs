//! Fuzzes `HostIp::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::host_ip::HostIp;

huji_fuzz::round_trip!(HostIp::parse, ToString::to_string);
