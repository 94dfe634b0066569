//! The fixed demo rows every environment has, whatever the seed: people, companies and
//! agencies that demos, manuals and tests can name (王小明 A123456789, 蝦蝦樂購股份有限公司
//! 24941832, 臺北市政府警察局 379130000C).

/// A fixed citizen. Ids below `FIRST_GENERATED_CITIZEN_ID` are reserved for these.
pub struct DemoCitizen {
    pub id: i64,
    pub national_id: &'static str,
    pub name: &'static str,
    pub sex: &'static str,
    pub birth_date: &'static str,
    pub county: &'static str,
    pub township: &'static str,
    pub village: &'static str,
    pub neighborhood: i64,
    pub street_address: &'static str,
    pub father_name: Option<&'static str>,
    pub mother_name: Option<&'static str>,
    pub adoptive_father_name: Option<&'static str>,
    pub adoptive_mother_name: Option<&'static str>,
    pub under_guardianship: bool,
    /// `(issue_date, apply_code, issue_site_id)`, oldest first; the last is the current card.
    pub issuances: &'static [(&'static str, i64, &'static str)],
}

/// A fixed company in the business registry.
pub struct DemoCompany {
    pub business_id: &'static str,
    pub name: &'static str,
    pub status: &'static str,
    pub representative: &'static str,
    pub address: &'static str,
    pub registered_on: &'static str,
}

/// 王小明, the citizen of every screenshot: default PIN 730101 (his ROC birth date), current
/// card 換發 on 2021-06-15 at 臺北市 (63000).
pub const WANG_XIAOMING: DemoCitizen = DemoCitizen {
    id: 1,
    national_id: "A123456789",
    name: "王小明",
    sex: "M",
    birth_date: "1984-01-01",
    county: "臺北市",
    township: "大安區",
    village: "龍安里",
    neighborhood: 8,
    street_address: "新生南路二段86巷7號3樓",
    father_name: Some("王大明"),
    mother_name: Some("李美華"),
    adoptive_father_name: None,
    adoptive_mother_name: None,
    under_guardianship: false,
    issuances: &[
        ("1998-02-10", 1, "63000"),
        ("2005-05-20", 3, "63000"),
        ("2021-06-15", 3, "63000"),
    ],
};

/// 林美玲, a woman registered in 新北市板橋區; her current card is a 補發.
pub const LIN_MEILING: DemoCitizen = DemoCitizen {
    id: 2,
    national_id: "F228135791",
    name: "林美玲",
    sex: "F",
    birth_date: "1990-07-15",
    county: "新北市",
    township: "板橋區",
    village: "文化里",
    neighborhood: 12,
    street_address: "文化路一段188巷20號5樓",
    father_name: Some("林志成"),
    mother_name: Some("陳淑芬"),
    adoptive_father_name: None,
    adoptive_mother_name: None,
    under_guardianship: false,
    issuances: &[
        ("2004-08-03", 1, "10001"),
        ("2005-03-15", 3, "10001"),
        ("2016-11-02", 2, "65000"),
    ],
};

/// 陳志強, under guardianship (受監護宣告): services must refuse him acting alone.
pub const CHEN_ZHIQIANG: DemoCitizen = DemoCitizen {
    id: 3,
    national_id: "B103654780",
    name: "陳志強",
    sex: "M",
    birth_date: "1950-03-20",
    county: "臺中市",
    township: "西屯區",
    village: "福安里",
    neighborhood: 5,
    street_address: "西屯路二段120號",
    father_name: Some("陳金水"),
    mother_name: Some("黃秀英"),
    adoptive_father_name: None,
    adoptive_mother_name: None,
    under_guardianship: true,
    issuances: &[("1966-04-12", 1, "66000"), ("2005-06-01", 3, "66000")],
};

/// 張家豪, born 2009-06-01: 17 years old from 2026-06-01 to 2027-05-31, a minor for every
/// rule that needs 18.
pub const ZHANG_JIAHAO: DemoCitizen = DemoCitizen {
    id: 4,
    national_id: "E109273648",
    name: "張家豪",
    sex: "M",
    birth_date: "2009-06-01",
    county: "高雄市",
    township: "苓雅區",
    village: "林德里",
    neighborhood: 3,
    street_address: "四維三路6號12樓",
    father_name: Some("張建宏"),
    mother_name: Some("吳佩君"),
    adoptive_father_name: None,
    adoptive_mother_name: None,
    under_guardianship: false,
    issuances: &[("2023-07-10", 1, "64000")],
};

