//! The pre-application form's fields and their parsing: every field through its shared domain
//! type, all errors at once; the 用戶代碼 and a chosen PIN typed twice.

use super::PinChoice;
use crate::components::captcha::{CAPTCHA_ANSWER, CAPTCHA_ID};
use crate::domain::{
    email::Email,
    field_kind::FieldKind,
    national_id::NationalId,
    normalize_input,
    person_name::PersonName,
    phone::Mobile,
    pin::{NewMoicaPin, UserCode},
    roc_date::RocDate,
};
use crate::error::PortalError;
use crate::forms::{self, value, FormField};
pub use crate::services::id_card_loss::form::{BIRTH_DATE, NAME, NATIONAL_ID};

pub const EMAIL: FormField = FormField {
    name: "email",
    kind: FieldKind::Email,
    label_zh: "電子郵件信箱（E-MAIL）",
    label_en: "E-mail",
    hint_zh: Some("憑證的通知將寄至此信箱"),
    hint_en: Some("Notices about your certificate are sent here"),
    maxlength: 254,
};
pub const MOBILE: FormField = FormField {
    name: "mobile",
    kind: FieldKind::Mobile,
    label_zh: "手機號碼（選填）",
    label_en: "Mobile number (optional)",
    hint_zh: Some("如 0912345678；申請自然人憑證無須提供"),
    hint_en: Some("e.g. 0912345678; a certificate does not need one"),
    maxlength: 12,
};
pub const USER_CODE: FormField = FormField {
    name: "user_code",
    kind: FieldKind::UserCode,
    label_zh: "用戶代碼",
    label_en: "User code (用戶代碼)",
    hint_zh: Some("6 至 16 個英文字母或數字，大小寫有別；卡片因 PIN 碼錯誤被鎖住時，以此解鎖，請牢記"),
    hint_en: Some("6 to 16 letters or digits, case-sensitive; it unlocks the card after wrong PINs — keep it safe"),
    maxlength: 16,
};
pub const USER_CODE_CONFIRM: FormField = FormField {
    name: "user_code_confirm",
    kind: FieldKind::UserCode,
    label_zh: "再次輸入用戶代碼",
    label_en: "User code again",
    hint_zh: None,
    hint_en: None,
    maxlength: 16,
};
/// The radio group: [`PinChoice::code`] of the answer.
pub const PIN_CHOICE: &str = "pin_choice";
pub const PIN: FormField = FormField {
    name: "pin",
    kind: FieldKind::NewMoicaPin,
    label_zh: "卡片密碼（PIN 碼）",
    label_en: "Card PIN",
    hint_zh: Some("6 至 8 位數字；選擇自行設定時填寫"),
    hint_en: Some("6 to 8 digits; only if you set your own"),
    maxlength: 8,
};
pub const PIN_CONFIRM: FormField = FormField {
    name: "pin_confirm",
    kind: FieldKind::NewMoicaPin,
    label_zh: "再次輸入卡片密碼",
    label_en: "Card PIN again",
    hint_zh: None,
    hint_en: None,
    maxlength: 8,
};

/// The fields shown before the PIN choice, in order.
pub const CONTACT_FIELDS: [FormField; 7] = [
    NATIONAL_ID,
    NAME,
    BIRTH_DATE,
    EMAIL,
    MOBILE,
    USER_CODE,
    USER_CODE_CONFIRM,
];

/// Whether `field` must be filled in. The seed asks the applicant for nothing but the ID card,
/// the fee and an e-mail address (攜帶項目), so the mobile number is the one contact left
/// optional (issue 20 item 13).
pub fn required(field: &FormField) -> bool {
    field.name != MOBILE.name
}

/// A form whose every field parsed.
#[derive(Clone, Debug)]
pub struct ApplicationForm {
    pub national_id: NationalId,
    pub name: PersonName,
    pub birth_date: RocDate,
    pub email: Email,
    /// Given only if the applicant chose to.
    pub mobile: Option<Mobile>,
    pub user_code: UserCode,
    /// `None`: the default PIN.
    pub pin: Option<NewMoicaPin>,
    pub captcha_id: String,
    pub captcha_answer: String,
}

