//! The application (申請表, seed 001 step 1) as the agency fills it in: its fields described
//! once, and their parsing through the shared domain types, all errors at once, each named by
//! its field. The uploaded documents are [`super::documents`].

use super::cases::{DataKind, Interface};
use super::items::Item;
use crate::cases::Code;
use crate::domain::{
    county::County, email::Email, host_network::HostNetwork, person_name::PersonName,
    phone::ContactPhone, phone::Landline, purpose::Purpose, roc_date::RocDate,
    short_text::ShortText, FieldError,
};
use crate::error::PortalError;
use crate::forms::{value, FormField};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

pub mod fields;
pub use fields::*;

/// What is wrong with an answer no domain type parses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplicationError {
    NoInterface,
    NoDataKind,
    NoItems,
    UnknownItem,
    ItemOfOtherKind,
    ReviewNotForMilitary,
    FirstVpnNotOverVpn,
    FixedValue,
    AddressAssigned,
}

impl FieldError for ApplicationError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            ApplicationError::NoInterface => lang.pick(
                "請選擇申請介面：電子閘門、電子閘門(經由GSN VPN連線)、連結介面(VPN)或 Web Service API(VPN)",
                "Choose the interface: e-gate (internet or GSN VPN), link interface (VPN) or Web Service API (VPN)",
            ),
            ApplicationError::NoDataKind => lang.pick(
                "請選擇申請戶籍資料或兵籍資料",
                "Choose household registration data or military service data",
            ),
            ApplicationError::NoItems => lang.pick(
                "請至少選擇一項需求資料項目",
                "Choose at least one data item",
            ),
            ApplicationError::UnknownItem => lang.pick(
                "所選資料項目不在各類需求資料項目表內",
                "A chosen data item is not in the catalogue of data items",
            ),
            ApplicationError::ItemOfOtherKind => lang.pick(
                "所選資料項目不屬於所申請之資料類別",
                "A chosen data item does not belong to the data applied for",
            ),
            ApplicationError::ReviewNotForMilitary => lang.pick(
                "申請兵籍資料不需資通安全長審查，請勿填寫",
                "Military data needs no CISO review; leave this blank",
            ),
            ApplicationError::FirstVpnNotOverVpn => lang.pick(
                "電子閘門(網際網路)不經由 GSN VPN 連線，無須申請 GSN VPN",
                "The internet e-gate does not run over the GSN VPN, so no GSN VPN application is filed",
            ),
            ApplicationError::FixedValue => lang.pick(
                "此欄位為固定值，請勿修改",
                "This value is fixed; do not change it",
            ),
            ApplicationError::AddressAssigned => lang.pick(
                "IPv4 WAN IP 與 LAN IP 欄位請勿填寫，由資訊服務司編訂",
                "Leave the IPv4 WAN IP and LAN IP blank: the Department of Information Services assigns them",
            ),
        }
    }
}

/// The 申請表's contact person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: PersonName,
    pub landline: Landline,
    pub email: Email,
}

/// The 資通安全長's review of the 資料交換安全協議書 (household data).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityReview {
    pub name: PersonName,
    pub title: ShortText,
    pub reviewed_on: RocDate,
}

/// A contact of the VPN IP 需求表.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkContact {
    pub name: PersonName,
    pub phone: ContactPhone,
    pub email: Email,
}

/// The GSN VPN 申請書's and VPN IP 需求表's answers (the fixed values are [`VPN_FIXED`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GsnVpn {
    pub customer_name: ShortText,
    pub technical: NetworkContact,
    pub management: NetworkContact,
}

/// What the form holds beyond the case row's columns: stored as JSON in
/// `agency_links.application`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    pub legal_basis: Purpose,
    pub purpose: Purpose,
    pub contact: Contact,
    pub security_review: Option<SecurityReview>,
    pub gsn_vpn: Option<GsnVpn>,
}

/// An application whose every field parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub interface: Interface,
    pub data_kind: DataKind,
    pub county: County,
    pub host_address: HostNetwork,
    /// The agency's first link over the GSN VPN: `details.gsn_vpn` is filled.
    pub first_vpn: bool,
    /// The items asked for, in the catalogue's order, each once.
    pub items: Vec<Item>,
    pub details: Details,
}

