//! Staff roles and jurisdictions (F-6). A staff member has exactly one role and one
//! jurisdiction; every back-office page names the roles it admits and filters what it shows by
//! the jurisdiction.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The back-office roles of SPEC F-6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 內政部戶政司 審核人員: reviews API and linking applications.
    MinistryReviewer,
    /// 內政部資訊服務司 engineers: run the system and manage staff accounts.
    InformationServices,
    /// 直轄市、縣市政府 戶役政單位 officers: the 民政局(處), which receives agency linking cases
    /// for household data (SPEC §2).
    CountyOfficer,
    /// 直轄市、縣市政府 役政單位 officers, who receive agency linking cases for military data
    /// (兵籍資料, SPEC §2) and see no household case.
    CountyMilitaryOfficer,
    /// 戶政事務所 承辦人 (clerk).
    HouseholdClerk,
    /// 戶政事務所 主任／登記人員 (registrar).
    HouseholdRegistrar,
    /// 中華電信 engineers, who operate the verification API's network side.
    ChtEngineer,
}

/// How far a jurisdiction reaches, which each role fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    National,
    County,
    Office,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::MinistryReviewer,
        Role::InformationServices,
        Role::CountyOfficer,
        Role::CountyMilitaryOfficer,
        Role::HouseholdClerk,
        Role::HouseholdRegistrar,
        Role::ChtEngineer,
    ];

    /// The stored and command-line name.
    pub fn code(self) -> &'static str {
        match self {
            Role::MinistryReviewer => "ministry_reviewer",
            Role::InformationServices => "information_services",
            Role::CountyOfficer => "county_officer",
            Role::CountyMilitaryOfficer => "county_military_officer",
            Role::HouseholdClerk => "household_clerk",
            Role::HouseholdRegistrar => "household_registrar",
            Role::ChtEngineer => "cht_engineer",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Role::MinistryReviewer => lang.pick("內政部戶政司審核人員", "Ministry reviewer"),
            Role::InformationServices => {
                lang.pick("內政部資訊服務司人員", "Department of Information Services")
            }
            Role::CountyOfficer => lang.pick(
                "直轄市、縣市政府戶役政單位人員",
                "City or county household-registration officer",
            ),
            Role::CountyMilitaryOfficer => lang.pick(
                "直轄市、縣市政府役政單位人員",
                "City or county military-service officer",
            ),
            Role::HouseholdClerk => lang.pick("戶政事務所承辦人員", "Household office clerk"),
            Role::HouseholdRegistrar => {
                lang.pick("戶政事務所登記主管", "Household office registrar")
            }
            Role::ChtEngineer => lang.pick("中華電信工程人員", "Chunghwa Telecom engineer"),
        }
    }

    /// The reach of this role's jurisdiction: the ministry, its IT department and Chunghwa
    /// Telecom work nationwide; county officers in one county or city; office staff in one
    /// household registration office.
    pub fn scope(self) -> Scope {
        match self {
            Role::MinistryReviewer | Role::InformationServices | Role::ChtEngineer => {
                Scope::National
            }
            Role::CountyOfficer | Role::CountyMilitaryOfficer => Scope::County,
            Role::HouseholdClerk | Role::HouseholdRegistrar => Scope::Office,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Where a staff member may act.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Jurisdiction {
    /// 全國
    National,
    /// One 直轄市 or 縣市, by name (`臺北市`).
    County { county: String },
    /// One 戶政事務所: its code and name, and the county it lies in.
    Office {
        county: String,
        code: String,
        name: String,
    },
}

impl Jurisdiction {
    pub fn scope(&self) -> Scope {
        match self {
            Jurisdiction::National => Scope::National,
            Jurisdiction::County { .. } => Scope::County,
            Jurisdiction::Office { .. } => Scope::Office,
        }
    }

    /// Whether everything in `other` lies within this jurisdiction.
    pub fn covers(&self, other: &Jurisdiction) -> bool {
        match (self, other) {
            (Jurisdiction::National, _) => true,
            (Jurisdiction::County { county }, Jurisdiction::County { county: c })
            | (Jurisdiction::County { county }, Jurisdiction::Office { county: c, .. }) => {
                county == c
            }
            (Jurisdiction::Office { code, .. }, Jurisdiction::Office { code: c, .. }) => code == c,
            _ => false,
        }
    }

    pub fn label(&self, lang: Lang) -> String {
        match self {
            Jurisdiction::National => lang.pick("全國", "Nationwide").to_owned(),
            Jurisdiction::County { county } => county.clone(),
            Jurisdiction::Office { name, .. } => name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn county(name: &str) -> Jurisdiction {
        Jurisdiction::County {
            county: name.into(),
        }
    }

    fn office(county: &str, code: &str) -> Jurisdiction {
        Jurisdiction::Office {
            county: county.into(),
            code: code.into(),
            name: format!("office {code}"),
        }
    }

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("admin"), None);
    }

    #[test]
    fn f6_jurisdictions_nest_nation_county_office() {
        let taipei = county("臺北市");
        let daan = office("臺北市", "63000030");
        assert!(Jurisdiction::National.covers(&daan));
        assert!(taipei.covers(&daan));
        assert!(taipei.covers(&taipei));
        assert!(!county("新北市").covers(&daan));
        assert!(!daan.covers(&taipei));
        assert!(daan.covers(&daan));
        assert!(!daan.covers(&office("臺北市", "63000040")));
        assert!(!taipei.covers(&Jurisdiction::National));
    }

    #[test]
    fn f6_each_role_has_one_scope() {
        assert_eq!(Role::MinistryReviewer.scope(), Scope::National);
        assert_eq!(Role::CountyOfficer.scope(), Scope::County);
        assert_eq!(Role::HouseholdClerk.scope(), Scope::Office);
    }
}
