//! The application form (seed 000 圖4, 10, 14, 17): its fields in the seed's order, and their
//! parsing through the shared domain types, all errors at once.

use super::cases::GrantAction;
use super::CaseKind;
use crate::cases::Code;
use crate::domain::FieldError;
use crate::domain::{
    company_name::CompanyName, email::Email, field_kind::FieldKind, host_ip::HostIp,
    host_ip::LoopbackHost, person_name::PersonName, phone::Landline, phone::Mobile,
    purpose::Purpose,
};
use crate::error::PortalError;
use crate::forms::{self, value, FormField};
use crate::i18n::Lang;

pub const COMPANY_NAME: FormField = FormField {
    name: "company_name",
    kind: FieldKind::CompanyName,
    label_zh: "公司名稱",
    label_en: "Company name",
    hint_zh: None,
    hint_en: None,
    maxlength: 60,
};
pub const HOST_IP: FormField = FormField {
    name: "host_ip",
    kind: FieldKind::HostIp,
    label_zh: "連線主機網路位址",
    label_en: "Host IP address",
    hint_zh: Some("一個營利事業統一編號僅能申請使用一個連線主機網路位址"),
    hint_en: Some("One business ID may register only one host IP address"),
    maxlength: 39,
};
pub const CONTACT: FormField = FormField {
    name: "contact",
    kind: FieldKind::PersonName,
    label_zh: "聯絡人",
    label_en: "Contact person",
    hint_zh: None,
    hint_en: None,
    maxlength: 40,
};
pub const LANDLINE: FormField = FormField {
    name: "landline",
    kind: FieldKind::Landline,
    label_zh: "聯絡電話（市話）",
    label_en: "Telephone (landline)",
    hint_zh: Some("參考格式：有分機(02)1234XXXX#12XX，無分機(02)1234XXXX"),
    hint_en: Some("Format: (02)1234XXXX#12XX with an extension, (02)1234XXXX without"),
    maxlength: 24,
};
pub const MOBILE: FormField = FormField {
    name: "mobile",
    kind: FieldKind::Mobile,
    label_zh: "聯絡電話（手機）",
    label_en: "Telephone (mobile)",
    hint_zh: Some("參考格式：手機090000XXXX"),
    hint_en: Some("Format: 090000XXXX"),
    maxlength: 10,
};
pub const EMAIL: FormField = FormField {
    name: "email",
    kind: FieldKind::Email,
    label_zh: "電子信箱",
    label_en: "E-mail",
    hint_zh: None,
    hint_en: None,
    maxlength: 254,
};
pub const PURPOSE: FormField = FormField {
    name: "purpose",
    kind: FieldKind::Purpose,
    label_zh: "使用目的/原因",
    label_en: "Purpose or reason",
    hint_zh: Some("依何法規、條款需查驗身分證，字數限制350字"),
    hint_en: Some(
        "Which law or regulation requires you to verify ID cards; at most 350 characters",
    ),
    maxlength: 350,
};

/// A plan's text (A-N11), posted as the purpose is: the improvement plan itself.
pub const PLAN: FormField = FormField {
    name: "purpose",
    kind: FieldKind::Purpose,
    label_zh: "改善做法",
    label_en: "Improvement plan",
    hint_zh: Some("請說明暫停或註銷之原因已如何改善，及日後之防範措施，字數限制350字"),
    hint_en: Some(
        "How the cause of the suspension or revocation was put right, and what prevents it from now on; at most 350 characters",
    ),
    maxlength: 350,
};

/// The free text of a case of `kind`: the plan of an improvement plan, else the purpose.
pub fn text_field(kind: CaseKind) -> FormField {
    match kind {
        CaseKind::Plan => PLAN,
        _ => PURPOSE,
    }
}

/// The certificate file (憑證上傳) and the agreement to the management rules.
pub const CERTIFICATE: &str = "certificate";
pub const AGREE: &str = "agree";
pub const TOKEN: &str = "token";

/// The company-data fields: edited in API申請 and 登錄資料修改, shown read-only otherwise.
pub const COMPANY_FIELDS: [FormField; 6] =
    [COMPANY_NAME, HOST_IP, CONTACT, LANDLINE, MOBILE, EMAIL];

/// What every case records about the company (the submitted or the registered data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanyData {
    pub company_name: CompanyName,
    pub host_ip: HostIp,
    pub contact: PersonName,
    pub landline: Landline,
    pub mobile: Mobile,
    pub email: Email,
}

/// A form whose every field parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationForm {
    pub kind: CaseKind,
    /// The typed company data (API申請, 登錄資料修改); `None` where the registered data stands.
    pub company: Option<CompanyData>,
    pub purpose: Purpose,
    /// The uploaded certificate file, as sent (憑證上傳 only).
    pub certificate: Option<Vec<u8>>,
    /// The form's one-time token (checked by the server): sent twice, the form makes one case.
    pub token: String,
}

