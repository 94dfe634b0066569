//! 各類需求資料項目表 (seed 001 step 1): the data items an agency may ask a link to return,
//! each one field of this portal's registry (`migrations/*/0002_registry.sql`, loaded by
//! `server/src/registry/`). After go-live the link answers the items approved in the case and
//! nothing else (issue 18 item 6).
//!
//! 戶籍資料 items are the registry's person fields: identity, the registered address, the
//! parents, the legal status and the current ID card. The registry holds no 兵籍 table of its
//! own, so the 兵籍資料 items are the person fields a 役政單位 identifies and calls up a
//! conscript by — ID number, name, sex, birth date and the registered address (call-up goes
//! by 戶籍地) with its household office — and none of the family, guardianship or ID-card
//! fields, which the military side does not need. Each has a code of its own, so an approval
//! for one kind never grants the other's.

use super::cases::DataKind;
use crate::coded;

/// The call log's outcome for a person query the link answered with the case's approved items
/// (`HJL2001`, docs/agency-link-api.md): the only calls that returned data.
pub const FOUND: &str = "HJL2001";

/// Where an item's value lives: a table and column of the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    pub table: &'static str,
    pub column: &'static str,
}

/// Declares the catalogue once: each item's code, labels, data kind and registry column.
macro_rules! catalogue {
    ($(
        $variant:ident = $code:literal, $zh_tw:literal, $english:literal,
        $kind:ident, $table:literal . $column:literal;
    )+) => {
        coded! {
            /// One data item of the 各類需求資料項目表.
            pub enum Item {
                $($variant = $code, $zh_tw, $english;)+
            }
        }

        impl Item {
            /// Whose data the item is: it may be asked for only in a case of that kind.
            pub fn kind(self) -> DataKind {
                match self {
                    $(Item::$variant => DataKind::$kind,)+
                }
            }

            /// The registry column the link reads for it.
            pub fn source(self) -> Source {
                match self {
                    $(Item::$variant => Source { table: $table, column: $column },)+
                }
            }
        }
    };
}

catalogue! {
    HouseholdNationalId = "household.national_id", "國民身分證統一編號", "National ID number",
        Household, "citizens"."national_id";
    HouseholdName = "household.name", "姓名", "Name", Household, "citizens"."name";
    HouseholdSex = "household.sex", "性別", "Sex", Household, "citizens"."sex";
    HouseholdBirthDate = "household.birth_date", "出生日期", "Date of birth",
        Household, "citizens"."birth_date";
    HouseholdCounty = "household.county", "戶籍地址：縣市", "Registered address: county or city",
        Household, "citizens"."county";
    HouseholdTownship = "household.township", "戶籍地址：鄉鎮市區", "Registered address: township",
        Household, "citizens"."township";
    HouseholdVillage = "household.village", "戶籍地址：村里", "Registered address: village",
        Household, "citizens"."village";
    HouseholdNeighborhood = "household.neighborhood", "戶籍地址：鄰", "Registered address: neighbourhood",
        Household, "citizens"."neighborhood";
    HouseholdStreetAddress = "household.street_address", "戶籍地址：街路門牌",
        "Registered address: street and number", Household, "citizens"."street_address";
    HouseholdOffice = "household.office", "戶籍所屬戶政事務所代碼", "Household registration office code",
        Household, "citizens"."household_office_code";
    HouseholdFatherName = "household.father_name", "父姓名", "Father's name",
        Household, "citizens"."father_name";
    HouseholdMotherName = "household.mother_name", "母姓名", "Mother's name",
        Household, "citizens"."mother_name";
    HouseholdAdoptiveFatherName = "household.adoptive_father_name", "養父姓名", "Adoptive father's name",
        Household, "citizens"."adoptive_father_name";
    HouseholdAdoptiveMotherName = "household.adoptive_mother_name", "養母姓名", "Adoptive mother's name",
        Household, "citizens"."adoptive_mother_name";
    HouseholdGuardianship = "household.under_guardianship", "受監護宣告註記", "Under guardianship",
        Household, "citizens"."under_guardianship";
    HouseholdRegistered = "household.nationality_registered", "有戶籍國民註記",
        "National with household registration", Household, "citizens"."nationality_registered";
    HouseholdIdStatus = "household.id_status", "統一編號使用狀態", "Status of the ID number",
        Household, "citizens"."id_status";
    HouseholdCardIssueDate = "household.card_issue_date", "國民身分證發證日期", "ID card issue date",
        Household, "id_card_issuances"."issue_date";
    HouseholdCardApplyCode = "household.card_apply_code", "國民身分證領補換類別",
        "ID card issue type (first, replacement, renewal)", Household, "id_card_issuances"."apply_code";
    HouseholdCardIssueSite = "household.card_issue_site", "國民身分證發證地點", "ID card issuing place",
        Household, "id_card_issuances"."issue_site_id";
    MilitaryNationalId = "military.national_id", "國民身分證統一編號", "National ID number",
        Military, "citizens"."national_id";
    MilitaryName = "military.name", "姓名", "Name", Military, "citizens"."name";
    MilitarySex = "military.sex", "性別", "Sex", Military, "citizens"."sex";
    MilitaryBirthDate = "military.birth_date", "出生日期", "Date of birth",
        Military, "citizens"."birth_date";
    MilitaryCounty = "military.county", "戶籍地址：縣市", "Registered address: county or city",
        Military, "citizens"."county";
    MilitaryTownship = "military.township", "戶籍地址：鄉鎮市區", "Registered address: township",
        Military, "citizens"."township";
    MilitaryVillage = "military.village", "戶籍地址：村里", "Registered address: village",
        Military, "citizens"."village";
    MilitaryNeighborhood = "military.neighborhood", "戶籍地址：鄰", "Registered address: neighbourhood",
        Military, "citizens"."neighborhood";
    MilitaryStreetAddress = "military.street_address", "戶籍地址：街路門牌",
        "Registered address: street and number", Military, "citizens"."street_address";
    MilitaryOffice = "military.office", "戶籍所屬戶政事務所代碼", "Household registration office code",
        Military, "citizens"."household_office_code";
}

