//! What the ID card loss service declares to the portal (see [`crate::services::manifest`]).

use super::card::{CitizenSignInPage, LossByCardPage};
use super::counter::{CounterRevocationPage, PATH as COUNTER_PATH, ROLES as COUNTER_ROLES};
use super::office::{OfficeLossReportsPage, UpwardEventsPage};
use super::office::{EVENTS_PATH, FOLLOW_UP_ROLES, OVERSIGHT_ROLES, PATH as OFFICE_PATH};
use super::pages::{LossLandingPage, LossQueryPage, LossReportPage, LossRevokePage};
use super::phone::{PhoneReportPage, PATH as PHONE_PATH, ROLES as PHONE_ROLES};
use crate::services::manifest::{leaf, Group, Manifest, MenuEntry};
use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route};
use leptos_router::{path, MatchNestedRoutes, SsrMode};

pub const MANIFEST: Manifest = Manifest {
    form_pages: &[
        "/id-card/loss/report",
        "/id-card/loss/query",
        "/id-card/loss/revoke",
        OFFICE_PATH,
        super::card::PATH,
        COUNTER_PATH,
        PHONE_PATH,
    ],
    menu: &[
        MenuEntry {
            path: OFFICE_PATH,
            roles: &FOLLOW_UP_ROLES,
            zh_tw: "國民身分證查詢掛失作業 (RL03Y00)",
            english: "ID card loss reports (RL03Y00)",
        },
        MenuEntry {
            path: COUNTER_PATH,
            roles: &COUNTER_ROLES,
            zh_tw: "臨櫃撤銷掛失",
            english: "Revoke a loss report at the counter",
        },
        MenuEntry {
            path: PHONE_PATH,
            roles: &PHONE_ROLES,
            zh_tw: "電話掛失受理（1996）",
            english: "Take a loss report by telephone (1996)",
        },
        MenuEntry {
            path: EVENTS_PATH,
            roles: &OVERSIGHT_ROLES,
            zh_tw: "國民身分證掛失通報紀錄",
            english: "ID card loss reports: events",
        },
    ],
    home: &[(
        Group::IdCard,
        leaf(
            "國民身分證掛失／撤銷掛失",
            "Report a lost ID card / revoke a report",
            "/id-card/loss",
        ),
    )],
    #[cfg(feature = "ssr")]
    jobs: &[],
};

/// The service's pages, for the router ([`crate::shell::App`]).
#[component(transparent)]
pub fn IdCardLossRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("") view=Outlet>
            <Route path=path!("/id-card/loss") view=LossLandingPage />
            <Route path=path!("/id-card/loss/card") view=LossByCardPage ssr=SsrMode::Async />
            <Route path=path!("/citizen/sign-in") view=CitizenSignInPage />
            <Route path=path!("/id-card/loss/report") view=LossReportPage ssr=SsrMode::Async />
            <Route path=path!("/id-card/loss/query") view=LossQueryPage ssr=SsrMode::Async />
            <Route path=path!("/id-card/loss/revoke") view=LossRevokePage ssr=SsrMode::Async />
            <Route
                path=path!("/admin/id-card-loss")
                view=OfficeLossReportsPage
                ssr=SsrMode::Async
            />
            <Route
                path=path!("/admin/id-card-loss/revoke")
                view=CounterRevocationPage
                ssr=SsrMode::Async
            />
            <Route
                path=path!("/admin/id-card-loss/phone")
                view=PhoneReportPage
                ssr=SsrMode::Async
            />
            <Route
                path=path!("/admin/id-card-loss/events")
                view=UpwardEventsPage
                ssr=SsrMode::Async
            />
        </ParentRoute>
    }
    .into_inner()
}
