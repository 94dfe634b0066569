//! The citizen certificate's mail to its holder, zh-TW then English: the counter's change
//! notice (自然人憑證異動通知, C-5), the expiry notice (憑證到期通知, C-4), and the notices of
//! its 展期 and of a renewal card's 開卡 (C-4).

use super::card_services::CardService;
use crate::cases::work::Mail;
use crate::platform::clock::roc_date_time;

/// 自然人憑證異動通知: the counter changed the certificate (C-5).
pub struct ServiceNotice<'a> {
    pub to: &'a str,
    /// The holder's name.
    pub name: &'a str,
    pub card_number: &'a str,
    /// What happened, from [`change`].
    pub change: (&'static str, &'static str),
    /// The delegate's name, when a delegate asked for it.
    pub delegate: Option<&'a str>,
    /// When it was done.
    pub at: i64,
}

/// What a counter service did, in zh-TW and English; `None` for an extension, which mails
/// its own notice (自然人憑證展期通知).
pub fn change(service: CardService) -> Option<(&'static str, &'static str)> {
    match service {
        CardService::Suspend => Some(("已停用", "was suspended")),
        CardService::Resume => Some(("已復用", "was resumed")),
        CardService::Revoke => Some(("已廢止，且無法回復", "was revoked; this cannot be undone")),
        CardService::Contacts => Some((
            "之手機號碼及連絡用電子信箱已修改",
            "has new contact details",
        )),
        CardService::Publication => Some(("之公佈狀態已修改", "has a new publication setting")),
        CardService::ResetUserCode => Some((
            "之用戶代碼已重設，PIN 碼已恢復為預設值（民國出生年月日 6 碼）",
            "had its user code reset; its PIN is back to the default (your ROC date of birth, 6 digits)",
        )),
        CardService::Extend => None,
    }
}

impl Mail for ServiceNotice<'_> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        "自然人憑證異動通知 / Citizen certificate changed".into()
    }

    fn body(&self) -> String {
        let (zh, en) = self.change;
        let by = self
            .delegate
            .map(|name| format!("（受委託人 {name} 代辦 / by your delegate)"))
            .unwrap_or_default();
        format!(
            "{name} 您好：\n\n您的自然人憑證（IC 卡號 {card}）於 {at} 在戶政事務所{zh}{by}。\n\
             如非您本人或您委託之人辦理，請儘速攜帶國民身分證正本洽任一戶政事務所，或撥打內政服務熱線 1996。\n\n\
             Your citizen certificate (card {card}) {en} at a household registration office on \
             {at}. If neither you nor your delegate asked for this, contact a household \
             registration office with your ID card at once, or call 1996.\n",
            name = self.name,
            card = self.card_number,
            at = roc_date_time(self.at),
        )
    }
}

/// 憑證到期通知: the certificate expires within [`super::store::EXPIRY_NOTICE_DAYS`] (C-4).
pub struct ExpiryNotice<'a> {
    pub to: &'a str,
    pub name: &'a str,
    pub card_number: &'a str,
    pub not_after: i64,
}

impl Mail for ExpiryNotice<'_> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        "自然人憑證即將到期通知 / Your citizen certificate expires soon".into()
    }

    fn body(&self) -> String {
        format!(
            "{name} 您好：\n\n您的自然人憑證（IC 卡號 {card}）將於 {until} 到期。\n\
             憑證到期前 {days} 天起可辦理展期（延長 3 年，每張憑證限一次，自原到期日起算）：\
             請將 IC 卡插入讀卡機，於網路申辦服務「憑證線上展期」辦理；\
             或攜帶國民身分證正本及自然人憑證 IC 卡至任一戶政事務所辦理，或委託他人持委託書代辦。\n\n\
             Your citizen certificate (card {card}) expires on {until}. From {days} days \
             before expiry it can be extended once by 3 years from that date: online, \
             with the card in a reader (Extend the certificate online), or at any \
             household registration office with your ID card and the certificate card, \
             or through a delegate with a signed letter.\n",
            name = self.name,
            card = self.card_number,
            until = roc_date_time(self.not_after),
            days = super::store::EXPIRY_NOTICE_DAYS,
        )
    }
}

/// 自然人憑證展期通知: the certificate was extended (C-4).
pub struct ExtensionNotice<'a> {
    pub to: &'a str,
    pub name: &'a str,
    pub card_number: &'a str,
    /// The new certificate's serial.
    pub serial: &'a str,
    /// Its end, ROC date-time.
    pub until: &'a str,
    /// When it was extended.
    pub at: i64,
}

