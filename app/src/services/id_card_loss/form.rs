//! The loss-report form's fields (seed 004, 1(1) and 2(1)), in the seed's order, and their
//! parsing: every field through its shared domain type, all errors at once.

use super::cases::ContactState;
use super::events::ContactMethod;
use super::LossOperation;
use crate::cases::Code;
use crate::components::captcha::{CAPTCHA_ANSWER, CAPTCHA_ID};
use crate::domain::{
    address::RegisteredAddress, email::Email, field_kind::FieldKind, national_id::NationalId,
    person_name::PersonName, phone::ContactPhone, revocation_password::RevocationPassword,
    roc_date::RocDate,
};
use crate::error::PortalError;
use crate::forms;
pub use crate::forms::{value, FormField};

pub const NATIONAL_ID: FormField = FormField {
    name: "national_id",
    kind: FieldKind::NationalId,
    label_zh: "國民身分證統一編號",
    label_en: "National ID number",
    hint_zh: Some("1 個英文字母加 9 個數字，如 A123456789"),
    hint_en: Some("1 letter and 9 digits, e.g. A123456789"),
    maxlength: 10,
};
pub const NAME: FormField = FormField {
    name: "name",
    kind: FieldKind::PersonName,
    label_zh: "姓名",
    label_en: "Name",
    hint_zh: None,
    hint_en: None,
    maxlength: 40,
};
pub const BIRTH_DATE: FormField = FormField {
    name: "birth_date",
    kind: FieldKind::RocDate,
    label_zh: "出生年月日",
    label_en: "Date of birth",
    hint_zh: Some("民國年/月/日，如 73/01/01"),
    hint_en: Some("ROC year/month/day, e.g. 73/01/01 (1984-01-01)"),
    maxlength: 10,
};
pub const ADDRESS: FormField = FormField {
    name: "address",
    kind: FieldKind::Address,
    label_zh: "戶籍地址",
    label_en: "Registered address",
    hint_zh: Some("如 臺北市大安區新生南路二段86巷7號3樓"),
    hint_en: Some("In Chinese, as registered, e.g. 臺北市大安區新生南路二段86巷7號3樓"),
    maxlength: 100,
};
pub const PHONE: FormField = FormField {
    name: "phone",
    kind: FieldKind::ContactPhone,
    label_zh: "聯絡電話",
    label_en: "Telephone",
    hint_zh: Some("手機 090000XXXX，或市話 (02)1234XXXX#12XX"),
    hint_en: Some("Mobile 090000XXXX, or landline (02)1234XXXX#12XX"),
    maxlength: 24,
};
pub const EMAIL: FormField = FormField {
    name: "email",
    kind: FieldKind::Email,
    label_zh: "常用電子信箱",
    label_en: "E-mail",
    hint_zh: None,
    hint_en: None,
    maxlength: 254,
};
pub const PARENT_NAME: FormField = FormField {
    name: "parent_name",
    kind: FieldKind::PersonName,
    label_zh: "(養)父或(養)母姓名",
    label_en: "Name of your (adoptive) father or mother",
    hint_zh: None,
    hint_en: None,
    maxlength: 40,
};
pub const PASSWORD: FormField = FormField {
    name: "password",
    kind: FieldKind::RevocationPassword,
    label_zh: "撤銷掛失預設密碼",
    label_en: "Revocation password",
    hint_zh: Some("4 碼，可輸入大小寫英文字或數字"),
    hint_en: Some("4 letters or digits, case-sensitive"),
    maxlength: 4,
};

