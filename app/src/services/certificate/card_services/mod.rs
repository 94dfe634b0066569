//! 憑證 IC 卡服務 at the counter (C-5): a household registrar of any office suspends (停用),
//! resumes (復用) or revokes (廢止) a citizen certificate, changes its contacts (手機號碼、連絡用
//! 電子信箱) or its publication (憑證公佈狀態). The holder may come in person or send a delegate
//! with a 委託書 (自然人憑證代辦事項委託書) — but revocation, irreversible, is for the holder in
//! person only (seed 002: 憑證申請、憑證廢止屬不可回復的憑證作業，必須本人…親自到戶政事務所).
//! Revocation goes to the CA, whose CRL then lists the certificate; every step is audited and
//! the holder is told by e-mail.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::FieldError;
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::services::certificate::status::CertificateState;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/admin/certificate/services";

/// What the counter can do to a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardService {
    /// 停用: suspended until resumed; nothing signs in with it meanwhile.
    Suspend,
    /// 復用.
    Resume,
    /// 廢止: final; the CRL lists it.
    Revoke,
    /// 修改手機號碼、連絡用電子信箱.
    Contacts,
    /// 修改憑證公佈狀態.
    Publication,
}

impl CardService {
    pub const ALL: [CardService; 5] = [
        CardService::Suspend,
        CardService::Resume,
        CardService::Revoke,
        CardService::Contacts,
        CardService::Publication,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CardService::Suspend => "suspend",
            CardService::Resume => "resume",
            CardService::Revoke => "revoke",
            CardService::Contacts => "contacts",
            CardService::Publication => "publication",
        }
    }

    pub fn from_code(code: &str) -> Option<CardService> {
        CardService::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            CardService::Suspend => lang.pick("憑證 IC 卡停用", "Suspend the certificate"),
            CardService::Resume => lang.pick("憑證 IC 卡復用", "Resume the certificate"),
            CardService::Revoke => lang.pick(
                "憑證廢止（本人親辦，不可回復）",
                "Revoke the certificate (in person only, final)",
            ),
            CardService::Contacts => lang.pick(
                "修改手機號碼、連絡用電子信箱",
                "Change the mobile number and contact e-mail",
            ),
            CardService::Publication => lang.pick(
                "修改憑證公佈狀態",
                "Change whether the certificate is published",
            ),
        }
    }

    /// Whether a delegate with a 委託書 may ask for it (C-5).
    pub fn delegable(self) -> bool {
        self != CardService::Revoke
    }
}

/// A certificate as the counter sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldCertificate {
    pub card_number: String,
    pub serial: String,
    pub name: String,
    pub masked_id: String,
    pub not_after: String,
    pub state: CertificateState,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub published: bool,
}

/// What a posted service came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceOutcome {
    Done {
        service: CardService,
        card_number: String,
    },
    Invalid(PortalError),
}

/// Why the counter refused a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceRefusal {
    BadQuery,
    NoService,
    NotFound,
    /// Revocation asked for by a delegate.
    InPersonOnly,
    /// The 委託書 was not checked.
    NoLetter,
    /// The delegate is the holder.
    DelegateIsHolder,
    /// Not possible in the certificate's state (e.g. resuming an active one).
    WrongState,
    /// Revocation needs the registrar's confirmation that it is final.
    NotConfirmed,
    NoAuthority,
}

impl FieldError for ServiceRefusal {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            ServiceRefusal::BadQuery => lang.pick(
                "請輸入憑證 IC 卡號或國民身分證統一編號",
                "Enter an IC card number or an ID number",
            ),
            ServiceRefusal::NoService => lang.pick("請選擇申辦項目", "Choose a service"),
            ServiceRefusal::NotFound => lang.pick(
                "查無此 IC 卡號或國民身分證統一編號之自然人憑證。",
                "No citizen certificate has this card number or ID number.",
            ),
            ServiceRefusal::InPersonOnly => lang.pick(
                "憑證廢止屬不可回復的憑證作業，須本人攜帶國民身分證正本親自辦理，不得委託。",
                "Revocation cannot be undone: the holder must come in person with their ID card; a delegate cannot ask for it.",
            ),
            ServiceRefusal::NoLetter => lang.pick(
                "受委託人辦理須核對自然人憑證代辦事項委託書及雙方國民身分證正本。",
                "A delegate needs the signed delegation letter (委託書), checked with both ID cards.",
            ),
            ServiceRefusal::DelegateIsHolder => lang.pick(
                "受委託人不得為憑證用戶本人。",
                "The delegate cannot be the holder.",
            ),
            ServiceRefusal::WrongState => lang.pick(
                "此憑證目前的狀態無法辦理此項目（例如已廢止、已逾期，或復用一張未停用的憑證）。",
                "The certificate's state does not allow this (revoked, expired, or resuming one that is not suspended).",
            ),
            ServiceRefusal::NotConfirmed => lang.pick(
                "請勾選確認：憑證廢止後無法回復。",
                "Tick the box confirming that revocation cannot be undone.",
            ),
            ServiceRefusal::NoAuthority => lang.pick(
                "本系統未設定憑證管理中心，暫停辦理憑證廢止。",
                "No certificate authority is configured: revocation is unavailable.",
            ),
        }
    }
}

/// The certificate on card number `query`, or the latest of ID number `query`.
#[server(endpoint = "moica_services_find")]
pub async fn find_held_certificate(query: String) -> Result<Option<HeldCertificate>, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member =
        crate::services::staff::access::require_staff(&state, &super::counter::ISSUING_ROLES)
            .await?;
    store::find(&state, &member, &query).await
}

/// Performs the posted service.
#[server(endpoint = "moica_services_perform", input = server_fn::codec::Json)]
pub async fn perform_card_service(
    posted: Vec<(String, String)>,
) -> Result<ServiceOutcome, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member =
        crate::services::staff::access::require_staff(&state, &super::counter::ISSUING_ROLES)
            .await?;
    store::perform(&state, &member, &posted).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c5_everything_but_revocation_may_be_delegated() {
        let delegable: Vec<_> = CardService::ALL
            .into_iter()
            .filter(|s| s.delegable())
            .collect();
        assert_eq!(
            delegable,
            [
                CardService::Suspend,
                CardService::Resume,
                CardService::Contacts,
                CardService::Publication
            ]
        );
        for service in CardService::ALL {
            assert_eq!(CardService::from_code(service.code()), Some(service));
        }
    }
}
