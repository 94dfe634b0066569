//! What each service declares about itself in one place — the pages whose forms post to
//! themselves and its entries in the back office's menu — so that the router, the CSRF-safe
//! form handling and the staff home page read one list instead of keeping their own.

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

/// A service's declarations.
pub struct Manifest {
    /// The pages whose forms post to their own path ([`crate::posted_form`]).
    pub form_pages: &'static [&'static str],
    /// Its pages in the back office's menu.
    pub menu: &'static [MenuEntry],
}

/// Every service of the portal, in the order of the back office's menu.
pub const SERVICES: &[&Manifest] = &[
    &super::staff::MANIFEST,
    &super::id_card_loss::MANIFEST,
    &super::api_service::MANIFEST,
    &super::certificate::MANIFEST,
];

/// Every page whose form posts to itself.
pub fn form_pages() -> impl Iterator<Item = &'static str> {
    SERVICES
        .iter()
        .flat_map(|service| service.form_pages.iter().copied())
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
