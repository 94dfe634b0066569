//! The seed's 申請表 (要點 附件, SPEC I-2): every field in the form's order, parsed through the
//! shared domain types with every error at once. 機關(構)名稱 is not typed: it is the signed-in
//! applicant's name in the registry, which its server certificate must carry. A 啟用 request types the system's particulars
//! and uploads its server certificate; a 停用 request names one of the applicant's systems,
//! whose particulars the record already holds.

use super::oversight::OversightAction;
use super::requests::RequestKind;
use super::StopGround;
use crate::cases::Code;
use crate::domain::field_kind::FieldKind;
use crate::domain::{
    address::RegisteredAddress, email::Email, person_name::PersonName, phone::ContactPhone,
    purpose::Purpose, roc_date::RocDate, short_text::ShortText,
};
use crate::error::PortalError;
use crate::forms::{self, value, FormField};

pub const ADDRESS: FormField = FormField::new(
    "address",
    FieldKind::Address,
    ("機關(構)地址", "Address"),
    None,
    100,
);
pub const SYSTEM_NAME: FormField = FormField::new(
    "system_name",
    FieldKind::ShortText,
    ("應用系統中文名稱", "Application system (Chinese name)"),
    None,
    60,
);
pub const SERIAL: FormField = FormField::new(
    "certificate_serial",
    FieldKind::ShortText,
    ("伺服器憑證序號", "Server certificate serial number"),
    Some((
        "憑證成功下載後，將憑證序號（十六進位）填入；須與上傳之伺服器憑證相符",
        "The serial number (hexadecimal) of the certificate you downloaded; it must be the uploaded certificate's",
    )),
    64,
);
/// The server certificate file (啟用 only): from GCA for an agency, MOEACA or XCA for a
/// financial institution (要點三(一)).
pub const CERTIFICATE: &str = "certificate";
/// The system a 停用 request closes (its id).
pub const SYSTEM: &str = "system";

/// The six fields of a person on the form (聯絡人, 代理人): 姓名, 職稱, 單位, E-mail, 電話, 傳真.
macro_rules! person_fields {
    ($prefix:literal, $zh:literal, $en:literal) => {
        [
            FormField::new(
                concat!($prefix, "_name"),
                FieldKind::PersonName,
                (concat!($zh, "姓名"), concat!($en, ": name")),
                None,
                40,
            ),
            FormField::new(
                concat!($prefix, "_title"),
                FieldKind::ShortText,
                (concat!($zh, "職稱"), concat!($en, ": title")),
                None,
                60,
            ),
            FormField::new(
                concat!($prefix, "_unit"),
                FieldKind::ShortText,
                (concat!($zh, "單位"), concat!($en, ": unit")),
                None,
                60,
            ),
            FormField::new(
                concat!($prefix, "_email"),
                FieldKind::Email,
                (concat!($zh, "E-mail"), concat!($en, ": e-mail")),
                None,
                254,
            ),
            FormField::new(
                concat!($prefix, "_phone"),
                FieldKind::ContactPhone,
                (concat!($zh, "電話"), concat!($en, ": telephone")),
                Some(("如 (02)23456789#123", "e.g. (02)23456789#123")),
                24,
            ),
            FormField::new(
                concat!($prefix, "_fax"),
                FieldKind::ContactPhone,
                (concat!($zh, "傳真"), concat!($en, ": fax")),
                Some(("如 (02)23456780", "e.g. (02)23456780")),
                24,
            ),
        ]
    };
}

/// 聯絡人.
pub const CONTACT: [FormField; 6] = person_fields!("contact", "聯絡人", "Contact");
/// 代理人.
pub const DEPUTY: [FormField; 6] = person_fields!("deputy", "代理人", "Deputy");

