//! What the staff accounts declare to the portal (see [`crate::services::manifest`]).

use super::pages::ACCOUNT_VIEWERS;
use super::pages::{StaffAccountsPage, StaffHomePage, StaffSignInPage};
use crate::services::manifest::{Manifest, MenuEntry};
use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route};
use leptos_router::{path, MatchNestedRoutes, SsrMode};

pub const MANIFEST: Manifest = Manifest {
    form_pages: &[],
    menu: &[MenuEntry {
        path: "/admin/staff",
        roles: &ACCOUNT_VIEWERS,
        zh_tw: "工作人員帳號",
        english: "Staff accounts",
    }],
    home: &[],
    #[cfg(feature = "ssr")]
    jobs: &[],
};

/// The back office's own pages, for the router ([`crate::shell::App`]).
#[component(transparent)]
pub fn StaffRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("") view=Outlet>
            <Route path=path!("/admin/sign-in") view=StaffSignInPage />
            <Route path=path!("/admin") view=StaffHomePage ssr=SsrMode::Async />
            <Route path=path!("/admin/staff") view=StaffAccountsPage ssr=SsrMode::Async />
        </ParentRoute>
    }
    .into_inner()
}