impl Mail for ExtensionNotice<'_> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        "自然人憑證展期通知 / Citizen certificate extended".into()
    }

    fn body(&self) -> String {
        format!(
            "{name} 您好：\n\n您的自然人憑證（IC 卡號 {card}）已於 {at} 完成線上展期。\n\
             新憑證序號：{serial}\n憑證效期至：{until}\n\
             每張憑證限展期一次；效期屆滿後請辦理續卡或重新申請。\n\
             如非本人辦理，請立即洽戶政事務所辦理停用，或撥打內政服務熱線 1996。\n\n\
             Your citizen certificate (card {card}) was extended online on {at}. New \
             certificate serial {serial}, valid until {until}. A certificate can be extended \
             only once; renew it or apply again when it expires. If you did not do this, \
             contact a household registration office at once to suspend it, or call 1996.\n",
            name = self.name,
            card = self.card_number,
            at = roc_date_time(self.at),
            serial = self.serial,
            until = self.until,
        )
    }
}

/// 自然人憑證開卡通知: a mailed renewal card was activated online (C-4).
pub struct ActivationNotice<'a> {
    pub to: &'a str,
    pub name: &'a str,
    pub card_number: &'a str,
    /// When it was activated.
    pub at: i64,
}

impl Mail for ActivationNotice<'_> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        "自然人憑證開卡通知 / Citizen certificate card activated".into()
    }

    fn body(&self) -> String {
        format!(
            "{name} 您好：\n\n您的自然人憑證新卡（IC 卡號 {card}）已於 {at} 完成線上開卡，即日起可使用。\n\
             如非本人辦理，請立即洽戶政事務所辦理停用，或撥打內政服務熱線 1996。\n\n\
             Your new citizen certificate card ({card}) was activated online on {at} and \
             can be used from now on. If you did not do this, contact a household \
             registration office at once to suspend it, or call 1996.\n",
            name = self.name,
            card = self.card_number,
            at = roc_date_time(self.at),
        )
    }
}

// ---- Applications and counter issuance (自然人憑證申請、臨櫃發證, C-2, C-4) ----

use super::application::{ApplicationSummary, FEE, POSTAGE};
use super::counter::IssuedCard;
use super::store::CardInForce;

/// 自然人憑證線上申請通知: what was applied for and what to bring; no secret.
pub struct ApplicationNotice<'a> {
    pub summary: &'a ApplicationSummary,
}

impl Mail for ApplicationNotice<'_> {
    fn to(&self) -> &str {
        &self.summary.email
    }

    fn subject(&self) -> String {
        "自然人憑證線上申請通知 / Citizen certificate application received".into()
    }

    fn body(&self) -> String {
        format!(
            "{name} 您好：\n\n您已於 {at} 線上填寫自然人憑證申請，申請編號 {reference}。\n\
             請於 {collect_by} 前，攜帶本人國民身分證正本及 IC 卡工本費 {fee} 元，親至任一戶政事務所\
             （週一至週五 8:30–12:00、13:30–17:00）領取自然人憑證 IC 卡。\n\
             如非本人申請，請洽戶政事務所或撥打內政服務熱線 1996。\n\n\
             You applied online for a citizen certificate on {at} (application {reference}). \
             Collect the card in person at any household registration office by {collect_by}, \
             bringing your original ID card and the fee of NT${fee} (Monday to Friday, \
             8:30–12:00 and 13:30–17:00). If you did not apply, contact a household \
             registration office or call 1996.\n",
            name = self.summary.name,
            at = self.summary.submitted_at,
            reference = self.summary.reference,
            collect_by = self.summary.collect_by,
            fee = FEE,
        )
    }
}

/// 線上續卡申請通知: the fee and postage, the mailing and the activation to come; no secret.
pub struct RenewalRequestNotice<'a> {
    pub summary: &'a ApplicationSummary,
}

impl Mail for RenewalRequestNotice<'_> {
    fn to(&self) -> &str {
        &self.summary.email
    }

    fn subject(&self) -> String {
        "自然人憑證線上續卡申請通知 / Citizen certificate renewal received".into()
    }

    fn body(&self) -> String {
        format!(
            "{name} 您好：\n\n您已於 {at} 線上申請自然人憑證續卡，申請編號 {reference}。\n\
             費用：IC 卡工本費 {fee} 元＋掛號郵資處理費 {postage} 元，共 {total} 元。\n\
             請於 {collect_by} 前於「憑證線上續卡」頁面完成繳費；繳費後始製發新卡，屆期未繳費者申請失效。\n\
             新卡製妥後將以掛號寄至您的戶籍地址；收到後請至網路申辦服務「憑證線上開卡」，\
             將新卡插入讀卡機並以 PIN 碼（預設為民國出生年月日 6 碼）完成開卡，開卡前新卡無法使用。\n\
             如非本人申請，請洽戶政事務所或撥打內政服務熱線 1996。\n\n\
             You applied online on {at} to renew your citizen certificate (application \
             {reference}). Fee: NT${fee} for the card and NT${postage} registered postage, \
             NT${total} in all, to be paid on the renewal page by {collect_by}: the card is made \
             once it is paid, and an unpaid renewal lapses then. The new card is mailed to your \
             registered address; when it \
             arrives, activate it online (Activate a mailed card) with the card in a reader and \
             its PIN (your ROC date of birth, 6 digits): it cannot be used before. If you did \
             not apply, contact a household registration office or call 1996.\n",
            name = self.summary.name,
            at = self.summary.submitted_at,
            reference = self.summary.reference,
            collect_by = self.summary.collect_by,
            fee = FEE,
            postage = POSTAGE,
            total = FEE + POSTAGE,
        )
    }
}

