//! 憑證 IC 卡服務 at the counter (C-5): a household registrar of any office suspends (停用),
//! resumes (復用) or revokes (廢止) a citizen certificate, changes its contacts (手機號碼、連絡用
//! 電子信箱) or its publication (憑證公佈狀態). The holder may come in person or send a delegate
//! with a 委託書 (自然人憑證代辦事項委託書) — but revocation, irreversible, is for the holder in
//! person only (seed 002: 憑證申請、憑證廢止屬不可回復的憑證作業，必須本人…親自到戶政事務所).
//! Revocation goes to the CA, whose CRL then lists the certificate; every step is audited and
//! the holder is told by e-mail.

#[cfg(feature = "ssr")]
mod form;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::FieldError;
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::services::certificate::cases::{CertificateAction, WRONG_STATE};
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
    /// 重設用戶代碼 (C-3): a new 用戶代碼, and the PIN back to the default; on the card in the
    /// counter's reader, authorised by the card management centre.
    ResetUserCode,
    /// 展期 (C-4): the extended certificate written to the card in the counter's reader, on the
    /// card management centre's authority (no PIN needed).
    Extend,
}

impl CardService {
    pub const ALL: [CardService; 7] = [
        CardService::Suspend,
        CardService::Resume,
        CardService::Revoke,
        CardService::Contacts,
        CardService::Publication,
        CardService::ResetUserCode,
        CardService::Extend,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CardService::Suspend => "suspend",
            CardService::Resume => "resume",
            CardService::Revoke => "revoke",
            CardService::Contacts => "contacts",
            CardService::Publication => "publication",
            CardService::ResetUserCode => "reset_user_code",
            CardService::Extend => "extend",
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
            CardService::ResetUserCode => lang.pick(
                "重設用戶代碼（PIN 碼恢復為預設值）",
                "Reset the user code (the PIN returns to the default)",
            ),
            CardService::Extend => lang.pick(
                "憑證 IC 卡展期（延長 3 年）",
                "Extend the certificate (by 3 years)",
            ),
        }
    }

    /// Whether the page's plain form performs it; a user code reset and an extension happen on
    /// the card, in the counter's reader, so they have a section (an island) of their own.
    pub fn in_form(self) -> bool {
        !matches!(self, CardService::ResetUserCode | CardService::Extend)
    }

    /// What the service does to the certificate's case (an extension replaces the certificate
    /// through [`crate::services::certificate::extension`]).
    pub fn action(self) -> CertificateAction {
        match self {
            CardService::Suspend => CertificateAction::Suspend,
            CardService::Resume => CertificateAction::Resume,
            CardService::Revoke => CertificateAction::Revoke,
            CardService::Contacts => CertificateAction::Contacts,
            CardService::Publication => CertificateAction::Publication,
            CardService::ResetUserCode => CertificateAction::ResetUserCode,
            CardService::Extend => CertificateAction::Extend,
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
    /// The RA holds no certificate of the card's key, so the card cannot be keyed for a reset.
    NoCardKey,
    /// The card's reset counter did not come from the card helper.
    NoCounter,
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
            ServiceRefusal::WrongState => lang.pick(WRONG_STATE.zh_tw, WRONG_STATE.english),
            ServiceRefusal::NotConfirmed => lang.pick(
                "請勾選確認：憑證廢止後無法回復。",
                "Tick the box confirming that revocation cannot be undone.",
            ),
            ServiceRefusal::NoAuthority => lang.pick(
                "本系統未設定憑證管理中心，暫停辦理憑證廢止及用戶代碼重設。",
                "No certificate authority is configured: revocation and user code resets are unavailable.",
            ),
            ServiceRefusal::NoCardKey => lang.pick(
                "此 IC 卡之憑證無簽發紀錄可供卡片管理，無法臨櫃重設用戶代碼；請重新申請自然人憑證。",
                "The records hold no certificate of this card's key, so its user code cannot be reset at the counter; apply for a new certificate.",
            ),
            ServiceRefusal::NoCounter => lang.pick(
                "無法讀取卡片，請將憑證 IC 卡插入讀卡機後再試。",
                "The card could not be read: put the certificate card in a reader and try again.",
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
        crate::services::staff::access::require_counter(&state, &super::counter::ISSUING_ROLES)
            .await?;
    store::perform(&state, &member, &posted).await
}

/// What the counter's page hands the card helper for a 用戶代碼 reset: the PIN it returns to
/// (the default) and the card management centre's authorisation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetTicket {
    pub pin: String,
    pub authorization_b64: String,
}

impl std::fmt::Debug for ResetTicket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResetTicket { pin: ****, authorization_b64: **** }")
    }
}

/// A counter extension done: the new certificate and the card management centre's
/// authorisation for the card to take it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterExtension {
    pub extended: super::extension::Extended,
    pub authorization_b64: String,
}

/// 展期 at the counter (C-4), for the holder or a delegate: the services form's fields (card,
/// `service=extend`, who asks) and the card's management counter.
#[server(endpoint = "moica_services_extend", input = server_fn::codec::Json)]
pub async fn extend_at_counter(
    posted: Vec<(String, String)>,
) -> Result<CounterExtension, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member =
        crate::services::staff::access::require_counter(&state, &super::counter::ISSUING_ROLES)
            .await?;
    store::extend(&state, &member, &posted).await
}

/// 重設用戶代碼 (C-3), for the holder or a delegate: the same fields as the services form (card,
/// `service=reset_user_code`, who asks), the new 用戶代碼 twice and the card's reset counter;
/// audited and the holder mailed before the ticket goes to the page.
#[server(endpoint = "moica_services_reset", input = server_fn::codec::Json)]
pub async fn authorize_user_code_reset(
    posted: Vec<(String, String)>,
) -> Result<ResetTicket, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member =
        crate::services::staff::access::require_counter(&state, &super::counter::ISSUING_ROLES)
            .await?;
    store::authorize_reset(&state, &member, &posted).await
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
                CardService::Publication,
                CardService::ResetUserCode,
                CardService::Extend
            ]
        );
        for service in CardService::ALL {
            assert_eq!(CardService::from_code(service.code()), Some(service));
        }
    }
}
