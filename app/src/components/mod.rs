//! Building blocks shared by every service's pages.

pub mod layout;