/// 黃雅婷, an adult of 臺北市信義區 with no citizen certificate yet: the applicant of the
/// counter-issuance demo and tests (default PIN 770312).
pub const HUANG_YATING: DemoCitizen = DemoCitizen {
    id: 5,
    national_id: "A224813575",
    name: "黃雅婷",
    sex: "F",
    birth_date: "1988-03-12",
    county: "臺北市",
    township: "信義區",
    village: "三張里",
    neighborhood: 4,
    street_address: "松仁路100號7樓",
    father_name: Some("黃文雄"),
    mother_name: Some("周麗華"),
    adoptive_father_name: None,
    adoptive_mother_name: None,
    under_guardianship: false,
    issuances: &[("2006-04-20", 1, "63000"), ("2019-09-09", 3, "63000")],
};

/// 周淑芬, an adult of 新北市板橋區 whose only 自然人憑證, extended once, nears its 8-year end:
/// the holder of the online-renewal demo and tests (default PIN 541108). One person holds one
/// certificate in force (C-2), so the renewal has a holder of its own.
pub const ZHOU_SHUFEN: DemoCitizen = DemoCitizen {
    id: 6,
    national_id: "F225308407",
    name: "周淑芬",
    sex: "F",
    birth_date: "1965-11-08",
    county: "新北市",
    township: "板橋區",
    village: "文化里",
    neighborhood: 9,
    street_address: "文化路一段66號3樓",
    father_name: Some("周明德"),
    mother_name: Some("李玉蘭"),
    adoptive_father_name: None,
    adoptive_mother_name: None,
    under_guardianship: false,
    issuances: &[("1985-12-02", 1, "65000"), ("2005-06-20", 3, "65000")],
};

/// Every demo citizen.
pub const CITIZENS: [&DemoCitizen; 6] = [
    &WANG_XIAOMING,
    &LIN_MEILING,
    &CHEN_ZHIQIANG,
    &ZHANG_JIAHAO,
    &HUANG_YATING,
    &ZHOU_SHUFEN,
];

/// 蝦蝦樂購股份有限公司, the company of seed 000's screenshots, 核准設立.
pub const SHRIMP_SHOP: DemoCompany = DemoCompany {
    business_id: "24941832",
    name: "蝦蝦樂購股份有限公司",
    status: "核准設立",
    representative: "陳建宏",
    address: "臺北市信義區忠孝東路五段68號20樓",
    registered_on: "2015-09-01",
};

/// 好日子貿易有限公司, dissolved (解散): it can no longer hold an API grant.
pub const DISSOLVED_COMPANY: DemoCompany = DemoCompany {
    business_id: "53128672",
    name: "好日子貿易有限公司",
    status: "解散",
    representative: "劉俊傑",
    address: "桃園市中壢區中正路200號3樓",
    registered_on: "2008-03-12",
};

/// 示範商業銀行, a bank supervised by the FSC: it applies for the identity confirmation
/// service (seed 003) for its 網路銀行.
pub const DEMO_BANK: DemoCompany = DemoCompany {
    business_id: "88880005",
    name: "示範商業銀行股份有限公司",
    status: "核准設立",
    representative: "李志偉",
    address: "臺北市中正區重慶南路一段122號",
    registered_on: "1999-07-01",
};

/// Every demo company.
pub const COMPANIES: [&DemoCompany; 3] = [&SHRIMP_SHOP, &DISSOLVED_COMPANY, &DEMO_BANK];

/// A fixed government agency in the portal's agency registry (`agencies`, issue 18): the
/// agencies that sign in with their 機關憑證 to apply for linking. The codes have the shape of
/// 機關代號 (`AgencyCode`) but are demo values.
pub struct DemoAgency {
    pub code: &'static str,
    pub name: &'static str,
    /// The 直轄市/縣市, as staff jurisdictions name it.
    pub county: &'static str,
    pub email: &'static str,
}

/// 臺北市政府警察局, the agency of the linking demo (demo card `demo-agency`).
pub const TAIPEI_POLICE: DemoAgency = DemoAgency {
    code: "379130000C",
    name: "臺北市政府警察局",
    county: "臺北市",
    email: "linking.tpd@example.com",
};

/// 新北市政府警察局, an agency of another county (demo card `demo-agency-ntpc`).
pub const NEW_TAIPEI_POLICE: DemoAgency = DemoAgency {
    code: "382130000C",
    name: "新北市政府警察局",
    county: "新北市",
    email: "linking.ntpd@example.com",
};

/// Every demo agency.
pub const AGENCIES: [&DemoAgency; 2] = [&TAIPEI_POLICE, &NEW_TAIPEI_POLICE];
