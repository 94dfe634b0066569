//! The JSON contract between the portal's pages and the card helper (requests, responses, stable error codes), serde only so the `app` crate can share it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Version of this JSON API; the page compares it in the `GET /v1/version` handshake.
/// 2: the helper builds what the card signs ([`signed_message`]). 3: a card is personalised
/// from what the RA sealed to the helper ([`key_proof_message`], `WriteCertificateRequest`).
/// 4: a blank card attests its new key and its card number ([`card_attestation_message`]).
pub const PROTOCOL_VERSION: u32 = 4;

/// What a card signs for a page (`/v1/sign`, `/v1/issue/key`): the origin of the page that
/// asked — as the helper saw it in the request, never as the page says — and then the page's
/// challenge, as a Web eID authentication token binds its signature to the origin (issue 21
/// item 4). A page of another origin that got hold of a portal challenge has the card sign a
/// message naming that other origin, which the portal, rebuilding the message with its own
/// origin, refuses. An origin holds no line break, so the message reads one way only.
pub fn signed_message(origin: &str, challenge: &[u8]) -> Vec<u8> {
    let mut message = format!(
        "huji-card-signature/1\norigin={}\n",
        origin.to_ascii_lowercase()
    )
    .into_bytes();
    message.extend_from_slice(challenge);
    message
}

/// What a blank card's new key signs at `/v1/issue/key` (C-2): the page's origin, as in
/// [`signed_message`], the public half of the helper's one-time transport key (standard
/// base64), to which the RA seals what the card is personalised with
/// ([`crate::personalisation`], issue 21 item 10), and then the page's challenge. The helper
/// writes the transport key itself, so a page relaying the card's answer cannot swap in a key
/// of its own, and the card attests the digest of this message
/// ([`card_attestation_message`]), so a page posing as a blank card is refused too; the first
/// line differs from [`signed_message`]'s, so neither message can pass for the other.
pub fn key_proof_message(origin: &str, transport_key_b64: &str, challenge: &[u8]) -> Vec<u8> {
    let mut message = format!(
        "huji-card-key-proof/1\norigin={}\ntransport-key={transport_key_b64}\n",
        origin.to_ascii_lowercase()
    )
    .into_bytes();
    message.extend_from_slice(challenge);
    message
}

/// What a blank card attests with its factory key at `/v1/issue/key` (issue 21 item 10): its
/// card number, the key it has just made (DER SubjectPublicKeyInfo) and the SHA-256 digest of
/// the [`key_proof_message`] that key signed. The factory key is loaded when the card is made,
/// diversified for its card number from the card management centre's master secret, and
/// never leaves the card; the RA has the centre check the HMAC-SHA256 (the RA learns a yes
/// or no, never the key). So a page posing as a
/// blank card, which holds no factory key, gets no certificate and no sealed personalisation,
/// and a certificate is issued onto the card number the chip carries. SPKI is DER, so it ends
/// where the digest (fixed length) begins.
pub fn card_attestation_message(
    card_number: &str,
    spki: &[u8],
    key_proof_sha256: &[u8],
) -> Vec<u8> {
    let mut message = format!("huji-card-attestation/1\ncard={card_number}\n").into_bytes();
    message.extend_from_slice(spki);
    message.extend_from_slice(key_proof_sha256);
    message
}

/// What the card management centre's HMAC-SHA256 authorises in a 用戶代碼 reset (C-3): the
/// card's reset counter (so that an authorisation serves once) and the new 用戶代碼 and PIN.
/// Shared by the card, which checks it, and the portal, which has it computed.
pub fn reset_authorization_message(counter: u32, user_code: &str, pin: &str) -> String {
    format!("huji-card-reset/1\ncounter={counter}\nuser-code={user_code}\npin={pin}\n")
}

/// What the card management centre's HMAC-SHA256 authorises in a certificate replacement at a
/// counter (展期, C-4): the card's management counter and the new certificate (SHA-256 of its
/// DER, lower-case hex).
pub fn replace_authorization_message(counter: u32, certificate_sha256: &str) -> String {
    format!("huji-card-replace/1\ncounter={counter}\ncertificate={certificate_sha256}\n")
}