impl ApplicationForm {
    /// A loopback 連線主機網路位址 typed on a production portal, refused ([`LoopbackHost`]).
    pub fn loopback_host(&self, development: bool) -> Option<PortalError> {
        let host = self.company.as_ref()?.host_ip.addr();
        LoopbackHost::check(host, development)
            .err()
            .map(|error| PortalError::field(HOST_IP.name, &error))
    }

    /// Parses every field of `kind`'s form; on failure, one [`PortalError::Field`] per bad
    /// field. A file field arrives Base64-encoded (see the server's form reader).
    pub fn parse(
        kind: CaseKind,
        posted: &[(String, String)],
    ) -> Result<ApplicationForm, Vec<PortalError>> {
        use base64::Engine;
        let mut errors = Vec::new();
        let mut check = |field: &FormField| {
            errors.extend(field.check(value(posted, field.name)));
        };
        if kind.edits_company_data() {
            COMPANY_FIELDS.iter().for_each(&mut check);
        }
        let text_field = text_field(kind);
        check(&text_field);
        let certificate = if kind == CaseKind::Certificate {
            let file = base64::engine::general_purpose::STANDARD
                .decode(value(posted, CERTIFICATE))
                .unwrap_or_default();
            if file.is_empty() {
                errors.push(forms::required(CERTIFICATE));
            }
            Some(file)
        } else {
            None
        };
        if value(posted, AGREE) != "yes" {
            errors.push(PortalError::Field {
                field: AGREE.into(),
                zh_tw: "請詳閱並勾選同意遵守服務管理規範".into(),
                english: "Please read the management rules and tick that you agree to them".into(),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let text = |field: &FormField| value(posted, field.name);
        // Every field was checked above; these parses cannot fail.
        let company = if kind.edits_company_data() {
            let parsed = (|| {
                Some(CompanyData {
                    company_name: CompanyName::parse(text(&COMPANY_NAME)).ok()?,
                    host_ip: HostIp::parse(text(&HOST_IP)).ok()?,
                    contact: PersonName::parse(text(&CONTACT)).ok()?,
                    landline: Landline::parse(text(&LANDLINE)).ok()?,
                    mobile: Mobile::parse(text(&MOBILE)).ok()?,
                    email: Email::parse(text(&EMAIL)).ok()?,
                })
            })();
            Some(parsed.ok_or_else(Vec::new)?)
        } else {
            None
        };
        Ok(ApplicationForm {
            kind,
            company,
            purpose: Purpose::parse(text(&text_field)).map_err(|_| Vec::new())?,
            certificate,
            token: value(posted, TOKEN).to_owned(),
        })
    }
}

/// What a reviewer does with a case from its page (A-10, A-N5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewAction {
    Approve,
    Reject,
    /// 通知補正資料: the company has 5 working days to answer.
    AskForMaterial,
    /// 延長審查, once, the text being the reason.
    ExtendReview,
}

/// A reviewer's decision as posted: the action (the button pressed) and the text the company
/// is told (審核結果或原因, or the material needed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub action: ReviewAction,
    pub text: Purpose,
}

impl Decision {
    /// The text is checked first (the reviewer's typing is what can be wrong); an action no
    /// page offers is forbidden.
    pub fn parse(posted: &[(String, String)]) -> Result<Decision, PortalError> {
        let text = review_text(posted, "text")?;
        let action = match value(posted, "action") {
            "approve" => ReviewAction::Approve,
            "reject" => ReviewAction::Reject,
            "material" => ReviewAction::AskForMaterial,
            "extend" => ReviewAction::ExtendReview,
            _ => return Err(PortalError::Forbidden),
        };
        Ok(Decision { action, text })
    }
}

/// A reviewer's change of a company's permission from the queue (A-N10's manual side).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantChange {
    pub action: GrantAction,
    pub reason: Purpose,
    pub business_id: String,
}

impl GrantChange {
    /// Only the reviewer's own actions (the others follow from cases and jobs); anything else
    /// is forbidden before the reason is read.
    pub fn parse(posted: &[(String, String)]) -> Result<GrantChange, PortalError> {
        let action = GrantAction::from_code(value(posted, "action"))
            .filter(|action| GrantAction::REVIEWER_ACTIONS.contains(action))
            .ok_or(PortalError::Forbidden)?;
        Ok(GrantChange {
            action,
            reason: review_text(posted, "reason")?,
            business_id: value(posted, "business_id").to_owned(),
        })
    }
}

