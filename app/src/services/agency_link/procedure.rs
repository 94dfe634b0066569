//! `/agency-link/procedure`: the public page an agency reads before it applies (seed 001's
//! 申請程序 and 流程圖說明): the documents each case files, and the 20 steps with who takes
//! each, after which steps, for which interfaces and in how many working days — drawn from the
//! workflow declaration ([`Linking`]), so the page says what the portal enforces.

use super::cases::{DataKind, Interface, Linking, Step, COUNTY};
use super::documents::{size_label, DocumentKind, MAX_BYTES};
use super::{AGENCY_PATH, APPLY_PATH};
use crate::cases::workflow::Workflow;
use crate::cases::{Code, Party};
use crate::i18n::Lang;
use crate::services::staff::role::Role;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;

/// Where the page is.
pub const PROCEDURE_PATH: &str = "/agency-link/procedure";

/// The name of `party` as the seed names it: the county unit by a case's data kind, or with
/// no case (this page) by the seed's collective name for both units.
pub fn party_name(party: Party, data_kind: Option<DataKind>, lang: Lang) -> &'static str {
    match (party, data_kind) {
        (Party::Agency, _) => lang.pick("申請機關", "The agency"),
        (COUNTY, Some(kind)) => kind.county_unit(lang),
        (COUNTY, None) => lang.pick(
            "直轄市、縣(市)戶役政單位",
            "The county unit (civil affairs or military service)",
        ),
        (Party::Staff(Role::MinistryReviewer), _) => {
            lang.pick("戶政司", "Department of Household Registration")
        }
        (Party::Staff(Role::InformationServices), _) => {
            lang.pick("資訊服務司", "Department of Information Services")
        }
        (Party::Staff(Role::ChtEngineer), _) => lang.pick("中華電信", "Chunghwa Telecom"),
        (other, _) => other.code(),
    }
}

/// When a document is filed, as the seed says.
fn filed_when(kind: DocumentKind, lang: Lang) -> &'static str {
    match kind {
        DocumentKind::ApplicationForm => lang.pick(
            "依申請介面填寫之申請表，用印後掃描",
            "The form of the interface applied for, sealed and scanned",
        ),
        DocumentKind::ItemTable | DocumentKind::ManagementRules => {
            lang.pick("每件申請", "Every application")
        }
        DocumentKind::SecurityAgreement => lang.pick(
            "申請戶籍資料者，經資通安全長審查",
            "Household data: reviewed by the agency's chief information security officer",
        ),
        DocumentKind::GsnVpn => lang.pick(
            "首次申請連結介面、API 或電子閘門(GSN VPN)者",
            "A first link over the GSN VPN (link interface, API or e-gate via VPN)",
        ),
    }
}

