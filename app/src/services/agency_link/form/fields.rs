//! The application form's fields, each described once (name, labels zh-TW then English,
//! hint, parser): typed ones as [`FormField`]s, chosen ones as [`ChoiceField`]s, and the GSN
//! VPN 申請書's fixed values as [`FixedField`]s.

use crate::domain::field_kind::FieldKind;
use crate::forms::FormField;
use crate::i18n::Lang;

/// A field answered by choosing (a select, checkboxes, radio buttons), not by typing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChoiceField {
    pub name: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub hint_zh: Option<&'static str>,
    pub hint_en: Option<&'static str>,
}

impl ChoiceField {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.label_zh, self.label_en)
    }

    pub fn hint(&self, lang: Lang) -> Option<&'static str> {
        lang.pick(self.hint_zh, self.hint_en)
    }
}

/// A value of the GSN VPN 申請書 the seed fixes: shown, and refused if posted otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedField {
    pub name: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub value: &'static str,
}

const fn choice(
    name: &'static str,
    label: (&'static str, &'static str),
    hint: Option<(&'static str, &'static str)>,
) -> ChoiceField {
    ChoiceField {
        name,
        label_zh: label.0,
        label_en: label.1,
        hint_zh: match hint {
            Some(hint) => Some(hint.0),
            None => None,
        },
        hint_en: match hint {
            Some(hint) => Some(hint.1),
            None => None,
        },
    }
}

pub const INTERFACE: ChoiceField = choice(
    "interface",
    ("申請介面", "Interface"),
    Some(("每一申請案申請一種介面", "One application per interface")),
);
pub const DATA_KIND: ChoiceField = choice(
    "data_kind",
    ("資料類別", "Data"),
    Some((
        "戶籍資料由直轄市、縣(市)民政局(處)審核；兵籍資料由役政單位審核",
        "Household data is reviewed by the county's civil affairs bureau, military data by its military service unit",
    )),
);
pub const COUNTY: ChoiceField = choice(
    "county",
    (
        "受理之直轄市、縣(市)",
        "County or city receiving the application",
    ),
    None,
);
pub const ITEMS: ChoiceField = choice(
    "items",
    ("各類需求資料項目", "Data items requested"),
    Some((
        "至少選擇一項；連結後僅提供核准之項目",
        "Choose at least one; the link returns only the items approved",
    )),
);
pub const FIRST_VPN: ChoiceField = choice(
    "first_vpn",
    ("首次申請 GSN VPN 連線", "First GSN VPN application"),
    Some((
        "首次申請連結介面、API 或電子閘門(經由 GSN VPN 連線)者，須填寫 GSN VPN 申請書",
        "An agency's first link over the GSN VPN also files the GSN VPN application",
    )),
);

