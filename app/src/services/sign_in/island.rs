//! The card sign-in form (an island: it runs in the browser, since only the browser can reach
//! the card helper on 127.0.0.1). Used by every page that asks for a 工商憑證密碼, a 機關憑證
//! PIN or a 自然人憑證 PIN.

use super::server::{card_sign_in, card_sign_in_challenge, inspect_card};
use super::{CardHolder, SignInKind};
use crate::components::helper_client::{
    self as helper, HelperFailure, HelperNotice, HelperState, ReaderChoice,
};
use crate::domain::field_kind::FieldKind;
use crate::domain::pin::CardPin;
use crate::error::PortalError;
use crate::i18n::Lang;
use base64::{engine::general_purpose::STANDARD, Engine};
use card_helper::protocol::SignRequest;
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Why pressing 登入 did not sign in.
enum SubmitError {
    Helper(HelperFailure),
    Portal(PortalError),
}

#[island(lazy)]
pub fn CardSignIn(
    kind: SignInKind,
    lang: Lang,
    /// The card helper's base URL, e.g. `http://127.0.0.1:24170`.
    helper_url: String,
    /// Where to go after signing in (checked again by the server).
    next: Option<String>,
) -> impl IntoView {
    let helper_url = StoredValue::new(helper_url);
    let next = StoredValue::new(next);
    let helper_state = RwSignal::new(HelperState::Detecting);
    let reader = RwSignal::new(String::new());
    let holder = RwSignal::new(None::<Result<CardHolder, String>>);
    let typed_id = kind.typed_id();
    let typed = RwSignal::new(String::new());
    let typed_error = RwSignal::new(None::<String>);
    let pin_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let pin_input = NodeRef::<html::Input>::new();

    let read_card = move || {
        spawn_local(async move {
            holder.set(None);
            let url = helper_url.get_value();
            let asked = reader.get_untracked();
            let outcome = match helper::certificate(&url, &asked).await {
                Ok(read) => inspect_card(kind, read.certificate_b64)
                    .await
                    .map_err(|error| error.message(lang)),
                Err(failure) => Err(failure.message(lang)),
            };
            // Another reader chosen meanwhile: its own read answers, not this late one.
            if reader.get_untracked() == asked {
                holder.set(Some(outcome));
            }
        })
    };
    let detect = move || {
        spawn_local(async move {
            if helper::detect_into(&helper_url.get_value(), lang, helper_state, reader).await {
                read_card();
            } else {
                // No reader chosen: nothing read is shown, nor signs in.
                holder.set(None);
            }
        })
    };
    Effect::new(move |_| detect());

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(input) = pin_input.get_untracked() else {
            return;
        };
        let typed_text = typed.get_untracked();
        let id_problem = typed_id.and_then(|field| field.kind.check(&typed_text, lang));
        typed_error.set(id_problem.map(str::to_owned));
        let pin = CardPin::parse(&input.value());
        pin_error.set(pin.as_ref().err().map(|_| {
            FieldKind::CardPin
                .check(&input.value(), lang)
                .unwrap_or_default()
                .to_owned()
        }));
        let (Ok(pin), None) = (pin, id_problem) else {
            return;
        };
        busy.set(true);
        form_error.set(None);
        let attempt = Attempt {
            helper_url: helper_url.get_value(),
            kind,
            reader: reader.get_untracked(),
            typed: typed_id.map(|_| typed_text),
            next: next.get_value(),
        };
        spawn_local(async move {
            let outcome = attempt.run(pin).await;
            input.set_value("");
            match outcome {
                Ok(landing) => go_to(&landing),
                Err(SubmitError::Portal(error @ PortalError::Field { .. })) => {
                    typed_error.set(Some(error.message(lang)));
                    busy.set(false);
                }
                Err(SubmitError::Portal(error)) => {
                    form_error.set(Some(error.message(lang)));
                    busy.set(false);
                }
                Err(SubmitError::Helper(failure)) => {
                    form_error.set(Some(failure.message(lang)));
                    busy.set(false);
                }
            }
        });
    };

    let card_name = kind.certificate_name(lang);
    let ready = move || {
        matches!(helper_state.get(), HelperState::Ready(_)) && matches!(holder.get(), Some(Ok(_)))
    };
    view! {
        <div class="card-status" aria-live="polite">
            {move || match helper_state.get() {
                HelperState::Ready(readers) => view! {
                    <ReaderChoice readers reader lang chosen=Callback::new(move |()| read_card()) />
                    {move || match holder.get() {
                        None if reader.get().is_empty() => ().into_any(),
                        None => view! { <p class="notice">{lang.pick("正在讀取卡片憑證…", "Reading the card's certificate…")}</p> }.into_any(),
                        Some(Ok(card)) => view! { <HolderFacts card lang /> }.into_any(),
                        Some(Err(message)) => view! {
                            <div class="notice warning" role="alert">
                                <p>{message}</p>
                                <button type="button" on:click=move |_| detect()>{lang.pick("重新偵測", "Detect again")}</button>
                            </div>
                        }.into_any(),
                    }}
                }.into_any(),
                state => view! { <HelperNotice state lang detect=Callback::new(move |()| detect()) /> }.into_any(),
            }}
        </div>
        <form class="card-form" on:submit=on_submit novalidate>
            {typed_id.map(|field| view! {
                <div class="field">
                    <label for=field.name><span class="required" aria-hidden="true">"*"</span>{field.label(lang)}</label>
                    <input type="text" id=field.name name=field.name inputmode=if field.numeric { "numeric" } else { "text" }
                        maxlength=field.max_length.to_string() autocomplete="off" required
                        aria-invalid=move || if typed_error.get().is_some() { "true" } else { "false" }
                        aria-describedby=format!("{}-error", field.name)
                        prop:value=move || typed.get()
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            typed_error.set(field.kind.check(&value, lang).map(str::to_owned));
                            typed.set(value);
                        }
                    />
                    <span class="error" id=format!("{}-error", field.name) aria-live="polite">{move || typed_error.get()}</span>
                </div>
            })}
            <div class="field">
                <label for="pin"><span class="required" aria-hidden="true">"*"</span>{kind.pin_label(lang)}</label>
                <input type="password" id="pin" name="pin" maxlength="16" autocomplete="off" required node_ref=pin_input
                    aria-invalid=move || if pin_error.get().is_some() { "true" } else { "false" }
                    aria-describedby="pin-error"
                />
                <span class="error" id="pin-error" aria-live="polite">{move || pin_error.get()}</span>
            </div>
            <p class="form-error" role="alert">{move || form_error.get()}</p>
            <div class="buttons">
                <button type="submit" disabled=move || !ready() || busy.get()>
                    {move || if busy.get() { lang.pick("驗證中…", "Checking…") } else { lang.pick("登入", "Sign in") }}
                </button>
            </div>
        </form>
        // A business certificate's page prints seed 000's whole note instead
        // (`pages::BusinessCardHelperNote`).
        {(kind != SignInKind::Company).then(|| view! {
        <p class="helper-notice">
            {lang.pick("※ 如需使用", "※ To use your ")}{card_name}
            {lang.pick("，請使用者務必下載安裝 ", ", you must download and install the ")}
            <a href="/card-helper">{lang.pick("跨平台網頁元件", "card helper (跨平台網頁元件)")}</a>
            {lang.pick(
                "，請依作業系統選取安裝，目前不支援行動裝置安裝。PIN 碼只會送到您電腦上的元件，不會傳送到本網站。",
                " for your operating system; mobile devices are not supported. Your PIN goes only to the helper on your computer, never to this website.",
            )}
        </p>
        })}
    }
}

