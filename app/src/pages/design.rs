//! `/design`: every component of the design system (docs/design.md) on one page, with the
//! same code the services use, for whoever builds or reviews a page. A development portal's
//! only (served over plain `http://`, [`PortalSettings::development`]); elsewhere it is not
//! found.
//!
//! [`PortalSettings::development`]: crate::settings::PortalSettings::development

use crate::cases::timeline::TimelineEntry;
use crate::components::buttons::{asks_first, ClearButton, Look};
use crate::components::field::{FieldSpec, TextField};
use crate::components::refusal::ErrorSummary;
use crate::components::steps::{Flow, Steps};
use crate::components::table::rows_or_none;
use crate::components::timeline::CaseTimeline;
use crate::domain::{field_kind::FieldKind, national_id::NationalId};
use crate::error::PortalError;
use crate::pages::not_found::NotFound;
use crate::settings::portal_settings;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;

pub const PATH: &str = "/design";

/// The colour tokens of `style/main.css`: name, value, use.
const TOKENS: [(&str, &str, &str); 9] = [
    ("--ink", "#1b1b1b", "本文 body text"),
    ("--muted", "#555", "提示 hints"),
    (
        "--brand",
        "#1f4e79",
        "連結、主要按鈕 links, primary buttons",
    ),
    ("--brand-dark", "#163a5a", "標題 headings"),
    ("--error", "#b00020", "錯誤、破壞性動作 errors, destructive"),
    ("--ok", "#1e6b34", "完成、開始 done, start"),
    ("--warn", "#7a4a00", "警告 warnings"),
    ("--line", "#c9d3de", "框線 rules"),
    ("--bg", "#f6f8fa", "表單底色 form background"),
];

const SAMPLE_FLOW: &Flow = &[
    ("填寫申請資料", "Fill in the form"),
    ("確認送出", "Check and send"),
    ("申請完成", "Done"),
];

