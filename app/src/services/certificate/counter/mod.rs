//! 臨櫃發證 (C-2, counter half): a household registrar at any office finds the citizen's
//! pre-application, checks identity and 申辦資格 against the registry again, confirms the
//! application's number and contacts with the applicant, and issues the card. The blank card
//! makes its own key pair (the private key never leaves it); the registrar signs the
//! application with their own card; the registration authority (RA, this server) checks that
//! signature against the registrar's staff certificate before the MOICA certificate authority
//! certifies the card's key; the page writes the certificate to the card and activates it. The
//! 用戶代碼 and PIN the citizen chose online go to the card, sealed to the card helper past the
//! registrar's page (issue 21 item 10), and are erased.

// `issue_counter_card` takes every piece the page gathers as its own form field; the server
// function macro puts the lint on code it generates, so it is allowed for the module.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
pub mod lookup;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;

pub use super::application::cases::ApplicationStatus;
use super::application::cases::NOT_OPEN;
use super::application::PinChoice;
use super::eligibility::Ineligible;
use crate::domain::FieldError;
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::services::staff::role::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const PATH: &str = "/admin/certificate/issue";
/// Under which the faces of issued cards are printed.
pub const CARDS_PATH: &str = "/admin/certificate/cards";

/// Where a registrar prints the 憑證申請書 of application `reference` (issue 20 item 11).
pub fn application_paper_path(reference: &str) -> String {
    format!("{PATH}/{reference}/application.pdf")
}

/// Where a registrar prints the face of card `card_number`.
pub fn card_face_path(card_number: &str) -> String {
    format!("{CARDS_PATH}/{card_number}/face.pdf")
}

/// Who issues cards: the registrars of every household office, for citizens of anywhere
/// (申辦地點: 無戶籍地限制).
pub const ISSUING_ROLES: [Role; 1] = [Role::HouseholdRegistrar];

/// Years a citizen certificate is valid (C-4).
pub const VALIDITY_YEARS: u32 = 5;

/// An application as the counter sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterApplication {
    pub reference: String,
    pub name: String,
    pub masked_id: String,
    /// ROC, `73/01/01`: to compare with the ID card shown.
    pub birth_date: String,
    /// The registered address's county and township.
    pub registered_in: String,
    pub email: String,
    /// Only if the applicant gave one.
    pub mobile: Option<String>,
    pub pin_choice: PinChoice,
    pub submitted_at: String,
    pub collect_by: String,
    pub status: ApplicationStatus,
    /// Every reason the registry gives today against issuing; empty when eligible.
    pub ineligible: Vec<Ineligible>,
    /// An online renewal (線上續卡): the card is mailed and activated online by the holder.
    pub renewal: bool,
    /// An online renewal not paid yet: it is fulfilled only once paid (C-4).
    pub unpaid: bool,
    /// The applicant's cards whose certificates are in force (active or suspended, not
    /// expired): a new card (補領) is issued only once they are revoked, so that nobody holds
    /// two. A renewal's own old card is not counted: it runs out on its own (C-4).
    pub cards_in_force: Vec<String>,
}

impl CounterApplication {
    /// Whether the card can be issued now.
    pub fn issuable(&self) -> bool {
        self.status == ApplicationStatus::Submitted
            && self.ineligible.is_empty()
            && self.cards_in_force.is_empty()
            && !self.unpaid
    }

    /// Why another card in force stops this issuance: a 補領 waits for the old certificate's
    /// revocation; a renewal is not fulfilled at all, the holder having a card issued since.
    pub fn in_force_refusal(&self) -> IssuanceRefusal {
        if self.renewal {
            IssuanceRefusal::RenewalSuperseded
        } else {
            IssuanceRefusal::HoldsCardInForce
        }
    }
}

/// What the registrar's page gets to start an issuance: the single-use challenge the card's
/// key proof and the registrar's signature cover. Nothing the card is personalised with: the
/// RA seals that to the card helper once it has certified the card's key (issue 21 item 10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuanceTicket {
    pub challenge: String,
}

