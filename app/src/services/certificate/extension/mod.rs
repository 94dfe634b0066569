//! 線上展期 (C-4): a citizen extends their certificate once, by 3 years counted from its
//! original expiry, with the card in a reader. The window opens 60 days before the 5-year
//! expiry and stays open until the 3 years after it are over (seed 002: 需在憑證到期前 60 天至
//! 有效期限屆滿後 3 年內申請), so a certificate lapses for good after 8 years. No account is
//! needed — an expired certificate signs nobody in — the card proves itself instead: it signs a
//! single-use challenge bound to the certificate with its PIN, the RA checks that signature
//! against the certificate it issued, the CA certifies the same card key anew, and the page
//! writes the new certificate to the card (the key never changes). The replaced certificate is
//! revoked, so one card carries one valid certificate.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;

use crate::domain::FieldError;
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::services::certificate::cases::ExtensionWindow;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/certificate/extension";

/// Years an extension adds to the original expiry, once (C-4).
pub const EXTENSION_YEARS: u32 = 3;

/// Where a certificate stands for an extension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Extendable {
    /// 可辦理展期: the extended certificate would be valid until `until` (ROC date-time).
    Open {
        until: String,
    },
    /// The window opens on `opens_on` (ROC date), 60 days before expiry.
    NotYet {
        opens_on: String,
    },
    /// Extended once already (每一張憑證展期僅限一次).
    AlreadyExtended,
    /// The 3 years after the original expiry are over: the certificate lapsed for good.
    Closed,
    /// 停用中: resume it first.
    Suspended,
    Revoked,
    /// The card still holds the certificate an extension replaced: write the new one.
    NotWritten,
    /// The holder has another certificate in force (a card issued since, 補領): one person
    /// holds one certificate in force (C-2), so this one is not extended.
    Superseded,
}

impl Extendable {
    /// The window alone ([`Extendable::Open`], [`Extendable::NotYet`] or else closed), as the
    /// certificate's guard reads it (C-4).
    pub fn window(&self) -> ExtensionWindow {
        match self {
            Extendable::Open { .. } => ExtensionWindow::Open,
            Extendable::NotYet { .. } => ExtensionWindow::NotYet,
            _ => ExtensionWindow::Closed,
        }
    }

    /// Why a certificate in this state cannot be extended now; `None` when it can.
    pub fn refusal(&self) -> Option<ExtensionRefusal> {
        match self {
            Extendable::Open { .. } => None,
            Extendable::NotYet { .. } => Some(ExtensionRefusal::NotYet),
            Extendable::AlreadyExtended => Some(ExtensionRefusal::AlreadyExtended),
            Extendable::Closed => Some(ExtensionRefusal::Closed),
            Extendable::Suspended => Some(ExtensionRefusal::Suspended),
            Extendable::Revoked => Some(ExtensionRefusal::Revoked),
            Extendable::NotWritten => Some(ExtensionRefusal::NotWritten),
            Extendable::Superseded => Some(ExtensionRefusal::Superseded),
        }
    }
}

/// The certificate on the card in the reader, as the extension page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardCertificate {
    pub card_number: String,
    /// The holder's name (the certificate's own subject).
    pub name: String,
    /// ROC date-time.
    pub not_after: String,
    pub extendable: Extendable,
}

/// An extension done: the new certificate, to be written to the card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extended {
    pub card_number: String,
    pub serial: String,
    /// ROC date-time.
    pub not_after: String,
    /// DER, standard base64.
    pub certificate_b64: String,
}

/// The step's name in challenges, statements ([`super::proof::card_statement`]) and audit
/// actions.
pub const ACTION: &str = "extension";

/// Why an extension was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtensionRefusal {
    /// The certificate is not one this RA issued (or not a certificate).
    NotFound,
    NotYet,
    AlreadyExtended,
    Closed,
    Suspended,
    Revoked,
    NotWritten,
    Superseded,
    /// The single-use challenge is unknown, used, expired or for another certificate.
    ChallengeUnusable,
    /// The card's signature does not verify with the certificate's key.
    BadSignature,
    /// No certificate authority is configured.
    NoAuthority,
    /// The certificate authority did not issue.
    AuthorityFailed,
}

