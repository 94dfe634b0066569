//! `/admin/certificate/services`: the registrar finds a certificate and performs a card service
//! for the holder or their delegate. Plain forms posted to the page: works without JavaScript.

use super::{
    authorize_user_code_reset, extend_at_counter, find_held_certificate, perform_card_service,
    CardService, HeldCertificate, ServiceOutcome, PATH,
};
use crate::components::field::SecretField;
use crate::components::helper_client::{self as helper, HelperState, ReaderStatus};
use crate::components::refusal::{NothingFound, OutcomeNotice, SearchRefusal};
use crate::components::search::{searched, SearchForm};
use crate::domain::field_kind::FieldKind;
use crate::domain::pin::UserCode;
use crate::i18n::Lang;
use crate::posted_form::posted_form;
use crate::services::certificate::status::CertificateState;
use crate::settings::portal_settings;
use crate::shell::current_lang;
use card_helper::protocol::{AuthorizedReplaceRequest, ResetUserCodeRequest};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

fn title(lang: Lang) -> &'static str {
    lang.pick(
        "自然人憑證臨櫃服務（停用／復用／廢止／資料異動）",
        "Citizen certificate services at the counter",
    )
}

fn done_message(service: CardService, card: &str, lang: Lang) -> String {
    let what = match service {
        CardService::Suspend => lang.pick("已停用", "suspended"),
        CardService::Resume => lang.pick("已復用", "resumed"),
        CardService::Revoke => lang.pick("已廢止", "revoked"),
        CardService::Contacts => lang.pick("已修改聯絡資料", "contact details changed"),
        CardService::Publication => lang.pick("已修改公佈狀態", "publication changed"),
        CardService::ResetUserCode => lang.pick("已重設用戶代碼", "user code reset"),
        CardService::Extend => lang.pick("已展期", "extended"),
    };
    match lang {
        Lang::ZhTw => format!("IC 卡號 {card} 之憑證{what}，並已通知憑證用戶。"),
        Lang::English => format!("The certificate on card {card}: {what}; the holder is told."),
    }
}

#[component]
pub fn CardServicesPage() -> impl IntoView {
    let lang = current_lang();
    // A post is the search form or a service, which names its card.
    let posted = posted_form().map(|form| form.0);
    let typed = posted.as_deref().and_then(searched);
    let posted = posted.filter(|_| typed.is_none());
    let value = typed
        .or_else(|| {
            posted
                .as_deref()
                .map(|posted| crate::forms::value(posted, "card").to_owned())
        })
        .unwrap_or_default();
    let query = Some(value.clone()).filter(|q| !q.trim().is_empty());
    // The service is performed before the certificate is read, so the page shows its result.
    let page = Resource::new(
        || (),
        move |()| {
            let posted = posted.clone();
            let query = query.clone();
            async move {
                let outcome = match posted {
                    Some(posted) => Some(perform_card_service(posted).await),
                    None => None,
                };
                let found = match query {
                    Some(q) => find_held_certificate(q).await.map(Some),
                    None => Ok(None),
                };
                (outcome, found)
            }
        },
    );
    view! {
        <Title text=title(lang) />
        <h1>{title(lang)}</h1>
        <p>{lang.pick(
            "不限戶籍地。本人辦理請核對國民身分證正本；受委託人辦理請核對自然人憑證代辦事項委託書、委託人之 IC 卡及雙方國民身分證正本。憑證廢止須本人親自辦理。",
            "Any registration area. For the holder, check their ID card; for a delegate, check the signed delegation letter, the holder's card and both ID cards. Revocation is for the holder in person only.",
        )}</p>
        <SearchForm action=PATH label=lang.pick("憑證 IC 卡號或國民身分證統一編號", "IC card number or ID number") maxlength=24 value lang />
        <Suspense fallback=|| ()>
            {move || page.get().map(|(outcome, found)| {
                let outcome = outcome.map(|outcome| match outcome {
                    Ok(ServiceOutcome::Done { service, card_number }) => Ok(done_message(service, &card_number, lang)),
                    Ok(ServiceOutcome::Invalid(error)) | Err(error) => Err(error),
                });
                view! {
                    <OutcomeNotice outcome lang />
                    {match found {
                        Ok(None) => ().into_any(),
                        Ok(Some(None)) => view! {
                            <NothingFound lang message=lang.pick(
                                "查無此 IC 卡號或國民身分證統一編號之自然人憑證。",
                                "No citizen certificate has this card number or ID number.",
                            ) />
                        }.into_any(),
                        Ok(Some(Some(certificate))) => view! { <Certificate certificate lang /> }.into_any(),
                        Err(error) => view! { <SearchRefusal error lang /> }.into_any(),
                    }}
                }
            })}
        </Suspense>
    }
}

