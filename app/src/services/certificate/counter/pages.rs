//! `/admin/certificate/issue`: the registrar's counter page. Finding the application is a plain
//! form (works without JavaScript); issuing talks to the card helper on the counter's computer
//! — the blank card in one reader, the registrar's own card in another — so it is an island.

use super::{
    application_paper_path, begin_counter_issuance, card_face_path, find_counter_application,
    issuance_statement, issue_counter_card, start_counter_application, waiting_renewals,
    ApplicationStatus, CounterApplication, CounterStart, IssuanceRefusal, IssuedCard,
    WaitingRenewal, CONTACTS_CONFIRMED, KEY_PROOF, PATH,
};
use crate::cases::Code;
use crate::components::field::SecretField;
use crate::components::helper_client::{self as helper, HelperNotice, HelperState};
use crate::components::queue::AgeCell;
use crate::components::refusal::{ErrorNotice, ErrorSummary, NothingFound, SearchRefusal};
use crate::components::search::{searched, SearchButton, SearchForm};
use crate::domain::field_kind::FieldKind;
use crate::domain::{card_number::CardNumber, pin::CardPin, FieldError};
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::posted_form::posted_form;
use crate::services::certificate::application::pages::ApplicationFormView;
use crate::services::certificate::application::{not_given, PinChoice, FEE, POSTAGE};
use crate::services::certificate::proof::card_statement;
use crate::settings::portal_settings;
use crate::shell::current_lang;
use base64::{engine::general_purpose::STANDARD, Engine};
use card_helper::protocol::{IssueKeyRequest, SignRequest, WriteCertificateRequest};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

fn title(lang: Lang) -> &'static str {
    lang.pick(
        "自然人憑證臨櫃發證",
        "Citizen certificate: counter issuance",
    )
}

/// What the page shows below the search.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
enum Shown {
    /// Nothing searched: the online renewals waiting for their card.
    Renewals(Vec<WaitingRenewal>),
    Found(Option<CounterApplication>),
    /// A counter application the server refused: the form again, with what was typed.
    Refused(Vec<PortalError>),
    Failed(PortalError),
}

