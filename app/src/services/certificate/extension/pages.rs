//! `/certificate/extension`: 線上展期 with the card in a reader, through the card helper. The
//! PIN goes to the card only (F-5); the portal sees the card's signature and certificate.

use super::{
    begin_extension, extend_certificate, extended_certificate, extension_status, CardCertificate,
    Extendable, Extended, ACTION,
};
use crate::components::field::SecretField;
use crate::components::helper_client::{self as helper, CardReader, CardReaderStatus};
use crate::domain::field_kind::FieldKind;
use crate::i18n::Lang;
use crate::services::certificate::proof::{card_signs, take_pin};
use crate::settings::portal_settings;
use crate::shell::current_lang;
use card_helper::protocol::ReplaceCertificateRequest;
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

fn title(lang: Lang) -> &'static str {
    lang.pick(
        "自然人憑證線上展期",
        "Extend your citizen certificate online",
    )
}

#[component]
pub fn CertificateExtensionPage() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=title(lang) />
        <h1>{title(lang)}</h1>
        <p>{lang.pick(
            "自然人憑證效期 5 年，可展期一次 3 年（共 8 年）。請將自然人憑證 IC 卡插入讀卡機，本頁會讀取卡片中的憑證並說明可否展期。",
            "A citizen certificate is valid for 5 years and can be extended once by 3 years (8 in all). Insert your certificate card into a reader: this page reads the certificate on it and tells you whether it can be extended.",
        )}</p>
        <ul class="notes">
            <li>{lang.pick(
                "可辦理期間：憑證到期前 60 天起，至有效期限屆滿後 3 年內；展期後之效期一律自原到期日起算 3 年，每張憑證限展期一次，免收費用。",
                "When: from 60 days before expiry until 3 years after it. The extension always runs 3 years from the original expiry date, a certificate can be extended only once, and it is free of charge.",
            )}</li>
            <li>{lang.pick(
                "憑證須為有效狀態（未停用、未廢止）。已逾 8 年之憑證請攜帶國民身分證正本、工本費 250 元至任一戶政事務所重新申請。",
                "The certificate must be in force (not suspended or revoked). After 8 years, apply again at any household registration office with your ID card and the NT$250 fee.",
            )}</li>
            <li>{lang.pick(
                "亦可攜帶國民身分證及自然人憑證 IC 卡至任一戶政事務所臨櫃辦理展期，或委託他人持委託書代辦。",
                "You can also extend it at any household registration office with your ID card and the certificate card, or send a delegate with a signed letter.",
            )}</li>
            <li>{lang.pick(
                "PIN 碼只會送到您電腦上的跨平台網頁元件，由卡片檢查，不會傳送到本網站。",
                "The PIN goes only to the card helper on your computer, where the card checks it; it never reaches this website.",
            )}</li>
        </ul>
        <CertificateExtender lang helper_url=portal_settings().card_helper_url />
    }
}

/// Where the extension has got to.
#[derive(Clone, Debug, PartialEq)]
enum Progress {
    Idle,
    Working(&'static str),
    /// Extended and recorded, but not yet on the card (the helper's message): write it again.
    NotWritten(Extended, String),
    Done(Extended),
}

fn extendable_text(extendable: &Extendable, lang: Lang) -> String {
    match extendable {
        Extendable::Open { until } => match lang {
            Lang::ZhTw => format!("可辦理展期：展期後憑證效期至 {until}。"),
            Lang::English => {
                format!("This certificate can be extended: it would then be valid until {until}.")
            }
        },
        Extendable::NotYet { opens_on } => match lang {
            Lang::ZhTw => {
                format!("尚未到可辦理展期的期間，請於 {opens_on} 起辦理（憑證到期前 60 天）。")
            }
            Lang::English => {
                format!("Too early to extend: you can from {opens_on} (60 days before expiry).")
            }
        },
        other => other
            .refusal()
            .map(|refusal| crate::domain::FieldError::message(&refusal, lang).to_owned())
            .unwrap_or_default(),
    }
}

#[island(lazy)]
pub fn CertificateExtender(lang: Lang, helper_url: String) -> impl IntoView {
    let card_reader = CardReader::start(helper_url, lang, |certificate| {
        Box::pin(extension_status(certificate))
    });
    let on_card = card_reader.on_card;
    let progress = RwSignal::new(Progress::Idle);
    let failure = RwSignal::new(None::<String>);
    let pin_error = RwSignal::new(None::<String>);
    let pin_input = NodeRef::<html::Input>::new();

    // Writes the extended certificate to the card, which checks the PIN again.
    let write = move |extended: Extended, pin: String| {
        spawn_local(async move {
            progress.set(Progress::Working(lang.pick(
                "正在將展期後的憑證寫入卡片…",
                "Writing the extended certificate to the card…",
            )));
            let request = ReplaceCertificateRequest {
                certificate_b64: extended.certificate_b64.clone(),
                pin,
                reader: Some(card_reader.reader.get_untracked()),
            };
            match helper::replace_certificate(&card_reader.base(), &request).await {
                Ok(_) => {
                    progress.set(Progress::Done(extended));
                    card_reader.read();
                }
                Err(error) => progress.set(Progress::NotWritten(extended, error.message(lang))),
            }
        })
    };

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if matches!(progress.get_untracked(), Progress::Working(_)) {
            return;
        }
        failure.set(None);
        let Some((certificate_b64, Ok(card))) = on_card.get_untracked() else {
            return;
        };
        let Some(pin) = take_pin(pin_input, pin_error, lang) else {
            return;
        };
        let stop = move |message: String| {
            failure.set(Some(message));
            progress.set(Progress::Idle);
        };
        // A recorded extension not yet on the card: write it (again).
        let pending = match progress.get_untracked() {
            Progress::NotWritten(extended, _) => Some(extended),
            _ => None,
        };
        spawn_local(async move {
            if let Some(extended) = pending {
                return write(extended, pin);
            }
            if card.extendable == Extendable::NotWritten {
                progress.set(Progress::Working(lang.pick(
                    "正在取得展期後的憑證…",
                    "Fetching the extended certificate…",
                )));
                return match extended_certificate(certificate_b64).await {
                    Ok(extended) => write(extended, pin),
                    Err(error) => stop(error.message(lang)),
                };
            }
            progress.set(Progress::Working(
                lang.pick("正在確認憑證…", "Checking the certificate…"),
            ));
            let challenge = match begin_extension(certificate_b64).await {
                Ok(challenge) => challenge,
                Err(error) => return stop(error.message(lang)),
            };
            progress.set(Progress::Working(
                lang.pick("卡片簽章中…", "The card is signing…"),
            ));
            let signed = match card_signs(
                card_reader,
                ACTION,
                &challenge,
                &card.card_number,
                pin.clone(),
                lang,
            )
            .await
            {
                Ok(signed) => signed,
                Err(message) => return stop(message),
            };
            progress.set(Progress::Working(lang.pick(
                "註冊中心審核及憑證管理中心簽發中…",
                "The registration authority checks and the certificate authority issues…",
            )));
            match extend_certificate(signed.certificate_b64, challenge, signed.signature_b64).await
            {
                Ok(extended) => write(extended, pin),
                Err(error) => stop(error.message(lang)),
            }
        });
    };

