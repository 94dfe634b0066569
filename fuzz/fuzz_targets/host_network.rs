//! Fuzzes `HostNetwork::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::host_network::HostNetwork;

huji_fuzz::round_trip!(HostNetwork::parse, ToString::to_string);
