//! 機關連結申請 (seed 001, SPEC §2, issue 18): a government agency applies to link one of its
//! systems to the registry through one interface; the county unit, the ministry's 戶政司 and
//! 資訊服務司, and 中華電信 carry the case through the seed's 20 steps (L-1 … L-20), each from its
//! own inbox (L-21); once both sides confirm the go-live, the link answers the agency's calls.

#[cfg(feature = "ssr")]
pub mod addresses;
pub mod cases;
#[cfg(feature = "ssr")]
pub mod password_table;