#[component]
fn Certificate(certificate: HeldCertificate, lang: Lang) -> impl IntoView {
    let published = certificate.published;
    let card_number = certificate.card_number.clone();
    let in_force = certificate.state == CertificateState::Valid;
    view! {
        <section class="result certificate" aria-labelledby="certificate-heading">
            <h2 id="certificate-heading">{lang.pick("憑證資料", "The certificate")}</h2>
            <dl class="facts">
                <dt>{lang.pick("IC 卡號", "Card number")}</dt><dd>{certificate.card_number.clone()}</dd>
                <dt>{lang.pick("姓名", "Name")}</dt><dd>{certificate.name}</dd>
                <dt>{lang.pick("國民身分證統一編號", "ID number")}</dt><dd>{certificate.masked_id}</dd>
                <dt>{lang.pick("憑證序號", "Serial number")}</dt><dd>{certificate.serial}</dd>
                <dt>{lang.pick("有效迄止日期", "Valid until")}</dt><dd>{certificate.not_after}</dd>
                <dt>{lang.pick("憑證狀態", "Status")}</dt><dd class="certificate-state">{certificate.state.label(lang)}</dd>
                <dt>{lang.pick("手機號碼", "Mobile")}</dt><dd>{certificate.mobile.clone().unwrap_or_default()}</dd>
                <dt>{lang.pick("連絡用電子信箱", "Contact e-mail")}</dt><dd>{certificate.email.clone().unwrap_or_default()}</dd>
                <dt>{lang.pick("憑證公佈狀態", "Published")}</dt><dd>{if published { lang.pick("公佈", "Published") } else { lang.pick("不公佈", "Not published") }}</dd>
            </dl>
        </section>
        <form method="post" action=PATH class="card-form service-form">
            <input type="hidden" name="card" value=certificate.card_number />
            <ApplicantFields prefix=String::new() lang refs=ApplicantRefs::default() />
            <fieldset>
                <legend>{lang.pick("申辦項目", "Service")}</legend>
                {CardService::ALL.into_iter().filter(|service| service.in_form()).map(|service| view! {
                    <label><input type="radio" name="service" value=service.code() />{service.label(lang)}</label>
                }).collect_view()}
            </fieldset>
            <fieldset>
                <legend>{lang.pick("新的聯絡資料（修改手機號碼、連絡用電子信箱）", "New contact details")}</legend>
                <div class="field">
                    <label for="mobile">{lang.pick("手機號碼", "Mobile")}</label>
                    <input type="text" id="mobile" name="mobile" maxlength="20" autocomplete="off" value=certificate.mobile />
                </div>
                <div class="field">
                    <label for="email">{lang.pick("連絡用電子信箱", "Contact e-mail")}</label>
                    <input type="email" id="email" name="email" maxlength="254" autocomplete="off" value=certificate.email />
                </div>
            </fieldset>
            <fieldset>
                <legend>{lang.pick("憑證公佈狀態", "Publication")}</legend>
                <label><input type="radio" name="published" value="yes" checked=published />{lang.pick("公佈", "Published")}</label>
                <label><input type="radio" name="published" value="no" checked=!published />{lang.pick("不公佈", "Not published")}</label>
            </fieldset>
            <label><input type="checkbox" name="confirm" />{lang.pick("確認廢止：憑證廢止後無法回復（僅廢止時勾選）", "Confirm revocation: it cannot be undone (for revocation only)")}</label>
            <div class="buttons"><button type="submit">{lang.pick("送出", "Submit")}</button></div>
        </form>
        {in_force.then(|| view! {
            <CardAtCounter lang helper_url=portal_settings().card_helper_url card_number=card_number.clone() service=CardService::ResetUserCode />
            <CardAtCounter lang helper_url=portal_settings().card_helper_url card_number service=CardService::Extend />
        })}
    }
    .into_any()
}

/// The inputs of [`ApplicantFields`] an island reads.
#[derive(Clone, Copy, Default)]
struct ApplicantRefs {
    delegate: NodeRef<html::Input>,
    name: NodeRef<html::Input>,
    national_id: NodeRef<html::Input>,
    letter: NodeRef<html::Input>,
}

impl ApplicantRefs {
    /// The fields as the services form posts them.
    fn posted(&self) -> Vec<(String, String)> {
        let text = |input: &NodeRef<html::Input>| {
            input
                .get_untracked()
                .map(|input| input.value())
                .unwrap_or_default()
        };
        let checked = |input: &NodeRef<html::Input>| {
            input.get_untracked().is_some_and(|input| input.checked())
        };
        let applicant = if checked(&self.delegate) {
            "delegate"
        } else {
            "holder"
        };
        let mut posted = vec![
            ("applicant".to_owned(), applicant.to_owned()),
            ("delegate_name".to_owned(), text(&self.name)),
            ("delegate_id".to_owned(), text(&self.national_id)),
        ];
        if checked(&self.letter) {
            posted.push(("letter".to_owned(), "on".to_owned()));
        }
        posted
    }
}

