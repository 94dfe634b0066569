//! 自然人憑證 — the citizen digital certificate (seed 002, SPEC C-1…C-6): eligibility, the
//! online pre-application, and the public status look-up.

pub mod application;
pub mod eligibility;
pub mod status;
#[cfg(feature = "ssr")]
pub mod store;