/// A card the RA approved and the CA certified.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCard {
    pub reference: String,
    pub card_number: String,
    pub serial: String,
    /// 憑證效期, ROC date-time: printed on the card.
    pub not_after: String,
    /// NT$ taken (with the postage of a mailed card).
    pub fee: u32,
    /// A renewed card to be mailed; its certificate counts once the holder activates it.
    pub mailed: bool,
    /// To be written to the card (DER, standard base64).
    pub certificate_b64: String,
    /// The citizen's 用戶代碼 and PIN and the card management key, sealed to the card
    /// helper's one-time transport key for this certificate (standard base64,
    /// [`card_helper::protocol::WriteCertificateRequest::personalisation_b64`]): the page
    /// passes them on unread.
    pub personalisation_b64: String,
}

impl fmt::Debug for IssuedCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCard")
            .field("reference", &self.reference)
            .field("card_number", &self.card_number)
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// What the registrar's card signs: the application, the card's public key and the card
/// number, bound to a single-use challenge so that a signature is good for this issuance only.
pub fn issuance_statement(
    challenge: &str,
    reference: &str,
    card_number: &str,
    public_key_b64: &str,
) -> String {
    format!(
        "huji-moica-issuance/1\nchallenge={challenge}\napplication={reference}\n\
         card={card_number}\npublic-key={public_key_b64}\n"
    )
}

/// The step's name in the blank card's proof of its new key ([`super::proof::card_statement`]).
pub const KEY_PROOF: &str = "issuance";

/// Why the RA or the counter refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssuanceRefusal {
    /// The search is neither a 申請編號 nor an ID number.
    BadQuery,
    /// No application has this 申請編號 or ID number.
    NotFound,
    /// The ID number, name and birth date typed at the counter do not match a registry entry
    /// in use.
    IdentityMismatch,
    /// The application is not waiting (issued, replaced, lapsed).
    NotOpen,
    /// The registry no longer allows it (see the reasons shown).
    Ineligible,
    /// The card is handed over in person, but the registrar did not say they confirmed the
    /// application number and the contact details with the applicant (issue 21 item 5).
    ContactsNotConfirmed,
    /// The single-use challenge is unknown, used or older than two minutes.
    ChallengeUnusable,
    /// The signing certificate is not the signed-in registrar's.
    NotYourCertificate,
    /// The registrar's signature over the application does not verify.
    BadSignature,
    /// The blank card did not prove it holds the key to be certified.
    NoKeyPossession,
    /// The card's factory attestation of its new key does not verify for the card number
    /// typed: another card's chip, or a card without that number's factory key.
    NotAttested,
    /// The card number holds, or has held, a certificate.
    CardInUse,
    /// The applicant holds a certificate in force: 補領 revokes it first (card services).
    HoldsCardInForce,
    /// A renewal whose holder has another card in force (issued since): not fulfilled.
    RenewalSuperseded,
    /// A renewal not paid yet (C-4).
    Unpaid,
    /// The card's public key is not one the CA certifies.
    BadPublicKey,
    /// No certificate authority is configured.
    NoAuthority,
    /// What came from the card helper is not base64.
    Encoding,
}

