//! The localhost HTTP service of the card helper (跨平台網頁元件): commands, origin checks and routes.

mod commands;
mod origin;
mod routes;

pub use commands::{Command, Reply};
pub use origin::{AllowedOrigins, OriginError};
pub use routes::{router, BODY_LIMIT};