const PLANNED_HINT: (&str, &str) = (
    "民國年/月/日，如 116/01/15；應於一個月後",
    "ROC year/month/day, e.g. 116/01/15; at least one month from today",
);
/// 預定開放日期: from it until the server certificate expires.
pub const PLANNED_OPEN: FormField = FormField::new(
    "planned_on",
    FieldKind::RocDate,
    ("預定開放日期", "Planned opening date"),
    Some(PLANNED_HINT),
    9,
);
/// 預定停用日期.
pub const PLANNED_CLOSE: FormField = FormField::new(
    "planned_on",
    FieldKind::RocDate,
    ("預定停用日期", "Planned closing date"),
    Some(PLANNED_HINT),
    9,
);
pub const OVERVIEW: FormField = FormField::new(
    "overview",
    FieldKind::Purpose,
    (
        "應用系統概述（含系統功能、使用對象、驗證方式等）",
        "System overview (what it does, who uses it, how they authenticate)",
    ),
    Some(("字數限制350字", "At most 350 characters")),
    350,
);
pub const REASON: FormField = FormField::new(
    "reason",
    FieldKind::Purpose,
    ("停用原因", "Reason for closing"),
    Some(("字數限制350字", "At most 350 characters")),
    350,
);

/// The fields a request of `kind` types, in the form's order (the file and the system choice
/// aside).
pub fn typed_fields(kind: RequestKind) -> Vec<FormField> {
    let mut fields = match kind {
        RequestKind::Enable => vec![ADDRESS, SYSTEM_NAME, SERIAL],
        RequestKind::Disable => Vec::new(),
    };
    fields.extend(CONTACT);
    fields.extend(DEPUTY);
    fields.extend(match kind {
        RequestKind::Enable => [PLANNED_OPEN, OVERVIEW],
        RequestKind::Disable => [PLANNED_CLOSE, REASON],
    });
    fields
}

/// A person on the form, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub name: PersonName,
    pub title: ShortText,
    pub unit: ShortText,
    pub email: Email,
    pub phone: ContactPhone,
    pub fax: ContactPhone,
}

impl Person {
    fn parse(fields: &[FormField; 6], posted: &[(String, String)]) -> Option<Person> {
        let text = |index: usize| value(posted, fields[index].name);
        Some(Person {
            name: PersonName::parse(text(0)).ok()?,
            title: ShortText::parse(text(1)).ok()?,
            unit: ShortText::parse(text(2)).ok()?,
            email: Email::parse(text(3)).ok()?,
            phone: ContactPhone::parse(text(4)).ok()?,
            fax: ContactPhone::parse(text(5)).ok()?,
        })
    }
}

/// What a 啟用 request adds (機關(構)名稱 is the signed-in applicant's, as the registry has it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enable {
    pub address: RegisteredAddress,
    pub system_name: ShortText,
    /// As typed; the server checks it against the certificate.
    pub serial: ShortText,
    /// The uploaded server certificate, PEM or DER, as sent.
    pub certificate: Vec<u8>,
    pub overview: Purpose,
}

/// What a 停用 request adds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disable {
    /// The system's id.
    pub system: i64,
    pub reason: Purpose,
}

/// What a request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Asked {
    Enable(Enable),
    Disable(Disable),
}

/// A 申請表 whose every field parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestForm {
    pub asked: Asked,
    pub contact: Person,
    pub deputy: Person,
    /// 預定開放日期 or 預定停用日期 (the server holds it to a month ahead).
    pub planned_on: RocDate,
}

