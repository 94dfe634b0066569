//! The counter's posted card service, parsed into domain types; the first problem is the
//! refusal, on its field where it has one. The server parses every post here (C-5).

use super::{CardService, ServiceRefusal};
use crate::domain::pin::UserCode;
use crate::domain::{
    card_number::CardNumber, email::Email, national_id::NationalId, person_name::PersonName,
    phone::Mobile,
};
use crate::error::PortalError;
use crate::forms::value;

/// Who asked at the counter.
pub enum Applicant {
    Holder,
    Delegate {
        name: PersonName,
        national_id: NationalId,
    },
}

/// A posted service, parsed; the first problem as the refusal.
pub struct Request {
    pub card: CardNumber,
    pub service: CardService,
    pub applicant: Applicant,
    pub contacts: Option<(Email, Mobile)>,
    pub published: Option<bool>,
    /// For a 用戶代碼 reset: the new code.
    pub user_code: Option<UserCode>,
    /// For a service on the card: the card's management counter.
    pub counter: Option<u32>,
}

pub fn parse(posted: &[(String, String)]) -> Result<Request, PortalError> {
    let card = CardNumber::parse(value(posted, "card"))
        .map_err(|error| PortalError::field("card", &error))?;
    let service = CardService::from_code(value(posted, "service"))
        .ok_or_else(|| PortalError::field("service", &ServiceRefusal::NoService))?;
    let applicant = match value(posted, "applicant") {
        "delegate" => {
            let name = PersonName::parse(value(posted, "delegate_name"))
                .map_err(|error| PortalError::field("delegate_name", &error))?;
            let national_id = NationalId::parse(value(posted, "delegate_id"))
                .map_err(|error| PortalError::field("delegate_id", &error))?;
            if value(posted, "letter") != "on" {
                return Err(PortalError::field("letter", &ServiceRefusal::NoLetter));
            }
            Applicant::Delegate { name, national_id }
        }
        _ => Applicant::Holder,
    };
    if !service.delegable() && matches!(applicant, Applicant::Delegate { .. }) {
        return Err(PortalError::refused(&ServiceRefusal::InPersonOnly));
    }
    if service == CardService::Revoke && value(posted, "confirm") != "on" {
        return Err(PortalError::field("confirm", &ServiceRefusal::NotConfirmed));
    }
    let contacts = match service {
        CardService::Contacts => Some((
            Email::parse(value(posted, "email"))
                .map_err(|error| PortalError::field("email", &error))?,
            Mobile::parse(value(posted, "mobile"))
                .map_err(|error| PortalError::field("mobile", &error))?,
        )),
        _ => None,
    };
    let published =
        (service == CardService::Publication).then(|| value(posted, "published") == "yes");
    let user_code = match service {
        CardService::ResetUserCode => {
            let typed = value(posted, "user_code");
            let user_code =
                UserCode::parse(typed).map_err(|error| PortalError::field("user_code", &error))?;
            if UserCode::parse(value(posted, "user_code_confirm")).ok() != Some(user_code.clone()) {
                return Err(
                    crate::services::certificate::application::form::user_codes_differ(
                        "user_code_confirm",
                    ),
                );
            }
            Some(user_code)
        }
        _ => None,
    };
    // A service on the card covers the card's management counter.
    let counter = if service.in_form() {
        None
    } else {
        Some(
            value(posted, "counter")
                .parse::<u32>()
                .map_err(|_| PortalError::refused(&ServiceRefusal::NoCounter))?,
        )
    };
    Ok(Request {
        card,
        service,
        applicant,
        contacts,
        published,
        user_code,
        counter,
    })
}
