//! The image CAPTCHA of the forms anyone may post (seed 004 圖形驗證碼): a fresh challenge per
//! form shown, its picture with a spoken alternative, and the answer field.

use crate::error::PortalError;
use crate::i18n::Lang;
use leptos::prelude::*;

/// The CAPTCHA's field names: the challenge's id (hidden) and the typed answer.
pub const CAPTCHA_ID: &str = "captcha_id";
pub const CAPTCHA_ANSWER: &str = "captcha";

/// A fresh CAPTCHA for a form about to be shown; its id.
#[server(endpoint = "captcha")]
pub async fn new_captcha() -> Result<String, PortalError> {
    use crate::platform::captcha;
    let state = expect_context::<crate::platform::AppState>();
    let now = state.clock.unix();
    let client = crate::platform::auth::client_buckets();
    if captcha::ISSUE_LIMIT
        .hit_client(&state.db.pool, "captcha", &client, now)
        .await?
        .is_err()
    {
        return Err(PortalError::Refused {
            zh_tw: "驗證碼索取次數過多，請稍後再試。".into(),
            english: "Too many verification codes were requested; please try again later.".into(),
        });
    }
    Ok(captcha::issue(&state.db.pool, now).await?)
}

/// The answer was wrong, or its challenge used or expired.
pub fn wrong_answer() -> PortalError {
    PortalError::Field {
        field: CAPTCHA_ANSWER.into(),
        zh_tw: "圖形驗證碼錯誤或已逾時，請輸入新的驗證碼。".into(),
        english: "The verification code was wrong or has expired. Please type the new one.".into(),
    }
}

/// The challenge `captcha` (or why there is none) and the answer field, with the server's
/// verdict `error` on the last answer. With JavaScript, [`NewCaptchaButton`] swaps in a fresh
/// challenge in place; without it, the hint says to reload the page.
#[component]
pub fn CaptchaField(
    captcha: Result<String, PortalError>,
    error: Option<String>,
    lang: Lang,
) -> impl IntoView {
    let captcha_error = error;
    match captcha {
        Ok(id) => view! {
            <div class="field captcha">
                <label for=CAPTCHA_ANSWER>
                    <span class="required" aria-hidden="true">"*"</span>
                    {lang.pick("圖形驗證碼", "Verification code")}
                </label>
                <img
                    id="captcha-image"
                    src=format!("/captcha/{id}")
                    width="220"
                    height="80"
                    alt=lang.pick(
                        "圖形驗證碼：5 個數字。看不清楚時，可使用下方的語音播放。",
                        "Verification code: 5 digits. If you cannot read it, play it as speech below.",
                    )
                />
                <div class="captcha-tools">
                    <audio id="captcha-audio" controls preload="none" src=format!("/captcha/{id}/audio")
                        aria-label=lang.pick("語音播放驗證碼（國語）", "Play the code as speech (English)")>
                    </audio>
                    <NewCaptchaButton lang />
                </div>
                <span class="hint" id="captcha-hint">{lang.pick(
                    "請輸入圖中的 5 個數字，或收聽國語語音。看不清楚可按「換一張圖片」或重新整理頁面。",
                    "Type the 5 digits in the picture, or listen to them in English. For another code, choose New picture or reload the page.",
                )}</span>
                <input type="hidden" name=CAPTCHA_ID value=id />
                <input
                    type="text"
                    id=CAPTCHA_ANSWER
                    name=CAPTCHA_ANSWER
                    inputmode="numeric"
                    autocomplete="off"
                    maxlength="5"
                    required
                    aria-describedby="captcha-hint captcha-error"
                    aria-invalid=if captcha_error.is_some() { "true" } else { "false" }
                />
                <span class="error" id="captcha-error" aria-live="polite">{captcha_error}</span>
            </div>
        }
        .into_any(),
        Err(error) => view! { <p class="notice error" role="alert">{error.message(lang)}</p> }.into_any(),
    }
}

/// 換一張圖片: fetches a fresh challenge and puts it in place of the one shown (picture,
/// speech and id), clearing the answer and keeping everything else typed. Shown once the page
/// runs (`.js-only`), as it needs JavaScript. Only the button is an island, so the client
/// carries no copy of the field.
#[island]
pub fn NewCaptchaButton(lang: Lang) -> impl IntoView {
    view! {
        <button
            type="button"
            class="secondary js-only"
            on:click=move |_| {
                #[cfg(feature = "hydrate")]
                leptos::task::spawn_local(renew(lang));
            }
        >
            {lang.pick("換一張圖片", "New picture")}
        </button>
    }
}

#[cfg(feature = "hydrate")]
async fn renew(lang: Lang) {
    use wasm_bindgen::JsCast;
    let document = document();
    let find = |selector: &str| document.query_selector(selector).ok().flatten();
    let answer = find(&format!("#{CAPTCHA_ANSWER}"))
        .and_then(|answer| answer.dyn_into::<web_sys::HtmlInputElement>().ok());
    let error = find("#captcha-error");
    match new_captcha().await {
        Ok(id) => {
            for (selector, attribute, value) in [
                ("#captcha-image", "src", format!("/captcha/{id}")),
                ("#captcha-audio", "src", format!("/captcha/{id}/audio")),
                (
                    &format!("input[name={CAPTCHA_ID}]")[..],
                    "value",
                    id.clone(),
                ),
            ] {
                if let Some(element) = find(selector) {
                    let _ = element.set_attribute(attribute, &value);
                }
            }
            if let Some(error) = error {
                error.set_text_content(None);
            }
            if let Some(answer) = answer {
                answer.set_value("");
                let _ = answer.set_attribute("aria-invalid", "false");
                let _ = answer.focus();
            }
        }
        Err(refused) => {
            if let Some(error) = error {
                error.set_text_content(Some(&refused.message(lang)));
            }
        }
    }
}
