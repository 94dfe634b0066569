//! What the identity confirmation service declares to the portal (see
//! [`crate::services::manifest`]).

use super::desk::{
    ConfirmationDeskCasePage, ConfirmationDeskPage, ConfirmationDeskSystemPage, DESK_ROLES,
};
use super::pages::{
    ConfirmationNoticesPage, ConfirmationRequestFormPage, ConfirmationRequestPage,
    ConfirmationRequestsPage,
};
use super::{
    DESK_CASE_PATH, DESK_PATH, DESK_SYSTEM_PATH, NOTICES_PATH, REQUESTS_PATH, REQUEST_FORM_PATH,
    REQUEST_PATH,
};
use crate::services::manifest::{leaf, Group, Manifest, MenuEntry, NavNode};
use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route};
use leptos_router::{path, MatchNestedRoutes, SsrMode};

pub const MANIFEST: Manifest = Manifest {
    form_pages: &[
        REQUEST_FORM_PATH,
        REQUEST_PATH,
        DESK_CASE_PATH,
        DESK_SYSTEM_PATH,
    ],
    menu: &[MenuEntry {
        path: DESK_PATH,
        roles: &DESK_ROLES,
        zh_tw: "自然人憑證用戶身分確認服務 申請審核",
        english: "Identity confirmation: requests",
    }],
    home: &[(
        Group::IdentityConfirmation,
        NavNode {
            zh_tw: "自然人憑證用戶身分確認服務",
            english: "Citizen certificate identity confirmation",
            href: NOTICES_PATH,
            children: &[
                leaf(
                    "服務說明及申請資格",
                    "The service and who may apply",
                    NOTICES_PATH,
                ),
                leaf(
                    "啟用／停用申請及進度",
                    "Requests and progress",
                    REQUESTS_PATH,
                ),
            ],
        },
    )],
    #[cfg(feature = "ssr")]
    jobs: &[crate::platform::jobs::Job {
        name: "identity confirmation requests taking effect on their dates (I-2)",
        every: std::time::Duration::from_secs(300),
        run: |db, now| {
            Box::pin(async move {
                let taken = super::store::take_effect(db, now).await?;
                if taken > 0 {
                    tracing::info!(count = taken, "identity confirmation requests took effect");
                }
                Ok(())
            })
        },
    }],
};

/// The service's pages, for the router ([`crate::shell::App`]).
#[component(transparent)]
pub fn ConfirmationRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("") view=Outlet>
            <Route path=path!("/confirmation") view=ConfirmationNoticesPage />
            <Route path=path!("/confirmation/requests") view=ConfirmationRequestsPage ssr=SsrMode::Async />
            <Route path=path!("/confirmation/requests/new") view=ConfirmationRequestFormPage ssr=SsrMode::Async />
            <Route path=path!("/confirmation/requests/case") view=ConfirmationRequestPage ssr=SsrMode::Async />
            <Route path=path!("/admin/confirmation") view=ConfirmationDeskPage ssr=SsrMode::Async />
            <Route path=path!("/admin/confirmation/case") view=ConfirmationDeskCasePage ssr=SsrMode::Async />
            <Route path=path!("/admin/confirmation/system") view=ConfirmationDeskSystemPage ssr=SsrMode::Async />
        </ParentRoute>
    }
    .into_inner()
}