impl FieldError for IssuanceRefusal {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            IssuanceRefusal::BadQuery => lang.pick(
                "請輸入申請編號（例如 M1151129-000001）或國民身分證統一編號",
                "Enter an application reference (e.g. M1151129-000001) or an ID number",
            ),
            IssuanceRefusal::NotFound => lang.pick(
                "查無此申請編號或國民身分證統一編號之自然人憑證申請。",
                "No citizen certificate application has this reference or ID number.",
            ),
            IssuanceRefusal::IdentityMismatch => lang.pick(
                "申請人身分資料與戶籍資料不符，請核對國民身分證正本之統一編號、姓名及出生年月日。",
                "The applicant's details do not match the household register; check the ID number, name and date of birth on the ID card.",
            ),
            IssuanceRefusal::NotOpen => lang.pick(NOT_OPEN.zh_tw, NOT_OPEN.english),
            IssuanceRefusal::Ineligible => lang.pick(
                "依戶籍資料，申請人目前不符申辦資格，不得發證。",
                "According to the household register the applicant is not eligible today; no card may be issued.",
            ),
            IssuanceRefusal::ContactsNotConfirmed => lang.pick(
                "請先與申請人本人核對申請編號、電子郵件信箱及手機號碼，確認無誤後再製發憑證；申請人不認得者，請勿發證，改由申請人臨櫃重新填寫申請書。",
                "First confirm the application number, e-mail and mobile number with the applicant in person, then issue; if the applicant does not recognise them, do not issue: have them fill in a new application at the counter.",
            ),
            IssuanceRefusal::ChallengeUnusable => lang.pick(
                "發證作業已逾時（2 分鐘）或已使用，請重新按「製發憑證」。",
                "The issuance request expired (2 minutes) or was already used; press Issue the card again.",
            ),
            IssuanceRefusal::NotYourCertificate => lang.pick(
                "註冊中心拒絕：簽章之憑證非目前登入之登記人員所有，請以您本人的憑證簽章。",
                "Registration authority refused: the signing certificate is not the signed-in registrar's; sign with your own card.",
            ),
            IssuanceRefusal::BadSignature => lang.pick(
                "註冊中心拒絕：登記人員對申請書的簽章驗證失敗，未發證。",
                "Registration authority refused: the registrar's signature over the application does not verify; nothing was issued.",
            ),
            IssuanceRefusal::NoKeyPossession => lang.pick(
                "註冊中心拒絕：IC 卡未能以新產生之金鑰簽章，未發證；請重新製發。",
                "Registration authority refused: the card did not sign with the key it generated, so nothing was issued; issue again.",
            ),
            IssuanceRefusal::NotAttested => lang.pick(
                "IC 卡號與讀卡機中卡片晶片所載不符，或該卡片無此卡號之出廠金鑰，未發證；請核對卡面印製之 IC 卡號後重新製發。",
                "The card number does not match the chip of the card in the reader, or that card lacks this number's factory key; nothing was issued. Check the number printed on the card and issue again.",
            ),
            IssuanceRefusal::CardInUse => lang.pick(
                "此 IC 卡號已發過憑證（已有有效之憑證，或為已使用之卡片），請確認卡號或改用其他空白卡片。",
                "This card number has held a certificate already (one in force, or a used card); check the number or use another blank card.",
            ),
            IssuanceRefusal::HoldsCardInForce => lang.pick(
                "申請人目前持有效力中之自然人憑證，一人不得同時持有二張。補領者，請先於「自然人憑證臨櫃服務」廢止原憑證，再製發新卡。",
                "The applicant holds a citizen certificate in force, and nobody may hold two. To replace a lost card (補領), first revoke the old certificate at the counter's card services, then issue the new card.",
            ),
            IssuanceRefusal::RenewalSuperseded => lang.pick(
                "此為線上續卡申請，而憑證用戶已另持效力中之自然人憑證，一人不得同時持有二張，不得製發續卡新卡。請勿廢止該卡；本申請屆期未領即失效。",
                "This is an online renewal, but the holder has another citizen certificate in force, and nobody may hold two: no renewal card may be issued. Do not revoke that card; this application lapses when its time runs out.",
            ),
            IssuanceRefusal::Unpaid => lang.pick(
                "此線上續卡申請尚未繳費（NT$278），繳費完成後始得製發新卡。",
                "This online renewal is not paid yet (NT$278): the card is made once it is paid.",
            ),
            IssuanceRefusal::BadPublicKey => lang.pick(
                "IC 卡產生的金鑰無法使用，請換一張空白卡重新製發。",
                "The key the card generated cannot be certified; issue again with another blank card.",
            ),
            IssuanceRefusal::NoAuthority => lang.pick(
                "本系統未設定憑證管理中心，暫停臨櫃發證。",
                "No certificate authority is configured: counter issuance is unavailable.",
            ),
            IssuanceRefusal::Encoding => lang.pick(
                "跨平台網頁元件傳回的資料格式不正確，請更新元件後再試。",
                "The card helper returned malformed data; please update it and try again.",
            ),
        }
    }
}