impl FieldError for ExtensionRefusal {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            ExtensionRefusal::NotFound => lang.pick(
                "查無此卡片憑證之簽發紀錄，無法線上展期；請攜帶國民身分證及 IC 卡至戶政事務所洽詢。",
                "This card's certificate is not in the records, so it cannot be extended online; bring your ID card and the certificate card to a household registration office.",
            ),
            ExtensionRefusal::NotYet => lang.pick(
                "尚未到可辦理展期的期間：憑證到期前 60 天起始可辦理。",
                "Too early: an extension opens 60 days before the certificate expires.",
            ),
            ExtensionRefusal::AlreadyExtended => lang.pick(
                "此憑證已辦理過展期；每張憑證限展期一次。效期屆滿後請辦理續卡或重新申請。",
                "This certificate was extended already, and a certificate can be extended only once; renew it or apply again when it expires.",
            ),
            ExtensionRefusal::Closed => lang.pick(
                "已逾可展期期間（有效期限屆滿後 3 年內），憑證已失效；請攜帶國民身分證及工本費至任一戶政事務所重新申請。",
                "The extension period (3 years after expiry) is over and the certificate has lapsed; apply again at any household registration office with your ID card and the fee.",
            ),
            ExtensionRefusal::Suspended => lang.pick(
                "憑證停用中，請先至戶政事務所辦理復用，再申請展期。",
                "The certificate is suspended: resume it at a household registration office first, then extend it.",
            ),
            ExtensionRefusal::Revoked => lang.pick(
                "憑證已廢止，無法展期；請重新申請自然人憑證。",
                "The certificate is revoked and cannot be extended; apply for a new one.",
            ),
            ExtensionRefusal::NotWritten => lang.pick(
                "此憑證已展期，但卡片中仍是展期前的憑證：請輸入 PIN 碼寫入展期後的憑證。",
                "This certificate was extended but the card still holds the old one: enter the PIN to write the extended certificate.",
            ),
            ExtensionRefusal::Superseded => lang.pick(
                "憑證用戶已持有另一張有效之自然人憑證（補領或續卡之新卡）；每人僅得持有一張有效憑證，此張憑證不再辦理展期。",
                "The holder has another citizen certificate in force (a replacement or renewal card), and one person holds only one, so this certificate cannot be extended.",
            ),
            ExtensionRefusal::ChallengeUnusable => lang.pick(
                "展期作業已逾時（2 分鐘）或已使用，請重新按「申請展期」。",
                "The extension request expired (2 minutes) or was already used; press Extend again.",
            ),
            ExtensionRefusal::BadSignature => lang.pick(
                "卡片簽章驗證失敗，未辦理展期。請確認插入的是此憑證的 IC 卡。",
                "The card's signature does not verify, so nothing was extended. Check that the card in the reader is this certificate's.",
            ),
            ExtensionRefusal::NoAuthority => lang.pick(
                "本系統未設定憑證管理中心，暫停辦理展期。",
                "No certificate authority is configured: extensions are unavailable.",
            ),
            ExtensionRefusal::AuthorityFailed => lang.pick(
                "憑證管理中心暫時無法簽發，未辦理展期，請稍後再試。",
                "The certificate authority could not issue, so nothing was extended; please try again later.",
            ),
        }
    }
}

impl From<ExtensionRefusal> for PortalError {
    fn from(refusal: ExtensionRefusal) -> PortalError {
        PortalError::refused(&refusal)
    }
}

/// What the certificate on the card (DER, standard base64, as the helper reads it) can do.
#[server(endpoint = "moica_extension_status")]
pub async fn extension_status(certificate_b64: String) -> Result<CardCertificate, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    store::status(&state, &certificate_b64).await
}

/// A single-use challenge for extending this certificate, for the card to sign.
#[server(endpoint = "moica_extension_begin")]
pub async fn begin_extension(certificate_b64: String) -> Result<String, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    store::begin(&state, &certificate_b64).await
}

/// The RA's step: checks the card's signature, has the CA certify the card's key for 3 more
/// years, records it and revokes the replaced certificate.
#[server(endpoint = "moica_extension_extend")]
pub async fn extend_certificate(
    certificate_b64: String,
    challenge: String,
    signature_b64: String,
) -> Result<Extended, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let source_ip = crate::platform::auth::source_ip();
    store::extend(
        &state,
        &certificate_b64,
        &challenge,
        &signature_b64,
        source_ip,
    )
    .await
}

/// The extended certificate of a card that still holds the one it replaced (a certificate is
/// public: nothing is revealed that the status look-up does not show).
#[server(endpoint = "moica_extension_certificate")]
pub async fn extended_certificate(certificate_b64: String) -> Result<Extended, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    store::extended(&state, &certificate_b64).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c4_only_an_open_window_has_no_refusal() {
        let open = Extendable::Open {
            until: "118/01/01 00:00:00".into(),
        };
        assert_eq!(open.refusal(), None);
        assert_eq!(
            Extendable::AlreadyExtended.refusal(),
            Some(ExtensionRefusal::AlreadyExtended)
        );
        assert_eq!(
            Extendable::NotWritten.refusal(),
            Some(ExtensionRefusal::NotWritten)
        );
    }
}