#[component]
pub fn CounterIssuePage() -> impl IntoView {
    let lang = current_lang();
    // A post is the search form or the counter application.
    let posted = posted_form().map(|form| form.0);
    let typed = posted.as_deref().and_then(searched);
    let posted = posted.filter(|_| typed.is_none());
    let submitted = posted.clone();
    let query = typed.clone().filter(|q| !q.trim().is_empty());
    // A counter application is taken first; the page then shows it, ready to issue.
    let page = Resource::new(
        || (),
        move |()| {
            let (posted, query) = (submitted.clone(), query.clone());
            async move {
                let query = match posted {
                    Some(posted) => match start_counter_application(posted).await {
                        Ok(CounterStart::Started { reference }) => Some(reference),
                        Ok(CounterStart::Invalid(errors)) => return Shown::Refused(errors),
                        Err(error) => return Shown::Failed(error),
                    },
                    None => query,
                };
                match query {
                    Some(query) => match find_counter_application(query).await {
                        Ok(found) => Shown::Found(found),
                        Err(error) => Shown::Failed(error),
                    },
                    None => match waiting_renewals().await {
                        Ok(waiting) => Shown::Renewals(waiting),
                        Err(error) => Shown::Failed(error),
                    },
                }
            }
        },
    );
    let typed = typed.unwrap_or_default();
    // The counter form starts with the ID number searched for, if it was one.
    let prefill = vec![(
        "national_id".to_owned(),
        crate::domain::national_id::NationalId::parse(&typed)
            .map(|id| id.as_str().to_owned())
            .unwrap_or_default(),
    )];
    view! {
        <Title text=title(lang) />
        <h1>{title(lang)}</h1>
        <p>{lang.pick(
            "無戶籍地限制：請核對申請人國民身分證正本，輸入申請編號或國民身分證統一編號查詢線上申請；未線上申請者，請於下方臨櫃填寫申請書。",
            "Citizens of any registration area: check the applicant's original ID card, then find the online application by its reference or the ID number; without one, fill in the application at the counter below.",
        )}</p>
        <SearchForm action=PATH label=lang.pick("申請編號或國民身分證統一編號", "Application reference or ID number") maxlength=20 value=typed lang />
        <Suspense fallback=move || view! { <p>{lang.pick("查詢中…", "Looking up…")}</p> }>
            {move || {
                let (posted, prefill) = (posted.clone().unwrap_or_default(), prefill.clone());
                page.get().map(move |shown| match shown {
                    Shown::Renewals(waiting) => view! { <RenewalsWaiting waiting lang /> }.into_any(),
                    Shown::Found(None) => view! {
                        <NothingFound lang message=lang.pick(
                            "查無此申請編號或國民身分證統一編號之自然人憑證申請；申請人本人在場者，請於下方臨櫃填寫申請書。",
                            "No citizen certificate application has this reference or ID number; with the applicant present, fill in the application below.",
                        ) />
                        <CounterForm posted=prefill errors=Vec::new() lang />
                    }.into_any(),
                    Shown::Found(Some(application)) => {
                        // A waiting application whose contacts the applicant does not
                        // recognise is replaced by one filled in here; a renewal is mailed.
                        let replaceable = application.status != ApplicationStatus::Submitted
                            || !application.renewal;
                        view! {
                            <ApplicationFound application lang />
                            {replaceable.then(|| view! { <CounterForm posted=prefill errors=Vec::new() lang /> })}
                        }.into_any()
                    }
                    Shown::Refused(errors) => view! {
                        <ErrorSummary errors=errors.clone() lang />
                        <CounterForm posted errors lang />
                    }.into_any(),
                    Shown::Failed(error @ PortalError::Field { .. }) => view! { <SearchRefusal error lang /> }.into_any(),
                    // A refusal of the form keeps what was typed; 403 and sign-in do not.
                    Shown::Failed(error) if !posted.is_empty()
                        && !matches!(error, PortalError::Forbidden | PortalError::SignInRequired) => view! {
                        <ErrorNotice error lang />
                        <CounterForm posted errors=Vec::new() lang />
                    }.into_any(),
                    Shown::Failed(error) => view! { <SearchRefusal error lang /> }.into_any(),
                })
            }}
        </Suspense>
    }
}

/// 臨櫃填寫申請書: the online form's fields, without the CAPTCHA, posted to this page.
#[component]
fn CounterForm(
    posted: Vec<(String, String)>,
    errors: Vec<PortalError>,
    lang: Lang,
) -> impl IntoView {
    view! {
        <section class="counter-application" aria-labelledby="counter-application-heading">
            <h2 id="counter-application-heading">{lang.pick("臨櫃填寫申請書", "Fill in the application at the counter")}</h2>
            <p>{lang.pick(
                "申請人須本人在場並出示國民身分證正本，不得委託。用戶代碼及自行設定之卡片密碼請申請人自行輸入。",
                "The applicant must be present with their original ID card; no delegate. Let the applicant type the user code and any PIN of their own.",
            )}</p>
            <ApplicationFormView posted errors captcha=None lang action=PATH />
        </section>
    }
    .into_any()
}

