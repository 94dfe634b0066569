//! 自然人憑證 — the citizen digital certificate (seed 002, SPEC C-1…C-6): eligibility, the
//! online pre-application, PIN change and unlock through the card helper, and the public
//! status look-up.

pub mod application;
pub mod card_services;
pub mod cases;
pub mod counter;
pub mod eligibility;
pub mod extension;
#[cfg(feature = "ssr")]
pub mod mail;
mod manifest;
#[cfg(feature = "ssr")]
pub mod papers;
pub mod pin;
pub mod proof;
pub mod renewal;
pub mod status;
#[cfg(feature = "ssr")]
pub mod store;

pub use manifest::{CertificateRoutes, MANIFEST};