impl Application {
    /// Parses the posted form; on failure, one [`PortalError::Field`] per bad field.
    pub fn parse(posted: &[(String, String)]) -> Result<Application, Vec<PortalError>> {
        let mut errors = Vec::new();
        let mut wrong = |name: &str, error: &dyn FieldError| {
            errors.push(PortalError::Field {
                field: name.into(),
                zh_tw: error.message(Lang::ZhTw).into(),
                english: error.message(Lang::English).into(),
            });
        };
        let interface = Interface::from_code(value(posted, INTERFACE.name));
        if interface.is_none() {
            wrong(INTERFACE.name, &ApplicationError::NoInterface);
        }
        let data_kind = DataKind::from_code(value(posted, DATA_KIND.name));
        if data_kind.is_none() {
            wrong(DATA_KIND.name, &ApplicationError::NoDataKind);
        }
        let county = County::parse(value(posted, COUNTY.name))
            .map_err(|error| wrong(COUNTY.name, &error))
            .ok();
        let items = parse_items(posted, data_kind).map_err(|error| wrong(ITEMS.name, &error));
        let first_vpn = value(posted, FIRST_VPN.name) == "yes";
        if first_vpn && interface.is_some_and(|interface| !interface.over_vpn()) {
            wrong(FIRST_VPN.name, &ApplicationError::FirstVpnNotOverVpn);
        }
        let mut checked: Vec<&FormField> = FIELDS.iter().collect();
        match data_kind {
            Some(DataKind::Household) => checked.extend(&CISO_FIELDS),
            Some(DataKind::Military) => {
                for field in &CISO_FIELDS {
                    if !value(posted, field.name).trim().is_empty() {
                        wrong(field.name, &ApplicationError::ReviewNotForMilitary);
                    }
                }
            }
            None => {}
        }
        if first_vpn {
            checked.extend(&VPN_FIELDS);
            for fixed in &VPN_FIXED {
                let posted = value(posted, fixed.name).trim();
                if !posted.is_empty() && posted != fixed.value {
                    wrong(fixed.name, &ApplicationError::FixedValue);
                }
            }
        }
        for field in &VPN_BLANK {
            if !value(posted, field.name).trim().is_empty() {
                wrong(field.name, &ApplicationError::AddressAssigned);
            }
        }
        for field in checked {
            errors.extend(field.check(value(posted, field.name)));
        }
        let (Some(interface), Some(data_kind), Some(county), Ok(items), true) =
            (interface, data_kind, county, items, errors.is_empty())
        else {
            return Err(errors);
        };
        let text = |field: &FormField| value(posted, field.name);
        // Every field was checked above; these parses cannot fail.
        let parsed = (|| {
            let network_contact = |name, phone, email| {
                Some(NetworkContact {
                    name: PersonName::parse(text(name)).ok()?,
                    phone: ContactPhone::parse(text(phone)).ok()?,
                    email: Email::parse(text(email)).ok()?,
                })
            };
            let security_review = match data_kind {
                DataKind::Household => Some(SecurityReview {
                    name: PersonName::parse(text(&CISO_NAME)).ok()?,
                    title: ShortText::parse(text(&CISO_TITLE)).ok()?,
                    reviewed_on: RocDate::parse(text(&CISO_REVIEWED_ON)).ok()?,
                }),
                DataKind::Military => None,
            };
            let gsn_vpn = if first_vpn {
                Some(GsnVpn {
                    customer_name: ShortText::parse(text(&VPN_CUSTOMER_NAME)).ok()?,
                    technical: network_contact(&VPN_TECH_NAME, &VPN_TECH_PHONE, &VPN_TECH_EMAIL)?,
                    management: network_contact(
                        &VPN_ADMIN_NAME,
                        &VPN_ADMIN_PHONE,
                        &VPN_ADMIN_EMAIL,
                    )?,
                })
            } else {
                None
            };
            Some(Application {
                interface,
                data_kind,
                county,
                host_address: HostNetwork::parse(text(&HOST_ADDRESS)).ok()?,
                first_vpn,
                items,
                details: Details {
                    legal_basis: Purpose::parse(text(&LEGAL_BASIS)).ok()?,
                    purpose: Purpose::parse(text(&PURPOSE)).ok()?,
                    contact: Contact {
                        name: PersonName::parse(text(&CONTACT_NAME)).ok()?,
                        landline: Landline::parse(text(&CONTACT_LANDLINE)).ok()?,
                        email: Email::parse(text(&CONTACT_EMAIL)).ok()?,
                    },
                    security_review,
                    gsn_vpn,
                },
            })
        })();
        parsed.ok_or_else(|| vec![PortalError::Unavailable])
    }

