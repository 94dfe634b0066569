//! Names each validated form field type, so that an interactive field in the browser (an
//! island, whose properties must be plain data) can run the same parser as the server.

use super::{
    address::RegisteredAddress, agency_code::AgencyCode, business_id::BusinessId,
    card_number::CardNumber, company_name::CompanyName, email::Email, host_ip::HostIp,
    host_network::HostNetwork, national_id::NationalId, person_name::PersonName,
    phone::ContactPhone, phone::Landline, phone::Mobile, pin::CardPin, pin::NewMoicaPin,
    pin::UserCode, place_code::IssueSiteId, purpose::Purpose,
    revocation_password::RevocationPassword, roc_date::RocDate, roc_date::RocDateTime,
    short_text::ShortText, FieldError,
};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldKind {
    NationalId,
    BusinessId,
    Landline,
    Mobile,
    Email,
    Purpose,
    HostIp,
    RocDate,
    RocDateTime,
    RevocationPassword,
    CardPin,
    NewMoicaPin,
    UserCode,
    IssueSiteId,
    CardNumber,
    PersonName,
    Address,
    ContactPhone,
    CompanyName,
    AgencyCode,
    HostNetwork,
    ShortText,
}

impl FieldKind {
    /// [`FieldKind::check`] for a field that may be left empty unless `required`.
    pub fn check_as(self, text: &str, required: bool, lang: Lang) -> Option<&'static str> {
        if !required && text.trim().is_empty() {
            return None;
        }
        self.check(text, lang)
    }

    /// `None` when `text` parses as this kind, else the error message in `lang`.
    pub fn check(self, text: &str, lang: Lang) -> Option<&'static str> {
        fn message<T, E: FieldError>(parsed: Result<T, E>, lang: Lang) -> Option<&'static str> {
            parsed.err().map(|e| e.message(lang))
        }
        match self {
            FieldKind::NationalId => message(NationalId::parse(text), lang),
            FieldKind::BusinessId => message(BusinessId::parse(text), lang),
            FieldKind::Landline => message(Landline::parse(text), lang),
            FieldKind::Mobile => message(Mobile::parse(text), lang),
            FieldKind::Email => message(Email::parse(text), lang),
            FieldKind::Purpose => message(Purpose::parse(text), lang),
            FieldKind::HostIp => message(HostIp::parse(text), lang),
            FieldKind::RocDate => message(RocDate::parse(text), lang),
            FieldKind::RocDateTime => message(RocDateTime::parse(text), lang),
            FieldKind::RevocationPassword => message(RevocationPassword::parse(text), lang),
            FieldKind::CardPin => message(CardPin::parse(text), lang),
            FieldKind::NewMoicaPin => message(NewMoicaPin::parse(text), lang),
            FieldKind::UserCode => message(UserCode::parse(text), lang),
            FieldKind::IssueSiteId => message(IssueSiteId::parse(text), lang),
            FieldKind::CardNumber => message(CardNumber::parse(text), lang),
            FieldKind::PersonName => message(PersonName::parse(text), lang),
            FieldKind::Address => message(RegisteredAddress::parse(text), lang),
            FieldKind::ContactPhone => message(ContactPhone::parse(text), lang),
            FieldKind::CompanyName => message(CompanyName::parse(text), lang),
            FieldKind::AgencyCode => message(AgencyCode::parse(text), lang),
            FieldKind::HostNetwork => message(HostNetwork::parse(text), lang),
            FieldKind::ShortText => message(ShortText::parse(text), lang),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f2_each_kind_runs_its_own_parser() {
        let cases = [
            (FieldKind::NationalId, "A123456789", "A123456788"),
            (FieldKind::BusinessId, "04595257", "04595258"),
            (FieldKind::Landline, "(02)23456789#123", "0223456789"),
            (FieldKind::Mobile, "0912345678", "0812345678"),
            (FieldKind::Email, "a@example.com", "a@b"),
            (FieldKind::HostIp, "127.0.0.115", "0.0.0.0"),
            (FieldKind::RocDate, "112/11/17", "112/02/30"),
            (FieldKind::RocDateTime, "112/11/17 14:35:04", "112/11/17"),
            (FieldKind::RevocationPassword, "a1B2", "a1B"),
            (FieldKind::CardPin, "12345678", "12"),
            (FieldKind::NewMoicaPin, "730101", "73010a"),
            (FieldKind::UserCode, "Abc12345", "abc 12"),
            (FieldKind::IssueSiteId, "63000", "99999"),
            (FieldKind::CardNumber, "TP03000000012345", "TP03"),
            (FieldKind::PersonName, "王小明", "王小明1"),
            (
                FieldKind::Address,
                "臺北市大安區新生南路二段86巷7號3樓",
                "臺北市",
            ),
            (FieldKind::ContactPhone, "(02)23456789", "123"),
            (FieldKind::CompanyName, "蝦蝦樂購股份有限公司", " "),
            (FieldKind::AgencyCode, "379130000C", "3791300001"),
            (FieldKind::HostNetwork, "203.0.113.0/28", "203.0.113.5/28"),
            (FieldKind::ShortText, "資通安全長", "a\nb"),
        ];
        for (kind, good, bad) in cases {
            assert_eq!(kind.check(good, Lang::ZhTw), None, "{kind:?} {good}");
            assert!(kind.check(bad, Lang::ZhTw).is_some(), "{kind:?} {bad}");
            assert_eq!(
                kind.check(bad, Lang::English).is_some(),
                kind.check(bad, Lang::ZhTw).is_some()
            );
        }
        assert!(FieldKind::Purpose
            .check("依洗錢防制法第七條", Lang::ZhTw)
            .is_none());
        assert!(FieldKind::Purpose
            .check(&"字".repeat(351), Lang::ZhTw)
            .is_some());
    }
}
