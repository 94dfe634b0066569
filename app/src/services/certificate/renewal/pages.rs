//! `/certificate/renewal` (線上續卡) and `/certificate/activation` (線上開卡), each with the card
//! in a reader through the card helper. The PIN goes to the card only (F-5).

use super::{
    activate_card, activation_status, begin_activation, begin_renewal, renewal_status,
    request_renewal, Renewable, RenewalReceipt, ACTIVATION, ACTIVATION_PATH, RENEWAL,
};
use crate::components::field::SecretField;
use crate::components::helper_client::{CardReader, CardReaderStatus};
use crate::domain::field_kind::FieldKind;
use crate::domain::FieldError;
use crate::i18n::Lang;
use crate::services::certificate::application::{FEE, POSTAGE};
use crate::services::certificate::proof::{card_signs, take_pin};
use crate::settings::portal_settings;
use crate::shell::current_lang;
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

#[component]
pub fn CertificateRenewalPage() -> impl IntoView {
    let lang = current_lang();
    let title = lang.pick(
        "自然人憑證線上續卡",
        "Renew your citizen certificate online",
    );
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <ul class="notes">
            <li>{lang.pick(
                "可辦理期間：憑證 8 年到期（含展期期間）前 60 天起，至到期後 1 年內；且憑證須曾展期並於到期前為有效狀態（未停用、未廢止）。",
                "When: from 60 days before the certificate's 8-year expiry (extension included) until a year after it, for a certificate that was extended and stayed in force (not suspended or revoked).",
            )}</li>
            <li>{format!("{}{FEE}{}{POSTAGE}{}{}{}", lang.pick("費用：IC 卡工本費 ", "Fee: NT$"), lang.pick(" 元＋掛號郵資處理費 ", " for the card plus NT$"), lang.pick(" 元，共 ", " registered postage, NT$"), FEE + POSTAGE, lang.pick(" 元。", " in all."))}</li>
            <li>{lang.pick(
                "新卡製妥後以掛號寄至戶籍地址；收到後須至「憑證線上開卡」完成開卡才能使用。新卡 PIN 碼為民國出生年月日 6 碼。",
                "The new card is mailed by registered post to your registered address; it must be activated online (Activate a mailed card) before use. Its PIN is your ROC date of birth, 6 digits.",
            )}</li>
            <li>{lang.pick(
                "無法線上續卡者，請攜帶國民身分證正本、工本費 250 元及 E-MAIL 信箱，親至任一戶政事務所重新申請（臨櫃續卡免開卡）。",
                "If you cannot renew online, apply again in person at any household registration office with your ID card, the NT$250 fee and an e-mail address (a card renewed at the counter needs no activation).",
            )}</li>
        </ul>
        <CertificateRenewer lang helper_url=portal_settings().card_helper_url />
    }
}

fn renewable_text(renewable: &Renewable, lang: Lang) -> String {
    match renewable {
        Renewable::Open => lang
            .pick("可線上續卡。", "This certificate can be renewed online.")
            .to_owned(),
        Renewable::NotYet { opens_on } => match lang {
            Lang::ZhTw => format!("尚未到可線上續卡的期間，請於 {opens_on} 起辦理。"),
            Lang::English => format!("Too early to renew online: you can from {opens_on}."),
        },
        Renewable::Requested { reference, checkout_url: None } => match lang {
            Lang::ZhTw => format!("此憑證已申請線上續卡（申請編號 {reference}），已繳費，新卡製妥後將郵寄給您。"),
            Lang::English => format!("A renewal is under way (application {reference}), paid: the new card will be mailed to you."),
        },
        Renewable::Requested { reference, checkout_url: Some(_) } => match lang {
            Lang::ZhTw => format!("此憑證已申請線上續卡（申請編號 {reference}），尚未繳費：繳費後始製發新卡。"),
            Lang::English => format!("A renewal is under way (application {reference}), not paid yet: the card is made once it is paid."),
        },
        other => other
            .refusal()
            .map(|refusal| refusal.message(lang).to_owned())
            .unwrap_or_default(),
    }
}

