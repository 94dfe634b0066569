//! What each service declares about itself in one place — the pages whose forms post to
//! themselves, its entries in the back office's menu and in the home page's service tree — so
//! that the router, the CSRF-safe form handling, the staff home page and the home page read
//! one list instead of keeping their own; and its background jobs, which the server runs.

use crate::i18n::Lang;
use crate::services::staff::role::Role;

/// One entry of the back office's menu, shown to the roles that may open it.
pub struct MenuEntry {
    pub path: &'static str,
    pub roles: &'static [Role],
    pub zh_tw: &'static str,
    pub english: &'static str,
}

impl MenuEntry {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh_tw, self.english)
    }
}

/// The groups of the ministry's 網路申辦服務 tree, in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    IdCard,
    Certificate,
    AgencyLinking,
    IdentityConfirmation,
}

impl Group {
    pub const ALL: [Group; 4] = [
        Group::IdCard,
        Group::Certificate,
        Group::AgencyLinking,
        Group::IdentityConfirmation,
    ];

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Group::IdCard => lang.pick("國民身分證", "National ID card"),
            Group::Certificate => lang.pick("自然人憑證", "Citizen digital certificate (MOICA)"),
            Group::AgencyLinking => lang.pick("機關連結申請", "Agency linking application"),
            Group::IdentityConfirmation => {
                lang.pick("身分確認服務", "Identity confirmation service")
            }
        }
    }
}

impl Group {
    /// What the group is for, under its name on the home page.
    pub fn summary(self, lang: Lang) -> &'static str {
        match self {
            Group::IdCard => lang.pick(
                "身分證遺失掛失、企業申請身分證查驗 API，以及查詢誰查驗了您的身分。",
                "Report a lost ID card, the verification API for companies, and who checked your identity.",
            ),
            Group::Certificate => lang.pick(
                "申請自然人憑證、變更 PIN 碼或解鎖、展期與續卡、查詢憑證卡號。",
                "Apply for a citizen certificate, change its PIN or unlock it, extend or renew it, look up a card.",
            ),
            Group::AgencyLinking => lang.pick(
                "政府機關申請連結戶役政資訊系統，並查看辦理進度。",
                "Government agencies apply to link to the household registration system and follow their cases.",
            ),
            Group::IdentityConfirmation => lang.pick(
                "機關及金融機構申請以自然人憑證確認使用者身分。",
                "Agencies and financial institutions apply to confirm their users' identity by citizen certificate.",
            ),
        }
    }
}

/// One entry of the home page's service tree, with the entries under it.
pub struct NavNode {
    pub zh_tw: &'static str,
    pub english: &'static str,
    pub href: &'static str,
    /// The service's tasks, one level under it.
    pub children: &'static [NavNode],
}

impl NavNode {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh_tw, self.english)
    }
}

/// An entry without entries under it.
pub const fn leaf(zh_tw: &'static str, english: &'static str, href: &'static str) -> NavNode {
    NavNode {
        zh_tw,
        english,
        href,
        children: &[],
    }
}

/// A service's declarations.
pub struct Manifest {
    /// The pages whose forms post to their own path ([`crate::posted_form`]).
    pub form_pages: &'static [&'static str],
    /// Its pages in the back office's menu.
    pub menu: &'static [MenuEntry],
    /// Its entries in the home page's service tree, under their group.
    pub home: &'static [(Group, NavNode)],
    /// Its background jobs.
    #[cfg(feature = "ssr")]
    pub jobs: &'static [crate::platform::jobs::Job],
}

/// Every service of the portal, in the order of the back office's menu.
pub const SERVICES: &[&Manifest] = &[
    &super::staff::MANIFEST,
    &super::id_card_loss::MANIFEST,
    &super::api_service::MANIFEST,
    &super::certificate::MANIFEST,
    &super::agency_link::MANIFEST,
    &super::confirmation::MANIFEST,
    &super::id_usage::MANIFEST,
];

/// Every page whose form posts to itself.
pub fn form_pages() -> impl Iterator<Item = &'static str> {
    SERVICES
        .iter()
        .flat_map(|service| service.form_pages.iter().copied())
}

/// The home page's entries in `group`, service by service; none: the portal does not offer
/// the group yet.
pub fn home(group: Group) -> impl Iterator<Item = &'static NavNode> {
    SERVICES
        .iter()
        .flat_map(|service| service.home.iter())
        .filter(move |(of, _)| *of == group)
        .map(|(_, node)| node)
}

/// Every service's background jobs.
#[cfg(feature = "ssr")]
pub fn jobs() -> impl Iterator<Item = &'static crate::platform::jobs::Job> {
    SERVICES.iter().flat_map(|service| service.jobs.iter())
}

/// The back office's menu for `role`.
pub fn menu(role: Role) -> impl Iterator<Item = &'static MenuEntry> {
    SERVICES
        .iter()
        .flat_map(|service| service.menu.iter())
        .filter(move |entry| entry.roles.contains(&role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_sees_only_its_entries_and_form_pages_are_listed_once() {
        let registrar: Vec<&str> = menu(Role::HouseholdRegistrar).map(|e| e.path).collect();
        assert!(registrar.contains(&"/admin/certificate/issue"));
        assert!(!registrar.contains(&"/admin/api-cases"));
        let reviewer: Vec<&str> = menu(Role::MinistryReviewer).map(|e| e.path).collect();
        assert!(reviewer.contains(&"/admin/api-cases"));
        assert!(!reviewer.contains(&"/admin/certificate/issue"));
        let mut pages: Vec<&str> = form_pages().collect();
        let count = pages.len();
        pages.sort_unstable();
        pages.dedup();
        assert_eq!(pages.len(), count);
    }
}
