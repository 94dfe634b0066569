//! What agency linking declares to the portal (see [`crate::services::manifest`]).

use super::apply::AgencyApplyPage;
use super::pages::{AgencyCasePage, AgencyDeskPage, StaffCasePage, StaffDeskPage, LINK_ROLES};
use super::procedure::{AgencyLinkProcedurePage, PROCEDURE_PATH};
use super::{AGENCY_CASE_PATH, AGENCY_PATH, APPLY_PATH, STAFF_CASE_PATH, STAFF_PATH};
use crate::services::manifest::{leaf, Group, Manifest, MenuEntry, NavNode};
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
    // Seed 001's title: the procedure is public; applying and the cases need the 機關憑證.
    home: &[(
        Group::AgencyLinking,
        NavNode {
            zh_tw: "連結介面、電子閘門及應用程式介面連結申請",
            english: "Link interface, e-gate and API linking",
            href: PROCEDURE_PATH,
            children: &[
                leaf("申請程序說明", "How to apply", PROCEDURE_PATH),
                leaf("提出連結申請", "Apply for a link", APPLY_PATH),
                leaf("申請案件辦理及進度", "Cases and progress", AGENCY_PATH),
            ],
        },
    )],
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
            <Route path=path!("/agency-link/procedure") view=AgencyLinkProcedurePage />
            <Route path=path!("/admin/agency-links") view=StaffDeskPage ssr=SsrMode::Async />
            <Route path=path!("/admin/agency-links/case") view=StaffCasePage ssr=SsrMode::Async />
        </ParentRoute>
    }
    .into_inner()
}