/// Who asks: the holder in person, or a delegate with the 委託書. Ids carry `prefix`, so the
/// services form and the 用戶代碼 reset can both be on the page.
#[component]
fn ApplicantFields(prefix: String, lang: Lang, refs: ApplicantRefs) -> impl IntoView {
    let (name_id, national_id_id) = (
        format!("{prefix}delegate_name"),
        format!("{prefix}delegate_id"),
    );
    view! {
        <fieldset>
            <legend>{lang.pick("申辦人", "Who is asking")}</legend>
            <label><input type="radio" name="applicant" value="holder" checked />{lang.pick("憑證用戶本人", "The holder in person")}</label>
            <label><input type="radio" name="applicant" value="delegate" node_ref=refs.delegate />{lang.pick("受委託人（持委託書）", "A delegate with a letter")}</label>
        </fieldset>
        <fieldset>
            <legend>{lang.pick("受委託人資料（本人辦理免填）", "The delegate (not for the holder)")}</legend>
            <div class="field">
                <label for=name_id.clone()>{lang.pick("受委託人姓名", "Delegate's name")}</label>
                <input type="text" id=name_id name="delegate_name" maxlength="40" autocomplete="off" node_ref=refs.name />
            </div>
            <div class="field">
                <label for=national_id_id.clone()>{lang.pick("受委託人國民身分證統一編號", "Delegate's ID number")}</label>
                <input type="text" id=national_id_id name="delegate_id" maxlength="10" autocomplete="off" node_ref=refs.national_id />
            </div>
            <label><input type="checkbox" name="letter" node_ref=refs.letter />{lang.pick("已核對自然人憑證代辦事項委託書及雙方國民身分證正本", "I checked the delegation letter and both ID cards")}</label>
        </fieldset>
    }
    .into_any()
}

