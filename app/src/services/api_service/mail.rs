//! The API service's mail (F-7), in zh-TW and English: one template per message, queued by
//! the store in the transaction of the change it reports.

use super::cases::{CaseKind, CaseStatus, GrantAction};
use super::{CaseView, GrantView};
use crate::cases::work::Mail;
use crate::cases::Code;
use crate::i18n::Lang::{English, ZhTw};

const SERVICE: &str = "國民身分證領補換資料查驗作業API介接服務";

/// To the company: its case was received (or its certificate taken).
pub struct Received<'a> {
    pub case: &'a CaseView,
}

impl Mail for Received<'_> {
    fn to(&self) -> &str {
        &self.case.email
    }

    fn subject(&self) -> String {
        let (result_zh, _) = self.result();
        format!(
            "{SERVICE} {} {result_zh} / {}",
            self.case.kind.label(ZhTw),
            self.case.kind.label(English)
        )
    }

    fn body(&self) -> String {
        let (result_zh, result_en) = self.result();
        format!(
            "{name} 您好：\n\n貴公司於 {when} 申請「{kind_zh}」，申請結果：{result_zh}。\n案件編號：{number}（S/N：{id}）\n\
             審核結果將另以電子郵件通知；進度可於「API介接服務進度查詢」查詢。\n\n\
             Your {kind_en} of {when} was {result_en}. Case number: {number} (S/N {id})\n\
             The result of a review is sent by e-mail; follow your cases under \"API service progress\".\n",
            name = self.case.company_name,
            when = self.case.submitted_at,
            kind_zh = self.case.kind.label(ZhTw),
            kind_en = self.case.kind.label(English),
            id = self.case.id,
            number = self.case.number,
        )
    }
}

impl Received<'_> {
    fn result(&self) -> (&'static str, &'static str) {
        match self.case.status {
            CaseStatus::Uploaded => ("上傳成功", "uploaded"),
            _ => ("已受理", "received; it will be reviewed"),
        }
    }
}

/// What the review desk is told of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeskNews {
    /// It waits for review.
    New,
    /// The company cancelled it: it left the queue.
    Cancelled,
}

/// To the review desk: a case joined or left its queue.
pub struct ToDesk<'a> {
    pub desk: &'a str,
    pub case: &'a CaseView,
    pub news: DeskNews,
}

impl Mail for ToDesk<'_> {
    fn to(&self) -> &str {
        self.desk
    }

    fn subject(&self) -> String {
        let news = match self.news {
            DeskNews::New => "新案件",
            DeskNews::Cancelled => "案件已取消",
        };
        format!(
            "[API介接服務] {news} {}：{}",
            self.case.kind.label(ZhTw),
            self.case.company_name
        )
    }

    fn body(&self) -> String {
        let (headline, closing) = match self.news {
            DeskNews::New => (
                "新案件待審核 / A new case is waiting for review.",
                "審核時間以10個工作日為原則。\n",
            ),
            DeskNews::Cancelled => (
                "申請人已取消案件，無須審核 / The company cancelled this case: no review is needed.",
                "",
            ),
        };
        format!(
            "{headline}\n\n申請事項：{kind}\n公司名稱：{name}\n\
             營利事業統一編號：{business_id}\n申請日期：{when}\n案件編號：{number}（S/N：{id}）\n{closing}",
            kind = self.case.kind.label(ZhTw),
            name = self.case.company_name,
            business_id = self.case.business_id,
            when = self.case.submitted_at,
            id = self.case.id,
            number = self.case.number,
        )
    }
}

/// To the company: its case ended, by the reviewer's decision or by its own
/// cancellation, of which it gets a record too.
pub struct Closed<'a> {
    pub case: &'a CaseView,
    /// The 審核結果 text; `None` when the company cancelled the case.
    pub result: Option<&'a str>,
}

impl Mail for Closed<'_> {
    fn to(&self) -> &str {
        &self.case.email
    }

    fn subject(&self) -> String {
        match self.result {
            Some(_) => format!(
                "{SERVICE} 審核結果：{} / {}",
                self.case.status.label(ZhTw),
                self.case.status.label(English)
            ),
            None => format!("{SERVICE} 取消申請 / Case cancelled"),
        }
    }

    fn body(&self) -> String {
        let when = self.case.decided_at.as_deref().unwrap_or_default();
        let (zh, en) = match self.result {
            Some(text) => {
                // An approved improvement plan: what the company may do now (A-N11).
                let next = (self.case.kind == CaseKind::Plan
                    && self.case.status == CaseStatus::Approved)
                    .then(|| GrantAction::ApprovePlan.told());
                (
                    format!(
                        "審核完畢。\n審核結果：{}\n{text}{}",
                        self.case.status.label(ZhTw),
                        next.map(|next| format!("\n{}。", next.zh_tw))
                            .unwrap_or_default()
                    ),
                    format!(
                        "was decided on {when}: {}.{}",
                        self.case.status.label(English),
                        next.map(|next| format!(" {}.", next.english))
                            .unwrap_or_default()
                    ),
                )
            }
            None => (
                "取消申請，本部不再審核。如非貴公司所為，請與本部聯繫。".to_owned(),
                format!(
                    "was cancelled on {when} and will not be reviewed. If your company did not \
                     cancel it, please contact the ministry."
                ),
            ),
        };
        format!(
            "{name} 您好：\n\n貴公司於 {submitted} 申請之「{kind_zh}」（案件編號：{number}，S/N：{id}）已於 {when} {zh}\n\n\
             Your {kind_en} of {submitted} (case number {number}, S/N {id}) {en}\n",
            name = self.case.company_name,
            submitted = self.case.submitted_at,
            kind_zh = self.case.kind.label(ZhTw),
            kind_en = self.case.kind.label(English),
            id = self.case.id,
            number = self.case.number,
        )
    }
}

