//! Huji's card helper library: the card APDU profile, both sides of it, and the localhost HTTP API.

pub mod apdu;
pub mod backend;
pub mod card;
pub mod client;
pub mod helper;
pub mod profile;
pub mod protocol;
pub mod vpcd;
