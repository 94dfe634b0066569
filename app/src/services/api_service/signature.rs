//! The company's card signs each submission (A-2…A-5, seed 000 圖4/10/14/17: the forms ask for
//! the 工商憑證密碼). When 申請 is pressed, the server checks the form and answers a statement
//! naming a single-use challenge and the SHA-256 of the form's canonical content; the card
//! signs it through the card helper after its PIN (which goes to the helper only, never to
//! the portal); the form is then posted with the signature and the card's certificate. The
//! server rebuilds the statement from what was posted, so a form changed after signing is
//! refused; it checks the certificate (the one the company signed in with, still valid) and
//! the signature before the case is accepted, uses the challenge up in the case's own unit of
//! work, and keeps content, statement, signature and certificate with the case
//! (`api_case_signatures`), where the reviewer's page verifies them again.

use super::CaseKind;
use crate::cases::Code;
use crate::components::buttons::clear_button;
use crate::domain::FieldError;
use crate::error::PortalError;
use crate::i18n::Lang;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The posted fields the signing adds to the form. The PIN field has no name: it is never
/// posted.
pub const CHALLENGE: &str = "card_challenge";
pub const SIGNATURE: &str = "card_signature";
pub const SIGNER: &str = "card_certificate";
/// The PIN field's id, and the field its errors are reported on.
pub const PIN: &str = "pin";

/// What the card signs for a submission (inside the helper's origin-bound message,
/// [`card_helper::protocol::signed_message`]): the challenge, the company, the kind and the
/// digest of the form's content. A first line of its own keeps it from passing for any other
/// signed statement of the portal.
pub fn statement(
    challenge: &str,
    business_id: &str,
    kind: CaseKind,
    content_sha256: &str,
) -> String {
    format!(
        "huji-api-case/1\nchallenge={challenge}\nbusiness_id={business_id}\nkind={}\ncontent-sha256={content_sha256}\n",
        kind.code()
    )
}

/// The server's answer when 申請 is pressed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToSign {
    /// The form is complete: the card signs `statement`; `challenge` is posted with it.
    Statement {
        challenge: String,
        statement: String,
    },
    /// A field is wrong: the form is posted unsigned and comes back with every error named.
    Invalid,
}

/// Why a signature was not accepted, in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureRefusal {
    #[error("the form was posted without the card's signature")]
    Missing,
    #[error("the signature or certificate is not valid base64")]
    Encoding,
    #[error("another card signed than the one signed in with")]
    NotSignInCard,
    #[error("the signature does not match the form as posted")]
    Mismatch,
    #[error("the challenge is unknown, used or expired")]
    ChallengeUnusable,
}

impl SignatureRefusal {
    /// The stable code written to the audit log.
    pub fn code(self) -> &'static str {
        match self {
            SignatureRefusal::Missing => "missing",
            SignatureRefusal::Encoding => "encoding",
            SignatureRefusal::NotSignInCard => "not_sign_in_card",
            SignatureRefusal::Mismatch => "mismatch",
            SignatureRefusal::ChallengeUnusable => "challenge_unusable",
        }
    }
}

impl FieldError for SignatureRefusal {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            SignatureRefusal::Missing => lang.pick(
                "本申請須以工商憑證簽章：請插入工商憑證 IC 卡，輸入工商憑證密碼後按「申請」（需啟用 JavaScript 並安裝跨平台網頁元件）。",
                "This application must be signed with your business certificate: insert the card, enter its PIN and press Apply (JavaScript and the card helper are needed).",
            ),
            SignatureRefusal::Encoding => lang.pick(
                "跨平台網頁元件傳回的簽章格式有誤，請重新按「申請」。",
                "The card helper's signature could not be read; please press Apply again.",
            ),
            SignatureRefusal::NotSignInCard => lang.pick(
                "簽章之工商憑證與登入時所用者不同，請以登入時之工商憑證簽章。",
                "Another card signed than the business certificate you signed in with; please sign with that card.",
            ),
            SignatureRefusal::Mismatch => lang.pick(
                "卡片簽章與申請內容不符（簽章後資料已變更），請重新按「申請」由卡片簽署。",
                "The card's signature does not match the form (it changed after signing); please press Apply to sign it again.",
            ),
            SignatureRefusal::ChallengeUnusable => lang.pick(
                "簽章已逾時（2 分鐘）或已使用，請重新按「申請」。",
                "The signature expired (2 minutes) or was already used; please press Apply again.",
            ),
        }
    }
}

