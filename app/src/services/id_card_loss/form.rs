//! The loss-report form's fields (seed 004, 1(1) and 2(1)), in the seed's order, and their
//! parsing: every field through its shared domain type, all errors at once.

use super::LossOperation;
use crate::domain::{
    address::RegisteredAddress, email::Email, field_kind::FieldKind, national_id::NationalId,
    person_name::PersonName, phone::ContactPhone, revocation_password::RevocationPassword,
    roc_date::RocDate, FieldError,
};
use crate::error::PortalError;
use crate::i18n::Lang;

/// One field of the form: its name, label, hint and parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LossField {
    pub name: &'static str,
    pub kind: FieldKind,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub hint_zh: Option<&'static str>,
    pub hint_en: Option<&'static str>,
    pub maxlength: usize,
}

impl LossField {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.label_zh, self.label_en)
    }

    pub fn hint(&self, lang: Lang) -> Option<&'static str> {
        lang.pick(self.hint_zh, self.hint_en)
    }
}

pub const NATIONAL_ID: LossField = LossField {
    name: "national_id",
    kind: FieldKind::NationalId,
    label_zh: "國民身分證統一編號",
    label_en: "National ID number",
    hint_zh: Some("1 個英文字母加 9 個數字，如 A123456789"),
    hint_en: Some("1 letter and 9 digits, e.g. A123456789"),
    maxlength: 10,
};
pub const NAME: LossField = LossField {
    name: "name",
    kind: FieldKind::PersonName,
    label_zh: "姓名",
    label_en: "Name",
    hint_zh: None,
    hint_en: None,
    maxlength: 40,
};
pub const BIRTH_DATE: LossField = LossField {
    name: "birth_date",
    kind: FieldKind::RocDate,
    label_zh: "出生年月日",
    label_en: "Date of birth",
    hint_zh: Some("民國年/月/日，如 73/01/01"),
    hint_en: Some("ROC year/month/day, e.g. 73/01/01 (1984-01-01)"),
    maxlength: 10,
};
pub const ADDRESS: LossField = LossField {
    name: "address",
    kind: FieldKind::Address,
    label_zh: "戶籍地址",
    label_en: "Registered address",
    hint_zh: Some("如 臺北市大安區新生南路二段86巷7號3樓"),
    hint_en: Some("In Chinese, as registered, e.g. 臺北市大安區新生南路二段86巷7號3樓"),
    maxlength: 100,
};
pub const PHONE: LossField = LossField {
    name: "phone",
    kind: FieldKind::ContactPhone,
    label_zh: "聯絡電話",
    label_en: "Telephone",
    hint_zh: Some("手機 090000XXXX，或市話 (02)1234XXXX#12XX"),
    hint_en: Some("Mobile 090000XXXX, or landline (02)1234XXXX#12XX"),
    maxlength: 24,
};
pub const EMAIL: LossField = LossField {
    name: "email",
    kind: FieldKind::Email,
    label_zh: "常用電子信箱",
    label_en: "E-mail",
    hint_zh: None,
    hint_en: None,
    maxlength: 254,
};
pub const PARENT_NAME: LossField = LossField {
    name: "parent_name",
    kind: FieldKind::PersonName,
    label_zh: "(養)父或(養)母姓名",
    label_en: "Name of your (adoptive) father or mother",
    hint_zh: None,
    hint_en: None,
    maxlength: 40,
};
pub const PASSWORD: LossField = LossField {
    name: "password",
    kind: FieldKind::RevocationPassword,
    label_zh: "撤銷掛失預設密碼",
    label_en: "Revocation password",
    hint_zh: Some("4 碼，可輸入大小寫英文字或數字"),
    hint_en: Some("4 letters or digits, case-sensitive"),
    maxlength: 4,
};

/// The fields of `operation`, in the seed's order.
pub fn fields(operation: LossOperation) -> Vec<LossField> {
    let mut fields = vec![
        NATIONAL_ID,
        NAME,
        BIRTH_DATE,
        ADDRESS,
        PHONE,
        EMAIL,
        PARENT_NAME,
    ];
    if operation.asks_password() {
        fields.push(PASSWORD);
    }
    fields
}

/// The CAPTCHA's field names: the challenge's id (hidden) and the typed answer.
pub const CAPTCHA_ID: &str = "captcha_id";
pub const CAPTCHA_ANSWER: &str = "captcha";

