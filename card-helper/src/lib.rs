//! Huji's card helper library: the card APDU profile, both sides of it, and the localhost HTTP API.

//!
//! Without the default `native` feature only [`protocol`] is built: the JSON contract the
//! portal's pages share with the helper. The `personalisation` feature adds the sealing of a
//! card's personalisation secrets, which the portal's server shares with the helper.

#[cfg(feature = "native")]
pub mod apdu;
#[cfg(feature = "native")]
pub mod backend;
#[cfg(feature = "native")]
pub mod card;
#[cfg(feature = "native")]
pub mod client;
#[cfg(feature = "native")]
pub mod helper;
#[cfg(feature = "personalisation")]
pub mod personalisation;
#[cfg(feature = "native")]
pub mod profile;
pub mod protocol;
#[cfg(feature = "native")]
pub mod vpcd;