/// A case's signature as the reviewer sees it, verified again when the page is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureCheck {
    /// The signer's name in the certificate, and its serial (upper-case hex).
    pub signer: String,
    pub serial: String,
    /// When the portal took the signature (with the case), ROC date-time.
    pub signed_at: String,
    /// Whether the signature verifies over the statement, the statement names the digest of
    /// the kept content, and that content is the case's.
    pub holds: bool,
}

/// When 申請 is pressed: checks the form of `kind` as posted and, if it is complete, answers
/// what the card is to sign (a challenge valid two minutes, drawn within the company's limit).
#[server(endpoint = "api_case_statement", input = server_fn::codec::Json)]
pub async fn api_case_statement(
    kind: String,
    posted: Vec<(String, String)>,
) -> Result<ToSign, PortalError> {
    server::to_sign(&kind, &posted).await
}

/// 4. 憑證資料's 工商憑證密碼 (PIN CODE), the rules (`children`, rendered by the server) and
/// the 申請 button of a form of `kind` (its code). Pressing 申請 asks the seed's question,
/// then has the card sign the form (see the module) and posts it with the signature; a form
/// with a wrong field is posted unsigned, so that the server names every error as it does
/// without JavaScript. Without JavaScript the form is posted unsigned and refused for it,
/// keeping everything typed. `error`: the server's refusal of the last signature.
#[island(lazy)]
pub fn SignedSubmit(
    kind: String,
    lang: Lang,
    /// The card helper's base URL.
    helper_url: String,
    error: Option<String>,
    children: Children,
) -> impl IntoView {
    use crate::components::helper_client::{CardReader, CardReaderStatus};
    use crate::services::sign_in::island::HolderFacts;
    use crate::services::sign_in::server::inspect_card;
    use crate::services::sign_in::SignInKind;
    use leptos::html;
    let card = CardReader::start(helper_url, lang, |certificate| {
        Box::pin(inspect_card(SignInKind::Company, certificate))
    });
    let pin_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(error);
    let busy = RwSignal::new(false);
    let pin_input = NodeRef::<html::Input>::new();
    // Three node refs of their own (`[NodeRef::new(); 3]` would copy one handle thrice).
    let signed: [NodeRef<html::Input>; 3] = std::array::from_fn(|_| NodeRef::new());
    let kind = StoredValue::new(kind);
    let on_click = move |event: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        browser::pressed(
            event,
            browser::Press {
                kind: kind.get_value(),
                lang,
                card,
                pin_input,
                pin_error,
                form_error,
                busy,
                signed,
            },
        );
        #[cfg(not(feature = "hydrate"))]
        let _ = (event, kind, card, pin_input, signed);
    };
    let [challenge, signature, signer] = signed;
    view! {
        <CardReaderStatus card lang />
        {move || match card.on_card.get() {
            Some((_, Ok(holder))) => view! { <HolderFacts card=holder lang /> }.into_any(),
            Some((_, Err(message))) => view! { <p class="notice warning" role="alert">{message}</p> }.into_any(),
            None => ().into_any(),
        }}
        <div class="field">
            <label for=PIN><span class="required" aria-hidden="true">"*"</span>{lang.pick("工商憑證密碼 (PIN CODE)", "Business certificate PIN (PIN CODE)")}</label>
            <span class="hint" id="pin-hint">{lang.pick(
                "按「申請」後，由工商憑證 IC 卡簽署本申請；密碼只送到您電腦上的跨平台網頁元件，不會傳送到本網站。",
                "When you press Apply, your business certificate card signs this application; the PIN goes only to the card helper on your computer, never to this website.",
            )}</span>
            // No name: the PIN is never posted.
            <input type="password" id=PIN maxlength="16" autocomplete="off" required node_ref=pin_input
                aria-invalid=move || if pin_error.get().is_some() { "true" } else { "false" }
                aria-describedby="pin-hint pin-error" />
            <span class="error" id="pin-error" aria-live="polite">{move || pin_error.get()}</span>
        </div>
        <noscript>
            <p class="notice warning">{lang.pick(
                "送出申請須由工商憑證 IC 卡簽章，請啟用瀏覽器的 JavaScript 並安裝跨平台網頁元件。",
                "Submitting needs your business certificate card's signature: please enable JavaScript and install the card helper.",
            )}</p>
        </noscript>
        <input type="hidden" name=CHALLENGE node_ref=challenge />
        <input type="hidden" name=SIGNATURE node_ref=signature />
        <input type="hidden" name=SIGNER node_ref=signer />
        {children()}
        <p class="form-error" role="alert">{move || form_error.get()}</p>
        <div class="buttons">
            <button type="submit" on:click=on_click disabled=move || busy.get()>
                {move || if busy.get() { lang.pick("簽章中…", "Signing…") } else { lang.pick("申請", "Apply") }}
            </button>
            {clear_button(lang)}
            <a class="button" href=super::APPLY_PATH>{lang.pick("返回", "Back")}</a>
        </div>
    }
}