/// A form whose every field parsed.
#[derive(Clone, Debug)]
pub struct LossForm {
    pub national_id: NationalId,
    pub name: PersonName,
    pub birth_date: RocDate,
    pub address: RegisteredAddress,
    pub phone: ContactPhone,
    pub email: Email,
    pub parent_name: PersonName,
    pub password: Option<RevocationPassword>,
    pub captcha_id: String,
    pub captcha_answer: String,
}

/// The value of field `name` in a posted form ("" when absent).
pub fn value<'a>(posted: &'a [(String, String)], name: &str) -> &'a str {
    posted
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .unwrap_or_default()
}

impl LossForm {
    /// Parses every field; on failure, one [`PortalError::Field`] per bad field.
    pub fn parse(
        operation: LossOperation,
        posted: &[(String, String)],
    ) -> Result<LossForm, Vec<PortalError>> {
        let mut errors = Vec::new();
        let mut take = |field: &LossField| -> String {
            let text = value(posted, field.name);
            if field.kind.check(text, Lang::ZhTw).is_some() {
                errors.push(field_error(field, text));
            }
            text.to_owned()
        };
        let texts: Vec<String> = fields(operation).iter().map(&mut take).collect();
        let captcha_answer = value(posted, CAPTCHA_ANSWER).trim().to_owned();
        if captcha_answer.is_empty() {
            errors.push(PortalError::Field {
                field: CAPTCHA_ANSWER.into(),
                zh_tw: crate::domain::required_message(Lang::ZhTw).into(),
                english: crate::domain::required_message(Lang::English).into(),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Every field checked above; these parses cannot fail.
        let parsed = (|| -> Option<LossForm> {
            Some(LossForm {
                national_id: NationalId::parse(&texts[0]).ok()?,
                name: PersonName::parse(&texts[1]).ok()?,
                birth_date: RocDate::parse(&texts[2]).ok()?,
                address: RegisteredAddress::parse(&texts[3]).ok()?,
                phone: ContactPhone::parse(&texts[4]).ok()?,
                email: Email::parse(&texts[5]).ok()?,
                parent_name: PersonName::parse(&texts[6]).ok()?,
                password: match texts.get(7) {
                    Some(text) => Some(RevocationPassword::parse(text).ok()?),
                    None => None,
                },
                captcha_id: value(posted, CAPTCHA_ID).to_owned(),
                captcha_answer,
            })
        })();
        parsed.ok_or_else(Vec::new)
    }
}

/// The error of `field` for `text`, in both languages.
fn field_error(field: &LossField, text: &str) -> PortalError {
    struct Message(&'static str, &'static str);
    impl FieldError for Message {
        fn message(&self, lang: Lang) -> &'static str {
            lang.pick(self.0, self.1)
        }
    }
    let zh = field.kind.check(text, Lang::ZhTw).unwrap_or_default();
    let en = field.kind.check(text, Lang::English).unwrap_or_default();
    PortalError::field(field.name, &Message(zh, en))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn wang(password: Option<&str>) -> Vec<(String, String)> {
        let mut form = posted(&[
            ("national_id", "a123456789"),
            ("name", "王小明"),
            ("birth_date", "73/01/01"),
            ("address", "台北市大安區新生南路二段86巷7號3樓"),
            ("phone", "0912345678"),
            ("email", "wang@example.com"),
            ("parent_name", "李美華"),
            ("captcha_id", "abc"),
            ("captcha", "12345"),
        ]);
        if let Some(password) = password {
            form.push(("password".into(), password.into()));
        }
        form
    }

    #[test]
    fn l4_1_a_whole_report_form_parses() {
        let form = LossForm::parse(LossOperation::Report, &wang(Some("Ab12"))).unwrap();
        assert_eq!(form.national_id.as_str(), "A123456789");
        assert_eq!(form.password.unwrap().expose(), "Ab12");
        assert_eq!(form.captcha_answer, "12345");
    }

    #[test]
    fn l4_1_a_query_asks_no_password() {
        assert!(!fields(LossOperation::Query).contains(&PASSWORD));
        let form = LossForm::parse(LossOperation::Query, &wang(None)).unwrap();
        assert!(form.password.is_none());
    }

    #[test]
    fn l4_2_revoking_needs_the_password_and_every_bad_field_is_named() {
        let mut form = wang(None);
        form.retain(|(k, _)| k != "birth_date" && k != "captcha");
        let errors = LossForm::parse(LossOperation::Revoke, &form).unwrap_err();
        let named: Vec<&str> = errors
            .iter()
            .map(|e| match e {
                PortalError::Field { field, .. } => field.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(named, ["birth_date", "password", "captcha"]);
    }
}
