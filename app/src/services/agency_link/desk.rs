//! What a party does on a case page, as posted: take one of its steps (with a note, and the
//! test date for step 16), send the case back with a reason, withdraw or cancel it, issue a
//! lost 密碼表 again and hand it over. Parsed
//! here, the same on both sides; anything a page never offers is forbidden.

use super::cases::Step;
use crate::cases::Code;
use crate::domain::host_network::HostNetwork;
use crate::domain::purpose::Purpose;
use crate::domain::roc_date::RocDateTime;
use crate::domain::FieldError;
use crate::error::PortalError;
use crate::forms::value;

/// One posted change to a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Step {
        step: Step,
        note: Option<Purpose>,
        /// Step 16: the joint connection test's date.
        test_at: Option<RocDateTime>,
        /// Step 1 again, after a send-back: the agency's corrected host address.
        host_address: Option<HostNetwork>,
        /// Step 11: the agency's certificate, as pasted (checked against the trusted roots
        /// on the server).
        certificate: Option<String>,
    },
    SendBack {
        reason: Purpose,
    },
    Withdraw,
    Cancel,
    /// 戶政司 issues a lost 密碼表 again.
    ReissuePassword,
    /// The county unit takes the reissued 密碼表 to hand it over.
    HandOverPassword,
}

impl Change {
    pub fn parse(posted: &[(String, String)]) -> Result<Change, PortalError> {
        match value(posted, "action") {
            "step" => {
                let step = Step::from_code(value(posted, "step")).ok_or(PortalError::Forbidden)?;
                let note = match value(posted, "note").trim() {
                    "" => None,
                    text => Some(Purpose::parse(text).map_err(|error| field("note", &error))?),
                };
                let test_at = (step == Step::S16CountyTest)
                    .then(|| RocDateTime::parse(value(posted, "test_at")))
                    .transpose()
                    .map_err(|error| field("test_at", &error))?;
                let host_address = (step == Step::S01File)
                    .then(|| HostNetwork::parse(value(posted, "host_address")))
                    .transpose()
                    .map_err(|error| field("host_address", &error))?;
                let certificate = (step == Step::S11AgencyKey)
                    .then(|| certificate(value(posted, "certificate")))
                    .transpose()?;
                Ok(Change::Step {
                    step,
                    note,
                    test_at,
                    host_address,
                    certificate,
                })
            }
            "send_back" => Ok(Change::SendBack {
                reason: Purpose::parse(value(posted, "reason"))
                    .map_err(|error| field("reason", &error))?,
            }),
            "withdraw" => Ok(Change::Withdraw),
            "cancel" => Ok(Change::Cancel),
            "reissue_password" => Ok(Change::ReissuePassword),
            "hand_over_password" => Ok(Change::HandOverPassword),
            _ => Err(PortalError::Forbidden),
        }
    }
}

/// The longest certificate text taken: real ones are a few kilobytes.
const MAX_CERTIFICATE: usize = 64 * 1024;

fn certificate(text: &str) -> Result<String, PortalError> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_CERTIFICATE {
        return Err(PortalError::Field {
            field: "certificate".into(),
            zh_tw: "請貼上申請機關之機關憑證（PEM 格式，以 -----BEGIN CERTIFICATE----- 開頭）。"
                .into(),
            english: "Paste the agency's certificate (PEM, beginning -----BEGIN CERTIFICATE-----)."
                .into(),
        });
    }
    Ok(text.to_owned())
}

fn field(name: &str, error: &impl FieldError) -> PortalError {
    PortalError::field(name, error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::testing::posted;

    #[test]
    fn l_21_a_step_is_posted_with_its_note_and_step_16_with_its_test_date() {
        let taken = Change::parse(&posted(&[
            ("action", "step"),
            ("step", "s05"),
            ("note", "文件齊備"),
        ]))
        .unwrap();
        assert!(matches!(
            taken,
            Change::Step {
                step: Step::S05MinistryReview,
                note: Some(_),
                test_at: None,
                host_address: None,
                certificate: None
            }
        ));
        let missing = Change::parse(&posted(&[("action", "step"), ("step", "s16")])).unwrap_err();
        assert!(matches!(missing, PortalError::Field { ref field, .. } if field == "test_at"));
        let scheduled = Change::parse(&posted(&[
            ("action", "step"),
            ("step", "s16"),
            ("test_at", "116/01/05 10:00:00"),
        ]))
        .unwrap();
        assert!(matches!(
            scheduled,
            Change::Step {
                test_at: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn l_6_a_case_sent_back_is_filed_again_with_a_valid_host_address() {
        let bad = Change::parse(&posted(&[
            ("action", "step"),
            ("step", "s01"),
            ("host_address", "10.1.2.3/8"),
        ]))
        .unwrap_err();
        assert!(matches!(bad, PortalError::Field { ref field, .. } if field == "host_address"));
        let fixed = Change::parse(&posted(&[
            ("action", "step"),
            ("step", "s01"),
            ("host_address", "203.0.113.16/28"),
        ]))
        .unwrap();
        assert!(matches!(
            fixed,
            Change::Step {
                host_address: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn l_11_the_agency_hands_over_a_certificate_it_has_pasted() {
        let empty = Change::parse(&posted(&[("action", "step"), ("step", "s11")])).unwrap_err();
        assert!(matches!(empty, PortalError::Field { ref field, .. } if field == "certificate"));
        let huge = "A".repeat(MAX_CERTIFICATE + 1);
        let too_long = Change::parse(&posted(&[
            ("action", "step"),
            ("step", "s11"),
            ("certificate", &huge),
        ]))
        .unwrap_err();
        assert!(matches!(too_long, PortalError::Field { ref field, .. } if field == "certificate"));
        let pasted = Change::parse(&posted(&[
            ("action", "step"),
            ("step", "s11"),
            (
                "certificate",
                "  -----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            ),
        ]))
        .unwrap();
        assert!(matches!(
            pasted,
            Change::Step { certificate: Some(ref text), .. } if text.starts_with("-----BEGIN")
        ));
        // Other steps carry none, whatever is posted.
        let other = Change::parse(&posted(&[
            ("action", "step"),
            ("step", "s12"),
            ("certificate", "x"),
        ]))
        .unwrap();
        assert!(matches!(
            other,
            Change::Step {
                certificate: None,
                ..
            }
        ));
    }

    #[test]
    fn l_21_a_send_back_needs_a_reason_and_unknown_actions_are_forbidden() {
        let bare = Change::parse(&posted(&[("action", "send_back")])).unwrap_err();
        assert!(matches!(bare, PortalError::Field { ref field, .. } if field == "reason"));
        assert_eq!(
            Change::parse(&posted(&[("action", "approve")])),
            Err(PortalError::Forbidden)
        );
        assert_eq!(
            Change::parse(&posted(&[("action", "step"), ("step", "s99")])),
            Err(PortalError::Forbidden)
        );
    }
}