/// The reviewer's text (a decision's reason, a grant change's reason), refused as a whole.
fn review_text(posted: &[(String, String)], name: &str) -> Result<Purpose, PortalError> {
    Purpose::parse(value(posted, name)).map_err(|error| PortalError::Refused {
        zh_tw: format!("審核結果或原因：{}", error.message(Lang::ZhTw)),
        english: format!("Result or reason: {}", error.message(Lang::English)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::testing::*;

    fn shrimp() -> Vec<(String, String)> {
        posted(&[
            ("company_name", "蝦蝦樂購股份有限公司"),
            ("host_ip", "127.0.0.115"),
            ("contact", "郭總裁"),
            ("landline", "(02)3939889#86201"),
            ("mobile", "0910123321"),
            ("email", "awapply.ris@example.com"),
            ("purpose", "依洗錢防制法第七條需查驗身分證"),
            ("agree", "yes"),
        ])
    }

    #[test]
    fn a_2_a_whole_application_parses() {
        let form = ApplicationForm::parse(CaseKind::Apply, &shrimp()).unwrap();
        let company = form.company.unwrap();
        assert_eq!(company.host_ip.to_string(), "127.0.0.115");
        assert_eq!(company.landline.as_str(), "(02)3939889#86201");
        assert!(form.certificate.is_none());
    }

    #[test]
    fn security_21_8_a_loopback_host_is_refused_on_a_production_portal_only() {
        let loopback = ApplicationForm::parse(CaseKind::Apply, &shrimp()).unwrap();
        assert_eq!(loopback.loopback_host(true), None);
        let refused = loopback.loopback_host(false);
        assert!(
            matches!(&refused, Some(PortalError::Field { field, .. }) if field == "host_ip"),
            "{refused:?}"
        );
        let mut mapped = shrimp();
        for (key, value) in mapped.iter_mut() {
            if key == "host_ip" {
                *value = "::ffff:127.0.0.1".into();
            }
        }
        let mapped = ApplicationForm::parse(CaseKind::Apply, &mapped).unwrap();
        assert!(mapped.loopback_host(false).is_some());
        let mut public = shrimp();
        for (key, value) in public.iter_mut() {
            if key == "host_ip" {
                *value = "203.0.113.5".into();
            }
        }
        let public = ApplicationForm::parse(CaseKind::Apply, &public).unwrap();
        assert_eq!(public.loopback_host(false), None);
    }

    #[test]
    fn a_2_every_bad_field_is_named_and_the_rules_must_be_agreed() {
        let mut form = shrimp();
        form.retain(|(k, _)| k != "agree");
        for (key, value) in form.iter_mut() {
            match key.as_str() {
                "host_ip" => *value = "0.0.0.0".into(),
                "landline" => *value = "0223456789".into(),
                "purpose" => *value = "查".repeat(351),
                _ => {}
            }
        }
        let errors = ApplicationForm::parse(CaseKind::Apply, &form).unwrap_err();
        assert_eq!(named(&errors), ["host_ip", "landline", "purpose", "agree"]);
    }

    #[test]
    fn a_5_deactivation_takes_only_the_reason_and_the_agreement() {
        let form = ApplicationForm::parse(
            CaseKind::Deactivate,
            &posted(&[
                ("purpose", "因應集團組織改造停用"),
                ("agree", "yes"),
                ("host_ip", "x"),
            ]),
        )
        .unwrap();
        assert!(form.company.is_none());
        assert_eq!(form.purpose.as_str(), "因應集團組織改造停用");
    }

    #[test]
    fn a_n11_a_plan_takes_only_its_text_and_the_agreement_and_is_named_as_such() {
        let errors =
            ApplicationForm::parse(CaseKind::Plan, &posted(&[("agree", "yes")])).unwrap_err();
        assert_eq!(named(&errors), ["purpose"]);
        let form = ApplicationForm::parse(
            CaseKind::Plan,
            &posted(&[
                ("purpose", "已停止以第三方工具批次查驗"),
                ("agree", "yes"),
                ("host_ip", "x"),
            ]),
        )
        .unwrap();
        assert!(form.company.is_none() && form.certificate.is_none());
        assert_eq!(text_field(CaseKind::Plan).label(Lang::ZhTw), "改善做法");
        assert_eq!(
            text_field(CaseKind::Apply).label(Lang::ZhTw),
            "使用目的/原因"
        );
    }

    #[test]
    fn a_3_an_upload_needs_a_file() {
        let errors = ApplicationForm::parse(
            CaseKind::Certificate,
            &posted(&[("purpose", "上傳非IC卡憑證"), ("agree", "yes")]),
        )
        .unwrap_err();
        assert_eq!(named(&errors), ["certificate"]);
        let form = ApplicationForm::parse(
            CaseKind::Certificate,
            &posted(&[
                ("purpose", "上傳非IC卡憑證"),
                ("agree", "yes"),
                ("certificate", "LS0tLS0="),
            ]),
        )
        .unwrap();
        assert_eq!(form.certificate.as_deref(), Some(&b"-----"[..]));
    }
}