    let working = move || matches!(progress.get(), Progress::Working(_));
    let action = move || match (progress.get(), on_card.get()) {
        (Progress::NotWritten(..), _)
        | (
            _,
            Some((
                _,
                Ok(CardCertificate {
                    extendable: Extendable::NotWritten,
                    ..
                }),
            )),
        ) => Some(lang.pick("寫入展期後的憑證", "Write the extended certificate")),
        (
            Progress::Idle | Progress::Working(_),
            Some((
                _,
                Ok(CardCertificate {
                    extendable: Extendable::Open { .. },
                    ..
                }),
            )),
        ) => Some(lang.pick("申請展期", "Extend the certificate")),
        _ => None,
    };
    view! {
        <CardReaderStatus card=card_reader lang />
        {move || match on_card.get() {
            None => ().into_any(),
            Some((_, Err(message))) => view! { <p class="notice warning" role="alert">{message}</p> }.into_any(),
            Some((_, Ok(card))) => view! {
                <section class="extension-card" aria-labelledby="card-heading">
                    <h2 id="card-heading">{lang.pick("卡片中的憑證", "The certificate on the card")}</h2>
                    <dl class="facts">
                        <dt>{lang.pick("IC 卡號", "Card number")}</dt><dd>{card.card_number.clone()}</dd>
                        <dt>{lang.pick("憑證用戶", "Holder")}</dt><dd>{card.name.clone()}</dd>
                        <dt>{lang.pick("憑證效期", "Valid until")}</dt><dd>{card.not_after.clone()}</dd>
                    </dl>
                    <p class=if matches!(card.extendable, Extendable::Open { .. }) { "notice" } else { "notice warning" } data-extendable="">
                        {extendable_text(&card.extendable, lang)}
                    </p>
                </section>
            }.into_any(),
        }}
        {move || action().map(|label| view! {
            <form class="card-form" on:submit=on_submit novalidate aria-label=label>
                <SecretField id="pin" label=lang.pick("卡片 PIN 碼", "Card PIN") kind=FieldKind::CardPin maxlength=16 input=pin_input error=pin_error lang />
                <div class="buttons">
                    <button type="submit" disabled=working>{label}</button>
                </div>
            </form>
        })}
        <p class="form-error" role="alert">{move || failure.get()}</p>
        {move || match progress.get() {
            Progress::Idle => ().into_any(),
            Progress::Working(step) => view! { <p class="notice" role="status">{step}</p> }.into_any(),
            Progress::NotWritten(_, message) => view! {
                <div class="notice warning" role="alert">
                    <p>{lang.pick("憑證已展期，但尚未寫入卡片：", "The certificate is extended but not yet on the card: ")}{message}</p>
                    <p>{lang.pick("請確認卡片仍在讀卡機中，輸入 PIN 碼後按「寫入展期後的憑證」。", "Check that the card is still in the reader, enter the PIN and press Write the extended certificate.")}</p>
                </div>
            }.into_any(),
            Progress::Done(extended) => view! {
                <div class="notice done" role="status">
                    <h2>{lang.pick("展期完成", "Certificate extended")}</h2>
                    <dl class="facts">
                        <dt>{lang.pick("IC 卡號", "Card number")}</dt><dd>{extended.card_number}</dd>
                        <dt>{lang.pick("新憑證序號", "New serial number")}</dt><dd>{extended.serial}</dd>
                        <dt>{lang.pick("憑證效期", "Valid until")}</dt><dd>{extended.not_after}</dd>
                    </dl>
                    <p>{lang.pick("已登錄連絡用電子信箱者，將收到展期通知。", "If a contact e-mail is on record, a notice is on its way there.")}</p>
                </div>
            }.into_any(),
        }}
    }
}