impl RequestForm {
    /// Parses every field of a `kind` request; on failure, one [`PortalError::Field`] per bad
    /// field. A file field arrives Base64-encoded (see the server's form reader).
    pub fn parse(
        kind: RequestKind,
        posted: &[(String, String)],
    ) -> Result<RequestForm, Vec<PortalError>> {
        use base64::Engine;
        let mut errors: Vec<PortalError> = typed_fields(kind)
            .iter()
            .filter_map(|field| field.check(value(posted, field.name)))
            .collect();
        let certificate = base64::engine::general_purpose::STANDARD
            .decode(value(posted, CERTIFICATE))
            .unwrap_or_default();
        let system = value(posted, SYSTEM).parse::<i64>().ok();
        match kind {
            RequestKind::Enable if certificate.is_empty() => {
                errors.push(forms::required(CERTIFICATE))
            }
            RequestKind::Disable if system.is_none() => errors.push(forms::required(SYSTEM)),
            _ => {}
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let text = |field: &FormField| value(posted, field.name);
        // Every field was checked above; these parses cannot fail.
        let parsed = || -> Option<RequestForm> {
            let asked = match kind {
                RequestKind::Enable => Asked::Enable(Enable {
                    address: RegisteredAddress::parse(text(&ADDRESS)).ok()?,
                    system_name: ShortText::parse(text(&SYSTEM_NAME)).ok()?,
                    serial: ShortText::parse(text(&SERIAL)).ok()?,
                    certificate,
                    overview: Purpose::parse(text(&OVERVIEW)).ok()?,
                }),
                RequestKind::Disable => Asked::Disable(Disable {
                    system: system?,
                    reason: Purpose::parse(text(&REASON)).ok()?,
                }),
            };
            Some(RequestForm {
                asked,
                contact: Person::parse(&CONTACT, posted)?,
                deputy: Person::parse(&DEPUTY, posted)?,
                planned_on: RocDate::parse(text(&PLANNED_OPEN)).ok()?,
            })
        };
        parsed().ok_or_else(Vec::new)
    }
}

impl RequestForm {
    pub fn kind(&self) -> RequestKind {
        match self.asked {
            Asked::Enable(_) => RequestKind::Enable,
            Asked::Disable(_) => RequestKind::Disable,
        }
    }
}

/// The ministry's answer as posted: 同意 or 不同意 (the button pressed), the 說明, and for
/// 同意 the effective date and, for 啟用, the system's daily quota (blank: the default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub approve: bool,
    pub note: Purpose,
    pub effective_on: Option<RocDate>,
    pub daily_quota: Option<i64>,
}

pub const NOTE: FormField = FormField::new(
    "note",
    FieldKind::Purpose,
    ("說明", "Explanation"),
    Some((
        "審核結果之說明，申請機關(構)將收到（350字以內）",
        "The explanation the applicant receives (at most 350 characters)",
    )),
    350,
);
pub const EFFECTIVE_ON: FormField = FormField::new(
    "effective_on",
    FieldKind::RocDate,
    ("生效日期", "Effective date"),
    Some((
        "同意時必填：應用系統啟用或停用之日期（民國年/月/日）",
        "Needed to approve: the date the system opens or closes (ROC year/month/day)",
    )),
    9,
);
pub const DAILY_QUOTA: &str = "daily_quota";
/// The daily quota a newly enabled system gets unless the reviewer sets another.
pub const DEFAULT_DAILY_QUOTA: i64 = 100_000;

impl Answer {
    /// Parses the reviewer's answer; every bad field at once.
    pub fn parse(posted: &[(String, String)]) -> Result<Answer, Vec<PortalError>> {
        let approve = match value(posted, "action") {
            "approve" => true,
            "reject" => false,
            _ => {
                return Err(vec![PortalError::Refused {
                    zh_tw: "請選擇同意或不同意。".into(),
                    english: "Choose to approve or not.".into(),
                }])
            }
        };
        let mut errors: Vec<PortalError> =
            NOTE.check(value(posted, NOTE.name)).into_iter().collect();
        let (effective_on, daily_quota) = if approve {
            let effective = value(posted, EFFECTIVE_ON.name);
            errors.extend(EFFECTIVE_ON.check(effective));
            // Blank: the default quota (a 停用 request has none to set).
            let quota = match value(posted, DAILY_QUOTA).trim() {
                "" => None,
                text => {
                    let quota = text
                        .parse::<i64>()
                        .ok()
                        .filter(|quota| (1..=100_000_000).contains(quota));
                    if quota.is_none() {
                        errors.push(PortalError::Field {
                            field: DAILY_QUOTA.into(),
                            zh_tw: "每日查詢上限須為 1 至 100000000 之整數".into(),
                            english: "The daily quota must be a whole number from 1 to 100000000"
                                .into(),
                        });
                    }
                    quota
                }
            };
            (RocDate::parse(effective).ok(), quota)
        } else {
            (None, None)
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Answer {
            approve,
            note: Purpose::parse(value(posted, NOTE.name)).map_err(|_| Vec::new())?,
            effective_on,
            daily_quota,
        })
    }
}