    /// The JSON of `agency_links.application`.
    #[cfg(feature = "ssr")]
    pub fn details_json(&self) -> String {
        serde_json::to_string(&self.details).unwrap_or_else(|_| "{}".into())
    }
}

/// The items posted (one `items` value per checkbox ticked): known, of the case's data kind,
/// at least one; in the catalogue's order, each once.
fn parse_items(
    posted: &[(String, String)],
    kind: Option<DataKind>,
) -> Result<Vec<Item>, ApplicationError> {
    let mut items = Vec::new();
    for (_, code) in posted.iter().filter(|(name, _)| name == ITEMS.name) {
        let item = Item::from_code(code.trim()).ok_or(ApplicationError::UnknownItem)?;
        if kind.is_some_and(|kind| item.kind() != kind) {
            return Err(ApplicationError::ItemOfOtherKind);
        }
        items.push(item);
    }
    if items.is_empty() {
        return Err(ApplicationError::NoItems);
    }
    items.sort_by_key(|item| Item::ALL.iter().position(|known| known == item));
    items.dedup();
    Ok(items)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::forms::testing::*;

    /// A household-data API application, a first over the GSN VPN, as posted.
    pub(crate) fn household_api() -> Vec<(String, String)> {
        posted(&[
            ("interface", "api_vpn"),
            ("data_kind", "household"),
            ("county", "台北市"),
            ("host_address", "203.0.113.0/28"),
            ("legal_basis", "戶籍法第六十五條"),
            ("purpose", "核對申辦案件當事人之戶籍資料"),
            ("contact_name", "林志明"),
            ("contact_landline", "(02)23456789#123"),
            ("contact_email", "lin@agency.gov.tw"),
            ("items", "household.name"),
            ("items", "household.national_id"),
            ("items", "household.name"),
            ("ciso_name", "陳資安"),
            ("ciso_title", "資通安全長"),
            ("ciso_reviewed_on", "115/11/20"),
            ("first_vpn", "yes"),
            ("vpn_customer_name", "範例市政府"),
            ("vpn_tech_name", "張技術"),
            ("vpn_tech_phone", "0912345678"),
            ("vpn_tech_email", "tech@agency.gov.tw"),
            ("vpn_admin_name", "王管理"),
            ("vpn_admin_phone", "(02)23456789"),
            ("vpn_admin_email", "admin@agency.gov.tw"),
            ("vpn_customer_type", "GSN-VPN"),
            ("vpn_group_name", "內政部(戶役政連結系統)"),
            ("vpn_group_code", "D75"),
        ])
    }

    fn with(mut form: Vec<(String, String)>, key: &str, value: &str) -> Vec<(String, String)> {
        form.retain(|(k, _)| k != key);
        form.push((key.into(), value.into()));
        form
    }

    fn without(mut form: Vec<(String, String)>, prefix: &str) -> Vec<(String, String)> {
        form.retain(|(k, _)| !k.starts_with(prefix));
        form
    }

    #[test]
    fn l_1_a_whole_household_api_application_parses() {
        let application = Application::parse(&household_api()).unwrap();
        assert_eq!(application.interface, Interface::ApiVpn);
        assert_eq!(application.county.name(), "臺北市");
        assert_eq!(application.host_address.to_string(), "203.0.113.0/28");
        assert_eq!(
            application.items,
            [Item::HouseholdNationalId, Item::HouseholdName]
        );
        let review = application.details.security_review.as_ref().unwrap();
        assert_eq!(review.reviewed_on.to_string(), "115/11/20");
        let vpn = application.details.gsn_vpn.as_ref().unwrap();
        assert_eq!(vpn.technical.phone.as_str(), "0912345678");
        let json: serde_json::Value = serde_json::from_str(&application.details_json()).unwrap();
        assert_eq!(json["legal_basis"], "戶籍法第六十五條");
        assert_eq!(json["gsn_vpn"]["customer_name"], "範例市政府");
        assert_eq!(
            serde_json::from_str::<Details>(&application.details_json()).unwrap(),
            application.details
        );
    }

    #[test]
    fn l_1_military_data_refuses_the_ciso_review_and_household_requires_it() {
        let military = with(
            with(household_api(), "data_kind", "military"),
            "items",
            "military.name",
        );
        let errors = Application::parse(&military).unwrap_err();
        assert_eq!(
            named(&errors),
            ["ciso_name", "ciso_title", "ciso_reviewed_on"]
        );
        assert_eq!(
            errors[0].message(Lang::ZhTw),
            "申請兵籍資料不需資通安全長審查，請勿填寫"
        );
        let military = Application::parse(&without(military, "ciso_")).unwrap();
        assert!(military.details.security_review.is_none());
        let errors = Application::parse(&without(household_api(), "ciso_")).unwrap_err();
        assert_eq!(
            named(&errors),
            ["ciso_name", "ciso_title", "ciso_reviewed_on"]
        );
    }

    #[test]
    fn l_1_items_are_known_of_the_data_kind_and_at_least_one() {
        let named_items =
            |form: Vec<(String, String)>| named(&Application::parse(&form).unwrap_err()).join(",");
        assert_eq!(named_items(without(household_api(), "items")), "items");
        assert_eq!(named_items(with(household_api(), "items", "x")), "items");
        let errors = Application::parse(&with(household_api(), "items", "military.sex"));
        assert_eq!(
            errors.unwrap_err()[0].message(Lang::English),
            "A chosen data item does not belong to the data applied for"
        );
    }

    #[test]
    fn l_1_the_gsn_vpn_form_keeps_its_fixed_values_and_blank_addresses() {
        let errors = Application::parse(&with(
            with(household_api(), "vpn_group_code", "D76"),
            "vpn_wan_ip",
            "203.0.113.9",
        ))
        .unwrap_err();
        assert_eq!(named(&errors), ["vpn_group_code", "vpn_wan_ip"]);
        assert!(errors[1].message(Lang::ZhTw).contains("請勿填寫"));
        let errors =
            Application::parse(&with(household_api(), "vpn_lan_ip", "10.0.0.1")).unwrap_err();
        assert_eq!(named(&errors), ["vpn_lan_ip"]);
        // The fixed values may be left out: they are the form's, not the agency's.
        let quiet = without(without(household_api(), "vpn_customer_type"), "vpn_group");
        assert!(Application::parse(&quiet).is_ok());
        let errors = Application::parse(&without(household_api(), "vpn_tech")).unwrap_err();
        assert_eq!(
            named(&errors),
            ["vpn_tech_name", "vpn_tech_phone", "vpn_tech_email"]
        );
    }

    #[test]
    fn l_1_a_later_vpn_application_files_no_gsn_vpn_form() {
        let later = without(with(household_api(), "first_vpn", "no"), "vpn_");
        let application = Application::parse(&later).unwrap();
        assert!(!application.first_vpn && application.details.gsn_vpn.is_none());
        let internet = with(household_api(), "interface", "egate_internet");
        let errors = Application::parse(&internet).unwrap_err();
        assert_eq!(named(&errors), ["first_vpn"]);
    }

    #[test]
    fn l_1_every_bad_field_is_named() {
        let mut form = household_api();
        for (key, value) in form.iter_mut() {
            match key.as_str() {
                "interface" => *value = "fax".into(),
                "data_kind" => *value = "".into(),
                "county" => *value = "臺北縣".into(),
                "host_address" => *value = "203.0.113.5/28".into(),
                "contact_landline" => *value = "0223456789".into(),
                "legal_basis" => *value = "法".repeat(351),
                _ => {}
            }
        }
        let errors = Application::parse(&form).unwrap_err();
        assert_eq!(
            named(&errors),
            [
                "interface",
                "data_kind",
                "county",
                "host_address",
                "legal_basis",
                "contact_landline"
            ]
        );
    }
}
