//! What agency linking declares to the portal (see [`crate::services::manifest`]).

use super::apply::AgencyApplyPage;
use super::pages::{AgencyCasePage, AgencyDeskPage, StaffCasePage, StaffDeskPage, LINK_ROLES};
use super::{AGENCY_CASE_PATH, APPLY_PATH, STAFF_CASE_PATH, STAFF_PATH};
use crate::services::manifest::{Manifest, MenuEntry};
use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route};
use leptos_router::{path, MatchNestedRoutes, SsrMode};

pub const MANIFEST: Manifest = Manifest {
    form_pages: &[STAFF_CASE_PATH, AGENCY_CASE_PATH, APPLY_PATH],
    menu: &[MenuEntry {
        path: STAFF_PATH,
        roles: &LINK_ROLES,
        zh_tw: "機關連結申請 案件辦理",
        english: "Agency linking: cases",
    }],
    // The home page lists the service once an agency can file in the browser.
    home: &[],
    #[cfg(feature = "ssr")]
    jobs: &[],
};

/// The service's pages, for the router ([`crate::shell::App`]).
#[component(transparent)]
pub fn AgencyLinkRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("") view=Outlet>
            <Route path=path!("/agency-link") view=AgencyDeskPage ssr=SsrMode::Async />
            <Route path=path!("/agency-link/case") view=AgencyCasePage ssr=SsrMode::Async />
            <Route path=path!("/agency-link/apply") view=AgencyApplyPage ssr=SsrMode::Async />
            <Route path=path!("/admin/agency-links") view=StaffDeskPage ssr=SsrMode::Async />
            <Route path=path!("/admin/agency-links/case") view=StaffCasePage ssr=SsrMode::Async />
        </ParentRoute>
    }
    .into_inner()
}
