//! 線上續卡 and 開卡 (C-4). A certificate that was extended and stayed valid can be renewed
//! online from 60 days before its 8-year expiry until a year after it: the card proves itself
//! (as for an extension), the citizen gives contacts and a new 用戶代碼, and the request becomes
//! an application that names the certificate it renews, paid NT$250 + NT$28 postage. A
//! registrar fulfils it at the counter onto a blank card that is mailed; its certificate counts
//! for nothing until the holder activates the card online (開卡) with its PIN. A renewal at the
//! counter is an ordinary counter application, activated there.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod payment;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::FieldError;
use crate::error::PortalError;
use crate::i18n::Lang;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const RENEWAL_PATH: &str = "/certificate/renewal";
pub const ACTIVATION_PATH: &str = "/certificate/activation";

/// The steps' names in challenges, statements and audit actions.
pub const RENEWAL: &str = "renewal";
pub const ACTIVATION: &str = "activation";

/// Where a certificate stands for an online renewal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Renewable {
    Open,
    /// The window opens on `opens_on` (ROC date), 60 days before the 8-year expiry.
    NotYet {
        opens_on: String,
    },
    /// Never extended: extend it first, or apply again at a counter once it lapsed.
    NotExtended,
    /// More than a year after the 8-year expiry: apply again at a counter.
    Closed,
    Suspended,
    Revoked,
    /// A renewal of it is waiting for the registrar (申請編號); unpaid, where to pay it.
    Requested {
        reference: String,
        checkout_url: Option<String>,
    },
    /// The holder has another certificate in force (a card issued since, 補領): one person
    /// holds one certificate in force (C-2), so this one is not renewed.
    Superseded,
}

impl Renewable {
    pub fn refusal(&self) -> Option<RenewalRefusal> {
        match self {
            Renewable::Open => None,
            Renewable::NotYet { .. } => Some(RenewalRefusal::NotYet),
            Renewable::NotExtended => Some(RenewalRefusal::NotExtended),
            Renewable::Closed => Some(RenewalRefusal::Closed),
            Renewable::Suspended => Some(RenewalRefusal::Suspended),
            Renewable::Revoked => Some(RenewalRefusal::Revoked),
            Renewable::Requested { .. } => Some(RenewalRefusal::Requested),
            Renewable::Superseded => Some(RenewalRefusal::Superseded),
        }
    }
}

/// The certificate on the card in the reader, as the renewal page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalCertificate {
    pub card_number: String,
    pub name: String,
    /// ROC date-time: the 8-year expiry for an extended certificate.
    pub not_after: String,
    pub renewable: Renewable,
}

/// A renewal taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalReceipt {
    /// 申請編號.
    pub reference: String,
    /// ROC date-time.
    pub submitted_at: String,
    /// NT$: the card fee and the registered postage.
    pub fee: u32,
    pub postage: u32,
    pub email: String,
    /// The payment provider's checkout for this renewal (C-4: paid before it is fulfilled).
    pub checkout_url: String,
}

/// A mailed card as the activation page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailedCard {
    pub card_number: String,
    pub name: String,
    /// ROC date-time.
    pub not_after: String,
    /// Whether it still waits for 開卡.
    pub awaiting: bool,
}

/// Why a renewal or an activation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenewalRefusal {
    NotFound,
    NotYet,
    NotExtended,
    Closed,
    Suspended,
    Revoked,
    Requested,
    Superseded,
    ChallengeUnusable,
    BadSignature,
    /// 開卡 of a card that is not waiting for it.
    NotAwaiting,
    /// 開卡 of a card whose certificate does not check (expired, revoked, unknown issuer).
    NotValid,
}