/// The online renewals to make and mail, each a link to its application.
#[component]
fn RenewalsWaiting(waiting: Vec<WaitingRenewal>, lang: Lang) -> impl IntoView {
    view! {
        <section class="renewals" aria-labelledby="renewals-heading">
            <h2 id="renewals-heading">{lang.pick("待製卡郵寄之線上續卡申請", "Online renewals waiting for their card")}</h2>
            {if waiting.is_empty() {
                view! { <p>{lang.pick("目前沒有待製卡之線上續卡申請。", "No online renewal is waiting.")}</p> }.into_any()
            } else {
                view! {
                    <table class="data">
                        <caption>{lang.pick("線上續卡申請，舊者在前", "Online renewals, oldest first")}</caption>
                        <thead><tr>
                            <th scope="col">{lang.pick("申請編號", "Reference")}</th>
                            <th scope="col">{lang.pick("姓名", "Name")}</th>
                            <th scope="col">{lang.pick("國民身分證統一編號", "ID number")}</th>
                            <th scope="col">{lang.pick("申請時間", "Received")}</th>
                            <th scope="col">{lang.pick("已過工作日", "Working days")}</th>
                            <th scope="col">{lang.pick("繳費", "Payment")}</th>
                        </tr></thead>
                        <tbody>
                            {waiting.into_iter().map(|renewal| view! {
                                <tr>
                                    <td data-label=lang.pick("申請編號", "Reference")><SearchButton action=PATH query=renewal.reference /></td>
                                    <td data-label=lang.pick("姓名", "Name")>{renewal.name}</td>
                                    <td data-label=lang.pick("國民身分證統一編號", "ID number")>{renewal.masked_id}</td>
                                    <td data-label=lang.pick("申請時間", "Received")>{renewal.submitted_at}</td>
                                    <AgeCell label=lang.pick("已過工作日", "Working days") age=renewal.age lang />
                                    <td data-label=lang.pick("繳費", "Payment") class="paid">{if renewal.paid { lang.pick("已繳費", "Paid") } else { lang.pick("未繳費", "Not paid") }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

#[component]
fn ApplicationFound(application: CounterApplication, lang: Lang) -> impl IntoView {
    let issuable = application.issuable();
    // A card handed over in person: the applicant must recognise the application first.
    let in_person = !application.renewal;
    let reasons = application
        .ineligible
        .iter()
        .map(|reason| view! { <li>{reason.message(lang)}</li> })
        .collect_view();
    let pin = match application.pin_choice {
        PinChoice::Default => lang.pick(
            "預設（民國出生年月日 6 碼）",
            "Default (ROC date of birth, 6 digits)",
        ),
        PinChoice::Chosen => lang.pick("申請人自訂", "Chosen by the applicant"),
    };
    let status = application.status;
    // The 憑證申請書 the applicant signs (seed 002): of an application waiting or issued.
    let paper = matches!(status, ApplicationStatus::Submitted | ApplicationStatus::Issued).then(|| {
        view! {
            <p class="buttons no-print">
                <a class="button" href=application_paper_path(&application.reference) download>
                    {lang.pick("列印憑證申請書（PDF）", "Print the application for signing (PDF)")}
                </a>
                <span class="hint">{lang.pick(
                    "確認申請人身分後列印，請申請人核對內容並簽名。",
                    "Print it once the applicant's identity is checked; the applicant checks it and signs.",
                )}</span>
            </p>
        }
    });
    let fee = if application.renewal {
        FEE + POSTAGE
    } else {
        FEE
    };
    let kind = if application.renewal {
        lang.pick(
            "線上續卡：製卡後以掛號郵寄至戶籍地址，由持卡人線上開卡",
            "Online renewal: mail the card to the registered address; the holder activates it online",
        )
    } else {
        lang.pick(
            "新申請：申請人臨櫃領卡",
            "New card: the applicant collects it here",
        )
    };
    view! {
        <section class="result application" aria-labelledby="application-heading">
            <h2 id="application-heading">{lang.pick("自然人憑證申請書", "Citizen certificate application")}</h2>
            <dl class="facts">
                <dt>{lang.pick("申請編號", "Reference")}</dt><dd>{application.reference.clone()}</dd>
                <dt>{lang.pick("申請狀態", "Status")}</dt><dd class="application-status">{status.label(lang)}</dd>
                <dt>{lang.pick("申請種類", "Kind")}</dt><dd class="application-kind">{kind}</dd>
                <dt>{lang.pick("姓名", "Name")}</dt><dd>{application.name}</dd>
                <dt>{lang.pick("國民身分證統一編號", "ID number")}</dt><dd>{application.masked_id}</dd>
                <dt>{lang.pick("出生年月日", "Date of birth")}</dt><dd>{application.birth_date}</dd>
                <dt>{lang.pick("戶籍地", "Registered in")}</dt><dd>{application.registered_in}</dd>
                <dt>{lang.pick("電子郵件信箱", "E-mail")}</dt><dd>{application.email}</dd>
                <dt>{lang.pick("手機號碼", "Mobile")}</dt><dd>{not_given(application.mobile, lang)}</dd>
                <dt>{lang.pick("卡片 PIN 碼", "Card PIN")}</dt><dd>{pin}</dd>
                <dt>{lang.pick("線上申請時間", "Applied online")}</dt><dd>{application.submitted_at}</dd>
                <dt>{lang.pick("領取期限", "Collect by")}</dt><dd>{application.collect_by}</dd>
                <dt>{lang.pick("IC 卡工本費", "IC card fee")}</dt><dd>{format!("NT${fee}")}</dd>
            </dl>
            {paper}
            {(!application.ineligible.is_empty()).then(|| view! {
                <div class="notice error" role="alert">
                    <p>{lang.pick("依戶籍資料，申請人目前不符申辦資格，不得發證：", "The household register says the applicant is not eligible today, so no card may be issued:")}</p>
                    <ul>{reasons}</ul>
                </div>
            })}
            {application.unpaid.then(|| view! {
                <div class="notice warning unpaid" role="alert">
                    <p>{IssuanceRefusal::Unpaid.message(lang)}</p>
                </div>
            })}
            {(!application.cards_in_force.is_empty() && application.renewal).then(|| view! {
                <div class="notice warning in-force" role="alert">
                    <p>{IssuanceRefusal::RenewalSuperseded.message(lang)} " " {lang.pick("（IC 卡號：", "(card ")}{application.cards_in_force.join("、")}{lang.pick("）", ")")}</p>
                </div>
            })}
            {(!application.cards_in_force.is_empty() && !application.renewal).then(|| view! {
                <div class="notice warning in-force" role="alert">
                    <p>{lang.pick(
                        "申請人目前持有效力中之自然人憑證（IC 卡號：",
                        "The applicant holds a citizen certificate in force (card ",
                    )}{application.cards_in_force.join("、")}{lang.pick(
                        "），一人不得同時持有二張。補領（原卡遺失或毀損）者，請先於",
                        "), and nobody may hold two. To replace a lost or damaged card (補領), first revoke the old certificate at ",
                    )}<a href=crate::services::certificate::card_services::PATH>{lang.pick("自然人憑證臨櫃服務", "the counter's card services")}</a>{lang.pick(
                        "廢止原憑證，再重新查詢本申請製發新卡。",
                        ", then find this application again and issue the new card.",
                    )}</p>
                </div>
            })}
            {(status != ApplicationStatus::Submitted).then(|| view! {
                <div class="notice warning" role="alert">
                    <p>{lang.pick(
                        "此申請已不在待領取狀態，無法發證；如需發證，請申請人重新線上申請。",
                        "This application is no longer waiting, so no card can be issued from it; the citizen must apply again.",
                    )}</p>
                </div>
            })}
        </section>
        {issuable.then(|| view! {
            <CounterIssuer lang helper_url=portal_settings().card_helper_url reference=application.reference confirm=in_person />
        })}
    }
    .into_any()
}

/// A reader choice with its own label (the counter has two cards in play). Nothing is chosen
/// for the registrar: which card is in which reader is theirs to say.
#[component]
fn ReaderSelect(
    id: &'static str,
    label: &'static str,
    readers: Vec<String>,
    reader: RwSignal<String>,
    lang: Lang,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id required on:change=move |ev| reader.set(event_target_value(&ev))>
                <option value="" disabled selected=reader.get_untracked().is_empty()>
                    {lang.pick("請選擇讀卡機", "Choose a reader")}
                </option>
                {readers.into_iter().map(|name| view! {
                    <option value=name.clone() selected=name == reader.get_untracked()>{name.clone()}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// What is wrong with the readers chosen for the blank `card` and the `registrar`'s own card
/// (empty: none chosen), if anything: an issuance needs both, one in each.
fn readers_refusal(card: &str, registrar: &str, lang: Lang) -> Option<&'static str> {
    if card.is_empty() {
        Some(lang.pick(
            "請選擇空白 IC 卡所在讀卡機。",
            "Choose the reader with the blank card.",
        ))
    } else if registrar.is_empty() {
        Some(lang.pick(
            "請選擇登記人員憑證所在讀卡機。",
            "Choose the reader with your own card.",
        ))
    } else if card == registrar {
        Some(lang.pick(
            "空白 IC 卡與登記人員憑證須插在不同的讀卡機。",
            "The blank card and your own card must be in different readers.",
        ))
    } else {
        None
    }
}

/// Where the issuance has got to.
#[derive(Clone, Debug, PartialEq)]
enum Progress {
    Idle,
    Working(&'static str),
    /// The certificate is issued and recorded but not yet on the card: write it again.
    NotWritten(IssuedCard, String),
    Done(IssuedCard),
}

/// `confirm`: the card is handed over in person, so the registrar confirms the application
/// number and contacts with the applicant first.
#[island(lazy)]
pub fn CounterIssuer(
    lang: Lang,
    helper_url: String,
    reference: String,
    confirm: bool,
) -> impl IntoView {
    let helper_url = StoredValue::new(helper_url);
    let reference = StoredValue::new(reference);
    let helper_state = RwSignal::new(HelperState::Detecting);
    let card_reader = RwSignal::new(String::new());
    let registrar_reader = RwSignal::new(String::new());
    let progress = RwSignal::new(Progress::Idle);
    let failure = RwSignal::new(None::<String>);
    let card_error = RwSignal::new(None::<String>);
    let pin_error = RwSignal::new(None::<String>);
    let confirm_error = RwSignal::new(None::<String>);
    let card_number = NodeRef::<html::Input>::new();
    let registrar_pin = NodeRef::<html::Input>::new();
    let contacts = NodeRef::<html::Input>::new();

    let detect = move || {
        spawn_local(async move {
            helper_state.set(HelperState::Detecting);
            let found = helper::detect(&helper_url.get_value(), lang).await;
            // 重新偵測 keeps each choice whose reader is still there.
            if let HelperState::Ready(readers) = &found {
                for chosen in [card_reader, registrar_reader] {
                    if !readers.contains(&chosen.get_untracked()) {
                        chosen.set(String::new());
                    }
                }
            }
            helper_state.set(found);
        })
    };
    Effect::new(move |_| detect());

    // Writes the issued certificate to the card and activates it.
    let write = move |issued: IssuedCard| {
        spawn_local(async move {
            progress.set(Progress::Working(lang.pick(
                "正在寫入用戶代碼、PIN 碼及憑證並開卡…",
                "Writing the user code, PIN and certificate to the card and activating it…",
            )));
            let request = WriteCertificateRequest {
                certificate_b64: issued.certificate_b64.clone(),
                personalisation_b64: issued.personalisation_b64.clone(),
                reader: Some(card_reader.get_untracked()),
            };
            match helper::write_certificate(&helper_url.get_value(), &request).await {
                Ok(_) => progress.set(Progress::Done(issued)),
                Err(error) => progress.set(Progress::NotWritten(issued, error.message(lang))),
            }
        })
    };

    let on_issue = move |event: SubmitEvent| {
        event.prevent_default();
        if matches!(progress.get_untracked(), Progress::Working(_)) {
            return;
        }
        failure.set(None);
        let number = card_number
            .get_untracked()
            .map(|i| i.value())
            .unwrap_or_default();
        let pin = registrar_pin
            .get_untracked()
            .map(|i| i.value())
            .unwrap_or_default();
        card_error.set(
            FieldKind::CardNumber
                .check(&number, lang)
                .map(str::to_owned),
        );
        pin_error.set(FieldKind::CardPin.check(&pin, lang).map(str::to_owned));
        let contacts_confirmed = contacts
            .get_untracked()
            .is_some_and(|input| input.checked());
        let unconfirmed = confirm && !contacts_confirmed;
        confirm_error.set(unconfirmed.then(|| {
            IssuanceRefusal::ContactsNotConfirmed
                .message(lang)
                .to_owned()
        }));
        let (Ok(number), Ok(pin)) = (CardNumber::parse(&number), CardPin::parse(&pin)) else {
            return;
        };
        if unconfirmed {
            return;
        }
        let readers = (
            card_reader.get_untracked(),
            registrar_reader.get_untracked(),
        );
        if let Some(refusal) = readers_refusal(&readers.0, &readers.1, lang) {
            return failure.set(Some(refusal.to_owned()));
        }
        if let Some(input) = registrar_pin.get_untracked() {
            input.set_value("");
        }
        let base = helper_url.get_value();
        let reference = reference.get_value();
        let stop = move |message: String| {
            failure.set(Some(message));
            progress.set(Progress::Idle);
        };
        spawn_local(async move {
            progress.set(Progress::Working(
                lang.pick("正在確認申請資料…", "Checking the application…"),
            ));
            let ticket = match begin_counter_issuance(reference.clone(), contacts_confirmed).await {
                Ok(ticket) => ticket,
                Err(error) => return stop(error.message(lang)),
            };
            progress.set(Progress::Working(
                lang.pick("正在於 IC 卡上產生金鑰…", "Generating the key on the card…"),
            ));
            let key = IssueKeyRequest {
                challenge_b64: STANDARD.encode(card_statement(
                    KEY_PROOF,
                    &ticket.challenge,
                    number.as_str(),
                )),
                reader: Some(card_reader.get_untracked()),
            };
            let key = match helper::issue_key(&base, &key).await {
                Ok(key) => key,
                Err(error) => return stop(error.message(lang)),
            };
            // The RA checks the chip's attestation; here the registrar learns at once that
            // the number typed is not the card's.
            if key.card_number != number.as_str() {
                card_error.set(Some(IssuanceRefusal::NotAttested.message(lang).to_owned()));
                return progress.set(Progress::Idle);
            }
            progress.set(Progress::Working(lang.pick(
                "登記人員簽章中…",
                "The registrar's card is signing the application…",
            )));
            let statement = issuance_statement(
                &ticket.challenge,
                &reference,
                number.as_str(),
                &key.public_key_b64,
            );
            let sign = SignRequest {
                challenge_b64: STANDARD.encode(statement.as_bytes()),
                pin: pin.expose().to_owned(),
                reader: Some(registrar_reader.get_untracked()),
            };
            let signed = match helper::sign(&base, &sign).await {
                Ok(signed) => signed,
                Err(error) => return stop(error.message(lang)),
            };
            progress.set(Progress::Working(lang.pick(
                "註冊中心審核及憑證管理中心簽發中…",
                "The registration authority checks and the certificate authority issues…",
            )));
            match issue_counter_card(
                reference,
                number.as_str().to_owned(),
                ticket.challenge,
                key.public_key_b64,
                key.transport_key_b64,
                signed.certificate_b64,
                signed.signature_b64,
                key.signature_b64,
                key.attestation_b64,
            )
            .await
            {
                Ok(issued) => write(issued),
                Err(error) => stop(error.message(lang)),
            }
        });
    };

    let working = move || matches!(progress.get(), Progress::Working(_));
    let ready = move || matches!(helper_state.get(), HelperState::Ready(_));
    // Once the card is issued, nothing here offers to issue it again, and the application
    // above (rendered before) says 已發證 instead of 待領取.
    let issued = move || matches!(progress.get(), Progress::Done(_));
    Effect::new(move || {
        if !issued() {
            return;
        }
        if let Some(input) = card_number.get_untracked() {
            input.set_value("");
        }
        #[cfg(feature = "hydrate")]
        if let Some(status) = document()
            .query_selector(".application-status")
            .ok()
            .flatten()
        {
            status.set_text_content(Some(ApplicationStatus::Issued.label(lang)));
        }
    });
    // Type-erased: the whole island as one view type is deep enough to overflow a debug
    // build's stack while rendering.
    let form = view! {
        <form class="card-form" on:submit=on_issue novalidate aria-labelledby="issue-heading" hidden=issued>
            {confirm.then(|| view! {
                <div class="field">
                    <label>
                        <input type="checkbox" id=CONTACTS_CONFIRMED name=CONTACTS_CONFIRMED required node_ref=contacts
                            aria-invalid=move || if confirm_error.get().is_some() { "true" } else { "false" }
                            aria-describedby="contacts_confirmed-error" />
                        {lang.pick(
                            "已與申請人本人核對上列申請編號、電子郵件信箱及手機號碼無誤",
                            "I confirmed the application number, e-mail and mobile number above with the applicant in person",
                        )}
                    </label>
                    <span class="error" id="contacts_confirmed-error" aria-live="polite">{move || confirm_error.get()}</span>
                </div>
            })}
            <div class="field">
                <label for="card_number"><span class="required" aria-hidden="true">"*"</span>{lang.pick("IC 卡號", "Card number")}</label>
                <span class="hint" id="card_number-hint">{lang.pick("空白卡正面印製：2 個英文字母加 14 個數字", "Printed on the blank card: 2 letters and 14 digits")}</span>
                <input type="text" id="card_number" name="card_number" maxlength="24" autocomplete="off" required node_ref=card_number
                    aria-invalid=move || if card_error.get().is_some() { "true" } else { "false" }
                    aria-describedby="card_number-hint card_number-error"
                    on:input=move |ev| card_error.set(FieldKind::CardNumber.check(&event_target_value(&ev), lang).map(str::to_owned)) />
                <span class="error" id="card_number-error" aria-live="polite">{move || card_error.get()}</span>
            </div>
            <SecretField id="registrar_pin" label=lang.pick("登記人員 PIN 碼", "Your card's PIN") kind=FieldKind::CardPin maxlength=16 input=registrar_pin error=pin_error lang />
            <p class="form-error" role="alert">{move || failure.get()}</p>
            <div class="buttons">
                <button type="submit" disabled=move || !ready() || working() || matches!(progress.get(), Progress::Done(_) | Progress::NotWritten(..))>
                    {lang.pick("製發憑證", "Issue the card")}
                </button>
            </div>
        </form>
    }
    .into_any();
    view! {
        <section class="issuance" aria-labelledby="issue-heading">
            <h2 id="issue-heading">{lang.pick("製發憑證", "Issue the card")}</h2>
            <ol class="steps" hidden=issued>
                {confirm.then(|| view! {
                    <li>{lang.pick(
                        "與申請人本人核對上列申請編號、電子郵件信箱及手機號碼；申請人不認得者，請勿發證，改於下方臨櫃填寫申請書（將取代此申請）。",
                        "Confirm the application number, e-mail and mobile number above with the applicant in person; if they do not recognise them, do not issue: fill in an application at the counter below instead (it replaces this one).",
                    )}</li>
                })}
                <li>{lang.pick("將空白自然人憑證 IC 卡及您本人的自然人憑證分別插入讀卡機。", "Put the blank citizen certificate card and your own card in the card readers.")}</li>
                <li>{lang.pick("輸入空白卡正面印製之 IC 卡號及您的 PIN 碼，按「製發憑證」：卡片產生金鑰，您的憑證簽署申請書，註冊中心審核後由憑證管理中心簽發，並寫入卡片完成開卡。", "Type the card number printed on the blank card and your PIN, then press Issue the card: the card makes its key, your card signs the application, the registration authority checks it, the certificate authority issues, and the page writes the certificate and activates the card.")}</li>
                <li>{lang.pick("收取工本費 250 元，列印申請書請申請人簽名。", "Take the fee of NT$250 and have the applicant sign the printed application.")}</li>
            </ol>
            <div class="card-status" aria-live="polite" hidden=issued>
                {move || match helper_state.get() {
                    HelperState::Ready(readers) => view! {
                        <ReaderSelect id="card_reader" label=lang.pick("空白 IC 卡所在讀卡機", "Reader with the blank card") readers=readers.clone() reader=card_reader lang />
                        <ReaderSelect id="registrar_reader" label=lang.pick("登記人員憑證所在讀卡機", "Reader with your own card") readers reader=registrar_reader lang />
                    }.into_any(),
                    state => view! { <HelperNotice state lang detect=Callback::new(move |()| detect()) /> }.into_any(),
                }}
            </div>
            {form}
            {move || match progress.get() {
                Progress::Idle => ().into_any(),
                Progress::Working(step) => view! { <p class="notice" role="status">{step}</p> }.into_any(),
                Progress::NotWritten(issued, message) => view! {
                    <div class="notice warning" role="alert">
                        <p>{lang.pick("憑證已簽發，但尚未寫入卡片：", "The certificate is issued but not yet on the card: ")}{message}</p>
                        <button type="button" on:click=move |_| write(issued.clone())>{lang.pick("重新寫入卡片", "Write to the card again")}</button>
                    </div>
                }.into_any(),
                Progress::Done(issued) => view! { <Issued issued lang /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Issued(issued: IssuedCard, lang: Lang) -> impl IntoView {
    let (paper, face) = (
        application_paper_path(&issued.reference),
        card_face_path(&issued.card_number),
    );
    view! {
        <div class="notice done issued" role="status">
            <h3>{lang.pick("發證完成", "Card issued")}</h3>
            <p>{if issued.mailed {
                lang.pick(
                    "續卡新卡已製妥：請以掛號郵寄至持卡人戶籍地址。持卡人收到後須線上開卡，開卡前此憑證無法使用。",
                    "The renewed card is made: mail it by registered post to the holder's registered address. The holder must activate it online; until then its certificate cannot be used.",
                )
            } else {
                lang.pick(
                    "已完成製卡及開卡，申請人可立即使用。PIN 碼為申請時設定者（未設定者為民國出生年月日 6 碼），請提醒申請人儘速變更。",
                    "The card is issued and activated, ready to use. Its PIN is the one chosen when applying (or the ROC date of birth, 6 digits): remind the citizen to change it.",
                )
            }}</p>
            <dl class="facts">
                <dt>{lang.pick("申請編號", "Reference")}</dt><dd>{issued.reference}</dd>
                <dt>{lang.pick("IC 卡號", "Card number")}</dt><dd>{issued.card_number}</dd>
                <dt>{lang.pick("憑證序號", "Serial number")}</dt><dd>{issued.serial}</dd>
                <dt>{lang.pick("憑證效期", "Valid until")}</dt><dd>{issued.not_after}</dd>
                <dt>{lang.pick("已收工本費", "Fee taken")}</dt><dd>{format!("NT${}", issued.fee)}</dd>
            </dl>
            <div class="buttons no-print">
                <a class="button" href=paper download>{lang.pick("列印憑證申請書（PDF）", "Print the application (PDF)")}</a>
                <a class="button" href=face download>{lang.pick("列印卡面（PDF）", "Print the card face (PDF)")}</a>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::readers_refusal;
    use crate::i18n::Lang;

    #[test]
    fn issue_24_5_the_counter_issues_only_with_both_readers_chosen_and_apart() {
        let refused = |card, registrar| readers_refusal(card, registrar, Lang::ZhTw);
        assert_eq!(refused("", "B"), Some("請選擇空白 IC 卡所在讀卡機。"));
        assert_eq!(refused("A", ""), Some("請選擇登記人員憑證所在讀卡機。"));
        assert_eq!(
            refused("A", "A"),
            Some("空白 IC 卡與登記人員憑證須插在不同的讀卡機。")
        );
        assert_eq!(refused("A", "B"), None);
    }
}
