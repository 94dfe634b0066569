//! What every request handler and server function can reach: the database, the clock and the
//! portal's settings. Built once by the server binary and handed to Leptos as context.

use super::{clock::Clock, db::Db};
use crate::domain::calendar::WorkingCalendar;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Settings the portal's pages and server functions need (the rest stays in `server`).
#[derive(Clone, Debug)]
pub struct PortalSettings {
    /// The public origin, e.g. `https://huji.example.gov.tw`: used for CSRF checks and links.
    pub public_origin: String,
}

impl PortalSettings {
    /// Cookies get `Secure` when the portal is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_origin.starts_with("https://")
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// Working days: weekends plus the national-holiday table (F-3).
    pub calendar: Arc<WorkingCalendar>,
    pub settings: Arc<PortalSettings>,
}