#[component]
pub fn AgencyLinkProcedurePage() -> impl IntoView {
    let lang = current_lang();
    let title = lang.pick("機關連結申請程序", "How an agency applies to link");
    let forms = Interface::ALL
        .iter()
        .map(|interface| view! { <li>{interface.label(lang)}{"："}{interface.form_title()}</li> })
        .collect_view();
    let documents = DocumentKind::ALL
        .iter()
        .copied()
        .map(|kind| {
            view! {
                <tr>
                    <td data-label=lang.pick("文件", "Document")>{kind.label(lang)}</td>
                    <td data-label=lang.pick("應備情形", "When")>{filed_when(kind, lang)}</td>
                </tr>
            }
        })
        .collect_view();
    let steps = Linking::STEPS
        .iter()
        .map(|rule| {
            let by = rule
                .by
                .iter()
                .map(|party| party_name(*party, None, lang))
                .collect::<Vec<_>>()
                .join("、");
            let after = rule
                .after
                .iter()
                .map(|step| step_number(*step).to_string())
                .collect::<Vec<_>>()
                .join("、");
            let applies = rule
                .applies
                .as_ref()
                .map_or(lang.pick("全部", "All"), |applies| applies.name);
            let days = match rule.due_working_days {
                0 => "—".to_owned(),
                days => days.to_string(),
            };
            view! {
                <tr>
                    <td data-label=lang.pick("步驟", "Step")>{rule.step.label(lang)}</td>
                    <td data-label=lang.pick("辦理單位", "Taken by")>{by}</td>
                    <td data-label=lang.pick("前置步驟", "After steps")>{if after.is_empty() { "—".to_owned() } else { after }}</td>
                    <td data-label=lang.pick("適用介面", "Interfaces")>{applies}</td>
                    <td class="number" data-label=lang.pick("處理期限（工作天）", "Working days")>{days}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <p class="lead">{lang.pick(
            "申請機關依規定申請應用戶役政資訊系統連結作業，填寫相關申請文件，提交各直轄市、縣(市)民政局(處)（戶籍資料）及役政單位（兵籍資料）審核，完成申請程序經連結測試通過後，即可實際連結取得資料。",
            "An agency entitled by law applies to link one of its systems to the household registration system: it files the documents with the county's civil affairs bureau (household data) or military service unit (military data), and once the steps below are done and the connection test passes, its system may query the approved data.",
        )}</p>
        <ul class="service-list">
            <li><a href=APPLY_PATH>{lang.pick("提出連結申請（機關憑證登入）", "Apply (sign in with the agency certificate)")}</a></li>
            <li><a href=AGENCY_PATH>{lang.pick("申請案件辦理及進度", "Cases and progress")}</a></li>
            <li><a href="/integration/agency/openapi.json" rel="external">{lang.pick("機關連結 API 規格（OpenAPI）", "The linked-agency API (OpenAPI)")}</a></li>
        </ul>
        <h2>{lang.pick("申請介面及申請表", "Interfaces and their forms")}</h2>
        <ul>{forms}</ul>
        <h2>{lang.pick("申請文件", "Documents")}</h2>
        <p>{lang.pick("每份文件以 PDF 上傳，大小以 ", "Each document is uploaded as a PDF of at most ")}{size_label(MAX_BYTES as i64, lang)}{lang.pick(" 為限。", ".")}</p>
        <table class="data">
            <caption>{lang.pick("應備文件", "What to file")}</caption>
            <thead><tr>
                <th scope="col">{lang.pick("文件", "Document")}</th>
                <th scope="col">{lang.pick("應備情形", "When")}</th>
            </tr></thead>
            <tbody>{documents}</tbody>
        </table>
        <h2>{lang.pick("申請程序", "The steps")}</h2>
        <p>{lang.pick(
            "各步驟於前置步驟完成後由辦理單位於案件頁面辦理；不適用於申請介面之步驟略過。審核中之步驟（2、3、5、6）得退回申請機關補正，申請機關於實際連結前得撤回申請。",
            "Each step is taken on the case page by its party once the steps before it are done; a step that does not apply to the interface is skipped. The reviewing steps (2, 3, 5, 6) may send the case back to the agency, and the agency may withdraw before going live.",
        )}</p>
        <table class="data procedure">
            <caption>{lang.pick("機關連結申請程序（20 步驟）", "The 20 steps")}</caption>
            <thead><tr>
                <th scope="col">{lang.pick("步驟", "Step")}</th>
                <th scope="col">{lang.pick("辦理單位", "Taken by")}</th>
                <th scope="col">{lang.pick("前置步驟", "After steps")}</th>
                <th scope="col">{lang.pick("適用介面", "Interfaces")}</th>
                <th scope="col">{lang.pick("處理期限（工作天）", "Working days")}</th>
            </tr></thead>
            <tbody>{steps}</tbody>
        </table>
        <p><a class="button start" href=APPLY_PATH>{lang.pick("開始申請", "Start your application")}</a></p>
    }
}

/// A step's number in the seed ("s06" → 6).
fn step_number(step: Step) -> u32 {
    step.code()[1..].parse().unwrap_or_default()
}
