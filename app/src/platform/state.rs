//! What every request handler and server function can reach: the database, the clock and the
//! portal's settings. Built once by the server binary and handed to Leptos as context.

use super::{clock::Clock, db::Db};
use crate::domain::calendar::WorkingCalendar;
use crate::pki::ReloadableTrustStore;
pub use crate::settings::PortalSettings;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// The portal's state, shared: a clone is one reference count, however much it holds. Every
/// request clones it several times over (into Leptos's context, each route's handler), and
/// cloning each of its parts was a twentieth of the home page's time (issue 23 item 5).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }

    /// Its parts to change, for this state only: other clones keep what they had.
    pub fn edit(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}

/// What [`AppState`] holds.
#[derive(Clone)]
pub struct Shared {
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
