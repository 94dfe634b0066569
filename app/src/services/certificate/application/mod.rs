//! 自然人憑證申請方法2 線上填單、臨櫃取卡 (seed 002, SPEC C-1, C-2): the citizen fills in the
//! application online — contact details, the 用戶代碼 and optionally an own card PIN — and, if
//! the registry says they may apply, gets a reference number and a printable summary to take
//! to any household registration office, where the card is issued.

pub mod cases;
pub mod form;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;

use crate::cases::Text;
use crate::error::PortalError;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

pub const APPLY_PATH: &str = "/certificate/apply";
/// Where anyone downloads the blank 自然人憑證申請表 to fill in by hand (issue 20 item 11).
pub const BLANK_FORM_PATH: &str = "/certificate/application-form.pdf";

/// Days a pre-application waits for its card (the seed is silent; a month, like a counter's
/// ticket for a printed form): after that its secrets are erased and it cannot be collected.
pub const COLLECT_WITHIN_DAYS: u64 = 30;

/// The IC-card fee (工本費), NT$.
pub const FEE: u32 = 250;

/// 掛號郵資處理費 of a card renewed online and mailed (C-4), NT$ on top of [`FEE`].
pub const POSTAGE: u32 = 28;

/// Where the application was filled in (申請方式).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    /// 方法2 線上填單、臨櫃取卡: by the citizen, online, with a CAPTCHA.
    Online,
    /// 臨櫃申請: by the registrar at the counter, the applicant present.
    Counter,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Counter => "counter",
        }
    }
}

/// The card PIN the applicant asked for (C-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PinChoice {
    /// 預設密碼: the ROC birth date, six digits.
    Default,
    /// A PIN the applicant chose (6–8 digits).
    Chosen,
}

impl PinChoice {
    pub fn code(self) -> &'static str {
        match self {
            PinChoice::Default => "default",
            PinChoice::Chosen => "chosen",
        }
    }

    /// The choice as the forms offer it.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            PinChoice::Default => lang.pick(
                "使用預設密碼（民國出生年月日 6 碼）",
                "Use the default PIN (ROC date of birth, 6 digits)",
            ),
            PinChoice::Chosen => lang.pick("自行設定", "Set my own"),
        }
    }

    pub fn from_code(code: &str) -> Option<PinChoice> {
        [PinChoice::Default, PinChoice::Chosen]
            .into_iter()
            .find(|choice| choice.code() == code)
    }
}

/// What the citizen sees (and prints) once the application is in: never the 用戶代碼 or PIN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSummary {
    /// 申請編號.
    pub reference: String,
    pub name: String,
    /// `A1*****789`.
    pub masked_id: String,
    /// ROC, `73/01/01`.
    pub birth_date: String,
    pub email: String,
    /// Only if the applicant gave one (it is optional, issue 20 item 13).
    pub mobile: Option<String>,
    pub pin_choice: PinChoice,
    /// ROC date-time.
    pub submitted_at: String,
    /// The last day to collect the card, ROC.
    pub collect_by: String,
    /// An earlier open application this one replaced, if any.
    pub replaced: Option<String>,
}

/// What a submitted application came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyOutcome {
    /// Fields that do not parse (each a [`PortalError::Field`]); nothing was looked up.
    Invalid(Vec<PortalError>),
    Submitted(ApplicationSummary),
}

/// The one answer to a visitor not identified by a card whose ID number, name and birth date
/// do not match a registry entry in use, or match a person who may not apply (申辦資格, C-1),
/// or whose application would replace one proved with a card (issue 21 item 5): it never says
/// which, nor whether the ID number exists.
pub const IDENTITY_REFUSAL: Text = Text::new(
    "身分資料與戶籍資料不符，或無法線上受理，請確認國民身分證統一編號、姓名及出生年月日是否正確；或攜帶國民身分證正本親至任一戶政事務所申請。",
    "These details do not match the household register, or the application cannot be taken online. Please check your ID number, name and date of birth, or apply in person at any household registration office with your ID card.",
);

/// [`IDENTITY_REFUSAL`] as the pages answer it.
pub fn identity_refusal() -> PortalError {
    PortalError::Refused {
        zh_tw: IDENTITY_REFUSAL.zh_tw.into(),
        english: IDENTITY_REFUSAL.english.into(),
    }
}

/// The seed's notes on applying (申辦資格, 申辦地點, 攜帶項目, 申辦時間, 所需時間), shown on
/// the form and printed with the summary.
pub fn notes(lang: Lang) -> [(&'static str, String); 5] {
    [
        (
            lang.pick("申辦資格", "Who may apply"),
            lang.pick(
                "年滿 18 歲（含）以上，設籍於本國之國民，且未受監護宣告者。",
                "Nationals aged 18 or over with a household registration in Taiwan who are not under guardianship.",
            )
            .to_owned(),
        ),
        (
            lang.pick("申辦地點", "Where"),
            lang.pick(
                "無戶籍地限制，可至任一辦理此項業務之戶政事務所（不包含各地民政局（處））。",
                "Any household registration office offering the service, wherever you are registered (not the civil-affairs bureaus).",
            )
            .to_owned(),
        ),
        (
            lang.pick("攜帶項目", "What to bring"),
            match lang {
                Lang::ZhTw => format!("本人國民身分證正本、自然人憑證 IC 卡工本費 {FEE} 元、E-MAIL 信箱。須本人親自辦理，不得委託。"),
                Lang::English => format!("Your own original ID card, the IC-card fee of NT${FEE}, and an e-mail address. You must come in person; no one may apply for you."),
            },
        ),
        (
            lang.pick("申辦時間", "Office hours"),
            lang.pick(
                "週一至週五，上午 8:30 至 12:00、下午 1:30 至 5:00。",
                "Monday to Friday, 8:30–12:00 and 13:30–17:00.",
            )
            .to_owned(),
        ),
        (
            lang.pick("所需時間", "How long"),
            lang.pick(
                "於上班時間申請可當場領取 IC 卡；戶政事務所於您簽名確認申請書後一併完成開卡，無須另行開卡。",
                "During office hours you get the card on the spot; the office activates it once you sign the printed application, so there is nothing more to do.",
            )
            .to_owned(),
        ),
    ]
}

/// `moica_applications.mobile` holds "" for an application made without a mobile number.
#[cfg(feature = "ssr")]
pub(crate) fn stored_mobile(mobile: Option<&crate::domain::phone::Mobile>) -> &str {
    mobile.map_or("", crate::domain::phone::Mobile::as_str)
}

/// A stored mobile number as read back: `None` for "".
#[cfg(feature = "ssr")]
pub(crate) fn mobile_read(stored: String) -> Option<String> {
    Some(stored).filter(|mobile| !mobile.is_empty())
}

/// A contact the applicant left out, as shown.
pub fn not_given(value: Option<String>, lang: Lang) -> String {
    value.unwrap_or_else(|| lang.pick("（未填）", "(not given)").to_owned())
}