/// To the company: the reviewer asks for more material by a date (A-N5).
pub struct MaterialAsked<'a> {
    pub case: &'a CaseView,
    pub note: &'a str,
    /// ROC date.
    pub due: &'a str,
}

impl Mail for MaterialAsked<'_> {
    fn to(&self) -> &str {
        &self.case.email
    }

    fn subject(&self) -> String {
        format!("{SERVICE} 補正資料通知 / More material needed")
    }

    fn body(&self) -> String {
        format!(
            "{name} 您好：\n\n貴公司申請之「{kind}」（案件編號：{number}，S/N：{id}）需補充下列資料，請於 {due} 前提供：\n{note}\n\n\
             Your application (case number {number}, S/N {id}) needs more material, due by {due} (ROC date):\n{note}\n",
            name = self.case.company_name,
            kind = self.case.kind.label(ZhTw),
            id = self.case.id,
            number = self.case.number,
            due = self.due,
            note = self.note,
        )
    }
}

/// To the company: the reviewer extended the review, and why (A-N5).
pub struct ReviewExtended<'a> {
    pub case: &'a CaseView,
    pub reason: &'a str,
}

impl Mail for ReviewExtended<'_> {
    fn to(&self) -> &str {
        &self.case.email
    }

    fn subject(&self) -> String {
        format!("{SERVICE} 延長審查通知 / Review extended")
    }

    fn body(&self) -> String {
        format!(
            "{name} 您好：\n\n貴公司申請之「{kind}」（案件編號：{number}，S/N：{id}）需延長審查，原因如下：\n{reason}\n\n\
             The review of your application (case number {number}, S/N {id}) is extended, for this reason:\n{reason}\n",
            name = self.case.company_name,
            kind = self.case.kind.label(ZhTw),
            id = self.case.id,
            number = self.case.number,
            reason = self.reason,
        )
    }
}

/// To the review desk: the company sent the material (A-N5).
pub struct MaterialSent<'a> {
    pub desk: &'a str,
    pub case: &'a CaseView,
    pub reply: &'a str,
}

impl Mail for MaterialSent<'_> {
    fn to(&self) -> &str {
        self.desk
    }

    fn subject(&self) -> String {
        format!(
            "[API介接服務] 補正資料 {} {}",
            self.case.company_name, self.case.number
        )
    }

    fn body(&self) -> String {
        format!(
            "{name}（{business_id}）已送出補正資料 / The company answered:\n\
             案件編號：{number}（S/N：{id}）\n\n{reply}\n",
            name = self.case.company_name,
            business_id = self.case.business_id,
            number = self.case.number,
            id = self.case.id,
            reply = self.reply,
        )
    }
}

/// To the company: its permission changed (A-N9…A-N11).
pub struct GrantChanged<'a> {
    pub to: &'a str,
    pub grant: &'a GrantView,
    pub action: GrantAction,
    pub reason: &'a str,
    /// ROC date-time.
    pub when: &'a str,
}

impl Mail for GrantChanged<'_> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        let told = self.action.told();
        format!("{SERVICE} {} / {}", told.zh_tw, told.english)
    }

    fn body(&self) -> String {
        let told = self.action.told();
        format!(
            "{name} 您好：\n\n貴公司（apId {ap_id}）{label_zh}（{when}）。\n說明：{reason}\n\
             經暫停或註銷查驗權限者，欲再度取得權限，應先提出改善做法並經內政部核可，重新提出申請。\n\n\
             {label_en} (apId {ap_id}, {when}). {reason}\n\
             To regain a suspended or revoked permission, submit an improvement plan in the portal; once the ministry approves it, apply again.\n",
            name = self.grant.company_name,
            ap_id = self.grant.ap_id,
            label_zh = told.zh_tw,
            label_en = told.english,
            when = self.when,
            reason = self.reason,
        )
    }
}

/// To the review desk: the detector suspended a grant for abnormal use (A-N9).
pub struct AbnormalUse<'a> {
    pub desk: &'a str,
    pub grant: &'a GrantView,
    pub reason: &'a str,
    /// ROC date-time.
    pub when: &'a str,
}

impl Mail for AbnormalUse<'_> {
    fn to(&self) -> &str {
        self.desk
    }

    fn subject(&self) -> String {
        format!(
            "[API介接服務] 異常使用暫停 {} apId {}",
            self.grant.company_name, self.grant.ap_id
        )
    }

    fn body(&self) -> String {
        format!(
            "{name}（{business_id}，apId {ap_id}）之查驗權限已由系統暫停（{when}）。\n{reason}\n\
             請檢視其使用情形；如情節重大，得註銷之。該公司須提出改善做法經核可並重新申請，始得再度取得權限。\n",
            name = self.grant.company_name,
            business_id = self.grant.business_id,
            ap_id = self.grant.ap_id,
            when = self.when,
            reason = self.reason,
        )
    }
}
