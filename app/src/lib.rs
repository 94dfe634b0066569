//! Huji portal: the pages, components and server functions of the household-registration online
//! services, and the validated form types that the WASM client and the server share.

#![recursion_limit = "256"]

pub mod cases;
pub mod components;
pub mod domain;
pub mod error;
pub mod forms;
pub mod i18n;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod pki;
#[cfg(feature = "ssr")]
pub mod platform;
pub mod posted_form;
pub mod services;
pub mod settings;
pub mod shell;
#[cfg(test)]
mod typeface;

pub use shell::App;

/// Entry point of the WASM client. The portal is server-rendered and works without
/// JavaScript; only the interactive islands are hydrated. The form islands (fields, buttons)
/// are in this client's runtime; the card islands (`#[island(lazy)]`) are chunks of their own,
/// fetched only by a page that holds one (issue 23 item 2). The loader in `shell.rs` marks the
/// page interactive once every island is hydrated.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