/// `GET /v1/version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionResponse {
    /// Always `"huji-card-helper"`.
    pub name: String,
    /// The helper's release (crate version).
    pub version: String,
    pub protocol: u32,
    /// `"pcsc"` with a card reader, `"soft-token"` with a software card.
    pub mode: String,
}

/// One card reader as PC/SC names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderInfo {
    pub name: String,
    pub card_present: bool,
}

/// `GET /v1/readers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadersResponse {
    pub readers: Vec<ReaderInfo>,
}

/// The query of `GET /v1/certificate` and `GET /v1/pin/status`: `?reader=NAME` names the
/// reader (percent-encoded); without it the first reader holding a card is used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderQuery {
    pub reader: Option<String>,
}

/// `GET /v1/certificate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateResponse {
    pub reader: String,
    /// The X.509 certificate, DER in standard base64.
    pub certificate_b64: String,
}

/// `POST /v1/sign`: sign the server's challenge, in the [`signed_message`] for the page's
/// origin, after verifying the PIN.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignRequest {
    /// The challenge bytes in standard base64, 1 to 1024 bytes once decoded.
    pub challenge_b64: String,
    pub pin: String,
    /// The reader holding the card; the first reader with a card if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

/// `POST /v1/sign` answer: an RSASSA-PKCS1-v1_5 SHA-256 signature of the [`signed_message`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignResponse {
    pub reader: String,
    pub signature_b64: String,
    /// Always `"RS256"`.
    pub algorithm: String,
    pub certificate_b64: String,
}

/// `GET /v1/pin/status`, and the answer of the PIN unlock and change commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinStatusResponse {
    pub tries_left: u8,
    pub max_tries: u8,
    pub blocked: bool,
}

/// `POST /v1/pin/unlock`: 鎖卡解碼 with the 用戶代碼, which also sets a new PIN.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockPinRequest {
    pub user_code: String,
    pub new_pin: String,
    /// The reader holding the card; the first reader with a card if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

/// `POST /v1/pin/change`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePinRequest {
    pub old_pin: String,
    pub new_pin: String,
    /// The reader holding the card; the first reader with a card if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

/// `POST /v1/issue/key` (personalisation at the counter, C-2): on a blank card, has the card
/// generate its key pair and sign the [`key_proof_message`] with it, naming a one-time
/// transport key the helper keeps for the card's reader until the card is activated. Neither
/// the page nor anyone else learns the PIN the card holds meanwhile (a random one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueKeyRequest {
    /// What the new key signs at once, in the [`key_proof_message`] for the page's origin
    /// (standard base64, 1 to 1024 bytes): the RA's proof that the card holds the key it
    /// certifies.
    pub challenge_b64: String,
    /// The reader holding the blank card; the first reader with a card if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

/// `POST /v1/issue/key` answer: the card's new public key, for the certificate request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueKeyResponse {
    pub reader: String,
    /// DER SubjectPublicKeyInfo in standard base64; the private key never leaves the card.
    pub public_key_b64: String,
    /// The new key's RS256 signature of the [`key_proof_message`], standard base64.
    pub signature_b64: String,
    /// The helper's one-time transport public key (X25519, standard base64) the message names.
    pub transport_key_b64: String,
    /// The card number the chip carries (2 letters and 14 digits).
    pub card_number: String,
    /// The card's factory attestation ([`card_attestation_message`]) of the new key and of the
    /// digest of the message it signed: HMAC-SHA256, standard base64.
    pub attestation_b64: String,
}

/// `POST /v1/issue/certificate`: opens the personalisation the RA sealed to the reader's
/// transport key for this certificate, sets the card's 用戶代碼, PIN and management key from
/// it, writes the certificate and activates the card (開卡). Answered with the certificate
/// read back from the card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteCertificateRequest {
    /// The X.509 certificate, DER in standard base64.
    pub certificate_b64: String,
    /// The sealed personalisation, standard base64 (`personalisation::seal`).
    pub personalisation_b64: String,
    /// The reader holding the card; the first reader with a card if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