impl FieldError for RenewalRefusal {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            RenewalRefusal::NotFound => lang.pick(
                "查無此卡片憑證之簽發紀錄，無法線上辦理；請攜帶國民身分證及 IC 卡至戶政事務所洽詢。",
                "This card's certificate is not in the records, so this cannot be done online; bring your ID card and the certificate card to a household registration office.",
            ),
            RenewalRefusal::NotYet => lang.pick(
                "尚未到可線上續卡的期間：憑證 8 年到期（含展期期間）前 60 天起始可辦理。",
                "Too early: online renewal opens 60 days before the certificate's 8-year expiry (extension included).",
            ),
            RenewalRefusal::NotExtended => lang.pick(
                "此憑證未曾展期：效期屆滿後 3 年內請先辦理展期；已逾期者請攜帶國民身分證正本、工本費 250 元至任一戶政事務所重新申請。",
                "This certificate was never extended: extend it first (up to 3 years after it expires); once that has passed, apply again at any household registration office with your ID card and the NT$250 fee.",
            ),
            RenewalRefusal::Closed => lang.pick(
                "已逾線上續卡期間（8 年到期後 1 年內）；請攜帶國民身分證正本、工本費 250 元及 E-MAIL 信箱，親至任一戶政事務所重新申請。",
                "Online renewal closed a year after the 8-year expiry; apply again in person at any household registration office with your ID card, the NT$250 fee and an e-mail address.",
            ),
            RenewalRefusal::Suspended => lang.pick(
                "憑證停用中，無法線上續卡；請先至戶政事務所辦理復用，或臨櫃重新申請。",
                "The certificate is suspended, so it cannot be renewed online; resume it at a household registration office first, or apply again there.",
            ),
            RenewalRefusal::Revoked => lang.pick(
                "憑證已廢止，無法線上續卡；請至戶政事務所重新申請。",
                "The certificate is revoked and cannot be renewed online; apply again at a household registration office.",
            ),
            RenewalRefusal::Requested => lang.pick(
                "此憑證已申請線上續卡，新卡製妥後將郵寄給您。",
                "A renewal of this certificate is already under way: the new card will be mailed to you.",
            ),
            RenewalRefusal::Superseded => lang.pick(
                "憑證用戶已持有另一張有效之自然人憑證（補領或續卡之新卡）；每人僅得持有一張有效憑證，此張憑證不再辦理續卡。已寄出之續卡新卡，請至「憑證線上開卡」完成開卡。",
                "The holder has another citizen certificate in force (a replacement or renewal card), and one person holds only one, so this certificate cannot be renewed. A mailed renewal card is activated under Activate a mailed card.",
            ),
            RenewalRefusal::ChallengeUnusable => lang.pick(
                "作業已逾時（2 分鐘）或已使用，請重新送出。",
                "The request expired (2 minutes) or was already used; please send it again.",
            ),
            RenewalRefusal::BadSignature => lang.pick(
                "卡片簽章驗證失敗，未受理。請確認插入的是此憑證的 IC 卡。",
                "The card's signature does not verify, so nothing was done. Check that the card in the reader is this certificate's.",
            ),
            RenewalRefusal::NotAwaiting => lang.pick(
                "此卡片不需開卡（已開卡，或非郵寄之續卡新卡）。",
                "This card needs no activation (it is activated already, or is not a mailed renewal).",
            ),
            RenewalRefusal::NotValid => lang.pick(
                "此卡片之憑證已失效或遭廢止，無法開卡；請洽戶政事務所。",
                "This card's certificate has lapsed or is revoked, so it cannot be activated; contact a household registration office.",
            ),
        }
    }
}

impl From<RenewalRefusal> for PortalError {
    fn from(refusal: RenewalRefusal) -> PortalError {
        PortalError::refused(&refusal)
    }
}

/// What the certificate on the card can do for a renewal.
#[server(endpoint = "moica_renewal_status")]
pub async fn renewal_status(certificate_b64: String) -> Result<RenewalCertificate, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    store::status(&state, &certificate_b64).await
}

/// A single-use challenge for renewing this certificate, for the card to sign.
#[server(endpoint = "moica_renewal_begin")]
pub async fn begin_renewal(certificate_b64: String) -> Result<String, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    store::begin(&state, &certificate_b64).await
}

/// The renewal: the card's signature, the contacts and the new card's 用戶代碼 (twice).
#[server(endpoint = "moica_renewal_request")]
pub async fn request_renewal(
    certificate_b64: String,
    challenge: String,
    signature_b64: String,
    email: String,
    mobile: String,
    user_code: String,
    user_code_confirm: String,
) -> Result<RenewalReceipt, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let request = store::RenewalRequest {
        certificate_b64,
        challenge,
        signature_b64,
        email,
        mobile,
        user_code,
        user_code_confirm,
    };
    store::request(&state, request, crate::platform::auth::source_ip()).await
}

/// What the card in the reader is, for 開卡.
#[server(endpoint = "moica_activation_status")]
pub async fn activation_status(certificate_b64: String) -> Result<MailedCard, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    store::mailed_card(&state, &certificate_b64).await
}

/// A single-use challenge for activating this card, for the card to sign.
#[server(endpoint = "moica_activation_begin")]
pub async fn begin_activation(certificate_b64: String) -> Result<String, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    store::begin_activation(&state, &certificate_b64).await
}

/// 開卡: the card's signature makes its certificate count.
#[server(endpoint = "moica_activation_activate")]
pub async fn activate_card(
    certificate_b64: String,
    challenge: String,
    signature_b64: String,
) -> Result<MailedCard, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let source_ip = crate::platform::auth::source_ip();
    store::activate(
        &state,
        &certificate_b64,
        &challenge,
        &signature_b64,
        source_ip,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c4_only_an_open_window_has_no_refusal() {
        assert_eq!(Renewable::Open.refusal(), None);
        assert_eq!(
            Renewable::NotExtended.refusal(),
            Some(RenewalRefusal::NotExtended)
        );
        assert_eq!(
            Renewable::Requested {
                reference: "M1151129-000001".into(),
                checkout_url: None,
            }
            .refusal(),
            Some(RenewalRefusal::Requested)
        );
    }
}
