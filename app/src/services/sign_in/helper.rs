//! The page's side of the card helper's JSON API (`card_helper::protocol`, documented in
//! `docs/card-protocol.md`). Only the browser talks to the helper; on the server these calls
//! answer `Unreachable`, as there is no card there.

use crate::i18n::Lang;
use card_helper::protocol::{
    CertificateResponse, HelperError, ReadersResponse, SignRequest, SignResponse, VersionResponse,
    PROTOCOL_VERSION,
};
use serde::de::DeserializeOwned;

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

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Call<'a> {
    Get(String),
    Post(String, &'a SignRequest),
}

/// The helper's name and protocol; a helper of another protocol version is incompatible.
pub async fn version(base: &str) -> Result<VersionResponse, HelperFailure> {
    let version: VersionResponse = call(Call::Get(format!("{base}/v1/version"))).await?;
    if version.protocol == PROTOCOL_VERSION {
        Ok(version)
    } else {
        Err(HelperFailure::Incompatible)
    }
}

pub async fn readers(base: &str) -> Result<ReadersResponse, HelperFailure> {
    call(Call::Get(format!("{base}/v1/readers"))).await
}

pub async fn certificate(base: &str, reader: &str) -> Result<CertificateResponse, HelperFailure> {
    call(Call::Get(format!(
        "{base}/v1/certificate?reader={}",
        crate::components::layout::encode_query_value(reader)
    )))
    .await
}

/// Verifies the PIN on the card and has it sign the challenge.
pub async fn sign(base: &str, request: &SignRequest) -> Result<SignResponse, HelperFailure> {
    call(Call::Post(format!("{base}/v1/sign"), request)).await
}

#[cfg(feature = "hydrate")]
async fn call<T: DeserializeOwned>(call: Call<'_>) -> Result<T, HelperFailure> {
    use card_helper::protocol::ErrorResponse;
    use gloo_net::http::Request;
    let sent = match call {
        Call::Get(url) => Request::get(&url).send().await,
        Call::Post(url, body) => match Request::post(&url).json(body) {
            Ok(request) => request.send().await,
            Err(_) => return Err(HelperFailure::Incompatible),
        },
    };
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
async fn call<T: DeserializeOwned>(call: Call<'_>) -> Result<T, HelperFailure> {
    drop(call);
    Err(HelperFailure::Unreachable)
}