/// The certificate's facts, shared by both pages.
#[component]
fn CardFacts(card_number: String, name: String, not_after: String, lang: Lang) -> impl IntoView {
    view! {
        <dl class="facts">
            <dt>{lang.pick("IC 卡號", "Card number")}</dt><dd>{card_number}</dd>
            <dt>{lang.pick("憑證用戶", "Holder")}</dt><dd>{name}</dd>
            <dt>{lang.pick("憑證效期", "Valid until")}</dt><dd>{not_after}</dd>
        </dl>
    }
}

#[island(lazy)]
pub fn CertificateRenewer(lang: Lang, helper_url: String) -> impl IntoView {
    let card_reader = CardReader::start(helper_url, lang, |certificate| {
        Box::pin(renewal_status(certificate))
    });
    let on_card = card_reader.on_card;
    let receipt = RwSignal::new(None::<RenewalReceipt>);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let [email_error, mobile_error, code_error, confirm_error, pin_error] =
        [(); 5].map(|()| RwSignal::new(None::<String>));
    let [email, mobile, user_code, confirm, pin_input] =
        [(); 5].map(|()| NodeRef::<html::Input>::new());

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        failure.set(None);
        let Some((certificate_b64, Ok(card))) = on_card.get_untracked() else {
            return;
        };
        let value = |input: NodeRef<html::Input>| {
            input
                .get_untracked()
                .map(|input| input.value())
                .unwrap_or_default()
        };
        // The mobile number is optional (issue 20 item 13): checked only when typed.
        let fields = [
            (email, email_error, FieldKind::Email, true),
            (mobile, mobile_error, FieldKind::Mobile, false),
            (user_code, code_error, FieldKind::UserCode, true),
        ];
        let mut fine = true;
        for (input, error, kind, required) in fields {
            let problem = kind
                .check_as(&value(input), required, lang)
                .map(str::to_owned);
            fine &= problem.is_none();
            error.set(problem);
        }
        let differs = value(user_code) != value(confirm);
        confirm_error.set(differs.then(|| {
            lang.pick("兩次輸入的用戶代碼不一致", "The two user codes differ")
                .to_owned()
        }));
        if !fine || differs {
            return;
        }
        let Some(pin) = take_pin(pin_input, pin_error, lang) else {
            return;
        };
        let (email, mobile, code) = (value(email), value(mobile), value(user_code));
        busy.set(true);
        spawn_local(async move {
            let outcome = async {
                let challenge = begin_renewal(certificate_b64.clone())
                    .await
                    .map_err(|error| error.message(lang))?;
                let signed = card_signs(
                    card_reader,
                    RENEWAL,
                    &challenge,
                    &card.card_number,
                    pin,
                    lang,
                )
                .await?;
                request_renewal(
                    signed.certificate_b64,
                    challenge,
                    signed.signature_b64,
                    email,
                    mobile,
                    code.clone(),
                    code,
                )
                .await
                .map_err(|error| error.message(lang))
            }
            .await;
            busy.set(false);
            match outcome {
                Ok(done) => {
                    receipt.set(Some(done));
                    card_reader.read();
                }
                Err(message) => failure.set(Some(message)),
            }
        });
    };

    view! {
        <CardReaderStatus card=card_reader lang />
        {move || match on_card.get() {
            None => ().into_any(),
            Some((_, Err(message))) => view! { <p class="notice warning" role="alert">{message}</p> }.into_any(),
            Some((_, Ok(card))) => {
                let open = card.renewable == Renewable::Open;
                view! {
                    <section class="renewal-card" aria-labelledby="card-heading">
                        <h2 id="card-heading">{lang.pick("卡片中的憑證", "The certificate on the card")}</h2>
                        <CardFacts card_number=card.card_number.clone() name=card.name.clone() not_after=card.not_after.clone() lang />
                        <p class=if open { "notice" } else { "notice warning" } data-renewable="">{renewable_text(&card.renewable, lang)}</p>
                        {match &card.renewable {
                            Renewable::Requested { checkout_url: Some(url), .. } => Some(view! {
                                <p><a class="button" href=url.clone()>{lang.pick("前往繳費（NT$278）", "Pay (NT$278)")}</a></p>
                            }),
                            _ => None,
                        }}
                    </section>
                    {open.then(|| view! {
                        <form class="card-form" on:submit=on_submit novalidate aria-label=lang.pick("線上續卡", "Renew online")>
                            <div class="field">
                                <label for="email"><span class="required" aria-hidden="true">"*"</span>{lang.pick("電子郵件信箱（E-MAIL）", "E-mail")}</label>
                                <input type="email" id="email" name="email" maxlength="254" autocomplete="email" required node_ref=email
                                    aria-describedby="email-error" aria-invalid=move || if email_error.get().is_some() { "true" } else { "false" } />
                                <span class="error" id="email-error" aria-live="polite">{move || email_error.get()}</span>
                            </div>
                            <div class="field">
                                <label for="mobile">{lang.pick("手機號碼（選填）", "Mobile number (optional)")}</label>
                                <input type="tel" id="mobile" name="mobile" maxlength="12" autocomplete="tel" node_ref=mobile
                                    aria-describedby="mobile-error" aria-invalid=move || if mobile_error.get().is_some() { "true" } else { "false" } />
                                <span class="error" id="mobile-error" aria-live="polite">{move || mobile_error.get()}</span>
                            </div>
                            <SecretField id="user_code" label=lang.pick("新卡用戶代碼", "The new card's user code") hint=lang.pick("6 至 16 個英文字母或數字；卡片鎖住時以此解鎖", "6 to 16 letters or digits; it unlocks the card after wrong PINs") kind=FieldKind::UserCode maxlength=16 input=user_code error=code_error lang />
                            <SecretField id="user_code_confirm" label=lang.pick("再次輸入新卡用戶代碼", "The new card's user code again") kind=FieldKind::UserCode maxlength=16 input=confirm error=confirm_error lang />
                            <SecretField id="pin" label=lang.pick("目前卡片 PIN 碼", "The current card's PIN") kind=FieldKind::CardPin maxlength=16 input=pin_input error=pin_error lang />
                            <div class="buttons">
                                <button type="submit" disabled=move || busy.get()>{lang.pick("申請續卡", "Renew")}</button>
                            </div>
                        </form>
                    })}
                }.into_any()
            }
        }}
        <p class="form-error" role="alert">{move || failure.get()}</p>
        {move || receipt.get().map(|receipt| view! {
            <div class="notice done" role="status">
                <h2>{lang.pick("續卡申請完成", "Renewal received")}</h2>
                <dl class="facts">
                    <dt>{lang.pick("申請編號", "Reference")}</dt><dd class="reference">{receipt.reference}</dd>
                    <dt>{lang.pick("申請時間", "Received")}</dt><dd>{receipt.submitted_at}</dd>
                    <dt>{lang.pick("費用", "Fee")}</dt><dd>{format!("NT${} + NT${} = NT${}", receipt.fee, receipt.postage, receipt.fee + receipt.postage)}</dd>
                    <dt>{lang.pick("通知信箱", "Notices to")}</dt><dd>{receipt.email}</dd>
                </dl>
                <p>{lang.pick("請先完成繳費：繳費後始製發新卡，屆期未繳費者申請失效。", "Pay first: the card is made once it is paid, and an unpaid renewal lapses.")}</p>
                <p><a class="button" href=receipt.checkout_url>{lang.pick("前往繳費", "Pay")}</a></p>
                <p>{lang.pick("新卡製妥後將以掛號寄至您的戶籍地址，收到後請至", "The new card will be mailed to your registered address; when it arrives, go to ")}
                    <a href=ACTIVATION_PATH>{lang.pick("憑證線上開卡", "Activate a mailed card")}</a>{lang.pick("完成開卡。", " to activate it.")}</p>
            </div>
        })}
    }
    .into_any()
}

