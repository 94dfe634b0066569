//! What the citizen certificate service declares to the portal (see
//! [`crate::services::manifest`]).

use super::counter::ISSUING_ROLES;
use crate::services::manifest::{Manifest, MenuEntry};

pub const MANIFEST: Manifest = Manifest {
    form_pages: &[
        super::application::APPLY_PATH,
        super::card_services::PATH,
        super::counter::PATH,
    ],
    menu: &[
        MenuEntry {
            path: super::counter::PATH,
            roles: &ISSUING_ROLES,
            zh_tw: "自然人憑證臨櫃發證",
            english: "Citizen certificate: counter issuance",
        },
        MenuEntry {
            path: super::card_services::PATH,
            roles: &ISSUING_ROLES,
            zh_tw: "自然人憑證臨櫃服務（停用／復用／廢止／資料異動）",
            english: "Citizen certificate services at the counter",
        },
    ],
};
