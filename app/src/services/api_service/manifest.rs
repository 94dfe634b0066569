//! What the API service declares to the portal (see [`crate::services::manifest`]).

use super::pages::{
    ApiApplyPage, ApiFormPage, ApiManualPage, ApiProgressPage, ApiServiceNoticesPage,
};
use super::review::REVIEW_ROLES;
use super::review::{ApiReviewCasePage, ApiReviewQueuePage};
use super::{
    APPLY_PATH, FORM_PATH, MANUAL_PATH, NOTICES_PATH, PROGRESS_PATH, REVIEW_CASE_PATH, REVIEW_PATH,
};
use crate::services::manifest::{leaf, Group, Manifest, MenuEntry, NavNode};
use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route};
use leptos_router::{path, MatchNestedRoutes, SsrMode};

pub const MANIFEST: Manifest = Manifest {
    form_pages: &[FORM_PATH, PROGRESS_PATH, REVIEW_PATH, REVIEW_CASE_PATH],
    menu: &[MenuEntry {
        path: REVIEW_PATH,
        roles: &REVIEW_ROLES,
        zh_tw: "國民身分證領補換資料查驗作業API介接服務 案件審核",
        english: "API service: review cases and permissions",
    }],
    home: &[(
        Group::IdCard,
        NavNode {
            zh_tw: "國民身分證領補換資料查驗作業 API 介接服務",
            english: "ID card issuance-data verification API service",
            href: NOTICES_PATH,
            children: &[
                leaf("申請注意事項", "Notices for applicants", NOTICES_PATH),
                leaf("API介接服務申請", "Apply for the API service", APPLY_PATH),
                leaf("API介接服務進度查詢", "Application progress", PROGRESS_PATH),
                leaf("API介接服務作業手冊", "Operation manual", MANUAL_PATH),
            ],
        },
    )],
    #[cfg(feature = "ssr")]
    jobs: &[crate::platform::jobs::Job {
        name: "the ministry's check of the API grants (A-N10)",
        every: std::time::Duration::from_secs(24 * 3600),
        run: |db, now| {
            Box::pin(async move {
                let revoked = super::store::periodic_check(db, now).await?;
                if !revoked.is_empty() {
                    tracing::warn!(count = revoked.len(), "A-N10 check revoked API grants");
                }
                Ok(())
            })
        },
    }],
};

/// The service's pages, for the router ([`crate::shell::App`]).
#[component(transparent)]
pub fn ApiServiceRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("") view=Outlet>
            <Route path=path!("/api-service") view=ApiServiceNoticesPage />
            <Route path=path!("/api-service/apply") view=ApiApplyPage ssr=SsrMode::Async />
            <Route path=path!("/api-service/apply/form") view=ApiFormPage ssr=SsrMode::Async />
            <Route path=path!("/api-service/progress") view=ApiProgressPage ssr=SsrMode::Async />
            <Route path=path!("/api-service/manual") view=ApiManualPage ssr=SsrMode::Async />
            <Route path=path!("/admin/api-cases") view=ApiReviewQueuePage ssr=SsrMode::Async />
            <Route path=path!("/admin/api-cases/case") view=ApiReviewCasePage ssr=SsrMode::Async />
        </ParentRoute>
    }
    .into_inner()
}