/// `GET /v1/card/reset-counter`: how many 用戶代碼 resets the card has done (C-3), which the
/// card management centre's authorisation of the next one covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetCounterResponse {
    pub reader: String,
    pub counter: u32,
}

/// `POST /v1/card/reset`: 用戶代碼重設 at a household office (C-3) — the new 用戶代碼 and PIN
/// (the default), with the card management centre's authorisation of exactly these.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetUserCodeRequest {
    pub user_code: String,
    pub pin: String,
    /// HMAC-SHA256 of [`reset_authorization_message`], standard base64.
    pub authorization_b64: String,
    /// The reader holding the card; the first reader with a card if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

impl fmt::Debug for ResetUserCodeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetUserCodeRequest { user_code: ****, pin: ****, authorization_b64: **** }")
    }
}

/// `POST /v1/certificate/replace-authorized` (展期 at a counter, C-4): replaces the certificate
/// of an activated card with one for the same key, with the card management centre's
/// authorisation instead of the PIN. Answered with the certificate read back from the card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizedReplaceRequest {
    /// The X.509 certificate, DER in standard base64.
    pub certificate_b64: String,
    /// HMAC-SHA256 of [`replace_authorization_message`], standard base64.
    pub authorization_b64: String,
    /// The reader holding the card; the first reader with a card if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

/// `POST /v1/certificate/replace` (展期, C-4): after the PIN, replaces the certificate of an
/// activated card with one the CA issued for the same key. Answered with the certificate read
/// back from the card.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplaceCertificateRequest {
    /// The X.509 certificate, DER in standard base64.
    pub certificate_b64: String,
    pub pin: String,
    /// The reader holding the card; the first reader with a card if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

impl fmt::Debug for ReplaceCertificateRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplaceCertificateRequest")
            .field("certificate_b64", &self.certificate_b64)
            .field("pin", &"****")
            .field("reader", &self.reader)
            .finish()
    }
}

impl fmt::Debug for SignRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignRequest")
            .field("challenge_b64", &self.challenge_b64)
            .field("pin", &"****")
            .field("reader", &self.reader)
            .finish()
    }
}

impl fmt::Debug for UnlockPinRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UnlockPinRequest { user_code: ****, new_pin: **** }")
    }
}

impl fmt::Debug for ChangePinRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChangePinRequest { old_pin: ****, new_pin: **** }")
    }
}

/// Every failure the helper reports, one stable code each (after web-eid's `RetriableError`).
/// Serialised as `{"code": "WRONG_PIN", "tries_left": 2}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HelperError {
    #[error("the PC/SC service is not running")]
    PcscUnavailable,
    #[error("no card reader is connected")]
    NoReader,
    #[error("the requested card reader does not exist")]
    ReaderNotFound,
    #[error("no card is in the reader")]
    NoCard,
    #[error("the card was removed during the operation")]
    CardRemoved,
    #[error("another program is using the card")]
    CardInUse,
    #[error("the card is not a Huji certificate card")]
    UnsupportedCard,
    #[error("the card has not been activated")]
    CardNotActivated,
    #[error("the card is already activated and cannot be personalised")]
    CardActivated,
    #[error("wrong PIN, {tries_left} tries left")]
    WrongPin { tries_left: u8 },
    #[error("the PIN is blocked")]
    PinBlocked,
    #[error("the PIN must be 6 to 16 letters or digits")]
    InvalidPinFormat,
    #[error("wrong user code, {tries_left} tries left")]
    WrongUserCode { tries_left: u8 },
    #[error("the user code is blocked")]
    UserCodeBlocked,
    #[error("the card did not accept the card management centre's authorisation")]
    NotAuthorized,
    #[error("the card has no management key: nothing can be done to it at a counter")]
    NoManagementKey,
    #[error("the sealed personalisation does not open in this helper")]
    PersonalisationSealed,
    #[error(
        "the card has no factory key: it is not a blank card the card management centre knows"
    )]
    NoFactoryKey,
    #[error("the card answered with status {status}")]
    CardError { status: String },
    #[error("invalid request: {reason}")]
    InvalidRequest { reason: String },
    #[error("the request body is too large")]
    RequestTooLarge,
    #[error("unknown command")]
    UnknownCommand,
    #[error("this web page is not allowed to use the card helper")]
    OriginNotAllowed,
    #[error("internal error")]
    Internal,
}

