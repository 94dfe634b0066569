//! What the citizen certificate service declares to the portal (see
//! [`crate::services::manifest`]).

use super::application::pages::MoicaApplyPage;
use super::card_services::pages::CardServicesPage;
use super::counter::pages::CounterIssuePage;
use super::counter::ISSUING_ROLES;
use super::extension::pages::CertificateExtensionPage;
use super::pin::CertificatePinPage;
use super::renewal::pages::{CardActivationPage, CertificateRenewalPage};
use super::status::CertificateStatusPage;
use crate::services::manifest::{leaf, Group, Manifest, MenuEntry};
use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route};
use leptos_router::{path, MatchNestedRoutes, SsrMode};

pub const MANIFEST: Manifest = Manifest {
    form_pages: &[
        super::application::APPLY_PATH,
        super::card_services::PATH,
        super::counter::PATH,
    ],
    menu: &[
        MenuEntry {
            path: super::counter::PATH,
            roles: &ISSUING_ROLES,
            zh_tw: "自然人憑證臨櫃發證",
            english: "Citizen certificate: counter issuance",
        },
        MenuEntry {
            path: super::card_services::PATH,
            roles: &ISSUING_ROLES,
            zh_tw: "自然人憑證臨櫃服務（停用／復用／廢止／資料異動）",
            english: "Citizen certificate services at the counter",
        },
    ],
    home: &[
        (
            Group::Certificate,
            leaf(
                "線上申請（線上填單、臨櫃取卡）",
                "Apply online, collect at an office",
                super::application::APPLY_PATH,
            ),
        ),
        (
            Group::Certificate,
            leaf(
                "PIN 碼變更／鎖卡解碼",
                "Change the PIN or unlock the card",
                "/certificate/pin",
            ),
        ),
        (
            Group::Certificate,
            leaf(
                "憑證線上展期",
                "Extend the certificate online",
                "/certificate/extension",
            ),
        ),
        (
            Group::Certificate,
            leaf(
                "憑證線上續卡",
                "Renew the certificate online",
                "/certificate/renewal",
            ),
        ),
        (
            Group::Certificate,
            leaf(
                "憑證線上開卡",
                "Activate a mailed card",
                "/certificate/activation",
            ),
        ),
        (
            Group::Certificate,
            leaf(
                "憑證 IC 卡號查詢",
                "Certificate status look-up",
                "/certificate/status",
            ),
        ),
    ],
    #[cfg(feature = "ssr")]
    jobs: &[
        crate::platform::jobs::Job {
            name: "closing of lapsed certificate applications (C-2)",
            every: std::time::Duration::from_secs(300),
            run: |db, now| {
                Box::pin(async move {
                    super::application::store::close_expired(db, now).await?;
                    Ok(())
                })
            },
        },
        crate::platform::jobs::Job {
            name: "reminders of unpaid online renewals before they lapse (C-4)",
            every: std::time::Duration::from_secs(300),
            run: |db, now| {
                Box::pin(async move {
                    super::renewal::payment::remind_unpaid(db, now).await?;
                    Ok(())
                })
            },
        },
        crate::platform::jobs::Job {
            name: "certificate expiry notices (C-4)",
            every: std::time::Duration::from_secs(300),
            run: |db, now| {
                Box::pin(async move {
                    super::store::notify_expiring(db, now).await?;
                    Ok(())
                })
            },
        },
    ],
};

/// The service's pages, for the router ([`crate::shell::App`]).
#[component(transparent)]
pub fn CertificateRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("") view=Outlet>
            // Async: the answer is in the HTML itself, so the page works without JS.
            <Route
                path=path!("/certificate/status")
                view=CertificateStatusPage
                ssr=SsrMode::Async
            />
            <Route path=path!("/certificate/apply") view=MoicaApplyPage ssr=SsrMode::Async />
            <Route path=path!("/certificate/pin") view=CertificatePinPage />
            <Route path=path!("/certificate/extension") view=CertificateExtensionPage />
            <Route path=path!("/certificate/renewal") view=CertificateRenewalPage />
            <Route path=path!("/certificate/activation") view=CardActivationPage />
            <Route path=path!("/admin/certificate/issue") view=CounterIssuePage ssr=SsrMode::Async />
            <Route path=path!("/admin/certificate/services") view=CardServicesPage ssr=SsrMode::Async />
        </ParentRoute>
    }
    .into_inner()
}