/// 續卡繳費完成通知: the receipt of a renewal's payment (C-4).
pub struct RenewalPaid<'a> {
    pub to: &'a str,
    pub name: &'a str,
    pub reference: &'a str,
    pub amount: i64,
    /// ROC date-time.
    pub at: &'a str,
    /// Paid after the renewal closed (lapsed or replaced): no card is made, the money is
    /// refunded.
    pub refund: bool,
}

impl Mail for RenewalPaid<'_> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        "自然人憑證續卡繳費完成通知 / Citizen certificate renewal paid".into()
    }

    fn body(&self) -> String {
        let (next, next_en) = if self.refund {
            (
                "惟此申請已失效或已由其他申請取代，不製發新卡；所繳款項將由金流服務退還。\
                 如仍需續卡，請重新申請或至戶政事務所臨櫃辦理。",
                "But the application had lapsed or was replaced: no card is made, and the \
                 payment will be refunded by the payment provider. To renew, apply again or go \
                 to a household registration office.",
            )
        } else {
            (
                "戶政事務所將製發新卡並以掛號寄送；收到後請至「憑證線上開卡」完成開卡。",
                "The new card will be made and mailed; activate it online when it arrives.",
            )
        };
        format!(
            "{name} 您好：\n\n您的自然人憑證續卡申請（申請編號 {reference}）已於 {at} 繳費 {amount} 元。\n\
             {next}\n\n\
             Your renewal (application {reference}) was paid, NT${amount}, on {at}. {next_en}\n",
            name = self.name,
            reference = self.reference,
            at = self.at,
            amount = self.amount,
        )
    }
}

/// 續卡未繳費提醒: an unpaid renewal lapses soon (C-4), said once before it does.
pub struct RenewalUnpaid<'a> {
    pub to: &'a str,
    pub name: &'a str,
    pub reference: &'a str,
    /// ROC date, the last day to pay.
    pub lapses_on: &'a str,
}

impl Mail for RenewalUnpaid<'_> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        "自然人憑證續卡尚未繳費提醒 / Citizen certificate renewal not yet paid".into()
    }

    fn body(&self) -> String {
        format!(
            "{name} 您好：\n\n您的自然人憑證續卡申請（申請編號 {reference}）尚未繳費，\
             請於 {lapses_on} 前至網路申辦服務「憑證線上續卡」頁面完成繳費；逾期申請失效，\
             須重新申請。\n\n\
             Your renewal (application {reference}) is not paid yet. Pay it on the renewal page \
             by {lapses_on}; after that it lapses and you must apply again.\n",
            name = self.name,
            reference = self.reference,
            lapses_on = self.lapses_on,
        )
    }
}

/// The notice to the e-mail of the application `old` that `summary` replaced, so that nobody
/// replaces someone's application unnoticed.
pub struct ReplacedNotice<'a> {
    pub to: &'a str,
    pub old: &'a str,
    pub summary: &'a ApplicationSummary,
}

impl Mail for ReplacedNotice<'_> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        "自然人憑證申請已由新申請取代 / Citizen certificate application replaced".into()
    }

    fn body(&self) -> String {
        format!(
            "{name} 您好：\n\n您的自然人憑證申請 {old} 已於 {at} 由新的線上申請 {new} 取代，原申請之用戶代碼及密碼已刪除。\n\
             如非本人申請，請儘速攜帶國民身分證正本洽戶政事務所，或撥打內政服務熱線 1996。\n\n\
             Your citizen certificate application {old} was replaced on {at} by a new online \
             application, {new}; the codes of the earlier one are deleted. If you did not make \
             the new application, contact a household registration office with your ID card or \
             call 1996 at once.\n",
            name = self.summary.name,
            old = self.old,
            at = self.summary.submitted_at,
            new = self.summary.reference,
        )
    }
}