/// A message for people, in both of the portal's languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    #[serde(rename = "zh-TW")]
    pub zh_tw: String,
    pub en: String,
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: HelperError,
    pub message: Message,
}

impl HelperError {
    /// The HTTP status the helper answers this error with.
    pub fn http_status(&self) -> u16 {
        use HelperError::*;
        match self {
            InvalidRequest { .. } | InvalidPinFormat => 400,
            OriginNotAllowed => 403,
            UnknownCommand => 404,
            RequestTooLarge => 413,
            WrongPin { .. } | PinBlocked | WrongUserCode { .. } | UserCodeBlocked => 401,
            NoReader
            | ReaderNotFound
            | NoCard
            | CardRemoved
            | CardInUse
            | UnsupportedCard
            | CardNotActivated
            | CardActivated
            | NoManagementKey
            | PersonalisationSealed
            | NoFactoryKey => 409,
            NotAuthorized => 403,
            PcscUnavailable => 503,
            CardError { .. } | Internal => 500,
        }
    }

    pub fn message(&self) -> Message {
        use HelperError::*;
        let (zh_tw, en): (String, String) = match self {
            PcscUnavailable => (
                "讀卡機服務（PC/SC）未啟動，請啟動後再試。".into(),
                "The smart card service (PC/SC) is not running. Start it and try again.".into(),
            ),
            NoReader => (
                "找不到讀卡機，請連接讀卡機後再試。".into(),
                "No card reader found. Connect a card reader and try again.".into(),
            ),
            ReaderNotFound => (
                "找不到指定的讀卡機，請重新選擇讀卡機。".into(),
                "The chosen card reader was not found. Choose the reader again.".into(),
            ),
            NoCard => (
                "讀卡機中沒有卡片，請插入憑證 IC 卡。".into(),
                "There is no card in the reader. Insert your certificate card.".into(),
            ),
            CardRemoved => (
                "作業過程中卡片被移除，請重新插入卡片後再試。".into(),
                "The card was removed during the operation. Insert it again and retry.".into(),
            ),
            CardInUse => (
                "卡片正被其他程式使用，請關閉該程式後再試。".into(),
                "Another program is using the card. Close it and try again.".into(),
            ),
            UnsupportedCard => (
                "這張卡片不是工商憑證或自然人憑證 IC 卡。".into(),
                "This card is not a business or citizen certificate card.".into(),
            ),
            CardNotActivated => (
                "卡片尚未開卡，請洽戶政事務所或憑證管理中心。".into(),
                "The card has not been activated. Contact a household registration office or the certificate authority.".into(),
            ),
            CardActivated => (
                "此卡片已開卡，無法再寫入金鑰或憑證，請換一張空白卡片。".into(),
                "This card is already activated: no key or certificate can be written to it. Use a blank card.".into(),
            ),
            WrongPin { tries_left } => (
                format!("PIN 碼錯誤，尚可再試 {tries_left} 次；連續錯誤 3 次將鎖卡。"),
                format!("Wrong PIN. {tries_left} tries left; the card locks after 3 wrong PINs."),
            ),
            PinBlocked => (
                "PIN 碼已鎖住，請使用用戶代碼線上鎖卡解碼。".into(),
                "The PIN is blocked. Unlock the card online with your user code.".into(),
            ),
            InvalidPinFormat => (
                "PIN 碼應為 6 至 16 個英文字母或數字。".into(),
                "The PIN must be 6 to 16 letters or digits.".into(),
            ),
            WrongUserCode { tries_left } => (
                format!("用戶代碼錯誤，尚可再試 {tries_left} 次。"),
                format!("Wrong user code. {tries_left} tries left."),
            ),
            UserCodeBlocked => (
                "用戶代碼已鎖住，請攜帶身分證及卡片至戶政事務所重設用戶代碼。".into(),
                "The user code is blocked. Bring your ID card and certificate card to a household registration office to reset it.".into(),
            ),
            NotAuthorized => (
                "卡片未接受卡片管理中心之授權：請確認讀卡機中是此 IC 卡號的卡片，並重新辦理。".into(),
                "The card did not accept the card management centre's authorisation: check that the card in the reader is the one with this card number, and start again.".into(),
            ),
            NoManagementKey => (
                "此卡片無卡片管理金鑰，無法臨櫃重設用戶代碼或寫入憑證。".into(),
                "This card has no management key, so its user code cannot be reset nor its certificate written at the counter.".into(),
            ),
            PersonalisationSealed => (
                "無法解開註冊中心封存之開卡資料：卡片產生金鑰後，跨平台網頁元件曾重新啟動、逾 10 分鐘，或讀卡機中已非同一張卡片。請將同一張卡片放回原讀卡機重新寫入；仍不成功請洽憑證管理中心。".into(),
                "The registration authority's sealed card data does not open here: since the card made its key, the card helper restarted, 10 minutes passed, or the reader no longer holds that card. Put the same card back in the same reader and write again; if that fails, contact the certificate authority.".into(),
            ),
            NoFactoryKey => (
                "此卡片無出廠金鑰，不是卡片管理中心登錄之空白 IC 卡，無法製發憑證；請改用其他空白卡片。".into(),
                "This card has no factory key: it is not a blank card registered with the card management centre, so no certificate can be issued onto it. Use another blank card.".into(),
            ),
            CardError { status } => (
                format!("卡片回應錯誤（狀態碼 {status}），請重新插入卡片後再試。"),
                format!("The card reported an error (status {status}). Reinsert it and try again."),
            ),
            InvalidRequest { reason } => (
                format!("請求格式不正確：{reason}"),
                format!("Invalid request: {reason}"),
            ),
            RequestTooLarge => (
                "請求內容過大。".into(),
                "The request is too large.".into(),
            ),
            UnknownCommand => ("不支援的指令。".into(), "Unknown command.".into()),
            OriginNotAllowed => (
                "此網頁未被允許使用跨平台網頁元件。".into(),
                "This web page is not allowed to use the card helper.".into(),
            ),
            Internal => (
                "跨平台網頁元件發生內部錯誤，請重新啟動後再試。".into(),
                "The card helper had an internal error. Restart it and try again.".into(),
            ),
        };
        Message { zh_tw, en }
    }

