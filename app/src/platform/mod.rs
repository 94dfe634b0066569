//! Server-only foundations shared by every service: database, clock, sessions, audit log and
//! mail outbox. Compiled only with the `ssr` feature; the WASM client never sees it.

pub mod audit;
pub mod auth;
pub mod ca;
pub mod captcha;
pub mod challenge;
pub mod client;
pub mod clock;
pub mod db;
pub mod id_hash;
pub mod jobs;
pub mod outbox;
pub mod paper;
pub mod password;
pub mod private_file;
pub mod rate_limit;
pub mod rows;
pub mod script;
pub mod seal;
pub mod session;
pub mod state;

pub use state::AppState;
