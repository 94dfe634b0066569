//! 自然人憑證 — the citizen digital certificate (seed 002, SPEC C-1…C-6).

pub mod status;
#[cfg(feature = "ssr")]
pub mod store;