/// A service on the card in the counter's reader — 重設用戶代碼 (C-3) or 展期 (C-4): the page
/// reads the card's management counter, the RA checks who asks and has the card management
/// centre authorise exactly this change for exactly this card, and the card takes it.
#[island(lazy)]
pub fn CardAtCounter(
    lang: Lang,
    helper_url: String,
    card_number: String,
    service: CardService,
) -> impl IntoView {
    let helper_url = StoredValue::new(helper_url);
    let card_number = StoredValue::new(card_number);
    let helper_state = RwSignal::new(HelperState::Detecting);
    let reader = RwSignal::new(String::new());
    let refs = ApplicantRefs::default();
    let user_code = NodeRef::<html::Input>::new();
    let confirm = NodeRef::<html::Input>::new();
    let (code_error, confirm_error) =
        (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    let failure = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let resets = service == CardService::ResetUserCode;

    let detect = move || {
        spawn_local(async move {
            helper::detect_into(&helper_url.get_value(), lang, helper_state, reader).await;
        })
    };
    Effect::new(move |_| detect());

    // The new 用戶代碼 typed twice, checked and emptied (a reset only).
    let new_code = move || -> Option<String> {
        let value = |input: NodeRef<html::Input>| {
            input
                .get_untracked()
                .map(|input| input.value())
                .unwrap_or_default()
        };
        let (typed, again) = (value(user_code), value(confirm));
        code_error.set(FieldKind::UserCode.check(&typed, lang).map(str::to_owned));
        let code = UserCode::parse(&typed).ok()?;
        let differs = UserCode::parse(&again).ok() != Some(code.clone());
        confirm_error.set(differs.then(|| {
            lang.pick("兩次輸入的用戶代碼不一致", "The two user codes differ")
                .to_owned()
        }));
        if differs {
            return None;
        }
        for input in [user_code, confirm] {
            if let Some(input) = input.get_untracked() {
                input.set_value("");
            }
        }
        Some(code.expose().to_owned())
    };

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        failure.set(None);
        done.set(None);
        if reader.get_untracked().is_empty() {
            failure.set(Some(
                lang.pick(
                    "請先選擇卡片所在的讀卡機。",
                    "Choose the reader holding the card first.",
                )
                .to_owned(),
            ));
            return;
        }
        let mut posted = refs.posted();
        posted.extend([
            ("card".to_owned(), card_number.get_value()),
            ("service".to_owned(), service.code().to_owned()),
        ]);
        let code = if resets {
            let Some(code) = new_code() else {
                return;
            };
            posted.push(("user_code".to_owned(), code.clone()));
            posted.push(("user_code_confirm".to_owned(), code.clone()));
            code
        } else {
            String::new()
        };
        busy.set(true);
        spawn_local(async move {
            let base = helper_url.get_value();
            let at = Some(reader.get_untracked());
            let outcome = async {
                let counter = helper::reset_counter(&base, &reader.get_untracked())
                    .await
                    .map_err(|error| error.message(lang))?;
                posted.push(("counter".to_owned(), counter.counter.to_string()));
                if resets {
                    let ticket = authorize_user_code_reset(posted)
                        .await
                        .map_err(|error| error.message(lang))?;
                    let request = ResetUserCodeRequest {
                        user_code: code,
                        pin: ticket.pin,
                        authorization_b64: ticket.authorization_b64,
                        reader: at,
                    };
                    helper::reset_user_code(&base, &request)
                        .await
                        .map_err(|error| error.message(lang))?;
                    return Ok(lang.pick(
                        "用戶代碼已重設，PIN 碼已恢復為預設值（民國出生年月日 6 碼），並已通知憑證用戶。",
                        "The user code is reset and the PIN is back to the default (the ROC date of birth, 6 digits); the holder is told.",
                    ).to_owned());
                }
                let ticket = extend_at_counter(posted)
                    .await
                    .map_err(|error| error.message(lang))?;
                let request = AuthorizedReplaceRequest {
                    certificate_b64: ticket.extended.certificate_b64,
                    authorization_b64: ticket.authorization_b64,
                    reader: at,
                };
                let until = ticket.extended.not_after;
                helper::replace_certificate_authorized(&base, &request)
                    .await
                    .map_err(|error| match lang {
                        Lang::ZhTw => format!("憑證已展期至 {until}，但尚未寫入卡片：{}請持卡人以「憑證線上展期」寫入。", error.message(lang)),
                        Lang::English => format!("The certificate is extended to {until} but not yet on the card: {} The holder can write it with Extend the certificate online.", error.message(lang)),
                    })?;
                Ok(match lang {
                    Lang::ZhTw => format!("已展期並寫入卡片：憑證效期至 {until}，並已通知憑證用戶。"),
                    Lang::English => format!("Extended and written to the card: valid until {until}; the holder is told."),
                })
            }
            .await;
            busy.set(false);
            match outcome {
                Ok(message) => done.set(Some(message)),
                Err(message) => failure.set(Some(message)),
            }
        });
    };

    let ready = move || matches!(helper_state.get(), HelperState::Ready(_));
    let heading = || format!("{}-heading", service.code());
    let title = match service {
        CardService::ResetUserCode => lang.pick("重設用戶代碼", "Reset the user code"),
        _ => lang.pick("臨櫃展期", "Extend at the counter"),
    };
    let explanation = match service {
        CardService::ResetUserCode => lang.pick(
            "將憑證 IC 卡插入讀卡機，由申辦人輸入新的用戶代碼。重設後 PIN 碼恢復為預設值（民國出生年月日 6 碼），並通知憑證用戶。",
            "Put the certificate card in a reader and let the applicant type the new user code. The PIN then returns to the default (the holder's ROC date of birth, 6 digits), and the holder is told.",
        ),
        _ => lang.pick(
            "將憑證 IC 卡插入讀卡機。憑證到期前 60 天起至到期後 3 年內可展期一次，效期自原到期日起算 3 年；新憑證直接寫入卡片，免輸入 PIN 碼，免收費用。",
            "Put the certificate card in a reader. From 60 days before expiry until 3 years after it, a certificate can be extended once, by 3 years from the original expiry; the new certificate goes onto the card without its PIN, free of charge.",
        ),
    };
    view! {
        <section class=format!("card-at-counter {}", service.code()) aria-labelledby=heading()>
            <h2 id=heading()>{title}</h2>
            <p>{explanation}</p>
            <ReaderStatus state=helper_state reader lang chosen=Callback::new(|()| ()) detect=Callback::new(move |()| detect()) id=format!("{}-reader", service.code()) />
            <form class="card-form" on:submit=on_submit novalidate aria-labelledby=heading()>
                <ApplicantFields prefix=format!("{}_", service.code()) lang refs />
                {resets.then(|| view! {
                    <SecretField id="user_code" label=lang.pick("新用戶代碼", "New user code") hint=lang.pick("6 至 16 個英文字母或數字", "6 to 16 letters or digits") kind=FieldKind::UserCode maxlength=16 input=user_code error=code_error lang />
                    <SecretField id="user_code_confirm" label=lang.pick("再次輸入新用戶代碼", "New user code again") kind=FieldKind::UserCode maxlength=16 input=confirm error=confirm_error lang />
                })}
                <p class="form-error" role="alert">{move || failure.get()}</p>
                <div class="buttons">
                    <button type="submit" disabled=move || !ready() || busy.get()>{title}</button>
                </div>
            </form>
            {move || done.get().map(|message| view! { <p class="notice done" role="status">{message}</p> })}
        </section>
    }
    .into_any()
}
