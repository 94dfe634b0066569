//! 查詢憑證簽發情形 (C-6): anyone can enter a citizen-certificate IC card number and see the
//! certificate's content and validity, never the holder's ID number.

use super::cases::CertificateStatus;
use crate::components::field::{FieldSpec, TextField};
use crate::domain::{card_number::CardNumber, field_kind::FieldKind};
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// A certificate's state as the status look-up reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertificateState {
    /// 有效
    Valid,
    /// 停用 (suspended; can be resumed)
    Suspended,
    /// 廢止 (revoked; final)
    Revoked,
    /// 已逾期
    Expired,
    /// 待開卡: a renewed card mailed to the holder, not activated online yet (C-4).
    AwaitingActivation,
}

impl CertificateState {
    /// The state of a recorded certificate (`status`, waiting for 開卡 or not, expiring at
    /// `not_after`) at `now`.
    pub fn of(
        status: CertificateStatus,
        awaiting_activation: bool,
        not_after: i64,
        now: i64,
    ) -> Self {
        match status {
            CertificateStatus::Revoked => CertificateState::Revoked,
            // Past its end a suspended certificate cannot come back.
            _ if now >= not_after => CertificateState::Expired,
            CertificateStatus::Suspended => CertificateState::Suspended,
            _ if awaiting_activation => CertificateState::AwaitingActivation,
            _ => CertificateState::Valid,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            CertificateState::Valid => lang.pick("有效", "Valid"),
            CertificateState::Suspended => lang.pick("停用", "Suspended"),
            CertificateState::Revoked => lang.pick("廢止", "Revoked"),
            CertificateState::Expired => lang.pick("已逾期", "Expired"),
            CertificateState::AwaitingActivation => {
                lang.pick("待開卡", "Mailed, not activated yet")
            }
        }
    }
}

/// What the public may see of a certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateSummary {
    pub card_number: String,
    /// Whether the holder lets the certificate be published (憑證公佈狀態, C-5).
    pub published: bool,
    /// The holder's name, the certificate's subject commonName (recorded only when it matched
    /// the registry, C-2); only when published.
    pub holder: Option<String>,
    /// Upper-case hexadecimal, as certificate viewers show it.
    pub serial: String,
    pub issuer: String,
    /// ROC date-times, as the CA's site shows them.
    pub not_before: String,
    pub not_after: String,
    pub state: CertificateState,
}

#[server]
pub async fn look_up_certificate(card: String) -> Result<Option<CertificateSummary>, PortalError> {
    let card = CardNumber::parse(&card).map_err(|e| PortalError::field("card", &e))?;
    let state = expect_context::<crate::platform::AppState>();
    Ok(super::store::summary_by_card(&state.db.pool, &card, state.clock.unix()).await?)
}

#[component]
pub fn CertificateStatusPage() -> impl IntoView {
    let lang = current_lang();
    let query = use_query_map();
    let submitted = move || query.read().get("card");
    // Only a well-formed number goes to the server; the same parser decides on both sides.
    let lookup = Resource::new(
        move || submitted().filter(|c| CardNumber::parse(c).is_ok()),
        |card| async move {
            match card {
                Some(card) => look_up_certificate(card).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let title = lang.pick(
        "自然人憑證 IC 卡號查詢",
        "Citizen certificate status look-up",
    );
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <p>
            {lang.pick(
                "輸入憑證 IC 卡號（卡片正面），查詢憑證內容及有效期限。",
                "Enter the IC card number printed on the front of the card to see the certificate and its validity.",
            )}
        </p>
        <form method="get" action="/certificate/status" class="card-form" novalidate>
            {move || {
                let value = submitted().unwrap_or_default();
                let submitted_error = submitted()
                    .and_then(|v| FieldKind::CardNumber.check(&v, lang))
                    .map(str::to_owned);
                let spec = FieldSpec {
                    name: "card".into(),
                    label: lang.pick("憑證 IC 卡號", "IC card number").into(),
                    hint: Some(
                        lang.pick(
                            "2 個英文字母加 14 個數字，例如 TP03000000012345",
                            "2 letters and 14 digits, e.g. TP03000000012345",
                        )
                        .into(),
                    ),
                    kind: FieldKind::CardNumber,
                    required: true,
                    maxlength: Some(24),
                    secret: false,
                };
                view! { <TextField spec lang value submitted_error /> }
            }}
            <div class="buttons">
                <button type="submit">{lang.pick("查詢", "Look up")}</button>
            </div>
        </form>
        <Transition fallback=move || view! { <p>{lang.pick("查詢中…", "Looking up…")}</p> }>
            {move || lookup.get().map(|result| view! { <LookupResult result lang /> })}
        </Transition>
    }
}

#[component]
fn LookupResult(
    result: Result<Option<Option<CertificateSummary>>, PortalError>,
    lang: Lang,
) -> impl IntoView {
    match result {
        Ok(None) => ().into_any(),
        Ok(Some(None)) => view! {
            <section class="result not-found" aria-live="polite">
                <h2>{lang.pick("查無資料", "Not found")}</h2>
                <p>{lang.pick("查無此 IC 卡號的憑證，請確認卡號是否正確。", "No certificate has this card number. Please check the number.")}</p>
            </section>
        }
        .into_any(),
        Ok(Some(Some(found))) => view! {
            <section class="result" aria-live="polite">
                <h2>{lang.pick("查詢結果", "Result")}</h2>
                <dl class="facts">
                    <dt>{lang.pick("IC 卡號", "Card number")}</dt><dd>{found.card_number}</dd>
                    <dt>{lang.pick("憑證用戶姓名", "Holder")}</dt><dd>{match (found.published, found.holder) {
                        (false, _) => lang.pick("（憑證用戶設定不公佈）", "(not published at the holder's request)").to_owned(),
                        (true, name) => name.unwrap_or_else(|| "—".to_owned()),
                    }}</dd>
                    <dt>{lang.pick("憑證序號", "Serial number")}</dt><dd>{found.serial}</dd>
                    <dt>{lang.pick("簽發者", "Issuer")}</dt><dd>{found.issuer}</dd>
                    <dt>{lang.pick("有效起始日期", "Valid from")}</dt><dd>{found.not_before}</dd>
                    <dt>{lang.pick("有效迄止日期", "Valid until")}</dt><dd>{found.not_after}</dd>
                    <dt>{lang.pick("憑證狀態", "Status")}</dt><dd>{found.state.label(lang)}</dd>
                </dl>
            </section>
        }
        .into_any(),
        Err(error) => view! {
            <section class="result not-found" role="alert">
                <p>{error.message(lang)}</p>
            </section>
        }
        .into_any(),
    }
}
