//! The Huji server as a library, so integration tests drive the same router and jobs as the
//! binary: configuration, logging, the mail sender and the HTTP surface.

#![recursion_limit = "256"]

pub mod admin;
pub mod config;
pub mod confirm;
pub mod database;
pub mod jobs;
pub mod link;
pub mod logging;
pub mod mail;
pub mod papers;
pub mod pki;
pub mod registry;
pub mod secrets;
pub mod verify;
pub mod web;
