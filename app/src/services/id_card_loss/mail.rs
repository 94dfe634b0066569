//! The loss service's mail (L4-1, L4-2), in zh-TW and English: one template per message,
//! queued by the store in the transaction of the change it reports.

use crate::cases::work::Mail;
use crate::platform::clock::roc_date_time;

/// To the citizen: their card is now reported lost.
pub struct Reported<'a> {
    pub to: &'a str,
    pub name: &'a str,
    pub reference: &'a str,
    pub at: i64,
}

impl Mail for Reported<'_> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        "國民身分證掛失通知 / ID card loss report".into()
    }

    fn body(&self) -> String {
        format!(
            "{name} 您好：\n\n您已於 {when} 以網路申辦國民身分證掛失，掛失編號 {reference}。\n\
             戶政事務所將以電話或電子郵件與您聯絡確認。如非本人申請，請立即洽戶政事務所或撥打 1996。\n\
             尋獲原證時，可於網站以「撤銷掛失預設密碼」辦理撤銷掛失。\n\n\
             Your ID card was reported lost online on {when} (report {reference}). The household \
             registration office will contact you to confirm. If you did not make this report, \
             contact any household registration office or call 1996 at once.\n",
            name = self.name,
            when = roc_date_time(self.at),
            reference = self.reference,
        )
    }
}

/// To the address the report was made with: the report is revoked.
pub struct Revoked<'a> {
    pub to: &'a str,
    pub reference: &'a str,
    pub at: i64,
}

impl Mail for Revoked<'_> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        "國民身分證撤銷掛失通知 / ID card loss report revoked".into()
    }

    fn body(&self) -> String {
        format!(
            "您已於 {when} 以網路申辦國民身分證撤銷掛失（掛失編號 {reference}），原國民身分證恢復有效。\n\
             如非本人申請，請立即洽戶政事務所或撥打 1996。\n\n\
             The loss report {reference} was revoked online on {when}; the ID card is valid again. \
             If you did not do this, contact any household registration office or call 1996 at once.\n",
            when = roc_date_time(self.at),
            reference = self.reference,
        )
    }
}