pub const HOST_ADDRESS: FormField = FormField::new(
    "host_address",
    FieldKind::HostNetwork,
    ("主機網路位址", "Host address"),
    Some((
        "IPv4 位址（如 203.0.113.5）或網段（如 203.0.113.0/28）",
        "An IPv4 address (e.g. 203.0.113.5) or network (e.g. 203.0.113.0/28)",
    )),
    18,
);
pub const LEGAL_BASIS: FormField = FormField::new(
    "legal_basis",
    FieldKind::Purpose,
    ("法律依據", "Legal basis"),
    Some((
        "機關依何法律規定取得戶籍或兵籍資料，字數限制350字",
        "The law under which the agency obtains the data; at most 350 characters",
    )),
    350,
);
pub const PURPOSE: FormField = FormField::new(
    "purpose",
    FieldKind::Purpose,
    ("使用目的", "Purpose of use"),
    Some(("字數限制350字", "At most 350 characters")),
    350,
);
pub const CONTACT_NAME: FormField = FormField::new(
    "contact_name",
    FieldKind::PersonName,
    ("聯絡人", "Contact person"),
    None,
    40,
);
pub const CONTACT_LANDLINE: FormField = FormField::new(
    "contact_landline",
    FieldKind::Landline,
    ("聯絡電話（市話）", "Telephone (landline)"),
    Some((
        "參考格式：有分機(02)1234XXXX#12XX，無分機(02)1234XXXX",
        "Format: (02)1234XXXX#12XX with an extension, (02)1234XXXX without",
    )),
    24,
);
pub const CONTACT_EMAIL: FormField = FormField::new(
    "contact_email",
    FieldKind::Email,
    ("電子信箱", "E-mail"),
    None,
    254,
);
pub const CISO_NAME: FormField = FormField::new(
    "ciso_name",
    FieldKind::PersonName,
    ("資通安全長姓名", "Chief information security officer"),
    Some((
        "申請戶籍資料者，資料交換安全協議書須經資通安全長審查",
        "For household data the security agreement is reviewed by the agency's CISO",
    )),
    40,
);
pub const CISO_TITLE: FormField = FormField::new(
    "ciso_title",
    FieldKind::ShortText,
    ("資通安全長職稱", "CISO's title"),
    None,
    60,
);
pub const CISO_REVIEWED_ON: FormField = FormField::new(
    "ciso_reviewed_on",
    FieldKind::RocDate,
    ("審查日期", "Date of the review"),
    Some((
        "民國年/月/日，如 115/12/01",
        "ROC year/month/day, e.g. 115/12/01",
    )),
    9,
);
pub const VPN_CUSTOMER_NAME: FormField = FormField::new(
    "vpn_customer_name",
    FieldKind::ShortText,
    ("客戶名稱", "Customer name"),
    Some(("申請機關全銜", "The agency's full name")),
    60,
);
pub const VPN_TECH_NAME: FormField = FormField::new(
    "vpn_tech_name",
    FieldKind::PersonName,
    ("網路技術連絡人", "Network technical contact"),
    None,
    40,
);
pub const VPN_TECH_PHONE: FormField = FormField::new(
    "vpn_tech_phone",
    FieldKind::ContactPhone,
    ("網路技術連絡人電話", "Technical contact's telephone"),
    None,
    24,
);
pub const VPN_TECH_EMAIL: FormField = FormField::new(
    "vpn_tech_email",
    FieldKind::Email,
    ("網路技術連絡人電子信箱", "Technical contact's e-mail"),
    None,
    254,
);
pub const VPN_ADMIN_NAME: FormField = FormField::new(
    "vpn_admin_name",
    FieldKind::PersonName,
    ("網路管理連絡人", "Network management contact"),
    None,
    40,
);
pub const VPN_ADMIN_PHONE: FormField = FormField::new(
    "vpn_admin_phone",
    FieldKind::ContactPhone,
    ("網路管理連絡人電話", "Management contact's telephone"),
    None,
    24,
);
pub const VPN_ADMIN_EMAIL: FormField = FormField::new(
    "vpn_admin_email",
    FieldKind::Email,
    ("網路管理連絡人電子信箱", "Management contact's e-mail"),
    None,
    254,
);
/// The VPN IP 需求表's address fields, which the agency leaves blank: 資訊服務司 assigns them.
pub const VPN_WAN_IP: FormField = FormField::new(
    "vpn_wan_ip",
    FieldKind::HostIp,
    ("IPv4 WAN IP", "IPv4 WAN IP"),
    Some(("請勿填寫", "Leave blank")),
    18,
);
pub const VPN_LAN_IP: FormField = FormField::new(
    "vpn_lan_ip",
    FieldKind::HostIp,
    ("IPv4 LAN IP", "IPv4 LAN IP"),
    Some(("請勿填寫", "Leave blank")),
    18,
);

pub const VPN_CUSTOMER_TYPE: FixedField = FixedField {
    name: "vpn_customer_type",
    label_zh: "客戶種類(計費別)",
    label_en: "Customer type (billing)",
    value: "GSN-VPN",
};
pub const VPN_GROUP_NAME: FixedField = FixedField {
    name: "vpn_group_name",
    label_zh: "VPN群組名稱",
    label_en: "VPN group name",
    value: "內政部(戶役政連結系統)",
};
pub const VPN_GROUP_CODE: FixedField = FixedField {
    name: "vpn_group_code",
    label_zh: "VPN群組代碼",
    label_en: "VPN group code",
    value: "D75",
};

/// The 申請表's typed fields, in the form's order.
pub const FIELDS: [FormField; 6] = [
    HOST_ADDRESS,
    LEGAL_BASIS,
    PURPOSE,
    CONTACT_NAME,
    CONTACT_LANDLINE,
    CONTACT_EMAIL,
];
/// The 資通安全長's review (household data only).
pub const CISO_FIELDS: [FormField; 3] = [CISO_NAME, CISO_TITLE, CISO_REVIEWED_ON];
/// The GSN VPN 申請書 and VPN IP 需求表 (a first VPN application only).
pub const VPN_FIELDS: [FormField; 7] = [
    VPN_CUSTOMER_NAME,
    VPN_TECH_NAME,
    VPN_TECH_PHONE,
    VPN_TECH_EMAIL,
    VPN_ADMIN_NAME,
    VPN_ADMIN_PHONE,
    VPN_ADMIN_EMAIL,
];
pub const VPN_FIXED: [FixedField; 3] = [VPN_CUSTOMER_TYPE, VPN_GROUP_NAME, VPN_GROUP_CODE];
pub const VPN_BLANK: [FormField; 2] = [VPN_WAN_IP, VPN_LAN_IP];
