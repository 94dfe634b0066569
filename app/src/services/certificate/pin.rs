//! `/certificate/pin`: 變更 PIN 碼 and 鎖卡解碼 (C-3) for a citizen card in the reader. Both
//! happen on the card, through the card helper on the citizen's computer: the old PIN, the new
//! one and the 用戶代碼 never reach the portal (F-5). Three wrong PINs lock the card; the
//! right 用戶代碼 unlocks it and sets a new PIN.

use crate::components::field::SecretField;
use crate::components::helper_client::{
    self as helper, HelperFailure, HelperNotice, HelperState, ReaderChoice,
};
use crate::domain::field_kind::FieldKind;
use crate::domain::pin::{CardPin, NewMoicaPin, UserCode};
use crate::i18n::Lang;
use crate::settings::portal_settings;
use crate::shell::current_lang;
use card_helper::protocol::{ChangePinRequest, HelperError, PinStatusResponse, UnlockPinRequest};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

pub const PATH: &str = "/certificate/pin";

/// 內政部憑證中心客服專線 (seed 002): for a card that online unlocking did not restore.
const HOTLINE: &str = "0800-080-117";

/// Where to turn when online unlocking does not restore the card, as the seed says.
#[component]
fn Hotline(lang: Lang) -> impl IntoView {
    view! {
        {lang.pick(
            "如線上鎖卡解碼後卡片仍未恢復，而您仍記得用戶代碼，請撥打內政部憑證中心客服專線 ",
            "If online unlocking does not restore the card and you still know your user code, call the MOICA certificate help desk on ",
        )}
        <a href=format!("tel:{}", HOTLINE.replace('-', ""))>{HOTLINE}</a>
        {lang.pick(
            "，由客服人員通知卡管中心解除卡片鎖定的狀態。",
            ": they have the card management centre lift the lock.",
        )}
    }
}

fn title(lang: Lang) -> &'static str {
    lang.pick(
        "自然人憑證 PIN 碼變更／鎖卡解碼",
        "Change the PIN or unlock your citizen certificate card",
    )
}

#[component]
pub fn CertificatePinPage() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=title(lang) />
        <h1>{title(lang)}</h1>
        <p>{lang.pick(
            "請將自然人憑證 IC 卡插入讀卡機。PIN 碼與用戶代碼只會送到您電腦上的跨平台網頁元件，由卡片檢查，不會傳送到本網站。",
            "Insert your citizen certificate card into a card reader. The PIN and the user code go only to the card helper on your computer, where the card checks them; they never reach this website.",
        )}</p>
        <ul class="notes">
            <li>{lang.pick(
                "連續輸入 3 次錯誤的 PIN 碼，卡片即被鎖住；請以申請時設定的用戶代碼辦理鎖卡解碼，並設定新的 PIN 碼。",
                "Three wrong PINs in a row lock the card: unlock it with the user code you set when applying, and set a new PIN.",
            )}</li>
            <li>{lang.pick(
                "忘記用戶代碼者，請攜帶國民身分證正本及自然人憑證 IC 卡，至任一戶政事務所重設用戶代碼；重設後 PIN 碼將恢復為預設值（民國出生年月日 6 碼）。",
                "If you forgot the user code, bring your ID card and the certificate card to any household registration office to reset it; the PIN then returns to the default (your ROC date of birth, 6 digits).",
            )}</li>
            <li><Hotline lang /></li>
        </ul>
        <CardPinManager lang helper_url=portal_settings().card_helper_url />
    }
}

/// A new PIN typed twice: the value if both parse and agree, else the errors set.
fn new_pin(
    first: &NodeRef<html::Input>,
    second: &NodeRef<html::Input>,
    first_error: RwSignal<Option<String>>,
    second_error: RwSignal<Option<String>>,
    lang: Lang,
) -> Option<String> {
    let typed = first.get_untracked().map(|i| i.value()).unwrap_or_default();
    let again = second
        .get_untracked()
        .map(|i| i.value())
        .unwrap_or_default();
    let parsed = NewMoicaPin::parse(&typed);
    first_error.set(
        FieldKind::NewMoicaPin
            .check(&typed, lang)
            .map(str::to_owned),
    );
    let differs = parsed.is_ok() && NewMoicaPin::parse(&again).ok() != parsed.clone().ok();
    second_error.set(differs.then(|| {
        lang.pick("兩次輸入的新 PIN 碼不一致", "The two new PINs differ")
            .to_owned()
    }));
    match (parsed, differs) {
        (Ok(pin), false) => Some(pin.expose().to_owned()),
        _ => None,
    }
}

