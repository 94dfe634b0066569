//! What the personal data use record declares to the portal (see
//! [`crate::services::manifest`]).

use super::{IdUsagePage, PATH};
use crate::services::manifest::{leaf, Group, Manifest};
use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route};
use leptos_router::{path, MatchNestedRoutes, SsrMode};

pub const MANIFEST: Manifest = Manifest {
    form_pages: &[],
    menu: &[],
    home: &[(
        Group::IdCard,
        leaf(
            "個資使用紀錄（誰查驗了我的身分）",
            "Who checked my identity (personal data use record)",
            PATH,
        ),
    )],
    #[cfg(feature = "ssr")]
    jobs: &[crate::platform::jobs::Job {
        name: "the person's index of the machine APIs' calls (個資使用紀錄)",
        every: super::index::EVERY,
        run: |db, now| {
            Box::pin(async move { Ok(super::index::catch_up(db, now).await.map(drop)?) })
        },
    }],
};

/// The service's page, for the router ([`crate::shell::App`]).
#[component(transparent)]
pub fn IdUsageRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("") view=Outlet>
            <Route path=path!("/citizen/usage") view=IdUsagePage ssr=SsrMode::Async />
        </ParentRoute>
    }
    .into_inner()
}