/// Whose card is in the reader, as the portal read its certificate.
#[component]
pub fn HolderFacts(card: CardHolder, lang: Lang) -> impl IntoView {
    view! {
        <dl class="facts card-holder">
            <dt>{lang.pick("憑證持有人", "Certificate holder")}</dt><dd>{card.name}</dd>
            {card.business_id.map(|id| view! { <dt>{lang.pick("統一編號", "Business ID")}</dt><dd>{id}</dd> })}
            {card.agency_code.map(|code| view! { <dt>{lang.pick("機關代號", "Agency code")}</dt><dd>{code}</dd> })}
            <dt>{lang.pick("有效期限", "Valid until")}</dt><dd>{card.valid_until}</dd>
        </dl>
    }
}

/// One press of 登入, with everything it needs but the PIN.
struct Attempt {
    helper_url: String,
    kind: SignInKind,
    reader: String,
    /// The 統一編號 or 機關代號 typed beside the card, for the kinds that ask for one.
    typed: Option<String>,
    next: Option<String>,
}

impl Attempt {
    /// Challenge from the server, signature from the card (the PIN goes to the helper only),
    /// verdict from the server. Answers where to go next.
    async fn run(self, pin: CardPin) -> Result<String, SubmitError> {
        let challenge = card_sign_in_challenge()
            .await
            .map_err(SubmitError::Portal)?;
        let request = SignRequest {
            challenge_b64: STANDARD.encode(challenge.as_bytes()),
            pin: pin.expose().to_owned(),
            reader: Some(self.reader),
        };
        drop(pin);
        let signed = helper::sign(&self.helper_url, &request)
            .await
            .map_err(SubmitError::Helper)?;
        drop(request);
        // The server checks the certificate that signed, whichever card is in the reader now.
        let (business_id, agency_code) = match self.kind {
            SignInKind::Agency => (None, self.typed),
            _ => (self.typed, None),
        };
        card_sign_in(
            self.kind,
            business_id,
            agency_code,
            challenge,
            signed.certificate_b64,
            signed.signature_b64,
            self.next,
        )
        .await
        .map_err(SubmitError::Portal)
    }
}

#[cfg(feature = "hydrate")]
fn go_to(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
}

#[cfg(not(feature = "hydrate"))]
fn go_to(_path: &str) {}
