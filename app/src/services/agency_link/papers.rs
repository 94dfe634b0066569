//! The paper forms of a case (seed 001 step 1, issue 18 item 1), filled with what the agency
//! filed, for it to print, seal with its 關防 and send: which forms a case has and where each
//! is printed. What each form says is [`sheet`]; the server lays it out as a PDF.

use super::cases::DataKind;
use crate::cases::Code;
use crate::coded;

#[cfg(feature = "ssr")]
pub mod sheet;

coded! {
    /// A paper form of a case.
    pub enum Paper {
        /// The interface's 申請表 (its title is `Interface::form_title`).
        ApplicationForm = "application_form", "申請表", "Application form";
        ItemTable = "item_table", "各類需求資料項目表", "Table of the data items requested";
        /// Household data only, with the 資通安全長's review.
        SecurityAgreement = "security_agreement", "資料交換安全協議書", "Data exchange security agreement";
        /// A first GSN VPN application only.
        GsnVpn = "gsn_vpn", "GSN VPN 申請書", "GSN VPN application";
    }
}

impl Paper {
    /// Where every party on case `case_id` prints this form.
    pub fn path(self, case_id: &str) -> String {
        format!(
            "{}/{case_id}/papers/{}",
            super::AGENCY_CASE_PATH,
            self.code()
        )
    }
}

/// The forms of a case of `data_kind`, filed with a GSN VPN application or not: the 申請表
/// and the item table always, the security agreement for household data, the GSN VPN
/// 申請書 when one was filed.
pub fn papers_of(data_kind: DataKind, gsn_vpn_filed: bool) -> Vec<Paper> {
    Paper::ALL
        .iter()
        .copied()
        .filter(|paper| match paper {
            Paper::SecurityAgreement => data_kind == DataKind::Household,
            Paper::GsnVpn => gsn_vpn_filed,
            Paper::ApplicationForm | Paper::ItemTable => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l_1_a_case_prints_the_forms_its_data_kind_and_first_vpn_file() {
        use Paper::*;
        assert_eq!(papers_of(DataKind::Household, true), Paper::ALL);
        assert_eq!(
            papers_of(DataKind::Household, false),
            [ApplicationForm, ItemTable, SecurityAgreement]
        );
        assert_eq!(
            papers_of(DataKind::Military, true),
            [ApplicationForm, ItemTable, GsnVpn]
        );
        assert_eq!(
            papers_of(DataKind::Military, false),
            [ApplicationForm, ItemTable]
        );
    }

    #[test]
    fn l_1_each_form_has_its_own_path_under_the_case() {
        assert_eq!(
            Paper::ItemTable.path("A1151120-000001"),
            "/agency-link/case/A1151120-000001/papers/item_table"
        );
        assert_eq!(Paper::from_code("gsn_vpn"), Some(Paper::GsnVpn));
        assert_eq!(Paper::from_code("../gsn_vpn"), None);
    }
}
