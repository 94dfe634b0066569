//! The page's side of the card helper's JSON API (`card_helper::protocol`, documented in
//! `docs/card-protocol.md`). Only the browser talks to the helper; on the server these calls
//! answer `Unreachable`, as there is no card there.

use crate::error::PortalError;
use crate::i18n::Lang;
use card_helper::protocol::{
    AuthorizedReplaceRequest, CertificateResponse, ChangePinRequest, HelperError, IssueKeyRequest,
    IssueKeyResponse, PinStatusResponse, ReadersResponse, ReplaceCertificateRequest,
    ResetCounterResponse, ResetUserCodeRequest, SignRequest, SignResponse, UnlockPinRequest,
    VersionResponse, WriteCertificateRequest, PROTOCOL_VERSION,
};
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

/// Why a call to the helper did not give an answer.
// The server build never calls the helper, so some variants are built in the browser only.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq)]
pub enum HelperFailure {
    /// Nothing answers on the helper's port: not installed or not started.
    Unreachable,
    /// The helper answered with one of its errors.
    Refused(HelperError),
    /// The helper answered something this page does not understand (another version).
    Incompatible,
}

impl HelperFailure {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            HelperFailure::Unreachable => lang
                .pick(
                    "無法連線到跨平台網頁元件，請確認已安裝並啟動。",
                    "Cannot reach the card helper; please check that it is installed and running.",
                )
                .to_owned(),
            HelperFailure::Refused(error) => {
                let message = error.message();
                lang.pick(message.zh_tw, message.en)
            }
            HelperFailure::Incompatible => lang
                .pick(
                    "跨平台網頁元件版本不符，請下載安裝最新版本。",
                    "The card helper's version does not match; please install the latest version.",
                )
                .to_owned(),
        }
    }
}

/// What a page knows of the card helper.
#[derive(Clone, Debug, PartialEq)]
pub enum HelperState {
    Detecting,
    /// Nothing answers: show how to install and start it.
    Missing,
    /// The helper answered, but there is no usable card (no reader, no card, other version).
    Problem(String),
    /// Readers holding a card, by name.
    Ready(Vec<String>),
}

/// Asks the helper at `base` for its version and readers.
pub async fn detect(base: &str, lang: Lang) -> HelperState {
    let found = match version(base).await {
        Ok(_) => readers(base).await,
        Err(failure) => Err(failure),
    };
    match found {
        Err(HelperFailure::Unreachable) => HelperState::Missing,
        Err(failure) => HelperState::Problem(failure.message(lang)),
        Ok(answer) if answer.readers.is_empty() => HelperState::Problem(
            lang.pick(
                "偵測不到讀卡機，請連接讀卡機並插入憑證 IC 卡後按「重新偵測」。",
                "No card reader was found. Connect a reader, insert your certificate card and press Detect again.",
            )
            .to_owned(),
        ),
        Ok(answer) => {
            let with_card: Vec<String> = answer
                .readers
                .into_iter()
                .filter(|r| r.card_present)
                .map(|r| r.name)
                .collect();
            if with_card.is_empty() {
                HelperState::Problem(
                    lang.pick(
                        "讀卡機中沒有卡片，請插入憑證 IC 卡後按「重新偵測」。",
                        "There is no card in a reader. Insert your certificate card and press Detect again.",
                    )
                    .to_owned(),
                )
            } else {
                HelperState::Ready(with_card)
            }
        }
    }
}

/// Detects the helper into `state` and settles `reader`: the one reader holding a card, or
/// the reader the visitor chose before if it still holds one; otherwise none, for the visitor
/// to choose ([`ReaderChoice`]): with several cards in play the page never guesses whose card
/// to read, nor greets anyone with a verdict on a card they did not pick. Whether a reader
/// is chosen, to read now.
pub async fn detect_into(
    base: &str,
    lang: Lang,
    state: RwSignal<HelperState>,
    reader: RwSignal<String>,
) -> bool {
    state.set(HelperState::Detecting);
    let found = detect(base, lang).await;
    let chosen = match &found {
        HelperState::Ready(readers) => settled_reader(readers, &reader.get_untracked()),
        _ => None,
    };
    reader.set(chosen.clone().unwrap_or_default());
    state.set(found);
    chosen.is_some()
}

/// The reader to read among `readers` (each holding a card), `before` being the one chosen
/// until now (empty: none).
fn settled_reader(readers: &[String], before: &str) -> Option<String> {
    match readers {
        [only] => Some(only.clone()),
        _ => readers.iter().find(|name| *name == before).cloned(),
    }
}

