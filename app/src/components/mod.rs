//! Building blocks shared by every service's pages.

pub mod buttons;
pub mod captcha;
pub mod field;
pub mod helper_client;
pub mod layout;
pub mod queue;
pub mod refusal;
pub mod search;
pub mod steps;
pub mod table;
pub mod timeline;