    pub fn to_response(&self) -> ErrorResponse {
        ErrorResponse {
            error: self.clone(),
            message: self.message(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_stable_json() {
        let json = serde_json::to_value(HelperError::WrongPin { tries_left: 2 }).ok();
        assert_eq!(
            json,
            Some(serde_json::json!({"code": "WRONG_PIN", "tries_left": 2}))
        );
        let json = serde_json::to_value(HelperError::PinBlocked).ok();
        assert_eq!(json, Some(serde_json::json!({"code": "PIN_BLOCKED"})));
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let sign = SignRequest {
            challenge_b64: "AA==".into(),
            pin: "730101".into(),
            reader: None,
        };
        let unlock = UnlockPinRequest {
            user_code: "CODE1234".into(),
            new_pin: "123456".into(),
            reader: None,
        };
        let text = format!("{sign:?} {unlock:?}");
        assert!(!text.contains("730101") && !text.contains("CODE1234") && !text.contains("123456"));
    }

    /// The bytes the card, the RA and the tests all build: fixed here, so a change to the
    /// message that all three would share still fails (issue 21 item 10).
    #[test]
    fn security_21_10_the_attestation_names_the_card_its_key_and_the_proof() {
        let message = card_attestation_message("TP04000000099001", &[0x30, 0x01, 0xAA], &[7; 32]);
        let mut expected = b"huji-card-attestation/1\ncard=TP04000000099001\n".to_vec();
        expected.extend_from_slice(&[0x30, 0x01, 0xAA]);
        expected.extend_from_slice(&[7; 32]);
        assert_eq!(message, expected);
    }
}