/// 已持有效憑證通知: an application filed online while the citizen holds a certificate in
/// force, to the e-mail on file for that certificate (C-2: one person holds one). The page
/// cannot say it to a visitor who proved only what they know; the holder hears of it here.
pub struct InForceNotice<'a> {
    pub to: &'a str,
    pub card: &'a CardInForce,
    pub summary: &'a ApplicationSummary,
}

impl Mail for InForceNotice<'_> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        "您已持有有效之自然人憑證 / You already hold a valid citizen certificate".into()
    }

    fn body(&self) -> String {
        format!(
            "{name} 您好：\n\n{at} 有一筆以您的資料填寫的自然人憑證線上申請（申請編號 {reference}）。\n\
             您目前持有有效之自然人憑證（IC 卡號 {card}，效期至 {until}）；一人僅能持有一張有效憑證，\
             臨櫃領取新卡前須先廢止原憑證。效期將屆者請改辦理線上展期或續卡，無須重新申請。\n\
             如非本人申請，請儘速攜帶國民身分證正本洽戶政事務所，或撥打內政服務熱線 1996。\n\n\
             On {at} an online citizen certificate application ({reference}) was filed with your \
             details. You hold a valid certificate (card {card}, valid until {until}); one person \
             holds one, so the old certificate is revoked at the counter before a new card is \
             issued. If it is about to expire, extend or renew it online instead. If you did not \
             apply, contact a household registration office with your ID card or call 1996 at \
             once.\n",
            name = self.summary.name,
            at = self.summary.submitted_at,
            reference = self.summary.reference,
            card = self.card.card_number,
            until = self.card.valid_until,
        )
    }
}

/// 發證通知 (the card issued at the counter) or 續卡新卡寄送通知 (a renewed card in the mail,
/// to be activated online first): the card, its validity and what to do first; no secret.
pub struct IssuedNotice<'a> {
    pub to: &'a str,
    /// The holder's name.
    pub name: &'a str,
    pub issued: &'a IssuedCard,
    /// When it was issued.
    pub at: i64,
}

impl Mail for IssuedNotice<'_> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        if self.issued.mailed {
            "自然人憑證續卡新卡寄送通知 / Your renewed citizen certificate card is in the mail"
                .into()
        } else {
            "自然人憑證發證通知 / Citizen certificate issued".into()
        }
    }

    fn body(&self) -> String {
        let issued = self.issued;
        if issued.mailed {
            return format!(
                "{name} 您好：\n\n您線上申請之自然人憑證續卡（申請編號 {reference}）已於 {at} 製卡，\
                 並以掛號寄至您的戶籍地址。\nIC 卡號：{card}\n憑證效期至：{until}\n已收費用：{fee} 元\n\
                 收到新卡後，請至網路申辦服務「憑證線上開卡」，將新卡插入讀卡機並輸入 PIN 碼\
                 （民國出生年月日 6 碼）完成開卡；開卡前新卡無法使用。\n\
                 如非本人申請，請立即洽戶政事務所辦理停用，或撥打內政服務熱線 1996。\n\n\
                 The card renewing your citizen certificate (application {reference}) was made on \
                 {at} and mailed by registered post to your registered address. Card {card}, valid \
                 until {until}; NT${fee} taken. When it arrives, activate it online (Activate a \
                 mailed card) with the card in a reader and its PIN (your ROC date of birth, 6 \
                 digits): it cannot be used before. If you did not apply, contact a household \
                 registration office at once to suspend it, or call 1996.\n",
                name = self.name,
                reference = issued.reference,
                at = roc_date_time(self.at),
                card = issued.card_number,
                until = issued.not_after,
                fee = issued.fee,
            );
        }
        format!(
            "{name} 您好：\n\n您的自然人憑證已於 {at} 發證並完成開卡（申請編號 {reference}）。\n\
             IC 卡號：{card}\n憑證序號：{serial}\n憑證效期至：{until}\n工本費：{fee} 元\n\
             PIN 碼為您申請時所設定（未自行設定者為民國出生年月日 6 碼），請儘速變更。\n\
             如非本人申請，請立即洽戶政事務所辦理停用，或撥打內政服務熱線 1996。\n\n\
             Your citizen certificate was issued and activated on {at} (application \
             {reference}). Card {card}, certificate serial {serial}, valid until {until}; fee \
             NT${fee}. The PIN is the one you chose, or your ROC date of birth (6 digits): \
             change it soon. If you did not apply, contact a household registration office at \
             once to suspend it, or call 1996.\n",
            name = self.name,
            at = roc_date_time(self.at),
            reference = issued.reference,
            card = issued.card_number,
            serial = issued.serial,
            until = issued.not_after,
            fee = issued.fee,
        )
    }
}