/// The browser's side of [`SignedSubmit`].
#[cfg(feature = "hydrate")]
mod browser {
    use super::{api_case_statement, ToSign};
    use crate::components::buttons::{confirmed, entered_correctly};
    use crate::components::helper_client::{self as helper, CardReader};
    use crate::i18n::Lang;
    use crate::services::certificate::proof::take_pin;
    use crate::services::sign_in::CardHolder;
    use base64::{engine::general_purpose::STANDARD, Engine};
    use card_helper::protocol::SignRequest;
    use leptos::html;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    /// What one press of 申請 works with.
    pub(super) struct Press {
        pub kind: String,
        pub lang: Lang,
        pub card: CardReader<CardHolder>,
        pub pin_input: NodeRef<html::Input>,
        pub pin_error: RwSignal<Option<String>>,
        pub form_error: RwSignal<Option<String>>,
        pub busy: RwSignal<bool>,
        /// The challenge, signature and certificate fields, filled once the card signed.
        pub signed: [NodeRef<html::Input>; 3],
    }

    pub(super) fn pressed(event: leptos::ev::MouseEvent, press: Press) {
        let lang = press.lang;
        event.prevent_default();
        if press.busy.get_untracked() {
            return;
        }
        let Some(form) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlButtonElement>().ok())
            .and_then(|button| button.form())
        else {
            return;
        };
        // Nothing signed before (a page restored from the history) is posted again.
        for field in press.signed {
            if let Some(input) = field.get_untracked() {
                input.set_value("");
            }
        }
        let Some(pin) = take_pin(press.pin_input, press.pin_error, lang) else {
            return;
        };
        press.busy.set(true);
        press.form_error.set(None);
        leptos::task::spawn_local(async move {
            match press.sign(&form, pin).await {
                Ok(true) => {
                    let _ = form.submit();
                }
                Ok(false) => press.busy.set(false),
                Err(message) => {
                    press.form_error.set(Some(message));
                    press.busy.set(false);
                }
            }
        });
    }

    impl Press {
        /// Has the card sign the form (the server checks it first) and fills the signed
        /// fields; a form the server finds wrong is left unsigned. The seed's question
        /// (「請確認資料是否輸入正確?」) is asked once the server found every field right;
        /// `false` when the visitor chose 取消, with the PIN typed back for the next press.
        async fn sign(&self, form: &web_sys::HtmlFormElement, pin: String) -> Result<bool, String> {
            let lang = self.lang;
            let posted = posted(form).await;
            // Until the card is asked, the PIN typed stays in its field for the next press.
            let keep_pin = || {
                if let Some(input) = self.pin_input.get_untracked() {
                    input.set_value(&pin);
                }
            };
            let to_sign = match api_case_statement(self.kind.clone(), posted).await {
                Ok(to_sign) => to_sign,
                Err(error) => {
                    keep_pin();
                    return Err(error.message(lang));
                }
            };
            let ToSign::Statement {
                challenge,
                statement,
            } = to_sign
            else {
                return Ok(true);
            };
            if !confirmed(entered_correctly(lang)) {
                keep_pin();
                return Ok(false);
            }
            let request = SignRequest {
                challenge_b64: STANDARD.encode(statement),
                pin,
                reader: Some(self.card.reader.get_untracked()),
            };
            let signed = helper::sign(&self.card.base(), &request)
                .await
                .map_err(|failure| failure.message(lang))?;
            drop(request);
            let [challenge_field, signature_field, signer_field] = self.signed;
            for (field, value) in [
                (challenge_field, challenge),
                (signature_field, signed.signature_b64),
                (signer_field, signed.certificate_b64),
            ] {
                if let Some(input) = field.get_untracked() {
                    input.set_value(&value);
                }
            }
            Ok(true)
        }
    }

    /// The form's fields as the server's form reader makes them of a post: a file as the
    /// Base64 of its bytes, with its name as `<field>_name`.
    async fn posted(form: &web_sys::HtmlFormElement) -> Vec<(String, String)> {
        let mut fields = Vec::new();
        let Ok(data) = web_sys::FormData::new_with_form(form) else {
            return fields;
        };
        let Ok(Some(entries)) = js_sys::try_iter(&data) else {
            return fields;
        };
        for entry in entries.flatten() {
            let entry = js_sys::Array::from(&entry);
            let name = entry.get(0).as_string().unwrap_or_default();
            let value = entry.get(1);
            match value.dyn_into::<web_sys::File>() {
                Ok(file) => {
                    let bytes = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
                        .await
                        .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
                        .unwrap_or_default();
                    fields.push((format!("{name}_name"), file.name()));
                    fields.push((name, STANDARD.encode(bytes)));
                }
                Err(value) => fields.push((name, value.as_string().unwrap_or_default())),
            }
        }
        fields
    }
}

