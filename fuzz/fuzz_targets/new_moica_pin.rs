//! Fuzzes `NewMoicaPin::parse`: it must never panic, and what it accepts must read back the same.
#![no_main]

use app::domain::pin::NewMoicaPin;

huji_fuzz::round_trip!(NewMoicaPin::parse, |v: &NewMoicaPin| v.expose().to_owned());
