//! The service's mail, in zh-TW and English, queued in the unit of work of the change it
//! reports: to the applicant's 聯絡人 on filing, on the ministry's answer and when the answer
//! takes effect; to the ministry's desk when a request joins or leaves its queue.

use super::requests::RequestStatus;
use super::RequestView;
use crate::cases::work::Mail;
use crate::cases::Code;
use crate::i18n::Lang::{English, ZhTw};

const SERVICE: &str = "內政部自然人憑證用戶身分確認服務";

/// The request's one-line description in both languages.
fn what(request: &RequestView) -> (String, String) {
    (
        format!(
            "{}「{}」{}申請（{}）",
            request.organisation,
            request.system_name,
            request.kind.label(ZhTw),
            request.number
        ),
        format!(
            "the {} request for \"{}\" of {} ({})",
            request.kind.label(English).to_lowercase(),
            request.system_name,
            request.organisation,
            request.number
        ),
    )
}

/// To the 聯絡人: the request was received.
pub struct Filed<'a> {
    pub request: &'a RequestView,
}

impl Mail for Filed<'_> {
    fn to(&self) -> &str {
        &self.request.contact.email
    }

    fn subject(&self) -> String {
        format!(
            "{SERVICE} 申請已受理 / Request received {}",
            self.request.number
        )
    }

    fn body(&self) -> String {
        let (zh, en) = what(self.request);
        format!(
            "{name} 您好：\n\n本部已於 {when} 受理{zh}，預定日期 {planned}。審核結果將以電子郵件通知。\n\n\
             We received {en} on {when} (planned date {planned}). You will be told the ministry's answer by e-mail.\n",
            name = self.request.contact.name,
            when = self.request.filed_at,
            planned = self.request.planned_on,
        )
    }
}

/// To the 聯絡人: the ministry's answer, with its 說明 and effective date.
pub struct Decided<'a> {
    pub request: &'a RequestView,
}

impl Mail for Decided<'_> {
    fn to(&self) -> &str {
        &self.request.contact.email
    }

    fn subject(&self) -> String {
        let status = self.request.status;
        format!(
            "{SERVICE} 審核結果：{} / {} {}",
            status.label(ZhTw),
            status.label(English),
            self.request.number
        )
    }

    fn body(&self) -> String {
        let (zh, en) = what(self.request);
        let note = self.request.decision_note.as_deref().unwrap_or_default();
        let effective = match &self.request.effective_on {
            Some(date) => (
                format!("\n應用系統{}之日期：{date}", self.request.kind.label(ZhTw)),
                format!(
                    "\nThe system's {} takes effect on {date}.",
                    self.request.kind.label(English).to_lowercase()
                ),
            ),
            None => (String::new(), String::new()),
        };
        format!(
            "{name} 您好：\n\n{zh}之審核結果：{status_zh}。\n說明：{note}{effective_zh}\n\
             審核結果函可於申請案件頁面列印。\n\n\
             The ministry's answer to {en}: {status_en}.\nExplanation: {note}{effective_en}\n\
             The ministry's letter can be printed from the request's page.\n",
            name = self.request.contact.name,
            status_zh = self.request.status.label(ZhTw),
            status_en = self.request.status.label(English),
            effective_zh = effective.0,
            effective_en = effective.1,
        )
    }
}

/// To the 聯絡人: the approved request took effect on its date.
pub struct InEffect<'a> {
    pub request: &'a RequestView,
}

impl Mail for InEffect<'_> {
    fn to(&self) -> &str {
        &self.request.contact.email
    }

    fn subject(&self) -> String {
        format!(
            "{SERVICE} 應用系統已{} / System {} {}",
            self.request.kind.label(ZhTw),
            match self.request.kind {
                super::requests::RequestKind::Enable => "open",
                super::requests::RequestKind::Disable => "closed",
            },
            self.request.number
        )
    }

    fn body(&self) -> String {
        let (zh, en) = what(self.request);
        let date = self.request.effective_on.as_deref().unwrap_or_default();
        format!(
            "{name} 您好：\n\n{zh}已於 {date} 生效。\n\nAs approved, {en} took effect on {date}.\n",
            name = self.request.contact.name,
        )
    }
}

/// To the ministry's desk: a request joined its queue, or its applicant withdrew it.
pub struct ToDesk<'a> {
    pub desk: &'a str,
    pub request: &'a RequestView,
}

impl Mail for ToDesk<'_> {
    fn to(&self) -> &str {
        self.desk
    }

    fn subject(&self) -> String {
        let news = if self.request.status == RequestStatus::Withdrawn {
            "申請已撤回 / Request withdrawn"
        } else {
            "新申請 / New request"
        };
        format!("{SERVICE} {news} {}", self.request.number)
    }

    fn body(&self) -> String {
        let (zh, en) = what(self.request);
        format!(
            "{zh}：{status_zh}。\n{en}: {status_en}.\n",
            status_zh = self.request.status.label(ZhTw),
            status_en = self.request.status.label(English),
        )
    }
}

/// To the 聯絡人: the ministry's decision on the system (I-4).
pub struct Oversaw<'a> {
    pub to: String,
    pub system: &'a super::systems::System,
    pub action: super::oversight::OversightAction,
    pub ground: Option<super::StopGround>,
    /// 限期改善's deadline, ROC date.
    pub deadline: Option<String>,
    pub note: &'a str,
}

impl Mail for Oversaw<'_> {
    fn to(&self) -> &str {
        &self.to
    }

    fn subject(&self) -> String {
        format!(
            "{SERVICE} {}：{} / {}",
            self.system.system_name,
            self.action.label(ZhTw),
            self.action.label(English)
        )
    }

    fn body(&self) -> String {
        let ground = self
            .ground
            .map(|ground| {
                (
                    format!("\n事由（要點第六點）：{}", ground.label(ZhTw)),
                    format!("\nGround (rule 6): {}", ground.label(English)),
                )
            })
            .unwrap_or_default();
        let deadline = self
            .deadline
            .as_ref()
            .map(|date| {
                (
                    format!("\n改善期限：{date}"),
                    format!("\nImprove by: {date}"),
                )
            })
            .unwrap_or_default();
        format!(
            "{organisation} 您好：\n\n本部就貴機關(構)應用系統「{system}」：{action_zh}。{ground_zh}{deadline_zh}\n說明：{note}\n\n\
             The ministry on your system \"{system}\": {action_en}.{ground_en}{deadline_en}\nExplanation: {note}\n",
            organisation = self.system.organisation,
            system = self.system.system_name,
            action_zh = self.action.label(ZhTw),
            action_en = self.action.label(English),
            ground_zh = ground.0,
            ground_en = ground.1,
            deadline_zh = deadline.0,
            deadline_en = deadline.1,
            note = self.note,
        )
    }
}