#[component]
pub fn CardActivationPage() -> impl IntoView {
    let lang = current_lang();
    let title = lang.pick(
        "自然人憑證線上開卡",
        "Activate a mailed citizen certificate card",
    );
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <p>{lang.pick(
            "線上續卡郵寄之新卡，須由持卡人開卡後才能使用（臨櫃領取之卡片已於戶政事務所開卡）。請將新卡插入讀卡機，輸入新卡 PIN 碼（民國出生年月日 6 碼）。",
            "A card renewed online and mailed must be activated by its holder before use (cards collected at a counter were activated there). Insert the new card into a reader and enter its PIN (your ROC date of birth, 6 digits).",
        )}</p>
        <CardActivator lang helper_url=portal_settings().card_helper_url />
    }
}

#[island(lazy)]
pub fn CardActivator(lang: Lang, helper_url: String) -> impl IntoView {
    let card_reader = CardReader::start(helper_url, lang, |certificate| {
        Box::pin(activation_status(certificate))
    });
    let on_card = card_reader.on_card;
    let done = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let pin_error = RwSignal::new(None::<String>);
    let pin_input = NodeRef::<html::Input>::new();

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        failure.set(None);
        let Some((certificate_b64, Ok(card))) = on_card.get_untracked() else {
            return;
        };
        let Some(pin) = take_pin(pin_input, pin_error, lang) else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let outcome = async {
                let challenge = begin_activation(certificate_b64)
                    .await
                    .map_err(|error| error.message(lang))?;
                let signed = card_signs(
                    card_reader,
                    ACTIVATION,
                    &challenge,
                    &card.card_number,
                    pin,
                    lang,
                )
                .await?;
                activate_card(signed.certificate_b64, challenge, signed.signature_b64)
                    .await
                    .map_err(|error| error.message(lang))
            }
            .await;
            busy.set(false);
            match outcome {
                Ok(_) => {
                    done.set(true);
                    card_reader.read();
                }
                Err(message) => failure.set(Some(message)),
            }
        });
    };

    view! {
        <CardReaderStatus card=card_reader lang />
        {move || match on_card.get() {
            None => ().into_any(),
            Some((_, Err(message))) => view! { <p class="notice warning" role="alert">{message}</p> }.into_any(),
            Some((_, Ok(card))) => view! {
                <section class="activation-card" aria-labelledby="card-heading">
                    <h2 id="card-heading">{lang.pick("讀卡機中的卡片", "The card in the reader")}</h2>
                    <CardFacts card_number=card.card_number.clone() name=card.name.clone() not_after=card.not_after.clone() lang />
                    <p class="notice" data-awaiting=card.awaiting.to_string()>{if card.awaiting {
                        lang.pick("此卡片尚未開卡。", "This card is not activated yet.")
                    } else {
                        lang.pick("此卡片已開卡，可正常使用。", "This card is activated and ready to use.")
                    }}</p>
                </section>
                {card.awaiting.then(|| view! {
                    <form class="card-form" on:submit=on_submit novalidate aria-label=lang.pick("開卡", "Activate")>
                        <SecretField id="pin" label=lang.pick("新卡 PIN 碼", "The new card's PIN") kind=FieldKind::CardPin maxlength=16 input=pin_input error=pin_error lang />
                        <div class="buttons">
                            <button type="submit" disabled=move || busy.get()>{lang.pick("開卡", "Activate")}</button>
                        </div>
                    </form>
                })}
            }.into_any(),
        }}
        <p class="form-error" role="alert">{move || failure.get()}</p>
        {move || done.get().then(|| view! {
            <p class="notice done" role="status">{lang.pick("開卡完成，新卡即日起可使用。", "The card is activated and can be used from now on.")}</p>
        })}
    }
    .into_any()
}
