//! What the staff accounts declare to the portal (see [`crate::services::manifest`]).

use super::pages::ACCOUNT_VIEWERS;
use crate::services::manifest::{Manifest, MenuEntry};

pub const MANIFEST: Manifest = Manifest {
    form_pages: &[],
    menu: &[MenuEntry {
        path: "/admin/staff",
        roles: &ACCOUNT_VIEWERS,
        zh_tw: "工作人員帳號",
        english: "Staff accounts",
    }],
};