/// The helper's state while no card is ready: looking, missing (how to get it), or the
/// problem, each with 重新偵測 where it helps. Nothing once it is [`HelperState::Ready`].
#[component]
pub fn HelperNotice(state: HelperState, lang: Lang, detect: Callback<()>) -> impl IntoView {
    match state {
        // Without JavaScript nothing is detected: the page says plainly what it needs and what
        // else the visitor can do, instead of a search that never ends.
        HelperState::Detecting => view! {
            <p class="notice js-only">
                {lang.pick("正在偵測跨平台網頁元件…", "Looking for the card helper…")}
            </p>
            <noscript>
                <div class="notice warning" data-helper="no-script">
                    <p>{lang.pick(
                        "此頁須以讀卡機讀取您的憑證 IC 卡：請使用已啟用 JavaScript 的瀏覽器，並安裝",
                        "This page reads your certificate card in a card reader: please use a browser with JavaScript enabled, and install the",
                    )}" "<a href="/card-helper">{lang.pick("跨平台網頁元件", "card helper (跨平台網頁元件)")}</a>{lang.pick("。", ".")}</p>
                    <p>{lang.pick(
                        "無法使用讀卡機者，自然人憑證及國民身分證相關事項可攜帶國民身分證正本，至任一戶政事務所臨櫃辦理。",
                        "Without a card reader, citizen certificate and ID card matters can be handled at any household registration office: bring your ID card.",
                    )}</p>
                </div>
            </noscript>
        }
        .into_any(),
        HelperState::Missing => view! {
            <div class="notice warning" role="alert" data-helper="missing">
                <p>
                    {lang.pick("偵測不到跨平台網頁元件。請先下載安裝並啟動", "The card helper is not running. Please install and start the")}
                    " " <a href="/card-helper">{lang.pick("跨平台網頁元件", "card helper (跨平台網頁元件)")}</a>
                    {lang.pick("，再按「重新偵測」。", ", then press Detect again.")}
                </p>
                <button type="button" on:click=move |_| detect.run(())>{lang.pick("重新偵測", "Detect again")}</button>
            </div>
        }
        .into_any(),
        HelperState::Problem(message) => view! {
            <div class="notice warning" role="alert">
                <p>{message}</p>
                <button type="button" on:click=move |_| detect.run(())>{lang.pick("重新偵測", "Detect again")}</button>
            </div>
        }
        .into_any(),
        HelperState::Ready(_) => ().into_any(),
    }
}