#[component]
pub fn DesignPage() -> impl IntoView {
    if !portal_settings().development() {
        return view! { <NotFound /> }.into_any();
    }
    let lang = current_lang();
    let field = |name: &str, label: &str, kind: FieldKind| FieldSpec {
        name: name.to_owned(),
        label: label.to_owned(),
        hint: Some(lang.pick("例：A123456789", "e.g. A123456789").to_owned()),
        kind,
        required: true,
        maxlength: Some(10),
        secret: false,
    };
    // A field as the server shows it after refusing what was typed.
    let refused = match NationalId::parse("A1") {
        Err(error) => PortalError::field("design-id", &error),
        Ok(_) => PortalError::Unavailable,
    };
    let errors = vec![refused.clone()];
    let submitted_error = Some(refused.message(lang));
    view! {
        <Title text=lang.pick("設計系統", "Design system") />
        <h1>{lang.pick("設計系統", "Design system")}</h1>
        <p class="lead">{lang.pick(
            "入口網站的每個元件，以服務頁面所用的同一程式碼呈現（僅開發環境）。說明見 docs/design.md。",
            "Every component of the portal, drawn by the code the services use (development only). See docs/design.md.",
        )}</p>

        <h2 id="typography">{lang.pick("字體", "Type")}</h2>
        <h3>{lang.pick("三級標題：真正的粗體字", "A third-level heading: a real bold")}</h3>
        <p>{lang.pick(
            "本文使用系統的繁體中文字型；標題、欄位名稱與表頭使用入口網站提供的思源黑體粗體。日期以民國年表示：112/11/17 14:35:04。",
            "Text is set in the system's Traditional Chinese face; headings, labels and table headings in the portal's own Noto Sans CJK TC Bold. Dates are ROC dates: 112/11/17 14:35:04.",
        )}</p>
        <p class="hint">{lang.pick("提示文字（--muted）", "Hint text (--muted)")}</p>

        <h2 id="colours">{lang.pick("色彩", "Colour")}</h2>
        <table class="data">
            <thead><tr>
                <th scope="col">{lang.pick("色票", "Swatch")}</th>
                <th scope="col">{lang.pick("名稱", "Token")}</th>
                <th scope="col">{lang.pick("色碼", "Value")}</th>
                <th scope="col">{lang.pick("用途", "Use")}</th>
            </tr></thead>
            <tbody>
                {TOKENS.into_iter().map(|(token, value, used)| view! {
                    <tr>
                        <td data-label=lang.pick("色票", "Swatch")>
                            <svg width="24" height="24" aria-hidden="true">
                                <rect width="23" height="23" x="0.5" y="0.5" fill=value stroke="#767676" />
                            </svg>
                        </td>
                        <td data-label=lang.pick("名稱", "Token")><code>{token}</code></td>
                        <td data-label=lang.pick("色碼", "Value")><code>{value}</code></td>
                        <td data-label=lang.pick("用途", "Use")>{used}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>

        <h2 id="buttons">{lang.pick("按鈕", "Buttons")}</h2>
        <form method="get" action=PATH class="card-form">
            <div class="buttons">
                {asks_first(lang.pick("核准", "Approve"), lang.pick("確定核准此案件?", "Approve this case?"), Look::Primary, None)}
                {asks_first(lang.pick("通知補正資料", "Ask for corrections"), lang.pick("確定通知補正資料?", "Ask for corrections?"), Look::Warning, None)}
                {asks_first(lang.pick("駁回", "Reject"), lang.pick("確定駁回此案件?", "Reject this case?"), Look::Destructive, None)}
                <button type="button" class="secondary">{lang.pick("次要動作", "Secondary")}</button>
                <ClearButton lang />
            </div>
            <p><a class="button start" href="/">{lang.pick("開始申請", "Start your application")}</a></p>
            <p><a href="/">{lang.pick("一般連結", "A link")}</a></p>
        </form>

        <h2 id="forms">{lang.pick("欄位與錯誤摘要", "Fields and the error summary")}</h2>
        <ErrorSummary errors lang />
        <form method="get" action=PATH class="card-form" novalidate>
            <TextField
                spec=field("design-id", lang.pick("國民身分證統一編號", "National ID number"), FieldKind::NationalId)
                lang
                value="A1".to_owned()
                submitted_error
            />
        </form>

        <h2 id="notices">{lang.pick("通知", "Notices")}</h2>
        <div class="notice" role="status"><p>{lang.pick("資訊：已寄出通知信。", "Information: the mail was sent.")}</p></div>
        <div class="notice done" role="status"><p>{lang.pick("完成：案件已核准。", "Success: the case is approved.")}</p></div>
        <div class="notice warning" role="status"><p>{lang.pick("警告：一人僅能持有一張有效之自然人憑證。", "Warning: one person holds one valid certificate.")}</p></div>
        <div class="notice error" role="status"><p>{lang.pick("錯誤：查無此卡片憑證之簽發紀錄。", "Error: no certificate was issued on this card.")}</p></div>

        <h2 id="steps">{lang.pick("步驟指示", "Step indicator")}</h2>
        <Steps flow=SAMPLE_FLOW current=1 lang />

        <h2 id="tables">{lang.pick("表格", "Tables")}</h2>
        <table class="data">
            <caption>{lang.pick("手機上每列成為一張卡片", "On a phone each row becomes a card")}</caption>
            <thead><tr>
                <th scope="col">{lang.pick("案件編號", "Case")}</th>
                <th scope="col">{lang.pick("申請日期", "Filed")}</th>
                <th scope="col">{lang.pick("案件狀態", "Status")}</th>
            </tr></thead>
            <tbody>
                <tr>
                    <td data-label=lang.pick("案件編號", "Case")>"S1151202-000001"</td>
                    <td data-label=lang.pick("申請日期", "Filed")>"115/12/02 09:30:00"</td>
                    <td data-label=lang.pick("案件狀態", "Status")>{lang.pick("審查中", "Under review")}</td>
                </tr>
            </tbody>
        </table>
        <table class="data">
            <caption>{lang.pick("查無資料時", "When nothing was found")}</caption>
            <thead><tr>
                <th scope="col">{lang.pick("日期", "Date")}</th>
                <th scope="col">{lang.pick("次數", "Calls")}</th>
            </tr></thead>
            <tbody>{rows_or_none(Vec::<()>::new(), 2, lang)}</tbody>
        </table>

        <h2 id="summary-list">{lang.pick("摘要清單", "Summary list")}</h2>
        <dl class="facts">
            <dt>{lang.pick("公司名稱", "Company")}</dt><dd>"範例科技股份有限公司"</dd>
            <dt>{lang.pick("營利事業統一編號", "Business ID")}</dt><dd>"04595257"</dd>
        </dl>

        <CaseTimeline entries=vec![TimelineEntry {
            at: "115/12/02 09:30:00".to_owned(),
            action: lang.pick("送出申請", "Filed").to_owned(),
            from: None,
            to: lang.pick("審查中", "Under review").to_owned(),
            actor: lang.pick("申請公司", "The company").to_owned(),
            note: None,
        }] lang />

        <h2 id="header">{lang.pick("頁首", "Header")}</h2>
        <p>{lang.pick(
            "每頁頁首顯示登入者（公司、機關、工作人員或民眾）與「登出」；首頁為服務開始頁，依服務群組以卡片呈現。",
            "Every page's header shows who is signed in (a company, an agency, staff or a citizen) with 登出; the home page is the service-start page, a card for each group of services.",
        )}</p>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    #[test]
    fn issue_24_the_design_pages_tokens_are_the_stylesheets() {
        let css = include_str!("../../../style/main.css");
        for (token, value, _) in super::TOKENS {
            assert!(
                css.contains(&format!("{token}: {value};")),
                "{token} is not {value} in style/main.css"
            );
        }
    }
}