/// The ministry's decision on a system as posted (I-4): the button pressed, the note the
/// applicant is told, the ground of a stop and the deadline to improve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OversightDecision {
    pub action: OversightAction,
    pub note: Purpose,
    pub ground: Option<StopGround>,
    pub deadline: Option<RocDate>,
}

pub const OVERSIGHT_NOTE: FormField = FormField::new(
    "note",
    FieldKind::Purpose,
    ("說明", "Explanation"),
    Some((
        "應採行之措施、應改善之事項或停止服務之理由，申請機關(構)將收到（350字以內）",
        "The measures, what to improve, or why the service stops; the applicant receives it (at most 350 characters)",
    )),
    350,
);
pub const DEADLINE: FormField = FormField::new(
    "deadline",
    FieldKind::RocDate,
    ("改善期限", "Improve by"),
    Some((
        "限期改善時必填（民國年/月/日）",
        "Needed to set a deadline (ROC year/month/day)",
    )),
    9,
);
pub const GROUND: &str = "ground";

impl OversightDecision {
    /// Parses the reviewer's decision; every bad field at once.
    pub fn parse(posted: &[(String, String)]) -> Result<OversightDecision, Vec<PortalError>> {
        let action = match OversightAction::from_code(value(posted, "action")) {
            Some(action) if action != OversightAction::Register => action,
            _ => {
                return Err(vec![PortalError::Refused {
                    zh_tw: "請選擇處理方式。".into(),
                    english: "Choose what to do.".into(),
                }])
            }
        };
        let mut errors: Vec<PortalError> = OVERSIGHT_NOTE
            .check(value(posted, OVERSIGHT_NOTE.name))
            .into_iter()
            .collect();
        let ground = StopGround::from_code(value(posted, GROUND));
        if action == OversightAction::Stop && ground.is_none() {
            errors.push(PortalError::Field {
                field: GROUND.into(),
                zh_tw: "請選擇停止服務之事由（要點第六點）".into(),
                english: "Choose the ground of rule 6".into(),
            });
        }
        let deadline = match action {
            OversightAction::RequireImprovement => {
                errors.extend(DEADLINE.check(value(posted, DEADLINE.name)));
                RocDate::parse(value(posted, DEADLINE.name)).ok()
            }
            _ => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(OversightDecision {
            action,
            note: Purpose::parse(value(posted, OVERSIGHT_NOTE.name)).map_err(|_| Vec::new())?,
            ground: ground.filter(|_| action == OversightAction::Stop),
            deadline,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::testing::{named, posted};

    fn person(prefix: &str) -> Vec<(String, String)> {
        [
            ("name", "林志明"),
            ("title", "科長"),
            ("unit", "資訊處"),
            ("email", "lin@bank.example.com"),
            ("phone", "(02)23456789#123"),
            ("fax", "(02)23456780"),
        ]
        .iter()
        .map(|(field, value)| (format!("{prefix}_{field}"), (*value).to_owned()))
        .collect()
    }

    #[test]
    fn i_2_the_form_has_every_field_of_the_seeds_application_form() {
        let names = |kind| {
            typed_fields(kind)
                .iter()
                .map(|field| field.label_zh)
                .collect::<Vec<_>>()
        };
        let enable = names(RequestKind::Enable);
        assert!(
            !enable.contains(&"機關(構)名稱"),
            "the registry's, not typed"
        );
        for label in [
            "機關(構)地址",
            "應用系統中文名稱",
            "伺服器憑證序號",
            "聯絡人姓名",
            "聯絡人職稱",
            "聯絡人單位",
            "聯絡人E-mail",
            "聯絡人電話",
            "聯絡人傳真",
            "代理人姓名",
            "代理人職稱",
            "代理人單位",
            "代理人E-mail",
            "代理人電話",
            "代理人傳真",
            "預定開放日期",
            "應用系統概述（含系統功能、使用對象、驗證方式等）",
        ] {
            assert!(enable.contains(&label), "{label}");
        }
        let disable = names(RequestKind::Disable);
        assert!(disable.contains(&"預定停用日期") && disable.contains(&"停用原因"));
        assert!(!disable.contains(&"伺服器憑證序號"), "the record has it");
    }

    #[test]
    fn i_2_every_missing_field_is_named_at_once() {
        let errors = RequestForm::parse(RequestKind::Enable, &[]).expect_err("empty");
        let fields = named(&errors);
        assert_eq!(fields.len(), 18, "{fields:?}");
        assert!(fields.contains(&CERTIFICATE) && fields.contains(&"deputy_fax"));
        let errors = RequestForm::parse(RequestKind::Disable, &[]).expect_err("empty");
        assert_eq!(errors.len(), 15);
    }

    #[test]
    fn i_2_a_disable_request_parses_with_its_system_and_reason() {
        let mut form = person("contact");
        form.extend(person("deputy"));
        form.extend(posted(&[
            ("planned_on", "116/01/15"),
            ("reason", "系統汰換"),
            ("system", "7"),
        ]));
        let parsed = RequestForm::parse(RequestKind::Disable, &form).expect("parsed");
        assert_eq!(parsed.kind(), RequestKind::Disable);
        assert_eq!(
            parsed.asked,
            Asked::Disable(Disable {
                system: 7,
                reason: Purpose::parse("系統汰換").expect("reason"),
            })
        );
        assert_eq!(parsed.deputy.fax.as_str(), "(02)23456780");
    }

    #[test]
    fn i_4_a_stop_needs_its_ground_and_a_deadline_its_date() {
        let refused = OversightDecision::parse(&posted(&[("action", "stop"), ("note", "x")]))
            .expect_err("no ground");
        assert_eq!(named(&refused), ["ground"]);
        let refused =
            OversightDecision::parse(&posted(&[("action", "require_improvement"), ("note", "")]))
                .expect_err("no note, no deadline");
        assert_eq!(named(&refused), ["note", "deadline"]);
        let stop = OversightDecision::parse(&posted(&[
            ("action", "stop"),
            ("note", "申請文件記載不實"),
            ("ground", "false_data"),
        ]))
        .expect("stop");
        assert_eq!(stop.ground, Some(StopGround::FalseData));
        assert!(
            OversightDecision::parse(&posted(&[("action", "register"), ("note", "x")])).is_err()
        );
    }

    #[test]
    fn i_2_approval_needs_an_effective_date_and_refusal_only_a_note() {
        let refused = Answer::parse(&posted(&[
            ("action", "approve"),
            ("note", "符合要點"),
            ("daily_quota", "0"),
        ]))
        .expect_err("no date, no quota");
        assert_eq!(named(&refused), ["effective_on", "daily_quota"]);
        let approved = Answer::parse(&posted(&[
            ("action", "approve"),
            ("note", "符合要點"),
            ("effective_on", "116/01/15"),
            ("daily_quota", "100000"),
        ]))
        .expect("approved");
        assert_eq!(approved.daily_quota, Some(100_000));
        let rejected = Answer::parse(&posted(&[("action", "reject"), ("note", "伺服器憑證不符")]))
            .expect("rejected");
        assert!(!rejected.approve && rejected.effective_on.is_none());
        assert!(Answer::parse(&posted(&[("action", "other"), ("note", "x")])).is_err());
    }
}
