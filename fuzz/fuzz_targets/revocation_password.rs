//! Fuzzes `RevocationPassword::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::revocation_password::RevocationPassword;

huji_fuzz::round_trip!(RevocationPassword::parse, |v: &RevocationPassword| v
    .expose()
    .to_owned());