#[cfg(feature = "ssr")]
pub use server::{check, record, verify, CaseSignature};

#[cfg(feature = "ssr")]
mod server {
    use super::super::form::ApplicationForm;
    use super::super::store;
    use super::super::store::Company;
    use super::super::{CaseKind, CaseView};
    use super::{statement, SignatureCheck, SignatureRefusal, ToSign, CHALLENGE, PIN};
    use super::{SIGNATURE, SIGNER};
    use crate::cases::actor::Actor;
    use crate::cases::Code;
    use crate::domain::business_id::BusinessId;
    use crate::error::PortalError;
    use crate::forms::value;
    use crate::pki::{expect_business_id, CertificateError, Purpose};
    use crate::platform::{audit, auth, challenge, clock::roc_date_time, rate_limit, AppState};
    use base64::{engine::general_purpose::STANDARD, Engine};
    use serde::{Deserialize, Serialize};
    use sha2::{Digest, Sha256};
    use sqlx::{AnyConnection, Row};

    fn refused(refusal: SignatureRefusal) -> PortalError {
        PortalError::field(PIN, &refusal)
    }

    fn sha256_hex(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// The challenges of one company's submissions.
    fn purpose(business_id: &BusinessId) -> String {
        format!("api-case:{}", business_id.as_str())
    }

    /// What the company submits, as the card signs it: every field of the form once parsed
    /// (so the case keeps exactly what was signed), the company data the case records (as
    /// typed, or for the kinds that do not edit it as registered, which the form shows), the
    /// uploaded file by its digest, the agreement to the rules and the form's one-time token.
    /// Serialised as JSON, whose field order is fixed by this struct.
    #[derive(Serialize, Deserialize, PartialEq, Eq, Debug)]
    struct Content {
        kind: String,
        business_id: String,
        company: Option<Company>,
        text: String,
        certificate_sha256: Option<String>,
        agreed_to_rules: bool,
        form_token: String,
    }

    impl Content {
        fn of(
            form: &ApplicationForm,
            business_id: &BusinessId,
            company: Option<Company>,
        ) -> Content {
            Content {
                kind: form.kind.code().to_owned(),
                business_id: business_id.as_str().to_owned(),
                company,
                text: form.purpose.as_str().to_owned(),
                certificate_sha256: form.certificate.as_deref().map(sha256_hex),
                agreed_to_rules: true,
                form_token: form.token.clone(),
            }
        }

        fn json(&self) -> String {
            serde_json::to_string(self).expect("plain strings serialise")
        }

        /// Whether this content is the case's: its kind, company, text and company data.
        fn is_of(&self, case: &CaseView) -> bool {
            self.kind == case.kind.code()
                && self.business_id == case.business_id
                && self.text == case.purpose
                && self.company.as_ref().is_some_and(|company| {
                    company.name == case.company_name
                        && company.host_ip == case.host_ip
                        && company.contact == case.contact
                        && company.landline == case.landline
                        && company.mobile == case.mobile
                        && company.email == case.email
                })
        }
    }

    /// The company data a case of `form` records: as typed, or as registered (`None` if the
    /// company has no grant, when only a first application is offered).
    async fn company_data(
        state: &AppState,
        form: &ApplicationForm,
        business_id: &BusinessId,
    ) -> Result<Option<Company>, PortalError> {
        if let Some(typed) = &form.company {
            return Ok(Some(Company::typed(typed)));
        }
        let mut conn = state.db.pool.acquire().await?;
        Ok(match store::grant(&mut conn, business_id.as_str()).await? {
            Some(_) => Some(Company::registered(&mut conn, business_id.as_str()).await?),
            None => None,
        })
    }

    pub(super) async fn to_sign(
        kind: &str,
        posted: &[(String, String)],
    ) -> Result<ToSign, PortalError> {
        let (state, _, business_id) = super::super::signed_in_company().await?;
        let kind = CaseKind::from_code(kind).ok_or(PortalError::Forbidden)?;
        let Ok(form) = ApplicationForm::parse(kind, posted) else {
            return Ok(ToSign::Invalid);
        };
        if form.loopback_host(state.settings.development()).is_some() {
            return Ok(ToSign::Invalid);
        }
        // Counted per company, apart from the anonymous sign-in challenges of its address.
        let now = state.clock.unix();
        let bucket = format!("api-case-challenge:{}", business_id.as_str());
        if let Err(retry_after) = challenge::ISSUE_LIMIT
            .hit(&state.db.pool, &bucket, now)
            .await?
        {
            return Err(rate_limit::too_many_requests(retry_after));
        }
        let drawn = challenge::issue(&state.db.pool, now, &purpose(&business_id)).await?;
        let company = company_data(&state, &form, &business_id).await?;
        let digest = sha256_hex(Content::of(&form, &business_id, company).json().as_bytes());
        Ok(ToSign::Statement {
            statement: statement(&drawn.value, business_id.as_str(), kind, &digest),
            challenge: drawn.value,
        })
    }

    /// A submission's signature, checked but for its challenge, which the case's unit of work
    /// uses up ([`record`]).
    #[derive(Debug)]
    pub struct CaseSignature {
        challenge: String,
        challenge_purpose: String,
        content: String,
        content_sha256: String,
        statement: String,
        origin: String,
        signature: String,
        certificate: String,
        serial: String,
        signer: String,
        /// The company data signed.
        company: Option<Company>,
    }

    impl CaseSignature {
        /// How the audit log names it: the digest signed and the certificate that signed.
        pub fn audited(&self) -> (&str, &str) {
            (&self.content_sha256, &self.serial)
        }

        /// Refuses unless `company` is the company data that was signed: the registered data
        /// a form showed may have changed (an approved 登錄資料修改) between signing and the
        /// case's unit of work, which reads it again.
        pub fn covers(&self, company: &Company) -> Result<(), PortalError> {
            if self.company.as_ref() == Some(company) {
                Ok(())
            } else {
                Err(refused(SignatureRefusal::Mismatch))
            }
        }

        /// Refuses unless the case `case_id` (the one this form's token already made) kept
        /// a signature of this very content: a reload gets its receipt, another content
        /// under the same token does not.
        pub async fn resubmits(
            &self,
            conn: &mut AnyConnection,
            case_id: &str,
        ) -> Result<(), PortalError> {
            let kept: Option<String> = sqlx::query_scalar(
                "SELECT content_sha256 FROM api_case_signatures WHERE case_id = $1",
            )
            .bind(case_id)
            .fetch_optional(conn)
            .await?;
            match kept {
                Some(digest) if digest != self.content_sha256 => Err(PortalError::Refused {
                    zh_tw: "此申請表單已送出，請重新開啟申請頁面。".into(),
                    english:
                        "This form was already submitted; please open the application page again."
                            .into(),
                }),
                _ => Ok(()),
            }
        }
    }

    /// Checks the card's signature posted with `form`: the certificate is a business
    /// certificate of `business_id` that passes every check now, it is the one this session
    /// signed in with, and it signed the statement rebuilt from the form as posted.
    pub async fn verify(
        state: &AppState,
        business_id: &BusinessId,
        form: &ApplicationForm,
        posted: &[(String, String)],
    ) -> Result<CaseSignature, PortalError> {
        match verified(state, business_id, form, posted).await {
            Ok(signature) => Ok(signature),
            Err(Refusal::Unaudited(error) | Refusal::Fault(error)) => Err(error),
            // A signature that does not hold is the company's card, or someone in its
            // session, trying: audited under the company, with the reason, up to
            // [`audit::REFUSALS`]; past it the company waits, and the log is not flooded.
            Err(Refusal::Audited(code, error)) => {
                let actor = Actor::company(business_id.as_str(), auth::source_ip());
                let event = actor.event(
                    "api_case.signature_refused",
                    form.kind.code(),
                    &serde_json::json!({ "reason": code }),
                );
                let bucket = format!("api-case-refusal:{}", business_id.as_str());
                audit::record_refusal(&state.db, state.clock.unix(), &bucket, &event).await?;
                Err(error)
            }
        }
    }

    /// Why a posted signature was not taken.
    enum Refusal {
        /// Nothing was signed (no JavaScript), or the server could not check the certificate
        /// (its revocation list): nobody tried anything.
        Unaudited(PortalError),
        /// A signature that does not hold, with its stable reason.
        Audited(String, PortalError),
        Fault(PortalError),
    }

    impl From<PortalError> for Refusal {
        fn from(error: PortalError) -> Refusal {
            Refusal::Fault(error)
        }
    }

    fn audited(refusal: SignatureRefusal) -> Refusal {
        Refusal::Audited(refusal.code().to_owned(), refused(refusal))
    }

    async fn verified(
        state: &AppState,
        business_id: &BusinessId,
        form: &ApplicationForm,
        posted: &[(String, String)],
    ) -> Result<CaseSignature, Refusal> {
        let (challenge, signature, certificate) = (
            value(posted, CHALLENGE).trim(),
            value(posted, SIGNATURE).trim(),
            value(posted, SIGNER).trim(),
        );
        if challenge.is_empty() || signature.is_empty() || certificate.is_empty() {
            return Err(Refusal::Unaudited(refused(SignatureRefusal::Missing)));
        }
        let (Ok(signature_bytes), Ok(der)) =
            (STANDARD.decode(signature), STANDARD.decode(certificate))
        else {
            return Err(audited(SignatureRefusal::Encoding));
        };
        let now = state.clock.unix();
        let checked = state
            .trust
            .current()
            .check_certificate(&der, Purpose::BusinessCard, now)
            .and_then(|checked| expect_business_id(&checked, business_id).map(|()| checked))
            .map_err(|error| match error {
                CertificateError::CrlUnavailable | CertificateError::CrlStale => {
                    Refusal::Unaudited(PortalError::field(PIN, &error))
                }
                // The certificate's own refusal, named as card sign-in names it.
                _ => Refusal::Audited(format!("{error:?}"), PortalError::field(PIN, &error)),
            })?;
        if auth::session_certificate(state).await?.as_deref() != Some(checked.der()) {
            return Err(audited(SignatureRefusal::NotSignInCard));
        }
        let company = company_data(state, form, business_id).await?;
        let content = Content::of(form, business_id, company.clone()).json();
        let content_sha256 = sha256_hex(content.as_bytes());
        let statement = statement(challenge, business_id.as_str(), form.kind, &content_sha256);
        let origin = state.settings.public_origin.clone();
        checked
            .verify_signature(
                &card_helper::protocol::signed_message(&origin, statement.as_bytes()),
                &signature_bytes,
            )
            .map_err(|_| audited(SignatureRefusal::Mismatch))?;
        Ok(CaseSignature {
            challenge: challenge.to_owned(),
            challenge_purpose: purpose(business_id),
            content,
            content_sha256,
            statement,
            origin,
            signature: signature.to_owned(),
            certificate: STANDARD.encode(checked.der()),
            serial: checked.serial_hex().to_uppercase(),
            signer: checked.subject_name().unwrap_or_default().to_owned(),
            company,
        })
    }

    /// Uses the signature's challenge up and keeps the signature with case `case_id`, in the
    /// case's unit of work: a challenge signs one case, and a case is never kept without its
    /// signature.
    pub async fn record(
        conn: &mut AnyConnection,
        case_id: &str,
        signature: &CaseSignature,
        now: i64,
    ) -> Result<(), PortalError> {
        challenge::consume(
            &mut *conn,
            now,
            &signature.challenge,
            &signature.challenge_purpose,
        )
        .await?
        .map_err(|_| refused(SignatureRefusal::ChallengeUnusable))?;
        sqlx::query(
            "INSERT INTO api_case_signatures (case_id, content, content_sha256, statement, \
             origin, signature, certificate, certificate_serial, signer, signed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(case_id)
        .bind(&signature.content)
        .bind(&signature.content_sha256)
        .bind(&signature.statement)
        .bind(&signature.origin)
        .bind(&signature.signature)
        .bind(&signature.certificate)
        .bind(&signature.serial)
        .bind(&signature.signer)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// The signature kept with `case`, verified again from what is kept: `None` for a case
    /// submitted before submissions were signed.
    pub async fn check(
        state: &AppState,
        case: &CaseView,
    ) -> Result<Option<SignatureCheck>, PortalError> {
        let row = sqlx::query(
            "SELECT content, content_sha256, statement, origin, signature, certificate, \
             certificate_serial, signer, signed_at FROM api_case_signatures WHERE case_id = $1",
        )
        .bind(&case.id)
        .fetch_optional(&state.db.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let text = |column: &str| row.try_get::<String, _>(column);
        let (content, digest, statement) = (
            text("content")?,
            text("content_sha256")?,
            text("statement")?,
        );
        let certificate = STANDARD
            .decode(text("certificate")?)
            .ok()
            .and_then(|der| crate::pki::UncheckedCertificate::read(&der));
        let signature = STANDARD.decode(text("signature")?).unwrap_or_default();
        let signed = card_helper::protocol::signed_message(&text("origin")?, statement.as_bytes());
        // The statement is exactly the one this case's company, kind and content make.
        let rebuilt = statement
            .lines()
            .find_map(|line| line.strip_prefix("challenge="))
            .map(|challenge| super::statement(challenge, &case.business_id, case.kind, &digest));
        let holds = sha256_hex(content.as_bytes()) == digest
            && rebuilt.as_deref() == Some(statement.as_str())
            && serde_json::from_str::<Content>(&content).is_ok_and(|content| content.is_of(case))
            && certificate
                .as_ref()
                .is_some_and(|certificate| certificate.verifies(&signed, &signature));
        Ok(Some(SignatureCheck {
            signer: text("signer")?,
            serial: certificate
                .as_ref()
                .map(|certificate| certificate.serial_hex.to_uppercase())
                .unwrap_or_default(),
            signed_at: roc_date_time(row.try_get("signed_at")?),
            holds,
        }))
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::forms::testing::posted;

        fn content(pairs: &[(&str, &str)]) -> String {
            let form = ApplicationForm::parse(CaseKind::Certificate, &posted(pairs)).unwrap();
            let id = BusinessId::parse("24941832").unwrap();
            Content::of(&form, &id, None).json()
        }

        #[test]
        fn a_3_the_content_signed_names_every_field_the_file_and_the_token() {
            let base = [
                ("purpose", "上傳非IC卡憑證"),
                ("agree", "yes"),
                ("certificate", "LS0tLS0="),
                ("token", "t-1"),
            ];
            assert_eq!(
                content(&base),
                format!(
                    "{{\"kind\":\"certificate\",\"business_id\":\"24941832\",\"company\":null,\
                     \"text\":\"上傳非IC卡憑證\",\"certificate_sha256\":\"{}\",\
                     \"agreed_to_rules\":true,\"form_token\":\"t-1\"}}",
                    sha256_hex(b"-----")
                )
            );
            for (field, other) in [
                ("purpose", "另一目的"),
                ("certificate", "LS0tLQ=="),
                ("token", "t-2"),
            ] {
                let changed: Vec<_> = base
                    .iter()
                    .map(|&(k, v)| if k == field { (k, other) } else { (k, v) })
                    .collect();
                assert_ne!(content(&changed), content(&base), "{field}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_2_the_statement_names_challenge_company_kind_and_digest_once_each() {
        let text = statement("c", "24941832", CaseKind::Modify, "ab");
        assert_eq!(
            text,
            "huji-api-case/1\nchallenge=c\nbusiness_id=24941832\nkind=modify\ncontent-sha256=ab\n"
        );
        assert_ne!(text, statement("c", "24941832", CaseKind::Deactivate, "ab"));
    }
}