/// The reader choice, shown when more than one reader holds a card: none is chosen until the
/// visitor picks one.
#[component]
pub fn ReaderChoice(
    readers: Vec<String>,
    reader: RwSignal<String>,
    lang: Lang,
    chosen: Callback<()>,
    /// The select's id, for pages with more than one; `reader` by default.
    #[prop(optional)]
    id: Option<String>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| "reader".to_owned());
    (readers.len() > 1).then(|| {
        view! {
            <div class="field">
                <label for=id.clone()>{lang.pick("讀卡機", "Card reader")}</label>
                <select id=id on:change=move |ev| { reader.set(event_target_value(&ev)); chosen.run(()); }>
                    <option value="" disabled selected=reader.get_untracked().is_empty()>
                        {lang.pick("請選擇您的卡片所在的讀卡機", "Choose the reader holding your card")}
                    </option>
                    {readers.iter().map(|name| view! {
                        <option value=name.clone() selected=name == &reader.get_untracked()>{name.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
        }
    })
}

/// The server's verdict on a certificate a card presented (standard base64): a server function.
pub type Judge<T> =
    fn(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, PortalError>>>>;

/// A page's card in the reader: the helper's state, the chosen reader, and the certificate on
/// the card with the portal's verdict on it (`judge`), read again on demand.
pub struct CardReader<T: Send + Sync + 'static> {
    pub state: RwSignal<HelperState>,
    pub reader: RwSignal<String>,
    /// The certificate (standard base64) and the verdict; `None` while reading.
    pub on_card: RwSignal<Option<(String, Result<T, String>)>>,
    base: StoredValue<String>,
    judge: StoredValue<Judge<T>>,
    lang: Lang,
}

impl<T: Send + Sync + 'static> Clone for CardReader<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for CardReader<T> {}

impl<T: Clone + Send + Sync + 'static> CardReader<T> {
    /// Starts detecting the helper at `base`; the card is read once a reader holds one.
    pub fn start(base: String, lang: Lang, judge: Judge<T>) -> CardReader<T> {
        let card = CardReader {
            state: RwSignal::new(HelperState::Detecting),
            reader: RwSignal::new(String::new()),
            on_card: RwSignal::new(None),
            base: StoredValue::new(base),
            judge: StoredValue::new(judge),
            lang,
        };
        Effect::new(move |_| card.detect());
        card
    }

    pub fn base(&self) -> String {
        self.base.get_value()
    }

    /// Looks for the helper and its readers again.
    pub fn detect(self) {
        leptos::task::spawn_local(async move {
            if detect_into(&self.base(), self.lang, self.state, self.reader).await {
                self.read();
            } else {
                self.on_card.set(None);
            }
        })
    }

    /// Reads the certificate on the card in the chosen reader and asks the portal about it.
    pub fn read(self) {
        leptos::task::spawn_local(async move {
            self.on_card.set(None);
            let asked = self.reader.get_untracked();
            let outcome = match certificate(&self.base(), &asked).await {
                Ok(read) => {
                    let verdict = (self.judge.get_value())(read.certificate_b64.clone())
                        .await
                        .map_err(|error| error.message(self.lang));
                    (read.certificate_b64, verdict)
                }
                Err(failure) => (String::new(), Err(failure.message(self.lang))),
            };
            if self.reader.get_untracked() == asked {
                self.on_card.set(Some(outcome));
            }
        })
    }
}

/// [`ReaderStatus`] of a [`CardReader`]: another reader chosen is read at once.
#[component]
pub fn CardReaderStatus<T: Clone + Send + Sync + 'static>(
    card: CardReader<T>,
    lang: Lang,
) -> impl IntoView {
    view! {
        <ReaderStatus state=card.state reader=card.reader lang
            chosen=Callback::new(move |()| card.read()) detect=Callback::new(move |()| card.detect()) />
    }
}

/// The helper's state: the reader choice once ready, else what is wrong.
#[component]
pub fn ReaderStatus(
    state: RwSignal<HelperState>,
    reader: RwSignal<String>,
    lang: Lang,
    /// Run when another reader is chosen.
    chosen: Callback<()>,
    detect: Callback<()>,
    /// The reader choice's id, for pages with more than one.
    #[prop(optional)]
    id: Option<String>,
) -> impl IntoView {
    view! {
        <div class="card-status" aria-live="polite">
            {move || match state.get() {
                HelperState::Ready(readers) => view! { <ReaderChoice readers reader lang chosen id=id.clone().unwrap_or_else(|| "reader".to_owned()) /> }.into_any(),
                state => view! { <HelperNotice state lang detect /> }.into_any(),
            }}
        </div>
    }
    .into_any()
}

/// The helper's name and protocol; a helper of another protocol version is incompatible.
pub async fn version(base: &str) -> Result<VersionResponse, HelperFailure> {
    let version: VersionResponse = get(format!("{base}/v1/version")).await?;
    if version.protocol == PROTOCOL_VERSION {
        Ok(version)
    } else {
        Err(HelperFailure::Incompatible)
    }
}

pub async fn readers(base: &str) -> Result<ReadersResponse, HelperFailure> {
    get(format!("{base}/v1/readers")).await
}

fn reader_query(reader: &str) -> String {
    crate::components::layout::encode_query_value(reader)
}

pub async fn certificate(base: &str, reader: &str) -> Result<CertificateResponse, HelperFailure> {
    get(format!(
        "{base}/v1/certificate?reader={}",
        reader_query(reader)
    ))
    .await
}

/// Verifies the PIN on the card and has it sign the challenge.
pub async fn sign(base: &str, request: &SignRequest) -> Result<SignResponse, HelperFailure> {
    post(format!("{base}/v1/sign"), request).await
}

/// PIN tries left on the card in `reader` (C-3).
pub async fn pin_status(base: &str, reader: &str) -> Result<PinStatusResponse, HelperFailure> {
    get(format!(
        "{base}/v1/pin/status?reader={}",
        reader_query(reader)
    ))
    .await
}

/// 變更 PIN 碼: the card checks the old PIN (a wrong one costs a try).
pub async fn change_pin(
    base: &str,
    request: &ChangePinRequest,
) -> Result<PinStatusResponse, HelperFailure> {
    post(format!("{base}/v1/pin/change"), request).await
}

/// 鎖卡解碼: the card checks the 用戶代碼 and sets the new PIN.
pub async fn unlock_pin(
    base: &str,
    request: &UnlockPinRequest,
) -> Result<PinStatusResponse, HelperFailure> {
    post(format!("{base}/v1/pin/unlock"), request).await
}

/// Personalisation of a blank card (C-2): the initial PIN and 用戶代碼 are set and the card
/// generates its key pair; the answer is its public key for the certificate request.
pub async fn issue_key(
    base: &str,
    request: &IssueKeyRequest,
) -> Result<IssueKeyResponse, HelperFailure> {
    post(format!("{base}/v1/issue/key"), request).await
}

/// Writes the issued certificate to the card and activates it (開卡).
pub async fn write_certificate(
    base: &str,
    request: &WriteCertificateRequest,
) -> Result<CertificateResponse, HelperFailure> {
    post(format!("{base}/v1/issue/certificate"), request).await
}

/// 展期 at a counter (C-4): the card takes the extended certificate on the card management
/// centre's authorisation.
pub async fn replace_certificate_authorized(
    base: &str,
    request: &AuthorizedReplaceRequest,
) -> Result<CertificateResponse, HelperFailure> {
    post(format!("{base}/v1/certificate/replace-authorized"), request).await
}

/// 展期 (C-4): the card checks the PIN and takes the extended certificate of its own key.
pub async fn replace_certificate(
    base: &str,
    request: &ReplaceCertificateRequest,
) -> Result<CertificateResponse, HelperFailure> {
    post(format!("{base}/v1/certificate/replace"), request).await
}

/// The card's count of 用戶代碼 resets, which the next reset's authorisation covers (C-3).
pub async fn reset_counter(
    base: &str,
    reader: &str,
) -> Result<ResetCounterResponse, HelperFailure> {
    get(format!(
        "{base}/v1/card/reset-counter?reader={}",
        reader_query(reader)
    ))
    .await
}

/// 用戶代碼重設 at the counter (C-3): the card checks the authorisation and takes the codes.
pub async fn reset_user_code(
    base: &str,
    request: &ResetUserCodeRequest,
) -> Result<PinStatusResponse, HelperFailure> {
    post(format!("{base}/v1/card/reset"), request).await
}

#[cfg(feature = "hydrate")]
async fn get<T: DeserializeOwned>(url: String) -> Result<T, HelperFailure> {
    answer(gloo_net::http::Request::get(&url).send().await).await
}

#[cfg(feature = "hydrate")]
async fn post<B: Serialize, T: DeserializeOwned>(
    url: String,
    body: &B,
) -> Result<T, HelperFailure> {
    match gloo_net::http::Request::post(&url).json(body) {
        Ok(request) => answer(request.send().await).await,
        Err(_) => Err(HelperFailure::Incompatible),
    }
}

#[cfg(feature = "hydrate")]
async fn answer<T: DeserializeOwned>(
    sent: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<T, HelperFailure> {
    use card_helper::protocol::ErrorResponse;
    let response = sent.map_err(|_| HelperFailure::Unreachable)?;
    if response.ok() {
        response
            .json::<T>()
            .await
            .map_err(|_| HelperFailure::Incompatible)
    } else {
        match response.json::<ErrorResponse>().await {
            Ok(answer) => Err(HelperFailure::Refused(answer.error)),
            Err(_) => Err(HelperFailure::Incompatible),
        }
    }
}

#[cfg(not(feature = "hydrate"))]
async fn get<T: DeserializeOwned>(url: String) -> Result<T, HelperFailure> {
    drop(url);
    Err(HelperFailure::Unreachable)
}

#[cfg(not(feature = "hydrate"))]
async fn post<B: Serialize, T: DeserializeOwned>(
    url: String,
    body: &B,
) -> Result<T, HelperFailure> {
    let _ = (url, body);
    Err(HelperFailure::Unreachable)
}

#[cfg(test)]
mod tests {
    use super::settled_reader;

    #[test]
    fn issue_24_5_a_reader_is_read_only_when_it_is_the_one_or_the_one_chosen() {
        let readers = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(settled_reader(&readers(&["A"]), ""), Some("A".into()));
        assert_eq!(settled_reader(&readers(&["A"]), "B"), Some("A".into()));
        // Several cards in play: never the first by itself.
        assert_eq!(settled_reader(&readers(&["A", "B"]), ""), None);
        assert_eq!(settled_reader(&readers(&["A", "B"]), "B"), Some("B".into()));
        assert_eq!(settled_reader(&readers(&["A", "B"]), "C"), None);
    }
}
