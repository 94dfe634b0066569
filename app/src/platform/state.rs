//! What every request handler and server function can reach: the database, the clock and the
//! portal's settings. Built once by the server binary and handed to Leptos as context.

use super::{clock::Clock, db::Db};
use crate::domain::calendar::WorkingCalendar;
use crate::pki::ReloadableTrustStore;
pub use crate::settings::PortalSettings;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// Working days: weekends plus the national-holiday table (F-3).
    pub calendar: Arc<WorkingCalendar>,
    pub settings: Arc<PortalSettings>,
    /// The certificate authorities the portal trusts, with their CRLs (F-4).
    pub trust: Arc<ReloadableTrustStore>,
    /// The reverse proxies whose forwarding headers name the client.
    pub proxies: Arc<super::client::TrustedProxies>,
    /// The keyed hash of ID numbers, shared with the verification API.
    pub id_key: Arc<super::id_hash::IdHashKey>,
    /// Seals the secrets of certificate applications until they are used (C-2).
    pub seal: Arc<super::seal::SealKey>,
    /// The MOICA certificate authority counter issuance asks (C-2); `None` where the server
    /// has none configured (`HUJI_MOICA_CA_DIR`), and counter issuance says so.
    pub moica_ca: Option<Arc<dyn super::ca::CertificateAuthority>>,
    /// The key shared with the payment provider and where its checkout is (C-4 renewals).
    pub payments: Arc<crate::services::certificate::renewal::payment::Payments>,
    /// The registry network and the pools agency links' addresses come from (L-6).
    pub link_network: Arc<crate::services::agency_link::addresses::LinkNetwork>,
}