impl Item {
    /// The items a case of `kind` may ask for, in the catalogue's order.
    pub fn of(kind: DataKind) -> impl Iterator<Item = Item> {
        use crate::cases::Code;
        Item::ALL
            .iter()
            .copied()
            .filter(move |item| item.kind() == kind)
    }
}

/// The items case `link_id` (of `kind`) was approved for, in the catalogue's order. A stored
/// code the catalogue no longer knows, or of the other data kind, grants nothing.
#[cfg(feature = "ssr")]
pub async fn approved(
    pool: &sqlx::AnyPool,
    link_id: &str,
    kind: DataKind,
) -> sqlx::Result<Vec<Item>> {
    use crate::cases::Code;
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT item FROM agency_link_items WHERE link_id = $1")
            .bind(link_id)
            .fetch_all(pool)
            .await?;
    Ok(Item::of(kind)
        .filter(|item| codes.iter().any(|code| code == item.code()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::Code;
    use crate::i18n::Lang;
    use std::collections::HashSet;

    /// The registry's person columns (0002_registry.sql), which every item must name.
    const REGISTRY: &[(&str, &str)] = &[
        ("citizens", "national_id"),
        ("citizens", "name"),
        ("citizens", "sex"),
        ("citizens", "birth_date"),
        ("citizens", "county"),
        ("citizens", "township"),
        ("citizens", "village"),
        ("citizens", "neighborhood"),
        ("citizens", "street_address"),
        ("citizens", "household_office_code"),
        ("citizens", "father_name"),
        ("citizens", "mother_name"),
        ("citizens", "adoptive_father_name"),
        ("citizens", "adoptive_mother_name"),
        ("citizens", "under_guardianship"),
        ("citizens", "id_status"),
        ("citizens", "nationality_registered"),
        ("id_card_issuances", "issue_date"),
        ("id_card_issuances", "apply_code"),
        ("id_card_issuances", "issue_site_id"),
    ];

    #[test]
    fn l_1_every_item_reads_a_real_registry_column_under_a_stable_code() {
        let codes: HashSet<&str> = Item::ALL.iter().map(|item| item.code()).collect();
        assert_eq!(codes.len(), Item::ALL.len(), "codes are unique");
        for item in Item::ALL {
            let source = item.source();
            assert!(
                REGISTRY.contains(&(source.table, source.column)),
                "{item:?} reads {source:?}"
            );
            assert!(item.code().starts_with(item.kind().code()), "{item:?}");
            assert_eq!(Item::from_code(item.code()), Some(*item));
            assert!(!item.label(Lang::ZhTw).is_empty() && item.label(Lang::English).is_ascii());
        }
        assert_eq!(Item::from_code("household.password"), None);
    }

    #[test]
    fn l_1_household_data_has_every_person_field_and_military_data_only_identity_and_address() {
        let household: Vec<Source> = Item::of(DataKind::Household).map(Item::source).collect();
        for column in REGISTRY {
            assert!(
                household
                    .iter()
                    .any(|source| (source.table, source.column) == *column),
                "{column:?}"
            );
        }
        let military: Vec<&str> = Item::of(DataKind::Military)
            .map(|item| item.source().column)
            .collect();
        assert_eq!(military.len(), 10);
        for private in ["father_name", "under_guardianship", "issue_date"] {
            assert!(!military.contains(&private), "{private}");
        }
        assert_eq!(
            Item::of(DataKind::Household).count() + Item::of(DataKind::Military).count(),
            Item::ALL.len()
        );
    }
}
