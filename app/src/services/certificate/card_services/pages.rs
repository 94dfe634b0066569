//! `/admin/certificate/services`: the registrar finds a certificate and performs a card service
//! for the holder or their delegate. Plain forms posted to the page: works without JavaScript.

use super::{
    find_held_certificate, perform_card_service, CardService, HeldCertificate, ServiceOutcome, PATH,
};
use crate::components::layout::encode_query_value;
use crate::components::refusal::{NothingFound, OutcomeNotice, SearchRefusal};
use crate::components::search::SearchForm;
use crate::i18n::Lang;
use crate::posted_form::posted_form;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

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
    };
    match lang {
        Lang::ZhTw => format!("IC 卡號 {card} 之憑證{what}，並已通知憑證用戶。"),
        Lang::English => format!("The certificate on card {card}: {what}; the holder is told."),
    }
}

#[component]
pub fn CardServicesPage() -> impl IntoView {
    let lang = current_lang();
    let query = use_query_map();
    let searched = query
        .read_untracked()
        .get("q")
        .filter(|q| !q.trim().is_empty());
    let posted = posted_form().map(|form| form.0);
    // The service is performed before the certificate is read, so the page shows its result.
    let page = Resource::new(
        || (),
        move |()| {
            let posted = posted.clone();
            let searched = searched.clone();
            async move {
                let outcome = match posted {
                    Some(posted) => Some(perform_card_service(posted).await),
                    None => None,
                };
                let found = match searched {
                    Some(q) => find_held_certificate(q).await.map(Some),
                    None => Ok(None),
                };
                (outcome, found)
            }
        },
    );
    let value = query.read_untracked().get("q").unwrap_or_default();
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
    let action = format!("{PATH}?q={}", encode_query_value(&certificate.card_number));
    let published = certificate.published;
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
        <form method="post" action=action class="card-form service-form">
            <input type="hidden" name="card" value=certificate.card_number />
            <fieldset>
                <legend>{lang.pick("申辦人", "Who is asking")}</legend>
                <label><input type="radio" name="applicant" value="holder" checked />{lang.pick("憑證用戶本人", "The holder in person")}</label>
                <label><input type="radio" name="applicant" value="delegate" />{lang.pick("受委託人（持委託書）", "A delegate with a letter")}</label>
            </fieldset>
            <fieldset>
                <legend>{lang.pick("受委託人資料（本人辦理免填）", "The delegate (not for the holder)")}</legend>
                <div class="field">
                    <label for="delegate_name">{lang.pick("受委託人姓名", "Delegate's name")}</label>
                    <input type="text" id="delegate_name" name="delegate_name" maxlength="40" autocomplete="off" />
                </div>
                <div class="field">
                    <label for="delegate_id">{lang.pick("受委託人國民身分證統一編號", "Delegate's ID number")}</label>
                    <input type="text" id="delegate_id" name="delegate_id" maxlength="10" autocomplete="off" />
                </div>
                <label><input type="checkbox" name="letter" />{lang.pick("已核對自然人憑證代辦事項委託書及雙方國民身分證正本", "I checked the delegation letter and both ID cards")}</label>
            </fieldset>
            <fieldset>
                <legend>{lang.pick("申辦項目", "Service")}</legend>
                {CardService::ALL.into_iter().map(|service| view! {
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
    }
}