impl From<IssuanceRefusal> for PortalError {
    fn from(refusal: IssuanceRefusal) -> PortalError {
        PortalError::refused(&refusal)
    }
}

/// The application by 申請編號 (`M1151129-000042`) or the applicant's ID number (their latest).
#[server(endpoint = "moica_counter_find")]
pub async fn find_counter_application(
    query: String,
) -> Result<Option<CounterApplication>, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_staff(&state, &ISSUING_ROLES).await?;
    lookup::find(&state, &member, &query).await
}

/// An online renewal waiting for a registrar to make and mail its card (線上續卡, C-4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingRenewal {
    pub reference: String,
    pub name: String,
    pub masked_id: String,
    /// ROC date-time.
    pub submitted_at: String,
    /// Working days it has waited (the seed sets no target).
    pub age: crate::components::queue::Age,
    /// Paid (C-4): only a paid renewal is made.
    pub paid: bool,
}

/// The online renewals waiting to be made and mailed, oldest first.
#[server(endpoint = "moica_counter_renewals")]
pub async fn waiting_renewals() -> Result<Vec<WaitingRenewal>, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_staff(&state, &ISSUING_ROLES).await?;
    lookup::waiting_renewals(&state, &member).await
}

/// What a counter application (臨櫃申請) came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CounterStart {
    /// Fields that do not parse, each named; nothing was looked up.
    Invalid(Vec<PortalError>),
    Started {
        reference: String,
    },
}

/// 臨櫃申請: the registrar fills in the application for the citizen in front of them (who types
/// the 用戶代碼 and any own PIN); checked against the registry like an online one.
#[server(endpoint = "moica_counter_start", input = server_fn::codec::Json)]
pub async fn start_counter_application(
    posted: Vec<(String, String)>,
) -> Result<CounterStart, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_counter(&state, &ISSUING_ROLES).await?;
    store::start(&state, &member, &posted).await
}

/// The checkbox by which the registrar says they confirmed the application number and the
/// contact details with the applicant in person.
pub const CONTACTS_CONFIRMED: &str = "contacts_confirmed";

/// Starts the issuance of an application: checks it once more — and, for a card handed over
/// in person, that the registrar confirmed its number and contacts with the applicant
/// (`contacts_confirmed`) — and hands the registrar's page the challenge and what the blank
/// card is personalised with.
#[server(endpoint = "moica_counter_begin")]
pub async fn begin_counter_issuance(
    reference: String,
    #[server(default)] contacts_confirmed: bool,
) -> Result<IssuanceTicket, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_counter(&state, &ISSUING_ROLES).await?;
    store::begin(&state, &member, &reference, contacts_confirmed).await
}

/// The RA's step: checks the registrar's signature over the application, the card's proof that
/// it holds its new key (naming the helper's transport key), the card's factory attestation of
/// that key for the card number, has the CA certify the key,
/// records the card and seals its personalisation to the helper.
#[server(endpoint = "moica_counter_issue")]
pub async fn issue_counter_card(
    reference: String,
    card_number: String,
    challenge: String,
    public_key_b64: String,
    transport_key_b64: String,
    certificate_b64: String,
    signature_b64: String,
    key_signature_b64: String,
    attestation_b64: String,
) -> Result<IssuedCard, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = crate::services::staff::access::require_counter(&state, &ISSUING_ROLES).await?;
    let request = store::IssueRequest {
        reference,
        card_number,
        challenge,
        public_key_b64,
        transport_key_b64,
        certificate_b64,
        signature_b64,
        key_signature_b64,
        attestation_b64,
    };
    store::issue(&state, &member, request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c2_the_statement_binds_challenge_application_card_and_key() {
        let statement = issuance_statement("c", "M1151129-000001", "TP04000000012345", "AAAA");
        assert_eq!(
            statement,
            "huji-moica-issuance/1\nchallenge=c\napplication=M1151129-000001\n\
             card=TP04000000012345\npublic-key=AAAA\n"
        );
        assert_ne!(
            statement,
            issuance_statement("c", "M1151129-000001", "TP04000000012346", "AAAA")
        );
    }
}