fn clear(inputs: &[NodeRef<html::Input>]) {
    for input in inputs {
        if let Some(input) = input.get_untracked() {
            input.set_value("");
        }
    }
}

fn status_text(status: &PinStatusResponse, lang: Lang) -> String {
    if status.blocked {
        lang.pick(
            "卡片已鎖住（PIN 碼連續錯誤 3 次），請以用戶代碼鎖卡解碼。",
            "The card is locked (3 wrong PINs): unlock it with your user code.",
        )
        .to_owned()
    } else {
        match lang {
            Lang::ZhTw => format!(
                "PIN 碼尚可嘗試 {} 次（共 {} 次）。",
                status.tries_left, status.max_tries
            ),
            Lang::English => format!(
                "PIN tries left: {} of {}.",
                status.tries_left, status.max_tries
            ),
        }
    }
}

#[island(lazy)]
pub fn CardPinManager(lang: Lang, helper_url: String) -> impl IntoView {
    let helper_url = StoredValue::new(helper_url);
    let helper_state = RwSignal::new(HelperState::Detecting);
    let reader = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Result<PinStatusResponse, String>>);
    let done = RwSignal::new(None::<String>);
    let change_error = RwSignal::new(None::<String>);
    let unlock_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let [old_error, new_error, confirm_error, code_error, unlock_new_error, unlock_confirm_error] =
        [(); 6].map(|()| RwSignal::new(None::<String>));
    let old_pin = NodeRef::<html::Input>::new();
    let new_pin_input = NodeRef::<html::Input>::new();
    let confirm = NodeRef::<html::Input>::new();
    let user_code = NodeRef::<html::Input>::new();
    let unlock_new = NodeRef::<html::Input>::new();
    let unlock_confirm = NodeRef::<html::Input>::new();

    let read_status = move || {
        spawn_local(async move {
            let asked = reader.get_untracked();
            let answer = helper::pin_status(&helper_url.get_value(), &asked)
                .await
                .map_err(|failure| failure.message(lang));
            if reader.get_untracked() == asked {
                status.set(Some(answer));
            }
        })
    };
    let detect = move || {
        spawn_local(async move {
            if helper::detect_into(&helper_url.get_value(), lang, helper_state, reader).await {
                read_status();
            } else {
                status.set(None);
            }
        })
    };
    Effect::new(move |_| detect());

    // The outcome of a card command: the new status, or the card's refusal in `error`.
    let settle = move |outcome: Result<PinStatusResponse, HelperFailure>,
                       error: RwSignal<Option<String>>,
                       success: &'static str| {
        busy.set(false);
        match outcome {
            Ok(answer) => {
                status.set(Some(Ok(answer)));
                done.set(Some(success.to_owned()));
            }
            Err(failure) => {
                error.set(Some(failure.message(lang)));
                // A wrong PIN or user code changed the count of tries.
                if matches!(
                    failure,
                    HelperFailure::Refused(
                        HelperError::WrongPin { .. }
                            | HelperError::PinBlocked
                            | HelperError::WrongUserCode { .. }
                            | HelperError::UserCodeBlocked
                    )
                ) {
                    read_status();
                }
            }
        }
    };

    let on_change = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        done.set(None);
        change_error.set(None);
        let typed = old_pin
            .get_untracked()
            .map(|i| i.value())
            .unwrap_or_default();
        let old = CardPin::parse(&typed).ok();
        old_error.set(FieldKind::CardPin.check(&typed, lang).map(str::to_owned));
        let new = new_pin(&new_pin_input, &confirm, new_error, confirm_error, lang);
        let (Some(old), Some(new)) = (old, new) else {
            return;
        };
        busy.set(true);
        let request = ChangePinRequest {
            old_pin: old.expose().to_owned(),
            new_pin: new,
            reader: Some(reader.get_untracked()),
        };
        spawn_local(async move {
            let outcome = helper::change_pin(&helper_url.get_value(), &request).await;
            clear(&[old_pin, new_pin_input, confirm]);
            settle(
                outcome,
                change_error,
                lang.pick(
                    "PIN 碼已變更，請牢記新的 PIN 碼。",
                    "The PIN is changed: remember the new one.",
                ),
            );
        });
    };

    let on_unlock = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        done.set(None);
        unlock_error.set(None);
        let typed = user_code
            .get_untracked()
            .map(|i| i.value())
            .unwrap_or_default();
        let code = UserCode::parse(&typed).ok();
        code_error.set(FieldKind::UserCode.check(&typed, lang).map(str::to_owned));
        let new = new_pin(
            &unlock_new,
            &unlock_confirm,
            unlock_new_error,
            unlock_confirm_error,
            lang,
        );
        let (Some(code), Some(new)) = (code, new) else {
            return;
        };
        busy.set(true);
        let request = UnlockPinRequest {
            user_code: code.expose().to_owned(),
            new_pin: new,
            reader: Some(reader.get_untracked()),
        };
        spawn_local(async move {
            let outcome = helper::unlock_pin(&helper_url.get_value(), &request).await;
            clear(&[user_code, unlock_new, unlock_confirm]);
            settle(
                outcome,
                unlock_error,
                lang.pick(
                    "鎖卡解碼完成，已設定新的 PIN 碼。",
                    "The card is unlocked and has its new PIN.",
                ),
            );
        });
    };

    let ready = move || matches!(helper_state.get(), HelperState::Ready(_));
    let pin_hint = lang.pick("6 至 8 位數字", "6 to 8 digits");
    view! {
        <div class="card-status" aria-live="polite">
            {move || match helper_state.get() {
                HelperState::Ready(readers) => view! {
                    <ReaderChoice readers reader lang chosen=Callback::new(move |()| read_status()) />
                    {move || match status.get() {
                        None if reader.get().is_empty() => ().into_any(),
                        None => view! { <p class="notice">{lang.pick("正在讀取卡片狀態…", "Reading the card's status…")}</p> }.into_any(),
                        Some(Ok(answer)) => view! { <p class="notice pin-status">{status_text(&answer, lang)}</p> }.into_any(),
                        Some(Err(message)) => view! { <p class="notice warning" role="alert">{message}</p> }.into_any(),
                    }}
                }.into_any(),
                state => view! { <HelperNotice state lang detect=Callback::new(move |()| detect()) /> }.into_any(),
            }}
            {move || done.get().map(|message| view! { <p class="notice done" role="status">{message}</p> })}
        </div>
        <h2 id="change-heading">{lang.pick("變更 PIN 碼", "Change the PIN")}</h2>
        <form class="card-form" on:submit=on_change novalidate aria-labelledby="change-heading">
            <SecretField id="old_pin" label=lang.pick("目前的 PIN 碼", "Current PIN") kind=FieldKind::CardPin maxlength=16 input=old_pin error=old_error lang />
            <SecretField id="new_pin" label=lang.pick("新 PIN 碼", "New PIN") hint=pin_hint kind=FieldKind::NewMoicaPin maxlength=8 input=new_pin_input error=new_error lang />
            <SecretField id="new_pin_confirm" label=lang.pick("再次輸入新 PIN 碼", "New PIN again") kind=FieldKind::NewMoicaPin maxlength=8 input=confirm error=confirm_error lang />
            <p class="form-error" role="alert">{move || change_error.get()}</p>
            <div class="buttons">
                <button type="submit" disabled=move || !ready() || busy.get()>{lang.pick("變更 PIN 碼", "Change the PIN")}</button>
            </div>
        </form>
        <h2 id="unlock-heading">{lang.pick("鎖卡解碼", "Unlock the card")}</h2>
        <form class="card-form" on:submit=on_unlock novalidate aria-labelledby="unlock-heading">
            <SecretField id="user_code" label=lang.pick("用戶代碼", "User code") kind=FieldKind::UserCode maxlength=16 input=user_code error=code_error lang />
            <SecretField id="unlock_pin" label=lang.pick("新 PIN 碼（解碼後使用）", "New PIN (after unlocking)") hint=pin_hint kind=FieldKind::NewMoicaPin maxlength=8 input=unlock_new error=unlock_new_error lang />
            <SecretField id="unlock_pin_confirm" label=lang.pick("再次輸入新 PIN 碼（解碼後使用）", "New PIN again (after unlocking)") kind=FieldKind::NewMoicaPin maxlength=8 input=unlock_confirm error=unlock_confirm_error lang />
            <p class="form-error" role="alert">{move || unlock_error.get()}</p>
            {move || unlock_error.get().is_some().then(|| view! { <p class="hint unlock-hotline"><Hotline lang /></p> })}
            <div class="buttons">
                <button type="submit" disabled=move || !ready() || busy.get()>{lang.pick("鎖卡解碼", "Unlock")}</button>
            </div>
        </form>
    }
}
