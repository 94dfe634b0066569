//! Huji portal: the pages, components and server functions of the household-registration online
//! services, and the validated form types that the WASM client and the server share.

#![recursion_limit = "256"]

pub mod components;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod pages;
pub mod services;
#[cfg(feature = "ssr")]
pub mod platform;
pub mod shell;

pub use shell::App;

/// Entry point of the WASM client: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