/// The fields of `operation`, in the seed's order.
pub fn fields(operation: LossOperation) -> Vec<FormField> {
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

impl LossForm {
    /// Parses every field; on failure, one [`PortalError::Field`] per bad field.
    pub fn parse(
        operation: LossOperation,
        posted: &[(String, String)],
    ) -> Result<LossForm, Vec<PortalError>> {
        LossForm::parse_fields(operation, posted, true)
    }

    /// The report as staff type it while the citizen is on the telephone (issue 20 item 15):
    /// the same questions, without a CAPTCHA (a person types it) or a revocation password
    /// (none is set over the telephone).
    pub fn parse_by_phone(posted: &[(String, String)]) -> Result<LossForm, Vec<PortalError>> {
        LossForm::parse_fields(LossOperation::Query, posted, false)
    }

    fn parse_fields(
        operation: LossOperation,
        posted: &[(String, String)],
        captcha: bool,
    ) -> Result<LossForm, Vec<PortalError>> {
        let mut errors = Vec::new();
        let mut take = |field: &FormField| -> String {
            let text = value(posted, field.name);
            errors.extend(field.check(text));
            text.to_owned()
        };
        let texts: Vec<String> = fields(operation).iter().map(&mut take).collect();
        let captcha_answer = value(posted, CAPTCHA_ANSWER).trim().to_owned();
        if captcha && captcha_answer.is_empty() {
            errors.push(forms::required(CAPTCHA_ANSWER));
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

/// A contact the office records (L4-4): which report, how the citizen was contacted, the
/// outcome (聯絡結果) and the remarks (其他說明).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactRecord {
    pub report_id: i64,
    /// By telephone or e-mail.
    pub method: ContactMethod,
    /// Confirmed or unreachable.
    pub outcome: ContactState,
    /// Trimmed; `None` when left empty.
    pub note: Option<String>,
}

/// Remarks the office may write with a contact.
pub const NOTE_CHARS: usize = 200;

impl ContactRecord {
    /// Parses the office's contact form; the first field that does not parse is refused.
    pub fn parse(posted: &[(String, String)]) -> Result<ContactRecord, PortalError> {
        let refused = |zh_tw: &str, english: &str| PortalError::Refused {
            zh_tw: zh_tw.into(),
            english: english.into(),
        };
        let report_id = value(posted, "report")
            .parse::<i64>()
            .map_err(|_| refused("請選擇掛失紀錄。", "Choose a report."))?;
        let method = ContactMethod::from_code(value(posted, "method"))
            .filter(|method| ContactMethod::BY_CLERK.contains(method))
            .ok_or_else(|| {
                refused(
                    "請選擇聯絡方式（電話或電子郵件）。",
                    "Choose how you contacted the citizen.",
                )
            })?;
        let outcome = ContactState::from_code(value(posted, "outcome"))
            .filter(|outcome| ContactState::OUTCOMES.contains(outcome))
            .ok_or_else(|| refused("請選擇聯絡結果。", "Choose the outcome of the contact."))?;
        let note = value(posted, "note").trim();
        if note.chars().count() > NOTE_CHARS {
            return Err(refused(
                "其他說明最多 200 個字。",
                "Remarks may have at most 200 characters.",
            ));
        }
        Ok(ContactRecord {
            report_id,
            method,
            outcome,
            note: (!note.is_empty()).then(|| note.to_owned()),
        })
    }
}

/// What the citizen signed in with their certificate asked for (L4-3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardRequest {
    /// 掛失, with where the office reaches them.
    Report { phone: ContactPhone, email: Email },
    /// 撤銷掛失 of the open report.
    Revoke,
}

impl CardRequest {
    /// Parses the posted form: `None` when it chose neither action; the bad contact fields,
    /// each a [`PortalError::Field`], for a report that cannot be taken.
    pub fn parse(posted: &[(String, String)]) -> Option<Result<CardRequest, Vec<PortalError>>> {
        match value(posted, "action") {
            "report" => {
                let phone = ContactPhone::parse(value(posted, PHONE.name));
                let email = Email::parse(value(posted, EMAIL.name));
                Some(match (phone, email) {
                    (Ok(phone), Ok(email)) => Ok(CardRequest::Report { phone, email }),
                    (phone, email) => {
                        let mut errors = Vec::new();
                        if let Err(error) = phone {
                            errors.push(PortalError::field(PHONE.name, &error));
                        }
                        if let Err(error) = email {
                            errors.push(PortalError::field(EMAIL.name, &error));
                        }
                        Err(errors)
                    }
                })
            }
            "revoke" => Some(Ok(CardRequest::Revoke)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::testing::*;

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
    fn l4_4_a_contact_form_parses_and_each_bad_field_is_refused() {
        let contact = ContactRecord::parse(&posted(&[
            ("report", "7"),
            ("method", "phone"),
            ("outcome", "unreachable"),
            ("note", "  留言請回電 "),
        ]))
        .unwrap();
        assert_eq!(
            contact,
            ContactRecord {
                report_id: 7,
                method: ContactMethod::Phone,
                outcome: ContactState::Unreachable,
                note: Some("留言請回電".into()),
            }
        );
        let refused = |form: &[(&str, &str)]| {
            ContactRecord::parse(&posted(form))
                .unwrap_err()
                .message(crate::i18n::Lang::ZhTw)
        };
        assert_eq!(refused(&[("method", "phone")]), "請選擇掛失紀錄。");
        assert_eq!(
            refused(&[
                ("report", "7"),
                ("method", "system"),
                ("outcome", "confirmed")
            ]),
            "請選擇聯絡方式（電話或電子郵件）。"
        );
        assert_eq!(
            refused(&[("report", "7"), ("method", "email"), ("outcome", "pending")]),
            "請選擇聯絡結果。"
        );
        let long = "說".repeat(201);
        assert_eq!(
            refused(&[
                ("report", "7"),
                ("method", "email"),
                ("outcome", "confirmed"),
                ("note", &long)
            ]),
            "其他說明最多 200 個字。"
        );
    }

    #[test]
    fn l4_3_the_card_form_chooses_report_or_revoke() {
        assert_eq!(
            CardRequest::parse(&posted(&[("action", "revoke")])),
            Some(Ok(CardRequest::Revoke))
        );
        assert_eq!(CardRequest::parse(&posted(&[("action", "other")])), None);
        let errors = CardRequest::parse(&posted(&[("action", "report"), ("phone", "12")]))
            .unwrap()
            .unwrap_err();
        assert_eq!(named(&errors), ["phone", "email"]);
    }

    #[test]
    fn l4_2_revoking_needs_the_password_and_every_bad_field_is_named() {
        let mut form = wang(None);
        form.retain(|(k, _)| k != "birth_date" && k != "captcha");
        let errors = LossForm::parse(LossOperation::Revoke, &form).unwrap_err();
        assert_eq!(named(&errors), ["birth_date", "password", "captcha"]);
    }
}