impl ApplicationForm {
    pub fn pin_choice(&self) -> PinChoice {
        match self.pin {
            Some(_) => PinChoice::Chosen,
            None => PinChoice::Default,
        }
    }

    /// Parses every field of the online form (with its CAPTCHA); on failure, one
    /// [`PortalError::Field`] per bad field.
    pub fn parse(posted: &[(String, String)]) -> Result<ApplicationForm, Vec<PortalError>> {
        ApplicationForm::parse_for(posted, super::Channel::Online)
    }

    /// Parses the form as filled in on `channel`: at the counter there is no CAPTCHA (the
    /// registrar has the applicant and their ID card in front of them).
    pub fn parse_for(
        posted: &[(String, String)],
        channel: super::Channel,
    ) -> Result<ApplicationForm, Vec<PortalError>> {
        let mut errors: Vec<PortalError> = CONTACT_FIELDS
            .iter()
            .filter(|field| required(field) || !value(posted, field.name).trim().is_empty())
            .filter_map(|field| field.check(value(posted, field.name)))
            .collect();
        let choice = PinChoice::from_code(value(posted, PIN_CHOICE));
        match choice {
            None => errors.push(forms::required(PIN_CHOICE)),
            Some(PinChoice::Chosen) => {
                errors.extend(
                    [PIN, PIN_CONFIRM]
                        .iter()
                        .filter_map(|field| field.check(value(posted, field.name))),
                );
            }
            Some(PinChoice::Default) => {}
        }
        let same = |first: &FormField, second: &FormField| {
            normalize_input(value(posted, first.name))
                == normalize_input(value(posted, second.name))
        };
        let named = |errors: &[PortalError], name: &str| {
            errors
                .iter()
                .any(|error| matches!(error, PortalError::Field { field, .. } if field == name))
        };
        if !named(&errors, USER_CODE.name)
            && !named(&errors, USER_CODE_CONFIRM.name)
            && !same(&USER_CODE, &USER_CODE_CONFIRM)
        {
            errors.push(user_codes_differ(USER_CODE_CONFIRM.name));
        }
        if choice == Some(PinChoice::Chosen)
            && !named(&errors, PIN.name)
            && !named(&errors, PIN_CONFIRM.name)
            && !same(&PIN, &PIN_CONFIRM)
        {
            errors.push(differs(
                PIN_CONFIRM.name,
                "兩次輸入的卡片密碼不一致",
                "The two PINs differ",
            ));
        }
        let captcha_answer = value(posted, CAPTCHA_ANSWER).trim().to_owned();
        if captcha_answer.is_empty() && channel == super::Channel::Online {
            errors.push(forms::required(CAPTCHA_ANSWER));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Every field checked above; these parses cannot fail.
        let parsed = (|| -> Option<ApplicationForm> {
            Some(ApplicationForm {
                national_id: NationalId::parse(value(posted, NATIONAL_ID.name)).ok()?,
                name: PersonName::parse(value(posted, NAME.name)).ok()?,
                birth_date: RocDate::parse(value(posted, BIRTH_DATE.name)).ok()?,
                email: Email::parse(value(posted, EMAIL.name)).ok()?,
                mobile: Mobile::parse_optional(value(posted, MOBILE.name)).ok()?,
                user_code: UserCode::parse(value(posted, USER_CODE.name)).ok()?,
                pin: match choice? {
                    PinChoice::Chosen => Some(NewMoicaPin::parse(value(posted, PIN.name)).ok()?),
                    PinChoice::Default => None,
                },
                captcha_id: value(posted, CAPTCHA_ID).to_owned(),
                captcha_answer,
            })
        })();
        parsed.ok_or_else(Vec::new)
    }
}

/// The 用戶代碼 typed twice differently: named on `field` (the second one).
pub(crate) fn user_codes_differ(field: &str) -> PortalError {
    differs(
        field,
        "兩次輸入的用戶代碼不一致",
        "The two user codes differ",
    )
}

fn differs(field: &str, zh_tw: &str, english: &str) -> PortalError {
    PortalError::Field {
        field: field.into(),
        zh_tw: zh_tw.into(),
        english: english.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::testing::*;

    fn wang(choice: &str) -> Vec<(String, String)> {
        posted(&[
            ("national_id", "a123456789"),
            ("name", "王小明"),
            ("birth_date", "73/01/01"),
            ("email", "wang@example.com"),
            ("mobile", "0912345678"),
            ("user_code", "Wang2024"),
            ("user_code_confirm", "Wang2024"),
            ("pin_choice", choice),
            ("pin", "135790"),
            ("pin_confirm", "135790"),
            ("captcha_id", "abc"),
            ("captcha", "12345"),
        ])
    }

    #[test]
    fn c2_a_whole_pre_application_parses() {
        let form = ApplicationForm::parse(&wang("chosen")).expect("parses");
        assert_eq!(form.national_id.as_str(), "A123456789");
        assert_eq!(form.user_code.expose(), "Wang2024");
        assert_eq!(form.pin.as_ref().map(NewMoicaPin::expose), Some("135790"));
        assert_eq!(form.pin_choice(), PinChoice::Chosen);
    }

    #[test]
    fn c2_the_default_pin_needs_no_pin_fields() {
        let mut fields = wang("default");
        fields.retain(|(k, _)| k != "pin" && k != "pin_confirm");
        let form = ApplicationForm::parse(&fields).expect("parses");
        assert!(form.pin.is_none());
        assert_eq!(form.pin_choice(), PinChoice::Default);
    }

    #[test]
    fn c2_the_mobile_number_is_optional_but_checked_when_given() {
        let form = ApplicationForm::parse(&wang("chosen")).expect("parses");
        assert_eq!(form.mobile.as_ref().map(Mobile::as_str), Some("0912345678"));
        let mut fields = wang("chosen");
        fields.retain(|(k, _)| k != "mobile");
        assert!(ApplicationForm::parse(&fields)
            .expect("parses")
            .mobile
            .is_none());
        fields.push(("mobile".into(), " ".into()));
        assert!(ApplicationForm::parse(&fields)
            .expect("parses")
            .mobile
            .is_none());
        fields.retain(|(k, _)| k != "mobile");
        fields.push(("mobile".into(), "0212345678".into()));
        let errors = ApplicationForm::parse(&fields).unwrap_err();
        assert_eq!(named(&errors), ["mobile"]);
        assert!(!required(&MOBILE) && required(&EMAIL));
    }

    #[test]
    fn c2_confirmations_must_match_and_the_confirm_field_is_named() {
        let mut fields = wang("chosen");
        for (key, value) in fields.iter_mut() {
            if key == "user_code_confirm" {
                *value = "wang2024".into();
            }
            if key == "pin_confirm" {
                *value = "135791".into();
            }
        }
        let errors = ApplicationForm::parse(&fields).unwrap_err();
        assert_eq!(named(&errors), ["user_code_confirm", "pin_confirm"]);
        assert!(errors[0]
            .message(crate::i18n::Lang::ZhTw)
            .contains("用戶代碼不一致"));
    }

    #[test]
    fn c2_every_bad_field_is_named_at_once() {
        let mut fields = wang("chosen");
        fields.retain(|(k, _)| k != "birth_date" && k != "captcha");
        for (key, value) in fields.iter_mut() {
            if key == "user_code" || key == "user_code_confirm" {
                *value = "ab".into();
            }
            if key == "pin" {
                *value = "12345".into();
            }
        }
        let errors = ApplicationForm::parse(&fields).unwrap_err();
        assert_eq!(
            named(&errors),
            [
                "birth_date",
                "user_code",
                "user_code_confirm",
                "pin",
                "captcha"
            ]
        );
        let mut at_counter = wang("default");
        at_counter.retain(|(k, _)| !k.starts_with("captcha"));
        assert!(ApplicationForm::parse_for(&at_counter, super::super::Channel::Counter).is_ok());
        assert_eq!(
            named(&ApplicationForm::parse(&at_counter).unwrap_err()),
            ["captcha"]
        );
        let mut no_choice = wang("");
        no_choice.retain(|(k, _)| k != "pin_choice");
        assert_eq!(
            named(&ApplicationForm::parse(&no_choice).unwrap_err()),
            ["pin_choice"]
        );
    }
}
